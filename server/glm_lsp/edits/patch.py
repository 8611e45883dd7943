"""Unified diffs as models write them, applied by content rather than by line number.

Models write diffs with wrong or missing ``@@`` numbers, trimmed or extra context, lost
whitespace, hunks out of order, and ``---``/``+++`` headers with or without ``a/``
``b/`` prefixes, often inside a fenced ```diff block. `apply_patch` therefore places each
hunk by its context and removed lines, with the same tolerant, never-guessing matcher as
``edit_file`` (`glm_lsp.edits.locate`). Line numbers only break a tie between places that
match equally, and only when they point clearly at one of them. A hunk that cannot be
placed uniquely refuses the whole patch (all or nothing) with a message naming the file
and the hunk, written so the model can fix its diff and resend it.

Parsing uses unidiff when the text is a well-formed diff (it round-trips exactly);
anything else goes to a lenient parser, because unidiff refuses bare ``@@ @@`` and
silently drops the lines past a wrong ``@@`` count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import combinations, product
from math import comb

from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as UnidiffHunk
from unidiff.patch import PatchSet

from glm_lsp.edits.apply import (
    Terms,
    applied_message,
    copies_message,
    loose_message,
    not_found_message,
    refuse_open_run,
    refuse_past_a_line_elsewhere,
)
from glm_lsp.edits.elision import refuse_elision
from glm_lsp.edits.indent import indent_of, telling
from glm_lsp.edits.locate import (
    BOM,
    LEVELS,
    Candidate,
    Found,
    LineEdit,
    LineIndex,
    already_applied,
    bom_set_aside,
    contenders,
    content,
    ending_the_file,
    eol,
    find,
    gapped,
    insertion,
    left_out_at,
    left_out_readings,
    mistakes,
    norm,
    read_past_a_line,
    same_result,
    split_lf,
    verbatim,
)
from glm_lsp.edits.mangled import Naming, manglings
from glm_lsp.edits.merge import MergeConflict, rebase
from glm_lsp.errors import EditError

Files = Callable[[str], "str | None"]
"""The current text of a workspace-relative path, or None when the file does not exist."""

_SLACK = 5
"""How far (in lines) a place may be from the @@ number and still be near it: a reading
there rivals one far from it."""
_MOST_READINGS = 256
"""How many ways of reading a hunk's '-' and '+' lines as context are tried at most."""
_HUNK = re.compile(r"^@@+\s*+(?:-(\d+)(?:,(\d+))?)?\s*+(?:\+(\d+)(?:,(\d+))?)?\s*+(?:@@+.*)?$")
_FENCE = re.compile(r"^(`{3,}|~{3,})\s*([\w+-]*)")
_DIFF_INFOS = {"", "diff", "patch", "udiff"}


@dataclass(frozen=True)
class PatchResult:
    """A file the patch changes: None for `old` = created, for `new` = deleted.

    For a rename, `path` is the new name and `renamed_from` the old one (the caller deletes
    it); `old` is the text the file had under its old name.
    """

    path: str
    old: str | None
    new: str | None
    renamed_from: str | None = None


@dataclass
class Hunk:
    """One ``@@`` section: its header numbers (None when missing) and tagged line contents."""

    header: str
    old_start: int | None = None
    old_count: int | None = None
    new_start: int | None = None
    new_count: int | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    old_no_eol: bool = False
    new_no_eol: bool = False
    unprefixed: bool = False  # some lines were read as context without their space

    def edit(self) -> LineEdit:
        """The hunk as a change to whole lines: ' ' kept, '-' removed, '+' inserted."""
        old: list[str] = []
        kept: list[bool] = []
        inserts: list[list[str]] = [[]]
        for tag, text in self.lines:
            if tag == "+":
                inserts[-1].append(text)
            else:
                old.append(text)
                kept.append(tag == " ")
                inserts.append([])
        return LineEdit(tuple(old), tuple(kept), tuple(tuple(group) for group in inserts))

    def counts_match(self) -> bool:
        """Whether the header's counts agree with the body (a sign the numbers are real)."""
        old = sum(tag != "+" for tag, _ in self.lines)
        new = sum(tag != "-" for tag, _ in self.lines)
        return (self.old_count, self.new_count) == (old, new)

    def final_eol(self) -> bool | None:
        """Whether the file ends with a line break after this hunk, from its markers."""
        if self.new_no_eol:
            return False
        return True if self.old_no_eol else None


@dataclass
class FilePatch:
    """The part of a diff about one file, with its labels as written (prefixes included)."""

    old_label: str | None = None
    new_label: str | None = None
    labelled: bool = False
    git_names: tuple[str, str] | None = None
    rename_from: str | None = None
    rename_to: str | None = None
    created: bool = False
    deleted: bool = False
    binary: bool = False
    crlf: bool = False
    hunks: list[Hunk] = field(default_factory=list)


def apply_patch(files: Files, patch: str, default_path: str | None = None) -> list[PatchResult]:
    """The files changed by the unified diff `patch`, all or nothing.

    `files(path)` gives a file's current text (None when missing); `patch` may be a whole
    fenced ```diff block; `default_path` is the file a diff without ``---``/``+++``
    headers changes. Raises EditError, written for the model, when the diff is malformed
    or a hunk cannot be placed at exactly one place.
    """
    sections = parse_patch(patch)
    if not sections:
        raise EditError(
            "The text contains no unified diff: expected '--- a/path' and '+++ b/path' "
            "lines followed by '@@' hunks of ' ', '-' and '+' lines."
        )
    state: dict[str, str | None] = {}
    results: dict[str, PatchResult] = {}

    def current(path: str) -> str | None:
        return state[path] if path in state else files(path)

    for section in sections:
        for result in _apply_section(current, section, default_path):
            _record(state, results, result)
    changed = [
        result for result in results.values() if result.old != result.new or result.renamed_from
    ]
    if not changed:
        names = ", ".join(results) or "the files it names"
        raise EditError(
            f"The diff changes nothing: its result is already in {names}, so it was not "
            "applied. Read the file again and send a diff of what is still missing."
        )
    return changed


def _record(
    state: dict[str, str | None], results: dict[str, PatchResult], new: PatchResult
) -> None:
    """Fold one section's result into the running state (a file may appear in several).

    A later section about a file an earlier one changed (or renamed) keeps the file's
    original text as `old`, so the result still says what the whole patch did.
    """
    earlier = results.pop(new.renamed_from, None) if new.renamed_from else results.get(new.path)
    if new.renamed_from:
        state[new.renamed_from] = None
    if earlier is not None:
        moved = new.renamed_from and earlier.old is not None
        origin = (earlier.renamed_from or new.renamed_from) if moved else earlier.renamed_from
        new = PatchResult(new.path, earlier.old, new.new, origin)
    state[new.path] = new.new
    results[new.path] = new


# --- applying ------------------------------------------------------------------------------


