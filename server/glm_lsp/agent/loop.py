"""The one model loop: send the conversation, run the model's tool calls, repeat until it
answers. Edits and chat both run here; chat is the same loop with read-only tools.

Providers that call tools get the file tools; the others (NVIDIA) get a text edit format.
Replies that carry edits as text go through the same appliers either way, and GLM's raw
tool markup arrives here already turned into tool calls by the provider client. A model
that keeps failing its format is moved to the next one (tools → SEARCH/REPLACE → unified
diff → whole file), and the format that worked is remembered (in the caller's
`FormatMemory`) for the next edit.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from glm_lsp.agent import prompts
from glm_lsp.agent.mcp import McpToolbox
from glm_lsp.agent.model import Model, request_for
from glm_lsp.agent.tools import RUNNERS, TOOLS, WRITING, Workspace, describe_call, run_tool
from glm_lsp.agent.unfinished import Unfinished, call_paths
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter, prompt_budget
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.text_formats import TextEdit, apply_text_edits, parse_text_edits
from glm_lsp.errors import EditError, GlmError
from glm_lsp.providers.types import ChatRequest, Completion, Message, StreamEvent, ToolCall, Usage

log = logging.getLogger(__name__)

OnProgress = Callable[[str], None]
OnEvent = Callable[[StreamEvent], None]
OnTool = Callable[[ToolCall], None]

FORMATS = ("tools", "search_replace", "udiff", "whole_file")
FAILURES_BEFORE_SWITCH = 2
READ_ONLY = [tool for tool in TOOLS if tool.name not in WRITING]


def _noop(_: object) -> None:
    pass


class FormatMemory:
    """The edit format that last worked per (provider, model), so later edits start with it.

    The assistant owns one; it lives as long as the process's assistant, not the module.
    """

    def __init__(self) -> None:
        self.formats: dict[tuple[str, str], str] = {}

    def first(self, model: Model) -> str:
        known = self.formats.get(_key(model))
        if not model.supports_tools:
            return (known or "search_replace").replace("tools", "search_replace")
        return known or "tools"

    def remember(self, model: Model, edit_format: str) -> None:
        self.formats[_key(model)] = edit_format


def _key(model: Model) -> tuple[str, str]:
    return (model.settings.provider, model.model)


@dataclass
class Hooks:
    """Where a run reports what it does; every hook is optional."""

    on_progress: OnProgress = _noop
    on_event: OnEvent | None = None
    on_tool: OnTool = _noop


@dataclass
class LoopResult:
    """A finished run: the files it changed, its last reply and everything it kept."""

    changes: list[FileChange]
    summary: str
    usage: Usage
    steps: int
    reply: Completion
    transcript: list[Message] = field(default_factory=list)  # what the run added
    switches: list[str] = field(default_factory=list)  # edit format changes, with reasons
    failed: list[str] = field(default_factory=list)  # edits tried and not made, in words


# An edit's outcome is a loop result; the name stays for readers of the edit flow.
EditOutcome = LoopResult


class AgentLoop:
    """One run: the conversation, the overlay and the usage so far.

    `writes` picks the mode. Writing runs (edits) get every tool or a text format, parse
    edits out of plain replies and switch formats on repeated failure. Read-only runs
    (chat) get the reading tools, refuse writes, and stop at the first plain answer.
    `rules` (the project's rules, rendered) follow the system prompt; `mcp` adds the tools
    of the user's MCP servers wherever the file tools are offered.
    """

    def __init__(
        self,
        model: Model,
        prompt: str,
        *,
        writes: bool,
        workspace: Workspace | None = None,
        history: list[Message] | None = None,
        system: str | None = None,
        rules: str = "",
        formats: FormatMemory | None = None,
        counter: TokenCounter | None = None,
        default_path: str | None = None,
        hooks: Hooks | None = None,
        mcp: McpToolbox | None = None,
        affinity: str = "",
    ) -> None:
        self.model, self.writes, self.workspace = model, writes, workspace
        self.affinity = affinity  # routes the requests to the provider's cache (Cloudflare)
        self.mcp = mcp
        self.formats = formats or FormatMemory()
        self.counter, self.default_path = counter, default_path
        self.hooks = hooks or Hooks()
        self.usage = Usage()
        self.format = self.formats.first(model) if writes else "tools"
        self.failures = 0
        self.unfinished = Unfinished()
        self.made: dict[str, dict[str, str | None]] = {}  # a writing call -> the files it left
        self.switches: list[str] = []
        system = system or (prompts.system_for(self.format) if writes else prompts.SYSTEM_ASK)
        if rules:  # the project's rules stay in the system message: the cached prefix
            system = f"{system}\n\n{rules}"
        self.messages = [Message(role="system", content=system), *(history or [])]
        self.messages.append(Message(role="user", content=prompt))
        self.first = len(self.messages)  # where this run's own messages start

    @property
    def noun(self) -> str:
        return "edit" if self.writes else "answer"

    async def run(self) -> LoopResult:
        settings = self.model.settings
        deadline = time.monotonic() + settings.max_task_seconds
        for step in range(1, settings.max_steps + 1):
            self._check_limits(deadline)
            self.hooks.on_progress(
                f"asking {self.model.model} (step {step}, {self._spent()} tokens)"
            )
            reply = await self._ask_before(deadline)
            if reply.tool_calls and (self.workspace is not None or self.writes):
                await self._run_tools(reply)
                continue
            self.messages.append(reply.as_message())
            if self.writes and not self._took_text_edits(reply):
                continue
            return self._finish(reply, step)
        if not self.writes:
            raise GlmError(f"The model did not answer within {settings.max_steps} steps.")
        raise GlmError(f"The model did not finish the edit within {settings.max_steps} steps.")

    async def resume(self, message: str) -> LoopResult:
        """Go on with the same conversation and overlay after the user's `message` (their
        review of the proposed change); the result holds every change made so far."""
        self.messages.append(Message(role="user", content=message))
        return await self.run()

    def _finish(self, reply: Completion, step: int) -> LoopResult:
        changes = self.workspace.overlay.changes() if self.workspace else []
        if self.writes:
            _check_finish(reply, changes, self.model.settings)
            self.formats.remember(self.model, self.format)
        reply.usage = self.usage
        return LoopResult(
            changes,
            reply.content.strip(),
            self.usage,
            step,
            reply,
            self.messages[self.first :],
            self.switches,
            self.unfinished.sentences(),
        )

    def _spent(self) -> int:
        return self.usage.prompt_tokens + self.usage.completion_tokens

    def _check_limits(self, deadline: float) -> None:
        settings = self.model.settings
        kept = "; nothing was changed" if self.writes else ""
        if self._spent() >= settings.max_task_tokens:
            raise GlmError(
                f"The {self.noun} stopped after spending {self._spent()} tokens, the "
                f"max_task_tokens limit{kept}."
            )
        if time.monotonic() >= deadline:
            raise GlmError(
                f"The {self.noun} stopped after {settings.max_task_seconds:.0f} seconds, the "
                f"max_task_seconds limit{kept}."
            )

    async def _ask_before(self, deadline: float) -> Completion:
        """One model request that ends by the task's deadline, however slowly it streams:
        a provider trickling a byte a second must not keep the task alive."""
        remaining = deadline - time.monotonic() if self.model.settings.max_task_seconds else None
        try:
            async with asyncio.timeout(remaining):
                return await self._ask()
        except TimeoutError:
            self._check_limits(deadline)  # raises the max_task_seconds sentence
            raise

    async def _ask(self) -> Completion:
        tools = TOOLS if self.writes and self.format == "tools" else []
        if not self.writes and self.workspace is not None and self.model.supports_tools:
            tools = READ_ONLY
        if tools and self.mcp is not None:
            tools = [*tools, *self.mcp.offered(len(tools))]
        request = request_for(self.model.settings, self.messages, tools, self.affinity)
        reply = await self.model.complete(request, self.hooks.on_event)
        self.usage = self.usage + reply.usage
        if self.counter is not None and len(self.messages) == self.first:
            self.counter.observe(request_chars(request), reply.usage.prompt_tokens)
        return reply

    async def _run_tools(self, reply: Completion) -> None:
        """Run every call of the turn in order and answer each one."""
        native = self.format == "tools" or not self.writes
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
        why = cut_short(reply, self.model.settings)
        for call in reply.tool_calls:
            self.hooks.on_progress(f"{describe_call(call)} ({self._spent()} tokens)")
            self.hooks.on_tool(call)
            if why is not None and call is reply.tool_calls[-1] and call.name in WRITING:
                # (a provider's parser may close the arguments the cut left open)
                result, ok = prompts.cut_off_call(call.name, why), False
            else:
                result, ok = await self._run_one(call)
            malformed |= not ok and _is_malformed(call, self.mcp)
            self._track(call, ok, result)
            log.info("tool %s: %s", describe_call(call), "ok" if ok else result)
            if native:
                self.messages.append(Message(role="tool", content=result, tool_call_id=call.id))
            else:
                results.append(f"Result of {call.name}:\n{result}")
        if results:
            self.messages.append(Message(role="user", content="\n\n".join(results)))
        if self.writes:
            self._note_result(malformed)

    async def _run_one(self, call: ToolCall) -> tuple[str, bool]:
        if self.mcp is not None and call.name in self.mcp:
            return await self.mcp.call(call)
        if not self.writes and call.name in WRITING:
            refusal = f"Error: {call.name} is not available in chat; chat does not change files."
            return refusal, False
        if self.workspace is None:
            return "Error: no workspace is open, so no tool can run.", False
        key = _call_key(call) if call.name in WRITING else None
        made = self.made.get(key) if key is not None else None
        if made is not None and made == self._files(call):  # files read only for a repeat
            return REPEATED, True
        result, ok = run_tool(call, self.workspace)
        if ok and key is not None:
            self.made[key] = self._files(call)
        return result, ok

    def _files(self, call: ToolCall) -> dict[str, str | None]:
        """The texts of the files a writing call names (None: missing)."""
        overlay = self.workspace.overlay if self.workspace is not None else None
        if overlay is None:
            return {}
        return {p: overlay.read(p) if overlay.exists(p) else None for p in call_paths(call)}

    def _track(self, call: ToolCall, ok: bool, result: str) -> None:
        """Remember a writing call that failed until the model edits that file again."""
        if not self.writes or call.name not in WRITING:
            return
        if ok:
            self.unfinished.made(call_paths(call))
        else:
            self.unfinished.failed(call_paths(call), describe_call(call), result)

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
        self.formats.remember(self.model, self.format)
        self.messages.append(Message(role="user", content=prompts.switch_format(self.format)))

    def _took_text_edits(self, reply: Completion) -> bool:
        """Apply the text edits of a plain reply; on failure ask again and return False."""
        why = cut_short(reply, self.model.settings)
        if why is not None and self._refused_cut_edits(reply.content, why):
            return False
        errors, malformed = self._apply_text_edits(reply.content)
        if not errors:
            return True
        self._note_result(malformed)
        self.messages.append(Message(role="user", content=prompts.retry_text_edits(errors)))
        return False

    def _refused_cut_edits(self, content: str, why: str) -> bool:
        """Whether a reply cut short (`why`) held edits, which are then not made: its last
        one may hold only part of what the model meant (a whole file written up to the cut
        would lose the rest of the file, a hunk its last new lines)."""
        try:
            edits = parse_text_edits(content, self.default_path, self._is_file)
        except EditError:
            edits = None  # (a block the cut left open)
        if edits == []:
            return False
        paths = _text_edit_paths(edits or [])
        self.unfinished.failed(paths, _edits_named(paths), f"the reply was cut off {why}")
        told = prompts.cut_off_edits(why, self.format)
        self.messages.append(Message(role="user", content=told))
        return True

    def _apply_text_edits(self, content: str) -> tuple[list[str], bool]:
        """Apply every text edit of a reply, all or nothing.

        Returns the errors (empty when it applied) and whether the reply was malformed
        rather than merely mismatched.
        """
        try:
            edits = parse_text_edits(content, self.default_path, self._is_file)
        except EditError as exc:
            self.unfinished.failed([], _edits_named(set()), str(exc))
            return [str(exc)], True
        if not edits:
            return [], False
        if self.workspace is None:
            return ["No workspace is open, so the edits cannot be applied."], False
        paths = _text_edit_paths(edits)
        try:
            texts = apply_text_edits(self.workspace.overlay.text_or_none, edits)
        except EditError as exc:
            self.unfinished.failed(paths, _edits_named(paths), str(exc))
            return [str(exc)], False
        self.unfinished.made(paths)
        for path, text in texts.items():
            if text is None:
                self.workspace.overlay.delete(path)
            else:
                self.workspace.overlay.write(path, text)
        return [], False

    def _is_file(self, name: str) -> bool:
        """Whether the workspace has a file `name` (that may be changed): a reply may name
        `install` or `opam` above its SEARCH/REPLACE block."""
        if self.workspace is None:
            return False
        try:
            return self.workspace.overlay.exists(name)
        except EditError:
            return False


def _is_malformed(call: ToolCall, mcp: McpToolbox | None) -> bool:
    """A call the model wrote wrongly (not a content mismatch): unknown tool or bad JSON."""
    if call.name not in RUNNERS and (mcp is None or call.name not in mcp):
        return True
    try:
        call.parsed_arguments()
    except ValueError:
        return True
    return False


def _text_edit_paths(edits: list[TextEdit]) -> set[str]:
    """The files a reply's text edits name (a diff's may name several, comma-separated)."""
    return {path.strip() for edit in edits for path in edit.path.split(",")}


def _edits_named(paths: set[str]) -> str:
    """A reply's text edits as the user is told of them."""
    return "the edit of " + ", ".join(sorted(paths)) if paths else "the edit in the reply"


