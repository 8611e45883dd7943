"""A new process trusts the saved file listing only while nothing it depends on changed.

Each test lists a real git repository in one `ContextEngine` (as one process), changes the
work tree, and lists it again in a fresh engine sharing the cache (as the next process).
Everything is first dated a minute back, as on a workspace nobody is touching: a snapshot
taken within moments of a change is never trusted, which would hide the fast path.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from glm_lsp.context import engine as engine_module
from glm_lsp.context import listing
from glm_lsp.context.engine import ContextEngine


@pytest.fixture(autouse=True)
def no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time git is asked for the file list (instead of the snapshot being trusted)."""
    calls: list[Path] = []
    original = listing.take

    def counting(
        root: Path, place: listing.GitPlace, key: tuple[object, ...]
    ) -> listing.Snapshot | None:
        calls.append(root)
        return original(root, place, key)

    monkeypatch.setattr(listing, "take", counting)
    return calls


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for rel, text in {
        "app.py": "from pkg.core import helper\n\nhelper()\n",
        "pkg/__init__.py": "",
        "pkg/core.py": "def helper():\n    return 1\n",
        "docs/guide.md": "# Guide\n",
        ".gitignore": "*.log\n",
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    (root / "notes.txt").write_text("untracked, not ignored\n")
    return root


def age(root: Path) -> None:
    """Date every file and folder (the git folder too) a minute back."""
    past = time.time() - 60
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            os.utime(Path(folder) / name, (past, past), follow_symlinks=False)
    os.utime(root, (past, past))


def process(root: Path, cache: Path) -> ContextEngine:
    """What one process of glm-lsp does first: a refresh with the shared cache, and its
    caches saved after the answer."""
    engine = ContextEngine(root, cache_dir=cache)
    engine.refresh()
    engine.save_caches()
    return engine


def first_listing(repo: Path, tmp_path: Path, asked: list[Path]) -> list[str]:
    age(repo)
    files = process(repo, tmp_path / "cache").files
    assert process(repo, tmp_path / "cache").files == files  # a second process: no git
    assert len(asked) == 1
    asked.clear()
    return files


def test_an_unchanged_workspace_is_listed_without_git(
    repo: Path, tmp_path: Path, asked: list[Path]
) -> None:
    files = first_listing(repo, tmp_path, asked)
    assert files == [".gitignore", "app.py", "docs/guide.md", "notes.txt", "pkg/__init__.py",
                     "pkg/core.py"]  # fmt: skip
    assert process(repo, tmp_path / "cache").files == files
    assert asked == []


def test_the_folders_are_stamped_after_the_answer(
    repo: Path, tmp_path: Path, asked: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold refresh needs git's candidates only: the walk that stamps the folders (and
    its own `git ls-files` of the ignored ones) waits for the caches to be saved, and the
    next process trusts what it saved. (Only this repository's walks count: an earlier
    test's engine may still save its caches a second after its refresh.)"""
    walks: list[Path] = []
    real = listing._walk

    def walk(root: Path, pruned: set[str]) -> tuple[dict[str, int], dict[str, listing.Stamp]]:
        if root == repo:
            walks.append(root)
        return real(root, pruned)

    monkeypatch.setattr(listing, "_walk", walk)
    monkeypatch.setattr(engine_module, "LATER_DELAY", 3600.0)  # this test saves them itself
    age(repo)
    engine = ContextEngine(repo, cache_dir=tmp_path / "cache")
    engine.refresh()
    assert len(asked) == 1 and walks == []
    engine.save_caches()
    assert len(walks) == 1
    assert process(repo, tmp_path / "cache").files == engine.files
    assert len(asked) == 1 and len(walks) == 1


def test_an_edited_file_is_parsed_again(repo: Path, tmp_path: Path, asked: list[Path]) -> None:
    first_listing(repo, tmp_path, asked)
    (repo / "pkg" / "core.py").write_text(
        "def helper():\n    return 2\n\n\ndef added():\n    pass\n"
    )
    engine = process(repo, tmp_path / "cache")
    assert [rel for rel, _ in engine.index.definitions("added")] == ["pkg/core.py"]
    assert asked == []  # an edit in place changes no folder: the listing still holds


def test_a_new_untracked_file_is_listed(repo: Path, tmp_path: Path, asked: list[Path]) -> None:
    first_listing(repo, tmp_path, asked)
    (repo / "pkg" / "extra.py").write_text("def extra():\n    pass\n")
    (repo / "pkg" / "debug.log").write_text("ignored\n")
    engine = process(repo, tmp_path / "cache")
    assert "pkg/extra.py" in engine.files and "pkg/debug.log" not in engine.files
    assert [rel for rel, _ in engine.index.definitions("extra")] == ["pkg/extra.py"]


def test_a_file_in_a_folder_that_was_empty_is_listed(
    repo: Path, tmp_path: Path, asked: list[Path]
) -> None:
    (repo / "later").mkdir()
    first_listing(repo, tmp_path, asked)
    (repo / "later" / "new.py").write_text("x = 1\n")
    assert "later/new.py" in process(repo, tmp_path / "cache").files


def test_a_deleted_file_is_dropped(repo: Path, tmp_path: Path, asked: list[Path]) -> None:
    first_listing(repo, tmp_path, asked)
    (repo / "pkg" / "core.py").unlink()
    (repo / "notes.txt").unlink()
    engine = process(repo, tmp_path / "cache")
    assert "pkg/core.py" not in engine.files and "notes.txt" not in engine.files
    assert engine.index.definitions("helper") == []


def test_a_changed_gitignore_is_followed(repo: Path, tmp_path: Path, asked: list[Path]) -> None:
    (repo / "docs" / ".gitignore").write_text("# nothing yet\n")
    (repo / "docs" / "draft.md").write_text("untracked\n")
    first_listing(repo, tmp_path, asked)
    with (repo / "docs" / ".gitignore").open("a") as ignore_file:  # in place: same folder mtime
        ignore_file.write("draft.md\n")
    with (repo / ".gitignore").open("a") as ignore_file:
        ignore_file.write("notes.txt\n")
    files = process(repo, tmp_path / "cache").files
    assert "docs/draft.md" not in files and "notes.txt" not in files
    assert "docs/guide.md" in files


def test_a_changed_glmignore_is_followed(repo: Path, tmp_path: Path, asked: list[Path]) -> None:
    (repo / ".glmignore").write_text("# nothing yet\n")
    first_listing(repo, tmp_path, asked)
    with (repo / ".glmignore").open("a") as ignore_file:
        ignore_file.write("docs/\n")
    files = process(repo, tmp_path / "cache").files
    assert "docs/guide.md" not in files and "app.py" in files


def test_git_rm_cached_and_info_exclude_are_followed(
    repo: Path, tmp_path: Path, asked: list[Path]
) -> None:
    (repo / "kept.log").write_text("tracked although ignored\n")
    git(repo, "add", "-f", "kept.log")
    first_listing(repo, tmp_path, asked)
    assert "kept.log" in process(repo, tmp_path / "cache").files
    git(repo, "rm", "-q", "--cached", "kept.log")  # untracked now, so ignored
    with (repo / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("docs/guide.md\n")
    files = process(repo, tmp_path / "cache").files
    assert "kept.log" not in files and "docs/guide.md" in files  # tracked: not excluded
    assert asked  # git was asked again


def test_a_snapshot_taken_during_changes_is_not_trusted(
    repo: Path, tmp_path: Path, asked: list[Path]
) -> None:
    process(repo, tmp_path / "cache")  # everything was just written: stamps too recent
    process(repo, tmp_path / "cache")
    assert len(asked) == 2


def test_only_source_files_are_read_at_a_refresh_the_rest_when_the_file_set_is_asked(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A binary or generated file never reaches the index nor the file set the model sees,
    whether its verdict came at the refresh (source files, judged by the index as it reads
    them to parse them: a cold start read each of them twice) or later (the others)."""
    from glm_lsp.context import files as files_module

    (repo / "blob.py").write_bytes(b"def leaked():\n    pass\n\x00\x01")
    (repo / "gen.py").write_text("# Code generated by protoc. DO NOT EDIT.\ndef made():\n    pass\n")
    (repo / "data.txt").write_bytes(b"secret-ish \x00 bytes\n")
    sampled: list[str] = []
    original = files_module._sample_reason

    def counting(path: str, size: int) -> str | None:
        sampled.append(Path(path).relative_to(repo.resolve()).as_posix())
        return original(path, size)

    monkeypatch.setattr(files_module, "_sample_reason", counting)
    engine = process(repo, tmp_path / "cache")
    assert sampled == []
    assert engine.index.definitions("leaked") == [] and engine.index.definitions("made") == []
    assert engine.index.files() == ["app.py", "pkg/__init__.py", "pkg/core.py"]
    assert engine.graph.defining("made") == set()
    sampled.clear()
    files = engine.files
    assert sorted(sampled) == [".gitignore", "data.txt", "docs/guide.md", "notes.txt"]
    assert files == [".gitignore", "app.py", "docs/guide.md", "notes.txt", "pkg/__init__.py",
                     "pkg/core.py"]  # fmt: skip
    sampled.clear()
    again = process(repo, tmp_path / "cache")
    assert again.files == files and sampled == []  # saved
    (repo / "app.py").write_text("# @generated\ndef main():\n    pass\n")
    again.refresh()  # made generated after the index had it: left out now
    assert "app.py" not in again.files and "app.py" not in again.index.files()
    assert sampled == []


def test_the_tracked_count_is_read_from_gits_index(repo: Path, tmp_path: Path) -> None:
    """The hint a cold start gets before git answers (to start a parser process early)."""
    assert listing.tracked_count(repo) == 5  # notes.txt is not tracked
    assert listing.tracked_count(repo / "pkg") == 5  # the whole work tree's
    git(repo, "worktree", "add", "-q", str(tmp_path / "linked"))
    assert listing.tracked_count(tmp_path / "linked") == 5  # .git is a file there
    (tmp_path / "plain").mkdir()
    assert listing.tracked_count(tmp_path / "plain") == 0
