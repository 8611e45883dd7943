"""A chat turn: the conversation so far, plus repository context when a file is in view."""

from __future__ import annotations

from collections.abc import Callable

from glm_lsp.agent import prompts
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.types import ChatRequest, Completion, Message, StreamEvent


async def chat_turn(
    history: list[Message],
    message: str,
    client: ProviderClient,
    context: str = "",
    on_event: Callable[[StreamEvent], None] | None = None,
) -> tuple[list[Message], Completion]:
    """Ask the next question; returns the messages to keep (question and answer) and the
    reply. Context goes with this question only, so old context does not pile up."""
    question = Message(role="user", content=message)
    sent = Message(
        role="user", content=f"{context}\n\n## Question\n{message}" if context else message
    )
    earlier = [Message(role=m.role, content=m.content) for m in history]  # reasoning stays home
    messages = [Message(role="system", content=prompts.SYSTEM_ASK), *earlier, sent]
    settings = client.settings
    reply = await client.complete(
        ChatRequest(
            messages=messages,
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            reasoning_effort=settings.reasoning_effort or None,
        ),
        on_event,
    )
    answer = Message(
        role="assistant", content=reply.content, reasoning_content=reply.reasoning or None
    )
    return [question, answer], reply
