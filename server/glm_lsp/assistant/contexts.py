"""The context operation: what an edit of a file would send, without asking the model.

Apart from `core` so that a one-shot `glm-lsp context` imports the context engine and
nothing of the agent, the MCP client, the provider client or the patch engine (they cost
more to import than the whole context on a warm index). `Assistant.context` runs the same
`build` with its warm engines; `context_once` runs it with a fresh engine for one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

from glm_lsp.assistant import events as ev
from glm_lsp.assistant import operations
from glm_lsp.assistant.targets import check_target
from glm_lsp.assistant.tasks import Cancellation
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine
from glm_lsp.context.engine import ContextRequest as EngineRequest
from glm_lsp.context.rules import ProjectRules, gather_rules

EngineFor = Callable[[ev.ContextRequest, EngineRequest], Awaitable[ContextEngine]]


async def build(
    settings: Settings, engine_for: EngineFor, request: ev.ContextRequest, emit: operations.Emit
) -> None:
    """Emit the assembled context (with the project rules) and Done."""
    wanted = EngineRequest(request.path, request.instruction, span(request.lines))
    engine = await engine_for(request, wanted)
    check_target(request.root, request.path, engine.policy, settings.allow_paths)
    counter = TokenCounter.load(settings.provider)
    budget = request.budget
    if budget is None:  # what an edit would get: the provider's window and the agent's share
        from glm_lsp.agent.loop import context_budget
        from glm_lsp.providers.dialects import resolve

        endpoint = resolve(settings, require_key=False)
        tools = endpoint.dialect.supports_tools
        budget = context_budget(settings, endpoint.context_window, tools, counter)
    assembled = await asyncio.to_thread(engine.assemble, wanted, budget, counter)
    rules = await project_rules(request, settings)
    emit(ev.ContextReady(assembled, budget, rules))
    emit(ev.Done())


def context_once(
    settings: Settings, request: ev.ContextRequest, cancel: Cancellation | None = None
) -> AsyncIterator[ev.Event]:
    """The context operation in a process that asks for one context and exits: a fresh
    engine whose git questions start before its refresh."""

    async def engine_for(request: ev.ContextRequest, wanted: EngineRequest) -> ContextEngine:
        engine = ContextEngine.for_settings(request.root, settings)
        engine.prefetch_git(wanted)
        await asyncio.to_thread(engine.refresh)
        return engine

    return operations.run(lambda emit: build(settings, engine_for, request, emit), cancel)


async def project_rules(request: ev.ContextRequest, settings: Settings) -> ProjectRules:
    """The project rules for the file, read fresh each time (users edit them between asks)."""
    return await asyncio.to_thread(gather_rules, request.root, request.path, settings)


def span(lines: ev.LineSpan | None) -> tuple[int, int] | None:
    return (lines.start, lines.end) if lines else None
