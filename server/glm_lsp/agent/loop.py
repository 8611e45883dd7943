"""The edit loop: context and tools to the model, run its tool calls, repeat until it answers.

Providers that call tools get `read_file`/`edit_file`; the others (NVIDIA) get the text edit
format. Replies that carry edits as text go through the same appliers either way, and GLM's
raw tool markup arrives here already turned into tool calls by the provider client.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from glm_lsp.agent import prompts
from glm_lsp.agent.tools import TOOLS, run_tool
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter, prompt_budget
from glm_lsp.context.engine import ContextEngine, ContextRequest
from glm_lsp.edits.overlay import FileChange, Overlay
from glm_lsp.edits.search_replace import PROMPT as TEXT_FORMAT
from glm_lsp.edits.search_replace import apply_search_replace, parse_search_replace
from glm_lsp.errors import EditError, GlmError
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.types import ChatRequest, Completion, Message, StreamEvent, ToolCall, Usage

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class EditTask:
    """One edit request, independent of where it came from (CLI or editor)."""

    root: Path
    path: str  # relative to root, posix
    instruction: str
    selection: prompts.Selection | None = None
    buffers: dict[str, str] = field(default_factory=dict)  # absolute path -> open buffer text


@dataclass
class EditOutcome:
    changes: list[FileChange]
    summary: str
    usage: Usage
    steps: int


def _noop(_: str) -> None:
    pass


class EditSession:
    """State of one running edit: the conversation, the overlay and the usage so far."""

    def __init__(
        self,
        task: EditTask,
        client: ProviderClient,
        context: str,
        counter: TokenCounter,
        on_progress: Progress = _noop,
        on_event: Callable[[StreamEvent], None] | None = None,
        exclude: Callable[[str], str | None] | None = None,
    ) -> None:
        self.task = task
        self.client = client
        self.counter = counter
        self.on_progress = on_progress
        self.on_event = on_event
        self.overlay = Overlay(task.root, task.buffers, exclude)
        self.usage = Usage()
        self.tools_mode = client.supports_tools
        self.messages = [
            Message(role="system", content=system_prompt(self.tools_mode)),
            Message(role="user", content=context),
        ]

    async def run(self, max_steps: int) -> EditOutcome:
        for step in range(1, max_steps + 1):
            self.on_progress(f"asking {self.client.model} (step {step})")
            reply = await self._ask()
            if reply.tool_calls:
                self._run_tools(reply)
                continue
            self.messages.append(reply.as_message())
            errors = self._apply_text_edits(reply.content)
            if errors:
                self.messages.append(Message(role="user", content=prompts.retry_text_edits(errors)))
                continue
            _check_finish(reply, self.overlay.changes(), self.client)
            return EditOutcome(self.overlay.changes(), reply.content.strip(), self.usage, step)
        raise GlmError(f"The model did not finish the edit within {max_steps} steps.")

    async def _ask(self) -> Completion:
        settings = self.client.settings
        request = ChatRequest(
            messages=self.messages,
            tools=TOOLS if self.tools_mode else [],
            temperature=settings.temperature,
            max_tokens=settings.max_tokens,
            reasoning_effort=settings.reasoning_effort or None,
        )
        reply = await self.client.complete(request, self.on_event)
        self.usage = self.usage + reply.usage
        if len(self.messages) == 2:  # the first request: calibrate the token estimate
            self.counter.observe(request_chars(request), reply.usage.prompt_tokens)
        return reply

    def _run_tools(self, reply: Completion) -> None:
        """Run every call of the turn in order and answer each one."""
        if self.tools_mode:
            self.messages.append(reply.as_message())
        else:  # no tool role on this provider: echo the markup and answer as the user
            self.messages.append(
                Message(
                    role="assistant",
                    content=reply.content + _as_markup(reply.tool_calls),
                    reasoning_content=reply.reasoning or None,
                )
            )
        results = []
        for call in reply.tool_calls:
            self.on_progress(f"{call.name} {_path_of(call)}".strip())
            result, ok = run_tool(call, self.overlay)
            log.info("tool %s %s: %s", call.name, _path_of(call), "ok" if ok else result)
            if self.tools_mode:
                self.messages.append(Message(role="tool", content=result, tool_call_id=call.id))
            else:
                results.append(f"Result of {call.name}:\n{result}")
        if results:
            self.messages.append(Message(role="user", content="\n\n".join(results)))

    def _apply_text_edits(self, content: str) -> list[str]:
        """Apply every SEARCH/REPLACE block of a reply, all or nothing; return the errors."""
        try:
            blocks = parse_search_replace(content, default_path=self.task.path)
        except EditError as exc:
            return [str(exc)]
        texts: dict[str, str] = {}
        errors = []
        for number, block in enumerate(blocks, 1):
            current = texts.get(block.path)
            if current is None and self.overlay.exists(block.path):
                current = self.overlay.read(block.path)
            try:
                texts[block.path] = apply_search_replace(current, block)
            except EditError as exc:
                errors.append(f"Block {number} ({block.path}): {exc}")
        if not errors:
            for path, text in texts.items():
                self.overlay.write(path, text)
        return errors


def _check_finish(reply: Completion, changes: list[FileChange], client: ProviderClient) -> None:
    """A reply cut short must not pass for a finished edit."""
    if reply.finish_reason == "length" and not changes:
        raise GlmError(
            f"The model's reply was cut off at the max_tokens limit "
            f"({client.settings.max_tokens}) before it made the edit; raise max_tokens or "
            "narrow the selection."
        )
    if reply.finish_reason == "content_filter":
        raise GlmError(
            "The provider's content filter stopped the model's reply; nothing was changed."
        )


def _path_of(call: ToolCall) -> str:
    try:
        return str(call.parsed_arguments().get("path", ""))
    except ValueError:
        return ""


def _as_markup(calls: list[ToolCall]) -> str:
    parts = []
    for call in calls:
        try:
            args = call.parsed_arguments()
        except ValueError:
            args = {}
        body = "".join(
            f"<arg_key>{k}</arg_key><arg_value>{v if isinstance(v, str) else json.dumps(v)}"
            "</arg_value>"
            for k, v in args.items()
        )
        parts.append(f"<tool_call>{call.name}{body}</tool_call>")
    return "\n".join(parts)


def system_prompt(tools_mode: bool) -> str:
    return prompts.SYSTEM_TOOLS if tools_mode else prompts.SYSTEM_TEXT.format(format=TEXT_FORMAT)


def request_chars(request: ChatRequest) -> int:
    """Characters of what the provider tokenizes: messages and tool schemas."""
    chars = sum(len(m.content or "") + len(m.reasoning_content or "") for m in request.messages)
    return chars + sum(len(json.dumps(tool.to_wire())) for tool in request.tools)


def context_budget(
    settings: Settings, window: int, supports_tools: bool, counter: TokenCounter
) -> int:
    """Tokens the repository context may use with this provider and these settings."""
    overhead = counter.count(system_prompt(supports_tools))
    if supports_tools:
        overhead += counter.count(json.dumps([tool.to_wire() for tool in TOOLS]))
    window = settings.context_window or window
    return prompt_budget(window, settings.max_tokens, settings.context_tokens, overhead)


def build_context(engine: ContextEngine, task: EditTask, budget: int, counter: TokenCounter) -> str:
    """The user message of an edit: the engine's context for the file and selection."""
    engine.set_buffers(_relative_buffers(task))
    selection = (task.selection.start, task.selection.end) if task.selection else None
    request = ContextRequest(task.path, task.instruction, selection)
    return engine.assemble(request, budget, counter).render()


