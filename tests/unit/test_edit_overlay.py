"""The in-memory workspace the agent's tools act on (glm_lsp.edits.overlay)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from glm_lsp.edits.overlay import FileChange, Overlay
from glm_lsp.errors import EditError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    workspace = tmp_path / "ws"
    (workspace / "src").mkdir(parents=True)
    (workspace / "src" / "main.py").write_bytes(b"print('hi')\n")
    (workspace / "src" / "util.py").write_bytes(b"def f():\r\n    return 1\r\n")
    (workspace / ".git").mkdir()
    (workspace / ".git" / "config").write_bytes(b"[core]\n")
    return workspace


def error_of(call: Callable[..., object], *args: object) -> str:
    with pytest.raises(EditError) as caught:
        call(*args)
    return str(caught.value)


# --- reading --------------------------------------------------------------------------------


def test_reads_disk_text_exactly(root: Path) -> None:
    overlay = Overlay(root)
    assert overlay.read("src/util.py") == "def f():\r\n    return 1\r\n"
    assert overlay.read("./src//main.py") == "print('hi')\n"


def test_open_buffers_win_over_disk(root: Path) -> None:
    overlay = Overlay(root, {str(root / "src" / "main.py"): "print('edited')\n"})
    assert overlay.read("src/main.py") == "print('edited')\n"


def test_buffer_found_through_a_symlinked_root(root: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(root)
    overlay = Overlay(link, {str(root / "src" / "main.py"): "buffer\n"})
    assert overlay.read("src/main.py") == "buffer\n"


def test_buffer_of_a_file_not_yet_on_disk(root: Path) -> None:
    overlay = Overlay(root, {str(root / "draft.py"): "x = 1\n"})
    assert overlay.exists("draft.py")
    assert overlay.read("draft.py") == "x = 1\n"


def test_missing_file_suggests_similar_names(root: Path) -> None:
    assert error_of(Overlay(root).read, "src/mian.py") == (
        "src/mian.py does not exist. Did you mean src/main.py? "
        "Paths are relative to the workspace root."
    )


def test_missing_file_in_a_missing_folder(root: Path) -> None:
    assert error_of(Overlay(root).read, "lib/x.py") == (
        "lib/x.py does not exist. Paths are relative to the workspace root."
    )


def test_directory_is_not_a_file(root: Path) -> None:
    assert error_of(Overlay(root).read, "src") == (
        "src is a directory, not a file; give the path of a file."
    )


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b"text\x00with nul\n"])
def test_binary_files_are_refused(root: Path, content: bytes) -> None:
    (root / "blob.bin").write_bytes(content)
    assert error_of(Overlay(root).read, "blob.bin") == (
        "blob.bin is not a UTF-8 text file, so it cannot be read or edited as text."
    )


def test_exists(root: Path) -> None:
    overlay = Overlay(root)
    assert overlay.exists("src/main.py")
    assert not overlay.exists("src")
    assert not overlay.exists("nope.py")


# --- writing stays in memory --------------------------------------------------------------


def test_write_changes_nothing_on_disk(root: Path) -> None:
    overlay = Overlay(root)
    overlay.write("src/main.py", "print('bye')\n")
    overlay.write("new/mod.py", "X = 1\n")
    assert overlay.read("src/main.py") == "print('bye')\n"
    assert overlay.exists("new/mod.py")
    assert (root / "src" / "main.py").read_bytes() == b"print('hi')\n"
    assert not (root / "new").exists()
    assert overlay.changes() == [
        FileChange("new/mod.py", None, "X = 1\n"),
        FileChange("src/main.py", "print('hi')\n", "print('bye')\n"),
    ]


def test_changes_start_from_the_buffer_text(root: Path) -> None:
    overlay = Overlay(root, {str(root / "src" / "main.py"): "buffer\n"})
    overlay.write("src/main.py", "model\n")
    assert overlay.changes() == [FileChange("src/main.py", "buffer\n", "model\n")]


def test_writing_back_the_original_text_is_no_change(root: Path) -> None:
    overlay = Overlay(root)
    overlay.write("src/main.py", "other\n")
    overlay.write("src/main.py", "print('hi')\n")
    overlay.write("tmp.txt", "scratch")
    overlay.delete("tmp.txt")
    assert overlay.changes() == []


def test_delete_and_rename(root: Path) -> None:
    overlay = Overlay(root)
    overlay.delete("src/main.py")
    overlay.rename("src/util.py", "lib/util.py")
    assert not overlay.exists("src/main.py")
    assert error_of(overlay.read, "src/main.py") == (
        "src/main.py was deleted earlier in this task; it no longer exists."
    )
    assert overlay.changes() == [  # the move is one change that remembers where from
        FileChange(
            "lib/util.py",
            "def f():\r\n    return 1\r\n",
            "def f():\r\n    return 1\r\n",
            renamed_from="src/util.py",
        ),
        FileChange("src/main.py", "print('hi')\n", None),
    ]
    assert sorted(p.name for p in (root / "src").iterdir()) == ["main.py", "util.py"]


def test_rename_onto_an_existing_file_is_refused(root: Path) -> None:
    assert error_of(Overlay(root).rename, "src/main.py", "src/util.py") == (
        "cannot rename src/main.py to src/util.py: src/util.py already exists; "
        "choose another name or delete it first."
    )


def test_delete_missing_file_is_refused(root: Path) -> None:
    assert "nope.py does not exist." in error_of(Overlay(root).delete, "nope.py")


def test_write_over_a_directory_is_refused(root: Path) -> None:
    assert error_of(Overlay(root).write, "src", "x") == (
        "src is a directory; give the path of a file inside it."
    )


def test_write_below_a_file_is_refused(root: Path) -> None:
    overlay = Overlay(root)
    assert error_of(overlay.write, "src/main.py/x.py", "x") == (
        "cannot create src/main.py/x.py: src/main.py is a file, not a directory."
    )
    overlay.write("made.txt", "x")
    assert error_of(overlay.write, "made.txt/y", "y") == (
        "cannot create made.txt/y: made.txt is a file, not a directory."
    )


def test_write_over_a_binary_file_is_refused(root: Path) -> None:
    (root / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert "img.png is not a UTF-8 text file" in error_of(Overlay(root).write, "img.png", "x")


# --- confinement ------------------------------------------------------------------------------

OUTSIDE = "is outside the workspace; use a path relative to the workspace root."


@pytest.mark.parametrize("rel", ["/etc/passwd", "../secret.txt", "src/../../secret.txt", ".."])
def test_paths_leaving_the_workspace_are_refused(root: Path, rel: str) -> None:
    assert error_of(Overlay(root).read, rel) == f"path {rel} {OUTSIDE}"


def test_an_absolute_path_inside_the_workspace_names_its_file(root: Path) -> None:
    """Models echo the absolute paths editors show them: one inside the root is the file
    it names, with every check a relative path gets."""
    overlay = Overlay(root)
    overlay.write(f"{root}/src/main.py", "print('bye')\n")
    assert overlay.read("src/main.py") == "print('bye')\n"
    assert [change.path for change in overlay.changes()] == ["src/main.py"]
    assert error_of(overlay.read, f"{root}/.git/config").startswith("path .git/config is inside .git/")
    for rel in [str(root), f"{root}/../outside.txt", f"{root}-other/x.py"]:
        assert error_of(overlay.resolve, rel) == f"path {rel} {OUTSIDE}"


def test_home_and_windows_absolute_paths_are_refused(root: Path) -> None:
    overlay = Overlay(root)
    for rel in ["~/.ssh/id_rsa", "C:\\Windows\\win.ini", "\\\\server\\share"]:
        assert error_of(overlay.resolve, rel) == f"path {rel} {OUTSIDE}"


def test_symlink_out_of_the_workspace_is_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("token")
    (root / "leak.txt").symlink_to(secret)
    (root / "leakdir").symlink_to(secret.parent)
    overlay = Overlay(root)
    expected = (
        "path {} is outside the workspace (it is a symbolic link to a place outside it); "
        "use a path relative to the workspace root."
    )
    assert error_of(overlay.read, "leak.txt") == expected.format("leak.txt")
    assert error_of(overlay.write, "leakdir/new.txt", "x") == expected.format("leakdir/new.txt")


def test_symlink_to_tmp_is_refused(root: Path) -> None:
    (root / "tmp").symlink_to("/tmp")
    assert "is outside the workspace" in error_of(Overlay(root).read, "tmp/anything")


def test_symlink_inside_the_workspace_is_allowed(root: Path) -> None:
    (root / "alias.py").symlink_to(root / "src" / "main.py")
    assert Overlay(root).read("alias.py") == "print('hi')\n"


def test_symlink_into_git_is_refused(root: Path) -> None:
    (root / "cfg").symlink_to(root / ".git" / "config")
    assert "inside .git/" in error_of(Overlay(root).read, "cfg")


@pytest.mark.parametrize("rel", [".git/config", ".git", "sub/.git/HEAD", ".GIT/config"])
def test_git_directory_is_refused(root: Path, rel: str) -> None:
    assert error_of(Overlay(root).read, rel) == (
        f"path {rel} is inside .git/, which holds git's own data and cannot be read or "
        "changed; use a path to a file of the project."
    )
    assert "inside .git/" in error_of(Overlay(root).write, rel, "x")


def test_gitignore_and_similar_names_are_fine(root: Path) -> None:
    overlay = Overlay(root)
    overlay.write(".gitignore", "*.pyc\n")
    overlay.write("docs/.github/x.md", "x\n")
    assert overlay.read(".gitignore") == "*.pyc\n"


@pytest.mark.parametrize("rel", ["", "   "])
def test_empty_path_is_refused(root: Path, rel: str) -> None:
    assert error_of(Overlay(root).read, rel) == (
        f"the path {rel!r} is empty or invalid; give a file path relative to the workspace "
        "root, such as src/main.py."
    )


def test_symlink_loop_is_refused(root: Path) -> None:
    (root / "loop").symlink_to(root / "loop")
    assert error_of(Overlay(root).read, "loop/x") == (
        "path loop/x cannot be resolved (it goes through a symbolic link loop); use another path."
    )


def test_resolve_and_relative(root: Path) -> None:
    overlay = Overlay(root)
    path = overlay.resolve("src/./main.py")
    assert path == root / "src" / "main.py"
    assert overlay.relative(path) == "src/main.py"
    assert overlay.relative(root.resolve() / "src") == "src"
    assert error_of(overlay.relative, Path(os.sep) / "etc") == f"path /etc {OUTSIDE}"
