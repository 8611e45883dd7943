"""Lines copied with their line numbers.

`read_file` shows a file as "12<TAB>code", the context's outlines as "   12│ code" and a
refused edit's closest lines as " 12 | code", so a model sometimes copies those numbers
into old_string or a SEARCH section (and often numbers its new lines the same way). Such
an edit is read without the numbers only when they corroborate each other: every line of
old_string carries one, they count up by one, and the lines without them stand in the
file exactly there, from that line on. Anything less is not repaired; the edit is then
refused as not found, as before.
"""

from __future__ import annotations

import re

from glm_lsp.edits.locate import split_lf

_NUMBER = re.compile(r"(?:(\d+)\t|[ \t]*(\d+)(?:│ ?| \| ))")


def without_numbers(text: str, old: str, new: str) -> tuple[str, str] | None:
    """(old, new) without the line numbers copied into them, or None when `old` is not
    numbered from the place it stands in `text` (see the module)."""
    if not old or old in text:
        return None
    quoted = split_lf(old)
    numbers, lines = [], []
    for line in quoted:
        found = _NUMBER.match(line)
        if found is None:
            return None
        numbers.append(int(found[1] or found[2]))
        lines.append(line[found.end() :])
    first = numbers[0]
    if first < 1 or numbers != list(range(first, first + len(numbers))):
        return None
    there = split_lf(text)[first - 1 : first - 1 + len(lines)]
    if [line.rstrip("\r\n") for line in there] != [line.rstrip("\r\n") for line in lines]:
        return None
    return "".join(lines), _unnumbered(new, _style(quoted[0]))


def _style(line: str) -> str:
    """How a numbered line separates its number: a tab, a gutter or a bar ("" if none)."""
    found = _NUMBER.match(line)
    if found is None:
        return ""
    return "\t" if found[1] else "│" if "│" in found[0] else "|"


def _unnumbered(new: str, style: str) -> str:
    """`new` without numbers when every line of it with content is numbered in `style`;
    otherwise as written (a file may hold "13 | ..." lines of its own)."""
    lines = split_lf(new)
    if any(line.strip() and _style(line) != style for line in lines):
        return new
    return "".join(_without_number(line) if line.strip() else line for line in lines)


def _without_number(line: str) -> str:
    found = _NUMBER.match(line)
    return line[found.end() :] if found else line
