"""The CLI as a user runs it: a real process, a real git repository, the test provider."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import child_env, make_repo, run_cli
from provider_server import ProviderServer, Turn

CALC = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"
FIXED = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"
DIFF = (
    "diff --git a/pkg/calc.py b/pkg/calc.py\n"
    "--- a/pkg/calc.py\n"
    "+++ b/pkg/calc.py\n"
    "@@ -1,5 +1,5 @@\n"
    " def add(a, b):\n"
    "-    return a - b\n"
    "+    return a + b\n"
    " \n"
    " \n"
    " def sub(a, b):\n"
)
TOOL_PROVIDERS = ["hyperstack", "cloudflare", "ourtoken", "evolink", "openai"]
BLOCK_REPLY = (
    "pkg/calc.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n    return a - b\n=======\n"
    "def add(a, b):\n    return a + b\n>>>>>>> REPLACE\n```\nFixed the sign in add."
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"pkg/calc.py": CALC, "README.md": "calc\n"})


def edit_turns() -> list[Turn]:
    """Read the file, fix it with edit_file (arguments streamed in pieces), then answer."""
    return [
        Turn(reasoning="Let me look at add.", tool_calls=[("read_file", {"path": "pkg/calc.py"})]),
        Turn(
            reasoning="The sign is wrong.",
            tool_calls=[
                (
                    "edit_file",
                    {
                        "path": "pkg/calc.py",
                        "old_string": "a, b):\n    return a - b\n\n\ndef sub",
                        "new_string": "a, b):\n    return a + b\n\n\ndef sub",
                    },
                )
            ],
        ),
        Turn(content="Fixed the sign in add."),
    ]


@pytest.mark.parametrize("dialect", TOOL_PROVIDERS)
def test_edit_prints_the_exact_diff_with_tools(provider_server, repo: Path, dialect: str) -> None:
    server: ProviderServer = provider_server(dialect)
    server.script(*edit_turns())
    result = run_cli(["edit", "pkg/calc.py", "--instruction", "fix add"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    assert (repo / "pkg/calc.py").read_text() == CALC  # not written without --apply
    assert len(server.requests) == 3
    # The tool results travel back with the turn's reasoning, unmodified, as GLM requires.
    messages = server.requests[1].body["messages"]
    assistant, tool = messages[-2], messages[-1]
    assert assistant["reasoning_content"] == "Let me look at add."
    assert assistant["tool_calls"][0]["function"]["name"] == "read_file"
    assert tool["role"] == "tool" and tool["tool_call_id"] == assistant["tool_calls"][0]["id"]
    assert tool["content"].startswith("1\tdef add(a, b):\n2\t    return a - b\n")
    assert server.requests[2].body["messages"][-1]["content"] == "Edited pkg/calc.py."
    assert [t["function"]["name"] for t in server.requests[0].body["tools"]] == [
        "read_file",
        "list_files",
        "search",
        "find_symbol",
        "edit_file",
        "create_file",
        "delete_file",
        "rename_file",
        "apply_patch",
    ]


def test_edit_on_nvidia_uses_search_replace_blocks(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("nvidia")
    server.script(Turn(content=BLOCK_REPLY))
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    (request,) = server.requests
    assert "tools" not in request.body and "tool_choice" not in request.body
    assert "<<<<<<< SEARCH" in request.body["messages"][0]["content"]


def test_edit_runs_glm_tool_markup_written_as_text(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("ourtoken")
    markup = (
        "I will fix it.<tool_call>edit_file<arg_key>path</arg_key><arg_value>pkg/calc.py"
        "</arg_value><arg_key>old_string</arg_key><arg_value>def add(a, b):\n    return a - b"
        "</arg_value><arg_key>new_string</arg_key><arg_value>def add(a, b):\n    return a + b"
        "</arg_value></tool_call>"
    )
    server.script(Turn(content=markup), Turn(content="Done."))
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF


def test_ambiguous_old_string_goes_back_to_the_model(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    ambiguous = {"path": "pkg/calc.py", "old_string": "return a - b", "new_string": "return a + b"}
    server.script(
        Turn(tool_calls=[("edit_file", ambiguous)]),
        *edit_turns()[1:],
    )
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    error = server.requests[1].body["messages"][-1]["content"]
    assert error == (
        "Error: old_string matches 2 places in pkg/calc.py (starting at lines 2, 6); it must "
        "match exactly one. Include more surrounding lines in old_string to make it unique, "
        "or set replace_all=true to replace every occurrence."
    )


def test_lines_and_apply_write_the_file(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    server.script(*edit_turns()[1:])
    result = run_cli(
        ["edit", str(repo / "pkg/calc.py"), "-i", "fix add", "--lines", "1-2", "--apply"],
        server.env(),
        cwd=repo.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    assert (repo / "pkg/calc.py").read_text() == FIXED
    prompt = server.requests[0].body["messages"][1]["content"]
    assert (
        "## Selection: lines 1-2 of pkg/calc.py (inside function add, lines 1-2)\n"
        "```\ndef add(a, b):\n    return a - b\n```\n"
        "Last changed: lines 1-2: " in prompt
    )
    assert prompt.endswith("\n\n## Instruction\nfix add")


def test_edits_one_after_another_share_the_repository_part_of_the_prompt(
    provider_server, tmp_path: Path
) -> None:
    """Two edits of one file (the first applied) with other lines and instructions: the
    second request repeats the system prompt, the tools and the repository part (map and
    related files) byte for byte, and Cloudflare gets one x-session-affinity for both."""
    files = {"pkg/calc.py": CALC, "pkg/util.py": "from pkg.calc import add\n\nTWO = add(1, 1)\n"}
    for i in range(8):
        files[f"pkg/m{i}.py"] = f"from pkg.calc import sub\n\nX{i} = sub({i}, 1)\n"
    root = make_repo(tmp_path / "repo", files)
    server: ProviderServer = provider_server("cloudflare", prefix_cache=True)
    server.script(*edit_turns()[1:])
    calc = str(root / "pkg/calc.py")
    first = run_cli(
        ["edit", calc, "-i", "fix add", "--lines", "1-2", "--apply"], server.env(), root
    )
    assert first.returncode == 0, first.stderr
    server.script(Turn(content="Nothing to change."))
    second = run_cli(["edit", calc, "-i", "document sub", "--lines", "5-6"], server.env(), root)
    assert second.returncode == 0, second.stderr
    one, two = server.requests[0], server.requests[2]
    assert one.body["messages"][0] == two.body["messages"][0]  # the system prompt
    assert one.body["tools"] == two.body["tools"]
    before, after = one.body["messages"][1]["content"], two.body["messages"][1]["content"]
    assert before.startswith("## Repository map") and "## Related file: pkg/util.py" in before
    repository = before[: before.index("\n\n## Git")]
    assert after.startswith(repository + "\n\n## Git")  # the per-edit parts come after it
    affinity = {r.headers.get("x-session-affinity") for r in server.requests}
    assert len(affinity) == 1 and None not in affinity


def test_no_change_prints_nothing(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("cloudflare")
    server.script(Turn(content="The code is already correct."))
    result = run_cli(["edit", "pkg/calc.py", "-i", "check it"], server.env(), cwd=repo)
    assert (result.returncode, result.stdout) == (0, "")


def test_rejected_key_is_one_sentence_without_the_key(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack", key="the-right-key-123456")
    env = {**server.env(), "HYPERSTACK_API_KEY": "sk-wrong-key-abcdef123456"}
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add", "-v"], env, cwd=repo)
    assert result.returncode == 1
    assert result.stdout == ""
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("glm-lsp: Hyperstack rejected the API key (401)")
    assert "HYPERSTACK_API_KEY" in last
    assert "sk-wrong-key-abcdef123456" not in result.stderr
    assert (repo / "pkg/calc.py").read_text() == CALC


def test_missing_key_and_bad_lines_are_clear(provider_server, repo: Path) -> None:
    result = run_cli(["edit", "pkg/calc.py", "-i", "x"], {"GLM_PROVIDER": "nvidia"}, cwd=repo)
    assert result.returncode == 1
    assert "NVIDIA_API_KEY" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    server: ProviderServer = provider_server("nvidia")
    result = run_cli(["edit", "pkg/calc.py", "--lines", "x-2"], server.env(), cwd=repo)
    assert result.returncode == 1
    assert result.stderr == "glm-lsp: --lines takes A-B with whole line numbers, not 'x-2'.\n"
    assert server.requests == []


def test_ask_prints_answer_and_reasoning_on_request(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("evolink")
    server.script(Turn(reasoning="Thinking about add.", content="add adds two numbers."))
    server.script(Turn(reasoning="Thinking about add.", content="add adds two numbers."))
    plain = run_cli(["ask", "What does add do?", "--file", "pkg/calc.py"], server.env(), cwd=repo)
    assert (plain.returncode, plain.stdout) == (0, "add adds two numbers.\n")
    shown = run_cli(["ask", "What does add do?", "--show-reasoning"], server.env(), cwd=repo)
    assert shown.stdout == "Thinking about add.\n\nadd adds two numbers.\n"
    question = server.requests[0].body["messages"][-1]["content"]
    assert "def add(a, b):" in question and question.endswith("What does add do?")


def test_doctor_shows_settings_without_the_key(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("cloudflare")
    server.script(Turn(content="OK"))
    result = run_cli(["doctor"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "api_key              set" in result.stdout
    assert server.key not in result.stdout + result.stderr
    assert f"request url          {server.base_url}/chat/completions" in result.stdout
    assert "model id             @cf/zai-org/glm-5.2" in result.stdout
    assert "prompt cache         the provider reports cached tokens (0 of " in result.stdout
    assert result.stdout.rstrip().endswith("'OK'")
    assert json.dumps(server.requests[0].body["messages"]) == json.dumps(
        [{"role": "user", "content": "Reply with the single word OK."}]
    )


def test_doctor_says_when_the_provider_does_not_report_cached_tokens(
    provider_server, repo: Path
) -> None:
    server: ProviderServer = provider_server("nvidia")
    result = run_cli(["doctor"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (
        "prompt cache         the provider does not report cached tokens; usage counts every "
        "prompt token in full\n"
    ) in result.stdout


def test_serve_over_tcp_answers_initialize(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "glm_lsp", "serve", "--tcp", f"127.0.0.1:{port}"],
        env=child_env({}),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        connection = _connect(port)
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {"processId": None, "rootUri": None, "capabilities": {}},
            }
        ).encode()
        connection.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        reply = _read_message(connection)
        assert reply["result"]["serverInfo"]["name"] == "glm-lsp"
        assert reply["result"]["capabilities"]["codeActionProvider"]["resolveProvider"] is True
        connection.close()
    finally:
        process.kill()
        process.wait()


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 20
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=20)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _read_message(connection: socket.socket) -> dict[str, Any]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(4096)
    header, _, rest = data.partition(b"\r\n\r\n")
    length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
    while len(rest) < length:
        rest += connection.recv(4096)
    return dict(json.loads(rest[:length]))


def test_cloudflare_native_endpoint_from_the_user_config_file(
    provider_server, repo: Path, tmp_path: Path
) -> None:
    server: ProviderServer = provider_server("cloudflare")
    server.script(*edit_turns())
    config = tmp_path / "config.toml"
    config.write_text('[glm]\nendpoint = "native"\n')
    env = {**server.env(), "GLM_CONFIG_FILE": str(config)}
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], env, cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    assert {r.path for r in server.requests} == {server.native_path}
    assert all("model" not in r.body for r in server.requests)  # the URL names the model


def test_invalid_tool_json_is_answered_so_the_model_can_retry(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    broken = Turn(tool_calls=[("edit_file", {"path": "pkg/calc.py"})], fault="bad_tool_json")
    server.script(broken, *edit_turns()[1:])
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    answer = server.requests[1].body["messages"][-1]
    assert answer["role"] == "tool"
    assert answer["content"].startswith("Error: the arguments of edit_file are not valid JSON")


@pytest.mark.parametrize(
    ("fault", "sentence"),
    [
        (
            "length",
            "glm-lsp: The model's reply was cut off at the max_tokens limit (32768 tokens) "
            "before it made the edit; raise max_tokens or narrow the selection.\n",
        ),
        (
            "content_filter",
            "glm-lsp: The provider's content filter stopped the model's reply; nothing was "
            "changed.\n",
        ),
    ],
)
def test_unfinished_replies_are_reported(
    provider_server, repo: Path, fault: str, sentence: str
) -> None:
    server: ProviderServer = provider_server("ourtoken")
    server.script(Turn(content="I will start by", fault=fault))
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], server.env(), cwd=repo)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", sentence)


def test_a_model_that_keeps_breaking_tool_json_is_switched_to_text_edits(
    provider_server, repo: Path
) -> None:
    server: ProviderServer = provider_server("hyperstack")
    broken = Turn(tool_calls=[("edit_file", {"path": "pkg/calc.py"})], fault="bad_tool_json")
    server.script(broken, broken, Turn(content=BLOCK_REPLY))
    # the switch is a detail: told with -v only (without it stderr has the one sentence)
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add", "-v"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF
    third = server.requests[2].body
    assert "tools" not in third
    assert third["messages"][-1]["content"].startswith(
        "Your last replies could not be read as edits. From now on do not call tools"
    )
    assert "switching the edit format from tools to search_replace" in result.stderr


@pytest.mark.parametrize(
    "reply",
    [
        "```diff\n--- a/pkg/calc.py\n+++ b/pkg/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
        "-    return a - b\n+    return a + b\n```\nFixed.",
        "```diff\n--- pkg/calc.py\n+++ pkg/calc.py\n@@ @@\n def add(a, b):\n"
        "-    return a - b\n+    return a + b\n```",  # no line numbers, no a/ b/
        "pkg/calc.py\n```python\n" + FIXED + "```\nThe whole file, fixed.",
    ],
    ids=["udiff", "udiff-without-numbers", "whole-file"],
)
def test_text_formats_apply_on_a_provider_without_tools(
    provider_server, repo: Path, reply: str
) -> None:
    server: ProviderServer = provider_server("nvidia")
    server.script(Turn(content=reply))
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == DIFF


def test_a_run_over_its_token_limit_stops_with_nothing_changed(
    provider_server, repo: Path, tmp_path: Path
) -> None:
    server: ProviderServer = provider_server("hyperstack")
    server.script(*edit_turns())
    config = tmp_path / "config.toml"
    config.write_text("max_task_tokens = 10\n")
    env = {**server.env(), "GLM_CONFIG_FILE": str(config)}
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add", "--apply"], env, cwd=repo)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.endswith("the max_task_tokens limit; nothing was changed.\n")
    assert (repo / "pkg/calc.py").read_text() == CALC
    assert len(server.requests) == 1


def test_crlf_files_keep_their_line_endings(provider_server, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"win.py": CALC.replace("\n", "\r\n")})
    server: ProviderServer = provider_server("hyperstack")
    edit = {
        "path": "win.py",
        "old_string": "def add(a, b):\n    return a - b",
        "new_string": "def add(a, b):\n    return a + b",
    }
    server.script(Turn(tool_calls=[("edit_file", edit)]), Turn(content="Done."))
    result = run_cli(["edit", "win.py", "-i", "fix add", "--apply"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "win.py").read_bytes() == FIXED.replace("\n", "\r\n").encode()


def test_an_edit_left_failed_writes_nothing_and_says_which(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    good = {"path": "pkg/calc.py", "old_string": "return a - b\n\n\n", "new_string": "return a + b\n\n\n"}
    bad = {"path": "pkg/calc.py", "old_string": "return a * b", "new_string": "return a / b"}
    server.script(
        Turn(tool_calls=[("edit_file", good), ("edit_file", bad)]), Turn(content="Done.")
    )
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix", "--apply"], server.env(), cwd=repo)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "glm-lsp: The model stopped with 1 edit not made, so nothing was written or shown: "
        "edit_file pkg/calc.py: old_string was not found in pkg/calc.py; old_string must match "
        "the file exactly, including whitespace, indentation and blank lines.\n"
    )
    assert (repo / "pkg/calc.py").read_text() == CALC


def test_a_whole_file_cut_at_max_tokens_is_not_written(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("nvidia")  # no tools: edits travel as text
    cut = "pkg/calc.py\n```python\n" + CALC[: CALC.index("return a - b")] + "return a +"
    server.script(Turn(content=cut, finish_reason="length"), Turn(content="I stop here."))
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add", "--apply"], server.env(), cwd=repo)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(
        "glm-lsp: The model stopped with 1 edit not made, so nothing was written or shown: "
        "the edit of pkg/calc.py: the reply was cut off at the max_tokens limit ("
    )
    assert (repo / "pkg/calc.py").read_text() == CALC
    told = server.requests[1].body["messages"][-1]["content"]
    assert told.startswith("Your reply was cut off at the max_tokens limit")


def test_a_dedented_search_block_replaces_whole_lines(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("nvidia")  # no tools: edits travel as text
    # SEARCH copied from after the indentation: it must take the whole line, indentation too.
    reply = "pkg/calc.py\n```python\n<<<<<<< SEARCH\nreturn a - b\n\n\ndef sub(a, b):\n=======\nreturn a + b\n\n\ndef sub(a, b):\n>>>>>>> REPLACE\n```\n"
    server.script(Turn(content=reply))
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix add", "--apply"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "pkg/calc.py").read_text() == FIXED


def test_a_diff_already_applied_is_not_applied_again(provider_server, repo: Path) -> None:
    documented = FIXED.replace("def add(a, b):\n", 'def add(a, b):\n    """Add."""\n')
    (repo / "pkg/calc.py").write_text(documented)
    server: ProviderServer = provider_server("nvidia")
    diff = "```diff\n--- a/pkg/calc.py\n+++ b/pkg/calc.py\n@@ -1,2 +1,3 @@\n def add(a, b):\n+    \"\"\"Add.\"\"\"\n     return a + b\n```\n"
    server.script(Turn(content=diff), Turn(content="Done."))
    result = run_cli(["edit", "pkg/calc.py", "-i", "document add", "--apply"], server.env(), cwd=repo)
    assert (result.returncode, result.stdout) == (1, "")
    assert "edit not made, so nothing was written or shown" in result.stderr
    assert "The edit is already in pkg/calc.py" in result.stderr
    assert (repo / "pkg/calc.py").read_text() == documented  # not documented twice
    retry = server.requests[1].body["messages"][-1]["content"]
    assert "The edit is already in pkg/calc.py" in retry
