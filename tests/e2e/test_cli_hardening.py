"""The CLI against a hostile world: files that change under it, secrets, slow providers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import child_env, make_repo, run_cli
from provider_server import ProviderServer, Turn

CALC = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"
FIX_ADD = {
    "path": "pkg/calc.py",
    "old_string": "def add(a, b):\n    return a - b",
    "new_string": "def add(a, b):\n    return a + b",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"pkg/calc.py": CALC, "README.md": "calc\n"})


def _edit_while(
    server: ProviderServer, repo: Path, args: list[str], meanwhile: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `glm-lsp edit ARGS`, writing `meanwhile` to disk once the model made its edit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "glm_lsp", "edit", *args],
        env=child_env(server.env()),
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 30
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    for rel, text in meanwhile.items():
        (repo / rel).write_text(text)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _slow_edit(server: ProviderServer) -> None:
    server.script(
        Turn(tool_calls=[("edit_file", FIX_ADD)]),
        Turn(content="Fixed add.", fault="slow_first_byte", delay=1.5),
    )


def test_apply_rebases_onto_a_change_saved_meanwhile(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    _slow_edit(server)
    saved = CALC + "\n\ndef mul(a, b):\n    return a * b\n"
    result = _edit_while(
        server, repo, ["pkg/calc.py", "-i", "fix", "--apply"], {"pkg/calc.py": saved}
    )
    assert result.returncode == 0, result.stderr
    assert (repo / "pkg/calc.py").read_text() == saved.replace("a - b", "a + b", 1)


def test_apply_refuses_when_the_same_lines_changed_meanwhile(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    _slow_edit(server)
    saved = CALC.replace("return a - b", "return b - a", 1)
    result = _edit_while(
        server, repo, ["pkg/calc.py", "-i", "fix", "--apply"], {"pkg/calc.py": saved}
    )
    assert result.returncode == 1
    assert result.stderr == (
        "glm-lsp: pkg/calc.py: line 2 changed both on disk and in the proposed edit; "
        "nothing was written.\n"
    )
    assert (repo / "pkg/calc.py").read_text() == saved  # the user's change is kept


def test_apply_keeps_the_mode_and_writes_atomically(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    server.script(Turn(tool_calls=[("edit_file", FIX_ADD)]), Turn(content="Fixed."))
    os.chmod(repo / "pkg/calc.py", 0o755)
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix", "--apply"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "pkg/calc.py").stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in (repo / "pkg").iterdir()) == ["calc.py"]  # no temp left


def test_a_byte_order_mark_stays_before_the_first_line(provider_server, tmp_path: Path) -> None:
    """A file saved by a Windows editor starts with a mark the model never sees: a header
    added above line 1, and line 2 fixed, land after it, and the mark stays first."""
    repo = make_repo(tmp_path / "repo", {"calc.py": "\ufeff" + CALC})
    patch = (
        "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,3 @@\n+\"\"\"Arithmetic.\"\"\"\n"
        " def add(a, b):\n-    return a - b\n+    return a + b\n"
    )
    server: ProviderServer = provider_server("hyperstack")
    server.script(Turn(tool_calls=[("apply_patch", {"patch": patch})]), Turn(content="Fixed."))
    result = run_cli(["edit", "calc.py", "-i", "fix", "--apply"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    fixed = '\ufeff"""Arithmetic."""\n' + CALC.replace("a - b", "a + b", 1)
    assert (repo / "calc.py").read_bytes().decode("utf-8") == fixed


def test_rename_appears_in_the_diff_and_on_disk(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    rename = {"path": "pkg/calc.py", "new_path": "pkg/arith.py"}
    server.script(Turn(tool_calls=[("rename_file", rename)]), Turn(content="Renamed."))
    result = run_cli(["edit", "pkg/calc.py", "-i", "rename", "--apply"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "diff --git a/pkg/calc.py b/pkg/arith.py\nrename from pkg/calc.py\nrename to pkg/arith.py\n"
    )
    assert not (repo / "pkg/calc.py").exists()
    assert (repo / "pkg/arith.py").read_text() == CALC


def test_create_and_delete_appear_in_the_diff_and_on_disk(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    create = {"path": "pkg/new.py", "content": "X = 1\n"}
    server.script(
        Turn(tool_calls=[("create_file", create), ("delete_file", {"path": "README.md"})]),
        Turn(content="Done."),
    )
    result = run_cli(["edit", "pkg/calc.py", "-i", "reorganise", "--apply"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "diff --git a/README.md b/README.md\ndeleted file mode 100644\n" in result.stdout
    assert "diff --git a/pkg/new.py b/pkg/new.py\nnew file mode 100644\n" in result.stdout
    assert not (repo / "README.md").exists()
    assert (repo / "pkg/new.py").read_text() == "X = 1\n"


SECRETS = {
    ".env": "DATABASE_URL=postgres://app:hunter2hunter2@db/app\n",
    "deploy/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
    ".npmrc": "//registry.npmjs.org/:_authToken=5f2c9a7e-1111-2222-3333-444455556666\n",
}


@pytest.mark.parametrize("rel", sorted(SECRETS))
@pytest.mark.parametrize("command", ["edit", "context"])
def test_a_secret_target_is_refused_and_nothing_is_sent(
    provider_server, tmp_path: Path, rel: str, command: str
) -> None:
    repo = make_repo(tmp_path / "repo", {"README.md": "calc\n", **{rel: SECRETS[rel]}})
    server: ProviderServer = provider_server("hyperstack")
    result = run_cli([command, rel, "-i", "tidy"], server.env(), cwd=repo)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"glm-lsp: {rel} is a secret file, so nothing of it is sent to the provider; to allow "
        "it, add it to the allow_paths setting (GLM_ALLOW_PATHS).\n"
    )
    assert server.requests == []


def test_ignored_and_binary_targets_are_refused(provider_server, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".gitignore": "build/\n", "README.md": "x\n"})
    (repo / "build").mkdir()
    (repo / "build/out.py").write_text("X = 1\n")
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    server: ProviderServer = provider_server("hyperstack")
    ignored = run_cli(["edit", "build/out.py", "-i", "x"], server.env(), cwd=repo)
    assert ignored.stderr.startswith("glm-lsp: build/out.py is ignored by .gitignore, so nothing")
    binary = run_cli(["edit", "logo.png", "-i", "x"], server.env(), cwd=repo)
    assert binary.stderr.startswith("glm-lsp: logo.png is a binary file, so nothing of it")
    assert server.requests == []


def test_allow_paths_lets_a_refused_target_through(provider_server, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".env": "DEBUG=1\n"})
    server: ProviderServer = provider_server("hyperstack")
    server.script(Turn(content="Nothing to change."))
    env = {**server.env(), "GLM_ALLOW_PATHS": "*.toml, .env"}
    result = run_cli(["edit", ".env", "-i", "x"], env, cwd=repo)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert "DEBUG=1" in json.dumps(server.requests[0].body)


def test_a_trickling_reply_ends_at_max_task_seconds(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    server.script(Turn(content="never finished", fault="trickle", delay=0.5))
    config = repo.parent / "config.toml"
    config.write_text("max_task_seconds = 3\n")
    started = time.monotonic()
    env = {**server.env(), "GLM_CONFIG_FILE": str(config)}
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix"], env, cwd=repo)
    assert time.monotonic() - started < 10
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "glm-lsp: The edit stopped after 3 seconds, the max_task_seconds limit; "
        "nothing was changed.\n"
    )
    assert server.wait_for_disconnect()


def test_retries_are_quiet_without_verbose_and_told_with_it(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    for _ in range(2):
        server.script(Turn(fault="429", retry_after="0"), Turn(content="Nothing to change."))
    quiet = run_cli(["edit", "pkg/calc.py", "-i", "check"], server.env(), cwd=repo)
    assert quiet.returncode == 0, quiet.stderr
    (line,) = quiet.stderr.splitlines()
    assert line.startswith("glm-lsp: ") and "WARNING" not in line
    verbose = run_cli(["edit", "pkg/calc.py", "-i", "check", "-v"], server.env(), cwd=repo)
    assert "WARNING glm_lsp.providers: Hyperstack: rate_limit (429); retry 1 of 3" in verbose.stderr


def test_a_trickling_reply_ends_at_request_timeout(provider_server, repo: Path) -> None:
    server: ProviderServer = provider_server("hyperstack")
    server.script(Turn(content="never finished", fault="trickle", delay=0.5))
    config = repo.parent / "config.toml"
    config.write_text("request_timeout = 2\nmax_task_seconds = 60\n")
    started = time.monotonic()
    env = {**server.env(), "GLM_CONFIG_FILE": str(config)}
    result = run_cli(["edit", "pkg/calc.py", "-i", "fix"], env, cwd=repo)
    assert time.monotonic() - started < 10
    assert (result.returncode, result.stderr) == (
        1,
        "glm-lsp: Hyperstack did not finish its reply within 2 s (the request_timeout setting).\n",
    )
    assert server.wait_for_disconnect()
