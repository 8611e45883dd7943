"""A soak of the real server: concurrent edit tasks, didChange storms and cancels.

The client plays an editor that honours document versions: an edit pinned to an older
version is refused, one pinned to the current version is applied to the client's own text.
No line the user typed may be lost, and the server's memory stays flat across rounds.
`bench/bench_soak.py` runs the same soak longer and writes its counts to bench/RESULTS.md.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from helpers import child_env, make_repo
from provider_server import ProviderServer, Turn

ROUNDS = int(os.environ.get("GLM_SOAK_ROUNDS", "3"))
FILES = 4
STORM = 40  # didChange notifications per file per round


@dataclass
class Editor:
    """The client's documents (text, version) and what happened to the server's edits."""

    client: LanguageClient
    texts: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    typed: dict[str, list[str]] = field(default_factory=dict)
    applied: int = 0
    refused: int = 0

    def open(self, uri: str, text: str) -> None:
        self.texts[uri], self.versions[uri], self.typed[uri] = text, 1, []
        item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    def change(self, uri: str, text: str) -> None:
        self.texts[uri] = text
        self.versions[uri] += 1
        ident = types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri])
        whole = types.TextDocumentContentChangeWholeDocument(text=text)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=ident, content_changes=[whole])
        )

    def type_line(self, uri: str, number: int) -> None:
        line = f"# typed {number}\n"
        self.typed[uri].append(line)
        self.change(uri, self.texts[uri] + line)

    def apply(self, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        edits = [
            e for e in params.edit.document_changes or [] if isinstance(e, types.TextDocumentEdit)
        ]
        if any(e.text_document.version != self.versions.get(e.text_document.uri) for e in edits):
            self.refused += 1
            return types.ApplyWorkspaceEditResult(applied=False, failure_reason="stale version")
        for edit in edits:
            uri = edit.text_document.uri
            self.change(uri, _applied(self.texts[uri], edit.edits))
        self.applied += 1
        return types.ApplyWorkspaceEditResult(applied=True)

    def lost(self) -> int:
        """Typed lines missing from (or doubled in) the client's text."""
        return sum(
            self.texts[uri].count(line) != 1 for uri, lines in self.typed.items() for line in lines
        )


def _applied(text: str, edits: list[Any]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        return starts[position.line] + position.character

    for edit in sorted(
        edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
    ):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class SoakResult:
    tasks: int
    cancelled: int
    changes: int
    applied: int
    refused: int
    lost: int
    rss_growth_kb: int


async def soak(provider: ProviderServer, root: Path, rounds: int) -> SoakResult:
    """Run the soak against a fresh server process; returns its counts."""
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "glm_lsp", "serve"],
        server_env=child_env(provider.env()),
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    editor = Editor(client)

    @client.feature("$/glm/task")
    def task(params: Any) -> None:
        """Task notifications: the soak follows progress instead."""

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        return editor.apply(params)

    root_uri = from_fs_path(str(root)) or ""
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim"),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="ws")],
        )
    )
    uris = [from_fs_path(str(root / f"f{i}.py")) or "" for i in range(FILES)]
    for i, uri in enumerate(uris):
        editor.open(uri, (root / f"f{i}.py").read_text())
    server = client._server
    assert server is not None
    tasks = cancelled = 0
    baseline = 0
    try:
        for number in range(rounds):
            cancelled += await _round(client, editor, provider, uris, number)
            tasks += FILES
            if number == 0:
                baseline = rss_kb(server.pid)
        growth = rss_kb(server.pid) - baseline
    finally:
        await client.shutdown_session()
        await client.stop()
    changes = sum(v - 1 for v in editor.versions.values())
    return SoakResult(
        tasks, cancelled, changes, editor.applied, editor.refused, editor.lost(), growth
    )


async def _round(
    client: LanguageClient, editor: Editor, provider: ProviderServer, uris: list[str], number: int
) -> int:
    """One round: a task per file, a storm of typing in every file, one task cancelled."""
    for i in range(FILES):
        edit = {  # the def line stays, so every round's edit finds it
            "path": f"f{i}.py",
            "old_string": f"def f{i}():",
            "new_string": f"def f{i}():\n    # round {number}",
        }
        provider.script(
            Turn(tool_calls=[("edit_file", edit)], fault="slow_first_byte", delay=0.3),
            Turn(content="Done."),
        )
    started = []
    for uri in uris:
        arguments = [{"uri": uri, "instruction": f"round {number}"}]
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="glm.edit", arguments=arguments)
        )
        started.append(result["task"])
    for k in range(STORM):
        for uri in uris:
            editor.type_line(uri, number * STORM + k)
        if k == STORM // 2:
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="glm.cancel", arguments=[{"task": started[0]}])
            )
        await asyncio.sleep(0.005)
    await _until_done(client, started)
    return 1


async def _until_done(client: LanguageClient, tasks: list[str], timeout: float = 60) -> None:
    for _ in range(int(timeout / 0.05)):
        ended = [
            isinstance((client.progress_reports.get(t) or [None])[-1], types.WorkDoneProgressEnd)
            for t in tasks
        ]
        if all(ended):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the soak's tasks did not end")


def make_workspace(root: Path) -> Path:
    return make_repo(root, {f"f{i}.py": f"def f{i}():\n    return {i}\n" for i in range(FILES)})


async def test_soak_loses_no_update_and_keeps_memory_flat(provider_server, tmp_path: Path) -> None:
    provider = provider_server("hyperstack")
    result = await soak(provider, make_workspace(tmp_path / "ws"), ROUNDS)
    assert result.lost == 0
    assert result.applied > 0  # the model's edits did land, rebased onto the typing
    assert result.rss_growth_kb < 40_000, result
