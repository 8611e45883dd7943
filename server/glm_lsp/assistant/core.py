"""The assistant: one per process, behind every face (CLI, language server, ACP agent).

It owns what outlives a single request: the context engines per workspace root, one
HTTP pool and the provider client built on it, the usage ledger, the learned edit format,
the chat session stores and the running tasks. Its operations (edit, chat, context,
apply-diff) are async iterators of `events`; a `Cancellation` handle, or cancelling the
consumer, stops the work and closes the provider stream.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from glm_lsp.agent import actions, prompts
from glm_lsp.agent.loop import AgentLoop, FormatMemory, Hooks, LoopResult, context_budget
from glm_lsp.agent.mcp import Approve, McpHub, McpToolbox, no_approval
from glm_lsp.agent.model import Model
from glm_lsp.agent.tools import WRITING, Workspace, describe_call
from glm_lsp.assistant import contexts
from glm_lsp.assistant import events as ev
from glm_lsp.assistant.conversation import (
    CONTEXT,
    Basis,
    Plan,
    basis_for,
    context_message,
    conversation_chars,
    layout,
    needs_rebuild,
    update,
)
from glm_lsp.assistant.operations import Emit
from glm_lsp.assistant.operations import run as _events
from glm_lsp.assistant.targets import check_target, refusal
from glm_lsp.assistant.tasks import Cancellation, Tasks
from glm_lsp.completion import Completer
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine, relative_buffers
from glm_lsp.context.engine import ContextRequest as EngineRequest
from glm_lsp.context.files import FilePolicy
from glm_lsp.context.index import IndexStats
from glm_lsp.context.rules import ProjectRules, gather_rules
from glm_lsp.edits.diff import unified_diff_many
from glm_lsp.edits.overlay import FileChange, Overlay
from glm_lsp.edits.patch import apply_patch
from glm_lsp.edits.stale import rebase_changes
from glm_lsp.errors import GlmError
from glm_lsp.providers.dialects import resolve
from glm_lsp.providers.types import ChatRequest, Message, StreamEvent, ToolCall, Usage
from glm_lsp.store import SessionInfo, SessionStore, Stored, default_path

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

ModelFactory = Callable[[Settings, "httpx.AsyncClient"], Model]


@dataclass(frozen=True)
class ProviderCheck:
    answer: str
    seconds: float
    usage: Usage = field(default_factory=Usage)
    cache_reported: bool = False  # the reply's usage counts cached prompt tokens


@dataclass(frozen=True)
class Draft:
    """A proposed edit's run (conversation and overlay) and its request."""

    loop: AgentLoop
    request: ev.EditRequest


class Drafts:
    """The latest proposed edits' runs, by id; the oldest are forgotten past `limit`."""

    def __init__(self, limit: int = 16) -> None:
        self.limit = limit
        self.kept: dict[str, Draft] = {}
        self.count = 0

    def keep(self, draft: Draft) -> str:
        self.count += 1
        key = f"draft-{self.count}"
        self.kept[key] = draft
        while len(self.kept) > self.limit:
            del self.kept[next(iter(self.kept))]
        return key

    def get(self, key: str) -> Draft | None:
        return self.kept.get(key)


def provider_model(settings: Settings, http: httpx.AsyncClient) -> Model:
    from glm_lsp.providers.client import ProviderClient  # httpx is slow to import

    return ProviderClient(settings, http=http)


