"""Git state and history for the model's context, read through the `git` command line.

Why the CLI rather than GitPython: the machine-readable formats (`--porcelain=v2`, `-z`,
`--format`) are stable across versions, one process answers one question (GitPython
spawns `cat-file` helpers and parses human output), and every call gets a timeout.

Conventions:
* `root` is any directory inside a work tree, normally its top level (what
  `workspace.find_root` returns). Every repository path, in and out, is relative to the
  top level and uses `/`.
* Nothing here raises for git problems: outside a repository, when git is missing, fails
  or exceeds its timeout, functions return None or an empty result (and log at debug).
* Everything blocks on a subprocess: call it from a worker thread (`asyncio.to_thread`).
* An `allow(rel)` predicate keeps paths out of the context (secrets, ignored files): a
  rejected path's diff is never even requested from git. Untracked directories reach the
  predicate with a trailing `/`.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

Allow = Callable[[str], bool]

DEFAULT_TIMEOUT = 10.0
"""Seconds any one git process may take; a context request must never hang on git."""
_SHORT = 7
_OMITTED_NAMES = 10
"""File names listed in the "diff ... omitted" line before it says "and N more"."""
_PATHSPEC_CHARS = 16_000
"""Paths passed on one command line (Windows caps a command line at 32k characters)."""
_CACHE_SIZE = 8
_REPO_ENV = frozenset(
    "GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_COMMON_DIR GIT_NAMESPACE"
    " GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_PREFIX".split()
)
"""Set inside git hooks (pre-commit runs the tests): they would point git elsewhere."""
_NO_WINDOW = getattr(subprocess, "CREATE_NO_WINDOW", 0)
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_ZERO = re.compile(r"0{40}(?:0{24})?")
_DIFF_OPTIONS = tuple(
    "--no-color --no-ext-diff --no-textconv --no-relative --src-prefix=a/ --dst-prefix=b/"
    " -M --submodule=short".split()
)
"""Pinned so user config (diff.noprefix, diff.external, diff.relative...) can't change
the output we split and send."""


def _allow_all(rel: str) -> bool:
    return True


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


def _git(cwd: Path, *args: str, stdin: bytes | None = None, timeout: float) -> bytes | None:
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


def _text(raw: bytes) -> str:
    """Paths and diffs as str; undecodable bytes survive a round trip to the filesystem."""
    return raw.decode("utf-8", "surrogateescape")


def _display(text: str) -> str:
    """Text safe to put in a prompt (no lone surrogates from non-UTF-8 file names)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _toplevel(root: Path) -> Path | None:
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
    top = _toplevel(root)
    if top is None:
        return ""
    sha = _read_head(top / ".git")
    if sha is not None:
        return sha
    out = _git(top, "rev-parse", "-q", "--verify", "HEAD^{commit}", timeout=DEFAULT_TIMEOUT)
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
            if value is None or _SHA.fullmatch(value):
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
    top = _toplevel(root)
    revs = (old_head, new_head)
    if top is None or old_head == new_head or not all(revs) or any(r[0] == "-" for r in revs):
        return []
    args = ["diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--end-of-options"]
    out = _git(top, *args, old_head, new_head, "--", timeout=timeout)
    return sorted({name for name in _text(out).split("\0") if name}) if out else []


# --- status and diffs ----------------------------------------------------------------


@dataclass(frozen=True)
class StatusEntry:
    """One `git status --short` line: how a path differs in the index and work tree.
    Codes as in short status: ' ' unchanged, M, A, D, R, C, T, U; '??' untracked."""

    path: str
    index_code: str
    worktree_code: str
    orig_path: str = ""  # the source of a rename or copy

    def render(self) -> str:
        name = f"{self.orig_path} -> {self.path}" if self.orig_path else self.path
        return f"{self.index_code}{self.worktree_code} {_display(name)}"


@dataclass
class GitState:
    """What the user has changed and where they are: enough for the model to see work in
    progress that the files alone do not explain."""

    branch: str  # "main", "(detached at abc1234)", or "" when git reports none
    head: str  # full sha; "" before the first commit
    status: list[StatusEntry] = field(default_factory=list)
    staged_diff: str = ""
    unstaged_diff: str = ""
    upstream: str = ""
    ahead: int = 0
    behind: int = 0
    status_omitted: int = 0  # entries beyond max_status_entries

    @property
    def status_text(self) -> str:
        lines = [entry.render() for entry in self.status]
        if self.status_omitted:
            lines.append(f"({self.status_omitted} more)")
        return "\n".join(lines)


