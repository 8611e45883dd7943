"""A proposed change as hunks the user can take one by one.

The hunks are exactly the `@@` hunks of the preview's unified diff (same opcodes, same 3
lines of context), numbered in diff order across files, so a plugin can find the hunk under
the cursor either in the diff text or by line number in the new file. A created, deleted
or renamed file is one hunk: it is taken or left whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from glm_lsp.edits.diff import grouped_opcodes
from glm_lsp.edits.locate import split_lf
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.textedits import Opcode, line_opcodes

CONTEXT = 3  # as in the preview's diff


@dataclass(frozen=True)
class Hunk:
    """One hunk: 1-based first line and line count on each side (counts may be 0)."""

    id: str
    path: str
    old_start: int
    old_lines: int
    new_start: int
    new_lines: int
    whole_file: bool = False  # created, deleted or renamed: taken or left whole
    line: int = -1  # 0-based line of its `@@` (or its file's `diff --git`) in the diff


def with_diff_lines(hunks: list[Hunk], diff: str) -> list[Hunk]:
    """The hunks with the line where each starts in `diff` (the preview's unified diff of
    the same changes), so a plugin showing the diff finds the hunk under the cursor."""
    located: list[Hunk] = []
    whole = False
    for number, line in enumerate(diff.split("\n")):
        if len(located) == len(hunks):
            break
        hunk = hunks[len(located)]
        if line.startswith("diff --git "):
            whole = hunk.whole_file
            if whole:
                located.append(replace(hunk, line=number))
        elif line.startswith("@@ ") and not whole:
            located.append(replace(hunk, line=number))
    return located + hunks[len(located) :]


def hunks_of(changes: list[FileChange]) -> list[Hunk]:
    """Every hunk of `changes`, with ids "1", "2", ... in diff order."""
    found: list[Hunk] = []
    for change in changes:
        for hunk in _file_hunks(change):
            found.append(replace(hunk, id=str(len(found) + 1)))
    return found


def step(changes: list[FileChange], done: set[str], more: set[str]) -> list[FileChange]:
    """What taking the hunks `more` changes once the hunks `done` were taken: each file
    from its text after `done` to its text after both."""
    before = {c.path: c for c in select(changes, done)}
    taken = []
    for change in select(changes, done | more):
        earlier = before.get(change.path)
        if earlier is None:
            taken.append(change)
        elif not _whole(change) and earlier.new != change.new:
            taken.append(FileChange(change.path, earlier.new, change.new))
    return taken


def select(changes: list[FileChange], ids: set[str]) -> list[FileChange]:
    """The changes with only the hunks in `ids` made; files left with nothing are dropped."""
    chosen: list[FileChange] = []
    counter = 0
    for change in changes:
        groups = _groups(change)
        wanted = {i for i in range(len(groups)) if str(counter + i + 1) in ids}
        counter += len(groups)
        if not wanted:
            continue
        if _whole(change):
            chosen.append(change)
            continue
        assert change.old is not None and change.new is not None
        chosen.append(replace(change, new=_partial(change.old, change.new, groups, wanted)))
    return chosen


def _whole(change: FileChange) -> bool:
    return change.old is None or change.new is None or change.renamed_from is not None


def _groups(change: FileChange) -> list[list[Opcode]]:
    """The file's hunks as opcode groups; a whole-file change is one group."""
    if _whole(change):
        return [[]]
    old, new = split_lf(change.old or ""), split_lf(change.new or "")
    return list(grouped_opcodes(line_opcodes(old, new), CONTEXT))


def _file_hunks(change: FileChange) -> Iterator[Hunk]:
    if _whole(change):
        old_count = len(split_lf(change.old or "")) if change.new is None else 0
        new_count = len(split_lf(change.new or ""))
        yield Hunk("", change.path, 1, old_count, 1, new_count, whole_file=True)
        return
    for group in _groups(change):
        first, last = group[0], group[-1]
        yield Hunk(
            "",
            change.path,
            first[1] + 1,
            last[2] - first[1],
            first[3] + 1,
            last[4] - first[3],
        )


def _partial(old: str, new: str, groups: list[list[Opcode]], wanted: set[int]) -> str:
    """`old` with the changed lines of the wanted groups replaced by their new lines."""
    old_lines, new_lines = split_lf(old), split_lf(new)
    replaced: list[tuple[int, int, list[str]]] = []
    for index in sorted(wanted):
        for tag, i1, i2, j1, j2 in groups[index]:
            if tag != "equal":
                replaced.append((i1, i2, new_lines[j1:j2]))
    out: list[str] = []
    position = 0
    for i1, i2, lines in replaced:
        out.extend(old_lines[position:i1])
        out.extend(lines)
        position = i2
    out.extend(old_lines[position:])
    return "".join(out)
