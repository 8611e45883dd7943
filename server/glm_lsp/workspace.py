"""Where a file's workspace starts: the git repository around it, else its folder."""

from __future__ import annotations

from pathlib import Path

import git


def find_root(path: Path) -> Path:
    """The repository root (so diffs get repository-relative a/ b/ paths), else the folder."""
    start = path if path.is_dir() else path.parent
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return start.resolve()
    top = repo.working_tree_dir
    return Path(top).resolve() if top else start.resolve()
