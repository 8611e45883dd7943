"""What is ignored: git's own verdicts, remembered, and a gitignore matcher for the rest.

Inside a git work tree git itself decides (`git ls-files`, `git check-ignore`, whose
answers `GitIgnores` keeps until an ignore file changes). The matcher covers folders git
does not manage and `.glmignore`, with git's documented semantics so a plain folder and a
repository hide the same files: comments, `\\` escapes, trailing-space trimming, `!`
negation, directory-only patterns (`dir/`), anchoring (a slash at the start or in the
middle ties a pattern to its file's folder), `*`, `?`, `[...]` and `**`. The last matching
line wins, deeper files override shallower ones, and nothing inside an excluded directory
can be re-included (git never looks inside it).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from glm_lsp.context.cachefile import Stamp, stamp

GIT_TIMEOUT = 30.0  # seconds; a git that hangs (a network filesystem) must not hang us


@dataclass(frozen=True)
class Pattern:
    """One compiled line of an ignore file."""

    regex: re.Pattern[str]
    negated: bool
    dir_only: bool


@dataclass(frozen=True)
class IgnoreFile:
    """The patterns of one ignore file, which apply below its folder `base` ("" = root)."""

    base: str
    patterns: tuple[Pattern, ...]

    def decide(self, rel: str, is_dir: bool) -> bool | None:
        """True if ignored, False if re-included, None if no line speaks about `rel`."""
        sub = _below(self.base, rel)
        if sub is None:
            return None
        for pattern in reversed(self.patterns):
            if pattern.dir_only and not is_dir:
                continue
            if pattern.regex.fullmatch(sub):
                return not pattern.negated
        return None


def _below(base: str, rel: str) -> str | None:
    """`rel` relative to `base`, or None when it is not inside it."""
    if not base:
        return rel
    prefix = base + "/"
    return rel[len(prefix) :] if rel.startswith(prefix) else None


def parse(text: str, base: str = "") -> IgnoreFile:
    """Compile the lines of an ignore file found in folder `base` (posix, "" for root)."""
    patterns = (compile_line(line) for line in text.splitlines())
    return IgnoreFile(base, tuple(p for p in patterns if p is not None))


def load(path: Path, base: str = "") -> IgnoreFile | None:
    """The ignore file at `path`, or None when it is missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return parse(text, base)


def compile_line(line: str) -> Pattern | None:
    """One pattern, or None for blank lines and comments."""
    line = _trim_trailing_spaces(line.rstrip("\r"))
    if not line or line.startswith("#"):
        return None
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    dir_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    line = line.removeprefix("/")
    body = _translate(line)
    regex = body if anchored else "(?:.*/)?" + body
    return Pattern(re.compile(regex, re.DOTALL), negated, dir_only)


def _trim_trailing_spaces(line: str) -> str:
    """Trailing spaces are dropped unless escaped with a backslash."""
    while line.endswith(" ") and not line.endswith("\\ "):
        line = line[:-1]
    return line


def _translate(pattern: str) -> str:
    """A regex for a slash-separated pattern; `**` segments span folders."""
    segments = pattern.split("/")
    last = len(segments) - 1
    parts: list[str] = []
    for i, segment in enumerate(segments):
        if segment == "**":
            parts.append(".*" if i == last else "(?:.*/)?")
        else:
            parts.append(_translate_segment(segment) + ("" if i == last else "/"))
    return "".join(parts)


def _translate_segment(segment: str) -> str:
    """A regex for one path segment: wildcards never cross a slash."""
    out: list[str] = []
    i, n = 0, len(segment)
    while i < n:
        char = segment[i]
        if char == "\\" and i + 1 < n:
            out.append(re.escape(segment[i + 1]))
            i += 2
        elif char == "*":
            while i < n and segment[i] == "*":
                i += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            cls, i = _translate_class(segment, i)
            out.append(cls)
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _translate_class(segment: str, start: int) -> tuple[str, int]:
    """A bracket expression `[...]` starting at `start`; a lone `[` is literal."""
    i = start + 1
    negate = i < len(segment) and segment[i] in "!^"
    if negate:
        i += 1
    first = i
    while i < len(segment) and (segment[i] != "]" or i == first):
        i += 1
    if i >= len(segment):
        return re.escape("["), start + 1
    inner = segment[first:i].replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
    return ("(?!/)[^" if negate else "(?!/)[") + inner + "]", i + 1


def is_ignored(files: Sequence[IgnoreFile], rel: str, is_dir: bool) -> bool:
    """Whether `rel` itself is ignored; deeper files (later in `files`) win."""
    for ignore_file in reversed(files):
        decision = ignore_file.decide(rel, is_dir)
        if decision is not None:
            return decision
    return False


def ancestors(rel: str) -> Iterable[str]:
    """The folders above `rel`, outermost first: "a/b/c" gives "a", "a/b"."""
    index = rel.find("/")
    while index != -1:
        yield rel[:index]
        index = rel.find("/", index + 1)


def is_path_ignored(files: Sequence[IgnoreFile], rel: str, is_dir: bool = False) -> bool:
    """Whether `rel` is ignored, itself or through an ignored folder above it."""
    if not files:
        return False
    if any(is_ignored(files, folder, True) for folder in ancestors(rel)):
        return True
    return is_ignored(files, rel, is_dir)


