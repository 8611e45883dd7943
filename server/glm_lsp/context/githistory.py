"""History for the model's context: a file's recent commits, who last changed the
selected lines, and which files tend to change together.

Separate from `gitinfo` because these read committed history (`git log`, `git blame`)
rather than the working tree; git is run through `gitrun` (see its conventions).
"""

from __future__ import annotations

import marshal
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from glm_lsp.context.cachefile import write_cache
from glm_lsp.context.gitrun import DEFAULT_TIMEOUT, SHORT, decode, display, git, head, toplevel

_CACHE_SIZE = 8
BLAME_DAYS = 365  # how far back a blame looks for who changed a line, at most
BLAME_COMMITS = 10  # ... and through how many of the file's commits, at most
_ZERO = re.compile(r"0{40}(?:0{24})?")


# --- history -------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitInfo:
    """One commit in a file's history: who changed it, when, why, and how much."""

    sha: str
    short_sha: str
    author: str
    date: str  # ISO 8601 author date, with the author's UTC offset
    subject: str
    stat: str  # the whole commit: "2 files changed"
    path: str = ""  # the file's name in this commit (differs before a rename)
    file_stat: str = ""  # this file only: "+10 -3", or "binary"

    def render(self) -> str:
        detail = "; ".join(
            s for s in (self.file_stat and f"this file {self.file_stat}", self.stat) if s
        )
        line = f"{self.short_sha} {self.date[:10]} {self.author}: {self.subject}"
        return display(line + (f" ({detail})" if detail else ""))


_LOG_FORMAT = "--format=%x1e%H%x1f%h%x1f%aN%x1f%aI%x1f%s"


def file_history(
    root: Path, rel: str, limit: int = 5, *, timeout: float = DEFAULT_TIMEOUT
) -> list[CommitInfo]:
    """The last `limit` commits that touched `rel`, newest first, following renames."""
    top = toplevel(root)
    if top is None or limit <= 0 or not rel:
        return []
    args = ("log", "--follow", f"-n{limit}", _LOG_FORMAT, "--numstat", "-z", "-M")
    raw = git(top, *args, "--", rel, timeout=timeout)
    if raw is None:
        return []
    commits = [_parse_commit(part) for part in decode(raw).split("\x1e")[1:]]
    stats = _files_changed(top, [c.sha for c in commits], timeout)
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


def _files_changed(top: Path, shas: list[str], timeout: float) -> dict[str, str]:
    """How many files each commit changed, one git call for all the commits. Only the
    names: counting the whole commits' inserted and deleted lines (`--shortstat`) diffs
    every file they touched, 0.1 s for five commits of mypy's checkexpr.py, the longest
    wait of a one-shot `glm-lsp context`."""
    if not shas:
        return {}
    args = ("log", "--no-walk=unsorted", "--format=%x1e%H", "--name-only", "-M", "-z")
    raw = git(top, *args, "--end-of-options", *shas, "--", timeout=timeout)
    stats: dict[str, str] = {}
    for part in decode(raw).split("\x1e")[1:] if raw else []:
        sha, _, rest = part.partition("\0")
        files = sum(1 for name in rest.split("\0") if name.strip())
        if files:  # none for a merge, as git's own stat says nothing for one
            stats[sha.strip()] = f"{files} file{'s' if files != 1 else ''} changed"
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
    old: str = ""  # last changed before the history blame looks at: "the 365 days before HEAD"

    @property
    def committed(self) -> bool:
        return not _ZERO.fullmatch(self.sha)

    @property
    def short_sha(self) -> str:
        return self.sha[:SHORT]

    def render(self) -> str:
        where = f"line {self.start}" if self.start == self.end else f"lines {self.start}-{self.end}"
        if not self.committed:
            return f"{where}: not committed yet"
        if self.old:
            return f"{where}: unchanged in {self.old}"
        return display(f"{where}: {self.short_sha} {self.author} {self.date[:10]} '{self.summary}'")


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
    top = toplevel(root)
    if top is None or not rel:
        return []
    data = text.encode("utf-8", "replace") if text is not None else _read_bytes(top / rel)
    if data is None:
        return []
    total = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
    start, end = max(1, start_line), min(end_line, total)
    if start > end:
        return []
    args = ["blame", "--porcelain", "--root", "-L", f"{start},{end}", "--contents", "-"]
    window = _blame_window(top, rel, timeout)
    if window is not None:
        args.append(f"--since={_iso(window.since)}")
    raw = git(top, *args, "--", rel, stdin=data, timeout=timeout)
    return _parse_blame(raw.decode("utf-8", "replace"), window) if raw else []


@dataclass(frozen=True)
class _Window:
    """How far back a blame walks: commits older than `since` are not looked at, and
    lines last changed before it are described as unchanged in `said`."""

    since: int
    said: str


