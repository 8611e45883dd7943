"""The VS Code extension end to end: code-server + headless Chromium make an edit.

The extension (.vsix) is installed into a hermetic code-server, the workspace points
glm.serverCommand at this venv's glm-lsp and glm.baseUrl at a scripted provider; a
playwright-core script (edit_flow.cjs) stores the key with "GLM: Set API Key", selects
code, runs "GLM: Edit Selection…", clicks Accept in the diff editor and saves; then rejects a
second proposal, applies a .diff file with "GLM: Apply Diff", asks two questions in
"GLM: Chat" and runs "GLM: Show Usage". The files on disk, the provider's requests (the key
came from secret storage, the chat session went on) and the logs (no key, even traced) are
checked here.

It needs the toolchain that editors/vscode/ci.sh installs (Node 24 and code-server in
editors/vscode/.tools, Debian's chromium, npm ci in editors/vscode, the packaged .vsix) and
runs only with RUN_VSCODE_E2E=1; otherwise it is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import make_repo
from provider_server import ProviderServer, Turn

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
TOOLS = Path(os.environ.get("VSCODE_E2E_TOOLS") or EXTENSION / ".tools")
NODE24 = TOOLS / "node24" / "node_modules" / "node" / "bin" / "node"
CODE_SERVER = TOOLS / "code-server" / "node_modules" / "code-server" / "out" / "node" / "entry.js"
VSIX = Path(os.environ.get("VSCODE_E2E_VSIX") or EXTENSION / "glm-lsp.vsix")
PLAYWRIGHT = EXTENSION / "node_modules" / "playwright-core"
CHROMIUM = Path(os.environ.get("VSCODE_E2E_CHROMIUM") or "/usr/bin/chromium")
FLOW = Path(__file__).resolve().parent / "edit_flow.cjs"

MAIN = "import os\n\n\ndef greet(name):\n    print('hi ' + name)\n"
CHAT_ANSWER = "It **prints** a greeting:\n\n```python\nprint(f'hi {name}')\n```\n"
OTHER = "LIMIT = 1\n"
PATCH = "--- a/app/other.py\n+++ b/app/other.py\n@@ -1 +1 @@\n-LIMIT = 1\n+LIMIT = 2\n"
EXPECTED = MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")
LONG = "".join(f"x{n} = {n}\n" for n in range(1, 21))
LONG_DONE = LONG.replace("x2 = 2\n", "x2 = 20\n").replace("x18 = 18\n", "x18 = 18.5\n")
USER_SETTINGS = {
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "workbench.startupEditor": "none",
    "chat.disableAIFeatures": True,
    "workbench.tips.enabled": False,
    "git.enabled": False,
    "files.autoSave": "off",
}


def _missing() -> list[str]:
    wanted = {
        "Node 24 (editors/vscode/.tools/node24)": NODE24,
        "code-server 4.139.1 (editors/vscode/.tools/code-server)": CODE_SERVER,
        "the packaged extension (editors/vscode/glm-lsp.vsix)": VSIX,
        "playwright-core (npm ci in editors/vscode)": PLAYWRIGHT,
        "Debian chromium (/usr/bin/chromium)": CHROMIUM,
    }
    return [name for name, path in wanted.items() if not path.exists()]


@pytest.fixture
def toolchain() -> None:
    missing = _missing()
    if os.environ.get("RUN_VSCODE_E2E") != "1":
        reason = "the VS Code browser test runs with RUN_VSCODE_E2E=1 (bash editors/vscode/ci.sh sets it)"
        pytest.skip(reason + (f"; missing here: {', '.join(missing)}" if missing else ""))
    if missing:
        pytest.fail("RUN_VSCODE_E2E=1 but the toolchain is incomplete: " + ", ".join(missing))


def _edit(old: str, new: str) -> dict[str, str]:
    return {"path": "app/long.py", "old_string": old, "new_string": new}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _server_command() -> list[str]:
    script = Path(sys.executable).parent / "glm-lsp"
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "glm_lsp", "serve"]


class CodeServer:
    """code-server in its own process group with every state folder under `home`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.data = home / "data"
        self.extensions = home / "extensions"
        self.log = home / "code-server.log"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.tmp = tempfile.mkdtemp(prefix="glm-vsc-")
        self.env = self._env()

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VSCODE_")}
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            path = self.home / name.lower()
            path.mkdir(parents=True, exist_ok=True)
            env[name] = str(path)
        # Unix socket paths (VS Code's IPC, Chromium's singleton) must stay under 108 bytes.
        env["TMPDIR"] = self.tmp
        env["PATH"] = os.pathsep.join([str(NODE24.parent), env.get("PATH", "")])
        env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
        return env

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(NODE24), str(CODE_SERVER), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def install(self, vsix: Path) -> str:
        result = self._run(
            "--user-data-dir", str(self.data), "--extensions-dir", str(self.extensions),
            "--install-extension", str(vsix),
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    def start(self, folder: Path) -> str:
        user = self.data / "User"
        user.mkdir(parents=True, exist_ok=True)
        (user / "settings.json").write_text(json.dumps(USER_SETTINGS, indent=2))
        config = self.home / "config.yaml"
        config.write_text(f"bind-addr: 127.0.0.1:{self.port}\nauth: none\ncert: false\n")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(NODE24), str(CODE_SERVER), "--config", str(config),
                    "--user-data-dir", str(self.data), "--extensions-dir", str(self.extensions),
                    "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust",
                    "--disable-getting-started-override", "--log", "trace", str(folder),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed as a whole
            )  # fmt: skip
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"code-server exited: {self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        return f"{url}/?folder={folder}"
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"code-server did not answer: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                continue
            if sig == signal.SIGTERM:
                # children (extension hosts, the language server) may outlive the leader
                time.sleep(0.5)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def code_server(toolchain: None, tmp_path: Path) -> Iterator[CodeServer]:
    server = CodeServer(tmp_path / "code-server")
    try:
        yield server
    finally:
        server.stop()