def _apply_section(
    current: Files, section: FilePatch, default_path: str | None
) -> list[PatchResult]:
    """The result of one file's section of the diff."""
    if section.binary:
        raise EditError(
            "The diff contains a binary patch, which cannot be applied here; change only "
            "text files, with ' ', '-' and '+' lines."
        )
    old_path, new_path = _paths(current, section, default_path)
    if section.created or old_path is None:
        assert new_path is not None
        return [_create(current, new_path, section)]
    if section.deleted or new_path is None:
        return [_delete(current, old_path, section)]
    text = current(old_path)
    if text is None:
        raise EditError(
            f"{old_path} does not exist, so the diff cannot change it; to create it, write "
            f"'--- /dev/null' and '+++ b/{old_path}' and add every line with '+'."
        )
    renamed = old_path != new_path
    if renamed and current(new_path) is not None:
        raise EditError(
            f"The diff renames {old_path} to {new_path}, but {new_path} already exists."
        )
    new_text = patch_text(new_path, text, section.hunks)
    return [PatchResult(new_path, text, new_text, old_path if renamed else None)]


def _create(current: Files, path: str, section: FilePatch) -> PatchResult:
    """A file created by the diff: its '+' (and stray ' ') lines are the whole text."""
    lines: list[str] = []
    newline = "\r\n" if section.crlf else "\n"
    for number, hunk in enumerate(section.hunks, 1):
        if any(tag == "-" for tag, _ in hunk.lines):
            raise EditError(
                f"Hunk {number} of the diff creating {path} removes lines, but a new file has "
                "none; write every line of the new file with '+'."
            )
        lines += [text + newline for _, text in hunk.lines]
    if lines and section.hunks[-1].new_no_eol:
        lines[-1] = lines[-1][: -len(newline)]
    text = "".join(lines)
    existing = current(path)
    if existing and existing != text:
        raise EditError(
            f"The diff creates {path}, but {path} already exists; write a diff against its "
            f"current text ('--- a/{path}', '+++ b/{path}') instead."
        )
    return PatchResult(path, existing, text)


def _delete(current: Files, path: str, section: FilePatch) -> PatchResult:
    """A file deleted by the diff, checked against what the diff says it contains."""
    text = current(path)
    if text is None:
        raise EditError(f"The diff deletes {path}, but {path} does not exist.")
    said = [norm(line) for hunk in section.hunks for tag, line in hunk.lines if tag != "+"]
    has = [norm(content(line)) for line in split_lf(text.removeprefix(BOM))]
    if section.hunks and [line.removeprefix(BOM) for line in said] != has:
        raise EditError(
            f"The diff deletes {path}, but its '-' lines are not the file's current text; "
            f"read {path} again, or delete it with a diff that removes exactly its lines."
        )
    return PatchResult(path, text, None)


def patch_text(path: str, text: str, hunks: list[Hunk]) -> str:
    """`text` with every hunk applied, each placed by its content in the original text."""
    if bom_set_aside(text, (line for hunk in hunks for _, line in hunk.lines)):
        return BOM + patch_text(path, text[len(BOM) :], hunks)
    index = LineIndex(text)
    placed: dict[int, Candidate] = {}
    choices: dict[int, list[Candidate]] = {}
    hunks = [_unmangled(path, text, hunk, number) for number, hunk in enumerate(hunks, 1)]
    hunks = [_spaces_kept(index, _reread(index, hunk)) for hunk in hunks]
    for number, hunk in enumerate(hunks, 1):
        _refuse_untagged(path, hunk, number)
        _refuse_elided(path, hunk, number)
        if not hunk.edit().old:
            continue
        options = _options(path, index, hunk, number)
        if len(options) == 1:
            placed[number] = options[0]
        else:
            choices[number] = options
    for number, options in choices.items():
        placed[number] = _tie_break(path, index, hunks, number, options, placed)
    for number, hunk in enumerate(hunks, 1):
        if not hunk.edit().old:
            placed[number] = _insertion(path, index, hunks, number, placed)
    return _assemble(path, index, hunks, placed)


def _options(
    path: str, index: LineIndex, hunk: Hunk, number: int, more: bool = True
) -> list[Candidate]:
    """The equally good places for a hunk ([] for a hunk without old lines). With `more`,
    a hunk placed nowhere may be read with a context line the file does not have, or with
    one left out after the file's first line (never both)."""
    edit = hunk.edit()
    at_end = _ends_unended(index, hunk)
    found = find(index, edit, hunk.final_eol(), at_end)
    best = contenders(ending_the_file(index, found) if at_end else found, index) if found else []
    expected = hunk.old_start - 1 if hunk.old_start else None
    applied = already_applied(index, edit, found, expected, hunk.final_eol())
    if applied is not None:
        raise EditError(applied_message(applied + 1, path, _terms(hunk, number)))
    terms = _terms(hunk, number)
    ending = _named_at_edge(index, hunk, best, expected, path, terms)
    if ending is not None:
        return [ending]
    if not best or (len(best) == 1 and best[0].lines is None):
        extra = _with_a_line_more(path, index, hunk, number, found) if more else None
        if extra is not None:
            return [extra]
        left_out = _first_line_left_out(index, hunk) if more else None
        if left_out is not None:
            return [left_out]
        copies = copies_message(index, edit, path, terms, final_eol=hunk.final_eol())
        if copies is not None:
            raise EditError(copies)
    if len(best) == 1 and best[0].lines is None and best[0].problem:
        raise EditError(loose_message(best[0], terms.sentence_old, path))
    if not best or (len(best) == 1 and best[0].lines is None):
        old_text = "".join(line + "\n" for line in edit.old)
        raise EditError(not_found_message(index.text, old_text, path, terms))
    if found is not None and expected is not None and found.level in LEVELS[1:]:
        _refuse_two_readings(path, index, hunk, number, best, expected)
    if found is not None and found.level in LEVELS[1:] and len(best) == 1:
        _refuse_loose_beside_left_out(path, index, hunk, number, best[0])
    top = 0 if hunk.old_start == 0 else expected  # (@@ line 0 names no line, but the top)
    if top is not None:
        _refuse_faint_and_far(path, index, hunk, number, best, top)
    if expected is not None:
        _refuse_edge_in_other_indentation(index, hunk, best, expected, path, terms)
    if found is not None and expected is not None and found.level == LEVELS[0]:
        _refuse_left_out_at_numbers(path, index, hunk, number, best, expected)
    if found is not None and expected is not None and found.level in LEVELS:
        exact = found.level == LEVELS[0]
        _refuse_reindented_at_numbers(path, index, hunk, number, best, expected, exact)
    if len(best) == 1:
        refuse_past_a_line_elsewhere(index, edit, found, best[0], path, terms, expected)
        if best[0].start != expected:
            refuse_open_run(index.lines, best[0].start, best[0].end, edit, path, terms)
    return best


def _with_a_line_more(
    path: str, index: LineIndex, hunk: Hunk, number: int, found: Found | None
) -> Candidate | None:
    """The hunk's one place when it quotes a context line the file does not have there
    (`read_past_a_line`). A line beside a '+' line may be one the model meant to add and
    did not mark, so it is never taken for one; nor is a line in a row of lines equal to it
    that ends beside one, as taking out any of them reads the same (yocto-queue's test: an
    `undefined` line quoted twice before new lines, taken out at the top of the two)."""
    lines = [k for k, (tag, _) in enumerate(hunk.lines) if tag != "+"]  # of each old line
    tags = [tag for tag, _ in hunk.lines]

    def allowed(old: int) -> bool:
        low = high = lines[old]
        while low > 0 and hunk.lines[low - 1] == hunk.lines[high]:
            low -= 1
        while high + 1 < len(hunk.lines) and hunk.lines[high + 1] == hunk.lines[low]:
            high += 1
        return "+" not in tags[max(low - 1, 0) : high + 2]

    def place(old: int, shorter: LineEdit, exact: Found) -> Candidate | None:
        k = lines[old]  # (the hunk without that line, placed with its numbers and checks)
        try:
            options = _options(
                path,
                index,
                replace(hunk, lines=hunk.lines[:k] + hunk.lines[k + 1 :]),
                number,
                more=False,
            )
        except EditError:
            return None  # (a reading refused, as already made or as standing twice)
        return options[0] if len(options) == 1 and options[0].lines is not None else None

    return read_past_a_line(index, hunk.edit(), hunk.final_eol(), found, place, allowed)