def _check_finish(reply: Completion, changes: list[FileChange], settings: Settings) -> None:
    """A reply cut short must not pass for a finished edit."""
    why = cut_short(reply, settings)
    if why is not None and not changes:
        at_limit = reply.finish_reason in AT_LIMIT
        advice = "raise max_tokens or narrow the selection" if at_limit else "try again"
        raise GlmError(f"The model's reply was cut off {why} before it made the edit; {advice}.")
    if reply.finish_reason in ("content_filter", "sensitive"):
        raise GlmError(
            "The provider's content filter stopped the model's reply; nothing was changed."
        )


AT_LIMIT = frozenset({"length", "max_tokens"})
"""Finish reasons of a reply stopped at the output limit."""


def cut_short(reply: Completion, settings: Settings) -> str | None:
    """How a reply stopped before the model ended it, as words after "cut off", or None.
    Z.ai's GLM API also stops a reply when the context window fills up or on its own
    network error; OpenAI's dialect says only "length"."""
    reason = reply.finish_reason
    if reason in AT_LIMIT:
        return f"at the max_tokens limit ({settings.max_tokens} tokens)"
    if reason == "model_context_window_exceeded":
        return "when the model's context window was full"
    if reason == "network_error":
        return "by a network error at the provider"
    return None


REPEATED = (
    "Already done: an earlier call with these same arguments made this change, and the file "
    "has not changed since, so nothing was done again."
)
"""The answer to a writing call repeated word for word (models and tool parsers repeat a
call in one turn); run again, it would only fail on its own result."""


def _call_key(call: ToolCall) -> str | None:
    """A call's name and arguments, the same however the JSON was spaced or ordered."""
    try:
        return call.name + json.dumps(call.parsed_arguments(), sort_keys=True)
    except (ValueError, TypeError):
        return None


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
    settings: Settings, window: int, supports_tools: bool, counter: TokenCounter, beside: int = 0
) -> int:
    """Tokens the repository context may use with this provider and these settings, next
    to `beside` tokens of conversation."""
    overhead = beside + counter.count(
        prompts.system_for("tools" if supports_tools else "search_replace")
    )
    if supports_tools:
        overhead += counter.count(json.dumps([tool.to_wire() for tool in TOOLS]))
    window = settings.context_window or window
    return prompt_budget(window, settings.max_tokens, settings.context_tokens, overhead)


def replayed(history: list[Message]) -> list[Message]:
    """Earlier questions and final answers only: old tool results and reasoning stay home."""
    return [
        Message(role=m.role, content=m.content)
        for m in history
        if m.role == "user" or (m.role == "assistant" and not m.tool_calls)
    ]