def test_edit_reject_apply_diff_and_chat_in_code_server(
    code_server: CodeServer, tmp_path: Path, provider_server: Callable[..., ProviderServer]
) -> None:
    provider = provider_server("hyperstack")
    provider.script(
        Turn(
            reasoning="The print should use an f-string.",
            tool_calls=[
                (
                    "edit_file",
                    {
                        "path": "app/greet.py",
                        "old_string": "print('hi ' + name)",
                        "new_string": "print(f'hi {name}')",
                    },
                )
            ],
        ),
        Turn(content="Done."),
        # a second proposal, which the user rejects
        Turn(
            tool_calls=[
                (
                    "edit_file",
                    {"path": "app/greet.py", "old_string": "import os", "new_string": "import sys"},
                )
            ]
        ),
        Turn(content="Switched to sys."),
        # the chat: a read-only tool call, then the answer; then the follow-up question
        Turn(reasoning="Let me read it.", tool_calls=[("read_file", {"path": "app/greet.py"})]),
        Turn(content=CHAT_ANSWER),
        Turn(content="`name` is **the argument**."),
        # two hunks; the first is accepted alone, then a revise changes the second
        Turn(tool_calls=[("edit_file", _edit("x2 = 2\n", "x2 = 20\n"))]),
        Turn(tool_calls=[("edit_file", _edit("x18 = 18\n", "x18 = 180\n"))]),
        Turn(content="Scaled both."),
        Turn(tool_calls=[("edit_file", _edit("x18 = 180\n", "x18 = 18.5\n"))]),
        Turn(content="A float now."),
    )
    workspace = make_repo(
        tmp_path / "ws",
        {"app/greet.py": MAIN, "app/other.py": OTHER, "limit.diff": PATCH, "app/long.py": LONG},
    )
    (workspace / ".vscode").mkdir()
    workspace_settings = {
        "glm.serverCommand": _server_command(),
        "glm.provider": "hyperstack",
        "glm.baseUrl": provider.base_url,
        "glm.trace.server": "verbose",  # every message is logged: the key must not be
    }
    (workspace / ".vscode" / "settings.json").write_text(json.dumps(workspace_settings, indent=2))

    print(code_server.install(VSIX))
    url = code_server.start(workspace)
    shots = tmp_path / "screenshots"
    env = {
        **code_server.env,
        "URL": url,
        "FILE": "greet.py",
        "INSTRUCTION": "Use an f-string",
        "EXPECTED": "print(f'hi {name}')",
        "API_KEY": provider.key,
        "SHOTS": str(shots),
        "PLAYWRIGHT": str(PLAYWRIGHT),
        "CHROMIUM": str(CHROMIUM),
        "REJECT_INSTRUCTION": "Import sys instead",
        "REJECT_SUMMARY": "Switched to sys.",
        "REJECT_NEW": "import sys",
        "DIFF_FILE": "limit.diff",
        "DIFF_TARGET": "other.py",
        "DIFF_EXPECTED": "LIMIT = 2",
        "CHAT_1": "What does greet do?",
        "CHAT_1_BOLD": "prints",
        "CHAT_1_TOOL": "read_file",
        "CHAT_1_CODE": "print(f'hi {name}')",
        "CHAT_2": "And what is name?",
        "CHAT_2_ANSWER": "the argument",
        "HUNK_FILE": "long.py",
        "HUNK_INSTRUCTION": "Scale x2 and x18",
        "HUNK_FIRST": "x2 = 20",
        "HUNK_FEEDBACK": "make x18 a float instead",
        "HUNK_REVISED": "x18 = 18.5",
        "HUNK_SUMMARY": "A float now.",
    }
    flow = subprocess.run(
        [str(NODE24), str(FLOW)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    print(flow.stdout, flow.stderr)
    if flow.returncode != 0:
        kept = Path(os.environ.get("VSCODE_E2E_ARTIFACTS") or tmp_path / "artifacts")
        if kept != tmp_path / "artifacts":
            shutil.copytree(shots, kept / "screenshots", dirs_exist_ok=True)
            shutil.copy(code_server.log, kept / "code-server.log")
        pytest.fail(
            f"the browser flow failed (screenshots in {shots}, code-server log "
            f"{code_server.log}):\n{flow.stdout[-4000:]}\n{flow.stderr[-2000:]}"
        )

    for phase in ("EDIT", "REJECT", "DIFF", "CHAT", "HUNKS"):
        assert f"RESULT {phase} PASS" in flow.stdout
    assert (workspace / "app" / "greet.py").read_text(encoding="utf-8") == EXPECTED
    assert (workspace / "app" / "other.py").read_text(encoding="utf-8") == "LIMIT = 2\n"
    requests = [r for r in provider.requests if r.path.endswith("/chat/completions")]
    assert len(requests) == 12, "2 per edit, 2 + 1 for the chat, 3 + 2 for the hunk review"
    assert (workspace / "app" / "long.py").read_text(encoding="utf-8") == LONG_DONE
    revise = requests[10].body["messages"]
    assert revise[: len(requests[9].body["messages"])] == requests[9].body["messages"]
    assert "Their feedback:\n\nmake x18 a float instead" in revise[-1]["content"]
    assert "-x18 = 18\n+x18 = 180" in revise[-1]["content"]  # the hunk left out
    assert {r.headers.get("api_key") for r in requests} == {provider.key}  # from secret storage
    assert "Use an f-string" in json.dumps(requests[0].body)
    follow_up = json.dumps(requests[6].body)
    assert "What does greet do?" in follow_up and "prints" in follow_up  # the session went on
    for settings_file in (
        code_server.data / "User" / "settings.json",
        workspace / ".vscode" / "settings.json",
    ):
        assert provider.key not in settings_file.read_text(), f"the key leaked into {settings_file}"
    logs = sorted((code_server.data / "logs").rglob("*.log"))
    trace = [log for log in logs if log.name == "GLM Trace.log" or "Trace" in log.name]
    assert trace and "workspace/configuration" in trace[0].read_text(), [str(p) for p in logs]
    assert "[REDACTED]" in trace[0].read_text()
    for log in logs:
        assert provider.key not in log.read_text(errors="replace"), f"the key leaked into {log}"


COMPLETION_FLOW = Path(__file__).resolve().parent / "completion_flow.cjs"
SUGGESTION = "f'hi {name}'"


def test_ghost_text_appears_and_tab_accepts_it_in_code_server(
    code_server: CodeServer, tmp_path: Path, provider_server: Callable[..., ProviderServer]
) -> None:
    provider = provider_server("hyperstack")
    provider.script(Turn(content=SUGGESTION))  # later requests (after Tab) get "ok"
    workspace = make_repo(tmp_path / "ws", {"app/greet.py": MAIN})
    (workspace / ".vscode").mkdir()
    settings = workspace / ".vscode" / "settings.json"
    workspace_settings = {
        "glm.serverCommand": _server_command(),
        "glm.provider": "hyperstack",
        "glm.baseUrl": provider.base_url,
        "glm.completion.enabled": True,
        "glm.completion.debounceMs": 150,
    }
    settings.write_text(json.dumps(workspace_settings, indent=2))
    code_server.env[provider.key_env] = provider.key  # the server's key, from the environment
    print(code_server.install(VSIX))
    url = code_server.start(workspace)
    env = {
        **code_server.env,
        "URL": url,
        "FILE": "greet.py",
        "TYPED": "    return ",
        "SUGGESTION": SUGGESTION,
        "SHOTS": str(tmp_path / "screenshots"),
        "PLAYWRIGHT": str(PLAYWRIGHT),
        "CHROMIUM": str(CHROMIUM),
    }
    flow = subprocess.run(
        [str(NODE24), str(COMPLETION_FLOW)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    print(flow.stdout, flow.stderr)
    assert flow.returncode == 0 and "RESULT COMPLETION PASS" in flow.stdout, (
        f"the completion flow failed (screenshots in {tmp_path / 'screenshots'}, code-server "
        f"log {code_server.log}):\n{flow.stdout[-4000:]}\n{flow.stderr[-2000:]}"
    )
    assert (workspace / "app" / "greet.py").read_text(encoding="utf-8") == (
        MAIN + "    return " + SUGGESTION
    )
    first = provider.requests[0].body
    assert (first["reasoning_effort"], first["max_tokens"]) == ("none", 128)
    assert first["messages"][-1]["content"].endswith("<before>\n" + MAIN + "    return ")
    assert json.loads(settings.read_text())["glm.completion.enabled"] is False  # toggled off