def _first_line_left_out(index: LineIndex, hunk: Hunk) -> Candidate | None:
    """The reading of a hunk that quotes the file's first line, a line with a letter or
    digit found nowhere else, and then the lines after it verbatim with one left out: that
    line pins the hunk to the file's start whatever its numbers say (ramsey/uuid: `<?php`,
    new lines, then the blank lines around a namespace line left out; dart's changelog:
    its version heading). Only for lines too plain to be sought with a gap (`gapped`),
    whose readings elsewhere are weighed there; a blank line or a brace pins nothing."""
    edit = hunk.edit()
    if len(edit.old) < 2 or not index.lines:
        return None
    first = edit.old[0]
    if first != index.contents[0] or not any(char.isalnum() for char in first):
        return None
    if len(index.places("whitespace").get(norm(first), [])) != 1:
        return None
    final_eol = hunk.final_eol()
    if gapped(index, edit, final_eol):  # (the costly check last: most hunks stop above)
        return None
    return left_out_at(index, edit, 0, final_eol)


def _named_at_edge(
    index: LineIndex,
    hunk: Hunk,
    best: list[Candidate],
    expected: int | None,
    path: str,
    terms: Terms,
) -> Candidate | None:
    """The reading of a hunk that adds lines at an edge of the file (after its last lines,
    or before its first), when its @@ line names it to the line and its lines stand there
    verbatim with one left out, as the file's last (or first) lines; unless another
    reading gives another file: one near its @@ line, or one far from it that takes no
    more mistakes, its numbers counted as one. One near it with fewer mistakes makes the
    hunk ambiguous: trimmed context a few lines off, or the edge's hunk with a line left
    out, are both mistakes models make. Lines that say too little to be sought
    (a blank line and `}`, a blank line and a `====` underline) are placed so only where the
    numbers and the file's edge agree: numbers that are off cannot name an edge."""
    if expected is None or not hunk.lines:
        return None
    edit = hunk.edit()
    there = left_out_at(index, edit, expected, hunk.final_eol())
    if there is None or not _adds_at_edge(index, hunk, there):
        return None
    for option in best:
        if option.lines is None or same_result(index, option, there):
            continue
        near = abs(option.start - expected) <= _SLACK
        if near and mistakes(index, edit, option) < mistakes(index, edit, there):
            edge = "end" if there.end == len(index.lines) else "start"
            raise EditError(
                f"{terms.sentence_old} matches {path} at line {option.start + 1}, and at line "
                f"{there.start + 1}, where its @@ line points, with a line left "
                f"out, adding its lines at the file's {edge}; which place it means is "
                "unclear. Copy the lines exactly as they are in the file, with the lines "
                "between them."
            )
        if near or mistakes(index, edit, option) + 1 <= mistakes(index, edit, there):
            return None
    return there


def _refuse_edge_in_other_indentation(
    index: LineIndex, hunk: Hunk, best: list[Candidate], expected: int, path: str, terms: Terms
) -> None:
    """Refuse a hunk of lines that say little (`}` lines) that appends after its last line,
    whose @@ line names the file's last lines, where they stand but for indentation, while
    it is placed elsewhere: a diff has no context after the file's last line, so the
    hunk may be the file's end quoted a level too deep (pkg/errors' test file: its closing
    braces written a tab deeper stood exactly a line higher, and the new function went
    inside the last one)."""
    old = hunk.edit().old
    end = len(index.lines)
    if hunk.lines[-1][0] != "+" or expected + len(old) != end or sum(map(telling, old)) >= 2:
        return
    if not best or any(option.end == end for option in best):
        return
    last = [norm(content(line)) for line in index.lines[end - len(old) :]]
    if last == [norm(line) for line in old]:
        raise EditError(
            f"{terms.sentence_old} matches {path} at line {best[0].start + 1}, and at its "
            f"last lines, where its @@ line points, but for their indentation; which place "
            "it means is unclear. Copy the lines exactly as they are in the file."
        )


def _adds_at_edge(index: LineIndex, hunk: Hunk, there: Candidate) -> bool:
    """Whether the hunk's added lines go past an edge of the file at `there`: its last line
    is added and `there` ends the file, or its first is and `there` starts it (a diff has no
    context before the file's first line, as none after its last)."""
    appends = hunk.lines[-1][0] == "+" and there.end == len(index.lines)
    prepends = hunk.lines[0][0] == "+" and there.start == 0
    return appends or prepends


def _ends_unended(index: LineIndex, hunk: Hunk) -> bool:
    """Whether the hunk's last old line is marked "No newline at end of file" and the
    file's last line has none: the hunk then quotes the file's end, and of the places it
    matches only those that end the file count (the marker says which line it quotes,
    where a run of `})` or `end` lines says nothing; chosen before the closest
    indentation, as one copy of the run may be closer to the quote's)."""
    return hunk.old_no_eol and bool(index.lines) and not index.lines[-1].endswith("\n")


def _refuse_faint_and_far(
    path: str, index: LineIndex, hunk: Hunk, number: int, best: list[Candidate], expected: int
) -> None:
    """Refuse a hunk whose lines say too little (blank lines, braces: fewer than two with
    some words, and none that stands only once in the file) that matches far from its @@
    line while elsewhere it matches with a line left out: such lines stand all over a
    file, and which mistakes the model made (the numbers, a line left out) decides where
    the change goes. A line of some words found once in the file says where it goes."""
    if len(best) != 1 or abs(best[0].start - expected) <= _SLACK:
        return  # (several places: the numbers choose, or the message says they cannot)
    old = hunk.edit().old
    if sum(map(telling, old)) >= 2:
        return
    if any(_once(index, line) for line in old):
        return
    if not _with_one_left_out(index, old):
        return
    raise EditError(
        f"{_terms(hunk, number).sentence_old} has too little to go by: its lines match "
        f"{path} only at line {best[0].start + 1}, far from its @@ line {hunk.old_start}, and "
        "such lines stand in many places. Add a context line or two that say where it belongs."
    )


def _once(index: LineIndex, line: str) -> bool:
    """Whether `line` has some words (12 letters or digits) and stands once in the file
    (up to whitespace)."""
    found = index.places("whitespace").get(norm(line), [])
    return len(found) == 1 and sum(char.isalnum() for char in line) >= 12


