"""MCP tools on the command line: with no terminal to ask, a tool off the allow list is
refused in one sentence on stderr and the edit goes on; --yes lets it run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from helpers import make_repo, run_cli
from provider_server import ProviderServer, Turn

NOTES_SERVER = Path(__file__).resolve().parents[1] / "mcpservers" / "notes_server.py"
MAIN = "def greet(name):\n    print('hi ' + name)\n"


def _edit(provider: ProviderServer, tmp_path: Path, *flags: str) -> tuple[str, str]:
    """Run `glm-lsp edit` whose model first looks up a note; returns stderr and the result
    of the lookup as the model saw it."""
    root = make_repo(tmp_path / "ws", {"main.py": MAIN})
    config = tmp_path / "config.toml"
    config.write_text(
        "[glm.mcpServers.notes]\n"
        f"command = {json.dumps(sys.executable)}\n"
        f"args = [{json.dumps(str(NOTES_SERVER))}, 'notes']\n"
    )
    edit = {"path": "main.py", "old_string": "'hi ' + name", "new_string": "f'hi {name}'"}
    provider.script(
        Turn(tool_calls=[("notes__lookup", {"key": "style"})]),
        Turn(tool_calls=[("edit_file", edit)]),
        Turn(content="Done."),
    )
    env = {**provider.env(), "GLM_CONFIG_FILE": str(config)}
    result = run_cli(["edit", "main.py", "-i", "use f-strings", *flags], env, root, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "+    print(f'hi {name}')" in result.stdout  # the edit went on either way
    messages = provider.requests[1].body["messages"]
    (tool,) = [m["content"] for m in messages if m["role"] == "tool"]
    return result.stderr, tool


def test_no_terminal_and_no_yes_refuses_in_one_sentence(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    stderr, tool = _edit(provider_server("hyperstack"), tmp_path)
    assert (
        "glm-lsp: notes__lookup was not run: it is not on the server's allow list and there "
        "is no terminal to ask (pass --yes to allow MCP tools).\n" in stderr
    )
    assert tool == "Error: the user did not allow notes__lookup to run; do without it."


def test_yes_lets_the_tool_run(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    stderr, tool = _edit(provider_server("hyperstack"), tmp_path, "--yes")
    assert tool == "The team writes greetings as f-strings." and "not run" not in stderr
