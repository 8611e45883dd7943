"""The cursor's scope drives the context: scope extraction, names in play, section shares.

Real parts throughout: tree-sitter tags of real source, real git repositories in temp dirs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glm_lsp.context.budget import TokenCounter, estimate_tokens
from glm_lsp.context.definitions import signature_lines
from glm_lsp.context.engine import ContextEngine, ContextRequest
from glm_lsp.context.scope import Cursor, about_whole_file, enclosing, names_in_play
from glm_lsp.context.tags import extract_tags
from glm_lsp.errors import GlmError
from helpers import make_repo

SERVICE = '''\
import json


class Service:
    """Serves orders."""

    def __init__(self, store):
        self.store = store

    def place(self, order):
        """Place one order."""
        checked = validate_order(order)

        def audit(entry):
            return write_audit_log(entry)

        audit(checked)
        return self.store.save(checked)


def helper_here(x):
    return x
'''


def test_the_scope_is_the_smallest_enclosing_definition() -> None:
    tags = extract_tags(SERVICE.encode(), "python")

    def scope_at(line: int) -> str | None:
        tag = enclosing(tags, Cursor(line, line))
        return tag.name if tag else None

    assert scope_at(10) == "place"  # the def line itself
    assert scope_at(12) == "place"  # inside the body
    assert scope_at(15) == "audit"  # a nested function
    assert scope_at(5) == "Service"  # the class docstring: only the class encloses it
    assert scope_at(1) is None  # module level
    assert enclosing(tags, Cursor(8, 12)) is not None
    assert enclosing(tags, Cursor(8, 12)).name == "Service"  # type: ignore[union-attr]


def test_the_scope_works_beyond_python() -> None:
    source = b"package main\n\nfunc run(n int) int {\n\treturn compute(n)\n}\n"
    tag = enclosing(extract_tags(source, "go"), Cursor(4, 4))
    assert tag is not None and tag.name == "run"
    ts = b"export class Shop {\n  buy(item: Item): void {\n    charge(item);\n  }\n}\n"
    tag = enclosing(extract_tags(ts, "typescript"), Cursor(3, 3))
    assert tag is not None and tag.name == "buy"


def _repo(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    files = {
        "shop/service.py": SERVICE,
        "shop/validation.py": (
            "def validate_order(order):\n"
            '    """Reject orders without items."""\n'
            "    if not order.items:\n"
            "        raise ValueError('empty')\n"
            "    return order\n"
        ),
        "shop/audit.py": "def write_audit_log(entry):\n    print(entry)\n",
        "shop/store.py": "class Store:\n    def save(self, item):\n        return item\n",
    }
    # `save` and `store` are common names: many files use them, so they are not specific
    for i in range(8):
        files[f"shop/user{i}.py"] = f"def use{i}(store):\n    return store.save({i})\n"
    return make_repo(tmp_path / "repo", files | (extra or {}))


def test_names_in_play_put_the_cursor_line_first_then_the_scope_by_specificity(
    tmp_path: Path,
) -> None:
    engine = ContextEngine(_repo(tmp_path))
    engine.refresh()
    tags = engine.index.tags("shop/service.py")
    cursor = Cursor(18, 18)  # return self.store.save(checked)
    scope = enclosing(tags, cursor)
    found = names_in_play(engine.graph, tags, SERVICE, cursor, scope, "")
    assert found.names[0] == "save"  # on the cursor line
    # then what the scope calls: the rare, once-defined names before the common `save`
    assert set(found.names[1:4]) == {"validate_order", "write_audit_log", "audit"}
    assert "place" not in found.names  # the scope's own name


def test_the_scope_callees_definitions_are_in_the_context(tmp_path: Path) -> None:
    """Cursor on the `def` line: neither callee is on it, both definitions are shown."""
    engine = ContextEngine(_repo(tmp_path))
    engine.refresh()
    request = ContextRequest("shop/service.py", "", (10, 10))
    for budget in (1024, 4096):
        text = engine.assemble(request, budget, TokenCounter("t")).render()
        definitions = text[text.index("## Definitions used here") :]
        assert "shop/validation.py" in definitions
        assert "def validate_order(order):" in definitions
        assert '"""Reject orders without items."""' in definitions  # the doc line
        assert "def write_audit_log(entry):" in definitions


def test_signatures_span_their_lines_and_take_the_docstring() -> None:
    lines = [
        "def long_call(",
        "    first: int,",
        "    second: str,",
        ") -> None:",
        '    """',
        "    Do the thing.",
        '    """',
        "    pass",
    ]
    assert signature_lines(lines, 0, 8) == (
        (1, "def long_call("),
        (2, "    first: int,"),
        (3, "    second: str,"),
        (4, ") -> None:"),
        (6, "    Do the thing."),
    )
    go = ["// Run starts the server.", "func Run() {", "}"]
    assert signature_lines(go, 1, 3) == ((2, "func Run() {"), (1, "// Run starts the server."))