@dataclass(frozen=True)
class _FileDiff:
    path: str
    text: str | None  # None: too large to fit, or not fetched


def git_state(
    root: Path,
    *,
    max_diff_chars: int = 20_000,
    allow: Allow = _allow_all,
    prefer: Collection[str] = (),
    max_status_entries: int = 200,
    timeout: float = DEFAULT_TIMEOUT,
) -> GitState | None:
    """Branch, status and diffs of `root`'s repository; None outside one.

    Diffs keep whole files while they fit in `max_diff_chars` (staged and unstaged share
    it; unstaged, what the user is editing now, gets at least half) and end with a line
    naming the files left out. `prefer` files come first (the current file)."""
    top = _toplevel(root)
    if top is None:
        return None
    args = ("status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal")
    raw = _git(top, *args, timeout=timeout)
    if raw is None:
        return None
    state = _parse_status(_text(raw))
    entries = [e for e in state.status if _allowed(allow, (e.path, e.orig_path))]
    state.status = entries[:max_status_entries]
    state.status_omitted = len(entries) - len(state.status)
    staged = _side(top, True, allow, prefer, max_diff_chars, timeout)
    unstaged = _side(top, False, allow, prefer, max_diff_chars, timeout)
    state.staged_diff, state.unstaged_diff = _fit(staged, unstaged, max_diff_chars)
    return state


def _allowed(allow: Allow, paths: Iterable[str]) -> bool:
    return all(allow(path) for path in paths if path)


def _parse_status(text: str) -> GitState:
    state = GitState(branch="", head="")
    tokens = iter(text.split("\0"))
    for token in tokens:
        kind, _, rest = token.partition(" ")
        if kind == "#":
            _parse_branch(state, rest)
        elif kind in ("1", "u"):
            fields = rest.split(" ", 7 if kind == "1" else 9)
            state.status.append(_entry(fields[0], fields[-1]))
        elif kind == "2":
            fields = rest.split(" ", 8)
            state.status.append(_entry(fields[0], fields[-1], next(tokens, "")))
        elif kind == "?":
            state.status.append(StatusEntry(rest, "?", "?"))
    return state


def _entry(xy: str, path: str, orig: str = "") -> StatusEntry:
    codes = xy.replace(".", " ").ljust(2)
    return StatusEntry(path, codes[0], codes[1], orig)


def _parse_branch(state: GitState, header: str) -> None:
    key, _, value = header.partition(" ")
    if key == "branch.oid":
        state.head = value if _SHA.fullmatch(value) else ""
    elif key == "branch.head":
        detached = value == "(detached)"
        state.branch = f"(detached at {state.head[:_SHORT]})" if detached else value
    elif key == "branch.upstream":
        state.upstream = value
    elif key == "branch.ab":
        ahead, _, behind = value.partition(" ")
        state.ahead, state.behind = abs(int(ahead or 0)), abs(int(behind or 0))


def _side(
    top: Path, cached: bool, allow: Allow, prefer: Collection[str], budget: int, timeout: float
) -> list[_FileDiff]:
    """One side's changed files in prompt order; diffs fetched only for allowed files
    that could fit."""
    where = ("--cached",) if cached else ()
    raw = _git(top, "diff", *where, "--numstat", "-z", "-M", "--no-relative", timeout=timeout)
    if raw is None:
        return []
    changed = [c for c in _parse_numstat(_text(raw)) if _allowed(allow, c[0])]
    changed.sort(key=lambda c: c[0][-1] not in prefer)  # stable: git's order otherwise
    wanted = _worth_fetching(changed, budget)
    chunks = _fetch_diffs(top, where, wanted, timeout) if wanted else {}
    texts = [chunks.get(paths[-1]) or chunks.get(paths[0]) for paths, _ in changed]
    return [_FileDiff(paths[-1], text) for (paths, _), text in zip(changed, texts, strict=True)]


def _worth_fetching(changed: list[tuple[tuple[str, ...], int]], budget: int) -> list[str]:
    """Paths whose diffs could fit (a changed line costs at least 2 characters), within
    what one command line can carry."""
    wanted: list[str] = []
    room = _PATHSPEC_CHARS
    for paths, lines in changed:
        size = sum(len(p) + 1 for p in paths)
        if 2 * lines <= budget and size <= room:
            wanted += paths
            room -= size
    return wanted


