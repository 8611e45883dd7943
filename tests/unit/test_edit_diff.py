"""Git-style unified diffs (glm_lsp.edits.diff), checked against real `git apply`."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
from unidiff.patch import PatchSet

from glm_lsp.edits.diff import unified_diff, unified_diff_many
from glm_lsp.edits.overlay import FileChange

# --- exact output --------------------------------------------------------------------------


def test_unchanged_file_has_no_diff() -> None:
    assert unified_diff("a.py", "x\n", "x\n") == ""
    assert unified_diff("a.py", None, None) == ""


def test_modified_file() -> None:
    old = "".join(f"{n}\n" for n in range(1, 11))
    new = old.replace("5\n", "five\n")
    assert unified_diff("src/a.py", old, new) == (
        "diff --git a/src/a.py b/src/a.py\n"
        "--- a/src/a.py\n"
        "+++ b/src/a.py\n"
        "@@ -2,7 +2,7 @@\n"
        " 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
    )


def test_context_lines_are_configurable() -> None:
    assert unified_diff("a", "1\n2\n3\n", "1\nB\n3\n", context=0) == (
        "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -2 +2 @@\n-2\n+B\n"
    )


def test_created_file() -> None:
    assert unified_diff("new.py", None, "a\nb\n") == (
        "diff --git a/new.py b/new.py\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/new.py\n"
        "@@ -0,0 +1,2 @@\n"
        "+a\n+b\n"
    )


def test_deleted_file() -> None:
    assert unified_diff("old.py", "a\n", None) == (
        "diff --git a/old.py b/old.py\n"
        "deleted file mode 100644\n"
        "--- a/old.py\n"
        "+++ /dev/null\n"
        "@@ -1 +0,0 @@\n"
        "-a\n"
    )


def test_created_and_deleted_empty_files_have_headers_only() -> None:
    assert unified_diff("e.txt", None, "") == "diff --git a/e.txt b/e.txt\nnew file mode 100644\n"
    assert unified_diff("e.txt", "", None) == (
        "diff --git a/e.txt b/e.txt\ndeleted file mode 100644\n"
    )


def test_missing_final_newline_markers() -> None:
    assert unified_diff("a", "x\ny", "x\nz") == (
        "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n x\n"
        "-y\n\\ No newline at end of file\n"
        "+z\n\\ No newline at end of file\n"
    )


def test_gaining_a_final_newline() -> None:
    assert unified_diff("a", "x", "x\n") == (
        "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x\n"
    )


def test_unchanged_last_line_without_newline_is_context_with_marker() -> None:
    assert unified_diff("a", "x\ny", "X\ny") == (
        "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n"
        "-x\n+X\n y\n\\ No newline at end of file\n"
    )


def test_crlf_is_kept_in_the_diff() -> None:
    assert unified_diff("w.txt", "a\r\nb\r\n", "a\r\nc\r\n") == (
        "diff --git a/w.txt b/w.txt\n--- a/w.txt\n+++ b/w.txt\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n"
    )


def test_path_with_a_space_gets_git_trailing_tab() -> None:
    assert unified_diff("my docs/a b.md", "x\n", "y\n").splitlines()[:3] == [
        "diff --git a/my docs/a b.md b/my docs/a b.md",
        "--- a/my docs/a b.md\t",
        "+++ b/my docs/a b.md\t",
    ]


def test_path_with_a_quote_is_c_quoted() -> None:
    assert unified_diff('say "hi".txt', "x\n", "y\n").splitlines()[:3] == [
        'diff --git "a/say \\"hi\\".txt" "b/say \\"hi\\".txt"',
        '--- "a/say \\"hi\\".txt"',
        '+++ "b/say \\"hi\\".txt"',
    ]


def test_many_files_in_order_with_tuples_and_file_changes() -> None:
    combined = unified_diff_many(
        [("b.txt", "1\n", "2\n"), FileChange("a.txt", None, "new\n"), ("c.txt", "s\n", "s\n")]
    )
    assert combined == unified_diff("b.txt", "1\n", "2\n") + unified_diff("a.txt", None, "new\n")


# --- unidiff parses it --------------------------------------------------------------------


def test_unidiff_counts() -> None:
    patch = PatchSet(
        unified_diff_many(
            [
                ("src/mod.py", "a\nb\nc\nd\n", "a\nB\nc\nd\ne\n"),
                ("new.py", None, "1\n2\n3\n"),
                ("gone.py", "x\ny\n", None),
                ("crlf.txt", "p\r\nq\r\n", "p\r\nQ\r\n"),
                ("tail.txt", "t", "t\nu"),
            ]
        )
    )
    summary = [(f.path, f.added, f.removed, f.is_added_file, f.is_removed_file) for f in patch]
    assert summary == [
        ("src/mod.py", 2, 1, False, False),
        ("new.py", 3, 0, True, False),
        ("gone.py", 0, 2, False, True),
        ("crlf.txt", 1, 1, False, False),
        ("tail.txt", 2, 1, False, False),
    ]
    crlf = patch[3]
    assert [line.value for hunk in crlf for line in hunk if line.is_added] == ["Q\r\n"]


# --- git apply accepts it -------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for args in (
        ["init", "-q"],
        ["config", "user.name", "Test"],
        ["config", "user.email", "test@example.com"],
        ["config", "core.autocrlf", "false"],
    ):
        git(root, *args)
    return root


def git(root: Path, *args: str, stdin: bytes | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", *args], cwd=root, input=stdin, env=env, check=True, capture_output=True)


def apply_and_compare(repo: Path, changes: list[tuple[str, str | None, str | None]]) -> None:
    for path, old, _ in changes:
        if old is not None:
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_bytes(old.encode())
    git(repo, "apply", "--whitespace=nowarn", "-", stdin=unified_diff_many(changes).encode())
    for path, _, new in changes:
        if new is None:
            assert not (repo / path).exists(), path
        else:
            assert (repo / path).read_bytes() == new.encode(), path


CASES: list[tuple[str, str | None, str | None]] = [
    ("modified.py", "a\nb\nc\n", "a\nB\nc\n"),
    ("crlf.txt", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\nd\r\n"),
    ("no newline both.txt", "a\nb", "a\nc"),
    ("gains newline.txt", "a\nb", "a\nb\n"),
    ("loses newline.txt", "a\nb\n", "a\nb"),
    ("deep/dir/created.py", None, "print('hi')\n"),
    ("created without newline.txt", None, "x"),
    ("deleted.txt", "bye\n", None),
    ("empty created.txt", None, ""),
    ("empty deleted.txt", "", None),
    ("emptied.txt", "a\nb\n", ""),
    ("filled.txt", "", "a\n"),
    ("unicode ünï😀.txt", "漢字\n😀\n", "漢字\n🙂\n"),
    ("lone cr.txt", "a\rb\n", "a\rc\n"),
    ("form feed.py", "a\x0c\nb\u2028c\n", "a\x0c\nB\u2028c\n"),
    ('quote"d.txt', "q\n", "Q\n"),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_git_apply_accepts_each_case(repo: Path, case: tuple[str, str | None, str | None]) -> None:
    apply_and_compare(repo, [case])


def test_git_apply_accepts_all_cases_in_one_patch(repo: Path) -> None:
    apply_and_compare(repo, CASES)


def random_lines(rng: random.Random) -> str:
    pieces = ["a", "b", "c", "é", "😀", " ", "\t", "\r"]
    lines = [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) + rng.choice(["\n", "\r\n"])
        for _ in range(rng.randint(0, 12))
    ]
    text = "".join(lines)
    return text[:-1] if text and rng.random() < 0.3 else text


def test_git_apply_accepts_random_diffs(repo: Path) -> None:
    rng = random.Random(7)
    changes: list[tuple[str, str | None, str | None]] = []
    for index in range(150):
        old: str | None = random_lines(rng)
        new: str | None = random_lines(rng)
        if index % 10 == 0:
            old = None
        elif index % 10 == 1:
            new = None
        changes.append((f"f{index}.txt", old, new))
    apply_and_compare(repo, changes)
