"""Helpers shared by the end-to-end tests: temp git repositories and the CLI as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

SERVER_SRC = Path(__file__).resolve().parent.parent / "server"


def make_repo(root: Path, files: Mapping[str, str]) -> Path:
    """A real git repository with `files` committed; returns its root."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.name", "Test"],
        ["config", "user.email", "test@example.invalid"],
        ["add", "-A"],
        ["commit", "-q", "-m", "initial"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True)
    return root


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The test's (hermetic) environment plus `extra`, with the package importable."""
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SERVER_SRC), env.get("PYTHONPATH")]))
    return env


def run_cli(
    args: list[str], env: Mapping[str, str], cwd: Path, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glm_lsp", *args],
        env=child_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def refusal(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The sentence of the EditError that `call(*args, **kwargs)` raises (it must raise)."""
    import pytest

    from glm_lsp.errors import EditError

    with pytest.raises(EditError) as caught:
        call(*args, **kwargs)
    return caught.value.message
