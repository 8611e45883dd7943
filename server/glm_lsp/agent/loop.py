"""The edit loop: context and tools to the model, run its tool calls, repeat until it answers.

Providers that call tools get the file tools; the others (NVIDIA) get a text edit format.
Replies that carry edits as text go through the same appliers either way, and GLM's raw
tool markup arrives here already turned into tool calls by the provider client. A model
that keeps failing its format is moved to the next one (tools → SEARCH/REPLACE → unified
diff → whole file), and the format that worked is remembered for the next edit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from glm_lsp.agent import prompts
from glm_lsp.agent.tools import RUNNERS, TOOLS, Workspace, describe_call, run_tool
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter, prompt_budget
from glm_lsp.context.engine import ContextEngine, ContextRequest, relative_buffers
from glm_lsp.edits.overlay import FileChange, Overlay
from glm_lsp.edits.text_formats import apply_text_edits, parse_text_edits
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


FORMATS = ("tools", "search_replace", "udiff", "whole_file")
FAILURES_BEFORE_SWITCH = 2
# The edit format that last worked for a (provider, model), so later edits start with it.
_preferred: dict[tuple[str, str], str] = {}


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
        engine: ContextEngine | None = None,
    ) -> None:
        self.task = task
        self.client = client
        self.counter = counter
        self.on_progress = on_progress
        self.on_event = on_event
        exclude = engine.excluded_for_tools if engine else None
        self.workspace = Workspace(Overlay(task.root, task.buffers, exclude), engine)
        self.usage = Usage()
        self.format = self._first_format()
        self.failures = 0
        self.switches: list[str] = []  # why the format changed, for the log and the user
        self.messages = [
            Message(role="system", content=prompts.system_for(self.format)),
            Message(role="user", content=context),
        ]

    @property
    def overlay(self) -> Overlay:
        return self.workspace.overlay

    def _first_format(self) -> str:
        if not self.client.supports_tools:
            return _preferred.get(self._key(), "search_replace").replace("tools", "search_replace")
        return _preferred.get(self._key(), "tools")

    def _key(self) -> tuple[str, str]:
        return (self.client.settings.provider, self.client.model)

    async def run(self) -> EditOutcome:
        settings = self.client.settings
        deadline = time.monotonic() + settings.max_task_seconds
        for step in range(1, settings.max_steps + 1):
            self._check_limits(deadline)
            self.on_progress(f"asking {self.client.model} (step {step}, {self._spent()} tokens)")
            reply = await self._ask()
            if reply.tool_calls:
                self._run_tools(reply)
                continue
            self.messages.append(reply.as_message())
            errors, parsed = self._apply_text_edits(reply.content)
            if errors:
                self._note_result(parsed)
                self.messages.append(Message(role="user", content=prompts.retry_text_edits(errors)))
                continue
            _check_finish(reply, self.overlay.changes(), self.client)
            _preferred[self._key()] = self.format
            return EditOutcome(self.overlay.changes(), reply.content.strip(), self.usage, step)
        raise GlmError(f"The model did not finish the edit within {settings.max_steps} steps.")

    def _spent(self) -> int:
        return self.usage.prompt_tokens + self.usage.completion_tokens

    def _check_limits(self, deadline: float) -> None:
        settings = self.client.settings
        if self._spent() >= settings.max_task_tokens:
            raise GlmError(
                f"The edit stopped after spending {self._spent()} tokens, the max_task_tokens "
                "limit; nothing was changed."
            )
        if time.monotonic() >= deadline:
            raise GlmError(
                f"The edit stopped after {settings.max_task_seconds:.0f} seconds, the "
                "max_task_seconds limit; nothing was changed."
            )

    async def _ask(self) -> Completion:
        settings = self.client.settings
        request = ChatRequest(
            messages=self.messages,
            tools=TOOLS if self.format == "tools" else [],
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
        native = self.format == "tools"
        if native:
            self.messages.append(reply.as_message())
        else:  # no tool role in text mode: echo the markup and answer as the user
            self.messages.append(
                Message(
                    role="assistant",
                    content=reply.content + _as_markup(reply.tool_calls),
                    reasoning_content=reply.reasoning or None,
                )
            )
        results = []
        malformed = False
        for call in reply.tool_calls:
            self.on_progress(f"{describe_call(call)} ({self._spent()} tokens)")
            result, ok = run_tool(call, self.workspace)
            malformed |= not ok and _is_malformed(call)
            log.info("tool %s: %s", describe_call(call), "ok" if ok else result)
            if native:
                self.messages.append(Message(role="tool", content=result, tool_call_id=call.id))
            else:
                results.append(f"Result of {call.name}:\n{result}")
        if results:
            self.messages.append(Message(role="user", content="\n\n".join(results)))
        self._note_result(malformed)

    def _note_result(self, malformed: bool) -> None:
        """Count format failures (bad tool JSON, unparseable blocks); switch after a few."""
        self.failures = self.failures + 1 if malformed else 0
        if self.failures < FAILURES_BEFORE_SWITCH:
            return
        following = FORMATS[FORMATS.index(self.format) + 1 :]
        if not following:
            return
        reason = f"{self.format} failed {self.failures} times in a row"
        self.switches.append(f"{self.format} -> {following[0]}: {reason}")
        log.warning(
            "switching the edit format from %s to %s: %s", self.format, following[0], reason
        )
        self.format, self.failures = following[0], 0
        _preferred[self._key()] = self.format
        self.messages.append(Message(role="user", content=prompts.switch_format(self.format)))

    def _apply_text_edits(self, content: str) -> tuple[list[str], bool]:
        """Apply every text edit of a reply, all or nothing.

        Returns the errors (empty when it applied) and whether the reply was malformed
        rather than merely mismatched.
        """
        try:
            edits = parse_text_edits(content, default_path=self.task.path)
        except EditError as exc:
            return [str(exc)], True
        if not edits:
            return [], False

        try:
            texts = apply_text_edits(self.overlay.text_or_none, edits)
        except EditError as exc:
            return [str(exc)], False
        for path, text in texts.items():
            if text is None:
                self.overlay.delete(path)
            else:
                self.overlay.write(path, text)
        return [], False


def _is_malformed(call: ToolCall) -> bool:
    """A call the model wrote wrongly (not a content mismatch): unknown tool or bad JSON."""
    if call.name not in RUNNERS:
        return True
    try:
        call.parsed_arguments()
    except ValueError:
        return True
    return False


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


def request_chars(request: ChatRequest) -> int:
    """Characters of what the provider tokenizes: messages and tool schemas."""
    chars = sum(len(m.content or "") + len(m.reasoning_content or "") for m in request.messages)
    return chars + sum(len(json.dumps(tool.to_wire())) for tool in request.tools)


def context_budget(
    settings: Settings, window: int, supports_tools: bool, counter: TokenCounter
) -> int:
    """Tokens the repository context may use with this provider and these settings."""
    overhead = counter.count(prompts.system_for("tools" if supports_tools else "search_replace"))
    if supports_tools:
        overhead += counter.count(json.dumps([tool.to_wire() for tool in TOOLS]))
    window = settings.context_window or window
    return prompt_budget(window, settings.max_tokens, settings.context_tokens, overhead)


def build_context(engine: ContextEngine, task: EditTask, budget: int, counter: TokenCounter) -> str:
    """The user message of an edit: the engine's context for the file and selection."""
    engine.set_buffers(relative_buffers(task.root, task.buffers))
    selection = (task.selection.start, task.selection.end) if task.selection else None
    request = ContextRequest(task.path, task.instruction, selection)
    return engine.assemble(request, budget, counter).render()


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
    session = EditSession(task, client, context, counter, on_progress, on_event, engine)
    return await session.run()


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