class Assistant:
    """Everything one running glm-lsp knows; faces hold one and call its operations."""

    def __init__(
        self,
        settings: Settings,
        *,
        ready: Callable[[], Awaitable[None]] | None = None,
        model_factory: ModelFactory = provider_model,
        store_path: Callable[[Path], Path] = default_path,
        approve: Approve = no_approval,
        serving: bool = False,
    ) -> None:
        """`ready` is awaited before each operation reads the settings (the language
        server waits there for the editor's configuration); faces assign `settings`
        when they change. `model_factory` lets tests put a scripted model in. `approve`
        asks the user whether an MCP tool that is not on its server's allow list may run
        (each face asks its own way; the default refuses). `serving` says the process
        lives on (a server): its requests never wait for git (`ContextEngine.for_settings`)."""
        self.settings = settings
        self.serving = serving
        self.ready = ready
        self.model_factory = model_factory
        self.store_path = store_path
        self.engines: dict[Path, ContextEngine] = {}
        self.stores: dict[Path, SessionStore] = {}
        self.usage = Usage()  # everything this process spent
        self.tasks = Tasks()
        self.formats = FormatMemory()
        self.approve = approve
        self.mcp = McpHub()  # the user's MCP servers, started on first use
        self.drafts = Drafts()  # proposed edits' conversations, for revise
        # inline completion, with its own cache, hourly cap and usage (kept apart)
        self.completions = Completer(
            self.current_settings,
            self.model,
            self.warm_engine,
            self.refusal,
            affinity=affinity_key,  # the workspace's, shared with its edits
        )
        self._http: httpx.AsyncClient | None = None
        self._model: tuple[Settings, Model] | None = None

    # --- what the assistant owns ---------------------------------------------------

    async def current_settings(self) -> Settings:
        if self.ready is not None:
            await self.ready()
        return self.settings

    def model(self, settings: Settings) -> Model:
        """The provider client for `settings`, rebuilt only when the settings change."""
        if self._model is None or self._model[0] is not settings:
            if self._http is None or self._http.is_closed:
                import httpx

                self._http = httpx.AsyncClient(follow_redirects=False)
            self._model = (settings, self.model_factory(settings, self._http))
        return self._model[1]

    async def engine(self, root: Path, ahead: EngineRequest | None = None) -> ContextEngine:
        """The warm context engine of `root`, refreshed (cheaply) before each use; git's
        answers for the request `ahead` start first, to run while it refreshes."""
        engine = self.engines.get(root)
        if engine is None:
            engine = self.engines[root] = ContextEngine.for_settings(
                root, self.settings, serving=self.serving
            )
        if ahead is not None:
            engine.prefetch_git(ahead)
        await asyncio.to_thread(engine.refresh)
        return engine

    def warm_engine(self, root: Path) -> ContextEngine | None:
        """The root's engine if it exists, without refreshing it (inline completion runs
        on every keystroke); a first call starts indexing in the background."""
        engine = self.engines.get(root)
        if engine is None:
            self.tasks.spawn(self.engine(root))
        return engine

    def refusal(self, root: Path, rel: str, settings: Settings) -> str | None:
        """Why `rel` may not be sent at all (secret, ignored, binary), or None; judged
        without the root's engine too, so nothing slips out before indexing ends."""
        engine = self.engines.get(root)
        if engine is None:
            return refusal(root, rel, FilePolicy(settings.max_file_bytes), settings.allow_paths)
        return refusal(root, rel, engine.policy, settings.allow_paths, engine.file_states)

    async def reindex(self) -> int:
        """Refresh every engine; returns how many files they hold."""
        files = 0
        for engine in list(self.engines.values()):
            files += (await asyncio.to_thread(engine.refresh)).files
        return files

    def touch(self, path: Path) -> None:
        """The user edited `path`; recently edited files rank higher."""
        for root, engine in self.engines.items():
            if path.is_relative_to(root):
                engine.touch(path.relative_to(root).as_posix())

    def store(self, root: Path) -> SessionStore:
        """The chat sessions of a workspace root, opened once."""
        store = self.stores.get(root)
        if store is None:
            store = self.stores[root] = SessionStore(self.store_path(root))
        return store

    def sessions(self, root: Path) -> list[SessionInfo]:
        return self.store(root).sessions()

    def session(self, root: Path, session: str, title: str) -> str:
        """`session` if it exists in `root`, a new one titled `title` if it is empty."""
        store = self.store(root)
        if not session:
            return store.create(title)
        if not store.exists(session):
            raise GlmError(f"There is no chat session {session} in this workspace.")
        return session

    def history(self, root: Path, session: str) -> list[Message]:
        return self.store(root).messages(session)

    def record(self, usage: Usage, what: str) -> ev.UsageReport:
        """Add an operation's usage to the process total and to the running task."""
        self.usage = self.usage + usage
        self.tasks.spent(usage, what)
        return ev.UsageReport(usage, what)

    async def mcp_tools(self, settings: Settings, model: Model, emit: Emit) -> McpToolbox | None:
        """The MCP servers' tools for one run (starting the servers on first use), or None
        when none are configured or the provider cannot call tools."""
        if not settings.mcp_servers or not model.supports_tools:
            return None

        def notify(sentence: str) -> None:
            emit(ev.Notice(sentence))

        return await self.mcp.toolbox(
            settings.mcp_servers, settings.mcp_timeout, self.approve, notify
        )

    async def aclose(self) -> None:
        for engine in list(self.engines.values()):  # caches a refresh left for later
            await asyncio.to_thread(engine.save_caches)
        await self.mcp.aclose()
        http, self._http, self._model = self._http, None, None
        if http is not None:
            await http.aclose()

    # --- operations --------------------------------------------------------------------

    def edit(
        self, request: ev.EditRequest, cancel: Cancellation | None = None
    ) -> AsyncIterator[ev.Event]:
        """Run the model on a file and propose the change; nothing is written."""
        buffers = dict(request.buffers())  # what the user sees now, before any await
        return _events(lambda emit: self._edit(request, buffers, emit), cancel)

    def chat(
        self, request: ev.ChatRequest, cancel: Cancellation | None = None
    ) -> AsyncIterator[ev.Event]:
        """One turn of a stored conversation; the turn is kept once it finished."""
        buffers = dict(request.buffers())
        return _events(lambda emit: self._chat(request, buffers, emit), cancel)

    def context(
        self, request: ev.ContextRequest, cancel: Cancellation | None = None
    ) -> AsyncIterator[ev.Event]:
        """The context an edit would send, without asking the model."""
        return _events(lambda emit: self._context(request, emit), cancel)

    def revise(
        self, request: ev.ReviseRequest, cancel: Cancellation | None = None
    ) -> AsyncIterator[ev.Event]:
        """Continue a proposed edit's task and conversation with the user's feedback and
        propose the change again; nothing is written."""
        return _events(lambda emit: self._revise(request, emit), cancel)

    def apply_diff(
        self, request: ev.DiffRequest, cancel: Cancellation | None = None
    ) -> AsyncIterator[ev.Event]:
        """A unified diff as proposed file changes, confined to the root."""
        return _events(lambda emit: self._apply_diff(request, emit), cancel)

    def ask(
        self, request: ev.AskRequest, cancel: Cancellation | None = None
    ) -> AsyncIterator[ev.Event]:
        """A plain question with no tools and no stored conversation."""
        return _events(lambda emit: self._ask(request, emit), cancel)

    async def index(self, root: Path) -> IndexStats:
        """Index `root` now; returns what it took."""
        engine = self.engines.get(root)
        if engine is None:
            engine = self.engines[root] = ContextEngine.for_settings(
                root, self.settings, serving=self.serving
            )
        return await asyncio.to_thread(engine.refresh)

    async def check_provider(self) -> ProviderCheck:
        """Ask the provider for one word, to show that the settings work."""
        model = self.model(await self.current_settings())
        started = time.monotonic()
        messages = [Message(role="user", content="Reply with the single word OK.")]
        reply = await model.complete(
            ChatRequest(messages=messages, max_tokens=64, reasoning_effort="none")
        )
        return ProviderCheck(
            reply.content, time.monotonic() - started, reply.usage, reply.cache_reported
        )

    def endpoint(self) -> tuple[str, str]:
        """The request URL and model id the settings lead to (no key needed)."""
        endpoint = resolve(self.settings, require_key=False)
        return endpoint.url, endpoint.model

    async def _ask(self, request: ev.AskRequest, emit: Emit) -> None:
        model = self.model(await self.current_settings())
        prompt = prompts.ask_request(request.question, request.path, request.text)
        result = await AgentLoop(
            model, prompt, writes=False, hooks=Hooks(on_event=_streamer(emit))
        ).run()
        emit(self.record(result.usage, "question"))
        emit(ev.Done(result.reply.content, result.usage))

    async def _edit(self, request: ev.EditRequest, buffers: Mapping[str, str], emit: Emit) -> None:
        settings = await self.current_settings()
        model = self.model(settings)
        wanted = contexts.engine_request(request)
        engine = await self.engine(request.root, wanted)
        check_target(
            request.root, request.path, engine.policy, settings.allow_paths, engine.file_states
        )
        emit(ev.Progress("gathering context"))
        counter = TokenCounter.load(settings.provider)
        budget = context_budget(settings, model.context_window, model.supports_tools, counter)
        context = await _assembled(engine, buffers, wanted, budget, counter)
        rules = await _rules(request.root, request.path, settings)
        mcp = await self.mcp_tools(settings, model, emit)
        loop = AgentLoop(
            model,
            _with_notes(context, mcp),
            writes=True,
            rules=rules.render(),
            mcp=mcp,
            workspace=Workspace(Overlay(request.root, buffers, engine.excluded_for_tools), engine),
            formats=self.formats,
            counter=counter,
            default_path=request.path,
            hooks=Hooks(on_progress=lambda text: emit(ev.Progress(text))),
            affinity=affinity_key(request.root),
        )
        self._propose(request, loop, await loop.run(), emit)

    def _propose(
        self, request: ev.EditRequest, loop: AgentLoop, result: LoopResult, emit: Emit
    ) -> None:
        """The run's change as a proposal; its conversation is kept as a draft to revise."""
        emit(ev.Progress("applying"))
        changes = result.changes
        if request.comment:
            changes = [_uncommented(c, request.path, request.comment) for c in changes]
        proposal = _proposal(request.root, changes, result.summary, request.buffers, result.failed)
        draft = self.drafts.keep(Draft(loop, request))
        emit(replace(proposal, draft=draft))
        emit(self.record(result.usage, f"edit of {Path(request.path).name}"))
        emit(ev.Done(result.summary, result.usage))

    async def _revise(self, request: ev.ReviseRequest, emit: Emit) -> None:
        draft = self.drafts.get(request.draft)
        if draft is None:
            raise GlmError("That proposed edit is no longer available; ask again.")
        settings = await self.current_settings()
        loop = draft.loop
        loop.usage = Usage()  # this round's spending only
        loop.hooks = Hooks(on_progress=lambda text: emit(ev.Progress(text)))
        loop.mcp = await self.mcp_tools(settings, loop.model, emit)
        result = await loop.resume(prompts.revise(request.feedback, request.rejected))
        self._propose(replace(draft.request, buffers=request.buffers), loop, result, emit)

    async def _chat(self, request: ev.ChatRequest, buffers: Mapping[str, str], emit: Emit) -> None:
        settings = await self.current_settings()
        model = self.model(settings)
        emit(ev.Progress("gathering context"))
        engine = await self.engine(request.root)
        if request.path is not None:
            check_target(
                request.root, request.path, engine.policy, settings.allow_paths, engine.file_states
            )
        plan = await self._chat_context(request, engine, buffers, model)
        emit(ev.Progress("asking " + model.model))
        result = await self._turn(request, model, plan, engine, buffers, emit)
        if request.writes and (result.changes or result.failed):
            emit(
                _proposal(
                    request.root, result.changes, result.summary, request.buffers, result.failed
                )
            )
        store = self.store(request.root)
        asked = Message("user", request.message)
        store.append(request.session, [*plan.entries, asked, *result.transcript])
        if plan.basis is not None:
            store.set_basis(request.session, plan.basis.to_json())
        store.add_usage(request.session, result.usage)
        emit(self.record(result.usage, "chat"))
        emit(ev.Done(result.reply.content, result.usage, request.session))

    async def _turn(
        self,
        request: ev.ChatRequest,
        model: Model,
        plan: Plan,
        engine: ContextEngine,
        buffers: Mapping[str, str],
        emit: Emit,
    ) -> LoopResult:
        """One turn: the session's earlier requests re-sent unchanged (see `conversation`),
        this turn's context or update, then the question."""
        overlay = Overlay(request.root, buffers, engine.excluded_for_tools)
        rules = await _rules(request.root, request.path, model.settings)
        mcp = await self.mcp_tools(model.settings, model, emit)
        stored = self.store(request.root).stored(request.session)
        return await AgentLoop(
            model,
            request.message,
            writes=request.writes,
            rules=_with_notes(rules.render(), mcp),  # stable: before the conversation
            mcp=mcp,
            workspace=Workspace(overlay, engine),
            history=layout([*stored, *plan.entries]),
            formats=self.formats,
            default_path=request.path,
            hooks=Hooks(on_event=_streamer(emit), on_tool=_tool_reporter(emit)),
            affinity=affinity_key(request.root, request.session),
        ).run()

    async def _chat_context(
        self,
        request: ev.ChatRequest,
        engine: ContextEngine,
        buffers: Mapping[str, str],
        model: Model,
    ) -> Plan:
        """What this turn sends before its question: the repository context around the
        file in view when the session needs a (new) one, else a short update on what
        changed since, or nothing. A context that no longer fits beside the conversation
        is built again, smaller, around the file it was about."""
        store = self.store(request.root)
        basis = Basis.from_json(store.basis(request.session))
        span = contexts.span(request.lines)
        counter = TokenCounter.load(model.settings.provider)
        tools = request.writes and model.supports_tools
        budget = context_budget(model.settings, model.context_window, tools, counter)
        talk = conversation_chars(store.stored(request.session)) + len(request.message)
        room = context_budget(
            model.settings, model.context_window, tools, counter, counter.tokens_for_chars(talk)
        )
        overflow = basis is not None and counter.tokens_for_chars(basis.context_chars) > room
        heading = "Instruction" if request.writes else "Question"

        def plan() -> Plan:
            engine.set_buffers(relative_buffers(engine.root, buffers))
            read = _reader(engine)
            path, lines = request.path, span
            if overflow and basis is not None and path is None:
                path, lines = basis.path, basis.lines
            size = len(read(path) or "") if path and basis and path not in basis.files else 0
            if path is None or not (overflow or needs_rebuild(basis, path, size)):
                return Plan([], basis) if basis is None else update(basis, path, lines, read)
            wanted = EngineRequest(path, request.message, lines, heading)
            assembled = engine.assemble(wanted, min(budget, room), counter)
            message = context_message(assembled)
            if not message:  # no room for any context beside the conversation
                return Plan([], basis)
            fresh = basis_for(assembled, engine.read(path), path, lines, read)
            return Plan([Stored(Message("user", message), CONTEXT)], fresh)

        return await asyncio.to_thread(plan)

    async def _context(self, request: ev.ContextRequest, emit: Emit) -> None:
        settings = await self.current_settings()

        async def engine_for(request: ev.ContextRequest, wanted: EngineRequest) -> ContextEngine:
            return await self.engine(request.root, wanted)

        await contexts.build(settings, engine_for, request, emit)

    async def _apply_diff(self, request: ev.DiffRequest, emit: Emit) -> None:
        overlay = Overlay(request.root, request.buffers())  # paths confined to the root
        results = apply_patch(overlay.text_or_none, request.diff)
        changes = [FileChange(r.path, r.old, r.new, r.renamed_from) for r in results]
        emit(ev.ProposedChange(request.root, changes, unified_diff_many(changes), ""))
        emit(ev.Done())


