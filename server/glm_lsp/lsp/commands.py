"""workspace/executeCommand: long work runs as a task of its own and the command returns
its id at once (pygls 2.1 cannot stop a cancelled executeCommand, and editors wait on it).

Each handler takes its one typed argument from `protocol`, calls the assistant, and
encodes what comes back; the tasks themselves live in `_edit_task` and `_chat_task`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import to_fs_path

from glm_lsp.assistant import (
    ChatRequest,
    DiffRequest,
    Done,
    Failed,
    Notice,
    Progress,
    ProposedChange,
    Reasoning,
    ReviseRequest,
    Text,
    ToolActivity,
    UsageReport,
    current,
    partial_message,
)
from glm_lsp.errors import GlmError
from glm_lsp.lsp import protocol as p
from glm_lsp.lsp.convert import encoding_name, lines_of, needing_confirmation, workspace_edit
from glm_lsp.lsp.editing import (
    ProposedEdit,
    confirm_scope,
    drain,
    hunk_edit,
    propose_edit,
    proposed,
    raise_failure,
)
from glm_lsp.lsp.progress import Progress as ProgressUI
from glm_lsp.lsp.server import GlmServer
from glm_lsp.lsp.show import show_text


def edit(ls: GlmServer, args: p.EditArgs) -> p.Started:
    title = f"GLM: editing {Path(to_fs_path(args.uri) or args.uri).name}"
    return p.Started(ls.start_task(title, _edit_task(ls, args, title)))


async def accept(ls: GlmServer, args: p.TokenArgs) -> p.Applied:
    """The whole preview, or only the hunks named, as one undoable edit."""
    if args.hunks is None:
        return p.Applied(await _apply(ls, _preview(ls, args.token, pop=True).edit, "GLM edit"))
    proposal = _preview(ls, args.token)
    try:
        edit = hunk_edit(ls, proposal, set(args.hunks))
    except GlmError as error:
        raise ls.fail(error) from error
    applied = await _apply(ls, edit, f"GLM edit ({len(args.hunks)} of {len(proposal.hunks)})")
    if applied:
        proposal.taken |= set(args.hunks)
        proposal.turned_down -= set(args.hunks)
        if proposal.taken >= proposal.hunk_ids():  # nothing left to take or revise
            ls.previews.pop(args.token)
    return p.Applied(applied)


def reject(ls: GlmServer, args: p.TokenArgs) -> p.Rejected:
    """Drop the preview, or note hunks the user turned down (glm.revise tells the model)."""
    if args.hunks is None:
        return p.Rejected(ls.previews.pop(args.token) is not None)
    proposal = ls.previews.proposals.get(args.token)
    if proposal is not None:
        proposal.turned_down |= set(args.hunks) - proposal.taken
    return p.Rejected(proposal is not None)


def revise(ls: GlmServer, args: p.ReviseArgs) -> p.Started:
    """Send the user's words on a preview back to the model; a new preview follows."""
    proposal = _preview(ls, args.token, pop=True)
    rejected = proposal.rejected_diff()
    request = ReviseRequest(proposal.draft, args.feedback, rejected, ls.open_buffers)
    title = "GLM: revising the edit"
    return p.Started(ls.start_task(title, _revise_task(ls, request, args.show, title)))


def _preview(ls: GlmServer, token: str, pop: bool = False) -> ProposedEdit:
    proposal = ls.previews.pop(token) if pop else ls.previews.proposals.get(token)
    if proposal is None:
        raise ls.fail(GlmError("That proposed edit is no longer available; ask again."))
    return proposal


async def apply_diff(ls: GlmServer, args: p.DiffArgs) -> p.Applied:
    try:
        events = await drain(
            ls.assistant.apply_diff(DiffRequest(ls.workspace_root(), args.diff, ls.open_buffers))
        )
    except GlmError as error:
        raise ls.fail(error) from error
    (change,) = [e for e in events if isinstance(e, ProposedChange)]
    encoding = encoding_name(ls.position_encoding())
    edit = workspace_edit(change.root, change.changes, ls.open_versions(), encoding)
    return p.Applied(await _apply(ls, edit, "GLM: apply diff"))


def cancel(ls: GlmServer, args: p.CancelArgs | None = None) -> p.CancelledTasks:
    """Cancel one task, or every running task when no task is named."""
    return p.CancelledTasks(ls.assistant.tasks.cancel(args.task if args else None))


def usage(ls: GlmServer, args: p.NoArgs | None = None) -> p.UsageResult:
    spent = ls.assistant.usage
    records = [p.TaskUsage.of(record) for record in ls.assistant.tasks.records]
    return p.UsageResult(p.usage_json(spent), spent.describe(), records, _completion_usage(ls))


def _completion_usage(ls: GlmServer) -> p.CompletionUsage:
    completer, settings = ls.assistant.completions, ls.settings
    stats, hour = completer.stats, completer.hour_cost()
    cap = settings.completion_hourly_cap_usd
    return p.CompletionUsage(
        settings.completion_enabled,
        hour >= cap,
        hour,
        cap,
        stats.requests,
        stats.cancelled,
        stats.cached,
        p.usage_json(stats.usage),
        f"completion: {stats.usage.describe()}; ${hour:.4f} of ${cap:.2f} this hour",
    )


def chat(ls: GlmServer, args: p.ChatArgs) -> p.ChatStarted:
    path = Path(to_fs_path(args.uri) or ".") if args.uri else None
    root = ls.root_for(path) if path else ls.workspace_root()
    try:
        session = ls.assistant.session(root, args.session, args.message)
    except GlmError as error:
        raise ls.fail(error) from error
    request = ChatRequest(
        root,
        session,
        args.message,
        _relative(ls, args.uri, root),
        lines_of(args.range),
        ls.open_buffers,
    )
    return p.ChatStarted(ls.start_task("GLM: chat", _chat_task(ls, request, args.show)), session)


