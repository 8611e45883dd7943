"""The context operation: what an edit of a file would send, without asking the model.

Apart from `core` so that a one-shot `glm-lsp context` imports the context engine and
nothing of the agent, the MCP client, the provider client or the patch engine (they cost
more to import than the whole context on a warm index). `Assistant.context` runs `build`
with its warm engines; `context_now` runs the same `ready` with a fresh engine for one
process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from glm_lsp.assistant import events as ev
from glm_lsp.assistant.targets import check_target
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine
from glm_lsp.context.engine import ContextRequest as EngineRequest
from glm_lsp.context.rules import gather_rules

if TYPE_CHECKING:
    from glm_lsp.assistant import operations

EngineFor = Callable[[ev.ContextRequest, EngineRequest], Awaitable[ContextEngine]]


async def build(
    settings: Settings, engine_for: EngineFor, request: ev.ContextRequest, emit: operations.Emit
) -> None:
    """Emit the assembled context (with the project rules) and Done."""
    import asyncio  # here, not above: `context_now` runs without an event loop

    wanted = engine_request(request)
    engine = await engine_for(request, wanted)
    emit(await asyncio.to_thread(ready, settings, engine, request, wanted))
    emit(ev.Done())


def ready(
    settings: Settings, engine: ContextEngine, request: ev.ContextRequest, wanted: EngineRequest
) -> ev.ContextReady:
    """The assembled context and the project rules (read fresh each time: users edit them
    between asks); blocks, so the server runs it in a thread."""
    check_target(
        request.root, request.path, engine.policy, settings.allow_paths, engine.file_states
    )
    counter = TokenCounter.load(settings.provider)
    budget = request.budget
    if budget is None:  # what an edit would get: the provider's window and the agent's share
        from glm_lsp.agent.loop import context_budget
        from glm_lsp.providers.dialects import resolve

        endpoint = resolve(settings, require_key=False)
        tools = endpoint.dialect.supports_tools
        budget = context_budget(settings, endpoint.context_window, tools, counter)
    assembled = engine.assemble(wanted, budget, counter)
    return ev.ContextReady(assembled, budget, gather_rules(request.root, request.path, settings))


@contextmanager
def context_now(settings: Settings, request: ev.ContextRequest) -> Iterator[ev.ContextReady]:
    """The context operation in a process that asks for one context and exits: a fresh
    engine whose git questions start before its refresh, and no event loop (importing
    asyncio alone took a tenth of a one-shot `glm-lsp context`). The caches its refresh
    rebuilt are saved when the caller is done with the context (has printed it), so a
    cold start's answer does not wait for them. Raises GlmError."""
    wanted = engine_request(request)
    engine = ContextEngine.for_settings(request.root, settings)
    engine.prefetch_git(wanted)
    engine.refresh()
    try:
        yield ready(settings, engine, request, wanted)
    finally:
        engine.save_caches()


def engine_request(request: ev.ContextRequest | ev.EditRequest) -> EngineRequest:
    """What the context engine needs of a request about a file."""
    return EngineRequest(request.path, request.instruction, span(request.lines))


def span(lines: ev.LineSpan | None) -> tuple[int, int] | None:
    return (lines.start, lines.end) if lines else None
