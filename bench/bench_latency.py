"""How fast the server answers while the model works, how fast it stops, and what it adds.

Run: .venv/bin/python bench/bench_latency.py

1. `textDocument/codeAction` latency, p50 and p99 over 1,000 requests on a 2,000-line file
   while a scripted agent task streams from the local test provider, beside the floor: a
   trivial request (`glm.usage`) on the same server in the same run.
2. Cancellation: from the cancel to the `$/glm/task` "cancelled" notification (sent after
   the model's stream is closed) and to the provider seeing the connection close, for
   `glm.cancel`, the progress UI's cancel and `$/cancelRequest` of a code-action resolve.
3. The server's overhead on a scripted edit: wall time of `glm.edit` (command to
   workspace/applyEdit) beyond the test provider's own scripted delays (two turns, each
   with a 1 s first byte).

The test provider runs in a process of its own, so its streaming does not compete with
the measuring client for the interpreter lock.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "server"), str(ROOT / "tests")]

from lsprotocol import types  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from helpers import child_env, make_repo  # noqa: E402
from provider_server import ProviderServer, Turn  # noqa: E402

REQUESTS = 1000
LINES = 2000
CANCELS = 10  # per way of cancelling
WAYS = ("glm.cancel", "progress cancel", "$/cancelRequest")
EDIT = {"path": "big.py", "old_string": "def f5(x):\n", "new_string": "def f5(y):\n"}
TURNS = [
    Turn(content="x" * 800_000, chunk_size=8),  # 1. one long stream: 100,000 events
    *[Turn(content="thinking", fault="hang") for _ in range(CANCELS * len(WAYS))],  # 2.
    Turn(tool_calls=[("edit_file", EDIT)], fault="slow_first_byte", delay=1.0),  # 3.
    Turn(content="Done.", fault="slow_first_byte", delay=1.0),
]


def serve_provider(queue: Any, stop: Any) -> None:
    """The scripted provider in a child process: sends its env, then when each request
    came and each disconnect was seen (wall clock, comparable across processes). It runs
    at the lowest priority: a real provider is on another machine, not on our two cores."""
    os.nice(19)
    with ProviderServer("hyperstack") as provider:
        provider.script(*TURNS)
        queue.put(provider.env())
        seen, disconnects = 0, []
        while not stop.is_set():
            if provider.disconnects > seen:
                seen += 1
                disconnects.append(time.time())
            time.sleep(0.0005)
        queue.put(disconnects)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


async def timed(call: Any) -> float:
    started = time.perf_counter()
    await call
    return (time.perf_counter() - started) * 1000


class Bench:
    def __init__(self, client: LanguageClient, uri: str) -> None:
        self.client, self.uri = client, uri
        self.applied: list[float] = []
        self.ended: dict[str, float] = {}  # task -> when its end notification came

    async def command(self, name: str, arg: dict[str, Any]) -> Any:
        params = types.ExecuteCommandParams(command=name, arguments=[arg])
        return await self.client.workspace_execute_command_async(params)

    def action_params(self) -> types.CodeActionParams:
        return types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri),
            range=types.Range(
                start=types.Position(line=100, character=0),
                end=types.Position(line=110, character=0),
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )

    async def latency(self) -> tuple[list[float], list[float], int]:
        """Latencies of requests sent while the task streamed, and how many were sent."""
        task = (await self.command("glm.edit", {"uri": self.uri, "instruction": "x"}))["task"]
        params, actions, floor = self.action_params(), [], []
        while len(actions) < REQUESTS and task not in self.ended:
            actions.append(await timed(self.client.text_document_code_action_async(params)))
            floor.append(await timed(self.command("glm.usage", {})))
        while task not in self.ended:
            await asyncio.sleep(0.01)
        return actions, floor, len(actions)

    async def cancel_once(self, way: str, index: int) -> tuple[float, float]:
        """Start a task whose stream hangs, cancel it; returns (wall clock of the cancel,
        ms until the server said it was cancelled)."""
        requests_before = len(self.client.progress_reports)
        if way == "$/cancelRequest":
            action = await self.client.text_document_code_action_async(self.action_params())
            assert action is not None
            msg_id = f"resolve-{index}"
            pending = asyncio.ensure_future(
                self.client.protocol.send_request_async(
                    "codeAction/resolve", action[0], msg_id=msg_id
                )
            )
            while len(self.client.progress_reports) == requests_before:
                await asyncio.sleep(0.001)
            await asyncio.sleep(0.2)  # the model request is open and hanging
            started, wall = time.perf_counter(), time.time()
            self.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
            try:
                await pending
            except Exception:
                pass
            return wall, (time.perf_counter() - started) * 1000
        task = (await self.command("glm.edit", {"uri": self.uri, "instruction": "x"}))["task"]
        await asyncio.sleep(0.3)  # context gathered, the model request hanging
        started, wall = time.perf_counter(), time.time()
        if way == "glm.cancel":
            await self.command("glm.cancel", {"task": task})
        else:
            self.client.protocol.notify(
                types.WINDOW_WORK_DONE_PROGRESS_CANCEL,
                types.WorkDoneProgressCancelParams(token=task),
            )
        while task not in self.ended:
            await asyncio.sleep(0.0005)
        return wall, (self.ended[task] - started) * 1000

    async def overhead(self) -> float:
        before = len(self.applied)
        started = time.perf_counter()
        await self.command("glm.edit", {"uri": self.uri, "instruction": "rename"})
        while len(self.applied) == before:
            await asyncio.sleep(0.005)
        return self.applied[-1] - started


async def connect(provider_env: dict[str, str], work: Path, root: Path, text: str) -> Bench:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "glm_lsp", "serve"],
        server_env=child_env({**provider_env, "XDG_CACHE_HOME": str(work / "cache")}),
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    bench = Bench(client, from_fs_path(str(root / "big.py")) or "")

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        bench.applied.append(time.perf_counter())
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature("$/glm/task")
    def task(params: Any) -> None:
        if params.state != "running":
            bench.ended[params.task] = time.perf_counter()

    root_uri = from_fs_path(str(root)) or ""
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="ws")],
        )
    )
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=bench.uri, language_id="python", version=1, text=text
            )
        )
    )
    await asyncio.sleep(1.0)  # the warm-up indexing after initialized
    return bench


async def main() -> None:
    work = Path(tempfile.mkdtemp())
    text = "".join(f"def f{i}(x):\n    return x + {i}\n" for i in range(LINES // 2))
    root = make_repo(work / "ws", {"big.py": text})
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    child = context.Process(target=serve_provider, args=(queue, stop))
    child.start()
    bench = await connect(queue.get(timeout=30), work, root, text)

    actions, floor, sent = await bench.latency()
    await asyncio.sleep(0.5)
    cancels: dict[str, list[tuple[float, float]]] = {way: [] for way in WAYS}
    for index in range(CANCELS):
        for way in WAYS:
            cancels[way].append(await bench.cancel_once(way, index))
    total = await bench.overhead()
    await bench.client.shutdown_session()
    await bench.client.stop()
    stop.set()
    disconnects = queue.get(timeout=30)
    child.join()

    p50, p99 = statistics.median(actions), percentile(actions, 0.99)
    f50, f99 = statistics.median(floor), percentile(floor, 0.99)
    print(
        f"codeAction over {sent} requests on a {LINES}-line file while a task streams:"
        f" p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    print(
        f"floor (glm.usage round trip): p50 {f50:.2f} ms, p99 {f99:.2f} ms; "
        f"p99 ratio {p99 / f99:.2f}x"
    )
    for way, runs in cancels.items():
        told = [ms for _, ms in runs]
        closed = [
            (min((d for d in disconnects if d >= wall), default=float("inf")) - wall) * 1000
            for wall, _ in runs
        ]
        print(
            f"cancel by {way} ({len(runs)} runs): server reports it cancelled after median "
            f"{statistics.median(told):.1f} ms, max {max(told):.1f} ms; provider sees the "
            f"stream closed after median {statistics.median(closed):.1f} ms, "
            f"max {max(closed):.1f} ms"
        )
    print(
        f"scripted edit: {total:.3f} s for 2.000 s of scripted provider delay; "
        f"overhead {(total - 2.0) / 2.0 * 100:.1f} %"
    )


if __name__ == "__main__":
    asyncio.run(main())
