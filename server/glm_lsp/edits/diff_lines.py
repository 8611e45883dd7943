"""New text written as diff lines.

A model that thinks in diffs sometimes fills a REPLACE section or new_string with one:
its kept lines marked " " (or, beside "+" lines, not marked), its old lines "-" and its
new lines "+" (or only its new lines, each marked "+"). Written as it came, that puts
"-" and "+" lines into the file. What tells such text apart from new text whose lines
really start so: its kept lines and its "-" lines are, in order, exactly the quote; then
its kept and "+" lines are the new text. Short of that, where the quote has no line
starting with "+", new text that is nothing but "+" lines loses its marks when, without
them, it starts at the quote's indentation or its least indentation is the quote's;
other text with "+" lines is refused with a sentence, since nothing says what it meant,
unless the file has lines starting with "+" (a list, a patch) and may well have more,
or the lines are list items ("+ item").
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
    whole = marks <= {" ", "+", "-"}  # every line marked, none left out
    quoted = split_lf(old)
    as_diff = _new_side(lines, quoted) if marks & {"+", "-"} else None
    if as_diff == quoted:
        as_diff = None  # its '-' lines are the quote's own ("- item"): no diff at all
    if as_diff is not None:
        if "+" in marks or (whole and marks == {" ", "-"}):
            return "".join(as_diff)
        if not whole:  # "-1" for "1", or "1" deleted?
            raise EditError(
                f"{naming.what} reads two ways: as a diff whose '-' lines remove the quoted "
                f"lines they repeat, or as {naming.new} putting '-' before them. Send "
                f"{naming.new} without diff marks to remove lines; to put '-' before lines, "
                "quote only those."
            )
    if not whole or "+" not in marks or _starts_a_line(old, "+"):
        return new  # a list, a patch file: lines may well start so
    added = [_split(line)[1] for line in lines]
    if marks == {"+"} and _indented_alike(added, quoted):
        return "".join(added)
    if _starts_a_line(file_text, "+") or all(_BULLET.match(line) for line in lines if line.strip()):
        return new
    raise EditError(
        f"{naming.what} writes {naming.new} as diff lines (starting with '+', '-' or ' ') "
        f"that are not a diff of {naming.old}; write {naming.new} as the new text itself, "
        "without diff marks, and send the edit again."
    )


def _new_side(lines: list[str], quoted: list[str]) -> list[str] | None:
    """The new text the lines stand for when they are a diff of the quoted lines (None
    otherwise): each kept line, its ' ' written or left out, and each '-' line is the next
    quoted line. Kept lines are taken as quoted: a whitespace-only line's first space may
    or may not have been its mark, and its trailing whitespace is the file's."""
    new: list[str] = []
    left = iter(quoted)
    for line in lines:
        mark, rest = _split(line)
        if mark == "+":
            new.append(rest)
            continue
        wanted = next(left, None)
        if wanted is None:
            return None
        if mark == "-" and rest.rstrip() == wanted.rstrip():
            continue
        if line.rstrip() != wanted.rstrip() and (mark != " " or rest.rstrip() != wanted.rstrip()):
            return None
        new.append(wanted)
    return new if next(left, None) is None else None


def _split(line: str) -> tuple[str, str]:
    """A diff line's mark and text (an unmarked line, blank, is a kept one)."""
    return (line[0], line[1:]) if line[:1] in (" ", "+", "-") else (" ", line)


def _starts_a_line(text: str, mark: str) -> bool:
    return text.startswith(mark) or f"\n{mark}" in text


def _indented_alike(new: list[str], old: list[str]) -> bool:
    """Whether the new lines start at the quote's indentation, or reach as far left."""
    first, least = _indents(new), _indents(old)
    return bool(first and least) and (first[0] == least[0] or min(first) == min(least))


def _indents(lines: list[str]) -> list[int]:
    return [len(line) - len(line.lstrip()) for line in lines if line.strip()]
