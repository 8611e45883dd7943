"""Running git safely: the one place a `git` process is started, and reading HEAD.

Why the CLI rather than GitPython: the machine-readable formats (`--porcelain=v2`, `-z`,
`--format`) are stable across versions, one process answers one question (GitPython
spawns `cat-file` helpers and parses human output), and every call gets a timeout.

Conventions shared by `gitinfo` (status, diffs) and `githistory` (log, blame, co-change):
* `root` is any directory inside a work tree, normally its top level (what
  `workspace.find_root` returns). Every repository path, in and out, is relative to the
  top level and uses `/`.
* Nothing here raises for git problems: outside a repository, when git is missing, fails
  or exceeds its timeout, functions return None or an empty result (and log at debug).
* Everything blocks on a subprocess: call it from a worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
"""Seconds any one git process may take; a context request must never hang on git."""
SHORT = 7
"""Characters of an abbreviated sha in the prompt."""
SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
"""A full object name (SHA-1 or SHA-256)."""
_REPO_ENV = frozenset(
    "GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_COMMON_DIR GIT_NAMESPACE"
    " GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_PREFIX".split()
)
"""Set inside git hooks (pre-commit runs the tests): they would point git elsewhere."""
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)


# --- running git ---------------------------------------------------------------------


def _env() -> dict[str, str]:
    """The caller's environment, minus repository overrides, plus predictable output."""
    env = {k: v for k, v in os.environ.items() if k not in _REPO_ENV}
    env.update(
        LC_ALL="C",  # "2 files changed" is translated otherwise
        GIT_OPTIONAL_LOCKS="0",  # never compete with the user's git for index.lock
        GIT_TERMINAL_PROMPT="0",
        GIT_LITERAL_PATHSPECS="1",  # a file named '*.py' or ':x' means itself
        GIT_PAGER="cat",
    )
    return env


def git(cwd: Path, *args: str, stdin: bytes | None = None, timeout: float) -> bytes | None:
    """git's stdout, or None when git is missing, fails or runs out of time."""
    cmd = ["git", "--no-pager", "-c", "core.quotepath=off", "-c", "color.ui=false"]
    cmd += ["-c", "log.showSignature=false", *args]
    try:
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=_env(),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=sys.platform != "win32",  # so a timeout kills helpers too
            creationflags=_NO_WINDOW,
        )
    except OSError as exc:
        log.debug("cannot run git: %s", exc)
        return None
    with proc:
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            log.warning("git %s timed out after %.1f s in %s", args[0], timeout, cwd)
            return None
    if proc.returncode != 0:
        message = err.decode("utf-8", "replace").strip()[:300]
        log.debug("git %s failed (%d) in %s: %s", args[0], proc.returncode, cwd, message)
        return None
    return out


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill git and anything it started (textconv, hooks) so no pipe stays open."""
    try:
        if sys.platform != "win32":
            os.killpg(proc.pid, signal.SIGKILL)
            return
    except OSError:
        pass
    proc.kill()


def decode(raw: bytes) -> str:
    """Paths and diffs as str; undecodable bytes survive a round trip to the filesystem."""
    return raw.decode("utf-8", "surrogateescape")


def display(text: str) -> str:
    """Text safe to put in a prompt (no lone surrogates from non-UTF-8 file names)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def toplevel(root: Path) -> Path | None:
    """The work tree's top: the nearest folder holding `.git` (a file for worktrees)."""
    try:
        start = root.resolve()
        return next((d for d in (start, *start.parents) if (d / ".git").exists()), None)
    except OSError:
        return None


# --- HEAD ----------------------------------------------------------------------------


def head(root: Path) -> str:
    """The full sha of HEAD, "" if none. Reads `.git` files directly (microseconds) so the
    index can poll it; falls back to `git rev-parse` for layouts it does not know."""
    top = toplevel(root)
    if top is None:
        return ""
    sha = _read_head(top / ".git")
    if sha is not None:
        return sha
    out = git(top, "rev-parse", "-q", "--verify", "HEAD^{commit}", timeout=DEFAULT_TIMEOUT)
    return out.decode("ascii", "replace").strip() if out else ""


def _read_head(dotgit: Path) -> str | None:
    try:
        gitdir = dotgit
        if dotgit.is_file():
            line = dotgit.read_text("utf-8").strip()
            if not line.startswith("gitdir:"):
                return None
            gitdir = (dotgit.parent / line[len("gitdir:") :].strip()).resolve()
        common = gitdir
        if (gitdir / "commondir").is_file():
            common = (gitdir / (gitdir / "commondir").read_text("utf-8").strip()).resolve()
        value: str | None = (gitdir / "HEAD").read_text("utf-8").strip()
        for _ in range(5):  # symbolic refs may chain
            if value is None or SHA.fullmatch(value):
                return value
            if not value.startswith("ref: "):
                return None
            value = _read_ref(gitdir, common, value[len("ref: ") :].strip())
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _read_ref(gitdir: Path, common: Path, ref: str) -> str | None:
    """A ref's value from loose files, then packed-refs; None when not found there."""
    if ".." in ref or not ref.startswith("refs/"):
        return None
    for base in (gitdir, common):
        if (base / ref).is_file():
            return (base / ref).read_text("utf-8").strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text("utf-8").splitlines():
            sha, _, name = line.partition(" ")
            if name == ref and not line.startswith(("#", "^")):
                return sha
    return None


def changed_since(
    root: Path, old_head: str, new_head: str, *, timeout: float = DEFAULT_TIMEOUT
) -> list[str]:
    """Files that differ between two commits (both sides of a rename), sorted. [] also
    when either commit is unknown: a caller that saw HEAD move should then rescan."""
    top = toplevel(root)
    revs = (old_head, new_head)
    if top is None or old_head == new_head or not all(revs) or any(r[0] == "-" for r in revs):
        return []
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--end-of-options"]
    out = git(top, *args, old_head, new_head, "--", timeout=timeout)
    return sorted({name for name in decode(out).split("\0") if name}) if out else []
