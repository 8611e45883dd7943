"""The files the context engine may read and send to a remote provider.

The starting set is git's view of the workspace: tracked files plus untracked files that are
not ignored (outside a repository, a folder walk that honours .gitignore files the same
way). From it we drop what must not leave the machine or would only waste the model's
context: paths in `.glmignore`, secret files by name, binaries, files over the size limit,
minified or generated files, and symlinks that lead outside the workspace.

`exclusion_reason` answers the same question for one path, with a sentence fragment the
agent's tools can show the model ("<path> is a secret file").
"""

from __future__ import annotations

import logging
import marshal
import os
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from glm_lsp.context import ignore, listing, secrets
from glm_lsp.context.cachefile import stamp, write_cache
from glm_lsp.context.content import BINARY, GENERATED, SAMPLE_BYTES, content_reason
from glm_lsp.context.secrets import is_secret_path

log = logging.getLogger(__name__)
_SECRETS_CODE = secrets.__file__

IGNORED_BY_GIT = "ignored by .gitignore"
IGNORED_BY_GLM = "ignored by .glmignore"
SECRET = "a secret file"
UNDER_GIT_DIR = "under .git/"
OUTSIDE = "outside the workspace"
LINK_OUTSIDE = "a symlink pointing outside the workspace"
NOT_A_FILE = "not a regular file"

_BINARY_EXTENSIONS = frozenset(
    ".png .jpg .jpeg .gif .bmp .ico .icns .webp .tif .tiff .psd .heic .avif .xcf"
    " .mp3 .wav .flac .ogg .oga .m4a .aac .opus .mp4 .m4v .mov .avi .mkv .webm .wmv .flv"
    " .zip .gz .tgz .bz2 .xz .zst .lz4 .7z .rar .tar .jar .war .ear .whl .egg .apk .ipa"
    " .deb .rpm .dmg .iso .img .msi .cab"
    " .exe .dll .so .dylib .a .lib .o .obj .ko .pyc .pyo .pyd .class .wasm .beam .elc"
    " .ttf .otf .woff .woff2 .eot"
    " .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .ods .odp .epub"
    " .sqlite .sqlite3 .db .mdb .pkl .pickle .npy .npz .h5 .hdf5 .parquet .feather .arrow"
    " .onnx .pt .pth .ckpt .safetensors .gguf .tflite .pb"
    " .bin .dat .blend .fbx .glb .sketch .fig".split()
)
_GENERATED_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "poetry.lock",
        "pdm.lock",
        "uv.lock",
        "pipfile.lock",
        "cargo.lock",
        "gemfile.lock",
        "composer.lock",
        "podfile.lock",
        "pubspec.lock",
        "mix.lock",
        "flake.lock",
        "go.sum",
        "gradle.lockfile",
        "packages.lock.json",
        "package.resolved",
    }
)
_GENERATED_SUFFIXES = (".min.js", ".min.mjs", ".min.cjs", ".min.css", ".map")


@dataclass(frozen=True)
class FilePolicy:
    """What may be sent: the size limit (bytes) above which a file is left out."""

    max_bytes: int = 1_000_000


def list_files(
    root: Path, policy: FilePolicy = FilePolicy(), state: FileStates | None = None
) -> list[str]:
    """The files the model may see: sorted posix paths relative to `root`.

    Raises NotADirectoryError when `root` is not a folder.
    """
    root = _resolved_root(root)
    state = _state(root, state)
    glm = state.glmignore()
    candidates, walked = state.candidates()
    if candidates is None:
        candidates = ignore.walk(root, glm)
    escaped = state.symlinked_dirs(candidates, walked)
    kept = []
    for rel in state.plain(candidates, glm, escaped):
        if state.content_reason(root, rel, policy) is None:
            kept.append(rel)
    kept.sort()
    return kept