def _big_module() -> str:
    """A file far larger than any budget here: many functions, one calling another file."""
    parts = ["from shop.validation import validate_order\n\n"]
    for i in range(300):
        parts.append(f"def step_{i}(value):\n" + "".join(f"    value += {j}\n" for j in range(8)))
        parts.append("    return value\n\n\n")
    parts.append("def target(order):\n    checked = validate_order(order)\n    return checked\n")
    return "".join(parts)


def test_the_current_file_is_its_scope_plus_an_outline_within_forty_percent(
    tmp_path: Path,
) -> None:
    big = _big_module()
    repo = _repo(tmp_path, {"shop/big.py": big})
    engine = ContextEngine(repo)
    engine.refresh()
    line = big.splitlines().index("def target(order):") + 1
    request = ContextRequest("shop/big.py", "", (line, line))
    for budget in (4096, 16384):
        context = engine.assemble(request, budget, TokenCounter("t"))
        current = context.section("current")
        assert current is not None
        assert current.tokens <= 0.4 * budget
        assert "def target(order):" in current.text  # the scope, whole
        assert "Outline of the rest" in current.text
        step = big.splitlines().index("def step_299(value):") + 1
        assert f"{step:>5}│ def step_299(value):" in current.text  # a signature + its line
        assert "value += 7" not in current.text.split("Lines ")[0]  # no bodies in the outline
        definitions = context.section("definitions")
        assert definitions is not None and "def validate_order(order):" in definitions.text
        assert context.tokens + len(context.sections) - 1 <= budget


def test_a_bigger_budget_shows_every_definition_a_smaller_one_does(tmp_path: Path) -> None:
    """From 16K the repository part is chosen first in fixed shares; the current file then
    must not take the rest and crowd out the definitions its scope uses (a 16K context of
    mypy showed fewer of them than a 4K one)."""
    files = 20
    filler = "".join(
        f"def filler_{j}(items: list[int], factor: float = 1.5) -> list[float]:\n"
        f"    return [item * factor + {j} for item in items if item > {j}]\n\n\n"
        for j in range(40)
    )
    helpers = {
        f"shop/helpers_{k}.py": filler
        + "".join(
            f"def helper_{k}_{i}(order, amount: int, currency: str = 'EUR') -> dict:\n"
            f'    """Apply rule {k}.{i} to the order."""\n    return {{}}\n\n\n'
            for i in range(6)
        )
        for k in range(files)
    }
    calls = "".join(f"    helper_{k}_{i}(order, 1)\n" for k in range(files) for i in range(6))
    imports = "".join(
        f"from shop.helpers_{k} import " + ", ".join(f"helper_{k}_{i}" for i in range(6)) + "\n"
        for k in range(files)
    )
    big = imports + _big_module() + "\n\ndef apply_all(order):\n" + calls
    engine = ContextEngine(_repo(tmp_path, {"shop/big.py": big, **helpers}))
    engine.refresh()
    line = big.splitlines().index("def apply_all(order):") + 1
    shown = {}
    for budget in (4096, 16384):
        context = engine.assemble(
            ContextRequest("shop/big.py", "", (line, line)), budget, TokenCounter("t")
        )
        definitions = context.section("definitions")
        assert definitions is not None
        shown[budget] = set(re.findall(r"def (helper_\d+_\d)", definitions.text))
    assert shown[4096] and shown[4096] <= shown[16384]


