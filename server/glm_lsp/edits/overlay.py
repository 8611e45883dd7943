"""An in-memory view of the workspace that the agent's tools read and write.

Nothing the model does touches the user's files: writes stay in the overlay and come back
as `changes()`, which the LSP layer sends as a WorkspaceEdit (so the editor previews them
and they land in its undo history) and the CLI prints as a diff. Open editor buffers win
over disk because they are what the user sees. Every path the model names is confined to
the workspace: a model that can be talked into reading ``../../.ssh/id_rsa`` or rewriting
``.git/config`` must not be able to.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from glm_lsp.errors import EditError

_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:)?[\\/]")
_HOME = re.compile(r"^~(?:/|$)")


@dataclass
class FileChange:
    """A file's text before and after the task; None for old = created, for new = deleted."""

    path: str
    old: str | None
    new: str | None
    renamed_from: str | None = None  # a rename: `old` is the text the file had there


class Overlay:
    """The workspace at `root` with open `buffers` (absolute path -> text) and pending writes."""

    def __init__(
        self,
        root: Path,
        buffers: Mapping[str, str] | None = None,
        exclude: Callable[[str], str | None] | None = None,
    ) -> None:
        """`exclude(rel)` names why a path must not be read or written (a secret, an
        ignored file), or returns None; the context engine supplies it."""
        self.root = Path(os.path.abspath(root))
        self._exclude = exclude
        self._real_root = self.root.resolve()
        self._buffers: dict[Path, str] = {}
        for name, text in (buffers or {}).items():
            self._buffers[Path(os.path.abspath(name))] = text
            self._buffers.setdefault(Path(name).resolve(), text)
        self._current: dict[str, str | None] = {}
        self._original: dict[str, str | None] = {}
        self._renamed: dict[str, str] = {}  # target -> the file it was moved from

    def resolve(self, rel: str) -> Path:
        """The absolute path of workspace-relative `rel`, refusing anything outside it.

        Refused: an empty path, absolute paths outside the root, ``..`` leaving the root,
        symlinks whose target is outside the root, and anything in ``.git/``. An absolute
        path inside the root names its file as plainly as the relative one (models echo the
        paths editors show them), so it is read as that, with the same checks.
        """
        if not rel.strip() or "\0" in rel:
            raise EditError(
                f"the path {rel!r} is empty or invalid; give a file path relative to the "
                "workspace root, such as src/main.py."
            )
        if rel.startswith("/") and Path(rel).is_absolute():
            return self.resolve(self._inside(rel))
        if _WINDOWS_ABSOLUTE.match(rel) or _HOME.match(rel):
            raise EditError(_outside(rel))
        normal = os.path.normpath(rel)
        if normal == ".." or normal.startswith("../"):
            raise EditError(_outside(rel))
        _refuse_git(rel, PurePosixPath(normal))
        path = self.root / normal
        try:
            real = path.resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop
            raise EditError(
                f"path {rel} cannot be resolved (it goes through a symbolic link loop); "
                "use another path."
            ) from exc
        if not real.is_relative_to(self._real_root):
            raise EditError(_outside(rel, " (it is a symbolic link to a place outside it)"))
        _refuse_git(rel, PurePosixPath(real.relative_to(self._real_root).as_posix()))
        reason = self._exclude(PurePosixPath(normal).as_posix()) if self._exclude else None
        if reason is not None:
            raise EditError(f"path {rel} is off limits ({reason}); it cannot be read or changed.")
        return path

    def _inside(self, absolute: str) -> str:
        """The root-relative form of an absolute path in the workspace; EditError if it is
        elsewhere (or the root itself, which is no file)."""
        normal = Path(os.path.normpath(absolute))
        for root in (self.root, self._real_root):
            if normal.is_relative_to(root) and normal != root:
                return normal.relative_to(root).as_posix()
        raise EditError(_outside(absolute))

    def relative(self, path: Path) -> str:
        """`path` relative to the workspace root, in posix form (for messages and diffs)."""
        absolute = Path(os.path.abspath(path))
        if absolute.is_relative_to(self.root):
            return absolute.relative_to(self.root).as_posix()
        real = absolute.resolve()
        if real.is_relative_to(self._real_root):
            return real.relative_to(self._real_root).as_posix()
        raise EditError(_outside(str(path)))

    def read(self, rel: str) -> str:
        """The current text of a file: overlay write, else open buffer, else disk (exactly)."""
        path = self.resolve(rel)
        key = self.relative(path)
        if key in self._current:
            text = self._current[key]
            if text is None:
                raise EditError(f"{key} was deleted earlier in this task; it no longer exists.")
            return text
        text = self._load(path)
        if text is None:
            raise EditError(self._missing_message(key, path))
        return text

    def original(self, rel: str) -> str | None:
        """The file's text before this task changed it; None when the task has not changed
        it (it is as `read` gives it) or created it."""
        return self._original.get(self.relative(self.resolve(rel)))

    def exists(self, rel: str) -> bool:
        """Whether `rel` names a file (not a directory) in the overlay, a buffer or on disk."""
        path = self.resolve(rel)
        key = self.relative(path)
        if key in self._current:
            return self._current[key] is not None
        return self._buffer(path) is not None or path.is_file()

    def text_or_none(self, rel: str) -> str | None:
        """The file's current text, or None if it does not exist: what patch and text-edit
        appliers ask for, so they can create files."""
        return self.read(rel) if self.exists(rel) else None

    def write(self, rel: str, text: str) -> None:
        """Set the text of a file (created if missing), in memory only."""
        path = self.resolve(rel)
        key = self.relative(path)
        if key not in self._current:
            self._refuse_bad_target(key, path)
        self._remember(key, path)
        self._current[key] = text

    def delete(self, rel: str) -> None:
        """Delete a file, in memory only; EditError if it does not exist."""
        self.read(rel)
        path = self.resolve(rel)
        key = self.relative(path)
        self._remember(key, path)
        self._current[key] = None

    def rename(self, source: str, target: str) -> None:
        """Move a file to a path that does not exist yet, in memory only."""
        text = self.read(source)
        if self.exists(target):
            raise EditError(
                f"cannot rename {source} to {target}: {target} already exists; "
                "choose another name or delete it first."
            )
        self.write(target, text)
        self.delete(source)
        key = self.relative(self.resolve(target))
        self._renamed[key] = self._renamed.pop(source, self.relative(self.resolve(source)))

    def changes(self) -> list[FileChange]:
        """Every file whose text now differs from its text when the task began, by path;
        a file moved by `rename` is one change carrying `renamed_from`."""
        moved = {
            target: source
            for target, source in self._renamed.items()
            if self._current.get(target) is not None
            and self._original.get(target) is None
            and source in self._current
            and self._current[source] is None
            and self._original.get(source) is not None
        }
        changes = []
        for key in sorted(self._current):
            if key in moved.values():
                continue
            if key in moved:
                changes.append(
                    FileChange(key, self._original[moved[key]], self._current[key], moved[key])
                )
            elif self._original[key] != self._current[key]:
                changes.append(FileChange(key, self._original[key], self._current[key]))
        return changes

    def _remember(self, key: str, path: Path) -> None:
        """Record the text a file had before its first change (None if it did not exist)."""
        if key not in self._original:
            self._original[key] = self._load(path)

    def _load(self, path: Path) -> str | None:
        """The buffer or disk text of `path`, None if no such file; EditError if not text."""
        buffer = self._buffer(path)
        if buffer is not None:
            return buffer
        if not path.exists():
            return None
        rel = self.relative(path)
        if path.is_dir():
            raise EditError(f"{rel} is a directory, not a file; give the path of a file.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise EditError(f"{rel} cannot be read ({exc.strerror}).") from exc
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EditError(_not_text(rel)) from exc
        if "\0" in text:
            raise EditError(_not_text(rel))
        return text

    def _buffer(self, path: Path) -> str | None:
        """The open editor buffer for `path`, by its own name or the file it links to."""
        buffer = self._buffers.get(path)
        if buffer is None and self._buffers:
            buffer = self._buffers.get(path.resolve())
        return buffer

    def _refuse_bad_target(self, key: str, path: Path) -> None:
        """Refuse writing over a directory, or below something that is a file."""
        if path.is_dir() and self._buffer(path) is None:
            raise EditError(f"{key} is a directory; give the path of a file inside it.")
        for parent in PurePosixPath(key).parents:
            if parent == PurePosixPath("."):
                break
            name = parent.as_posix()
            if self._current.get(name) is not None or (self.root / name).is_file():
                raise EditError(f"cannot create {key}: {name} is a file, not a directory.")

    def _missing_message(self, key: str, path: Path) -> str:
        """Say the file does not exist, and name similarly named files next to it."""
        folder = PurePosixPath(key).parent
        names = _file_names(path.parent) | {
            PurePosixPath(other).name
            for other, text in self._current.items()
            if text is not None and PurePosixPath(other).parent == folder
        }
        close = difflib.get_close_matches(path.name, sorted(names), n=3, cutoff=0.6)
        message = f"{key} does not exist."
        if close:
            paths = ", ".join((folder / name).as_posix() for name in close)
            message += f" Did you mean {paths}?"
        return message + " Paths are relative to the workspace root."


def _file_names(folder: Path) -> set[str]:
    """Names of the files directly in `folder` (none if it is missing or unreadable)."""
    try:
        return {entry.name for entry in folder.iterdir() if entry.is_file()}
    except OSError:
        return set()


def _refuse_git(rel: str, path: PurePosixPath) -> None:
    """Refuse paths inside a ``.git`` directory: git's own files are never the model's."""
    if any(part.lower() == ".git" for part in path.parts):
        raise EditError(
            f"path {rel} is inside .git/, which holds git's own data and cannot be read or "
            "changed; use a path to a file of the project."
        )


def _outside(rel: str, why: str = "") -> str:
    """The refusal for a path outside the workspace."""
    return f"path {rel} is outside the workspace{why}; use a path relative to the workspace root."


def _not_text(rel: str) -> str:
    """The refusal for a binary or non-UTF-8 file."""
    return f"{rel} is not a UTF-8 text file, so it cannot be read or edited as text."
