"""workspace/executeCommand: long work runs as a task of its own and the command returns
its id at once (pygls 2.1 cannot stop a cancelled executeCommand, and editors wait on it)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from glm_lsp.agent.chat import chat_turn
from glm_lsp.agent.loop import context_budget
from glm_lsp.agent.tools import Workspace
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine, ContextRequest, relative_buffers
from glm_lsp.edits.overlay import FileChange, Overlay
from glm_lsp.edits.patch import apply_patch
from glm_lsp.errors import GlmError
from glm_lsp.lsp import tasks
from glm_lsp.lsp.convert import (
    encoding_name,
    needing_confirmation,
    selection_of,
    workspace_edit,
)
from glm_lsp.lsp.editing import EditRequest, propose_edit
from glm_lsp.lsp.previews import Previews, show_text
from glm_lsp.lsp.progress import Progress
from glm_lsp.lsp.server import GlmServer
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.types import StreamEvent

PREVIEW = "$/glm/preview"
CHAT = "$/glm/chat"


def _first(args: tuple[Any, ...]) -> dict[str, Any]:
    """Editors send one object as the command's only argument."""
    if args and isinstance(args[0], dict):
        return args[0]
    raise GlmError(
        'The command needs one object argument, such as {"uri": ..., "instruction": ...}.'
    )


def register(server: GlmServer) -> None:
    previews = Previews()

    @server.command("glm.edit")
    def edit(*args: Any) -> dict[str, str]:
        arg = _first(args)
        range_ = arg.get("range")
        request = EditRequest(
            uri=str(arg["uri"]),
            range=server.protocol._converter.structure(range_, types.Range) if range_ else None,
            instruction=str(arg.get("instruction") or ""),
            version=arg.get("version"),  # set when a code action sent the command
            comment=str(arg.get("comment") or ""),
        )
        title = f"GLM: editing {Path(to_fs_path(request.uri) or request.uri).name}"
        preview = Preview(bool(arg.get("preview")), arg.get("show") is not False, previews)
        return {"task": server.start_task(title, _edit_task(server, request, preview, title))}

    @server.command("glm.accept")
    async def accept(*args: Any) -> dict[str, bool]:
        proposal = previews.pop(str(_first(args).get("token")))
        if proposal is None:
            raise server.fail(GlmError("That proposed edit is no longer available; ask again."))
        return {"applied": await _apply(server, proposal.edit, "GLM edit")}

    @server.command("glm.reject")
    def reject(*args: Any) -> dict[str, bool]:
        return {"rejected": previews.pop(str(_first(args).get("token"))) is not None}

    @server.command("glm.applyDiff")
    async def apply_diff(*args: Any) -> dict[str, bool]:
        try:
            edit = _diff_edit(server, str(_first(args).get("diff") or ""))
        except GlmError as error:
            raise server.fail(error) from error
        return {"applied": await _apply(server, edit, "GLM: apply diff")}

    @server.command("glm.cancel")
    def cancel(*args: Any) -> dict[str, list[str]]:
        wanted = _first(args).get("task") if args else None
        ids = [i for i in server.running if wanted in (None, i)]
        for task_id in ids:
            server.running[task_id].cancel()
        return {"cancelled": ids}

    @server.command("glm.usage")
    def usage(*args: Any) -> dict[str, Any]:
        return {
            "total": asdict(server.usage),
            "text": server.usage.describe(),
            "tasks": [record.payload() for record in server.task_log.records],
        }

    @server.command("glm.chat")
    def chat(*args: Any) -> dict[str, str]:
        arg = _first(args)
        uri = str(arg["uri"]) if arg.get("uri") else None
        root = server.root_for(Path(to_fs_path(uri) or ".")) if uri else _workspace_root(server)
        store = server.store_for(root)
        session = str(arg.get("session") or "")
        if session and not store.exists(session):
            raise server.fail(GlmError(f"There is no chat session {session} in this workspace."))
        message = str(arg.get("message") or "")
        session = session or store.create(message)
        range_ = arg.get("range")
        turn = ChatTurn(
            root,
            session,
            message,
            uri,
            server.protocol._converter.structure(range_, types.Range) if range_ else None,
            show=bool(arg.get("show")),
        )
        return {
            "task": server.start_task("GLM: chat", _chat_task(server, turn)),
            "session": session,
        }

    @server.command("glm.sessions")
    def sessions(*args: Any) -> list[dict[str, Any]]:
        store = server.store_for(_workspace_root(server))
        return [
            {
                "id": s.id,
                "title": s.title,
                "created": s.created,
                "messages": s.messages,
                "usage": asdict(s.usage),
            }
            for s in store.sessions()
        ]

    @server.command("glm.reindex")
    async def reindex(*args: Any) -> dict[str, int]:
        files = 0
        for engine in list(server.engines.values()):
            stats = await asyncio.to_thread(engine.refresh)
            files += stats.files
        return {"files": files}


@dataclass(frozen=True)
class Preview:
    """Whether glm.edit shows its result for acceptance instead of applying it."""

    wanted: bool
    show_document: bool  # also open the diff in the editor (plugins render it themselves)
    held: Previews


