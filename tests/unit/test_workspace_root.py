"""The workspace root: the repository around a file (real git repositories in temp dirs)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from glm_lsp.workspace import find_root


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_a_file_deep_in_a_repository_has_the_repository_as_its_root(tmp_path: Path) -> None:
    _git("init", "-q", cwd=tmp_path)
    deep = tmp_path / "src" / "pkg"
    deep.mkdir(parents=True)
    (deep / "mod.py").write_text("x = 1\n")
    assert find_root(deep / "mod.py") == tmp_path.resolve()
    assert find_root(deep) == tmp_path.resolve()


def test_a_linked_work_tree_is_its_own_root(tmp_path: Path) -> None:
    main = tmp_path / "main"
    main.mkdir()
    _git("init", "-q", cwd=main)
    _git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "0",
        cwd=main,
    )
    _git("worktree", "add", "-q", str(tmp_path / "linked"), cwd=main)
    assert (tmp_path / "linked" / ".git").is_file()
    assert find_root(tmp_path / "linked") == (tmp_path / "linked").resolve()


def test_a_folder_outside_any_repository_is_its_own_root(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hi\n")
    assert find_root(tmp_path / "notes.txt") == tmp_path.resolve()


def test_a_work_tree_placed_by_git_environment_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The repository's git directory lives apart from its files (a "dotfiles" setup).
    store, tree = tmp_path / "store.git", tmp_path / "home"
    tree.mkdir()
    _git("init", "-q", "--bare", str(store), cwd=tmp_path)
    (tree / "sub").mkdir()
    monkeypatch.setenv("GIT_DIR", str(store))
    monkeypatch.setenv("GIT_WORK_TREE", str(tree))
    _git("config", "core.bare", "false", cwd=tree)
    assert find_root(tree / "sub") == tree.resolve()
    assert find_root(tmp_path) == tmp_path.resolve()  # not in that work tree
