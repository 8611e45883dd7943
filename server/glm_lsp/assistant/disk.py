"""Writing proposed changes to disk, for the CLI's `edit --apply`.

The model works for seconds or minutes; meanwhile the user may save the file in their
editor. So before anything is written, every change is checked against the disk as it is
now: a file that changed meanwhile is three-way merged (the same rebase the language
server uses for open documents) or the whole apply is refused. Each write goes to a temp
file in the same folder and is renamed over the target, so a crash never leaves half a
file, and the file keeps its permissions.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from glm_lsp.edits.merge import MergeConflict
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.stale import rebase_changes
from glm_lsp.errors import GlmError


def disk_text(path: Path) -> str | None:
    """The file's text now, None if it does not exist."""
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise GlmError(f"{path} cannot be read any more, so nothing was written ({exc}).") from exc


def rebased_on_disk(root: Path, changes: list[FileChange]) -> list[FileChange]:
    """`changes` re-targeted onto the files as they are on disk now; GlmError (nothing
    written) when a file appeared, vanished, or changed on the same lines meanwhile."""
    for change in changes:
        source = change.renamed_from or change.path
        now = disk_text(root / source)
        if change.old is None and now is None and change.renamed_from is None:
            if (root / change.path).exists():
                raise GlmError(f"{change.path} was created on disk meanwhile; nothing was written.")
        elif change.old is not None and now is None:
            raise GlmError(f"{source} was deleted on disk meanwhile; nothing was written.")
        if change.renamed_from and (root / change.path).exists():
            raise GlmError(f"{change.path} was created on disk meanwhile; nothing was written.")
    try:
        return rebase_changes(changes, lambda rel: disk_text(root / rel))
    except MergeConflict as conflict:
        message = str(conflict).replace("in the editor", "on disk")
        raise GlmError(
            message.rstrip(".") + "; nothing was written.", detail=str(conflict)
        ) from None


def write_changes(root: Path, changes: list[FileChange]) -> None:
    """Write, create, rename and delete as `changes` say (already rebased)."""
    for change in changes:
        target = root / change.path
        if change.new is None:
            target.unlink(missing_ok=True)
            continue
        mode_from = root / (change.renamed_from or change.path)
        write_atomic(target, change.new, _mode(mode_from))
        if change.renamed_from and change.renamed_from != change.path:
            (root / change.renamed_from).unlink(missing_ok=True)


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Replace `path` with `text` in one step: a temp file beside it, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".glm-tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def _umask() -> int:
    """The process umask (read by setting it, then restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
