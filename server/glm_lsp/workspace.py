"""Where a file's workspace starts: the git repository around it, else its folder."""

from __future__ import annotations

from pathlib import Path


def find_root(path: Path) -> Path:
    """The repository root (so diffs get repository-relative a/ b/ paths), else the folder.

    The nearest folder holding a `.git` (a folder, or the file a linked work tree or a
    submodule has), found by looking upwards: what `git rev-parse --show-toplevel` answers,
    without starting git or importing a git library on every command."""
    start = (path if path.is_dir() else path.parent).resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start
