"""Prompts laid out for the provider's prefix cache: a chat turn repeats the earlier turns'
requests byte for byte, an edit's repository part does not move with the instruction, and
what the cache saved is reported.

The assistant runs in process with the scripted model of test_agent_loop (it records every
request as sent); the language-server test drives the same layout against the provider
emulator's prefix cache.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

from test_agent_loop import ScriptedModel, events, reply, scripted

from glm_lsp.agent.loop import context_budget
from glm_lsp.assistant import Assistant, ChatRequest, Done
from glm_lsp.assistant.conversation import (
    CONTEXT,
    UPDATE,
    Basis,
    layout,
    needs_rebuild,
    update,
)
from glm_lsp.assistant.core import affinity_key
from glm_lsp.assistant.events import LineSpan
from glm_lsp.config import Settings
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine, ContextRequest
from glm_lsp.providers.dialects import request_headers, resolve
from glm_lsp.providers.pricing import PRICES, cache_savings
from glm_lsp.providers.types import ChatRequest as ModelRequest
from glm_lsp.providers.types import Message, ToolCall, Usage
from glm_lsp.store import SessionStore, Stored
from helpers import make_repo

APP = (
    "def handler(request):\n    return render(request)\n\n\ndef render(request):\n    return 'ok'\n"
)
UTIL = "def helper():\n    return 1\n"
OTHER = "def elsewhere():\n    return 2\n"


def wire(request: ModelRequest) -> list[str]:
    return [json.dumps(m.to_wire()) for m in request.messages]


def chat(root: Path, session: str, text: str, path: str | None = None, **kw: object) -> ChatRequest:
    return ChatRequest(root, session, text, path, **kw)  # type: ignore[arg-type]


async def test_each_turn_resends_the_previous_request_byte_for_byte(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo", {"app/main.py": APP, "app/util.py": UTIL, "lib/other.py": OTHER}
    )
    model = ScriptedModel(
        [
            reply("First answer."),
            reply("", ToolCall("r", "read_file", '{"path": "app/util.py"}')),
            reply("Second answer."),
            reply("Third answer."),
            reply("Fourth answer."),
        ]
    )
    assistant = Assistant(Settings(), model_factory=scripted(model))
    session = assistant.session(root, "", "about main")
    main = str(root / "app/main.py")
    await events(assistant.chat(chat(root, session, "What does handler do?", "app/main.py")))
    await events(assistant.chat(chat(root, session, "And render?", "app/main.py")))
    edited = APP.replace("'ok'", "'fine'")
    buffers = {main: edited}
    selected = chat(
        root, session, "Why?", "app/main.py", lines=LineSpan(5, 6), buffers=lambda: buffers
    )
    await events(assistant.chat(selected))
    first, second, after_tool, third = (wire(r) for r in model.requests)
    assert first[1:] != [] and json.loads(first[1])["content"].startswith("## ")
    assert "What does handler do?" not in json.loads(first[1])["content"]
    assert json.loads(first[-1]) == {"role": "user", "content": "What does handler do?"}
    assert second[: len(first)] == first  # turn 2 starts with turn 1's request
    assert after_tool[: len(second)] == second  # the tool exchange follows within its turn
    assert second[len(first) :] == [
        json.dumps({"role": "assistant", "content": "First answer."}),
        json.dumps({"role": "user", "content": "And render?"}),
    ]
    assert third[: len(second)] == second
    update_sent = json.loads(third[-2])["content"]
    assert update_sent == (
        "## Changes since you were shown these files\n```diff\n--- a/app/main.py\n"
        "+++ b/app/main.py\n@@ -3,4 +3,4 @@\n \n \n def render(request):\n"
        "-    return 'ok'\n+    return 'fine'\n```\n\n"
        "## Selection now: lines 5-6 of app/main.py\n```\ndef render(request):\n"
        "    return 'fine'\n```"
    )
    kinds = [s.kind for s in assistant.store(root).stored(session)]
    assert kinds.count(CONTEXT) == 1 and kinds.count(UPDATE) == 1
    assert [m.content for m in assistant.history(root, session) if m.role == "user"] == [
        "What does handler do?",
        "And render?",
        "Why?",
    ]  # what the user sees of the session: no context, no update

    # another part of the repository: the context is built again, once, and comes first
    await events(assistant.chat(chat(root, session, "And this one?", "lib/other.py")))
    fourth = wire(model.requests[-1])
    assert "## Current file: lib/other.py" in json.loads(fourth[1])["content"]
    assert [json.loads(m)["content"] for m in fourth[2:]] == [
        "What does handler do?",
        "First answer.",
        "And render?",
        "Second answer.",
        "Why?",
        "Third answer.",
        "And this one?",
    ]  # the old context and its update are gone with it
    await assistant.aclose()


async def test_a_restarted_assistant_sends_the_stored_turns_unchanged(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"app/main.py": APP})
    sessions = tmp_path / "sessions.sqlite"
    model = ScriptedModel([reply("One."), reply("Two.")])
    first = Assistant(Settings(), model_factory=scripted(model), store_path=lambda _: sessions)
    session = first.session(root, "", "t")
    await events(first.chat(chat(root, session, "Q1", "app/main.py")))
    await first.aclose()
    second = Assistant(Settings(), model_factory=scripted(model), store_path=lambda _: sessions)
    seen = await events(second.chat(chat(root, session, "Q2", "app/main.py")))
    assert isinstance(seen[-1], Done)
    before, after = (wire(r) for r in model.requests)
    assert after[: len(before)] == before and len(after) == len(before) + 2
    assert model.requests[0].affinity == model.requests[1].affinity == affinity_key(root, session)
    await second.aclose()


def test_layout_keeps_the_latest_context_first_and_drops_tool_exchanges() -> None:
    stored = [
        Stored(Message("user", "context 1"), CONTEXT),
        Stored(Message("user", "Q1")),
        Stored(Message("assistant", "", tool_calls=[ToolCall("c", "read_file", "{}")])),
        Stored(Message("tool", "file text", tool_call_id="c")),
        Stored(Message("assistant", "A1", reasoning_content="thinking")),
        Stored(Message("user", "update 1"), UPDATE),
        Stored(Message("user", "Q2")),
        Stored(Message("assistant", "A2")),
        Stored(Message("user", "context 2"), CONTEXT),
        Stored(Message("user", "Q3")),
        Stored(Message("assistant", "A3")),
        Stored(Message("user", "update 2"), UPDATE),
    ]
    assert [(m.role, m.content) for m in layout(stored)] == [
        ("user", "context 2"),
        ("user", "Q1"),
        ("assistant", "A1"),
        ("user", "Q2"),
        ("assistant", "A2"),
        ("user", "Q3"),
        ("assistant", "A3"),
        ("user", "update 2"),
    ]
    assert all(m.reasoning_content is None for m in layout(stored))


def test_updates_say_what_changed_and_rebuilds_happen_only_when_needed() -> None:
    basis = Basis("app/main.py", None, {"app/main.py": APP, "app/util.py": UTIL}, 1000, 0)
    files = {"app/main.py": APP, "app/util.py": UTIL, "app/new.py": "x = 1\n"}
    assert update(basis, "app/main.py", None, files.get).entries == []
    plan = update(basis, "app/new.py", None, files.get)
    (entry,) = plan.entries
    assert entry.message.content == "## File now in view: app/new.py\n```\nx = 1\n```"
    assert plan.basis is not None and plan.basis.update_chars == len(entry.message.content)
    gone = update(basis, "app/main.py", None, {"app/main.py": APP}.get)
    assert gone.entries[0].message.content == (
        "## Changes since you were shown these files\napp/util.py was deleted."
    )
    assert not needs_rebuild(basis, "app/util.py")  # shown in the context
    assert not needs_rebuild(basis, "app/new.py", 6)  # beside the file the context is about
    assert needs_rebuild(basis, "app/new.py", 300)  # too big for an update
    assert needs_rebuild(basis, "lib/other.py")  # another part of the repository
    assert not needs_rebuild(basis, None)
    assert needs_rebuild(None, "app/main.py")
    grown = Basis("app/main.py", None, {}, 1000, 251)
    assert needs_rebuild(grown, "app/main.py")  # the updates outgrew a quarter of it


def test_the_repository_part_does_not_move_with_the_instruction_or_the_ratio(
    tmp_path: Path,
) -> None:
    files = {
        f"pkg/mod{i}.py": f"from pkg.main import run\n\n\ndef f{i}():\n    return run({i})\n"
        for i in range(30)
    }
    files["pkg/main.py"] = "def run(x):\n    return x\n\n\ndef other():\n    return run(2)\n" * 20
    root = make_repo(tmp_path / "repo", files)
    engine = ContextEngine(root)
    engine.refresh()
    learned = TokenCounter("cloudflare", 3.1, calibrated=True)
    contexts = [
        engine.assemble(
            ContextRequest("pkg/main.py", "Rename run", (1, 2)), 16384, TokenCounter("x")
        ),
        engine.assemble(
            ContextRequest("pkg/main.py", "Document other in detail", (5, 6)), 16384, learned
        ),
    ]
    first, second = ([s for s in c.sections if s.key in ("repo_map", "related")] for c in contexts)
    assert [s.key for s in first] == ["repo_map", "related"]
    assert [s.text for s in first] == [s.text for s in second]
    assert contexts[0].render().startswith("## Repository map")
    for context in contexts:  # the fixed shares and the rest stay within the budget
        assert context.tokens + len(context.sections) - 1 <= 16384


def test_cloudflare_requests_carry_the_session_affinity_and_no_other_dialect_does() -> None:
    request = ModelRequest(messages=[Message("user", "hi")], affinity="abc123")
    settings = Settings(provider="cloudflare", api_key="k", account_id="a")
    assert request_headers(resolve(settings), request)["x-session-affinity"] == "abc123"
    assert "x-session-affinity" not in request_headers(resolve(settings), ModelRequest([]))
    other = resolve(Settings(provider="ourtoken", api_key="k"))
    assert "x-session-affinity" not in request_headers(other, request)
    key = affinity_key(Path("/work/x"), "s1")
    assert key == affinity_key(Path("/work/x"), "s1") != affinity_key(Path("/work/x"), "s2")
    assert "s1" not in key and "work" not in key


def test_usage_reports_what_the_cache_saved() -> None:
    price = PRICES[("cloudflare", "@cf/zai-org/glm-5.2")]
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=0, cached_tokens=900_000)
    assert round(cache_savings(usage, price), 6) == round(0.9 * (1.40 - 0.26), 6)
    assert cache_savings(usage, PRICES[("hyperstack", "zai-org/GLM-5.2")]) == 0.0
    usage.cost, usage.saved = 0.374, 1.026
    assert usage.describe() == (
        "1000000 prompt (900000 cached), 0 completion (0 reasoning) tokens, $0.3740 "
        "(the cache saved $1.0260)"
    )
    assert usage.cached_share == 0.9
    assert (usage + usage).saved == 2.052


def test_an_older_session_database_opens_and_keeps_its_messages(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        "create table sessions (id text primary key, title text, created real);"
        "create table messages (session text, seq integer, role text, content text, "
        "reasoning text, tool_calls text, tool_call_id text, primary key (session, seq));"
        "create table usage (session text, at real, prompt integer, cached integer, "
        "completion integer, reasoning integer, cost real);"
        "insert into sessions values ('s', 'old', 0);"
        "insert into messages values ('s', 0, 'user', 'Q', null, '[]', null);"
        "insert into usage values ('s', 0, 10, 5, 2, 0, 0.5);"
    )
    db.commit()
    db.close()
    store = SessionStore(path)
    assert [m.content for m in store.messages("s")] == ["Q"]
    store.append("s", [Stored(Message("user", "ctx"), CONTEXT), Message("user", "Q2")])
    assert [s.kind for s in store.stored("s")] == ["", CONTEXT, ""]
    assert store.usage("s") == Usage(10, 2, 0, 5, 0.5, 0.0)
    (info,) = store.sessions()
    assert info.messages == 2


async def test_a_context_that_no_longer_fits_beside_the_conversation_is_rebuilt_smaller(
    tmp_path: Path,
) -> None:
    big = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(120))
    root = make_repo(tmp_path / "repo", {"app/main.py": big})
    settings = Settings(context_window=60_000, max_tokens=1000, context_tokens=8192)
    counter = TokenCounter.load(settings.provider)
    probe = ScriptedModel([reply("x")], settings=settings)
    measuring = Assistant(settings, model_factory=scripted(probe))
    other = measuring.session(root, "", "probe")
    await events(measuring.chat(chat(root, other, "What is f3?", "app/main.py")))
    context_tokens = counter.tokens_for_chars(len(probe.requests[0].messages[1].content or ""))
    await measuring.aclose()
    uncapped = dataclasses.replace(settings, context_tokens=10**9)
    alone = context_budget(uncapped, 100_000, False, counter)  # the window less the overhead
    # an answer that leaves room for half the context only
    answer = "y" * int((alone - context_tokens // 2) * counter.chars_per_token)
    model = ScriptedModel([reply(answer), reply("z")], settings=settings)
    assistant = Assistant(settings, model_factory=scripted(model))
    session = assistant.session(root, "", "long")
    await events(assistant.chat(chat(root, session, "What is f3?", "app/main.py")))
    await events(assistant.chat(chat(root, session, "And f4?")))
    first, second = (r.messages for r in model.requests)
    assert first[1].content == probe.requests[0].messages[1].content
    rebuilt = second[1].content or ""
    assert rebuilt.startswith("## Current file: app/main.py (lines 1-")  # a window of it
    assert 0 < len(rebuilt) < len(first[1].content or "")
    assert [m.content for m in second[2:]] == ["What is f3?", answer, "And f4?"]
    kinds = [s.kind for s in assistant.store(root).stored(session)]
    assert kinds.count(CONTEXT) == 2
    await assistant.aclose()
