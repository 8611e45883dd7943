"""git's file list for a workspace, kept across processes and re-checked without git.

`git ls-files --cached --others --exclude-standard` walks every folder of the work tree
(40 ms on ansible's 5,053 files, far more on a slow disk), and the paths it returns then go
through the privacy and kind checks in Python. Between two starts almost nothing changes,
so the answer is saved with what it depends on:

- git's index (tracked files come and go: `git add`, `git rm`, a checkout), by mtime and
  size; the repository's `info/exclude` and config and the user's global excludes file at
  its default places (a `core.excludesFile` elsewhere is noticed when the config changes);
  the `.gitignore` files above the workspace root when it is below the work tree's top;
- the mtime of every folder git walks (the workspace minus ignored folders and nested
  repositories): a file created, deleted or renamed changes its folder's mtime, which is
  how an untracked, not ignored file shows up without asking git;
- every `.gitignore` in those folders (an edit in place does not touch the folder).

A check of all that is ~2,000 `lstat`s on ansible. What it cannot see, an edit inside a
file, is the per-file stat of `files.list_files` (content verdicts) and of the index, which
is one stat per file for both (`FileStates.stats`).

A snapshot is trusted only if nothing was modified while it was taken: stamps newer than
the moment git was asked are saved as unknown, so the next check asks git again.
"""

from __future__ import annotations

import logging
import marshal
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from glm_lsp.context import ignore
from glm_lsp.context.cachefile import Stamp, stamp, write_cache

log = logging.getLogger(__name__)

LISTING_FORMAT = 1  # bump when the saved snapshot's meaning changes
RACY_NS = 50_000_000  # a stamp this close to the listing may predate a change git missed

UNTRUSTED: Stamp = (-1, -1)  # a stamp taken too close to the listing: never matches


@dataclass(frozen=True)
class GitPlace:
    """Where a workspace sits in its work tree: what `git rev-parse` says, kept."""

    top: str  # the work tree's top folder
    git_dir: str  # this work tree's git folder (holds `index`)
    common: str  # the repository's shared git folder (holds `info/exclude`, `config`)
    prefix: str  # the workspace root relative to `top` ("" at the top)


@dataclass(frozen=True)
class Snapshot:
    """One `git ls-files` answer and the stamps that tell whether it still holds."""

    key: tuple[object, ...]  # format, root, policy and the caller's own stamps
    place: GitPlace
    stamps: dict[str, Stamp]  # files outside the walked folders (index, excludes, config)
    # walked folder (relative, "" = root) -> mtime_ns, 0 = unknown; None: not walked yet
    folders: dict[str, int] | None
    ignore_files: dict[str, Stamp] | None  # .gitignore in a walked folder -> stamp
    candidates: list[str]  # what git listed
    asked: int = 0  # when git was asked (time_ns)

    def holds(self, root: Path, key: tuple[object, ...]) -> bool:
        """Whether a fresh `git ls-files` would give the same candidates (cheap: lstats)."""
        if key != self.key or self.folders is None or self.ignore_files is None:
            return False
        for path, saved in self.stamps.items():
            if stamp(path) != saved:
                return False
        base = f"{root}/"
        for folder, mtime in self.folders.items():
            try:
                if not mtime or os.lstat(base + folder).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
        return all(stamp(base + rel) == saved for rel, saved in self.ignore_files.items())


def place_of(root: Path) -> GitPlace | None:
    """The work tree around `root`, or None outside one (or without git)."""
    where = ("--show-toplevel", "--git-dir", "--git-common-dir", "--show-prefix")
    done = ignore.run_git(root, "rev-parse", "--path-format=absolute", *where)
    if done is None or done.returncode != 0:
        return None
    lines = os.fsdecode(done.stdout).split("\n")
    if len(lines) < 4 or not lines[0]:
        return None
    return GitPlace(lines[0], lines[1], lines[2], lines[3].strip("/"))


