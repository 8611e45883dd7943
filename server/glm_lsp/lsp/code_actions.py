"""Code actions: listed instantly (no model call, no I/O), the edit computed on resolve."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from glm_lsp.agent import actions
from glm_lsp.errors import GlmError
from glm_lsp.lsp.editing import EditRequest, propose_edit
from glm_lsp.lsp.server import GlmServer


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
            if resolves_edits(server):
                return types.CodeAction(title=title, kind=types.CodeActionKind(kind), data=data)
            command = types.Command(title=title, command="glm.edit", arguments=[data])
            return types.CodeAction(title=title, kind=types.CodeActionKind(kind), command=command)

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
        found.append(_explain(uri, unstructure(params.range)))
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


def _explain(uri: str, range_: Any) -> types.CodeAction:
    """Explain answers in chat (plugins) and as a shown document (other editors)."""
    spec = actions.EXPLAIN
    argument = {"message": spec.instruction, "uri": uri, "range": range_, "show": True}
    return types.CodeAction(
        title=spec.title,
        kind=types.CodeActionKind.Empty,
        command=types.Command(title=spec.title, command="glm.chat", arguments=[argument]),
    )


def resolves_edits(server: GlmServer) -> bool:
    """Whether the client fills in an action's edit by codeAction/resolve; the others get
    a glm.edit command that applies the edit through workspace/applyEdit."""
    text = server.client_capabilities.text_document
    action = text.code_action if text else None
    support = action.resolve_support if action else None
    return support is not None and "edit" in support.properties


def _fix(diagnostic: types.Diagnostic) -> str:
    code = "" if diagnostic.code is None else str(diagnostic.code)
    return actions.fix_instruction(
        diagnostic.message, diagnostic.range.start.line + 1, code, diagnostic.source or ""
    )


async def _edit_for(server: GlmServer, data: dict[str, Any]) -> types.WorkspaceEdit:
    """Run the agent on the action's document and range; pin the result to its version."""
    request = EditRequest(
        uri=data["uri"],
        range=server.protocol._converter.structure(data["range"], types.Range),
        instruction=str(data.get("instruction") or ""),
        version=data.get("version"),
        comment=str(data.get("comment") or ""),
    )
    return (await propose_edit(server, request)).edit
