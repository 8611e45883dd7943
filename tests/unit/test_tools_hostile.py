"""The agent's tools against hostile arguments: long paths, deep nesting, random calls.

Every call ends as a result for the model (one "Error: ..." sentence when refused), never
as an exception that ends the task; nothing outside the workspace is read or written.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from glm_lsp.agent.tools import RUNNERS, Workspace, run_tool
from glm_lsp.context.engine import ContextEngine
from glm_lsp.edits.overlay import Overlay
from glm_lsp.providers.types import ToolCall
from helpers import make_repo

SENTINEL = "OUTSIDE-SENTINEL-7d1f"
FUZZ_CASES = int(os.environ.get("GLM_FUZZ_TOOL_CASES", "3000"))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = make_repo(tmp_path / "repo", {"src/app.py": "def main():\n    return 1\n"})
    (tmp_path / "outside.txt").write_text(SENTINEL + "\n")
    (root / ".env").write_text(f"TOKEN={SENTINEL}\n")
    os.symlink(tmp_path / "outside.txt", root / "link.txt")
    engine = ContextEngine(root)
    engine.refresh()
    return Workspace(Overlay(root, {}, engine.excluded_for_tools), engine)


def call(ws: Workspace, tool: str, arguments: str) -> tuple[str, bool]:
    return run_tool(ToolCall("c1", tool, arguments), ws)


@pytest.mark.parametrize("tool", sorted(RUNNERS))
def test_a_path_of_thousands_of_characters_is_an_error_for_the_model(
    ws: Workspace, tool: str
) -> None:
    long = "a/" * 3000 + "x.py"
    args = {"path": long, "new_path": long, "content": "x", "old_string": "a", "new_string": "b"}
    args |= {"pattern": "x", "name": "x", "patch": f"--- a/{long}\n+++ b/{long}\n@@ -1 +1 @@\n"}
    for path in (long, "b" * 5000):
        result, ok = call(ws, tool, json.dumps({**args, "path": path, "new_path": path}))
        if tool in ("search", "find_symbol", "list_files"):  # a filter that matches nothing
            assert ok or result.startswith("Error: ")
        else:
            assert not ok and result.startswith("Error: ") and "\n" not in result, result


def test_deeply_nested_arguments_are_an_error_for_the_model(ws: Workspace) -> None:
    nested = '{"path": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert call(ws, "read_file", nested) == (
        "Error: the arguments of read_file are nested too deeply",
        False,
    )


HOSTILE_PATHS = [
    "../outside.txt",
    "/etc/passwd",
    "~/.ssh/id_rsa",
    "link.txt",
    ".git/config",
    ".env",
    "src/../../outside.txt",
    "src/\0x",
    "．．/outside.txt",
    "C:\\Windows\\win.ini",
    "a" * 300,
    "/".join(["d"] * 2000),
    "",
    ".",
    "src",
]


def _random_value(rng: random.Random) -> object:
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice(HOSTILE_PATHS)
    if kind == 1:
        return "".join(rng.choice("ab/.\\\0~ \n*?[]") for _ in range(rng.randrange(40)))
    if kind == 2:
        return rng.randrange(-(2**63), 2**63)
    if kind == 3:
        return None
    if kind == 4:
        return [rng.choice(HOSTILE_PATHS)]
    if kind == 5:
        return {"path": rng.choice(HOSTILE_PATHS)}
    if kind == 6:
        return f"--- a/{rng.choice(HOSTILE_PATHS)}\n+++ b/{rng.choice(HOSTILE_PATHS)}\n@@ -1 +1 @@\n-x\n+y\n"
    return rng.choice([True, 1.5, "src/app.py", "def main", "*"])


def _random_arguments(rng: random.Random) -> str:
    keys = ["path", "new_path", "content", "old_string", "new_string", "pattern", "name"]
    keys += ["patch", "glob", "start_line", "end_line", "replace_all"]
    args = {key: _random_value(rng) for key in rng.sample(keys, rng.randrange(len(keys)))}
    text = json.dumps(args)
    if rng.random() < 0.1:
        text = text[: rng.randrange(len(text) + 1)]  # truncated JSON
    return text


def test_random_tool_calls_never_escape_the_workspace(ws: Workspace, tmp_path: Path) -> None:
    """A seeded fuzzer: every call returns a result; nothing outside is read or written."""
    rng = random.Random(13)
    root = ws.overlay.root
    before = {
        p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    escapes = 0
    for _ in range(FUZZ_CASES):
        tool = rng.choice([*RUNNERS, "no_such_tool"])
        result, _ok = run_tool(ToolCall("c", tool, _random_arguments(rng)), ws)
        assert isinstance(result, str) and result
        escapes += SENTINEL in result
    changed = ws.overlay.changes()
    escapes += sum(not (root / c.path).resolve().is_relative_to(root.resolve()) for c in changed)
    escapes += sum(c.path.startswith(".git/") or c.path == ".env" for c in changed)
    after = {
        p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and ".git" not in p.parts
    }
    assert (escapes, after) == (0, before)  # the tools never touch the disk either