def _refuse_two_readings(
    path: str, index: LineIndex, hunk: Hunk, number: int, best: list[Candidate], expected: int
) -> None:
    """Refuse a hunk that matches far from its @@ line only up to indentation, when at its
    @@ line it matches with a line left out: both are mistakes models make, and which one
    this hunk has is a guess."""
    close = _left_out_near(index, hunk, best, expected)
    if close:
        where = ", ".join(str(option.start + 1) for option in best)
        raise EditError(
            f"{_terms(hunk, number).sentence_old} matches {path} at line {where} only with "
            f"other indentation, far from its @@ line, and at line {close[0].start + 1} with "
            "a line left out, so which place it means is unclear. Copy the "
            "lines exactly as they are in the file, with the lines between them."
        )


def _refuse_loose_beside_left_out(
    path: str, index: LineIndex, hunk: Hunk, number: int, there: Candidate
) -> None:
    """Refuse a hunk that matches only up to whitespace where, at the same place, its lines
    also stand exactly as written with a file line left out, when that reading can give
    another file. Whitespace drift and a left-out line are both mistakes models make, and
    a whitespace-only line tells them apart no better than a coin (tablib's `\\t` line
    quoted right after `-` lines: the blank line before it, or the file's `\\t` with the
    blank line left out beside the new lines?)."""
    edit, final_eol = hunk.edit(), hunk.final_eol()
    for start in (there.start - 1, there.start, there.start + 1):
        for reading in left_out_readings(index, edit, start, final_eol):
            if reading.unsaid or (
                reading.lines is not None and not same_result(index, there, reading)
            ):
                raise EditError(
                    f"{_terms(hunk, number).sentence_old} matches {path} at line "
                    f"{there.start + 1} only up to whitespace, and there exactly as written "
                    "with a line left out, which may give another file, so which it means is "
                    "unclear. Copy the lines exactly as they are in the file, with the lines "
                    "between them."
                )


def _refuse_left_out_at_numbers(
    path: str, index: LineIndex, hunk: Hunk, number: int, best: list[Candidate], expected: int
) -> None:
    """Refuse a hunk that matches exactly only far from its @@ line, when nearer that line
    its lines stand verbatim with a line left out and that reading gives another file:
    numbers off by many lines and a line left out are both mistakes models make, and in
    repeated code (test tables, `for` loops) each reading finds a place. (bodyparser's
    tests: a hunk whose left-out line stood 7 lines from its numbers matched exactly 188
    lines away, in another test.)"""
    edit = hunk.edit()
    nearest = min(abs(option.start - expected) for option in best)
    close = [
        option
        for option in _left_out_near(index, hunk, best, expected, at_numbers=True, within=nearest)
        if verbatim(index, edit, option)
        and not any(same_result(index, option, place) for place in best)
    ]
    close.sort(key=lambda option: abs(option.start - expected))
    if close:
        where = ", ".join(str(option.start + 1) for option in best)
        raise EditError(
            f"{_terms(hunk, number).sentence_old} matches {path} exactly at line {where}, far "
            f"from its @@ line {expected + 1}, and at line {close[0].start + 1} with a line "
            "left out, so which place it means is unclear. Give the correct @@ line numbers, "
            "or copy the lines exactly as they are in the file, with the lines between them."
        )


def _refuse_reindented_at_numbers(
    path: str,
    index: LineIndex,
    hunk: Hunk,
    number: int,
    best: list[Candidate],
    expected: int,
    exact: bool,
) -> None:
    """Refuse a hunk placed far from its @@ line (exactly, or up to whitespace where more
    of its lines are exact), when at that line its lines stand with another indentation:
    numbers off by many lines and a hunk a level too shallow or deep are both mistakes
    models make, and code written twice at two depths lets each reading find a place
    (quick-xml's tests: one `e.attributes()` chain in a test and, four spaces deeper, 105
    lines further, in another; the hunk for the second, a level shallow, changed the
    first, whose first lines it matched exactly)."""
    if any(abs(option.start - expected) <= _SLACK for option in best):
        return
    places = index.windows("whitespace", hunk.edit().old)
    near = [start for start in places if abs(start - expected) <= _SLACK]
    if near:
        where = ", ".join(str(option.start + 1) for option in best)
        raise EditError(
            f"{_terms(hunk, number).sentence_old} matches {path} "
            f"{'exactly ' if exact else ''}at line {where}, far from its @@ line "
            f"{expected + 1}, and at line {min(near) + 1} with other "
            "indentation, so which place it means is unclear. Give the correct @@ line "
            "numbers, or copy the lines exactly as they are in the file."
        )


def _left_out_near(
    index: LineIndex,
    hunk: Hunk,
    best: list[Candidate],
    expected: int,
    *,
    at_numbers: bool = False,
    within: int = _SLACK,
) -> list[Candidate]:
    """Readings of the hunk with a line left out `within` lines of its @@ line (also the
    one starting at that line, with `at_numbers`), when none of the places found is near it."""
    if any(abs(option.start - expected) <= _SLACK for option in best):
        return []
    edit, final_eol = hunk.edit(), hunk.final_eol()
    nearby = gapped(index, edit, final_eol)
    readings = list(nearby.candidates) if nearby else []
    if at_numbers and (named := left_out_at(index, edit, expected, final_eol)) is not None:
        readings.append(named)
    return [option for option in readings if abs(option.start - expected) <= within]


def _with_one_left_out(index: LineIndex, old: tuple[str, ...]) -> bool:
    """Whether the quoted lines stand in order somewhere in the file with exactly one file
    line between two of them."""
    keys = index.keys("whitespace")
    wanted = [norm(line) for line in old]
    for start in range(len(keys) - len(wanted)):
        if keys[start] != wanted[0]:
            continue
        window = keys[start : start + len(wanted) + 1]
        for gap in range(1, len(wanted)):
            if window == [*wanted[:gap], window[gap], *wanted[gap:]]:
                return True
    return False


def _tie_break(
    path: str,
    index: LineIndex,
    hunks: list[Hunk],
    number: int,
    options: list[Candidate],
    placed: dict[int, Candidate],
) -> Candidate:
    """Choose among equally matching places: not over another hunk, then by @@ number.

    The numbers choose only between places the hunk matches exactly: a hunk that
    misquotes its lines may have its numbers wrong too, and a wrong copy would be changed.
    And they choose only the copy whose first line they name: numbers a line or two off
    may be a miscount, but as often a guess that landed near the wrong copy (off by 24, by
    38 and by 30, they chose a copy 5, 2 and 2 lines away: a job's steps in a CI file that
    repeats them, a test appended after twenty-two that end alike). Copies that the
    numbers do not choose, where the hunk stands with a line left out, are named.
    """
    hunk = hunks[number - 1]
    free = [o for o in options if not any(_overlap(o, other) for other in placed.values())]
    if len(free) == 1:
        return free[0]
    expected = _expected(hunks, number, placed)
    if expected is not None and any(o.similarity < 1 or o.raw < 1 for o in free):
        named = (
            _named_exactly(index, hunk, free, expected)
            or _named_up_to_whitespace(free, expected)
            or _fewest_mistakes(index, hunk, free)
        )
        if named is not None:
            return named
        terms = _terms(hunk, number)
        copies = copies_message(index, hunk.edit(), path, terms, final_eol=hunk.final_eol())
        raise EditError(copies or _ambiguous(path, hunk, number, options, True, loose=True))
    if expected is not None:
        at = [option for option in free if option.start == expected]
        edges = [option for option in free if _adds_at_edge(index, hunk, option)]
        if len(at) == 1 and edges and at[0] not in edges and _lopsided(hunk):
            why = _named_off_edge(hunk, at[0], edges[0])
            raise EditError(_ambiguous(path, hunk, number, options, True, why=why))
        if len(at) == 1:
            return at[0]
    raise EditError(_ambiguous(path, hunk, number, options, expected is not None))


