"""Working-tree state for the model's context: branch, status and size-bounded diffs,
and the rendering of the whole git section of the prompt.

Git is run through `gitrun` (see its conventions); history and blame come from
`githistory`. An `allow(rel)` predicate keeps paths out of the context (secrets, ignored
files): a rejected path's diff is never even requested from git. Untracked directories
reach the predicate with a trailing `/`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from glm_lsp.context.githistory import (
    BlameGroup,
    CommitInfo,
    blame_summary,
    file_history,
    render_blame,
)
from glm_lsp.context.gitrun import DEFAULT_TIMEOUT, SHA, SHORT, decode, display, git, toplevel

Allow = Callable[[str], bool]

_OMITTED_NAMES = 10
"""File names listed in the "diff ... omitted" line before it says "and N more"."""
_PATHSPEC_CHARS = 16_000
"""Paths passed on one command line (Windows caps a command line at 32k characters)."""
_DIFF_OPTIONS = tuple(
    "--no-color --no-ext-diff --no-textconv --no-relative --src-prefix=a/ --dst-prefix=b/"
    " -M --submodule=short".split()
)
"""Pinned so user config (diff.noprefix, diff.external, diff.relative...) can't change
the output we split and send."""


def _allow_all(rel: str) -> bool:
    return True


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
        return f"{self.index_code}{self.worktree_code} {display(name)}"


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
    top = toplevel(root)
    if top is None:
        return None
    args = ("status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal")
    with ThreadPoolExecutor(2) as pool:  # three git processes at once, not one by one
        staged = pool.submit(_side, top, True, allow, prefer, max_diff_chars, timeout)
        unstaged = pool.submit(_side, top, False, allow, prefer, max_diff_chars, timeout)
        raw = git(top, *args, timeout=timeout)
        sides = staged.result(), unstaged.result()
    if raw is None:
        return None
    state = _parse_status(decode(raw))
    entries = [e for e in state.status if _allowed(allow, (e.path, e.orig_path))]
    state.status = entries[:max_status_entries]
    state.status_omitted = len(entries) - len(state.status)
    state.staged_diff, state.unstaged_diff = _fit(*sides, max_diff_chars)
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
        state.head = value if SHA.fullmatch(value) else ""
    elif key == "branch.head":
        detached = value == "(detached)"
        state.branch = f"(detached at {state.head[:SHORT]})" if detached else value
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
    raw = git(top, "diff", *where, "--numstat", "-z", "-M", "--no-relative", timeout=timeout)
    if raw is None:
        return []
    changed = [c for c in _parse_numstat(decode(raw)) if _allowed(allow, c[0])]
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
    raw = git(top, "diff", *where, *_DIFF_OPTIONS, "--", *paths, timeout=timeout)
    chunks: dict[str, str] = {}
    for chunk in _split_diff(decode(raw)) if raw else []:
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
    return decode(bytes(out))


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
    names = ", ".join(display(p) for p in paths[:_OMITTED_NAMES])
    if len(paths) > _OMITTED_NAMES:
        names += f" and {len(paths) - _OMITTED_NAMES} more"
    files = f"{len(paths)}{' more' if any_kept else ''} file{'s' if len(paths) > 1 else ''}"
    return f"(diff of {files} omitted: {names})\n"


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
            parts.append("### Status (git status --short)\n" + display(state.status_text))
        for title, diff in (
            ("Staged changes", state.staged_diff),
            ("Unstaged changes", state.unstaged_diff),
        ):
            if diff:
                parts.append(f"### {title}\n{_fence(display(diff), 'diff')}")
    if history:
        about = f" touching {display(path)}" if path else ""
        parts.append(f"### Recent commits{about}\n" + "\n".join(f"- {c.render()}" for c in history))
    if blame:
        parts.append("### Blame of the selection\n" + render_blame(blame))
    return "\n\n".join(parts)


def _branch_line(state: GitState) -> str:
    line = f"Branch: {display(state.branch) or '(unknown)'}"
    if state.upstream:
        line += f" (upstream {display(state.upstream)}, ahead {state.ahead}, behind {state.behind})"
    return line + (f"; HEAD {state.head[:SHORT]}" if state.head else "; no commits yet")


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
    top = toplevel(root)
    if top is None:
        return ""
    allowed = allow(rel)
    with ThreadPoolExecutor(1) as pool:  # the file's history while the state is gathered
        commits = (
            pool.submit(file_history, top, rel, history_limit, timeout=timeout) if allowed else None
        )
        state = git_state(
            top, max_diff_chars=max_diff_chars, allow=allow, prefer=(rel,), timeout=timeout
        )
        history = commits.result() if commits is not None else []
    if state is None:
        return ""
    blame: list[BlameGroup] = []
    if selection is not None and allowed:
        blame = blame_summary(top, rel, selection[0], selection[1], text=text, timeout=timeout)
    return render_git_context(state, history, blame, path=rel)