def test_an_instruction_about_the_whole_file_gets_more_of_it(tmp_path: Path) -> None:
    big = _big_module()
    engine = ContextEngine(_repo(tmp_path, {"shop/big.py": big}))
    engine.refresh()
    line = big.splitlines().index("def target(order):") + 1
    counter = TokenCounter("t")
    scoped = engine.assemble(ContextRequest("shop/big.py", "fix it", (line, line)), 16384, counter)
    whole = engine.assemble(
        ContextRequest("shop/big.py", "add type hints to this file", (line, line)), 16384, counter
    )
    assert about_whole_file("document the module") and not about_whole_file("fix the loop")
    scoped_current, whole_current = scoped.section("current"), whole.section("current")
    assert scoped_current is not None and whole_current is not None
    assert whole_current.tokens > 0.4 * 16384 >= scoped_current.tokens


def test_the_estimate_is_conservative_for_code_and_contexts_keep_their_budget(
    tmp_path: Path,
) -> None:
    code = "    12│ def foo_bar(self, x: int) -> None:\n        return {'a': [1, 2, 3]}\n"
    assert estimate_tokens(code) >= len(code) / 4.5
    calibrated = TokenCounter("t", 3.0, calibrated=True)
    assert calibrated.count("x" * 300) == 100  # the provider's own ratio, once known
    engine = ContextEngine(_repo(tmp_path, {"shop/big.py": _big_module()}))
    engine.refresh()
    for counter in (TokenCounter("t"), calibrated):
        for budget in (1024, 4096, 16384):
            context = engine.assemble(ContextRequest("shop/big.py", "", (5, 5)), budget, counter)
            assert counter.count(context.render()) <= budget


def test_an_instruction_longer_than_the_budget_is_refused_not_sent_over_it(
    tmp_path: Path,
) -> None:
    engine = ContextEngine(_repo(tmp_path, {"shop/big.py": _big_module()}))
    engine.refresh()
    pasted = "explain " * 1500
    with pytest.raises(GlmError) as refused:
        engine.assemble(ContextRequest("shop/big.py", pasted, (5, 5)), 1024, TokenCounter("t"))
    assert str(refused.value) == (
        "The instruction alone is about 1,504 tokens, more than the context budget of 1,024;"
        " shorten it or raise the budget."
    )
    fits = engine.assemble(ContextRequest("shop/big.py", pasted, (5, 5)), 4096, TokenCounter("t"))
    assert fits.tokens + len(fits.sections) - 1 <= 4096


def test_a_call_finds_the_function_not_the_variables_of_the_same_name(tmp_path: Path) -> None:
    files = {f"mods/m{i}.py": "from out import Display\n\ndisplay = Display()\n" for i in range(6)}
    files["out.py"] = "class Display:\n    def display(self, msg):\n        print(msg)\n"
    files["run.py"] = "from mods.m0 import display\n\n\ndef go():\n    display.display('hi')\n"
    engine = ContextEngine(make_repo(tmp_path / "repo", files))
    engine.refresh()
    text = engine.assemble(ContextRequest("run.py", "", (4, 4)), 1024, TokenCounter("t")).render()
    assert "def display(self, msg):" in text[text.index("## Definitions used here") :]


def test_secrets_in_shown_definitions_are_redacted(tmp_path: Path) -> None:
    value = "Zq8" + "xW2vR9kLm4Pt7Yb3Nc6Hd1Jf5Gs0Qa"  # built at run time: no key literal
    key_block = "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEow" + "IBAAKCAQEA7x9" * 4 + "\n"
    key_block += "-----END RSA PRIVATE KEY-----\n"
    files = {
        "conf.py": f'def connect_db():\n    api_token = "{value}"\n    return api_token\n',
        "keys.py": f'def load_key():\n    return """\n{key_block}"""\n',
        "main.py": "def main():\n    connect_db()\n    load_key()\n",
    }
    engine = ContextEngine(make_repo(tmp_path / "repo", files))
    engine.refresh()
    text = engine.assemble(ContextRequest("main.py", "", (1, 1)), 4096, TokenCounter("t")).render()
    assert "def connect_db():" in text and "def load_key():" in text
    assert value not in text and "MIIEow" not in text
