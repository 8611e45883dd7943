"""Assembling one `Completion` from what a provider sends back.

Streamed replies arrive as OpenAI chat-completion chunks whose `delta`s carry pieces of
content, reasoning and tool calls (a call's name first, then its arguments in fragments,
matched by `index`). Non-streamed replies carry the same fields whole in `message`. Both
feed the same `ReplyBuilder`, so both produce identical completions. Cloudflare's native
route wraps replies in an envelope and may use its older `{"response": "text"}` shape;
`unwrap_envelope` and the `response` key handle that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .failures import AttemptFailed, Failure, provider_message
from .glm_markup import MarkupFilter, split_tool_calls
from .pricing import Price, cache_savings, estimate_cost
from .types import Completion, StreamEvent, ToolCall, Usage


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_usage(raw: Any) -> tuple[Usage, float | None]:
    """Token counts from any provider's usage shape, and the cost it reported, if any.

    Reasoning tokens are top-level on Hyperstack and under completion_tokens_details
    elsewhere; cached tokens are under prompt_tokens_details. Any details may be null.
    """
    usage = _dict(raw)
    prompt_details = _dict(usage.get("prompt_tokens_details"))
    completion_details = _dict(usage.get("completion_tokens_details"))
    reasoning = _int(usage.get("reasoning_tokens")) or _int(
        completion_details.get("reasoning_tokens")
    )
    cost = usage.get("estimated_cost")
    reported = float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None
    return (
        Usage(
            prompt_tokens=_int(usage.get("prompt_tokens")),
            completion_tokens=_int(usage.get("completion_tokens")),
            reasoning_tokens=reasoning,
            cached_tokens=_int(prompt_details.get("cached_tokens")),
        ),
        reported,
    )


def reports_cache(raw: Any) -> bool:
    """Whether a usage object carries a cached-token count at all (0 included)."""
    details = _dict(_dict(raw).get("prompt_tokens_details"))
    return isinstance(details.get("cached_tokens"), int)


def unwrap_envelope(body: Any) -> Any:
    """Cloudflare native replies: {"result": ..., "success": bool, "errors": [...]}."""
    data = _dict(body)
    if data.get("success") is False or ("result" not in data and data.get("errors")):
        message = provider_message(json.dumps(data))
        raise AttemptFailed(Failure("refused", message=message, detail=json.dumps(data)[:2000]))
    return data.get("result", body)


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class ReplyBuilder:
    """Collects chunks (or one whole message) and returns the finished Completion.

    `add_chunk` returns the StreamEvents worth showing as they arrive: content (with GLM
    call markup held back), reasoning, and a tool_call event naming each call as it starts.
    """

    def __init__(self) -> None:
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._calls: dict[int, _PartialCall] = {}
        self._markup = MarkupFilter()
        self.finish_reason: str | None = None
        self.usage_raw: Any = None

    # --- input ----------------------------------------------------------------------

    def add_chunk(self, chunk: Any) -> list[StreamEvent]:
        """One streamed chunk; also accepts Cloudflare's legacy {"response": "text"}."""
        data = _dict(chunk)
        if data.get("usage"):
            self.usage_raw = data["usage"]
        events: list[StreamEvent] = []
        if "response" in data and "choices" not in data:
            events += self._add_content(_text(data.get("response")))
            events += self._add_legacy_calls(data.get("tool_calls"))
            return events
        for choice in data.get("choices") or []:
            choice = _dict(choice)
            delta = _dict(choice.get("delta") or choice.get("message"))
            events += self._add_reasoning(_text(delta.get("reasoning_content")))
            events += self._add_content(_text(delta.get("content")))
            for call in delta.get("tool_calls") or []:
                events += self._add_call_delta(_dict(call))
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])
        return events

    def add_message(self, body: Any) -> list[StreamEvent]:
        """A whole non-streamed reply: the same fields, in `message` instead of `delta`."""
        return self.add_chunk(body) + self.flush_events()

    def _add_content(self, text: str) -> list[StreamEvent]:
        if not text:
            return []
        self._content.append(text)
        return [
            StreamEvent("content" if kind == "content" else "tool_call", piece)
            for kind, piece in self._markup.feed(text)
        ]

    def _add_reasoning(self, text: str) -> list[StreamEvent]:
        if not text:
            return []
        self._reasoning.append(text)
        return [StreamEvent("reasoning", text)]

    def _add_call_delta(self, delta: dict[str, Any]) -> list[StreamEvent]:
        call = self._calls.setdefault(self._call_index(delta), _PartialCall())
        function = _dict(delta.get("function"))
        call.id = call.id or _text(delta.get("id"))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # a few servers send decoded arguments
            arguments = json.dumps(arguments)
        call.arguments.append(_text(arguments))
        name = _text(function.get("name"))
        if name and not call.name:
            call.name = name
            return [StreamEvent("tool_call", name)]
        return []

    def _call_index(self, delta: dict[str, Any]) -> int:
        """Deltas name their call by `index`; without one, match the id or start a new call."""
        index = delta.get("index")
        if isinstance(index, int):
            return index
        call_id = _text(delta.get("id"))
        for known, call in self._calls.items():
            if call_id and call.id == call_id:
                return known
        if call_id or not self._calls:
            return len(self._calls)
        return max(self._calls)

    def _add_legacy_calls(self, calls: Any) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        for call in calls if isinstance(calls, list) else []:
            call = _dict(call)
            delta = {
                "index": len(self._calls),
                "function": {"name": call.get("name"), "arguments": call.get("arguments", {})},
            }
            events += self._add_call_delta(delta)
        return events

    # --- output ---------------------------------------------------------------------

    @property
    def has_output(self) -> bool:
        return bool(self._content or self._reasoning or self._calls)

    def flush_events(self) -> list[StreamEvent]:
        """Text still held back by the markup filter once the stream has ended."""
        return [StreamEvent("content", piece) for _, piece in self._markup.flush()]

    def finish(self, price: Price | None) -> Completion:
        """The assembled completion; GLM markup in the content becomes tool calls.

        The cost is the provider's own figure when it reports one, else the price table's.
        """
        content, markup_calls = split_tool_calls("".join(self._content))
        calls = [
            ToolCall(
                id=call.id or f"call_{index}", name=call.name, arguments="".join(call.arguments)
            )
            for index, call in sorted(self._calls.items())
        ]
        calls += [
            ToolCall(id=f"call_glm_{number}", name=call.name, arguments=json.dumps(call.arguments))
            for number, call in enumerate(markup_calls)
        ]
        usage, reported_cost = parse_usage(self.usage_raw)
        usage.cost = reported_cost if reported_cost is not None else estimate_cost(usage, price)
        usage.saved = cache_savings(usage, price)
        return Completion(
            content=content,
            reasoning="".join(self._reasoning),
            tool_calls=calls,
            finish_reason=self.finish_reason,
            usage=usage,
            cache_reported=reports_cache(self.usage_raw),
        )