def sessions(ls: GlmServer, args: p.NoArgs | None = None) -> list[p.SessionItem]:
    return [
        p.SessionItem(s.id, s.title, s.created, s.messages, p.usage_json(s.usage))
        for s in ls.assistant.sessions(ls.workspace_root())
    ]


async def reindex(ls: GlmServer, args: p.NoArgs | None = None) -> p.Reindexed:
    return p.Reindexed(await ls.assistant.reindex())


COMMANDS: dict[str, Callable[..., Any]] = {  # name -> handler, for register
    p.EDIT: edit,
    p.ACCEPT: accept,
    p.REJECT: reject,
    p.REVISE: revise,
    p.APPLY_DIFF: apply_diff,
    p.CANCEL: cancel,
    p.USAGE: usage,
    p.CHAT: chat,
    p.SESSIONS: sessions,
    p.REINDEX: reindex,
}


def register(server: GlmServer) -> None:
    for name, handler in COMMANDS.items():
        server.command(name)(handler)


# --- the tasks ---------------------------------------------------------------------------


async def _edit_task(ls: GlmServer, args: p.EditArgs, title: str) -> str:
    task_id = current.get()
    proposal = await propose_edit(ls, args, ProgressUI(ls, title, task_id))
    if not proposal.edit.document_changes and not proposal.failed:
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info, message="GLM: the model changed nothing."
            )
        )
        return "the model changed nothing"
    if args.preview:
        return await _send_preview(ls, proposal, task_id, args.show)
    label = f"GLM: {args.instruction or 'edit'}"[:80]
    edit = proposal.complete_edit()
    if _confirms_annotations(ls):
        edit = needing_confirmation(edit, label, proposal.summary)
    await _apply(ls, edit, label)
    return proposal.usage.describe()


async def _revise_task(ls: GlmServer, request: ReviseRequest, show: bool, title: str) -> str:
    task_id = current.get()
    events = ls.assistant.revise(request)
    proposal = await proposed(ls, events, "the edit", ProgressUI(ls, title, task_id))
    return await _send_preview(ls, proposal, task_id, show)


async def _send_preview(ls: GlmServer, proposal: ProposedEdit, task_id: str, show: bool) -> str:
    """Hold the proposal for glm.accept / glm.reject / glm.revise and tell the editor."""
    token = ls.previews.add(proposal)
    ls.protocol.notify(
        p.PREVIEW_NOTIFICATION,
        p.PreviewEvent(
            task_id,
            token,
            proposal.diff,
            proposal.summary,
            proposal.files,
            proposal.failed,
            proposal.hunks,
        ),
    )
    if show:
        await show_text(ls, f"{token}.diff", proposal.diff)
    if proposal.failed:
        message = partial_message(proposal.failed, "the preview is incomplete")
        ls.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message="GLM: " + message)
        )
        return message
    return "proposed; waiting for glm.accept"


async def _chat_task(ls: GlmServer, request: ChatRequest, show: bool) -> str:
    """Stream a chat answer as $/glm/chat notifications; the assistant keeps the turn."""
    task_id = current.get()
    if request.path is not None:
        await confirm_scope(ls, request.root / request.path)

    def notify(kind: str, text: str) -> None:
        event = p.ChatEvent(request.session, task_id, kind, text)
        ls.protocol.notify(p.CHAT_NOTIFICATION, event)

    progress = ProgressUI(ls, "GLM: chat", task_id)
    async with progress as report:
        async for event in ls.assistant.chat(request):
            if isinstance(event, Progress):
                report(event.message)
            elif isinstance(event, Notice):
                ls.notice(event.message)
            elif isinstance(event, Text | Reasoning):
                notify("content" if isinstance(event, Text) else "reasoning", event.text)
            elif isinstance(event, ToolActivity):
                report(event.line)
                notify("tool", event.line)
            elif isinstance(event, UsageReport):
                progress.end_message = event.usage.describe()
            elif isinstance(event, Failed):
                notify("error", event.message)
        if not isinstance(event, Done):
            raise_failure(event)
            raise GlmError("The chat ended without an answer.")
    ls.log_usage(event.usage, "chat")
    notify("done", event.text)
    if show:
        await _show_answer(ls, task_id, event.text)
    return event.usage.describe()


def _relative(ls: GlmServer, uri: str | None, root: Path) -> str | None:
    """The file in view relative to the root, when it is a file there."""
    if uri is None:
        return None
    doc = ls.workspace.get_text_document(uri)
    if not doc.path or not Path(doc.path).is_relative_to(root):
        return None
    return Path(doc.path).relative_to(root).as_posix()


def _confirms_annotations(ls: GlmServer) -> bool:
    """Whether the editor shows annotated changes for confirmation before applying them."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return edit is not None and edit.change_annotation_support is not None


async def _show_answer(ls: GlmServer, task_id: str, answer: str) -> None:
    """An explanation for editors without a chat view: a Markdown document, else a message."""
    if not await show_text(ls, f"{task_id}.md", answer):
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=answer))


async def _apply(ls: GlmServer, edit: types.WorkspaceEdit, label: str) -> bool:
    try:
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=edit, label=label)
        )
    except JsonRpcException as error:  # eglot answers a stale version with an error
        result = types.ApplyWorkspaceEditResult(applied=False, failure_reason=str(error))
    if not result.applied:
        reason = result.failure_reason or "the editor refused it"
        ls.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"GLM: the edit was not applied ({reason})."
            )
        )
    return result.applied
