"""Replacements that write again the lines next to what they replace.

A model that quotes only the lines it changes sometimes goes on writing the lines that
follow them in the file (or begins with the lines before them), as if they were part of
the quote. Applied, those lines stand twice, one copy after the other. Such an edit is
refused when the replacement ends with the lines that follow the matched lines (or
begins with those before them), at least one of them `telling` (a line with some
content: repeated "}" and blank lines are too common to say anything). Lines the quote
itself begins with are its own, not restated, unless the replacement writes them more
times in a row than the quote does: where the file has them just before the quote too
(Carbon's tests: a case stands twice in a row), the model either adds a copy or restates
the lines before, and which is unclear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glm_lsp.edits.indent import telling
from glm_lsp.errors import EditError


def refuse_restated(
    file_lines: Sequence[str],
    start: int,
    end: int,
    old_lines: Sequence[str],
    new_lines: Sequence[str],
    what: str,
    new_part: str,
) -> None:
    """Raise EditError when `new_lines`, replacing `file_lines[start:end]` (quoted as
    `old_lines`), write again the lines around them. `what` names the edit."""
    new = [line.strip() for line in new_lines]
    old = [line.strip() for line in old_lines]
    following = [line.strip() for line in file_lines[end : end + len(new)]]
    preceding = [line.strip() for line in file_lines[max(start - len(new), 0) : start]]
    new_back, old_back = new[::-1], old[::-1]  # read from the end: the lines after come first
    after = _longest(lambda k: _more_copies(new_back, old_back, following[:k][::-1], k), new)
    before = _longest(lambda k: _more_copies(new, old, preceding[-k:], k), new)
    if after and any(map(telling, new[-after:])):
        count, edge, place = after, "ends", f"after it (from line {end + 1}, {new[-after]!r})"
    elif before and any(map(telling, new[:before])):
        count, edge, place = before, "begins", f"before it (up to line {start}, {new[0]!r})"
    else:
        return
    lines = f"{count} line{'s' if count != 1 else ''}"
    raise EditError(
        f"{what} was not applied: {new_part} {edge} with the file's {lines} {place}, so "
        "applying it would write them twice. Leave those lines out of it, or quote them in "
        "what it replaces too."
    )


def _longest(restates: Callable[[int], bool], new: list[str]) -> int:
    """The most lines (at least 1) for which `restates` holds, or 0."""
    return max((k for k in range(1, len(new) + 1) if restates(k)), default=0)


def _more_copies(new: list[str], old: list[str], lines: list[str], k: int) -> bool:
    """Whether `new` begins with the k file `lines` beside the quote, and with more copies
    of them, one after the other, than the quote does: that many fewer are the quote's own."""
    return len(lines) == k and _copies(new, lines) > _copies(old, lines)


def _copies(text: list[str], lines: list[str]) -> int:
    count = 0
    while text[count * len(lines) : (count + 1) * len(lines)] == lines:
        count += 1
    return count
