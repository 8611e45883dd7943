"""What the loop needs from a model, so tests can script one in process.

`ProviderClient` satisfies `Model`; a test passes a fake that returns queued completions.
`request_for` is the one place a chat request is built from the settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from glm_lsp.config import Settings
from glm_lsp.providers.types import ChatRequest, Completion, Message, StreamEvent, ToolSpec


class Model(Protocol):
    """A chat model behind one provider and one set of settings."""

    @property
    def settings(self) -> Settings: ...

    @property
    def model(self) -> str: ...

    @property
    def supports_tools(self) -> bool: ...

    @property
    def context_window(self) -> int: ...

    async def complete(
        self, request: ChatRequest, on_event: Callable[[StreamEvent], None] | None = None
    ) -> Completion: ...


def request_for(
    settings: Settings, messages: list[Message], tools: list[ToolSpec], affinity: str = ""
) -> ChatRequest:
    """A request with the user's sampling settings; every model call goes through here."""
    return ChatRequest(
        messages=messages,
        tools=tools,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        reasoning_effort=settings.reasoning_effort or None,
        affinity=affinity,
    )
