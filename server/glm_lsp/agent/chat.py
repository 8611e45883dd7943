"""A chat turn: the conversation so far, repository context when a file is in view, and
read-only tools so the model can look further into the code before it answers."""

from __future__ import annotations

from collections.abc import Callable

from glm_lsp.agent import prompts
from glm_lsp.agent.tools import TOOLS, WRITING, Workspace, describe_call, run_tool
from glm_lsp.errors import GlmError
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.types import ChatRequest, Completion, Message, StreamEvent, Usage

READ_ONLY = [tool for tool in TOOLS if tool.name not in WRITING]


def _replayed(history: list[Message]) -> list[Message]:
    """Earlier questions and final answers only: old tool results and reasoning stay home."""
    return [
        Message(role=m.role, content=m.content)
        for m in history
        if m.role == "user" or (m.role == "assistant" and not m.tool_calls)
    ]


async def chat_turn(
    history: list[Message],
    message: str,
    client: ProviderClient,
    context: str = "",
    on_event: Callable[[StreamEvent], None] | None = None,
    workspace: Workspace | None = None,
    on_tool: Callable[[str], None] | None = None,
) -> tuple[list[Message], Completion]:
    """Ask the next question; returns the messages to keep (question, tool calls and their
    results, answer) and the final reply with the usage of the whole turn. `context`, if
    any, ends with the question; it goes with this question only, so old context does not
    pile up."""
    question = Message(role="user", content=message)
    sent = Message(role="user", content=context or message)
    messages = [Message(role="system", content=prompts.SYSTEM_ASK), *_replayed(history), sent]
    kept = [question]
    tools = READ_ONLY if workspace is not None and client.supports_tools else []
    settings = client.settings
    usage = Usage()
    for _ in range(settings.max_steps):
        reply = await client.complete(
            ChatRequest(
                messages=messages,
                tools=tools,
                temperature=settings.temperature,
                max_tokens=settings.max_tokens,
                reasoning_effort=settings.reasoning_effort or None,
            ),
            on_event,
        )
        usage = usage + reply.usage
        answer = reply.as_message()
        messages.append(answer)
        kept.append(answer)
        if not reply.tool_calls or workspace is None:
            reply.usage = usage
            return kept, reply
        for call in reply.tool_calls:
            if on_tool is not None:
                on_tool(describe_call(call))
            if call.name in WRITING:
                result = f"Error: {call.name} is not available in chat; chat does not change files."
            else:
                result = run_tool(call, workspace)[0]
            tool_message = Message(role="tool", content=result, tool_call_id=call.id)
            messages.append(tool_message)
            kept.append(tool_message)
    raise GlmError(f"The model did not answer within {settings.max_steps} steps.")
