"""Emacs + eglot (Debian's emacs-nox 28 and elpa-eglot 1.9) with the configuration in
editors/README.md, in batch Emacs against the real server and a scripted provider: the GLM
code actions are listed with no model request, picking one applies the edit to the buffer,
and the glm.edit command fallback works.

Emacs is installed with apt when it is missing and this runs as root (.ci/run installs it
first); the test skips only where apt cannot be used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import child_env, make_repo
from provider_server import ProviderServer, Turn

HERE = Path(__file__).resolve().parent
README = HERE.parents[1] / "editors" / "README.md"
MAIN = "import os\n\n\ndef greet(name):\n    print('hi ' + name)\n"
SIMPLIFIED = MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")
COMMANDED = SIMPLIFIED.replace("import os", "import sys")


def _emacs_with_eglot() -> str | None:
    emacs = shutil.which("emacs")
    if emacs is None:
        return None
    probe = subprocess.run(
        [emacs, "--batch", "--eval", "(require 'eglot)"], capture_output=True, timeout=60
    )
    return emacs if probe.returncode == 0 else None


@pytest.fixture(scope="module")
def emacs() -> str:
    found = _emacs_with_eglot()
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("emacs-nox and elpa-eglot are not installed, and apt-get cannot run here")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "emacs-nox", "elpa-eglot"]
    if subprocess.run(install, env=env, capture_output=True, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=900)
        subprocess.run(install, env=env, capture_output=True, timeout=900, check=True)
    found = _emacs_with_eglot()
    assert found, "apt-get installed emacs-nox and elpa-eglot, yet eglot does not load"
    return found


def readme_config() -> str:
    """The elisp block of the README's Emacs section, as users copy it."""
    section = README.read_text(encoding="utf-8").split("## Emacs", 1)[1]
    match = re.search(r"```elisp\n(.*?)```", section, re.S)
    assert match, "editors/README.md has no elisp block in its Emacs section"
    return match.group(1)


def _edit(old: str, new: str) -> list[Turn]:
    call = ("edit_file", {"path": "app/main.py", "old_string": old, "new_string": new})
    return [Turn(tool_calls=[call]), Turn(content="Done.")]


def test_eglot_lists_picks_and_runs_the_command(
    emacs: str, provider_server: type[ProviderServer], tmp_path: Path
) -> None:
    provider: ProviderServer = provider_server("hyperstack")  # type: ignore[operator]
    provider.script(
        *_edit("print('hi ' + name)", "print(f'hi {name}')"),
        *_edit("import os", "import sys"),
    )
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    config = tmp_path / "glm-eglot.el"
    config.write_text(readme_config(), encoding="utf-8")
    signals = tmp_path / "signals"
    signals.mkdir()
    out = tmp_path / "out.json"
    env = child_env(provider.env())
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    env["HOME"] = str(tmp_path / "home")
    env.update(
        GLM_TEST_CONFIG=str(config),
        GLM_TEST_FILE=str(root / "app" / "main.py"),
        GLM_TEST_SIGNALS=str(signals),
        GLM_TEST_OUT=str(out),
        GLM_TEST_ACTION="GLM: Simplify",
        GLM_TEST_INSTRUCTION="import sys instead of os",
    )
    process = subprocess.Popen(
        [emacs, "--batch", "-l", str(HERE / "driver.el")],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (signals / "listed").exists():
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "Emacs never listed the code actions"
            time.sleep(0.05)
        requests_when_listed = len(provider.requests)
        (signals / "go").touch()
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    result = json.loads(out.read_text())
    assert "error" not in result, f"{result['error']}\n{output}\n{len(provider.requests)} requests"
    assert result["server"] == "glm-lsp"
    assert result["titles"] == [
        "GLM: Edit selection…",
        "GLM: Add documentation",
        "GLM: Simplify",
        "GLM: Write tests",
        "GLM: Explain",
    ]
    assert requests_when_listed == 0  # listing never asks the model
    assert result["after_action"] == SIMPLIFIED
    assert result["after_command"] == COMMANDED
    assert result["modified"] is True and (root / "app" / "main.py").read_text() == MAIN
    assert len(provider.requests) == 4  # two model turns per edit, nothing else
    simplify = provider.requests[0].body["messages"][-1]["content"]
    assert "## Selection: lines 4-5 of app/main.py" in simplify
    assert all(p.startswith("[eglot] Server wants to edit:") for p in result["prompts"])
