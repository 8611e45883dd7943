"""Three-way merge of a proposed edit onto a document the user changed meanwhile.

The model works for seconds or minutes while the user keeps typing. Applying its edit to
the text it was computed from would undo the user's typing; refusing every stale edit
would waste the model's work. `rebase` keeps both when they touch different lines: the
edit's changed line ranges are moved by the lines the user added or removed above them.
When both changed the same lines there is no safe answer, so it raises `MergeConflict`
naming those lines in the document as it is now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from glm_lsp.edits.locate import content, eol, split_lf, uses_crlf
from glm_lsp.edits.textedits import line_opcodes
from glm_lsp.errors import EditError


class MergeConflict(EditError):
    """The proposed edit and the user's typing changed the same lines."""


@dataclass(frozen=True)
class _Change:
    """Base lines `start`..`end` (0-based, end excluded) became `lines`, at `at`..`to` in the
    changed text."""

    start: int
    end: int
    lines: tuple[str, ...]
    at: int
    to: int

    def keys(self) -> tuple[str, ...]:
        """The new lines as compared (content and whether a line break follows)."""
        return tuple(_key(line) for line in self.lines)


def rebase(base: str, ours: str, theirs: str) -> str:
    """`theirs` with the changes from `base` to `ours` applied (see the module docstring).

    `base` is the text the edit was computed from, `ours` that text with the edit, and
    `theirs` the document now. Identical changes on both sides count once. Our new lines
    take the line-break style of `theirs`. Raises MergeConflict when the changes overlap.
    """
    if ours in (base, theirs):
        return theirs
    if theirs == base:
        return ours
    base_lines = split_lf(base)
    mine = _changes(base_lines, split_lf(ours))
    their_lines = split_lf(theirs)
    others = _changes(base_lines, their_lines)
    conflicts: list[tuple[int, int]] = []
    kept: list[_Change] = []
    for change in mine:
        touching = [other for other in others if _overlap(change, other)]
        if not touching:
            kept.append(change)
        elif not (len(touching) == 1 and _same(change, touching[0])):
            conflicts.append(_conflict_span(change, touching, others))
    if conflicts:
        raise MergeConflict(
            f"{_describe(conflicts)} changed both in the editor and in the proposed edit."
        )
    return _apply(their_lines, kept, others, convert=uses_crlf(theirs) != uses_crlf(ours))


def _key(line: str) -> str:
    """A line as compared: its content and whether it ends with a line break (LF).

    Line-break style is left out, so a document whose line endings differ from the base's
    still merges; a last line gaining or losing its break is a change.
    """
    return content(line) + ("\n" if eol(line) else "")


def _changes(base: list[str], other: list[str]) -> list[_Change]:
    """The runs of base lines that differ in `other`, with their replacement."""
    ops = line_opcodes([_key(line) for line in base], [_key(line) for line in other])
    return [
        _Change(i1, i2, tuple(other[j1:j2]), j1, j2)
        for tag, i1, i2, j1, j2 in ops
        if tag != "equal"
    ]


def _overlap(a: _Change, b: _Change) -> bool:
    """Whether two changes touch the same base lines (insertions at one place count)."""
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    if a.start == a.end:
        return b.start < a.start < b.end
    if b.start == b.end:
        return a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


def _same(a: _Change, b: _Change) -> bool:
    """Whether both sides made the very same change."""
    return (a.start, a.end) == (b.start, b.end) and a.keys() == b.keys()


def _shift(position: int, others: Sequence[_Change], *, inclusive: bool) -> int:
    """Base line `position` in the changed text, past their changes that end before it.

    With `inclusive`, an insertion exactly at `position` counts as before it.
    """
    moved = position
    for other in others:
        if other.end < position or (
            other.end == position and (inclusive or other.start < other.end)
        ):
            moved += (other.to - other.at) - (other.end - other.start)
    return moved


def _apply(lines: list[str], mine: list[_Change], others: list[_Change], *, convert: bool) -> str:
    """Their lines with our non-overlapping changes written in, last first."""
    result = list(lines)
    newline = "\r\n" if uses_crlf("".join(lines)) else "\n"
    for change in sorted(mine, key=lambda c: (c.start, c.end), reverse=True):
        start = _shift(change.start, others, inclusive=True)
        end = start if change.start == change.end else _shift(change.end, others, inclusive=False)
        new = [_restyle(line, newline) for line in change.lines] if convert else list(change.lines)
        result[start:end] = new
    return "".join(result)


def _restyle(line: str, newline: str) -> str:
    """`line` with its line break (if any) written as `newline`."""
    return content(line) + newline if eol(line) else line


def _conflict_span(
    change: _Change, touching: list[_Change], others: list[_Change]
) -> tuple[int, int]:
    """The lines (0-based, end excluded) of the current text both sides changed."""
    low = min(other.at for other in touching)
    high = max(other.to for other in touching)
    if change.start < min(other.start for other in touching):
        low = min(low, _shift(change.start, others, inclusive=True))
    if change.end > max(other.end for other in touching):
        high = max(high, _shift(change.end, others, inclusive=False))
    return low, high


def _describe(spans: list[tuple[int, int]]) -> str:
    """'line 4', 'lines 12-14' or 'lines 3-4 and 12-14' (1-based)."""
    words = [f"{low + 1}-{high}" if high > low + 1 else f"{low + 1}" for low, high in spans]
    if len(words) == 1 and "-" not in words[0]:
        return f"line {words[0]}"
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"lines {listed}"
