"""Code actions: listed instantly (no model call, no I/O), the edit computed on resolve."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types

from glm_lsp.agent import actions
from glm_lsp.agent.loop import EditTask, run_edit
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.stale import rebase_changes
from glm_lsp.errors import GlmError
from glm_lsp.lsp.convert import encoding_name, selection_of, workspace_edit
from glm_lsp.lsp.server import GlmServer
from glm_lsp.providers.client import ProviderClient


def register(server: GlmServer) -> None:
    options = types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
        resolve_provider=True,
    )

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, options)
    def code_action(params: types.CodeActionParams) -> list[types.CodeAction]:
        """Titles and data only: no model call, no disk or network I/O."""
        uri = params.text_document.uri
        doc = server.workspace.get_text_document(uri)
        unstructure = server.protocol._converter.unstructure

        def action(
            title: str, kind: str, instruction: str, range_: types.Range, **extra: Any
        ) -> types.CodeAction:
            data = {
                "uri": uri,
                "version": doc.version,
                "range": unstructure(range_),
                "instruction": instruction,
                **extra,
            }
            return types.CodeAction(title=title, kind=types.CodeActionKind(kind), data=data)

        found = [
            action(f"GLM: Fix: {d.message}", actions.QUICKFIX, _fix(d), d.range)
            for d in params.context.diagnostics
        ]
        if uri in server.workspace.text_documents:  # an open buffer: its lines are in memory
            comment = actions.find_glm_comment(doc.lines, params.range.start.line)
            if comment is not None:
                found.append(
                    action(
                        "GLM: Do what the glm: comment says",
                        actions.REWRITE,
                        actions.comment_instruction(comment),
                        params.range,
                        comment=comment.text,
                    )
                )
        found += [action(s.title, s.kind, s.instruction, params.range) for s in actions.STANDARD]
        return found

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


def _fix(diagnostic: types.Diagnostic) -> str:
    code = "" if diagnostic.code is None else str(diagnostic.code)
    return actions.fix_instruction(
        diagnostic.message, diagnostic.range.start.line + 1, code, diagnostic.source or ""
    )


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
        instruction=str(data.get("instruction") or actions.STANDARD[0].instruction),
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
    changes = outcome.changes
    if data.get("comment"):
        changes = [_uncommented(c, task.path, str(data["comment"])) for c in changes]
    changes = rebase_changes(changes, lambda rel: buffers.get(str(root / rel)))
    encoding = encoding_name(server.position_encoding())
    return workspace_edit(root, changes, server.open_versions(), encoding)


def _uncommented(change: FileChange, path: str, comment: str) -> FileChange:
    if change.path != path or change.new is None:
        return change
    return replace(change, new=actions.without_comment(change.new, comment))


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
