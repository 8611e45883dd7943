"""The one model loop and the assistant core, in process, with a scripted model.

The end-to-end tests drive the same code through the CLI and the language server against
the provider emulator; these pin the loop's decisions (format switching, limits, chat's
read-only rule) and the assistant's events without a subprocess or a socket.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import pytest

from glm_lsp.agent.loop import AgentLoop, FormatMemory, Hooks
from glm_lsp.agent.model import Model
from glm_lsp.agent.tools import Workspace
from glm_lsp.assistant import (
    Assistant,
    Cancellation,
    Cancelled,
    ChatRequest,
    Done,
    EditRequest,
    Event,
    Failed,
    Progress,
    ProposedChange,
    Text,
    ToolActivity,
    UsageReport,
)
from glm_lsp.config import Settings
from glm_lsp.edits.overlay import Overlay
from glm_lsp.errors import GlmError
from glm_lsp.providers.types import (
    ChatRequest as ModelRequest,
)
from glm_lsp.providers.types import (
    Completion,
    StreamEvent,
    ToolCall,
    Usage,
)
from helpers import make_repo

CALC = "def add(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n"


def edit_call(old: str = "a - b", new: str = "a + b", path: str = "calc.py") -> ToolCall:
    args = {"path": path, "old_string": old, "new_string": new}
    return ToolCall("c1", "edit_file", json.dumps(args))


def reply(
    content: str = "", *calls: ToolCall, finish: str = "stop", tokens: int = 10
) -> Completion:
    return Completion(
        content=content,
        tool_calls=list(calls),
        finish_reason=finish,
        usage=Usage(prompt_tokens=tokens, completion_tokens=tokens),
    )


@dataclass
class ScriptedModel:
    """A model that answers with queued completions and records every request."""

    replies: list[Completion]
    settings: Settings = field(default_factory=Settings)
    model: str = "scripted-glm"
    supports_tools: bool = True
    context_window: int = 100_000
    requests: list[ModelRequest] = field(default_factory=list)
    hang: asyncio.Event | None = None  # set: the next call waits until cancelled

    async def complete(
        self, request: ModelRequest, on_event: Callable[[StreamEvent], None] | None = None
    ) -> Completion:
        self.requests.append(replace(request, messages=list(request.messages)))  # as sent
        if self.hang is not None:
            self.hang.set()
            await asyncio.Event().wait()
        answer = self.replies.pop(0)
        if on_event is not None and answer.content:
            on_event(StreamEvent("content", answer.content))
        return answer


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"calc.py": CALC})


def workspace(root: Path) -> Workspace:
    return Workspace(Overlay(root, {}))


def run(model: Model, root: Path, formats: FormatMemory | None = None, **kw: object) -> AgentLoop:
    return AgentLoop(
        model, "fix add", writes=True, workspace=workspace(root), formats=formats, **kw
    )


async def test_an_edit_runs_its_tool_calls_then_finishes(repo: Path) -> None:
    model = ScriptedModel([reply("", edit_call(), finish="tool_calls"), reply("Fixed add.")])
    result = await run(model, repo).run()
    assert [(c.path, c.old, c.new) for c in result.changes] == [("calc.py", CALC, FIXED)]
    assert (result.summary, result.steps) == ("Fixed add.", 2)
    assert result.usage == Usage(prompt_tokens=20, completion_tokens=20)
    assert [t.name for t in model.requests[0].tools][:4] == [
        "read_file",
        "list_files",
        "search",
        "find_symbol",
    ]
    assert model.requests[1].messages[-1].role == "tool"
    assert model.requests[1].messages[-1].content == "Edited calc.py."
    assert (repo / "calc.py").read_text() == CALC  # the loop never writes the disk


async def test_two_malformed_replies_switch_the_format_and_it_is_remembered(repo: Path) -> None:
    broken = ToolCall("c1", "edit_file", '{"path": "calc.py", "old')
    block = (
        "calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n>>>>>>> REPLACE\n"
    )
    model = ScriptedModel([reply("", broken), reply("", broken), reply(block)])
    formats = FormatMemory()
    result = await run(model, repo, formats).run()
    assert result.switches == ["tools -> search_replace: tools failed 2 times in a row"]
    assert [c.new for c in result.changes] == [FIXED]
    assert model.requests[2].tools == []
    assert (
        model.requests[2]
        .messages[-1]
        .content.startswith("Your last replies could not be read as edits.")
    )
    assert formats.first(model) == "search_replace"  # the next edit starts there
    assert FormatMemory().first(model) == "tools"  # memory belongs to its owner only


async def test_the_step_and_token_limits_stop_an_edit(repo: Path) -> None:
    looping = [reply("", ToolCall(f"c{i}", "read_file", '{"path": "calc.py"}')) for i in range(3)]
    model = ScriptedModel(looping, settings=replace(Settings(), max_steps=2))
    with pytest.raises(GlmError, match="did not finish the edit within 2 steps"):
        await run(model, repo).run()
    model = ScriptedModel(looping, settings=replace(Settings(), max_task_tokens=15))
    with pytest.raises(GlmError, match="after spending 20 tokens, the max_task_tokens limit"):
        await run(model, repo).run()


async def test_a_reply_cut_at_max_tokens_is_not_a_finished_edit(repo: Path) -> None:
    model = ScriptedModel([reply("I will now", finish="length")])
    with pytest.raises(GlmError, match="cut off at the max_tokens limit"):
        await run(model, repo).run()


@pytest.mark.parametrize(
    "cut",
    [
        "calc.py\n```python\ndef add(a, b):\n    return a +",  # a whole file, unclosed
        "```diff\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,3 @@\n def add(a, b):\n"
        "-    return a - b\n+    if not b:",  # a hunk cut among its new lines
    ],
)
async def test_text_edits_of_a_reply_cut_at_max_tokens_are_not_made(repo: Path, cut: str) -> None:
    # The reply stopped at the limit: its last edit may hold only part of what the model
    # meant (a file written up to the cut would lose the rest). None of it is made; the
    # model hears why and sends its edit again.
    block = "calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n    return a + b\n"
    block += ">>>>>>> REPLACE\n"
    model = ScriptedModel([reply(cut, finish="length"), reply(block)], supports_tools=False)
    result = await run(model, repo).run()
    assert [(c.path, c.new) for c in result.changes] == [("calc.py", FIXED)]
    assert model.requests[1].messages[-1].content == (
        "Your reply was cut off at the max_tokens limit (32768 tokens), so none of its edits "
        "were made: the last one may hold only part of what you meant. Send them again in a "
        "shorter reply: SEARCH/REPLACE blocks of only the lines that change, not whole files."
    )
    model = ScriptedModel([reply(cut, finish="length"), reply("I stop here.")])
    model.supports_tools = False
    result = await run(model, repo).run()
    assert (result.changes, (repo / "calc.py").read_text()) == ([], CALC)
    assert result.failed == [
        "the edit of calc.py: the reply was cut off at the max_tokens limit (32768 tokens)"
    ]


async def test_the_last_call_of_a_reply_cut_at_max_tokens_is_not_run(repo: Path) -> None:
    # A provider's tool parser may close the arguments the cut left open: the last call's
    # text may be only the start of what the model meant. The calls before it are whole.
    first = edit_call()
    last = replace(edit_call("return a + b", "return a +"), id="c2")
    model = ScriptedModel([reply("", first, last, finish="length"), reply("Done.")])
    result = await run(model, repo).run()
    assert [c.new for c in result.changes] == [FIXED]
    assert model.requests[1].messages[-1].content == (
        "Error: your reply was cut off at the max_tokens limit (32768 tokens), so the "
        "arguments of this edit_file call may be incomplete and it was not run. Call it "
        "again, with less in one call if it was long."
    )
    assert result.failed == [
        "edit_file calc.py: your reply was cut off at the max_tokens limit (32768 tokens), so "
        "the arguments of this edit_file call may be incomplete and it was not run."
    ]


@pytest.mark.parametrize(
    ("finish", "why"),
    [
        ("model_context_window_exceeded", "when the model's context window was full"),
        ("network_error", "by a network error at the provider"),
    ],
)
async def test_a_reply_glm_cut_short_makes_no_edit(repo: Path, finish: str, why: str) -> None:
    # Z.ai's API ends a reply with these when it stops it before the model did.
    cut = "calc.py\n```python\ndef add(a, b):\n    return a +"
    model = ScriptedModel([reply(cut, finish=finish), reply("I stop.")], supports_tools=False)
    result = await run(model, repo).run()
    assert result.failed == [f"the edit of calc.py: the reply was cut off {why}"]
    assert result.changes == []
    assert model.requests[1].messages[-1].content.startswith(f"Your reply was cut off {why}, ")
    model = ScriptedModel([reply("I will now", finish=finish)])
    with pytest.raises(GlmError, match=f"cut off {why} before it made the edit; try again"):
        await run(model, repo).run()
    model = ScriptedModel([reply("", finish="sensitive")])
    with pytest.raises(GlmError, match="content filter stopped the model's reply"):
        await run(model, repo).run()


async def test_chat_offers_read_only_tools_and_refuses_writes(repo: Path) -> None:
    model = ScriptedModel([reply("", edit_call()), reply("add subtracts.")])
    tools: list[str] = []
    loop = AgentLoop(
        model,
        "What does add do?",
        writes=False,
        workspace=workspace(repo),
        hooks=Hooks(on_tool=lambda call: tools.append(call.name)),
    )
    result = await loop.run()
    assert {t.name for t in model.requests[0].tools} == {
        "read_file",
        "list_files",
        "search",
        "find_symbol",
    }
    assert model.requests[1].messages[-1].content == (
        "Error: edit_file is not available in chat; chat does not change files."
    )
    assert (result.reply.content, result.changes, tools) == ("add subtracts.", [], ["edit_file"])
    assert [m.role for m in result.transcript] == ["assistant", "tool", "assistant"]


async def test_the_first_request_calibrates_the_token_estimate(repo: Path) -> None:
    observed: list[tuple[int, int]] = []

    class Counter:
        def observe(self, chars: int, prompt_tokens: int) -> None:
            observed.append((chars, prompt_tokens))

    model = ScriptedModel([reply("", edit_call()), reply("done")])
    await run(model, repo, counter=Counter()).run()
    assert len(observed) == 1 and observed[0][1] == 10


# --- the assistant ---------------------------------------------------------------------


def scripted(model: ScriptedModel) -> Callable[[Settings, httpx.AsyncClient], Model]:
    return lambda settings, http: model


async def events(stream: object) -> list[Event]:
    return [event async for event in stream]


async def test_assistant_edit_yields_progress_a_proposed_change_usage_and_done(
    repo: Path, tmp_path: Path
) -> None:
    model = ScriptedModel([reply("", edit_call()), reply("Fixed add.")])
    assistant = Assistant(Settings(), model_factory=scripted(model))
    seen = await events(assistant.edit(EditRequest(repo, "calc.py", "fix add")))
    kinds = [type(e).__name__ for e in seen]
    assert kinds[0] == "Progress" and kinds[-3:] == ["ProposedChange", "UsageReport", "Done"]
    assert [e.message for e in seen if isinstance(e, Progress)][:2] == [
        "gathering context",
        "asking scripted-glm (step 1, 0 tokens)",
    ]
    (change,) = [e for e in seen if isinstance(e, ProposedChange)]
    assert change.diff == (
        "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
        "-    return a - b\n+    return a + b\n"
    )
    assert assistant.usage == Usage(prompt_tokens=20, completion_tokens=20)
    assert isinstance(seen[-1], Done) and seen[-1].text == "Fixed add."
    await assistant.aclose()


async def test_assistant_chat_streams_and_keeps_the_turn(repo: Path, tmp_path: Path) -> None:
    model = ScriptedModel(
        [reply("", ToolCall("r", "read_file", '{"path": "calc.py"}')), reply("It subtracts.")]
    )
    assistant = Assistant(Settings(), model_factory=scripted(model))
    session = assistant.session(repo, "", "what does add do")
    seen = await events(assistant.chat(ChatRequest(repo, session, "What does add do?")))
    assert [e.text for e in seen if isinstance(e, Text)] == ["It subtracts."]
    assert [e.line for e in seen if isinstance(e, ToolActivity)] == ["read_file calc.py"]
    assert isinstance(seen[-2], UsageReport) and isinstance(seen[-1], Done)
    assert [(m.role, m.content) for m in assistant.history(repo, session)][::3] == [
        ("user", "What does add do?"),
        ("assistant", "It subtracts."),
    ]
    await assistant.aclose()


async def test_a_cancellation_handle_ends_an_operation_with_cancelled(repo: Path) -> None:
    model = ScriptedModel([], hang=asyncio.Event())
    assistant = Assistant(Settings(), model_factory=scripted(model))
    cancel = Cancellation()
    stream = assistant.edit(EditRequest(repo, "calc.py", "fix add"), cancel)
    seen: list[Event] = []
    async for event in stream:
        seen.append(event)
        if len(seen) == 1:
            await model.hang.wait()
            cancel.cancel()
    assert isinstance(seen[-1], Cancelled)
    assert not any(isinstance(e, ProposedChange | Failed) for e in seen)


async def test_a_failure_is_one_event_with_the_sentence(repo: Path) -> None:
    assistant = Assistant(Settings())  # no key: the provider client cannot be built
    seen = await events(assistant.edit(EditRequest(repo, "calc.py", "fix add")))
    assert len(seen) == 1 and isinstance(seen[0], Failed)
    assert "API key" in seen[0].message


NOT_FOUND = (
    "edit_file calc.py: old_string was not found in calc.py; old_string must match the file "
    "exactly, including whitespace, indentation and blank lines."
)


async def test_an_edit_the_model_leaves_failed_is_named_in_the_result(repo: Path) -> None:
    calls = [edit_call(), replace(edit_call("a * b", "a / b"), id="c2")]
    model = ScriptedModel([reply("", *calls, finish="tool_calls"), reply("Done.")])
    result = await run(model, repo).run()
    assert [c.new for c in result.changes] == [FIXED]  # the first edit applied
    assert result.failed == [NOT_FOUND]


async def test_an_edit_repaired_later_in_the_task_is_complete(repo: Path) -> None:
    model = ScriptedModel(
        [
            reply("", edit_call("a * b", "a / b"), finish="tool_calls"),
            reply("", edit_call(), finish="tool_calls"),
            reply("Done."),
        ]
    )
    result = await run(model, repo).run()
    assert ([c.new for c in result.changes], result.failed) == ([FIXED], [])


async def test_an_edit_call_repeated_word_for_word_is_made_once_and_not_a_failure(
    repo: Path,
) -> None:
    again = ToolCall("c2", "edit_file", json.dumps({"new_string": "a + b", "path": "calc.py", "old_string": "a - b"}))
    model = ScriptedModel([reply("", edit_call(), again, finish="tool_calls"), reply("Done.")])
    result = await run(model, repo).run()
    assert ([c.new for c in result.changes], result.failed) == ([FIXED], [])
    assert model.requests[1].messages[-1].content == (
        "Already done: an earlier call with these same arguments made this change, and the "
        "file has not changed since, so nothing was done again."
    )


async def test_the_same_call_after_the_file_changed_back_runs_again(repo: Path) -> None:
    undo = replace(edit_call("a + b", "a - b"), id="c2")
    calls = [edit_call(), undo, replace(edit_call(), id="c3")]
    model = ScriptedModel([reply("", *calls, finish="tool_calls"), reply("Done.")])
    result = await run(model, repo).run()
    assert ([c.new for c in result.changes], result.failed) == ([FIXED], [])
    assert model.requests[1].messages[-1].content == "Edited calc.py."


async def test_a_text_reply_may_name_a_file_without_an_extension(repo: Path) -> None:
    (repo / "install").write_text("#!/bin/sh\nversion=0.1\n")
    block = "install\n<<<<<<< SEARCH\nversion=0.1\n=======\nversion=0.2\n>>>>>>> REPLACE\n"
    model = ScriptedModel([reply(block), reply("Done.")], supports_tools=False)
    result = await run(model, repo).run()
    assert [(c.path, c.new) for c in result.changes] == [("install", "#!/bin/sh\nversion=0.2\n")]


async def test_a_text_edit_left_failed_is_named_too(repo: Path) -> None:
    block = "calc.py\n<<<<<<< SEARCH\n    return a * b\n=======\n    return a / b\n>>>>>>> REPLACE\n"
    model = ScriptedModel([reply(block), reply("I could not find it.")], supports_tools=False)
    result = await run(model, repo).run()
    assert result.changes == []
    assert result.failed == [
        "the edit of calc.py: Edit 1 of 1 (SEARCH/REPLACE block for calc.py) was not applied, "
        "so none of the edits were: The SEARCH section was not found in calc.py; the SEARCH "
        "section must match the file exactly, including whitespace, indentation and blank lines."
    ]