def list_sampled(
    root: Path,
    policy: FilePolicy,
    state: FileStates,
    sample: Callable[[str], bool],
    on_candidates: Callable[[list[str]], None] | None = None,
    read: bool = True,
) -> tuple[list[str], list[str]]:
    """`list_files` that looks at only the files `sample` picks (those the index will
    parse): (the kept files among them, the unjudged rest), both sorted. The unjudged
    files passed the checks on the path alone; `judge` finishes them when something
    first needs the whole file set. A cold start then reads 1,578 of ansible's 5,053
    files' first bytes, not all of them, and a warm one stats those 1,578 only (the
    others' stats took 70 ms of a 0.45 s one-shot `glm-lsp context` on ansible).
    `on_candidates` sees git's candidate list as soon as it is known (to start parsers
    while the rest of the listing runs). With `read` False the picked files' first bytes
    are left to the caller, which reads them anyway (see `FileStates.settle`)."""
    root = _resolved_root(root)
    glm = state.glmignore()
    candidates, walked = state.candidates()
    if candidates is None:
        candidates = ignore.walk(root, glm)
    if on_candidates is not None:
        on_candidates(candidates)
    escaped = state.symlinked_dirs(candidates, walked)
    picked, pending = state.split(state.plain(candidates, glm, escaped), sample)
    kept = [rel for rel in picked if state.content_reason(root, rel, policy, read) is None]
    kept.sort()
    return kept, pending


def judge(root: Path, policy: FilePolicy, state: FileStates, pending: list[str]) -> list[str]:
    """The files of `pending` (from `list_sampled`) whose content check passes, in order."""
    root = _resolved_root(root)
    return [rel for rel in pending if state.content_reason(root, rel, policy) is None]


def exclusion_reason(
    root: Path, rel: str, policy: FilePolicy = FilePolicy(), state: FileStates | None = None
) -> str | None:
    """Why `rel` may not be read or sent, completing "<path> is ...", or None if it may.

    One of: "under .git/", "outside the workspace", "a secret file", "ignored by
    .glmignore", "ignored by .gitignore", "a symlink pointing outside the workspace",
    "binary", "generated or minified", "larger than N bytes", "not a regular file".
    Works for one path without listing the workspace (a few stats once the workspace has
    been listed, one `git check-ignore` otherwise). A path that does not exist yet is judged
    by its name alone, so this also tells whether a new file may be created there.
    """
    root = _resolved_root(root)
    normal = _normalise(root, rel)
    if normal is None:
        return OUTSIDE
    if not normal:
        return None
    state = _state(root, state)
    reason = _privacy_reason(normal, state.glmignore())
    if reason is None and state.git_ignored(normal):
        reason = IGNORED_BY_GIT
    reason = reason or state.link_reason(normal)
    if reason is None and (root / normal).is_dir():
        return None
    reason = reason or _kind_reason(normal)
    if reason is None and os.path.lexists(root / normal):
        reason = state.content_reason(root, normal, policy)
    return reason


# --- per-root state ------------------------------------------------------------------------