def _named_up_to_whitespace(free: list[Candidate], expected: int) -> Candidate | None:
    """The one place that a hunk equal to every copy up to whitespace starts at, its @@
    line naming it to the line. Whitespace drift (tabs written as spaces, trailing spaces
    lost) is a mistake of copying, not of counting: it says nothing against numbers that
    land on a copy's first line exactly. A misquoted line does (the model that misremembers
    a line misremembers where it is), and numbers merely near a copy are a guess."""
    if any(option.similarity < 1 for option in free):
        return None
    named = [option for option in free if option.start == expected and option.lines is not None]
    return named[0] if len(named) == 1 else None


def _fewest_mistakes(index: LineIndex, hunk: Hunk, free: list[Candidate]) -> Candidate | None:
    """The one place where reading the hunk takes fewer mistakes (misquoted lines, lines left
    out) than at any other, if it can be made there: where more of its context and removed
    lines match, one place clearly wins (a misquoted `"POST"` elsewhere is a second
    mistake there)."""
    edit = hunk.edit()
    ranked = sorted(free, key=lambda option: mistakes(index, edit, option))
    counts = [mistakes(index, edit, option) for option in ranked]
    if ranked[0].lines is None or (len(counts) > 1 and counts[1] <= counts[0]):
        return None
    return ranked[0]


def _named_exactly(
    index: LineIndex, hunk: Hunk, free: list[Candidate], expected: int
) -> Candidate | None:
    """The place a loosely matching hunk's @@ line names to the line, when its lines stand
    there verbatim with only a line left out between them, and every other reading near it
    gives the same file: a hunk whose only mistake is a left-out line has its numbers
    right, while numbers that are off name another copy only near it, not at it. (Lines
    that say too little to be sought with a gap, `})` or `end`, are looked for there.)"""
    edit = hunk.edit()
    found = gapped(index, edit, hunk.final_eol())
    there = left_out_at(index, edit, expected, hunk.final_eol())
    readings = [*free, *(found.candidates if found else ()), *([there] if there else [])]
    named = [
        option
        for option in readings
        if option.start == expected and option.lines is not None and verbatim(index, edit, option)
    ]
    if not named:
        return None
    near = [o for o in free if o.lines is not None and abs(o.start - expected) <= _SLACK]
    if any(not same_result(index, option, named[0]) for option in near):
        return None
    return named[0]


def _expected(hunks: list[Hunk], number: int, placed: dict[int, Candidate]) -> int | None:
    """Where the hunk's @@ number says it starts (0-based), corrected by placed neighbours.

    Like GNU patch, the offset between a placed hunk's number and its real place is
    carried to its neighbours, so numbers off by a constant still break ties. Lines are
    numbered from 1: a hunk with lines to match whose @@ line says 0 names none of them.
    """
    hunk = hunks[number - 1]
    if hunk.old_start is None or (hunk.old_start == 0 and hunk.edit().old):
        return None
    offset = 0
    neighbours = sorted(placed, key=lambda other: (abs(other - number), other))
    for other in neighbours:
        start = hunks[other - 1].old_start
        if start is not None and hunks[other - 1].edit().old:
            offset = placed[other].start - max(start - 1, 0)
            break
    return max(hunk.old_start - 1, 0) + offset


def _insertion(
    path: str, index: LineIndex, hunks: list[Hunk], number: int, placed: dict[int, Candidate]
) -> Candidate:
    """Place a hunk that only adds lines: its @@ numbers are all there is to go by."""
    hunk = hunks[number - 1]
    if not hunk.lines:
        raise EditError(
            f"Hunk {number} of the diff for {path} ({hunk.header.strip()}) has no lines: "
            "every line of a hunk starts with ' ' (context), '-' (removed) or '+' (added)."
        )
    if hunk.old_start is None or not hunk.counts_match():
        raise EditError(
            f"Hunk {number} of the diff for {path} ({hunk.header.strip()}) has no context or "
            "'-' lines, so only correct @@ line numbers could place it; add the lines around "
            "the insertion as context (lines starting with a space)."
        )
    expected = _expected(hunks, number, {k: v for k, v in placed.items() if k != number})
    assert expected is not None
    position = expected + (1 if hunk.old_count == 0 and hunk.old_start > 0 else 0)
    if not 0 <= position <= len(index.lines):
        raise EditError(
            f"Hunk {number} of the diff for {path} ({hunk.header.strip()}) inserts at line "
            f"{position + 1}, but the file has {len(index.lines)} lines; add the lines around "
            "the insertion as context."
        )
    new = [text for tag, text in hunk.lines if tag == "+"]
    if _inserted_already(index, position, new):
        raise EditError(
            f"The edit is already in {path}: the lines hunk {number} of the diff "
            f"({hunk.header.strip()}) adds already stand at line {position + 1}, where its @@ "
            "numbers put them, so it was not applied a second time. Read the file again and "
            "change only what is still missing."
        )
    return insertion(index, position, new, hunk.final_eol())


def _inserted_already(index: LineIndex, position: int, new: list[str]) -> bool:
    """Whether the lines a hunk without old lines adds already stand where its numbers put
    them: its reverse applies there cleanly (as GNU patch's ``--forward`` checks), so it was
    made. Nothing else says where such a hunk goes, so nothing else can say it was made."""
    there = index.contents[position : position + len(new)]
    return [line.rstrip() for line in there] == [line.rstrip() for line in new]


def _assemble(path: str, index: LineIndex, hunks: list[Hunk], placed: dict[int, Candidate]) -> str:
    """The patched text. Hunks whose places overlap (nearby changes, each hunk written
    with its context against the file before the other) are merged as edits written
    before are (`glm_lsp.edits.earlier`) when they change different lines, and refused
    when they change the same ones."""
    order = sorted(placed, key=lambda number: (placed[number].start, placed[number].end))
    for number in order:
        option = placed[number]
        if option.lines is None:
            raise EditError(
                f"Hunk {number} of the diff for {path} ({hunks[number - 1].header.strip()}) "
                f"matches lines {option.start + 1}-{option.end}, but {option.problem}; "
                "resend the hunk with the file's lines copied exactly."
            )
    overlapping = [
        (a, b) for a, b in zip(order, order[1:], strict=False) if _overlap(placed[a], placed[b])
    ]
    if overlapping:
        return _merged(path, index, order, placed, overlapping[0])
    parts: list[str] = []
    cursor = 0
    for number in order:
        option = placed[number]
        parts.append("".join(index.lines[cursor : option.start]))
        parts.append("".join(option.lines or ()))
        cursor = option.end
    parts.append("".join(index.lines[cursor:]))
    return "".join(parts)