def _blame_window(top: Path, rel: str, timeout: float) -> _Window | None:
    """The file's last `BLAME_COMMITS` commits, and at most `BLAME_DAYS` days before HEAD
    (None without commits). Blame otherwise walks the file's whole history to place old
    lines, and its cost grows with the commits it walks: 0.25 s for one line of mypy's
    checkexpr.py through all of them, 0.08-0.27 s through a year of mypy's busiest files,
    0.02-0.06 s through their last ten commits. Counted from HEAD, not today, so an old
    checkout's blame says the same as it did then."""
    raw = git(top, "log", "-1", "--format=%ct", "HEAD", "--", timeout=timeout)
    seconds = raw.decode("ascii", "replace").strip() if raw else ""
    if not seconds.isdigit():
        return None
    window = _Window(int(seconds) - BLAME_DAYS * 86400, f"the {BLAME_DAYS} days before HEAD")
    args = ("log", f"-n{BLAME_COMMITS}", "--format=%ct", f"--since={_iso(window.since)}", "HEAD")
    raw = git(top, *args, "--", rel, timeout=timeout)
    times = [int(t) for t in (raw or b"").decode("ascii", "replace").split() if t.isdigit()]
    if len(times) < BLAME_COMMITS:
        return window
    return _Window(min(times), f"the file's last {BLAME_COMMITS} commits")


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _parse_blame(porcelain: str, window: _Window | None = None) -> list[BlameGroup]:
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
    return [_group(a, b, c, info.get(c, {}), window) for a, b, c in spans]


def _group(
    start: int, end: int, sha: str, info: Mapping[str, str], window: _Window | None
) -> BlameGroup:
    if _ZERO.fullmatch(sha):
        return BlameGroup(start, end, sha)
    if "boundary" in info and window and _int(info.get("committer-time")) < window.since:
        # the commit blame stopped at, not the one that made the lines; a boundary of any
        # other kind (a recent graft) is named as before
        return BlameGroup(start, end, sha, old=window.said)
    date = _blame_date(info.get("author-time", ""), info.get("author-tz", ""))
    return BlameGroup(start, end, sha, info.get("author", ""), date, info.get("summary", ""))


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


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


class CoChangeCache:
    """Co-change tables per (repository, HEAD), so a table is rebuilt only when HEAD moves.

    The context engine owns one; it lives as long as the engine, not the module. With a
    `path`, the last table is also kept on disk for the next process: a one-shot
    `glm-lsp context` would otherwise run the same `git log` (30-60 ms) every time.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.tables: OrderedDict[tuple[str, str, int, int], CoChangeIndex] = OrderedDict()
        self.lock = threading.Lock()
        self.path = path

    def get(self, key: tuple[str, str, int, int]) -> CoChangeIndex | None:
        with self.lock:
            if key in self.tables:
                self.tables.move_to_end(key)
                return self.tables[key]
        saved = self._saved(key)
        if saved is not None:
            self.put(key, saved, keep=False)
        return saved

    def put(self, key: tuple[str, str, int, int], index: CoChangeIndex, keep: bool = True) -> None:
        with self.lock:
            self.tables[key] = index
            while len(self.tables) > _CACHE_SIZE:
                self.tables.popitem(last=False)
        if keep and self.path is not None:
            write_cache(self.path, (list(key), [list(files) for files in index.commits]), "history")

    def _saved(self, key: tuple[str, str, int, int]) -> CoChangeIndex | None:
        """The table on disk if it was made for `key`; anything else there is ignored."""
        if self.path is None:
            return None
        try:
            saved_key, commits = marshal.loads(self.path.read_bytes())
            if tuple(saved_key) != key:
                return None
            return _build_index([frozenset(files) for files in commits])
        except (OSError, EOFError, ValueError, TypeError):
            return None


def co_change_index(
    root: Path,
    *,
    commits: int = 300,
    max_files_per_commit: int = 50,
    timeout: float = DEFAULT_TIMEOUT,
    cache: CoChangeCache | None = None,
) -> CoChangeIndex | None:
    """The co-change table of the last `commits` non-merge commits, from one `git log`
    call; kept in `cache` per (repository, HEAD)."""
    top = toplevel(root)
    sha = head(top) if top is not None else ""
    if top is None or not sha or commits <= 0:
        return None
    key = (str(top), sha, commits, max_files_per_commit)
    cached = cache.get(key) if cache is not None else None
    if cached is not None:
        return cached
    args = ("log", f"-n{commits}", "--no-merges", "--no-renames", "--name-only", "-z")
    raw = git(top, *args, "--format=%x1e", "--end-of-options", sha, "--", timeout=timeout)
    if raw is None:
        return None
    index = _build_index(_commit_files(decode(raw), max_files_per_commit))
    if cache is not None:
        cache.put(key, index)
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
    cache: CoChangeCache | None = None,
) -> dict[str, float]:
    """Files that changed in the same commits as `rel`, scored in (0, 1), best first."""
    index = co_change_index(
        root,
        commits=commits,
        max_files_per_commit=max_files_per_commit,
        timeout=timeout,
        cache=cache,
    )
    return index.scores(rel) if index is not None else {}


def co_change_all(
    root: Path, rels: Iterable[str], *, commits: int = 300, max_files_per_commit: int = 50
) -> dict[str, dict[str, float]]:
    """`co_change` for many files from one history read."""
    index = co_change_index(root, commits=commits, max_files_per_commit=max_files_per_commit)
    return {rel: index.scores(rel) if index is not None else {} for rel in rels}
