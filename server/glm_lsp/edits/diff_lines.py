"""New text written as diff lines.

A model that thinks in diffs sometimes fills a REPLACE section or new_string with one:
its kept lines marked " ", its old lines "-" and its new lines "+" (or only its new lines,
each marked "+"). Written as it came, that puts "-" and "+" lines into the file. What
tells such text apart from new text whose lines really start so: its " " and "-" lines,
read without their marks, are exactly the quote; then its " " and "+" lines are the new
text. Short of that, where the quote has no line starting with "+", new text that is
nothing but "+" lines, indented as the quote is, loses its marks; other text with "+"
lines is refused with a sentence, since nothing says what it meant, unless the file has
lines starting with "+" (a list, a patch) and may well have more, or the lines are
list items ("+ item").
"""

from __future__ import annotations

import re

from glm_lsp.edits.locate import split_lf
from glm_lsp.edits.mangled import Naming
from glm_lsp.errors import EditError

_HEADER = re.compile(r"@@ .*@@")
_BULLET = re.compile(r"\+ \S")


def unmarked(file_text: str, old: str, new: str, naming: Naming) -> str:
    """`new` without diff marks when it is a diff of `old` (see the module), else as it is."""
    lines = [line for line in split_lf(new) if not _HEADER.match(line)]
    marks = {line[0] for line in lines if line.strip()}
    if not marks <= {" ", "+", "-"} or not marks & {"+", "-"}:
        return new
    old_side, new_side = _sides(lines)
    if _same_lines(old_side, split_lf(old)):
        return "".join(_kept_as_quoted(lines, split_lf(old)))
    if "+" not in marks or _starts_a_line(old, "+"):
        return new  # a list, a patch file: lines may well start so
    if marks == {"+"} and _indent(new_side) == _indent(split_lf(old)):
        return "".join(new_side)
    if _starts_a_line(file_text, "+") or all(_BULLET.match(line) for line in lines if line.strip()):
        return new
    raise EditError(
        f"{naming.what} writes {naming.new} as diff lines (starting with '+', '-' or ' ') "
        f"that are not a diff of {naming.old}; write {naming.new} as the new text itself, "
        "without diff marks, and send the edit again."
    )


def _sides(lines: list[str]) -> tuple[list[str], list[str]]:
    """The old and new lines a diff's lines stand for (a blank line unmarked is kept)."""
    old: list[str] = []
    new: list[str] = []
    for line in lines:
        mark, rest = _split(line)
        if mark != "+":
            old.append(rest)
        if mark != "-":
            new.append(rest)
    return old, new


def _kept_as_quoted(lines: list[str], quoted: list[str]) -> list[str]:
    """The new side, its kept lines as the quote has them: a whitespace-only line's first
    space may or may not have been its mark, and its trailing whitespace is the file's."""
    new: list[str] = []
    old = iter(quoted)
    for line in lines:
        mark, rest = _split(line)
        if mark == "+":
            new.append(rest)
        elif mark == " ":
            new.append(next(old))
        else:
            next(old)
    return new


def _split(line: str) -> tuple[str, str]:
    """A diff line's mark and text (an unmarked line, blank, is a kept one)."""
    return (line[0], line[1:]) if line[:1] in (" ", "+", "-") else (" ", line)


def _starts_a_line(text: str, mark: str) -> bool:
    return text.startswith(mark) or f"\n{mark}" in text


def _same_lines(one: list[str], other: list[str]) -> bool:
    return [line.rstrip() for line in one] == [line.rstrip() for line in other]


def _indent(lines: list[str]) -> str | None:
    """The leading whitespace of the first line with content."""
    for line in lines:
        if line.strip():
            return line[: len(line) - len(line.lstrip())]
    return None