def _merged(
    path: str,
    index: LineIndex,
    order: list[int],
    placed: dict[int, Candidate],
    first: tuple[int, int],
) -> str:
    """Each hunk made on the file alone, the results merged three ways. Refused, naming
    the hunks that clash (else the `first` pair that overlaps), where two hunks change the
    same lines, or where line breaks differ: the merge compares lines without them, so a
    change of line breaks would be lost."""
    breaks = {eol(line) for line in index.lines[:-1]}
    breaks |= {eol(line) for number in order for line in (placed[number].lines or ())[:-1]}
    if len(breaks) > 1:
        raise _clash(path, placed, first)
    result = index.text
    for position, number in enumerate(order):
        option = placed[number]
        alone = [*index.lines[: option.start], *(option.lines or ()), *index.lines[option.end :]]
        try:
            result = rebase(index.text, "".join(alone), result)
        except MergeConflict:
            touching = [other for other in order[:position] if _overlap(placed[other], option)]
            raise _clash(path, placed, (touching[0], number) if touching else first) from None
    return result


def _clash(path: str, placed: dict[int, Candidate], pair: tuple[int, int]) -> EditError:
    low, high = sorted(pair)
    return EditError(
        f"Hunks {low} and {high} of the diff for {path} change overlapping lines "
        f"({_span(placed[low], placed[high])}) of the file; merge them into one hunk."
    )


def _overlap(a: Candidate, b: Candidate) -> bool:
    """Whether two places touch the same file lines (an insertion inside a range counts)."""
    if a.start == a.end or b.start == b.end:
        return a.start < b.end and b.start < a.end and a.start != b.start
    return a.start < b.end and b.start < a.end


def _span(a: Candidate, b: Candidate) -> str:
    """The 1-based lines two overlapping places share ("line 5", "lines 5-7")."""
    first, last = max(a.start, b.start) + 1, min(a.end, b.end)
    return f"line {first}" if last <= first else f"lines {first}-{last}"


def _refuse_untagged(path: str, hunk: Hunk, number: int) -> None:
    """A hunk with lines read as context because they have no prefix: refused when it then
    changes nothing (the model left out the '-' and '+' too) or no longer adds up to its
    @@ counts (a context line such as an underline "+++" or a list's "- " was read as
    added or removed)."""
    if hunk.unprefixed and all(tag == " " for tag, _ in hunk.lines):
        raise EditError(
            f"Hunk {number} of the diff for {path} ({hunk.header.strip()}) has no '-' or '+' "
            "lines: every line of a hunk starts with ' ' (context), '-' (removed) or '+' "
            "(added)."
        )
    if hunk.unprefixed and not hunk.counts_match():  # a context "+++" read as added
        raise EditError(
            f"Hunk {number} of the diff for {path} ({hunk.header.strip()}) has lines without "
            "their ' ' prefix, and its lines do not add up to its @@ counts, so which of them "
            "are context is unclear. Start every context line with a space."
        )


def _reread(index: LineIndex, hunk: Hunk) -> Hunk:
    """The hunk with its context lines that begin with '-' or '+' (a list's "- item")
    read as context, when they lost their space: its @@ counts say how many of its '-'
    and '+' lines are context, and just one such reading stands in the file, word for word
    up to whitespace. Otherwise the hunk as it was."""
    if hunk.counts_match() or hunk.old_count is None or hunk.new_count is None:
        return hunk
    minus = [k for k, (tag, _) in enumerate(hunk.lines) if tag == "-"]
    plus = [k for k, (tag, _) in enumerate(hunk.lines) if tag == "+"]
    wanted_minus = hunk.new_count - sum(tag != "-" for tag, _ in hunk.lines)
    wanted_plus = hunk.old_count - sum(tag != "+" for tag, _ in hunk.lines)
    if not (0 <= wanted_minus <= len(minus) and 0 <= wanted_plus <= len(plus)):
        return hunk
    if comb(len(minus), wanted_minus) * comb(len(plus), wanted_plus) > _MOST_READINGS:
        return hunk
    found = []
    for picked in product(combinations(minus, wanted_minus), combinations(plus, wanted_plus)):
        context = set(picked[0]) | set(picked[1])
        reading = [
            (" ", tag + line) if k in context else (tag, line)
            for k, (tag, line) in enumerate(hunk.lines)
        ]
        old = [norm(line) for tag, line in reading if tag != "+"]
        if _stands_in(index, old):
            found.append(reading)
    if len(found) != 1:
        return hunk
    if found[0][-1][0] == " " and (hunk.old_no_eol or hunk.new_no_eol):
        # A "No newline" marker after a last line now read as context ends both sides
        # (on-finished's .travis.yml: `- "0.10"` read as removed marked only the old one).
        hunk = replace(hunk, old_no_eol=True, new_no_eol=True)
    return replace(hunk, lines=found[0], unprefixed=True)


def _spaces_kept(index: LineIndex, hunk: Hunk) -> Hunk:
    """The hunk with its context lines read whole, the space before each its own, where
    they lost their ' ' prefix: read so, its old lines stand exactly in just one place,
    and as parsed nowhere (they are a column shallower than the file). As parsed, its new
    lines were moved a column in with them (i18n's Gemfile.lock: `  mocha` under
    DEPENDENCIES quoted without its prefix, and `BUNDLED WITH` written at column 1). In a
    file indented a column a level, or by tabs, a column shallower is as much a level
    shallower, so only a hunk whose removed lines stand as written is read so there."""
    old = [(tag, line) for tag, line in hunk.lines if tag != "+"]
    if not any(tag == " " and line for tag, line in old):
        return hunk
    if index.windows("exact", [line for _, line in old]):
        return hunk
    if index.indentation.space_step is None and not any(tag == "-" for tag, _ in old):
        return hunk
    if _added_as_parsed(hunk):
        return hunk
    if len(places := _stands_spaced(index, old)) != 1:
        return hunk
    place, whole = places[0], []
    for tag, line in hunk.lines:
        if tag == " " and line and index.contents[place] != line:
            line = f" {line}"
        whole.append((tag, line))
        place += tag != "+"
    return replace(hunk, lines=whole)


def _added_as_parsed(hunk: Hunk) -> bool:
    """Whether new lines stand at the depth of context lines as parsed, and at none a
    column deeper: then the whole hunk is a column shallow (linenoise's block comment,
    its ` * ` lines written `* `), not its context lines short of their prefix."""

    def depths(tag: str) -> set[int]:
        return {len(indent_of(line)) for t, line in hunk.lines if t == tag and line.strip()}

    parsed, added = depths(" "), depths("+")
    return bool(added & parsed) and not added & {depth + 1 for depth in parsed}


def _stands_spaced(index: LineIndex, old: list[tuple[str, str]]) -> list[int]:
    """Where the old lines stand with a space more before some of their context lines (one
    at least), and otherwise as written."""
    lines = [line for _, line in old]
    windows = [
        (start, index.contents[start : start + len(old)])
        for start in index.windows("whitespace", lines)
    ]
    return [
        start
        for start, window in windows
        if window != lines
        and all(
            there == line or (tag == " " and line and there == f" {line}")
            for there, (tag, line) in zip(window, old, strict=True)
        )
    ]


def _stands_in(index: LineIndex, old: list[str]) -> bool:
    """Whether the lines (whitespace-normalised) stand one after the other in the file."""
    keys = index.keys("whitespace")
    starts = index.places("whitespace").get(old[0], []) if old else []
    return any(keys[k : k + len(old)] == old for k in starts)


