"""Code actions: listed instantly (no model call, no I/O), the edit computed on resolve."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types

from glm_lsp.agent.loop import EditTask, run_edit
from glm_lsp.agent.prompts import DEFAULT_INSTRUCTION
from glm_lsp.edits.stale import rebase_changes
from glm_lsp.errors import GlmError
from glm_lsp.lsp.convert import encoding_name, selection_of, workspace_edit
from glm_lsp.lsp.server import GlmServer
from glm_lsp.providers.client import ProviderClient

EDIT_TITLE = "GLM: Edit selection…"


def register(server: GlmServer) -> None:
    options = types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.RefactorRewrite], resolve_provider=True
    )

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        doc = server.workspace.get_text_document(params.text_document.uri)
        data = {
            "uri": doc.uri,
            "version": doc.version,
            "range": server.protocol._converter.unstructure(params.range),
        }
        return [
            types.CodeAction(title=EDIT_TITLE, kind=types.CodeActionKind.RefactorRewrite, data=data)
        ]

    @server.feature(types.CODE_ACTION_RESOLVE)
    async def resolve(action: types.CodeAction) -> types.CodeAction:
        data = action.data
        if not isinstance(data, dict) or "uri" not in data or action.edit is not None:
            return action  # Neovim resolves every action, ours or not
        try:
            action.edit = await _edit_for(server, data)
        except GlmError as error:
            raise server.fail(error) from error
        return action


async def _edit_for(server: GlmServer, data: dict[str, Any]) -> types.WorkspaceEdit:
    """Run the agent on the action's document and range; pin the result to its version."""
    doc = server.workspace.get_text_document(data["uri"])
    name = Path(doc.path).name
    if doc.version != data.get("version"):
        raise GlmError(f"{name} changed since the action was offered; run it again.")
    path = Path(doc.path)
    root = server.root_for(path)
    range_ = server.protocol._converter.structure(data["range"], types.Range)
    task = EditTask(
        root=root,
        path=path.relative_to(root).as_posix(),
        instruction=str(data.get("instruction") or DEFAULT_INSTRUCTION),
        selection=selection_of(range_),
        buffers=server.open_buffers(),
    )
    client = ProviderClient(await server.current_settings())
    async with _progress(server, "GLM: editing " + name) as report:
        try:
            engine = await server.engine_for(root)
            outcome = await run_edit(task, client, engine, on_progress=report)
        finally:
            await client.aclose()
    buffers = server.open_buffers()
    changes = rebase_changes(outcome.changes, lambda rel: buffers.get(str(root / rel)))
    encoding = encoding_name(server.position_encoding())
    return workspace_edit(root, changes, server.open_versions(), encoding)


class _progress:
    """Work-done progress around a task, when the client shows it; always ended."""

    def __init__(self, server: GlmServer, title: str) -> None:
        self.server, self.title = server, title
        self.token = f"glm-{uuid.uuid4()}"
        self.active = False

    async def __aenter__(self) -> Callable[[str], None]:
        window = self.server.client_capabilities.window
        if window is not None and window.work_done_progress:
            try:
                await self.server.work_done_progress.create_async(self.token)
                self.active = True
            except Exception:  # the client may refuse; progress is a courtesy
                self.active = False
        if self.active:
            self.server.work_done_progress.begin(
                self.token, types.WorkDoneProgressBegin(title=self.title, cancellable=False)
            )
        return self.report

    def report(self, message: str) -> None:
        if self.active:
            self.server.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message)
            )

    async def __aexit__(self, *exc: object) -> None:
        if self.active:
            self.server.work_done_progress.end(self.token, types.WorkDoneProgressEnd())
