"""Three-way merge of a stale edit onto the current document (glm_lsp.edits.merge)."""

from __future__ import annotations

import pytest

from glm_lsp.edits.merge import MergeConflict, rebase
from glm_lsp.errors import EditError

BASE = "".join(f"line {n}\n" for n in range(1, 21))


def conflict_of(base: str, ours: str, theirs: str) -> str:
    with pytest.raises(MergeConflict) as caught:
        rebase(base, ours, theirs)
    return caught.value.message


def test_our_change_moves_below_lines_the_user_added() -> None:
    ours = BASE.replace("line 15\n", "LINE 15\n")
    theirs = BASE.replace("line 2\n", "line 2\nnew a\nnew b\n")
    assert rebase(BASE, ours, theirs) == theirs.replace("line 15\n", "LINE 15\n")


def test_changes_on_adjacent_lines_both_stay() -> None:
    ours = BASE.replace("line 5\n", "five\n")
    theirs = BASE.replace("line 6\n", "six\n").replace("line 4\n", "")
    assert rebase(BASE, ours, theirs) == theirs.replace("line 5\n", "five\n")


def test_our_insertion_and_deletion_around_theirs() -> None:
    ours = BASE.replace("line 10\n", "line 10\ninserted\n").replace("line 19\n", "")
    theirs = BASE.replace("line 1\n", "")
    assert rebase(BASE, ours, theirs) == ours.replace("line 1\n", "")


def test_overlapping_changes_conflict_with_the_current_line_numbers() -> None:
    ours = BASE.replace("line 13\n", "thirteen\n")
    theirs = BASE.replace("line 2\n", "line 2\nextra\n").replace(
        "line 12\nline 13\nline 14\n", "twelve\n13\nfourteen\n"
    )
    assert conflict_of(BASE, ours, theirs) == (
        "lines 13-15 changed both in the editor and in the proposed edit."
    )


def test_several_conflicts_are_listed() -> None:
    ours = BASE.replace("line 3\n", "three\n").replace("line 12\n", "twelve\n")
    theirs = BASE.replace("line 3\n", "3\n").replace("line 12\n", "12\n")
    assert conflict_of(BASE, ours, theirs) == (
        "lines 3 and 12 changed both in the editor and in the proposed edit."
    )


def test_a_single_line_conflict_and_both_inserting_at_one_place() -> None:
    ours = BASE.replace("line 7\n", "line 7\nmine\n")
    theirs = BASE.replace("line 7\n", "line 7\nyours\n")
    assert conflict_of(BASE, ours, theirs) == (
        "line 8 changed both in the editor and in the proposed edit."
    )


def test_identical_changes_are_not_a_conflict() -> None:
    ours = BASE.replace("line 9\n", "nine\n").replace("line 18\n", "eighteen\n")
    theirs = BASE.replace("line 9\n", "nine\n")
    assert rebase(BASE, ours, theirs) == ours


def test_trivial_cases() -> None:
    ours = BASE.replace("line 1\n", "one\n")
    assert rebase(BASE, BASE, "typed\n") == "typed\n"
    assert rebase(BASE, ours, BASE) == ours
    assert rebase(BASE, ours, ours) == ours


def test_the_current_line_endings_are_kept() -> None:
    ours = BASE.replace("line 15\n", "LINE 15\n")
    theirs = BASE.replace("\n", "\r\n").replace("line 1\r\n", "first\r\n")
    assert rebase(BASE, ours, theirs) == theirs.replace("line 15\r\n", "LINE 15\r\n")


def test_a_last_line_without_a_line_break() -> None:
    base, ours, theirs = "a\nb\nc", "a\nb\nC", "A\nb\nc"
    assert rebase(base, ours, theirs) == "A\nb\nC"


def test_merge_conflict_is_an_edit_error() -> None:
    assert issubclass(MergeConflict, EditError)
