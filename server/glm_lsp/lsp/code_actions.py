"""Code actions: listed instantly (no model call, no I/O), the edit computed on resolve."""

from __future__ import annotations

from lsprotocol import types

from glm_lsp.assistant import actions
from glm_lsp.errors import GlmError
from glm_lsp.lsp.editing import propose_edit
from glm_lsp.lsp.protocol import CHAT, EDIT, ChatArgs, EditArgs, from_wire, to_wire
from glm_lsp.lsp.server import GlmServer

OPTIONS = types.CodeActionOptions(
    code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite],
    resolve_provider=True,
)


def code_action(ls: GlmServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Titles and data only: no model call, no disk or network I/O."""
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    resolves = resolves_edits(ls)

    def action(
        title: str, kind: str, instruction: str, range_: types.Range, comment: str = ""
    ) -> types.CodeAction:
        args = EditArgs(uri, range_, instruction, doc.version, comment)  # pinned to this version
        return _edit_action(title, kind, args, resolves)

    found = [
        action(f"GLM: Fix: {d.message}", actions.QUICKFIX, _fix(d), d.range)
        for d in params.context.diagnostics
    ]
    if uri in ls.workspace.text_documents:  # an open buffer: its lines are in memory
        comment = actions.find_glm_comment(doc.lines, params.range.start.line)
        if comment is not None:
            instruction = actions.comment_instruction(comment)
            title = "GLM: Do what the glm: comment says"
            found.append(action(title, actions.REWRITE, instruction, params.range, comment.text))
    found += [action(s.title, s.kind, s.instruction, params.range) for s in actions.STANDARD]
    found.append(_explain(uri, params.range))
    return found


def _edit_action(title: str, kind: str, args: EditArgs, resolves: bool) -> types.CodeAction:
    """An action whose edit comes from resolve, or, for clients that cannot resolve
    edits, a glm.edit command that applies it through workspace/applyEdit."""
    data = to_wire(args)
    if resolves:
        return types.CodeAction(title=title, kind=types.CodeActionKind(kind), data=data)
    command = types.Command(title=title, command=EDIT, arguments=[data])
    return types.CodeAction(title=title, kind=types.CodeActionKind(kind), command=command)


def _explain(uri: str, range_: types.Range) -> types.CodeAction:
    """Explain answers in chat (plugins) and as a shown document (other editors)."""
    spec = actions.EXPLAIN
    argument = to_wire(ChatArgs(message=spec.instruction, uri=uri, range=range_, show=True))
    return types.CodeAction(
        title=spec.title,
        kind=types.CodeActionKind.Empty,
        command=types.Command(title=spec.title, command=CHAT, arguments=[argument]),
    )


async def resolve(ls: GlmServer, action: types.CodeAction) -> types.CodeAction:
    """Run the model for the one action the user picked."""
    if not isinstance(action.data, dict) or "uri" not in action.data or action.edit is not None:
        return action  # Neovim resolves every action, ours or not
    args = from_wire(action.data, EditArgs)
    try:
        action.edit = (await propose_edit(ls, args)).complete_edit()
    except GlmError as error:
        raise ls.fail(error) from error
    return action


def resolves_edits(server: GlmServer) -> bool:
    """Whether the client fills in an action's edit by codeAction/resolve."""
    text = server.client_capabilities.text_document
    action = text.code_action if text else None
    support = action.resolve_support if action else None
    return support is not None and "edit" in support.properties


def _fix(diagnostic: types.Diagnostic) -> str:
    code = "" if diagnostic.code is None else str(diagnostic.code)
    return actions.fix_instruction(
        diagnostic.message, diagnostic.range.start.line + 1, code, diagnostic.source or ""
    )


def register(server: GlmServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_ACTION, OPTIONS)(code_action)
    server.feature(types.CODE_ACTION_RESOLVE)(resolve)
