"""Ask the model for the text at a cursor: cheaply, cancellably, within an hourly budget.

One suggestion is one small request: no reasoning, `completion_max_tokens` of output,
stop sequences at a natural end, streamed so that cancelling it (a keystroke, the
editor's $/cancelRequest) closes the provider's stream at once. Before asking, the cache
may already hold the answer, an automatic request waits `completion_debounce_ms` (a
keystroke meanwhile cancels it for free), and the hourly cap may say no.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from glm_lsp.agent.model import Model
from glm_lsp.completion import prompt
from glm_lsp.completion.cache import Entry, SuggestionCache
from glm_lsp.completion.spend import HourlySpend
from glm_lsp.completion.trim import clean
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine
from glm_lsp.context.rules import gather_rules
from glm_lsp.context.secrets import redact_secrets
from glm_lsp.errors import GlmError
from glm_lsp.providers.pricing import estimate_cost, price_for
from glm_lsp.providers.types import ChatRequest, Message, StreamEvent, Usage

log = logging.getLogger(__name__)

PAUSED = (
    "Inline completion is paused: it spent {spent} in the last hour, the "
    "completion.hourly_cap_usd setting ({cap}). It resumes by itself as the hour passes."
)


def dollars(amount: float) -> str:
    """Cents for real amounts; small caps (a test's, a cautious user's) stay readable."""
    return f"${amount:.2f}" if amount >= 0.01 or amount == 0 else f"${amount:.4f}"


@dataclass(frozen=True)
class CompletionRequest:
    """A cursor in a file: `line` and `column` are 0-based, the column in characters."""

    root: Path
    path: str  # relative to root, posix
    text: str  # the whole buffer as the user sees it
    line: int
    column: int
    automatic: bool = False  # typed (debounced) rather than asked for


@dataclass(frozen=True)
class CompletionOutcome:
    """The text to insert ("" for none), where it came from, and a sentence to show once
    (the cap was reached) if any. `source`: model, cache, paused, refused or empty."""

    text: str
    source: str
    notice: str = ""


@dataclass
class CompletionStats:
    """What inline completion spent and did, apart from edits and chats."""

    usage: Usage = field(default_factory=Usage)
    requests: int = 0  # sent to the provider
    cancelled: int = 0  # of those, stopped before the reply ended
    cached: int = 0  # answered from the cache, nothing sent


EngineLookup = Callable[[Path], ContextEngine | None]
ModelLookup = Callable[[Settings], Model]
# why a file may not be sent (secret, ignored, binary), None when it may; None as a whole
# result while the root's engine is not ready to say
Refusal = Callable[[Path, str, Settings], str | None]


class Completer:
    """Inline completion for every face; one per assistant."""

    def __init__(
        self,
        settings: Callable[[], Awaitable[Settings]],
        model: ModelLookup,
        engine: EngineLookup,
        refusal: Refusal,
        *,
        affinity: Callable[[Path], str] = lambda root: "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`engine` returns the root's warm context engine, or None while there is none
        yet (completion then goes without definitions rather than wait for indexing);
        `refusal` says why a file may not be sent (the same check as edits); `affinity`
        gives a workspace's routing key for providers whose prompt cache is per host."""
        self.settings = settings
        self.model = model
        self.engine = engine
        self.refusal = refusal
        self.affinity = affinity
        self.cache = SuggestionCache()
        self.spend = HourlySpend(clock)
        self.stats = CompletionStats()
        self._refusals: dict[tuple[Path, str], str | None] = {}
        self._counters: dict[str, TokenCounter] = {}

    def hour_cost(self) -> float:
        return self.spend.last_hour()

    async def complete(self, request: CompletionRequest) -> CompletionOutcome:
        """The suggestion at the cursor. Cancelling this coroutine closes the provider
        stream; what the cancelled request cost so far is still counted."""
        settings = await self.settings()
        lines = request.text.split("\n")
        line = min(max(request.line, 0), len(lines) - 1)
        column = min(max(request.column, 0), len(lines[line]))
        offset = sum(len(x) + 1 for x in lines[:line]) + column
        before, after = request.text[:offset], request.text[offset:]
        cached = self.cache.get(request.path, before, after)
        if cached is not None:
            self.stats.cached += 1
            return CompletionOutcome(cached, "cache")
        if self.spend.over(settings.completion_hourly_cap_usd):
            spent, cap = self.spend.last_hour(), settings.completion_hourly_cap_usd
            told = self.spend.first_notice()
            notice = PAUSED.format(spent=dollars(spent), cap=dollars(cap)) if told else ""
            return CompletionOutcome("", "paused", notice)
        if self._refused(request.root, request.path, settings):
            return CompletionOutcome("", "refused")
        if request.automatic and settings.completion_debounce_ms:
            await asyncio.sleep(settings.completion_debounce_ms / 1000)
        messages = self._messages(request, lines, settings, line, column)
        text = clean(await self._ask(settings, messages, request.root), before, after)
        self.cache.put(Entry(request.path, before, after, text))
        return CompletionOutcome(text, "model" if text else "empty")

    def _refused(self, root: Path, rel: str, settings: Settings) -> bool:
        """Secret, ignored and binary files send nothing (checked once per file)."""
        key = (root, rel)
        if key not in self._refusals:
            self._refusals[key] = self.refusal(root, rel, settings)
        return self._refusals[key] is not None

    def _messages(
        self,
        request: CompletionRequest,
        lines: list[str],
        settings: Settings,
        line: int,
        column: int,
    ) -> list[Message]:
        window = prompt.window(request.text, line, column)
        window = prompt.Window(redact_secrets(window.before)[0], redact_secrets(window.after)[0])
        rules = gather_rules(request.root, request.path, settings).render()
        engine = self.engine(request.root)
        definitions = ""
        if engine is not None:
            _, found = engine.scope_definitions(request.path, lines, line)
            definitions = prompt.render_definitions(found)
        return prompt.messages(rules, definitions, request.path, window)

    async def _ask(self, settings: Settings, messages: list[Message], root: Path) -> str:
        model = self.model(settings)
        chat = ChatRequest(
            messages=messages,
            max_tokens=settings.completion_max_tokens,
            stop=list(prompt.STOP),
            temperature=settings.temperature,
            reasoning_effort="none",
            affinity=self.affinity(root),
        )
        received: list[str] = []

        def on_event(event: StreamEvent) -> None:
            if event.kind == "content":
                received.append(event.text)

        self.stats.requests += 1
        try:
            reply = await model.complete(chat, on_event)
        except asyncio.CancelledError:
            self.stats.cancelled += 1
            self._count(self._estimate(settings, model.model, messages, "".join(received)))
            raise
        except GlmError:  # a refused request is not billed; one cut mid-stream is
            if received:
                self._count(self._estimate(settings, model.model, messages, "".join(received)))
            raise
        self._count(reply.usage)
        return reply.content

    def _count(self, usage: Usage) -> None:
        self.stats.usage = self.stats.usage + usage
        self.spend.add(usage.cost or 0.0)

    def _estimate(
        self, settings: Settings, model: str, messages: list[Message], received: str
    ) -> Usage:
        """A stopped request reports no usage, but the provider bills what it read and
        wrote: the prompt in full and the reply so far, estimated from their length."""
        counter = self._counters.get(settings.provider)
        if counter is None:
            counter = self._counters[settings.provider] = TokenCounter.load(settings.provider)
        prompt_tokens = counter.count("".join(m.content or "" for m in messages))
        usage = Usage(prompt_tokens, counter.count(received) if received else 0)
        usage.cost = estimate_cost(usage, price_for(settings.provider, model))
        return usage
