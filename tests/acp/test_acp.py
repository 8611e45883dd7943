"""`glm-lsp acp` driven end to end by the official ACP client SDK (ClientSideConnection in
tests/acp/client.mjs), against the provider emulator and a real git repository.

The Node script plays the editor: it answers permission requests, serves fs/read_text_file
(optionally with an unsaved buffer) and writes through fs/write_text_file. Its first run
installs the SDK from package-lock.json into tests/acp/node_modules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import child_env, make_repo
from provider_server import ProviderServer, Turn

HERE = Path(__file__).resolve().parent
MAIN = "import os\n\n\ndef greet(name):\n    print('hi ' + name)\n"
FIXED = MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None, reason="needs Node and npm"
)


@pytest.fixture(scope="session")
def sdk() -> Path:
    """The SDK client script, with its node_modules installed on first use."""
    if not (HERE / "node_modules" / "@agentclientprotocol" / "sdk").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return HERE / "client.mjs"


@pytest.fixture
def provider(provider_server: Callable[..., ProviderServer]) -> ProviderServer:
    return provider_server("hyperstack")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "ws", {"app/main.py": MAIN})


def drive(sdk: Path, provider: ProviderServer, root: Path, **scenario: str) -> dict[str, Any]:
    """Run one scenario of client.mjs against a fresh `glm-lsp acp`; what the client saw."""
    env = child_env(provider.env())
    env.update({f"GLM_ACP_{key.upper()}": value for key, value in scenario.items()})
    env["GLM_ACP_ROOT"] = str(root)
    result = subprocess.run(
        ["node", str(sdk), sys.executable, "-m", "glm_lsp", "acp"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return seen


def edit_turns() -> list[Turn]:
    change = {"path": "app/main.py", "old_string": "print('hi ' + name)"}
    return [
        Turn(
            reasoning="Checking greet.",
            tool_calls=[("edit_file", {**change, "new_string": "print(f'hi {name}')"})],
        ),
        Turn(content="greet now uses an f-string."),
    ]


def kinds(seen: dict[str, Any]) -> list[str]:
    return [u["sessionUpdate"] for u in seen["updates"]]


def text_of(seen: dict[str, Any], kind: str) -> str:
    return "".join(u["content"]["text"] for u in seen["updates"] if u["sessionUpdate"] == kind)


def test_an_allowed_edit_is_shown_as_a_diff_then_written_through_the_client(
    sdk: Path, provider: ProviderServer, repo: Path
) -> None:
    provider.script(*edit_turns())
    seen = drive(sdk, provider, repo, scenario="prompt", text="Use an f-string", file="app/main.py")
    assert seen.get("error") is None
    assert seen["agent"] == {"protocolVersion": 1, "loadSession": True}
    assert seen["result"] == {"stopReason": "end_turn"}
    assert (repo / "app/main.py").read_text() == FIXED
    assert seen["writes"] == [str(repo / "app/main.py")]
    assert seen["permissions"] == [
        {
            "title": "Apply the changes to app/main.py",
            "options": ["allow_once", "allow_always", "reject_once"],
        }
    ]
    proposed = [u for u in seen["updates"] if u.get("kind") == "edit" and u.get("content")]
    assert proposed[0]["content"] == [
        {
            "type": "diff",
            "path": str(repo / "app/main.py"),
            "oldText": MAIN,
            "newText": FIXED,
        }
    ]
    assert text_of(seen, "agent_thought_chunk") == "Checking greet."
    assert text_of(seen, "agent_message_chunk") == "greet now uses an f-string."
    assert kinds(seen)[-2:] == ["tool_call_update", "usage_update"]
    usage = next(u for u in seen["updates"] if u["sessionUpdate"] == "usage_update")
    assert usage["size"] == 1_048_576 and usage["used"] > 0
    assert usage["cost"]["currency"] == "USD" and usage["cost"]["amount"] > 0
    # what the model saw: the context of the file the prompt named, then the instruction
    context, sent = (m["content"] for m in provider.requests[0].body["messages"][-2:])
    assert "## Current file: app/main.py" in context and "Use an f-string" not in context
    assert sent.endswith("Use an f-string")


def test_a_rejected_edit_leaves_the_file_unchanged(
    sdk: Path, provider: ProviderServer, repo: Path
) -> None:
    provider.script(*edit_turns())
    seen = drive(
        sdk,
        provider,
        repo,
        scenario="prompt",
        text="Use an f-string",
        file="app/main.py",
        permission="reject_once",
    )
    assert seen["result"] == {"stopReason": "end_turn"}
    assert (repo / "app/main.py").read_text() == MAIN
    assert seen["writes"] == []
    assert seen["updates"][-2] == {
        "sessionUpdate": "agent_message_chunk",
        "content": {
            "type": "text",
            "text": "\n\nThe change was not applied; the files are unchanged.",
        },
    }
    failed = [u for u in seen["updates"] if u.get("status") == "failed"]
    assert len(failed) == 1 and failed[0]["sessionUpdate"] == "tool_call_update"


def test_allow_always_skips_the_question_for_the_rest_of_the_session(
    sdk: Path, provider: ProviderServer, repo: Path
) -> None:
    rename = {"path": "app/main.py", "old_string": "def greet", "new_string": "def welcome"}
    provider.script(*edit_turns(), Turn(tool_calls=[("edit_file", rename)]), Turn(content="Ok."))
    seen = drive(
        sdk,
        provider,
        repo,
        scenario="twice",
        text="Use an f-string",
        text2="Rename greet to welcome",
        file="app/main.py",
        permission="allow_always",
    )
    assert (seen["result"], seen["second"]) == ({"stopReason": "end_turn"},) * 2
    assert len(seen["permissions"]) == 1
    assert seen["writes"] == [str(repo / "app/main.py")] * 2
    assert (repo / "app/main.py").read_text() == FIXED.replace("def greet", "def welcome")


def test_the_model_reads_the_unsaved_buffer_through_the_client(
    sdk: Path, provider: ProviderServer, repo: Path
) -> None:
    unsaved = MAIN.replace("hi ", "hello ")
    change = {
        "path": "app/main.py",
        "old_string": "'hello ' + name",
        "new_string": "f'hello {name}'",
    }
    provider.script(Turn(tool_calls=[("edit_file", change)]), Turn(content="Done."))
    seen = drive(
        sdk,
        provider,
        repo,
        scenario="prompt",
        text="Use an f-string",
        file="app/main.py",
        unsaved=unsaved,
    )
    assert seen["reads"] == [str(repo / "app/main.py")]
    assert "print('hello ' + name)" in provider.requests[0].body["messages"][-2]["content"]
    assert (repo / "app/main.py").read_text() == unsaved.replace(
        "'hello ' + name", "f'hello {name}'"
    )


def test_cancel_mid_stream_stops_the_turn_and_closes_the_provider_stream(
    sdk: Path, provider: ProviderServer, repo: Path
) -> None:
    provider.script(Turn(content="Let me think about this", fault="hang"))
    seen = drive(sdk, provider, repo, scenario="cancel", text="Use an f-string", file="app/main.py")
    assert seen["result"] == {"stopReason": "cancelled"}
    assert provider.wait_for_disconnect(5.0)
    assert (repo / "app/main.py").read_text() == MAIN
    assert seen["permissions"] == []


def test_a_loaded_session_replays_and_continues(
    sdk: Path, provider: ProviderServer, repo: Path
) -> None:
    provider.script(Turn(content="greet prints a greeting."))
    first = drive(
        sdk, provider, repo, scenario="prompt", text="What does greet do?", file="app/main.py"
    )
    assert first["result"] == {"stopReason": "end_turn"}
    provider.script(Turn(content="Its argument is a name."))
    second = drive(
        sdk, provider, repo, scenario="load", session=first["sessionId"], text="And its argument?"
    )
    assert second.get("error") is None
    assert [(u["sessionUpdate"], u["content"]["text"]) for u in second["replayed"]] == [
        ("user_message_chunk", "What does greet do?"),
        ("agent_message_chunk", "greet prints a greeting."),
    ]
    assert second["result"] == {"stopReason": "end_turn"}
    assert text_of(second, "agent_message_chunk") == "Its argument is a name."
    earlier = provider.requests[0].body["messages"]
    sent = provider.requests[-1].body["messages"]
    assert sent[: len(earlier)] == earlier  # the first turn again, unchanged: cacheable
    assert "## Current file: app/main.py" in earlier[1]["content"]
    assert [(m["role"], m["content"]) for m in sent[2:]] == [
        ("user", "What does greet do?"),
        ("assistant", "greet prints a greeting."),
        ("user", "And its argument?"),
    ]


def test_errors_are_one_sentence(sdk: Path, provider: ProviderServer, repo: Path) -> None:
    provider.script(Turn(fault="500"), Turn(fault="500"), Turn(fault="500"), Turn(fault="500"))
    seen = drive(sdk, provider, repo, scenario="prompt", text="Use an f-string", file="app/main.py")
    message = seen["error"]["message"]
    assert message.startswith("Hyperstack") and message.count(". ") == 0
    assert provider.env()["HYPERSTACK_API_KEY"] not in json.dumps(seen)
