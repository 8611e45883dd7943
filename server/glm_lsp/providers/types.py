"""The provider-neutral chat data the agent and every dialect share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass
class ToolCall:
    """One call the model asked for; `arguments` is the raw JSON text the model wrote."""

    id: str
    name: str
    arguments: str = ""

    def parsed_arguments(self) -> dict[str, Any]:
        """Decode the arguments; raises ValueError with a model-readable reason."""
        if not self.arguments.strip():
            return {}
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError as exc:
            reason = f"the arguments of {self.name} are not valid JSON ({exc.msg})"
            raise ValueError(reason) from exc
        except RecursionError:
            raise ValueError(f"the arguments of {self.name} are nested too deeply") from None
        if not isinstance(value, dict):
            raise ValueError(f"the arguments of {self.name} must be a JSON object")
        return value

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


Role = Literal["system", "user", "assistant", "tool"]


@dataclass
class Message:
    """A chat message; assistant turns keep `reasoning_content` apart from `content`.

    GLM wants an assistant turn's reasoning sent back unmodified together with the tool
    results of the same turn, so it is stored here rather than dropped.
    """

    role: Role
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"role": self.role, "content": self.content or ""}
        if self.reasoning_content:
            wire["reasoning_content"] = self.reasoning_content
        if self.tool_calls:
            wire["tool_calls"] = [call.to_wire() for call in self.tool_calls]
        if self.tool_call_id is not None:
            wire["tool_call_id"] = self.tool_call_id
        return wire


@dataclass
class ToolSpec:
    """An OpenAI function schema offered to the model."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_wire(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


@dataclass
class ChatRequest:
    """What the agent wants; each dialect turns it into the body its provider accepts."""

    messages: list[Message]
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: str | None = None
    # A stable, secret-free id of the session or workspace the request continues; providers
    # that route by it (Cloudflare's x-session-affinity) keep its prefix cache on one host.
    affinity: str = ""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)
    reasoning_effort: str | None = None


@dataclass
class Usage:
    """Tokens and cost of one or more requests; `cost` is None when no price is known.

    `cached_tokens` are the prompt tokens the provider served from its prefix cache;
    `saved` is what that cache took off the bill (0 when no price or no cached rate).
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cost: float | None = None
    saved: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        cost = None
        if self.cost is not None or other.cost is not None:
            cost = (self.cost or 0.0) + (other.cost or 0.0)
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
            self.cached_tokens + other.cached_tokens,
            cost,
            self.saved + other.saved,
        )

    def describe(self) -> str:
        cost = "unknown cost" if self.cost is None else f"${self.cost:.4f}"
        saved = f" (the cache saved ${self.saved:.4f})" if self.saved > 0 else ""
        return (
            f"{self.prompt_tokens} prompt ({self.cached_tokens} cached), "
            f"{self.completion_tokens} completion ({self.reasoning_tokens} reasoning) tokens, "
            f"{cost}{saved}"
        )

    @property
    def cached_share(self) -> float:
        """The fraction of prompt tokens served from the provider's cache."""
        return self.cached_tokens / self.prompt_tokens if self.prompt_tokens else 0.0


@dataclass
class Completion:
    """One assembled model reply, streamed or not."""

    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage = field(default_factory=Usage)
    # the usage came with a cached-token count (even 0): the provider reports its cache
    cache_reported: bool = False

    def as_message(self) -> Message:
        return Message(
            role="assistant",
            content=self.content,
            reasoning_content=self.reasoning or None,
            tool_calls=list(self.tool_calls),
        )


@dataclass
class StreamEvent:
    """A piece of a reply as it arrives, for progress and chat streaming."""

    kind: Literal["content", "reasoning", "tool_call"]
    text: str