def _sides(hunk: Hunk) -> tuple[str, str]:
    """The hunk's old and new text, each line ended, as the string edits take them."""
    old = "".join(f"{line}\n" for tag, line in hunk.lines if tag != "+")
    new = "".join(f"{line}\n" for tag, line in hunk.lines if tag != "-")
    return old, new


def _unmangled(path: str, text: str, hunk: Hunk, number: int) -> Hunk:
    """The hunk as the model meant it when its lines came back mangled (see mangled)."""
    old, new = _sides(hunk)
    what = f"Hunk {number} of the diff for {path} ({hunk.header.strip()})"
    naming = Naming(what, "its ' ' and '-' lines", "its '+' lines")
    for mangling in manglings(text, old, new, path, naming):
        hunk = replace(hunk, lines=[(tag, mangling.undo(line)) for tag, line in hunk.lines])
    return hunk


def _refuse_elided(path: str, hunk: Hunk, number: int) -> None:
    old, new = _sides(hunk)
    what = f"Hunk {number} of the diff for {path} ({hunk.header.strip()})"
    refuse_elision(old, new, path, what, "its '+' lines", "its ' ' and '-' lines")


def _terms(hunk: Hunk, number: int) -> Terms:
    """How messages name a hunk and its parts."""
    old = [text.strip() for tag, text in hunk.lines if tag != "+" and text.strip()]
    first = old[0] if old else next((t.strip() for _, t in hunk.lines if t.strip()), "")
    return Terms(
        old="the hunk's ' ' and '-' lines",
        new="its '+' lines",
        sentence_old=f"Hunk {number} of the diff ({hunk.header.strip()}, first line {first!r})",
        make_unique="Add context lines that tell the places apart.",
    )


def _ambiguous(
    path: str,
    hunk: Hunk,
    number: int,
    options: list[Candidate],
    numbered: bool,
    loose: bool = False,
    why: str | None = None,
) -> str:
    """Message for a hunk that matches several places the @@ numbers cannot choose between
    (`why`, when given, says why they cannot)."""
    starts = ", ".join(str(option.start + 1) for option in options)
    why = why or (
        "it matches them only loosely, so its @@ line numbers are not trusted to choose"
        if loose
        else "its @@ line numbers do not point clearly at one of them"
        if numbered
        else "its @@ line says line 0, which names no line (lines are numbered from 1)"
        if hunk.old_start == 0
        else "it has no @@ line numbers to choose between them"
    )
    return (
        f"{_terms(hunk, number).sentence_old} matches {len(options)} places in {path} "
        f"(starting at lines {starts}), and {why}. Add context lines that tell the places "
        "apart, or give the correct @@ line numbers."
    )


def _lopsided(hunk: Hunk) -> bool:
    """Whether the hunk has context lines (two or more) on one side of its change and none
    on the other, as a diff writes a change at an edge of the file. A hunk with a line or
    none on each side was trimmed (a model's, or `diff -U1`), and says nothing of an edge."""
    tags = [tag for tag, _ in hunk.lines]
    changed = [k for k, tag in enumerate(tags) if tag != " "]
    if not changed:
        return False
    before, after = changed[0], len(tags) - 1 - changed[-1]
    return min(before, after) == 0 and max(before, after) >= 2


def _named_off_edge(hunk: Hunk, named: Candidate, edge: Candidate) -> str:
    """Why the numbers cannot choose when they name one copy while the hunk's shape names
    another, the one where its added lines go past the file's edge: a diff has no context
    after the file's last line, nor before its first (node-lru-cache's tests: `t.end()` /
    `})` ends every test, and numbers off by 19 named another test's end, not the file's)."""
    end = hunk.lines[-1][0] == "+"
    return (
        f"its @@ line names the one at line {named.start + 1}, but it has no context "
        f"{'after' if end else 'before'} its new lines, as a diff has only at the file's "
        f"{'end' if end else 'start'}, which the one at line {edge.start + 1} is"
    )


def _paths(
    current: Files, section: FilePatch, default: str | None
) -> tuple[str | None, str | None]:
    """The (old, new) workspace paths of a section, None for /dev/null."""
    if not section.labelled and section.git_names is None:
        if default is None:
            raise EditError(
                "The diff does not say which file it changes; start it with '--- a/path' and "
                "'+++ b/path' lines naming the file relative to the workspace root."
            )
        return default, default
    old, new = (section.old_label, section.new_label)
    if not section.labelled and section.git_names is not None:
        old, new = section.git_names
    git_style = (old is None or old.startswith("a/")) and (new is None or new.startswith("b/"))
    old = _strip(current, old, "a/" if git_style else "")
    new = _strip(current, new, "b/" if git_style else "")
    old = section.rename_from or old
    new = section.rename_to or new
    if old is not None and new is not None and old != new and not section.rename_from:
        return (new, new) if current(new) is not None or current(old) is None else (old, old)
    return old, new


def _strip(current: Files, label: str | None, prefix: str) -> str | None:
    """`label` without its git prefix, unless only the unstripped name exists."""
    if label is None or not prefix or not label.startswith(prefix):
        return label
    stripped = label[len(prefix) :]
    if current(stripped) is None and current(label) is not None:
        return label
    return stripped


# --- parsing -------------------------------------------------------------------------------


def parse_patch(patch: str) -> list[FilePatch]:
    """The file sections of a diff: strictly by unidiff when it can, leniently otherwise."""
    text = unfence(patch)
    strict = _parse_strict(text)
    return strict if strict is not None else _parse_lenient(text)


def unfence(reply: str) -> str:
    """The diff inside the fenced ```diff (or ```patch, or bare ```) blocks of `reply`.

    Text outside fences is dropped when a fenced block holds a diff; without one the text
    is returned as it is (the lenient parser skips prose).
    """
    blocks: list[list[str]] = []
    inside: list[str] | None = None
    other = False  # inside a fenced block of another language
    fence = ""
    for line in split_lf(reply):
        match = _FENCE.match(line)
        if inside is None and not other and match:
            fence, other = match.group(1), match.group(2).lower() not in _DIFF_INFOS
            inside = None if other else []
        elif (inside is not None or other) and line.strip() == fence:
            if inside is not None:
                blocks.append(inside)
            inside, other = None, False
        elif inside is not None:
            inside.append(line)
    if inside:
        blocks.append(inside)
    diffs = ["".join(block) for block in blocks if any(line.startswith("@@") for line in block)]
    return "".join(_ends_with_newline(diff) for diff in diffs) if diffs else reply


def _ends_with_newline(text: str) -> str:
    """`text` ending with a line break, so concatenated blocks stay separate lines."""
    return text if text.endswith("\n") else text + "\n"


def _parse_strict(text: str) -> list[FilePatch] | None:
    """unidiff's reading of a well-formed diff; None when it fails or would drop lines."""
    try:
        patch_set = PatchSet(text)
    except (UnidiffParseError, ValueError):
        return None
    if not len(patch_set) or str(patch_set) != text:
        return None
    sections = []
    for patched in patch_set:
        if patched.is_binary_file:
            return None
        section = FilePatch(
            old_label=_label(patched.source_file),
            new_label=_label(patched.target_file),
            labelled=True,
            crlf="\r\n" in text,
        )
        _apply_git_info(section, [str(line) for line in patched.patch_info or []])
        for hunk in patched:
            section.hunks.append(_strict_hunk(hunk))
        sections.append(section)
    return sections