@dataclass
class FileStates:
    """What is remembered per workspace: the parsed .glmignore and per-file verdicts.

    The context engine owns one for its root, so the memory lives as long as the engine
    (the assistant's), not the module; a call without one starts from nothing.
    """

    root: Path
    _glm: tuple[tuple[int, int], ignore.IgnoreFile | None] | None = None
    _verdicts: dict[str, tuple[tuple[int, int, int], str | None]] = field(default_factory=dict)
    _git: ignore.GitIgnores | None = None
    _git_known: bool = False
    sampled: int = 0  # verdicts computed since the last `remember_verdicts`
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (size, mtime_ns) of each regular file the last listing stat-ed: the index takes
    # these instead of stat-ing every file a second time
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    snapshot: listing.Snapshot | None = None  # git's last answer and what it depends on
    snapshot_saved: bool = True  # whether `snapshot` is what is on disk
    # the path-only checks' last answer: (candidates, .glmignore stamp, symlinked folders, kept)
    _plain: tuple[list[str], object, set[str], list[str]] | None = None
    _plain_saved: object = None  # the `_plain` that is on disk
    _unwalked: tuple[list[str], set[str]] | None = None  # candidates' folders to check
    # `split`'s last answer: (the plain list, the sampling function, picked, the rest)
    _split: tuple[list[str], object, list[str], list[str]] | None = None
    # files a listing kept without reading their first bytes (`content_reason`), by
    # (mtime_ns, size, inode) as it saw them
    unread: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def candidates(self) -> tuple[list[str] | None, dict[str, int] | None]:
        """git's tracked and untracked-not-ignored files (None outside a work tree) and the
        folders git walks: the snapshot's when it still holds, else git's new answer."""
        snapshot = self.snapshot
        key = (str(self.root),)
        if snapshot is not None and snapshot.folders is None:  # taken by this process
            snapshot = self.snapshot = listing.walked(self.root, snapshot)
        if snapshot is None or not snapshot.holds(self.root, key):
            place = snapshot.place if snapshot is not None else listing.place_of(self.root)
            fresh = listing.take(self.root, place, key) if place is not None else None
            if fresh is None and snapshot is not None:  # moved, or no longer a work tree
                place = listing.place_of(self.root)
                fresh = listing.take(self.root, place, key) if place is not None else None
            if fresh is None:
                self.snapshot, self._git, self._git_known = None, None, True
                return None, None
            if snapshot is None or snapshot.place != fresh.place or not self._git_known:
                self._git, self._git_known = _git_ignores(self.root, fresh.place), True
            self.snapshot, self.snapshot_saved = fresh, False
            snapshot = fresh
        elif not self._git_known:  # a new process trusting a saved snapshot
            self._git, self._git_known = _git_ignores(self.root, snapshot.place), True
        if self._git is not None:
            stamps = (
                _ignore_stamps(self.root, snapshot)
                if snapshot.folders is not None
                else listing.LaterStamps(snapshot)
            )
            self._git.remember_listed(snapshot.candidates, stamps)
        return snapshot.candidates, snapshot.folders

    def symlinked_dirs(self, candidates: list[str], walked: dict[str, int] | None) -> set[str]:
        """Folders of `candidates` that are symlinks (see `_unwalked_folders`); which folders to
        check is remembered while the candidates stay the same list."""
        last = self._unwalked
        if last is None or last[0] is not candidates:
            last = self._unwalked = (candidates, _unwalked_folders(candidates, walked))
        return {d for d in last[1] if os.path.islink(f"{self.root}/{d}")}

    def plain(
        self, candidates: list[str], glm: ignore.IgnoreFile | None, escaped: set[str]
    ) -> list[str]:
        """The candidates that pass the checks on the path alone (privacy, kind, symlinked
        folders), remembered while the candidates, .glmignore and those folders stay."""
        stamp = self._glm[0] if self._glm else None
        last = self._plain
        if last is not None and last[0] is candidates and last[1:3] == (stamp, escaped):
            return last[3]
        found = [
            rel
            for rel in candidates
            if not (_privacy_reason(rel, glm) or _kind_reason(rel) or _under_any(rel, escaped))
        ]
        self._plain = (candidates, stamp, escaped, found)
        return found

    def split(
        self, plain: list[str], sample: Callable[[str], bool]
    ) -> tuple[list[str], list[str]]:
        """`plain` as the files `sample` picks and the rest, sorted; remembered while
        `plain` is the same list (a server's refresh of ansible asked `sample` of its
        5,032 files at every request). The lists returned are shared: not to be changed."""
        last = self._split
        if last is None or last[0] is not plain or last[1] is not sample:
            picked: list[str] = []
            rest: list[str] = []
            for rel in plain:
                (picked if sample(rel) else rest).append(rel)
            rest.sort()
            last = self._split = (plain, sample, picked, rest)
        return last[2], last[3]

    def git_ignored(self, rel: str) -> bool:
        """Whether git (or, outside a work tree, the .gitignore files) ignores `rel`."""
        if not self._git_known:
            self._git, self._git_known = ignore.GitIgnores.find(self.root), True
        verdict = self._git.ignored(rel) if self._git is not None else None
        return _own_ignored(self.root, rel) if verdict is None else verdict

    def link_reason(self, rel: str) -> str | None:
        """A path that resolves elsewhere is judged by where it leads: outside the
        workspace, or onto a file that may not be read itself, it is refused."""
        path = self.root / rel
        try:
            target = path.resolve()
        except (OSError, RuntimeError):
            return LINK_OUTSIDE
        if target == path:
            return None
        if not target.is_relative_to(self.root):
            return LINK_OUTSIDE
        inner = target.relative_to(self.root).as_posix()
        reason = _privacy_reason(inner, self.glmignore())
        if reason is None and inner != "." and self.git_ignored(inner):
            reason = IGNORED_BY_GIT
        return reason

    def glmignore(self) -> ignore.IgnoreFile | None:
        """The root's .glmignore, re-read only when it changes."""
        path = self.root / ".glmignore"
        try:
            info = path.stat()
            key = (info.st_mtime_ns, info.st_size)
        except OSError:
            key = (0, -1)
        if self._glm is None or self._glm[0] != key:
            self._glm = (key, ignore.load(path) if key[1] >= 0 else None)
        return self._glm[1]

    def content_reason(
        self, root: Path, rel: str, policy: FilePolicy, read: bool = True
    ) -> str | None:
        """Checks that need the file itself (type, size, first bytes), cached by mtime.
        With `read` False, a file whose first bytes were not judged yet passes for now:
        it is `unread` until `settle` gives the verdict of whoever reads it next."""
        path = f"{root}/{rel}"
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                link = self.link_reason(rel)
                if link is not None:
                    return link
                info = os.stat(path)
        except OSError:
            return NOT_A_FILE
        if not stat.S_ISREG(info.st_mode):
            return NOT_A_FILE
        self.stats[rel] = (info.st_size, info.st_mtime_ns)
        if info.st_size > policy.max_bytes:
            return f"larger than {policy.max_bytes:,} bytes"
        key = (info.st_mtime_ns, info.st_size, info.st_ino)
        cached = self._verdicts.get(rel)
        if cached is not None and cached[0] == key:
            return cached[1]
        if not read:
            self.unread[rel] = key
            return None
        verdict = _sample_reason(path, info.st_size)
        self._verdicts[rel] = (key, verdict)
        self.sampled += 1
        return verdict

    def settle(self, root: Path, verdicts: Mapping[str, str | None]) -> set[str]:
        """Judge the `unread` files: by `verdicts` (what their reader found in the bytes
        it read, by path), or where it has none, by their first bytes now. Returns the
        files left out."""
        out = set()
        unread, self.unread = self.unread, {}
        for rel, key in unread.items():
            if rel in verdicts:
                verdict = verdicts[rel]
            else:
                verdict = _sample_reason(f"{root}/{rel}", key[1])
            self._verdicts[rel] = (key, verdict)
            self.sampled += 1
            if verdict is not None:
                out.add(rel)
        return out


