"""How fast the server answers while the model works, and what it adds to an edit.

Run: .venv/bin/python bench/bench_latency.py

1. `textDocument/codeAction` latency, p50 and p99 over 1,000 requests on a 2,000-line file
   while a scripted agent task streams from the local test provider, beside the floor: a
   trivial request (`glm.usage`) on the same server in the same run.
2. The server's overhead on a scripted edit: wall time of `glm.edit` (command to
   workspace/applyEdit) beyond the test provider's own scripted delays (two turns, each
   with a 1 s first byte).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "server"), str(ROOT / "tests")]

from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from helpers import child_env, make_repo  # noqa: E402
from provider_server import ProviderServer, Turn  # noqa: E402

REQUESTS = 1000
LINES = 2000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def timed(call: object) -> float:
    started = time.perf_counter()
    await call  # type: ignore[misc]
    return (time.perf_counter() - started) * 1000


async def main() -> None:
    work = Path(tempfile.mkdtemp())
    text = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(LINES // 2))
    root = make_repo(work / "ws", {"big.py": text})
    with ProviderServer("hyperstack") as provider:
        config = ClientServerConfig(
            server_command=[sys.executable, "-m", "glm_lsp", "serve"],
            server_env=child_env({**provider.env(), "XDG_CACHE_HOME": str(work / "cache")}),
        )
        client = await config.start()
        assert isinstance(client, LanguageClient)
        applied: list[float] = []

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            applied.append(time.perf_counter())
            return types.ApplyWorkspaceEditResult(applied=True)

        uri = from_fs_path(str(root / "big.py")) or ""
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=from_fs_path(str(root)),
                workspace_folders=[
                    types.WorkspaceFolder(uri=from_fs_path(str(root)) or "", name="ws")
                ],
            )
        )
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=100, character=0),
                end=types.Position(line=110, character=0),
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
        usage = types.ExecuteCommandParams(command="glm.usage", arguments=[{}])
        await asyncio.sleep(1.0)  # the warm-up indexing after initialized

        # 1. latency while a task streams a long reply
        provider.script(Turn(content="x" * 400_000, chunk_size=8))
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="glm.edit", arguments=[{"uri": uri, "instruction": "x"}]
            )
        )
        actions, floor = [], []
        for _ in range(REQUESTS):
            actions.append(await timed(client.text_document_code_action_async(params)))
            floor.append(await timed(client.workspace_execute_command_async(usage)))
        streaming = len(provider.requests) == 1 and provider.pending == 0

        await asyncio.sleep(0.5)
        # 2. overhead on a scripted edit: two turns, each with a 1 s first byte
        before = len(applied)
        edit = {"path": "big.py", "old_string": "def f5(x):\n", "new_string": "def f5(y):\n"}
        provider.script(
            Turn(tool_calls=[("edit_file", edit)], fault="slow_first_byte", delay=1.0),
            Turn(content="Done.", fault="slow_first_byte", delay=1.0),
        )
        started = time.perf_counter()
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command="glm.edit", arguments=[{"uri": uri, "instruction": "rename"}]
            )
        )
        while len(applied) == before:
            await asyncio.sleep(0.005)
        total = applied[-1] - started
        await client.shutdown_session()
        await client.stop()

    p50, p99 = statistics.median(actions), percentile(actions, 0.99)
    f50, f99 = statistics.median(floor), percentile(floor, 0.99)
    print(
        f"codeAction over {REQUESTS} requests on a {LINES}-line file while a task streams"
        f" ({'streaming' if streaming else 'NOT streaming'}): p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    print(
        f"floor (glm.usage round trip): p50 {f50:.2f} ms, p99 {f99:.2f} ms; "
        f"p99 ratio {p99 / f99:.2f}x"
    )
    print(
        f"scripted edit: {total:.3f} s for 2.000 s of scripted provider delay; "
        f"overhead {(total - 2.0) / 2.0 * 100:.1f} %"
    )


if __name__ == "__main__":
    asyncio.run(main())