def _strict_hunk(source: UnidiffHunk) -> Hunk:
    """A unidiff hunk as a Hunk."""
    hunk = Hunk(
        header=f"@@ -{source.source_start},{source.source_length} "
        f"+{source.target_start},{source.target_length} @@",
        old_start=source.source_start,
        old_count=source.source_length,
        new_start=source.target_start,
        new_count=source.target_length,
    )
    for line in source:
        if line.line_type == "\\":
            _no_newline(hunk)
        else:
            hunk.lines.append((line.line_type, _content(line.value)))
    return hunk


def _parse_lenient(text: str) -> list[FilePatch]:
    """Parse a diff as models write it: missing headers, bare @@, wrong counts, prose."""
    lines = split_lf(text)
    sections: list[FilePatch] = []
    hunk: Hunk | None = None
    section: FilePatch | None = None
    crlf = "\r\n" in text
    index = 0
    while index < len(lines):
        line = lines[index].rstrip("\r\n")
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if hunk is not None and _in_hunk(line, following, hunk):
            _add_line(hunk, line)
            index += 1
            continue
        if hunk is not None:
            _close(hunk)
            hunk = None
        if line.startswith("diff --git "):
            section = FilePatch(git_names=_git_names(line[len("diff --git ") :]), crlf=crlf)
            sections.append(section)
        elif line.startswith("--- ") and following.startswith("+++ "):
            if section is None or section.labelled or section.hunks:
                section = FilePatch(crlf=crlf)
                sections.append(section)
            section.old_label, section.new_label = (
                _label(line[4:]),
                _label(following[4:].rstrip("\r\n")),
            )
            section.labelled = True
            index += 1
        elif line.startswith("@@"):
            if section is None:
                section = FilePatch(crlf=crlf)
                sections.append(section)
            hunk = _hunk_header(line)
            section.hunks.append(hunk)
        elif section is not None and not section.hunks:
            _apply_git_info(section, [line])
        index += 1
    if hunk is not None:
        _close(hunk)
    return [s for s in sections if s.hunks or s.git_names or s.labelled]


def _in_hunk(line: str, following: str, hunk: Hunk) -> bool:
    """Whether `line` continues the hunk (an empty line is a blank context line).

    A ``--- `` line followed by ``+++ `` starts the next file unless the hunk's counts
    still expect removed lines. A line without a prefix continues it only while the
    header's counts still expect lines on both sides: a context line written without its
    space, not the prose after the diff.
    """
    if line.startswith("--- ") and following.startswith("+++ "):
        return _remaining(hunk)[0] > 0
    if line == "" or line[0] in " +-\\\t":
        return True
    return min(_remaining(hunk)) > 0 and not line.startswith(("@@", "diff --git "))


def _remaining(hunk: Hunk) -> tuple[int, int]:
    """Old and new lines the header's counts still expect (0 when it gives none)."""
    old = sum(tag != "+" for tag, _ in hunk.lines)
    new = sum(tag != "-" for tag, _ in hunk.lines)
    return (hunk.old_count or 0) - old, (hunk.new_count or 0) - new


def _add_line(hunk: Hunk, line: str) -> None:
    """Add one body line to the hunk. An empty line, and one that does not start with a
    prefix, are context lines written without their space."""
    if line.startswith("\\"):
        _no_newline(hunk)
    elif line == "":
        hunk.lines.append(("", ""))  # a blank written without its space; see _close
    elif line[0] in " +-":
        hunk.lines.append((line[0], line[1:]))
    else:
        hunk.lines.append((" ", line))
        hunk.unprefixed = True


def _close(hunk: Hunk) -> None:
    """Finish a hunk: blank lines without a space at its end separate it from what follows."""
    expected_old = hunk.old_count
    while hunk.lines and hunk.lines[-1][0] == "":
        old = sum(tag != "+" for tag, _ in hunk.lines)
        if expected_old is not None and old <= expected_old:
            break
        hunk.lines.pop()
    hunk.lines = [(tag or " ", text) for tag, text in hunk.lines]


def _no_newline(hunk: Hunk) -> None:
    """A ``\\ No newline at end of file`` marker: the previous line has no line break."""
    if not hunk.lines:
        return
    tag = hunk.lines[-1][0]
    if tag in " -":
        hunk.old_no_eol = True
    if tag in " +":
        hunk.new_no_eol = True


def _hunk_header(line: str) -> Hunk:
    """A Hunk from its ``@@`` line; missing numbers stay None."""
    match = _HUNK.match(line)
    if match is None:
        return Hunk(header=line)
    old_start, old_count, new_start, new_count = match.groups()
    return Hunk(
        header=line,
        old_start=int(old_start) if old_start else None,
        old_count=_count(old_start, old_count),
        new_start=int(new_start) if new_start else None,
        new_count=_count(new_start, new_count),
    )


def _count(start: str | None, count: str | None) -> int | None:
    """A header count: given, 1 when only the start is given, None without numbers."""
    if start is None:
        return None
    return int(count) if count is not None else 1


def _apply_git_info(section: FilePatch, lines: list[str]) -> None:
    """Record git's extended header lines (new/deleted file, rename, binary)."""
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith("new file mode"):
            section.created = True
        elif line.startswith("deleted file mode"):
            section.deleted = True
        elif line.startswith("rename from "):
            section.rename_from = _unquote(line[len("rename from ") :])
        elif line.startswith("rename to "):
            section.rename_to = _unquote(line[len("rename to ") :])
        elif line.startswith(("Binary files ", "GIT binary patch")):
            section.binary = True


def _label(text: str) -> str | None:
    """The path of a ``---``/``+++`` label (timestamp and quotes removed); None for /dev/null."""
    text = text.rstrip("\r\n")
    name = _unquote(text.strip()) if text.strip().startswith('"') else text.split("\t")[0].strip()
    return None if name == "/dev/null" else name


def _git_names(text: str) -> tuple[str, str]:
    """The two names of a ``diff --git a/x b/x`` line (same-name split for paths with spaces)."""
    text = text.strip()
    if text.startswith('"'):
        end = _quoted_end(text)
        return _unquote(text[:end]), _unquote(text[end:].strip())
    half = (len(text) - 1) // 2
    if len(text) % 2 == 1 and text[half] == " " and text[2:half] == text[half + 3 :]:
        return text[:half], text[half + 1 :]
    old, _, new = text.partition(" b/")
    return old, "b/" + new


def _quoted_end(text: str) -> int:
    """The index just past the closing quote of the C-quoted string starting `text`."""
    escaped = False
    for position in range(1, len(text)):
        char = text[position]
        if char == '"' and not escaped:
            return position + 1
        escaped = char == "\\" and not escaped
    return len(text)


def _unquote(text: str) -> str:
    """A git C-quoted path ("a/caf\\303\\251.py") as text; unquoted text as it is."""
    text = text.strip()
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return text
    raw = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return raw.encode("latin-1").decode("utf-8", "replace")


def _content(line: str) -> str:
    """A diff line's text without its line end."""
    return line.rstrip("\n").removesuffix("\r")