def _ignore_stamps(root: Path, snapshot: listing.Snapshot) -> dict[str, tuple[int, int] | None]:
    """The .gitignore stamps `snapshot` checked, by absolute path (a walked folder without
    one stamps it missing); a stamp too recent to trust is left to be taken again."""
    stamps: dict[str, tuple[int, int] | None] = {
        f"{root}/{folder}/.gitignore" if folder else f"{root}/.gitignore": None
        for folder in snapshot.folders or {}
    }
    for rel, saved in (snapshot.ignore_files or {}).items():
        if saved != listing.UNTRUSTED:
            stamps[f"{root}/{rel}"] = saved
        else:
            del stamps[f"{root}/{rel}"]
    return stamps


def _git_ignores(root: Path, place: listing.GitPlace) -> ignore.GitIgnores:
    return ignore.GitIgnores(
        root, place.top, place.prefix, f"{place.common}/info/exclude", f"{place.git_dir}/index"
    )


def _state(root: Path, state: FileStates | None) -> FileStates:
    """`state` when the caller keeps one for `root`, else a fresh one for this call."""
    return state if state is not None and state.root == root else FileStates(root)


def recall_verdicts(state: FileStates, path: Path) -> None:
    """Load content verdicts saved by `remember_verdicts`: a new process then reads the
    first bytes only of files whose (mtime, size, inode) changed, not of all of them
    (0.4 s for ansible's 5,053 files on a warm disk cache)."""
    try:
        saved = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return
    if not isinstance(saved, dict):
        return
    with state.lock:
        for rel, (key, verdict) in saved.items():
            state._verdicts.setdefault(rel, (tuple(key), verdict))


def recall_listing(state: FileStates, path: Path) -> None:
    """Load the snapshot of git's file list saved by `remember_listing` (checked before use),
    and the path checks' answer for it if the rules are the same code."""
    if state.snapshot is not None:
        return
    loaded = listing.load(path)
    if loaded is None:
        return
    state.snapshot, extra = loaded
    state.snapshot_saved = True
    if isinstance(extra, tuple) and len(extra) == 4 and extra[0] == _rules_key():
        _, stamp, escaped, found = extra
        state._plain = (state.snapshot.candidates, stamp, set(escaped), list(found))