def _parse_numstat(text: str) -> list[tuple[tuple[str, ...], int]]:
    """`--numstat -z` as (paths, changed lines); a rename has (old, new); unique paths."""
    found: dict[tuple[str, ...], int] = {}
    tokens = iter(text.split("\0"))
    for token in tokens:
        parts = token.lstrip("\n").split("\t", 2)
        if len(parts) != 3:
            continue
        added, deleted, path = parts
        paths = (path,) if path else (next(tokens, ""), next(tokens, ""))
        lines = int(added) + int(deleted) if (added + deleted).isdigit() else 0
        found[paths] = max(lines, found.get(paths, 0))  # a conflicted path comes twice
    return list(found.items())


def _fetch_diffs(
    top: Path, where: Sequence[str], paths: list[str], timeout: float
) -> dict[str, str]:
    raw = _git(top, "diff", *where, *_DIFF_OPTIONS, "--", *paths, timeout=timeout)
    chunks: dict[str, str] = {}
    for chunk in _split_diff(_text(raw)) if raw else []:
        path = _chunk_path(chunk)
        chunks[path] = chunks.get(path, "") + chunk
    return chunks


_CHUNK_START = re.compile(r"^(?:diff --git |diff --cc |diff --combined |\* Unmerged path )", re.M)


def _split_diff(text: str) -> list[str]:
    """A multi-file diff as one piece per file (`^` only matches after `\\n`, never `\\r`)."""
    starts = [m.start() for m in _CHUNK_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True) if b > a]


def _chunk_path(chunk: str) -> str:
    """The (new) path a file's diff is about, from its header lines."""
    lines = chunk.split("\n@@", 1)[0].split("\n")
    for prefix in ("diff --cc ", "diff --combined ", "* Unmerged path "):
        if lines[0].startswith(prefix):
            return _unquote(lines[0][len(prefix) :])
    old = ""
    for line in lines[1:]:
        if line.startswith(("rename to ", "copy to ")):
            return _unquote(line.split(" ", 2)[2])
        if line.startswith(("+++ ", "--- ")) and line[4:] != "/dev/null":
            name = _unquote(line[4:].removesuffix("\t"))[2:]  # git adds \t after spaces
            if line[0] == "+":
                return name
            old = name
    return old or _git_line_path(lines[0][len("diff --git ") :])


def _git_line_path(rest: str) -> str:
    """The path in `diff --git a/P b/P` (binary or mode-only changes have nothing else)."""
    if rest.startswith('"'):
        return _unquote(rest[rest.rfind(' "') + 1 :])[2:]
    half = (len(rest) - 5) // 2
    if rest == f"a/{rest[2 : 2 + half]} b/{rest[2 : 2 + half]}":
        return rest[2 : 2 + half]
    return rest.rsplit(" b/", 1)[-1]


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(name: str) -> str:
    """Undo git's C-style quoting of a path ("a\\tb", octal bytes); others pass through."""
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        if body[i] != "\\":
            out += body[i].encode("utf-8", "surrogateescape")
            i += 1
        elif re.fullmatch(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_ESCAPES.get(body[i + 1 : i + 2], 92))
            i += 2
    return _text(bytes(out))