async def _assembled(
    engine: ContextEngine,
    buffers: Mapping[str, str],
    request: EngineRequest,
    budget: int,
    counter: TokenCounter,
) -> str:
    """The engine's context for a request, with the editor's buffers over the disk."""

    def assemble() -> str:
        engine.set_buffers(relative_buffers(engine.root, buffers))
        return engine.assemble(request, budget, counter).render()

    return await asyncio.to_thread(assemble)


def _with_notes(prompt: str, mcp: McpToolbox | None) -> str:
    """The prompt, and a sentence for each MCP server whose tools are missing."""
    if mcp is None or not mcp.notes:
        return prompt
    return "\n\n".join(part for part in (prompt, "\n".join(mcp.notes)) if part)


def _reader(engine: ContextEngine) -> Callable[[str], str | None]:
    """A file's text as the model may see it (buffer over disk, secrets redacted), None
    once it is gone."""

    def read(rel: str) -> str | None:
        try:
            return engine.read(rel)
        except OSError:
            return None

    return read


def affinity_key(root: Path, session: str = "") -> str:
    """A stable, secret-free id of a chat session (or, without one, of a workspace), for
    providers that route requests to the instance holding their prefix cache by it."""
    return hashlib.sha256(f"{root.resolve()}\0{session}".encode()).hexdigest()[:32]