def _relative_buffers(task: EditTask) -> dict[str, str]:
    root = task.root.resolve()
    buffers = {}
    for name, text in task.buffers.items():
        path = Path(name).resolve()
        if path.is_relative_to(root):
            buffers[path.relative_to(root).as_posix()] = text
    return buffers


async def run_edit(
    task: EditTask,
    client: ProviderClient,
    engine: ContextEngine,
    on_progress: Progress = _noop,
    on_event: Callable[[StreamEvent], None] | None = None,
) -> EditOutcome:
    """Gather context, ask the model for the edit and return the changed files.

    Nothing touches the disk: changes come back in the outcome for the caller to show.
    """
    counter = TokenCounter.load(client.settings.provider)
    on_progress("gathering context")
    budget = context_budget(client.settings, client.context_window, client.supports_tools, counter)
    context = await asyncio.to_thread(build_context, engine, task, budget, counter)
    session = EditSession(
        task, client, context, counter, on_progress, on_event, engine.excluded_for_tools
    )
    return await session.run(client.settings.max_steps)


async def ask(
    question: str,
    client: ProviderClient,
    path: str | None = None,
    text: str | None = None,
    on_event: Callable[[StreamEvent], None] | None = None,
) -> Completion:
    """A plain question, no tools: the answer and its reasoning."""
    settings = client.settings
    request = ChatRequest(
        messages=[
            Message(role="system", content=prompts.SYSTEM_ASK),
            Message(role="user", content=prompts.ask_request(question, path, text)),
        ],
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        reasoning_effort=settings.reasoning_effort or None,
    )
    return await client.complete(request, on_event)