def tracked_count(root: Path) -> int:
    """How many files git's index tracks, by its header (0 when there is no index or it
    cannot be read): a hint about the size of a workspace before git is asked."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        try:
            if dot.is_file():  # a linked work tree or submodule: "gitdir: <path>"
                text = dot.read_text(encoding="utf-8", errors="replace").strip()
                dot = folder / text.removeprefix("gitdir:").strip()
            elif not dot.is_dir():
                continue
            with open(dot / "index", "rb") as index:
                head = index.read(12)
        except OSError:
            return 0
        if len(head) < 12 or head[:4] != b"DIRC":
            return 0
        return int.from_bytes(head[8:12], "big")
    return 0


def take(root: Path, place: GitPlace, key: tuple[object, ...]) -> Snapshot | None:
    """Ask git for the candidates and stamp what the answer depends on outside the work
    tree; None when git fails. The folders are stamped later (`walked`): a cold start
    needs the candidates only, and the walk and its second `git ls-files` took 20-25 ms of
    ansible's, with its processors busy booting a parser."""
    asked = time.time_ns()
    stamps = {path: stamp(path) for path in _outside_files(root, place)}  # before git runs
    names = _answer(
        _spawn("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=root)
    )
    if names is None:
        return None
    # Folders (nested repositories, submodules) end with "/" or are not files: dropped later.
    candidates = list(dict.fromkeys(n for n in names if n and not n.endswith("/")))
    fresh = asked - RACY_NS
    stamps = {p: _trusted(s, fresh) for p, s in stamps.items()}
    return Snapshot(key, place, stamps, None, None, candidates, asked)


class LaterStamps(Mapping[str, Stamp]):
    """The stamps a snapshot not yet `walked` vouches for, each taken when first asked
    for: a file changed since git was asked (or moments before) is not vouched for."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._fresh = snapshot.asked - RACY_NS
        self._taken: dict[str, Stamp] = {}

    def __getitem__(self, path: str) -> Stamp:
        found = self._taken.get(path, UNTRUSTED)
        if found == UNTRUSTED:
            found = self._taken[path] = _trusted(stamp(path), self._fresh)
        return found

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str)

    def __iter__(self) -> Iterator[str]:
        return iter(self._taken)

    def __len__(self) -> int:
        return len(self._taken)


def walked(root: Path, snapshot: Snapshot) -> Snapshot:
    """`snapshot` with its folders stamped, what `Snapshot.holds` checks. Whatever changed
    since git was asked is newer than then, and stamped unknown. The ignored folders come
    from a second `git ls-files`, so the walk skips what git skips (node_modules, .venv,
    build); if that fails, the root is stamped unknown: git is asked again next time."""
    if snapshot.folders is not None:
        return snapshot
    ignored = _answer(
        _spawn(
            "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory",
            cwd=root,
        )
    )
    if ignored is None:
        return replace(snapshot, folders={"": 0}, ignore_files={})
    folders, ignore_files = _walk(root, {n.rstrip("/") for n in ignored if n.endswith("/")})
    fresh = snapshot.asked - RACY_NS
    return replace(
        snapshot,
        folders={f: m if m < fresh else 0 for f, m in folders.items()},
        ignore_files={p: _trusted(s, fresh) for p, s in ignore_files.items()},
    )


def _trusted(taken: Stamp, fresh: int) -> Stamp:
    """`taken`, unless the file may have changed after git read it."""
    return taken if taken is None or taken[0] < fresh else UNTRUSTED


def _outside_files(root: Path, place: GitPlace) -> list[str]:
    """Files outside the walked folders that change what git lists."""
    home = os.path.expanduser("~")
    config = os.environ.get("XDG_CONFIG_HOME") or f"{home}/.config"
    found = [
        f"{place.git_dir}/index",
        f"{place.common}/info/exclude",
        f"{place.common}/config",
        f"{config}/git/ignore",
        f"{home}/.gitconfig",
    ]
    folder = place.top
    for part in place.prefix.split("/") if place.prefix else []:
        found.append(f"{folder}/.gitignore")  # above the root: not in the walk
        folder = f"{folder}/{part}"
    return found


def _spawn(*args: str, cwd: Path) -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _answer(process: subprocess.Popen[bytes] | None) -> list[str] | None:
    """The NUL-separated paths git printed, or None when it failed or hung."""
    if process is None:
        return None
    try:
        out, _ = process.communicate(timeout=ignore.GIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    if process.returncode != 0:
        return None
    return os.fsdecode(out).split("\0")


def _walk(root: Path, pruned: set[str]) -> tuple[dict[str, int], dict[str, Stamp]]:
    """The mtime of every folder git walks below `root`, and its .gitignore files' stamps.

    Not entered: `.git`, ignored folders, symlinks, and nested repositories (a folder with
    its own `.git`, which git lists as one entry)."""
    folders: dict[str, int] = {}
    ignore_files: dict[str, Stamp] = {}
    stack = [""]
    while stack:
        folder = stack.pop()
        path = f"{root}/{folder}" if folder else str(root)
        try:
            folders[folder] = os.lstat(path).st_mtime_ns
            entries = list(os.scandir(path))
        except OSError:
            folders[folder] = 0
            continue
        if folder and any(entry.name == ".git" for entry in entries):
            continue  # a nested repository: git does not look inside
        for entry in entries:
            rel = f"{folder}/{entry.name}" if folder else entry.name
            if entry.name == ".gitignore":
                ignore_files[rel] = stamp(entry.path)
            elif entry.name != ".git" and rel not in pruned:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(rel)
                except OSError:
                    continue
    return folders, ignore_files


# --- kept between processes --------------------------------------------------------------


def save(path: Path, snapshot: Snapshot, extra: object = None) -> None:
    """Write atomically; a failing disk only costs the next process a `git ls-files`.
    `extra` is the caller's own data derived from the snapshot (marshal-able). The
    snapshot must be `walked`."""
    place = snapshot.place
    data = {
        "extra": extra,
        "format": LISTING_FORMAT,
        "key": snapshot.key,
        "place": (place.top, place.git_dir, place.common, place.prefix),
        "stamps": snapshot.stamps,
        "folders": snapshot.folders,
        "ignore_files": snapshot.ignore_files,
        "candidates": snapshot.candidates,
    }
    write_cache(path, data, "file listing")


def load(path: Path) -> tuple[Snapshot, object] | None:
    """A saved snapshot and its `extra`, or None when there is none or it is not ours (never
    trusted blindly: `Snapshot.holds` still checks it)."""
    try:
        data = marshal.loads(path.read_bytes())
        if not isinstance(data, dict) or data.get("format") != LISTING_FORMAT:
            return None
        snapshot = Snapshot(
            key=tuple(data["key"]),
            place=GitPlace(*data["place"]),
            stamps={p: tuple(s) if s is not None else None for p, s in data["stamps"].items()},
            folders=dict(data["folders"]),
            ignore_files={
                p: tuple(s) if s is not None else None for p, s in data["ignore_files"].items()
            },
            candidates=list(data["candidates"]),
        )
        return snapshot, data.get("extra")
    except (OSError, EOFError, ValueError, TypeError, KeyError) as error:
        log.debug("file listing %s unusable: %s", path, error)
        return None