def _fit(staged: list[_FileDiff], unstaged: list[_FileDiff], budget: int) -> tuple[str, str]:
    """Share the budget: unstaged gets what staged leaves, and at least half."""
    staged_size = sum(len(f.text) for f in staged if f.text is not None)
    unstaged_text, used = _trim(unstaged, max(budget // 2, budget - staged_size))
    staged_text, _ = _trim(staged, budget - used)
    return staged_text, unstaged_text


def _trim(files: list[_FileDiff], budget: int) -> tuple[str, int]:
    """Whole files' diffs, in order, while they fit; then one line naming the rest."""
    kept: list[str] = []
    omitted: list[str] = []
    used = 0
    for diff in files:
        if diff.text is not None and used + len(diff.text) <= budget:
            kept.append(diff.text)
            used += len(diff.text)
        else:
            omitted.append(diff.path)
    if omitted:
        kept.append(_omitted_line(omitted, any_kept=bool(kept)))
    return "".join(kept), used


def _omitted_line(paths: list[str], any_kept: bool) -> str:
    names = ", ".join(_display(p) for p in paths[:_OMITTED_NAMES])
    if len(paths) > _OMITTED_NAMES:
        names += f" and {len(paths) - _OMITTED_NAMES} more"
    files = f"{len(paths)}{' more' if any_kept else ''} file{'s' if len(paths) > 1 else ''}"
    return f"(diff of {files} omitted: {names})\n"


# --- history -------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitInfo:
    """One commit in a file's history: who changed it, when, why, and how much."""

    sha: str
    short_sha: str
    author: str
    date: str  # ISO 8601 author date, with the author's UTC offset
    subject: str
    stat: str  # the whole commit: "2 files changed, 10 insertions(+), 3 deletions(-)"
    path: str = ""  # the file's name in this commit (differs before a rename)
    file_stat: str = ""  # this file only: "+10 -3", or "binary"

    def render(self) -> str:
        detail = "; ".join(
            s for s in (self.file_stat and f"this file {self.file_stat}", self.stat) if s
        )
        line = f"{self.short_sha} {self.date[:10]} {self.author}: {self.subject}"
        return _display(line + (f" ({detail})" if detail else ""))


_LOG_FORMAT = "--format=%x1e%H%x1f%h%x1f%aN%x1f%aI%x1f%s"


def file_history(
    root: Path, rel: str, limit: int = 5, *, timeout: float = DEFAULT_TIMEOUT
) -> list[CommitInfo]:
    """The last `limit` commits that touched `rel`, newest first, following renames."""
    top = _toplevel(root)
    if top is None or limit <= 0 or not rel:
        return []
    args = ("log", "--follow", f"-n{limit}", _LOG_FORMAT, "--numstat", "-z", "-M")
    raw = _git(top, *args, "--", rel, timeout=timeout)
    if raw is None:
        return []
    commits = [_parse_commit(part) for part in _text(raw).split("\x1e")[1:]]
    stats = _shortstats(top, [c.sha for c in commits], timeout)
    return [replace(c, stat=stats.get(c.sha, "")) for c in commits]


def _parse_commit(part: str) -> CommitInfo:
    head_fields, _, numstat = part.partition("\0")
    fields = (head_fields.split("\x1f", 4) + [""] * 5)[:5]
    sha, short, author, date, subject = fields
    path, file_stat = "", ""
    tokens = numstat.lstrip("\n").split("\0")
    parts = tokens[0].split("\t", 2)
    if len(parts) == 3:
        added, deleted, name = parts
        path = name or (tokens[2] if len(tokens) > 2 else "")
        file_stat = f"+{added} -{deleted}" if (added + deleted).isdigit() else "binary"
    return CommitInfo(sha, short, author, date, subject, "", path, file_stat)


def _shortstats(top: Path, shas: list[str], timeout: float) -> dict[str, str]:
    """Whole-commit `--shortstat` lines, one git call for all the commits."""
    if not shas:
        return {}
    args = ("log", "--no-walk=unsorted", "--format=%x1e%H", "--shortstat", "-M")
    raw = _git(top, *args, "--end-of-options", *shas, "--", timeout=timeout)
    stats: dict[str, str] = {}
    for part in _text(raw).split("\x1e")[1:] if raw else []:
        sha, _, rest = part.partition("\n")
        stats[sha.strip()] = " ".join(rest.split())
    return stats


# --- blame ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BlameGroup:
    """Consecutive lines (1-based, inclusive) last changed by the same commit."""

    start: int
    end: int
    sha: str  # all zeros: not committed yet
    author: str = ""
    date: str = ""  # ISO 8601 author date
    summary: str = ""

    @property
    def committed(self) -> bool:
        return not _ZERO.fullmatch(self.sha)

    @property
    def short_sha(self) -> str:
        return self.sha[:_SHORT]

    def render(self) -> str:
        where = f"line {self.start}" if self.start == self.end else f"lines {self.start}-{self.end}"
        if not self.committed:
            return f"{where}: not committed yet"
        return _display(
            f"{where}: {self.short_sha} {self.author} {self.date[:10]} '{self.summary}'"
        )


_BLAME_HEADER = re.compile(r"([0-9a-f]{40}(?:[0-9a-f]{24})?) \d+ (\d+)(?: \d+)?")


def blame_summary(
    root: Path,
    rel: str,
    start_line: int,
    end_line: int,
    *,
    text: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[BlameGroup]:
    """Who last changed lines `start_line..end_line` (1-based, inclusive) of `rel`.

    `text` is the editor's buffer: it is blamed instead of the file on disk (given on
    stdin via `--contents -`), so unsaved lines show as not committed yet and line
    numbers match what the user sees. Lines past the end are ignored."""
    top = _toplevel(root)
    if top is None or not rel:
        return []
    data = text.encode("utf-8", "replace") if text is not None else _read_bytes(top / rel)
    if data is None:
        return []
    total = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    start, end = max(1, start_line), min(end_line, total)
    if start > end:
        return []
    args = ("blame", "--porcelain", "-L", f"{start},{end}", "--contents", "-", "--", rel)
    raw = _git(top, *args, stdin=data, timeout=timeout)
    return _parse_blame(raw.decode("utf-8", "replace")) if raw else []


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _parse_blame(porcelain: str) -> list[BlameGroup]:
    info: dict[str, dict[str, str]] = {}
    lines: list[tuple[int, str]] = []
    sha, final = "", 0
    for line in porcelain.split("\n"):
        match = _BLAME_HEADER.fullmatch(line)
        if line.startswith("\t"):
            lines.append((final, sha))
        elif match:
            sha, final = match[1], int(match[2])
            info.setdefault(sha, {})
        elif sha:
            key, _, value = line.partition(" ")
            info[sha].setdefault(key, value)
    spans: list[tuple[int, int, str]] = []
    for number, commit in sorted(lines):
        if spans and spans[-1][2] == commit and spans[-1][1] == number - 1:
            spans[-1] = (spans[-1][0], number, commit)
        else:
            spans.append((number, number, commit))
    return [_group(a, b, c, info.get(c, {})) for a, b, c in spans]


def _group(start: int, end: int, sha: str, info: Mapping[str, str]) -> BlameGroup:
    if _ZERO.fullmatch(sha):
        return BlameGroup(start, end, sha)
    date = _blame_date(info.get("author-time", ""), info.get("author-tz", ""))
    return BlameGroup(start, end, sha, info.get("author", ""), date, info.get("summary", ""))


def _blame_date(seconds: str, tz: str) -> str:
    """`author-time` and `author-tz` (+0130) as an ISO date-time in the author's zone."""
    if not seconds.isdigit():
        return ""
    offset = timedelta(0)
    if re.fullmatch(r"[+-]\d{4}", tz):
        offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * (-1 if tz[0] == "-" else 1)
    return datetime.fromtimestamp(int(seconds), timezone(offset)).isoformat()


def render_blame(groups: Sequence[BlameGroup]) -> str:
    return "\n".join(group.render() for group in groups)


# --- co-change -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CoChangeIndex:
    """Which files changed together in recent history. `commits` holds each commit's
    files (huge commits and merges left out); `by_file` maps a file to its commits."""

    commits: tuple[frozenset[str], ...]
    by_file: Mapping[str, tuple[int, ...]]
    damping: float = 1.0

    def scores(self, rel: str) -> dict[str, float]:
        """count(both) / (count(rel) + damping), best first: one shared commit is weak
        evidence (0.5), nine out of nine is strong (0.9)."""
        mine = self.by_file.get(rel, ())
        together: Counter[str] = Counter()
        for index in mine:
            together.update(self.commits[index])
        del together[rel]
        total = len(mine) + self.damping
        return {path: count / total for path, count in together.most_common()}

    def scores_many(self, rels: Iterable[str]) -> dict[str, float]:
        """For several current files: each other file's best score against any of them."""
        wanted = set(rels)
        best: dict[str, float] = {}
        for rel in wanted:
            for path, score in self.scores(rel).items():
                if path not in wanted and score > best.get(path, 0.0):
                    best[path] = score
        return dict(sorted(best.items(), key=lambda item: -item[1]))


_COCHANGE: OrderedDict[tuple[str, str, int, int], CoChangeIndex] = OrderedDict()
_COCHANGE_LOCK = threading.Lock()


def co_change_index(
    root: Path,
    *,
    commits: int = 300,
    max_files_per_commit: int = 50,
    timeout: float = DEFAULT_TIMEOUT,
) -> CoChangeIndex | None:
    """The co-change table of the last `commits` non-merge commits, from one `git log`
    call; cached per (repository, HEAD), so it is rebuilt only when HEAD moves."""
    top = _toplevel(root)
    sha = head(top) if top is not None else ""
    if top is None or not sha or commits <= 0:
        return None
    key = (str(top), sha, commits, max_files_per_commit)
    with _COCHANGE_LOCK:
        if key in _COCHANGE:
            _COCHANGE.move_to_end(key)
            return _COCHANGE[key]
    args = ("log", f"-n{commits}", "--no-merges", "--no-renames", "--name-only", "-z")
    raw = _git(top, *args, "--format=%x1e", "--end-of-options", sha, "--", timeout=timeout)
    if raw is None:
        return None
    index = _build_index(_commit_files(_text(raw), max_files_per_commit))
    with _COCHANGE_LOCK:
        _COCHANGE[key] = index
        while len(_COCHANGE) > _CACHE_SIZE:
            _COCHANGE.popitem(last=False)
    return index


def _commit_files(log_text: str, max_files: int) -> list[frozenset[str]]:
    """`--name-only -z --format=%x1e` as one file set per commit; mass changes (a
    reformat, a vendored drop) dropped because they say nothing about coupling."""
    found: list[frozenset[str]] = []
    for part in log_text.split("\x1e")[1:]:
        names = part.split("\0")
        files = frozenset(n.removeprefix("\n") if i == 1 else n for i, n in enumerate(names))
        files -= {""}
        if 0 < len(files) <= max_files:
            found.append(files)
    return found


def _build_index(commit_files: list[frozenset[str]]) -> CoChangeIndex:
    by_file: dict[str, list[int]] = {}
    for number, files in enumerate(commit_files):
        for path in files:
            by_file.setdefault(path, []).append(number)
    return CoChangeIndex(tuple(commit_files), {p: tuple(n) for p, n in by_file.items()})


def co_change(
    root: Path,
    rel: str,
    *,
    commits: int = 300,
    max_files_per_commit: int = 50,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, float]:
    """Files that changed in the same commits as `rel`, scored in (0, 1), best first."""
    index = co_change_index(
        root, commits=commits, max_files_per_commit=max_files_per_commit, timeout=timeout
    )
    return index.scores(rel) if index is not None else {}


def co_change_all(
    root: Path, rels: Iterable[str], *, commits: int = 300, max_files_per_commit: int = 50
) -> dict[str, dict[str, float]]:
    """`co_change` for many files from one history read."""
    index = co_change_index(root, commits=commits, max_files_per_commit=max_files_per_commit)
    return {rel: index.scores(rel) if index is not None else {} for rel in rels}


# --- rendering -----------------------------------------------------------------------


def render_git_context(
    state: GitState | None,
    history: Sequence[CommitInfo] = (),
    blame: Sequence[BlameGroup] = (),
    *,
    path: str = "",
) -> str:
    """A compact text section for the prompt; "" when there is nothing to say. Has no
    top heading: the assembler adds "## Git"."""
    parts: list[str] = []
    if state is not None:
        parts.append(_branch_line(state))
        if state.status:
            parts.append("### Status (git status --short)\n" + _display(state.status_text))
        for title, diff in (
            ("Staged changes", state.staged_diff),
            ("Unstaged changes", state.unstaged_diff),
        ):
            if diff:
                parts.append(f"### {title}\n{_fence(_display(diff), 'diff')}")
    if history:
        about = f" touching {_display(path)}" if path else ""
        parts.append(f"### Recent commits{about}\n" + "\n".join(f"- {c.render()}" for c in history))
    if blame:
        parts.append("### Blame of the selection\n" + render_blame(blame))
    return "\n\n".join(parts)


def _branch_line(state: GitState) -> str:
    line = f"Branch: {_display(state.branch) or '(unknown)'}"
    if state.upstream:
        line += (
            f" (upstream {_display(state.upstream)}, ahead {state.ahead}, behind {state.behind})"
        )
    return line + (f"; HEAD {state.head[:_SHORT]}" if state.head else "; no commits yet")


def _fence(text: str, info: str = "") -> str:
    """A code fence longer than any backtick run inside, so a diff can't close it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text.rstrip(chr(10))}\n{ticks}"


def render_context(
    root: Path,
    rel: str,
    selection: tuple[int, int] | None = None,
    *,
    text: str | None = None,
    allow: Allow = _allow_all,
    max_diff_chars: int = 10_000,
    history_limit: int = 5,
    timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """Everything above for one request: state (the current file's diff first), the
    file's recent commits and the selection's blame (against the unsaved `text`)."""
    top = _toplevel(root)
    if top is None:
        return ""
    state = git_state(
        top, max_diff_chars=max_diff_chars, allow=allow, prefer=(rel,), timeout=timeout
    )
    if state is None:
        return ""
    history = file_history(top, rel, history_limit, timeout=timeout) if allow(rel) else []
    blame: list[BlameGroup] = []
    if selection is not None and allow(rel):
        blame = blame_summary(top, rel, selection[0], selection[1], text=text, timeout=timeout)
    return render_git_context(state, history, blame, path=rel)
