"""Inline completion's pieces: the reply as ghost text, the cache, the cap, the prompt."""

from __future__ import annotations

from pathlib import Path

from glm_lsp.completion import prompt
from glm_lsp.completion.cache import Entry, SuggestionCache
from glm_lsp.completion.spend import HOUR, HourlySpend
from glm_lsp.completion.trim import clean
from glm_lsp.context.engine import ContextEngine
from helpers import make_repo


def test_clean_drops_fences_and_what_the_buffer_already_has() -> None:
    assert clean("```python\nreturn x\n```", "def f():\n    ", "") == "return x"
    assert clean("    print(x)", "def f():\n    pri", "") == "nt(x)"  # restated its line
    assert clean("name)", "print(", ")") == "name"  # the closing bracket is already there
    after = "\n    return total\n"
    assert clean("total += x\n    return total", "    ", after) == "total += x"
    assert clean("a = 1\n\n", "", "") == "a = 1"


def test_cache_serves_the_rest_of_a_suggestion_being_typed() -> None:
    cache = SuggestionCache()
    cache.put(Entry("a.py", "print(", ")\n", "f'hi {name}'"))
    assert cache.get("a.py", "print(", ")\n") == "f'hi {name}'"
    assert cache.get("a.py", "print(f'hi", ")\n") == " {name}'"
    assert cache.get("a.py", "print(f'ho", ")\n") is None  # typed something else
    assert cache.get("a.py", "print(f'hi {name}'", ")\n") is None  # typed it all
    assert cache.get("b.py", "print(", ")\n") is None


def test_the_cap_pauses_within_the_hour_and_tells_once_per_pause() -> None:
    now = [0.0]
    spend = HourlySpend(clock=lambda: now[0])
    spend.add(0.6)
    assert not spend.over(1.0)
    spend.add(0.5)
    assert spend.over(1.0) and spend.first_notice() and not spend.first_notice()
    now[0] = HOUR + 1  # the spending left the window
    assert not spend.over(1.0) and spend.last_hour() == 0
    spend.add(2.0)
    assert spend.over(1.0) and spend.first_notice()  # a new pause is told again


def test_the_prompt_keeps_its_start_while_the_user_types() -> None:
    text = "".join(f"line {n}\n" for n in range(300))
    first = prompt.window(text, 200, 3)
    later = prompt.window(text, 201, 4)  # one line further down
    assert first.before.startswith("line 64\n") and later.before.startswith("line 64\n")
    assert first.before.endswith("\nlin") and first.after.startswith("e 200\nline 201\n")
    messages = prompt.messages("RULES", "DEFS", "a.py", first)
    assert messages[0].content is not None and messages[0].content.endswith("RULES")
    assert messages[1].content is not None and messages[1].content.startswith("DEFS")
    assert messages[1].content.endswith(first.before)


def test_the_scope_is_found_in_the_buffer_and_its_definitions_stay_put(tmp_path: Path) -> None:
    app = "from lib import helper\n\n\ndef task(items):\n    base = helper(items)\n    \n    return base\n"
    root = make_repo(
        tmp_path / "ws", {"app.py": app, "lib.py": "def helper(value):\n    return value\n"}
    )
    engine = ContextEngine(root)
    engine.refresh()
    buffer = app.split("\n")
    scope, found = engine.scope_definitions("app.py", buffer, 5)
    assert scope is not None and scope.name == "task"
    assert [(d.path, d.name) for d in found] == [("lib.py", "helper")]
    assert "def helper(value):" in prompt.render_definitions(found)
    typed_above = ["import sys", "import re", *buffer]  # the index has not seen these yet
    assert engine.scope_definitions("app.py", typed_above, 7) == (scope, found)
