"""The agent's tools against a real temporary repository: results and refusals, exactly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from glm_lsp.agent.tools import Workspace, run_tool
from glm_lsp.context.engine import ContextEngine
from glm_lsp.edits.overlay import Overlay
from glm_lsp.providers.types import ToolCall
from helpers import make_repo


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = make_repo(
        tmp_path / "repo",
        {
            ".gitignore": "dist/\n",
            "src/app.py": "from src.util import helper\n\n\ndef main():\n    return helper()\n",
            "src/util.py": "def helper():\n    return 42\n",
            "README.md": "# demo\n",
        },
    )
    (root / ".env").write_text("TOKEN=abc\n")
    (root / "dist").mkdir()
    (root / "dist/bundle.js").write_text("x\n")
    (tmp_path / "outside.txt").write_text("outside\n")
    os.symlink(tmp_path / "outside.txt", root / "link.txt")
    engine = ContextEngine(root)
    engine.refresh()
    return Workspace(Overlay(root, {}, engine.excluded_for_tools), engine)


def call(ws: Workspace, tool: str, **args: object) -> str:
    result, _ = run_tool(ToolCall("c1", tool, json.dumps(args)), ws)
    return result


def test_reading_listing_searching_and_finding(ws: Workspace) -> None:
    assert call(ws, "read_file", path="src/util.py") == "1\tdef helper():\n2\t    return 42"
    assert call(ws, "read_file", path="src/app.py", start_line=4, end_line=4) == (
        "4\tdef main():\n(lines 4-4 of 5; read on with start_line=5)"
    )
    assert call(ws, "list_files") == ".gitignore\nREADME.md\nsrc/app.py\nsrc/util.py"
    assert call(ws, "list_files", path="src", glob="u*.py") == "src/util.py"
    assert call(ws, "search", pattern=r"helper\(") == (
        "src/app.py:5:     return helper()\nsrc/util.py:1: def helper():"
    )
    assert call(ws, "search", pattern="(").startswith("Error: the pattern is not a valid regular")
    assert call(ws, "find_symbol", name="helper") == "src/util.py:1: function def helper():"


def test_writes_stay_in_the_overlay(ws: Workspace) -> None:
    assert call(ws, "create_file", path="src/new.py", content="X = 1\n") == "Created src/new.py."
    assert call(ws, "create_file", path="src/new.py", content="") == (
        "Error: src/new.py already exists; change it with edit_file instead."
    )
    assert call(ws, "rename_file", path="README.md", new_path="docs/README.md") == (
        "Renamed README.md to docs/README.md."
    )
    assert call(ws, "delete_file", path="src/util.py") == "Deleted src/util.py."
    assert call(ws, "list_files") == ".gitignore\ndocs/README.md\nsrc/app.py\nsrc/new.py"
    assert (ws.overlay.root / "src/util.py").exists()
    assert not (ws.overlay.root / "src/new.py").exists()


def test_an_edit_copied_from_read_file_with_its_line_numbers_is_made(ws: Workspace) -> None:
    """The model pastes read_file's "N<TAB>" numbers into old_string and new_string."""
    shown = call(ws, "read_file", path="src/app.py", start_line=4, end_line=5).split("\n(")[0]
    assert shown == "4\tdef main():\n5\t    return helper()"
    new = "4\tdef main() -> int:\n5\t    return helper()"
    assert call(ws, "edit_file", path="src/app.py", old_string=shown, new_string=new) == (
        "Edited src/app.py."
    )
    assert ws.overlay.read("src/app.py") == (
        "from src.util import helper\n\n\ndef main() -> int:\n    return helper()\n"
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            "../outside.txt",
            "path ../outside.txt is outside the workspace; use a path relative to the workspace root.",
        ),
        (
            "/etc/passwd",
            "path /etc/passwd is outside the workspace; use a path relative to the workspace root.",
        ),
        (
            "src/../../outside.txt",
            "path src/../../outside.txt is outside the workspace; use a path relative to the workspace root.",
        ),
        (
            "link.txt",
            "path link.txt is outside the workspace (it is a symbolic link to a place outside it); use a path relative to the workspace root.",
        ),
        (".env", "path .env is off limits (a secret file); it cannot be read or changed."),
        (
            "dist/bundle.js",
            "path dist/bundle.js is off limits (ignored by .gitignore); it cannot be read or changed.",
        ),
    ],
)
def test_escapes_and_excluded_files_are_refused(ws: Workspace, path: str, message: str) -> None:
    for name, args in (
        ("read_file", {"path": path}),
        ("edit_file", {"path": path, "old_string": "x", "new_string": "y"}),
        ("create_file", {"path": path, "content": "x"}),
        ("delete_file", {"path": path}),
        ("rename_file", {"path": "src/util.py", "new_path": path}),
    ):
        assert call(ws, name, **args) == f"Error: {message}", name
    assert ws.overlay.changes() == []


def test_git_internals_are_refused(ws: Workspace) -> None:
    assert call(ws, "read_file", path=".git/config").startswith(
        "Error: path .git/config is inside .git/"
    )


def test_bad_calls_are_explained(ws: Workspace) -> None:
    result, ok = run_tool(ToolCall("c1", "edit_file", '{"path": "src/util.py", '), ws)
    assert not ok and result.startswith("Error: the arguments of edit_file are not valid JSON")
    assert call(ws, "format_disk") == (
        "Error: there is no tool named 'format_disk'. Use one of: read_file, list_files, search, "
        "find_symbol, edit_file, create_file, delete_file, rename_file, apply_patch."
    )


def test_arguments_garbled_by_glm_markup_change_nothing(ws: Workspace) -> None:
    """A tool parser that lost its place hands the next argument's tags on as text."""
    garbled = "    return 43\n</arg_value><arg_key>replace_all</arg_key><arg_value>true"
    result = call(
        ws, "edit_file", path="src/util.py", old_string="    return 42\n", new_string=garbled
    )
    assert result == (
        "Error: the arguments of edit_file hold GLM's tool-call markup that does not pair up "
        "(</arg_value>), so the call was garbled on its way here and nothing was done. Send "
        "the call again with plain argument values."
    )
    assert ws.overlay.read("src/util.py") == "def helper():\n    return 42\n"


def test_markup_that_nests_is_written_as_any_text(ws: Workspace) -> None:
    fixture = 'REPLY = "<tool_call>read_file<arg_key>path</arg_key><arg_value>a.py</arg_value></tool_call>"\n'
    assert call(ws, "create_file", path="tests/fixture.py", content=fixture) == (
        "Created tests/fixture.py."
    )
    assert ws.overlay.read("tests/fixture.py") == fixture


def test_a_second_edit_written_against_the_file_as_read_is_carried_over_the_first(
    ws: Workspace,
) -> None:
    """Both edits quote src/app.py as read_file showed it; the second's context line is
    the one the first changed."""
    first = call(
        ws, "edit_file", path="src/app.py", old_string="def main():\n", new_string="def run():\n"
    )
    assert first == "Edited src/app.py."
    second = call(
        ws,
        "edit_file",
        path="src/app.py",
        old_string="def main():\n    return helper()\n",
        new_string="def main():\n    return helper() + 1\n",
    )
    assert second == "Edited src/app.py."
    assert ws.overlay.read("src/app.py") == (
        "from src.util import helper\n\n\ndef run():\n    return helper() + 1\n"
    )
