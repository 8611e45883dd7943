"""The ACP agent: session requests in, the assistant's events out as session updates.

A prompt runs as one turn of a stored chat session with write tools. Text and reasoning
stream as message and thought chunks, each tool the model uses is a `tool_call`, and the
turn's file changes become one `edit` tool call whose content is an ACP diff per file.
Nothing is written before `session/request_permission` allows it; then the files are
written through the client (`fs/write_text_file`) when it offers that, else to disk.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal, cast

from acp import (
    PROTOCOL_VERSION,
    Agent,
    Client,
    RequestError,
    run_agent,
    start_tool_call,
    tool_diff_content,
    update_agent_message_text,
    update_agent_thought_text,
    update_tool_call,
    update_user_message_text,
)
from acp.schema import (
    AgentCapabilities,
    ClientCapabilities,
    Cost,
    FileSystemCapabilities,
    Implementation,
    InitializeResponse,
    LoadSessionResponse,
    NewSessionResponse,
    PermissionOption,
    PromptCapabilities,
    PromptResponse,
    ToolCallLocation,
    ToolCallUpdate,
    UsageUpdate,
)

from glm_lsp import __version__
from glm_lsp.acp.prompt import Block, Prompt, decode
from glm_lsp.assistant import (
    Assistant,
    Cancellation,
    Cancelled,
    ChatRequest,
    Event,
    Failed,
    FileChange,
    Notice,
    ProposedChange,
    Reasoning,
    Text,
    ToolActivity,
    UsageReport,
    partial_message,
)
from glm_lsp.config import Settings
from glm_lsp.errors import GlmError

log = logging.getLogger(__name__)

REQUEST_FAILED = -32603
StopReason = Literal["end_turn", "cancelled"]
Decision = Literal["allow", "reject", "cancelled"]
PERMISSIONS = [
    PermissionOption(option_id="allow_once", name="Allow", kind="allow_once"),
    PermissionOption(option_id="allow_always", name="Always allow", kind="allow_always"),
    PermissionOption(option_id="reject_once", name="Reject", kind="reject_once"),
]
TOOL_KINDS: dict[str, Any] = {
    "read_file": "read",
    "list_files": "search",
    "search": "search",
    "find_symbol": "search",
    "delete_file": "delete",
    "rename_file": "move",
}


def failure(error: GlmError) -> RequestError:
    """A failed request carries the user's one sentence as its message."""
    return RequestError(REQUEST_FAILED, error.message)