def remember_listing(state: FileStates, path: Path) -> None:
    """Save the snapshot of git's file list if git was asked again since the last save, with
    the path checks' answer (secret names, .glmignore, kinds) for the next process; its
    folders are stamped first (`listing.walked`), so call this after the answer."""
    snapshot, plain = state.snapshot, state._plain
    if snapshot is None or (state.snapshot_saved and plain is state._plain_saved):
        return
    snapshot = state.snapshot = listing.walked(state.root, snapshot)
    extra = None
    if plain is not None and plain[0] is snapshot.candidates:
        extra = (_rules_key(), plain[1], sorted(plain[2]), plain[3])
    listing.save(path, snapshot, extra)
    state.snapshot_saved, state._plain_saved = True, plain


def _rules_key() -> tuple[tuple[int, int] | None, ...]:
    """Which code judged the paths: a saved answer from other rules is not reused."""
    return tuple(stamp(module) for module in (__file__, ignore.__file__, _SECRETS_CODE))


def remember_verdicts(state: FileStates, path: Path) -> None:
    """Save the content verdicts if any were computed since the last save (atomically)."""
    if not state.sampled:
        return
    with state.lock:
        data = dict(state._verdicts)
        state.sampled = 0
    write_cache(path, data, "file verdicts")


def _resolved_root(root: Path) -> Path:
    resolved = root.resolve()
    if not resolved.is_dir():
        raise NotADirectoryError(f"{root} is not a folder")
    return resolved


# --- the candidate set ---------------------------------------------------------------------


def _own_ignored(root: Path, rel: str) -> bool:
    """Whether the .gitignore files from `root` down ignore `rel` (git is not there to ask)."""
    chain = ignore.gitignore_chain(root, rel)
    return ignore.is_path_ignored(chain, rel, (root / rel).is_dir())


def _unwalked_folders(paths: list[str], walked: dict[str, int] | None) -> set[str]:
    """The folders of `paths` that may be symlinks: git lists files through them only if
    they were real folders once, and what is behind them now may be anywhere. A folder the
    listing walked was a real one then (and is checked as one: `Snapshot.holds`)."""
    folders = {rel.rpartition("/")[0] for rel in paths}
    for folder in list(folders):
        folders.update(ignore.ancestors(folder))
    folders.discard("")
    if walked is not None:
        folders.difference_update(walked)
    return folders


def _under_any(rel: str, folders: set[str]) -> bool:
    return bool(folders) and any(d in folders for d in ignore.ancestors(rel))


# --- the checks ----------------------------------------------------------------------------


def _normalise(root: Path, rel: str) -> str | None:
    """A clean posix path relative to `root`, "" for root itself, None if it leaves root."""
    path = PurePosixPath(rel.replace("\\", "/"))
    if path.is_absolute():
        local = Path(path)
        if not local.is_relative_to(root):
            local = local.parent.resolve() / local.name
        if not local.is_relative_to(root):
            return None
        path = PurePosixPath(local.relative_to(root).as_posix())
    normal = os.path.normpath(path.as_posix()).replace("\\", "/")
    if normal == ".":
        return ""
    if normal == ".." or normal.startswith("../"):
        return None
    return normal


def _privacy_reason(rel: str, glm: ignore.IgnoreFile | None) -> str | None:
    """What must never be read, judged by the path alone: .git, secrets, .glmignore."""
    if ".git" in rel.split("/"):
        return UNDER_GIT_DIR
    if is_secret_path(rel):
        return SECRET
    if glm is not None and ignore.is_path_ignored([glm], rel):
        return IGNORED_BY_GLM
    return None


def _kind_reason(rel: str) -> str | None:
    """What is not worth sending, judged by the name alone: binaries, lock files, bundles."""
    name = rel.rpartition("/")[2].lower()
    _, dot, extension = name.rpartition(".")
    if dot and "." + extension in _BINARY_EXTENSIONS:
        return BINARY
    if name in _GENERATED_NAMES or name.endswith(_GENERATED_SUFFIXES):
        return GENERATED
    return None


def _sample_reason(path: str, size: int) -> str | None:
    """Binary and generated checks on the first bytes of a file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            sample = os.read(fd, SAMPLE_BYTES)
        finally:
            os.close(fd)
    except OSError:
        return NOT_A_FILE
    return content_reason(sample, size)