async def _edit_task(server: GlmServer, request: EditRequest, preview: Preview, title: str) -> str:
    task_id = tasks.current.get()
    proposal = await propose_edit(server, request, Progress(server, title, task_id))
    if not proposal.edit.document_changes:
        server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info, message="GLM: the model changed nothing."
            )
        )
        return "the model changed nothing"
    if preview.wanted:
        token = preview.held.add(proposal)
        server.protocol.notify(
            PREVIEW,
            {
                "task": task_id,
                "token": token,
                "diff": proposal.diff,
                "summary": proposal.summary,
                "files": [asdict(f) for f in proposal.files],
            },
        )
        if preview.show_document:
            await show_text(server, f"{token}.diff", proposal.diff)
        return "proposed; waiting for glm.accept"
    label = f"GLM: {request.instruction or 'edit'}"[:80]
    edit = proposal.edit
    if _confirms_annotations(server):
        edit = needing_confirmation(edit, label, proposal.summary)
    await _apply(server, edit, label)
    return proposal.usage.describe()


def _confirms_annotations(server: GlmServer) -> bool:
    """Whether the editor shows annotated changes for confirmation before applying them."""
    workspace = server.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    return edit is not None and edit.change_annotation_support is not None


@dataclass(frozen=True)
class ChatTurn:
    root: Path
    session: str
    message: str
    uri: str | None
    range: types.Range | None
    show: bool = False  # also open the answer as a document (the Explain action)


async def _chat_task(server: GlmServer, turn: ChatTurn) -> str:
    """Stream a chat answer as $/glm/chat notifications, then keep the turn in the store."""
    task_id = tasks.current.get()

    def notify(kind: str, text: str) -> None:
        payload = {"session": turn.session, "task": task_id, "kind": kind, "text": text}
        server.protocol.notify(CHAT, payload)

    store = server.store_for(turn.root)
    try:
        client = ProviderClient(await server.current_settings())
        progress = Progress(server, "GLM: chat", task_id)
        async with progress as report:
            try:
                report("gathering context")
                engine = await server.engine_for(turn.root)
                context = await _chat_context(server, engine, turn, client)
                report("asking " + client.model)

                def on_tool(line: str) -> None:
                    report(line)
                    notify("tool", line)

                kept, reply = await chat_turn(
                    store.messages(turn.session),
                    turn.message,
                    client,
                    context,
                    on_event=lambda event: _stream(notify, event),
                    workspace=Workspace(_chat_overlay(server, engine, turn.root), engine),
                    on_tool=on_tool,
                )
                progress.end_message = reply.usage.describe()
            finally:
                await client.aclose()
    except GlmError as error:
        notify("error", error.message)
        raise
    store.append(turn.session, kept)
    store.add_usage(turn.session, reply.usage)
    server.record_usage(reply.usage, "chat")
    notify("done", reply.content)
    if turn.show:
        await _show_answer(server, task_id, reply.content)
    return reply.usage.describe()


def _stream(notify: Callable[[str, str], None], event: StreamEvent) -> None:
    """Text and reasoning as they arrive; tool calls are told once whole, as `tool` lines."""
    if event.kind in ("content", "reasoning"):
        notify(event.kind, event.text)


def _chat_overlay(server: GlmServer, engine: ContextEngine, root: Path) -> Overlay:
    """What chat's read-only tools see: open buffers over the disk, ignored files hidden."""
    return Overlay(root, server.open_buffers(), engine.excluded_for_tools)


async def _show_answer(server: GlmServer, task_id: str, answer: str) -> None:
    """An explanation for editors without a chat view: a Markdown document, else a message."""
    if not await show_text(server, f"{task_id}.md", answer):
        server.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Info, message=answer)
        )


async def _chat_context(
    server: GlmServer, engine: ContextEngine, turn: ChatTurn, client: ProviderClient
) -> str:
    """Repository context around the file in view, ending with the question, if the
    question came with a file."""
    if turn.uri is None:
        return ""
    doc = server.workspace.get_text_document(turn.uri)
    if not doc.path:
        return ""
    counter = TokenCounter.load(client.settings.provider)
    budget = context_budget(client.settings, client.context_window, False, counter)
    span = selection_of(turn.range) if turn.range else None
    request = ContextRequest(
        Path(doc.path).relative_to(turn.root).as_posix(),
        turn.message,
        (span.start, span.end) if span else None,
        heading="Question",
    )
    engine.set_buffers(relative_buffers(turn.root, server.open_buffers()))
    return (await asyncio.to_thread(engine.assemble, request, budget, counter)).render()


async def _apply(server: GlmServer, edit: types.WorkspaceEdit, label: str) -> bool:
    result = await server.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=label)
    )
    if not result.applied:
        reason = result.failure_reason or "the editor refused it"
        server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"GLM: the edit was not applied ({reason})."
            )
        )
    return result.applied


def _diff_edit(server: GlmServer, diff: str) -> types.WorkspaceEdit:
    """A unified diff (from the model, a chat or the user) as a WorkspaceEdit."""
    root = _workspace_root(server)
    overlay = Overlay(root, server.open_buffers())  # paths confined to the workspace
    results = apply_patch(overlay.text_or_none, diff)
    changes = [FileChange(r.path, r.old, r.new, r.renamed_from) for r in results]
    encoding = encoding_name(server.position_encoding())
    return workspace_edit(root, changes, server.open_versions(), encoding)


def _workspace_root(server: GlmServer) -> Path:
    for folder in server.workspace.folders.values():
        return Path(to_fs_path(folder.uri) or ".")
    if server.workspace.root_uri:
        return Path(to_fs_path(server.workspace.root_uri) or ".")
    raise GlmError("There is no workspace folder to apply the diff in.")