class GlmAgent:
    """One ACP connection: its sessions (id -> root), running turns and permissions."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.client: Client | None = None
        self.fs = FileSystemCapabilities()
        self.roots: dict[str, Path] = {}
        self.turns: dict[str, Cancellation] = {}
        self.always: set[str] = set()  # sessions where the user allowed every write
        self._calls = 0

    def on_connect(self, conn: Client) -> None:
        self.client = conn

    async def initialize(
        self,
        protocol_version: int,
        client_capabilities: ClientCapabilities | None = None,
        client_info: Implementation | None = None,
        **kwargs: Any,
    ) -> InitializeResponse:
        if client_capabilities is not None and client_capabilities.fs is not None:
            self.fs = client_capabilities.fs
        return InitializeResponse(
            protocol_version=min(protocol_version, PROTOCOL_VERSION),
            agent_capabilities=AgentCapabilities(
                load_session=True,
                prompt_capabilities=PromptCapabilities(embedded_context=True),
            ),
            agent_info=Implementation(name="glm-lsp", title="GLM", version=__version__),
        )

    async def new_session(self, cwd: str, **kwargs: Any) -> NewSessionResponse:
        root = Path(cwd).resolve()
        session = self.assistant.session(root, "", "ACP session")
        self.roots[session] = root
        return NewSessionResponse(session_id=session)

    async def load_session(self, cwd: str, session_id: str, **kwargs: Any) -> LoadSessionResponse:
        """Continue a stored session: its conversation is replayed to the client first."""
        root = Path(cwd).resolve()
        try:
            self.assistant.session(root, session_id, "")
        except GlmError as error:
            raise failure(error) from error
        self.roots[session_id] = root
        for message in self.assistant.history(root, session_id):
            if message.role == "user" and message.content:
                await self._update(session_id, update_user_message_text(message.content))
            elif message.role == "assistant" and message.content and not message.tool_calls:
                await self._update(session_id, update_agent_message_text(message.content))
        return LoadSessionResponse()

    async def cancel(self, session_id: str, **kwargs: Any) -> None:
        turn = self.turns.get(session_id)
        if turn is not None:
            turn.cancel()

    async def prompt(self, session_id: str, prompt: list[Block], **kwargs: Any) -> PromptResponse:
        root = self.roots.get(session_id)
        if root is None:
            raise failure(GlmError(f"There is no session {session_id}; start or load one."))
        asked = decode(prompt)
        buffers = await self._buffers(session_id, root, asked)
        named = [p for p in asked.files if p.is_relative_to(root)]
        request = ChatRequest(
            root,
            session_id,
            asked.text,
            named[0].relative_to(root).as_posix() if named else None,
            buffers=lambda: buffers,
            writes=True,
        )
        cancel = self.turns[session_id] = Cancellation()
        try:
            stop: StopReason = "end_turn"
            async for event in self.assistant.chat(request, cancel):
                stop = await self._handle(session_id, root, event) or stop
        finally:
            self.turns.pop(session_id, None)
        return PromptResponse(stop_reason=stop)

    # --- encoding the assistant's events ------------------------------------------------

    async def _handle(self, session: str, root: Path, event: Event) -> StopReason | None:
        if isinstance(event, Text):
            await self._update(session, update_agent_message_text(event.text))
        elif isinstance(event, Reasoning):
            await self._update(session, update_agent_thought_text(event.text))
        elif isinstance(event, Notice):  # a lost MCP server: one sentence, the turn goes on
            await self._update(session, update_agent_message_text(event.message + "\n\n"))
        elif isinstance(event, ToolActivity):
            await self._tool_used(session, root, event)
        elif isinstance(event, ProposedChange):
            return await self._propose(session, event)
        elif isinstance(event, UsageReport):
            await self._usage(session, root, event)
        elif isinstance(event, Failed):
            raise RequestError(REQUEST_FAILED, event.message)
        elif isinstance(event, Cancelled):
            return "cancelled"
        return None

    async def _tool_used(self, session: str, root: Path, event: ToolActivity) -> None:
        """A tool the model ran on the turn's overlay; writes land only after permission."""
        kind = TOOL_KINDS.get(event.name, "edit" if event.writes else "other")
        title = f"{event.line} (proposed)" if event.writes else event.line
        where = [ToolCallLocation(path=str(root / event.path))] if event.path else None
        update = start_tool_call(
            self._call_id(), title, kind=kind, status="completed", locations=where
        )
        await self._update(session, update)

    async def _propose(self, session: str, change: ProposedChange) -> StopReason | None:
        """Show the change as diffs, ask, then write it (or report it rejected). A partial
        change (edits the model tried and did not make) is shown, never written."""
        if change.failed:
            note = partial_message(change.failed, "nothing was written")
            await self._update(session, update_agent_message_text(f"\n\n{note}"))
            return None
        call_id = self._call_id()
        diffs = [
            tool_diff_content(str(change.root / c.path), c.new or "", c.old) for c in change.changes
        ]
        where = [ToolCallLocation(path=str(change.root / c.path)) for c in change.changes]
        title = "Apply the changes to " + ", ".join(c.path for c in change.changes)
        await self._update(
            session,
            start_tool_call(
                call_id, title, kind="edit", status="pending", content=diffs, locations=where
            ),
        )
        decision = await self._permission(session, call_id, title)
        if decision == "cancelled":
            await self._update(session, update_tool_call(call_id, status="failed"))
            return "cancelled"
        if decision == "reject":
            await self._update(session, update_tool_call(call_id, status="failed"))
            note = "The change was not applied; the files are unchanged."
            await self._update(session, update_agent_message_text(f"\n\n{note}"))
            return None
        for file in change.changes:
            await self._write(session, change.root, file)
        await self._update(session, update_tool_call(call_id, status="completed"))
        return None

    async def _permission(self, session: str, call_id: str, title: str) -> Decision:
        if session in self.always:
            return "allow"
        call = ToolCallUpdate(tool_call_id=call_id, title=title, kind="edit", status="pending")
        answer = await self._client().request_permission(
            session_id=session, tool_call=call, options=PERMISSIONS
        )
        outcome = answer.outcome
        if outcome.outcome == "cancelled":
            return "cancelled"
        chosen = getattr(outcome, "option_id", "")
        if chosen == "allow_always":
            self.always.add(session)
        return "allow" if chosen in ("allow_once", "allow_always") else "reject"

    async def _write(self, session: str, root: Path, change: FileChange) -> None:
        """One file as the user allowed it: through the client when it can write."""
        path = root / change.path
        if change.renamed_from is not None:
            (root / change.renamed_from).unlink(missing_ok=True)
        if change.new is None:
            path.unlink(missing_ok=True)
        elif self.fs.write_text_file:
            await self._client().write_text_file(
                session_id=session, path=str(path), content=change.new
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(change.new)

    async def _usage(self, session: str, root: Path, event: UsageReport) -> None:
        """Context used by the turn, of the model's window, and the session's cost so far."""
        usage = event.usage
        spent = self.assistant.store(root).usage(session)
        cost = Cost(amount=spent.cost, currency="USD") if spent.cost is not None else None
        window = self.assistant.model(self.assistant.settings).context_window
        used = usage.prompt_tokens + usage.completion_tokens
        update = UsageUpdate(session_update="usage_update", used=used, size=window, cost=cost)
        await self._update(session, update)

    # --- the client -----------------------------------------------------------------------

    async def _buffers(self, session: str, root: Path, asked: Prompt) -> dict[str, str]:
        """The text of each file the prompt names, as the user sees it (unsaved edits too)."""
        found = dict(asked.texts)
        for path in asked.files:
            if str(path) in found or not path.is_relative_to(root) or not self.fs.read_text_file:
                continue
            try:
                answer = await self._client().read_text_file(session_id=session, path=str(path))
            except RequestError as error:
                log.info("the client could not read %s (%s); using the disk", path, error)
                continue
            found[str(path)] = answer.content
        return found

    async def _update(self, session: str, update: Any) -> None:
        await self._client().session_update(session_id=session, update=update)

    def _client(self) -> Client:
        if self.client is None:
            raise RuntimeError("the ACP connection is not set up yet")
        return self.client

    def _call_id(self) -> str:
        self._calls += 1
        return f"glm-call-{self._calls}"


async def serve(settings: Settings) -> None:
    """Serve one ACP client on stdin/stdout until it disconnects."""
    assistant = Assistant(settings, serving=True)
    try:
        # GlmAgent implements the requests glm-lsp supports; the others answer
        # "method not found", which is what acp's router does for absent handlers.
        await run_agent(cast(Agent, GlmAgent(assistant)))
    finally:
        await assistant.aclose()
