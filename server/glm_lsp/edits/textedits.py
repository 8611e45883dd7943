"""Minimal text edits between two versions of a document, in LSP position terms.

The LSP layer sends edits to the editor instead of whole files so that the change lands
in the editor's undo history as small steps, cursors and folds outside the change stay
put, and the preview shows only what the model changed. Positions follow the LSP rules
(zero-based lines split on ``\\n``, ``\\r\\n`` and ``\\r``; columns counted in the
negotiated position encoding) but nothing here imports lsprotocol: the LSP layer converts
these neutral dataclasses.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from glm_lsp.edits.locate import BOM

ENCODINGS = ("utf-8", "utf-16", "utf-32")
"""Position encodings of the LSP (``PositionEncodingKind`` values)."""

_EXACT_MATCH_LINES = 4000
"""Above this many differing lines, difflib may treat very common lines as junk (speed)."""

Opcode = tuple[str, int, int, int, int]
"""A difflib opcode: tag, old start, old end, new start, new end."""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Position:
    """A zero-based line and a column in the code units of a position encoding."""

    line: int
    character: int


@dataclass(frozen=True)
class TextChange:
    """Replace the text from `start` to `end` (both in the original text) by `new_text`."""

    start: Position
    end: Position
    new_text: str


def split_lines(text: str) -> list[str]:
    """Split like the LSP does (``\\n``, ``\\r\\n``, ``\\r``), keeping line ends.

    `str.splitlines` also breaks on form feeds, ``\\x1c`` and U+2028, which editors do
    not, so line numbers computed with it drift from the editor's.
    """
    return _LINE.findall(text)


def code_units(text: str, encoding: str = "utf-16") -> int:
    """Length of `text` in the code units of `encoding` (bytes, UTF-16 units, code points)."""
    _check_encoding(encoding)
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def minimal_changes(old: str, new: str, encoding: str = "utf-16") -> list[TextChange]:
    """The line-granular edits that turn `old` into `new`, ranges in `old`'s coordinates.

    One change per differing run of lines (difflib opcodes over lines with their line
    ends), so unchanged lines are never inside a range and nothing is merged that need
    not be. A last line without a line break ends mid-line, so the end of the document is
    its length in `encoding` units, not the start of a next line. A byte-order mark that
    both versions start with is left out: a file read from disk may have one, which an
    editor decodes away from its document, so an edit of line 1 would write it in.
    """
    _check_encoding(encoding)
    if old.startswith(BOM) and new.startswith(BOM):
        old, new = old[len(BOM) :], new[len(BOM) :]
    old_lines, new_lines = split_lines(old), split_lines(new)
    changes: list[TextChange] = []
    for tag, i1, i2, j1, j2 in line_opcodes(old_lines, new_lines):
        if tag == "equal":
            continue
        start = _line_start(old_lines, i1, encoding)
        end = _line_start(old_lines, i2, encoding)
        changes.append(TextChange(start, end, "".join(new_lines[j1:j2])))
    return changes


def line_opcodes(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """difflib opcodes turning the `old` lines into the `new` ones, fast on large files.

    The common first and last lines are set aside before matching: a model's edit to a
    large file usually leaves most of it alone, and difflib without its "junk" heuristic
    (which can skip over unchanged blank lines) is slow on long inputs. Only when the
    differing middle is itself long do we let difflib use that heuristic.
    """
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    middle_old = old[prefix : len(old) - suffix]
    middle_new = new[prefix : len(new) - suffix]
    heuristic = len(middle_old) + len(middle_new) > _EXACT_MATCH_LINES
    matcher = SequenceMatcher(None, middle_old, middle_new, autojunk=heuristic)
    codes: list[Opcode] = [("equal", 0, prefix, 0, prefix)] if prefix else []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        codes.append((tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix))
    if suffix:
        codes.append(("equal", len(old) - suffix, len(old), len(new) - suffix, len(new)))
    return codes


def apply_changes(text: str, changes: Iterable[TextChange], encoding: str = "utf-16") -> str:
    """Apply `changes` the way an LSP client applies a TextEdit[] to a document.

    Every range refers to the original `text`; inserts at the same position keep the order
    given. Overlapping ranges are an error (the LSP forbids them), raised as ValueError.
    """
    starts = line_starts(text)
    spans = [
        (
            _offset(text, starts, change.start, encoding),
            _offset(text, starts, change.end, encoding),
            change.new_text,
        )
        for change in changes
    ]
    spans.sort(key=lambda span: (span[0], span[1]))
    parts: list[str] = []
    cursor = 0
    for start, end, new_text in spans:
        if start < cursor or end < start:
            raise ValueError(f"overlapping or inverted text change at offset {start}")
        parts.append(text[cursor:start])
        parts.append(new_text)
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def position_to_offset(text: str, position: Position, encoding: str = "utf-16") -> int:
    """The Python string index of an LSP position in `text`.

    Clamped like the LSP says: a line past the end means the end of the text, a column
    past the end of its line means the end of that line (before its line break). A
    column inside a character (half a surrogate pair, a byte inside a UTF-8 sequence)
    rounds down to that character's start.
    """
    _check_encoding(encoding)
    return _offset(text, line_starts(text), position, encoding)


def offset_to_position(text: str, offset: int, encoding: str = "utf-16") -> Position:
    """The LSP position of the Python string index `offset` in `text` (clamped to the text).

    An offset between the ``\\r`` and ``\\n`` of a CRLF has no position of its own; it maps
    to the end of that line.
    """
    _check_encoding(encoding)
    offset = max(0, min(offset, len(text)))
    starts = line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    content_end = _content_end(text, starts, line)
    column = code_units(text[starts[line] : min(offset, content_end)], encoding)
    return Position(line, column)


def line_starts(text: str) -> list[int]:
    """String offsets at which each LSP line of `text` starts (always at least ``[0]``)."""
    return [0] + [match.end() for match in _BREAK.finditer(text)]


def _line_start(lines: Sequence[str], index: int, encoding: str) -> Position:
    """Position of the start of line `index`, or of the end of the text when past the end."""
    if index < len(lines):
        return Position(index, 0)
    if not lines:
        return Position(0, 0)
    last = lines[-1]
    if last.endswith(("\n", "\r")):
        return Position(len(lines), 0)
    return Position(len(lines) - 1, code_units(last, encoding))


def _offset(text: str, starts: list[int], position: Position, encoding: str) -> int:
    """`position_to_offset` with the line starts computed once per document."""
    if position.line < 0 or position.character < 0:
        raise ValueError(f"negative position {position}")
    if position.line >= len(starts):
        return len(text)
    start = starts[position.line]
    end = _content_end(text, starts, position.line)
    return start + _column_to_index(text[start:end], position.character, encoding)


def _content_end(text: str, starts: list[int], line: int) -> int:
    """Offset of the end of `line`'s content, before its line break."""
    if line + 1 >= len(starts):
        return len(text)
    end = starts[line + 1]
    if text[end - 2 : end] == "\r\n":
        return end - 2
    return end - 1


def _column_to_index(line: str, column: int, encoding: str) -> int:
    """How many characters of `line` lie before `column` code units (rounded down)."""
    if encoding == "utf-32":
        return min(column, len(line))
    units = 0
    for index, char in enumerate(line):
        units += _char_units(char, encoding)
        if units > column:
            return index
    return len(line)


def _char_units(char: str, encoding: str) -> int:
    """Code units of one code point in `encoding`."""
    point = ord(char)
    if encoding == "utf-16":
        return 2 if point > 0xFFFF else 1
    if point < 0x80:
        return 1
    if point < 0x800:
        return 2
    return 3 if point < 0x10000 else 4


def _check_encoding(encoding: str) -> None:
    """Refuse an encoding the LSP does not define, rather than miscount columns silently."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown position encoding {encoding!r}; expected one of {ENCODINGS}")
