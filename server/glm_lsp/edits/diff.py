"""Git-style unified diffs of the model's changes.

The diff is what the user reviews (chat, headless ``glm-lsp edit``) and what
``glm.applyDiff`` takes back, so it must be exactly what ``git apply`` accepts: ``diff
--git`` headers, ``/dev/null`` and file modes for created and deleted files, and ``\\ No
newline at end of file`` markers. Lines are split on LF only, as git does, so a CRLF
file's carriage returns stay part of each line and survive the round trip.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from glm_lsp.edits.locate import split_lf
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.textedits import Opcode, line_opcodes

_NO_NEWLINE = "\\ No newline at end of file\n"
_MODE = "100644"

Change = tuple[str, str | None, str | None] | FileChange
"""A (path, old, new) triple; None for old means created, None for new means deleted."""


def unified_diff(
    path: str, old: str | None, new: str | None, context: int = 3, renamed_from: str = ""
) -> str:
    """The git diff turning `old` into `new` for the workspace-relative `path`; "" if equal.

    With `renamed_from`, `old` is the text the file had at that path (a git rename).
    """
    if old == new and not renamed_from:
        return ""
    a_name, b_name = _quote(f"a/{renamed_from or path}"), _quote(f"b/{path}")
    header = [f"diff --git {a_name} {b_name}\n"]
    if renamed_from:
        header += [f"rename from {renamed_from}\n", f"rename to {path}\n"]
    if old is None:
        header.append(f"new file mode {_MODE}\n")
    elif new is None:
        header.append(f"deleted file mode {_MODE}\n")
    old_lines, new_lines = split_lf(old or ""), split_lf(new or "")
    hunks = list(_hunks(old_lines, new_lines, context))
    if not hunks:  # an empty file created or deleted: git writes no ---/+++ lines either
        return "".join(header)
    header.append(f"--- {_file_label(a_name, old is None)}\n")
    header.append(f"+++ {_file_label(b_name, new is None)}\n")
    return "".join(header) + "".join(hunks)


def unified_diff_many(changes: Iterable[Change], context: int = 3) -> str:
    """One diff for several files, in the order given (unchanged files leave no trace)."""
    parts: list[str] = []
    for change in changes:
        path, old, new = _triple(change)
        moved = change.renamed_from if isinstance(change, FileChange) else None
        parts.append(unified_diff(path, old, new, context, moved or ""))
    return "".join(parts)


def _triple(change: Change) -> tuple[str, str | None, str | None]:
    """A FileChange or a triple, as a triple."""
    if isinstance(change, FileChange):
        return change.path, change.old, change.new
    return change


def _hunks(old: Sequence[str], new: Sequence[str], context: int) -> Iterator[str]:
    """The ``@@`` hunks of the diff, each rendered with its body."""
    for group in grouped_opcodes(line_opcodes(old, new), context):
        first, last = group[0], group[-1]
        old_range = _range(first[1], last[2])
        new_range = _range(first[3], last[4])
        body: list[str] = [f"@@ -{old_range} +{new_range} @@\n"]
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                body.extend(_lines(" ", old[i1:i2]))
                continue
            body.extend(_lines("-", old[i1:i2]))
            body.extend(_lines("+", new[j1:j2]))
        yield "".join(body)


def grouped_opcodes(codes: list[Opcode], context: int) -> Iterator[list[Opcode]]:
    """Opcodes grouped into hunks with `context` equal lines around each change.

    This is difflib's `SequenceMatcher.get_grouped_opcodes`, over our faster opcodes.
    """
    if not codes:
        return
    tag, i1, i2, j1, j2 = codes[0]
    if tag == "equal":
        codes[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    tag, i1, i2, j1, j2 = codes[-1]
    if tag == "equal":
        codes[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _lines(prefix: str, lines: Sequence[str]) -> Iterator[str]:
    """Hunk lines; a line without a newline (the file's last) gets git's marker after it."""
    for line in lines:
        if line.endswith("\n"):
            yield prefix + line
        else:
            yield prefix + line + "\n" + _NO_NEWLINE


def _range(start: int, stop: int) -> str:
    """A hunk range as git writes it: 1-based start, length omitted when 1, ``N,0`` when empty."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def _file_label(name: str, missing: bool) -> str:
    """The ---/+++ operand: /dev/null for a missing side, a tab after names with spaces."""
    if missing:
        return "/dev/null"
    return name + "\t" if " " in name and not name.startswith('"') else name


def _quote(name: str) -> str:
    """C-quote a path the way git does when it holds quotes, backslashes or control chars."""
    if not any(char in name for char in '"\\') and all(ord(char) >= 0x20 for char in name):
        return name
    escapes = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
    body = "".join(
        escapes.get(char, char if ord(char) >= 0x20 else f"\\{ord(char):03o}") for char in name
    )
    return f'"{body}"'