def gitignore_chain(root: Path, rel: str) -> list[IgnoreFile]:
    """The .gitignore files that govern `rel` (root's first, then each folder down)."""
    folders = ["", *ancestors(rel)]
    chain = []
    for folder in folders:
        found = load(root / folder / ".gitignore", folder)
        if found is not None and found.patterns:
            chain.append(found)
    return chain


def walk(root: Path, prune: IgnoreFile | None = None) -> list[str]:
    """Files and symlinks under `root` that the .gitignore files there do not ignore.

    `.git` entries are skipped everywhere; symlinked folders are listed, not followed (so a
    link cannot loop or lead outside). `prune` (the .glmignore) also stops descent early.
    """
    found: list[str] = []
    stack: list[tuple[str, list[IgnoreFile]]] = [("", [])]
    while stack:
        folder, rules = stack.pop()
        own = load(root / folder / ".gitignore", folder)
        if own is not None and own.patterns:
            rules = [*rules, own]
        try:
            entries = list(os.scandir(root / folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name == ".git":
                continue
            rel = f"{folder}/{entry.name}" if folder else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_ignored(rules, rel, is_dir) or (prune and prune.decide(rel, is_dir)):
                continue
            if is_dir:
                stack.append((rel, rules))
            else:
                found.append(rel)
    return found


# --- what git ignores -----------------------------------------------------------------------


def run_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in `cwd`; None when git is missing or does not answer in time."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None


_Key = tuple[Stamp, ...]


@dataclass
class GitIgnores:
    """Git's own answer to "is this path ignored?" for one workspace, remembered.

    `git check-ignore` is exact (tracked files are never ignored, .git/info/exclude and the
    global excludes count) but costs a process per question, so each answer is kept until
    something it depends on changes: the .gitignore files from the work tree's top down to
    the path's folder, .git/info/exclude, or the size of the index (files added or removed).
    Edits to the global excludes file are not noticed until the server restarts.
    """

    root: Path
    top: str
    prefix: str
    exclude: str
    index: str
    _verdicts: dict[str, tuple[_Key, bool]] = field(default_factory=dict)
    # what `git ls-files` listed (not ignored), with the stamps of that moment
    _listed: tuple[set[str], _Key, Mapping[str, Stamp]] | None = None

    @classmethod
    def find(cls, root: Path) -> GitIgnores | None:
        """The view of the work tree that contains `root`, or None outside one."""
        where = ("--show-toplevel", "--git-dir", "--git-common-dir", "--show-prefix")
        done = run_git(root, "rev-parse", "--path-format=absolute", *where)
        if done is None or done.returncode != 0:
            return None
        lines = os.fsdecode(done.stdout).split("\n")
        if len(lines) < 4 or not lines[0]:
            return None
        top, git_dir, common, prefix = lines[:4]
        return cls(root, top, prefix.strip("/"), f"{common}/info/exclude", f"{git_dir}/index")

    def ignored(self, rel: str) -> bool | None:
        """Whether git ignores `rel`; None when git cannot say (a path in a submodule)."""
        key = self._key(rel, self._head(), {})
        cached = self._verdicts.get(rel)
        if cached is not None and cached[0] == key:
            return cached[1]
        listed = self._listed
        if listed is not None and rel in listed[0]:
            if self._key(rel, listed[1], {}, listed[2]) == key:  # nothing changed since
                self._verdicts[rel] = (key, False)
                return False
        done = run_git(self.root, "check-ignore", "-q", "--", rel)
        if done is None or done.returncode not in (0, 1):
            return None
        self._verdicts[rel] = (key, done.returncode == 0)
        return done.returncode == 0

    def remember_listed(self, rels: Iterable[str], stamps: Mapping[str, Stamp] = {}) -> None:
        """Paths `git ls-files` listed are known not to be ignored, as long as the files
        the verdict depends on have not changed since: `stamps` are those files' stamps
        when git listed them (by absolute path; the others are stamped now). Each path's
        verdict is made when it is first asked about."""
        self._listed = (set(rels), self._head(), stamps)

    def _head(self) -> _Key:
        """Stamps every verdict depends on: the index's size (its mtime changes on every
        `git status`, its size only when entries come or go) and .git/info/exclude."""
        index = stamp(self.index)
        return ((0, index[1]) if index else None, stamp(self.exclude))

    def _key(
        self, rel: str, head: _Key, memo: dict[str, _Key], stamps: Mapping[str, Stamp] = {}
    ) -> _Key:
        """Stamps of everything git's verdict on `rel` depends on."""
        full = f"{self.prefix}/{rel}" if self.prefix else rel
        return (*head, *self._folder_key(full.rpartition("/")[0], memo, stamps))

    def _folder_key(self, folder: str, memo: dict[str, _Key], stamps: Mapping[str, Stamp]) -> _Key:
        """Stamps of the .gitignore files from the top down to `folder`."""
        found = memo.get(folder)
        if found is not None:
            return found
        parent = self._folder_key(folder.rpartition("/")[0], memo, stamps) if folder else ()
        here = f"{self.top}/{folder}/.gitignore" if folder else f"{self.top}/.gitignore"
        changed = stamps[here] if here in stamps else stamp(here)
        memo[folder] = key = (*parent, changed)
        return key
