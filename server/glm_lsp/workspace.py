"""Where a file's workspace starts: the git repository around it, else its folder."""

from __future__ import annotations

import os
from pathlib import Path


def find_root(path: Path) -> Path:
    """The repository root (so diffs get repository-relative a/ b/ paths), else the folder.

    The nearest folder holding a `.git` (a folder, or the file a linked work tree or a
    submodule has) answers at once, with no git process and no git library loaded. Only a
    repository placed by `GIT_DIR`/`GIT_WORK_TREE`, where no `.git` stands above the file,
    is asked of GitPython, which reads git's own rules for that.
    """
    start = (path if path.is_dir() else path.parent).resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    if "GIT_DIR" in os.environ or "GIT_WORK_TREE" in os.environ:
        return _from_git_environment(start)
    return start


def _from_git_environment(start: Path) -> Path:
    import git  # (only here: importing GitPython costs a one-shot command ~0.1 s)

    try:
        top = git.Repo().working_tree_dir  # GitPython reads GIT_DIR and GIT_WORK_TREE
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return start
    root = Path(top).resolve() if top else None
    return root if root is not None and start.is_relative_to(root) else start
