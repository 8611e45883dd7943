"""Hunks of a proposed change: ids in diff order, taking some, taking more later."""

from __future__ import annotations

from glm_lsp.edits.diff import unified_diff_many
from glm_lsp.edits.hunks import hunks_of, select, step, with_diff_lines
from glm_lsp.edits.overlay import FileChange

OLD = "".join(f"line {n}\n" for n in range(1, 21))
NEW = OLD.replace("line 2\n", "LINE 2\n").replace("line 18\n", "LINE 18\nextra\n")
CHANGES = [
    FileChange("a.py", OLD, NEW),
    FileChange("new.py", None, "print(1)\n"),
    FileChange("gone.py", "x = 1\n", None),
]


def test_hunks_follow_the_diff() -> None:
    hunks = with_diff_lines(hunks_of(CHANGES), unified_diff_many(CHANGES))
    assert [(h.id, h.path, h.new_start, h.new_lines, h.whole_file) for h in hunks] == [
        ("1", "a.py", 1, 5, False),
        ("2", "a.py", 15, 7, False),
        ("3", "new.py", 1, 1, True),
        ("4", "gone.py", 1, 0, True),
    ]
    lines = unified_diff_many(CHANGES).split("\n")
    assert [lines[h.line][:3] for h in hunks] == ["@@ ", "@@ ", "dif", "dif"]
    assert lines[hunks[1].line] == "@@ -15,6 +15,7 @@"


def test_one_hunk_of_two() -> None:
    (first,) = select(CHANGES, {"1"})
    assert first.new == OLD.replace("line 2\n", "LINE 2\n")
    (second,) = select(CHANGES, {"2"})
    assert second.new == OLD.replace("line 18\n", "LINE 18\nextra\n")
    assert [c.path for c in select(CHANGES, {"1", "3", "4"})] == ["a.py", "new.py", "gone.py"]


def test_taking_more_after_some_were_taken() -> None:
    (more,) = step(CHANGES, {"1", "3"}, {"2"})
    assert more.old == OLD.replace("line 2\n", "LINE 2\n") and more.new == NEW
    assert [c.path for c in step(CHANGES, {"1"}, {"3"})] == ["new.py"]