async def _rules(root: Path, path: str | None, settings: Settings) -> ProjectRules:
    """The project rules for a file, read fresh each time (users edit them between asks)."""
    return await asyncio.to_thread(gather_rules, root, path, settings)


def _proposal(
    root: Path,
    changes: list[FileChange],
    summary: str,
    buffers: ev.Buffers,
    failed: list[str],
) -> ev.ProposedChange:
    """Changes rebased onto the buffers as they are now (the user may have typed since)."""
    now = buffers()
    changes = rebase_changes(changes, lambda rel: now.get(str(root / rel)))
    return ev.ProposedChange(root, changes, unified_diff_many(changes), summary, failed)


def _uncommented(change: FileChange, path: str, comment: str) -> FileChange:
    if change.path != path or change.new is None:
        return change
    return replace(change, new=actions.without_comment(change.new, comment))


def _streamer(emit: Emit) -> Callable[[StreamEvent], None]:
    """Answer text and reasoning as they arrive; tool calls are told once whole."""

    def on_event(event: StreamEvent) -> None:
        if event.kind == "content":
            emit(ev.Text(event.text))
        elif event.kind == "reasoning":
            emit(ev.Reasoning(event.text))

    return on_event


def _tool_reporter(emit: Emit) -> Callable[[ToolCall], None]:
    def on_tool(call: ToolCall) -> None:
        try:
            path = call.parsed_arguments().get("path")
        except ValueError:
            path = None
        where = path if isinstance(path, str) else None
        line = describe_call(call)
        emit(ev.ToolActivity(call.id, call.name, line, where, call.name in WRITING))

    return on_tool
