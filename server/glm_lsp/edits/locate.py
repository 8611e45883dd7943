"""Where a change to whole lines belongs in a file, tolerating what models get wrong.

Models copy the lines they change imperfectly: trailing spaces dropped, tabs written as
spaces, a snippet dedented to column 0, a context line misremembered. Aider measured that
matching leniently but safely cuts failed edits about nine-fold. This module is that
matcher, shared by ``edit_file`` (`apply.apply_edit`), SEARCH/REPLACE blocks and unified
diffs (`patch.apply_patch`). It tries ever looser levels and stops at the first that
finds anything:

1. ``exact``: the lines are equal;
2. ``trailing whitespace``: equal once trailing whitespace is removed;
3. ``whitespace``: equal once leading/trailing whitespace is removed and inner runs of
   whitespace are collapsed;
4. ``fuzzy``: a window of the file, as tall as the old lines or one line taller or
   shorter, whose difflib ratio is at least `FUZZY_MIN`, with no other place within
   `FUZZY_MARGIN` of it. Only the lines the model keeps (context) may differ; the lines
   it removes must be in the file, up to whitespace, or the edit is refused.

Callers apply a match only when exactly one place matches at the level that found it
(`contenders`), so two places that match equally are never guessed between; places equal
up to whitespace are told apart only when clearly more lines of one equal the model's
exactly (the same block at two indentations), or when a quote in the other indentation
character reads as one of them column for column and its replacement restates the lines
there as they are. Lines the
model keeps are written back as the file has them (the model's copy may be wrong in
whitespace or spelling); its new lines are re-indented by the offset that maps its
indentation onto the file's, and refused when no single offset does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import cache, cached_property, partial
from itertools import pairwise
from operator import attrgetter, eq
from os.path import commonprefix

from glm_lsp.edits.indent import (
    FileIndentation,
    Pair,
    Transform,
    file_indentation,
    in_other_character,
    indent_of,
    indent_transform,
    pair_transform,
    restates_as_file,
    restyled,
    same,
    tab_width,
    tabs_doubled,
    tabs_written_as_spaces,
    telling,
    uses_tabs,
    written_like_file,
)

LEVELS = ("exact", "trailing whitespace", "whitespace")
"""The levels that need equal lines, strictest first."""
FUZZY = "fuzzy"
GAPPED = "gapped"
"""The last level: every quoted line found in order, with a few file lines left out between."""
FUZZY_MIN = 0.92
"""A fuzzy match needs this difflib ratio (of the whitespace-normalised lines)."""
FUZZY_MARGIN = 0.05
"""...and no other place within this much of it."""
LONG = 20_000
"""Characters beyond which text is compared by whole lines only: difflib's character ratio
is quadratic, and one minified line would keep an edit busy for minutes."""
LINE_CHECKED = 500
"""Characters beyond which a window is first compared line by line: the character ratio
costs 15 ms per window at 2,000 characters and half a second at 20,000, and a quote whose
lines are common (blank, `}`, `end`) is compared with hundreds of windows."""
_LINE_FLOOR = 0.5
"""...and the share of its lines (difflib ratio) a window must have equal to the quote's,
up to whitespace: a window with fewer is not a copy with a few mistakes."""
_NEAR = 5
"""How far (in lines) from its @@ numbers a hunk may be and still be "there"."""
_ALIKE = 0.75
"""A misquoted line must be this similar (difflib ratio) to the file line it stands for."""
_LINE_CHARS = 2_000
"""Characters of two lines beyond which difflib compares only their differing middles."""
_MAX_PLACES = 1000
"""Occurrences of one line considered when voting for fuzzy windows (bounds the work)."""
_MAX_STARTS = 50
"""Window starts scored for a fuzzy match, most voted first."""
_MAX_TIED = 100
"""Starts scored at most when more than `_MAX_STARTS` are voted alike. Beyond it, a quote
whose lines all stand at so many places says too little to tell one from another, and
none is scored."""

Opcode = tuple[str, int, int, int, int]
_SHORT_RUN = 4
"""Misquoted lines beside left-out ones are sought in runs this short (it costs a ratio
per pair of lines), with at most two lines left out."""
_PAIRING_LEVELS = ("trailing whitespace", "whitespace")
"""How quoted lines are paired with a window's: with their indentation, else without."""


def norm(line: str) -> str:
    """`line` without leading/trailing whitespace and with inner runs collapsed to a space."""
    return " ".join(line.split())


_KEY: dict[str, Callable[[str], str]] = {
    "exact": lambda line: line,
    "trailing whitespace": str.rstrip,
    "whitespace": norm,
}


BOM = "\ufeff"
"""A byte-order mark: how the file was encoded (Windows editors write it before UTF-8
text), not a character of its first line. An edit whose text does not have it is made to
the text after it, and the mark stays first; otherwise a SEARCH or hunk on the first line,
as the model writes it, never matches (the mark is invisible in every message), and lines
inserted at the top would go before the mark and leave it mid-file. An edit that quotes
the mark anywhere (after a line number, or escaped) is taken as written: one that leaves it
out of its new text drops it, as the commits that drop one do."""


def bom_set_aside(text: str, quoted: Iterable[str]) -> bool:
    """Whether an edit of `text` is made after its byte-order mark: the file has one, and
    no piece of the edit's `quoted` text names it, as itself or JSON-escaped."""
    return text.startswith(BOM) and not any(
        BOM in piece or "\\ufeff" in piece.lower() for piece in quoted
    )


def split_lf(text: str) -> list[str]:
    """The lines of `text` with their line ends; only LF ends a line, as in git and diffs."""
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def content(line: str) -> str:
    """A line without its line end (LF or CRLF)."""
    if line.endswith("\n"):
        line = line[:-1]
    return line[:-1] if line.endswith("\r") else line


def eol(line: str) -> str:
    """The line end of `line`: ``\\r\\n``, ``\\n`` or "" for a last line without one."""
    if line.endswith("\r\n"):
        return "\r\n"
    return "\n" if line.endswith("\n") else ""


def uses_crlf(text: str) -> bool:
    """Whether most line breaks of `text` are CRLF."""
    crlf = text.count("\r\n")
    return crlf > 0 and crlf >= text.count("\n") - crlf


class LineIndex:
    """A file's lines with per-level lookup tables, built once and shared by many searches."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lf(text)
        self.contents = [content(line) for line in self.lines]
        self.newline = "\r\n" if uses_crlf(text) else "\n"
        self._keys: dict[str, list[str]] = {}
        self._places: dict[str, dict[str, list[int]]] = {}

    @cached_property
    def indentation(self) -> FileIndentation:
        return file_indentation(self.contents)

    def keys(self, level: str) -> list[str]:
        """Every line's content as compared at `level`."""
        if level not in self._keys:
            self._keys[level] = [_KEY[level](line) for line in self.contents]
        return self._keys[level]

    def places(self, level: str) -> dict[str, list[int]]:
        """Where each line (as compared at `level`) occurs, in file order."""
        if level not in self._places:
            table: dict[str, list[int]] = {}
            for number, key in enumerate(self.keys(level)):
                table.setdefault(key, []).append(number)
            self._places[level] = table
        return self._places[level]

    def windows(self, level: str, wanted: Sequence[str]) -> list[int]:
        """First lines of every run of file lines equal to `wanted` at `level`.

        The rarest wanted line proposes the starts, so the cost is that line's count.
        """
        keys = [_KEY[level](line) for line in wanted]
        places = self.places(level)
        found = [places.get(key, []) for key in keys]
        if not keys or not all(found):
            return []
        anchor = min(range(len(keys)), key=lambda k: len(found[k]))
        file_keys = self.keys(level)
        last = len(file_keys) - len(keys)
        return [
            place - anchor
            for place in found[anchor]
            if 0 <= place - anchor <= last
            and file_keys[place - anchor : place - anchor + len(keys)] == keys
        ]

    def replace(self, start: int, end: int, lines: Sequence[str]) -> str:
        """The text with lines `start`..`end` (0-based, end excluded) replaced by `lines`."""
        return "".join(self.lines[:start]) + "".join(lines) + "".join(self.lines[end:])


@dataclass(frozen=True)
class LineEdit:
    """A change to a run of whole lines, as the model wrote it (line contents, no ends).

    `old` are the lines the model expects in the file; `kept[k]` says whether old line k
    stays (context) or goes; `inserts[k]` are the new lines written just before old line
    k, and `inserts[len(old)]` those after the last one. `restated` says the model wrote
    the new side apart from the quote (SEARCH/REPLACE, edit_file), so the quoted lines it
    repeats show how it indented the new side; a diff's context lines are written once.
    """

    old: tuple[str, ...]
    kept: tuple[bool, ...]
    inserts: tuple[tuple[str, ...], ...]
    restated: bool = False

    @classmethod
    def between(cls, old_text: str, new_text: str, backward: bool = False) -> LineEdit:
        """The edit turning the lines of `old_text` into those of `new_text`.

        Lines equal in both are the context the model kept; difflib decides which, reading
        from the first lines on, or with `backward` from the last ones back: where a kept
        line is quoted more than once, the two readings may keep different copies.
        """
        old = [content(line) for line in split_lf(old_text)]
        new = [content(line) for line in split_lf(new_text)]
        blocks: list[tuple[int, int, int]]
        if backward:
            reverse = SequenceMatcher(None, old[::-1], new[::-1], autojunk=False)
            blocks = sorted(
                (len(old) - i - size, len(new) - j - size, size)
                for i, j, size in reverse.get_matching_blocks()
                if size
            )
        else:
            matcher = SequenceMatcher(None, old, new, autojunk=False)
            blocks = [(i, j, size) for i, j, size in matcher.get_matching_blocks() if size]
        kept = [False] * len(old)
        inserts: list[list[str]] = [[] for _ in range(len(old) + 1)]
        i = j = 0
        for i2, j2, size in [*blocks, (len(old), len(new), 0)]:
            inserts[i].extend(new[j:j2])
            kept[i2 : i2 + size] = [True] * size
            i, j = i2 + size, j2 + size
        return cls(tuple(old), tuple(kept), tuple(tuple(group) for group in inserts), True)

    def without(self, number: int) -> LineEdit:
        """The edit without its old line `number` (the new lines beside it close up)."""
        merged = self.inserts[number] + self.inserts[number + 1]
        return LineEdit(
            self.old[:number] + self.old[number + 1 :],
            self.kept[:number] + self.kept[number + 1 :],
            self.inserts[:number] + (merged,) + self.inserts[number + 2 :],
            self.restated,
        )

    def new_lines(self) -> list[str]:
        """The lines that replace `old`, as the model wrote them."""
        lines: list[str] = []
        for number, line in enumerate(self.old):
            lines.extend(self.inserts[number])
            if self.kept[number]:
                lines.append(line)
        lines.extend(self.inserts[len(self.old)])
        return lines


@dataclass(frozen=True)
class Candidate:
    """A place (file lines `start`..`end`, 0-based, end excluded) where an edit may belong.

    `lines` are the file lines that replace that run, with line ends; None when the edit
    cannot be made there, `problem` saying why in words for the model.
    """

    start: int
    end: int
    similarity: float
    lines: tuple[str, ...] | None
    problem: str = ""
    raw: float = 1.0  # similarity with whitespace compared too (breaks ties between places)
    inner: float = 1.0  # ... with whitespace inside lines compared (breaks the rest)
    unsaid: bool = False  # unusable only as the side of its new lines is unsaid
    left_out: bool = False  # unusable as a line may be left out (`_refuse_closer_misquotes`)


@dataclass(frozen=True)
class Found:
    """The places an edit matches at the first level that matched any, best first."""

    level: str
    candidates: tuple[Candidate, ...]


def stands(index: LineIndex, edit: LineEdit) -> bool:
    """Whether the quoted lines stand somewhere as written but for trailing whitespace: a
    look up the index, before a `find` that would go on to loose readings. (Lines equal
    as written are equal but for trailing whitespace: one level answers for both.)"""
    return bool(index.windows(LEVELS[1], edit.old))


def read_past_a_line(
    index: LineIndex,
    edit: LineEdit,
    final_eol: bool | None,
    found: Found | None,
    place: Callable[[int, LineEdit, Found], Candidate | None],
    allowed: Callable[[int], bool] = lambda number: True,
) -> Candidate | None:
    """The edit's one place when it quotes, as kept, one line with words the file does not
    have there (a line the model misremembered among those it quoted right; before or
    after them, this is GNU patch's fuzz). Without that line the rest must stand as
    written but for trailing whitespace (one mistake, not two), with two lines with words
    to tell its place, and `place` must make it there (None: it refuses); every such line
    must give that same result. The quote may not also read in order with the line as a
    file line a few lines off that is, or is like, it, and lines left out beside it: there
    the model more likely left out a line, and the quoted one is the file's (a heading
    after two blank lines, one left out, read as a line the file lacks, put the new lines
    on a side the hunk leaves unsaid); a nearby line out of the quote's order is still a
    line the file lacks there (`_read_in_order_beside`). No loose
    reading of the whole quote (`found`, though refused) may stand elsewhere as close as
    any there (there the line may be a misquote, and the rest a copy), nor leave the side
    of its new lines unsaid there. Nor may the line be written among the new lines too:
    which of them is the kept one, and so where the others go, is then unsaid (a `text = (`
    read past moved a new test's first line). `allowed` says which old lines may be the
    one."""
    readings: list[Candidate] = []
    for number, kept in enumerate(edit.kept):
        line = edit.old[number]
        if not kept or not telling(line) or not allowed(number):
            continue  # (a blank line or a brace more is the left-out line's business)
        shorter = edit.without(number)
        if sum(map(telling, shorter.old)) < 2:
            continue
        exact = find(index, shorter, final_eol) if stands(index, shorter) else None
        if exact is None or exact.level not in LEVELS[:2]:
            continue
        if any(new.rstrip() == line.rstrip() for group in edit.inserts for new in group):
            return None  # (kept, or written again among the new lines? the edit does not say)
        if _misquoted_elsewhere(index, edit, number):
            return None
        reading = place(number, shorter, exact)
        if reading is None or _read_in_order_beside(index, edit.old, number, reading):
            return None
        readings.append(reading)
    if not readings or any(not same_result(index, readings[0], other) for other in readings[1:]):
        return None
    loose = found.candidates if found is not None else ()
    here = max((o.similarity for o in loose if _overlap(o, readings[0])), default=0.0)
    if any(o.similarity >= here and not _overlap(o, readings[0]) for o in loose):
        return None
    if any(o.unsaid and _overlap(o, readings[0]) for o in loose):
        return None  # a reading there leaves its new lines' side unsaid: this one would choose
    return readings[0]


def past_a_line_elsewhere(
    index: LineIndex, edit: LineEdit, option: Candidate
) -> tuple[int, int] | None:
    """(quoted line, 0-based file line) of a reading past one kept line with words that
    stands away from `option`, a loose reading's place: there the rest stands as written
    but for trailing whitespace, with a line with words. Each reading has one mistake
    (a misquoted line here, a line the file lacks there), so which the model made is a
    guess (pug's History.md: a release heading misquoted far down, or the same heading at
    the top with a line before it the file lacks there). The line must stand somewhere in
    the file: one it has nowhere is a misquote, whose closest place the loose reading found
    (express's tests: a describe line with a typo, whose test body stands twice). Lines
    with few words place the rest only where it stands once (jaraco.develop's changelog:
    `2.14`, `====` at the top, with a line of an entry below before them, or a version
    misquoted and a blank line left out further down)."""
    for number, kept in enumerate(edit.kept):
        line = edit.old[number]
        if not kept or not telling(line) or not index.windows(LEVELS[1], [line]):
            continue  # (a line the file has nowhere is a misquote, not one put here)
        rest = edit.old[:number] + edit.old[number + 1 :]
        places = index.windows(LEVELS[1], rest)
        worded = any(char.isalnum() for one in rest for char in one)
        if not any(map(telling, rest)) and not (worded and len(places) == 1):
            continue
        for start in places:  # (exact copies among them)
            if start + len(rest) <= option.start or option.end <= start:
                return number, start
    return None


def _misquoted_elsewhere(index: LineIndex, edit: LineEdit, number: int) -> bool:
    """Whether the quote stands somewhere with its line `number` misquoted (alike the file
    line there, the others as written): there that line is no line the file lacks."""
    before, after = edit.old[:number], edit.old[number + 1 :]
    keys = index.keys(LEVELS[1])
    wanted = [_KEY[LEVELS[1]](line) for line in after]
    if before:
        slots = [start + len(before) for start in index.windows(LEVELS[1], before)]
    else:
        slots = [start - 1 for start in index.windows(LEVELS[1], after)]
    return any(
        0 <= slot < len(keys)
        and keys[slot + 1 : slot + 1 + len(after)] == wanted
        and _alike(edit.old[number], index.contents[slot])
        for slot in slots
    )


def _read_in_order_beside(
    index: LineIndex, old: Sequence[str], number: int, option: Candidate
) -> bool:
    """Whether the quote, read past its line `number` at `option`, also reads in order with
    that line as a file line a few lines off that is, or is like, it, and one run of file
    lines left out beside it: a line left out, not one the file lacks (a heading after two
    blank lines, one left out: without the heading the rest stood as written, the second
    blank line taken for the one after it). A line that cannot stand there in the quote's
    order (a nearby line put among lines it does not follow) is one the file lacks."""
    line, before, after = old[number], old[:number], old[number + 1 :]
    keys = index.keys(LEVELS[1])
    key = _KEY[LEVELS[1]]
    wanted_before, wanted_after = [key(one) for one in before], [key(one) for one in after]
    kept_end = option.start + len(before)  # (the reading's first file line after `before`)
    low, high = max(option.start - _BESIDE, 0), min(option.end + _BESIDE, len(keys))
    for at in range(low, high):
        if not _alike(line, index.contents[at]):
            continue
        if at >= kept_end and keys[at + 1 : at + 1 + len(after)] == wanted_after:
            return True  # (`before` where read, lines left out, the line, then `after`)
        if at < kept_end and at >= len(before) and keys[at - len(before) : at] == wanted_before:
            return True  # (`before`, the line, lines left out, then `after` where read)
    return False


_BESIDE = 3
"""How many file lines on each side of a place count as beside it."""


def find(
    index: LineIndex, edit: LineEdit, final_eol: bool | None = None, at_end: bool = False
) -> Found | None:
    """Every place where `edit` matches at the strictest level that finds one, or None.

    `final_eol` says whether the file must end with a line break when the edit reaches
    its end (True/False, from a diff's "No newline" markers), None to keep what it has.
    `at_end`: the quote's last line is the file's last (a diff's old side marked "No
    newline" in a file without one), so loose readings elsewhere are no rivals.
    """
    if not edit.old:
        return None
    height = len(edit.old)
    for level in LEVELS:
        starts = index.windows(level, edit.old)
        if starts:
            ops: list[Opcode] = [("equal", 0, height, 0, height)]
            options = [
                candidate(index, edit, start, start + height, 1.0, ops, final_eol)
                for start in starts
            ]
            if len(options) > 1 and level != "exact":
                options = [_with_raw(index, edit, option) for option in options]
                options.sort(key=lambda option: -option.raw)
            if level == "whitespace":
                return _restated_in_place(
                    index, edit, _at_depth_or_gapped(index, edit, options, final_eol)
                )
            if level == "trailing whitespace":
                options = _refuse_stripped_left_in(index, edit, options, final_eol)
            options += [
                candidate(index, edit, start, start + height, 1.0, ops, final_eol)
                for start in deeper_copies(index, edit.old, starts)
            ]
            return Found(level, tuple(options))
    fuzzy = _fuzzy(index, edit, final_eol)
    if fuzzy and at_end:
        fuzzy = ending_the_file(index, fuzzy)
    if fuzzy:
        options = _refuse_wordless_windows(index, edit, list(fuzzy.candidates))
        options = _refuse_outread_windows(index, edit, options)
        options = _refuse_renamed_windows(index, edit, options)
        had_usable = any(option.lines is not None for option in options)
        options = _refuse_misquoted_windows(index, edit, options)
        if had_usable and not any(option.lines is not None for option in options):
            return Found(FUZZY, tuple(options))  # (a reading elsewhere is no way around it)
        fuzzy = Found(FUZZY, tuple(_refuse_farther_misquotes(index, edit, options)))
    if fuzzy and any(o.lines is not None and o.similarity >= FUZZY_MIN for o in fuzzy.candidates):
        options = _without_blind_windows(index, edit, list(fuzzy.candidates))
        options = _without_misread_windows(index, edit, options)
        options = _not_around_unsaid(index, edit, options)
        options = _refuse_beside_a_run(index, edit, options)
        fuzzy = Found(FUZZY, tuple(_with_loose_rivals(index, edit, options, final_eol, at_end)))
        return (
            _read_with_a_line_left_out(index, edit, fuzzy, final_eol)
            or _outdone_by_a_line_left_out(index, edit, options, fuzzy, final_eol, at_end)
            or fuzzy
        )
    return gapped(index, edit, final_eol) or _misquoted_gapped(index, edit, fuzzy, final_eol)


def _refuse_stripped_left_in(
    index: LineIndex, edit: LineEdit, options: list[Candidate], final_eol: bool | None
) -> list[Candidate]:
    """`options` found with trailing whitespace ignored, each made unusable where it reads
    a quoted blank line as a file line of whitespace only that the new text writes as the
    file has it, while the quote stands as written beside it with that line left out. A
    model that writes the line's whitespace did not strip it from its quote: its blank
    line may be the next one, the line left out and written again (lapis' spec: `}`,
    `   `, a blank line, quoted `}` and a blank line, its new text `}`, `   `, ...)."""
    written = set(edit.new_lines())

    def problem(option: Candidate) -> str | None:
        if option.lines is None:
            return None
        window = index.contents[option.start : option.end]
        read = [
            option.start + number
            for number, (there, line) in enumerate(zip(window, edit.old, strict=True))
            if there != line and not there.strip() and there in written
        ]
        if not read:
            return None
        for start in range(max(0, option.start - len(edit.old)), option.start + 1):
            for rival in left_out_readings(index, edit, start, final_eol):
                if not same_result(index, option, rival):  # (each overlaps the option)
                    return (
                        f"it reads a blank line of its quote as line {read[0] + 1}, whitespace "
                        "that its new text writes as the file has it, while as written its "
                        f"lines match lines {_span(rival)} with that line left out, so which "
                        "it means is unclear"
                    )
        return None

    return _made_unusable(options, problem)


def ending_the_file(index: LineIndex, found: Found) -> Found:
    """The places of `found` that end the file, if any do (sqlx's reflect_test.go: a
    misquoted `b.Errorf` and its closing braces, with a brace left out, read as well a
    test above; the quote's last brace was marked as the file's last line)."""
    ending = tuple(option for option in found.candidates if option.end == len(index.lines))
    return replace(found, candidates=ending) if ending else found


def _read_with_a_line_left_out(
    index: LineIndex, edit: LineEdit, fuzzy: Found, final_eol: bool | None
) -> Found | None:
    """The readings with a line left out, when the closest fuzzy reading cannot be made as
    a misquoted line of it is more like the file line beside the one it was taken for: the
    model may have left out the line between, and where its lines stand so, over the same
    lines, that is what it did. (fd's CI matrix: a hunk that left out the
    `x86_64-unknown-linux-gnu` job read best with its last line, the `-musl` job, taken for
    it; a window one line shorter could be made, and the refused closest one vetoed it.)"""
    top = fuzzy.candidates[0]
    if top.lines is not None or not top.left_out:
        return None
    found = gapped(index, edit, final_eol)
    if found is None or not any(_overlap(option, top) for option in found.candidates):
        return None
    return found


def _outdone_by_a_line_left_out(
    index: LineIndex,
    edit: LineEdit,
    windows: list[Candidate],
    checked: Found,
    final_eol: bool | None,
    at_end: bool,
) -> Found | None:
    """The readings of every quoted line as written with one file line left out, when the
    fuzzy windows were all refused and each takes more mistakes: a window that misquotes
    two lines is no rival to such a reading, which a window a little less alike would not
    have hidden (python-json-patch: a hunk of `_item_removed` that left out the line
    before its last, read as loosely in `_item_added` with `Add` and `'add'` for `Remove`
    and `'remove'`, and so refused with the one reading it has). Not when no reading is
    verbatim but for the line left out, or one that is cannot be made (ale's test: a
    quote that left out a line it then wrote, read in the next test with a misquoted
    path). Readings that take more mistakes are no rivals either (ruby/json's tests: a
    third `State` test holds the lines with two values misquoted), nor is a window that
    gives the file a reading gives: the same reading, with the left-out line's neighbour
    taken for the quoted line beside it (ruby/csv's two Ractor tests: each refused for
    the other's reading, the readings were never asked, and the @@ line that named one
    did not choose it)."""
    kept = [option for option in checked.candidates if option.lines is not None]
    if any(option.similarity >= FUZZY_MIN for option in kept):
        return None
    readings = [
        reading
        for reading in _readings(index, edit, gapped(index, edit, final_eol))
        if reading.end == len(index.lines) or not at_end
    ]
    loose = [option for option in windows if option.lines is not None]
    if not readings or not loose:
        return None
    readings = [reading for reading in readings if mistakes(index, edit, reading) == 1]
    if not readings or any(reading.lines is None for reading in readings):
        return None
    if any(
        mistakes(index, edit, option) <= 1
        and not any(same_result(index, option, reading) for reading in readings)
        for option in loose
    ):
        return None
    return Found(GAPPED, tuple(readings))


def deeper_copies(index: LineIndex, old: Sequence[str], starts: Sequence[int]) -> list[int]:
    """Where the quoted lines stand again, each indented deeper by the same prefix.

    A quote that lost its indentation reads, word for word, like a shallower copy of the
    same lines (clap's doc examples stand at column 0 and again inside an `impl`), so the
    deeper copies are as much its place as the one it matches verbatim: the callers then
    refuse the quote as ambiguous, or let a diff's @@ numbers choose. Only a quote that
    could have lost its indentation counts: one that starts a line at column 0 and whose
    lines mostly have words (`may_have_lost_indentation`).
    """
    if not may_have_lost_indentation(old):
        return []
    taken = set(starts)
    return [
        start
        for start in index.windows("whitespace", old)
        if start not in taken and _one_prefix_deeper(old, index.contents[start : start + len(old)])
    ]


def may_have_lost_indentation(old: Sequence[str]) -> bool:
    """Whether quoted lines may be a deeper copy's without its indentation: one starts at
    column 0, and at least half have words. Closing braces stand deeper at every nesting,
    and so does hapi's `done();` followed by three of them at the end of a test file;
    libyaml's `return 1; } else { return error; } }`, half braces, stands at two depths
    in one file, and the quote of the deeper one, dedented, matched the other."""
    lines = [line for line in old if line.strip()]
    flush = any(not line[0].isspace() for line in lines)
    return flush and sum(map(telling, lines)) * 2 >= len(lines)


def _one_prefix_deeper(quoted: Sequence[str], lines: Sequence[str]) -> bool:
    """Whether every non-blank file line is its quoted line behind one more indentation."""
    prefix = None
    for model, file in zip(quoted, lines, strict=True):
        model, file = model.rstrip(), file.rstrip()
        if not model:
            continue
        extra = file[: len(file) - len(model)]
        if not file.endswith(model) or not extra or extra.strip() or extra != (prefix or extra):
            return False
        prefix = extra
    return prefix is not None


def _misquoted_gapped(
    index: LineIndex, edit: LineEdit, fuzzy: Found | None, final_eol: bool | None
) -> Found | None:
    """The readings whose one telling line is misquoted, with a line left out (see
    `gapped`), unless a loose window elsewhere reads the edit into another file; else
    `fuzzy` (what was found, to say why it is not good enough)."""
    found = gapped(index, edit, final_eol, misquoted=True)
    if found is None:
        return fuzzy
    usable = [option for option in found.candidates if option.lines is not None]
    loose = [o for o in (fuzzy.candidates if fuzzy else ()) if o.lines is not None]
    if any(not any(same_result(index, o, option) for option in usable) for o in loose):
        return fuzzy
    return found


def _without_blind_windows(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options` without the unusable windows over lines where another window holds
    every quoted line verbatim: a character ratio hardly sees a blank line, so a window
    that misses the blank line an edit removes can look closer than the one that has it."""
    whole = [o for o in options if o.lines is not None and verbatim(index, edit, o)]
    return [o for o in options if o.lines is not None or not any(_overlap(o, w) for w in whole)]


def _without_misread_windows(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options` without the unusable windows over lines where a usable window reads
    every quoted line at least as well, and one better (`_dominates`). The ratio compares
    lines without their indentation and hardly sees one line of many, so when the model left
    out a line, the window as tall as its quote looks closest while it takes a quoted `}`
    for the `    }` it left out, or its last line for the line above the one it quotes;
    the window a line taller holds each of them where it is."""
    usable = [option for option in options if option.lines is not None]
    return [
        option
        for option in options
        if option.lines is not None
        or not any(
            _overlap(option, other) and _dominates(index, edit, other, option) for other in usable
        )
    ]


def _refuse_outread_windows(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options`, each usable window made unusable where an overlapping usable one
    reads every quoted line at least as well, and one better (`_dominates`), and gives
    another file. The character ratio hardly sees where a blank line stands: a window that
    pairs a removed blank line with the blank below the context, and its context lines with
    nothing, can look closer than the one that holds them all in order with a line left
    out. The window that reads the lines better is the one the model quoted."""
    usable = [option for option in options if option.lines is not None]
    if len(usable) < 2:
        return options
    scores = {option: _pair_scores(index, edit, option) for option in usable}

    def problem(option: Candidate) -> str | None:
        better = next(
            (
                other
                for other in usable
                if option.lines is not None
                and _overlap(option, other)
                and _above(scores[other], scores[option])
                and not same_result(index, option, other)
            ),
            None,
        )
        if better is None:
            return None
        return (
            f"lines {_span(better)} hold its lines in order more like them, so which it means "
            "is unclear"
        )

    return _made_unusable(options, problem)


def _not_around_unsaid(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options`, each usable window made unusable where an overlapping window reads
    the lines with fewer mistakes but cannot say on which side of a line it left out its
    new lines go: a window shifted by a line, pairing a line more wrongly, is no way around
    that (ansible-lint's configuring.rst: a several-mistakes hunk with the blank line after
    its new lines left out was made one line up, its first line read as the title's)."""
    unsaid = {option: mistakes(index, edit, option) for option in options if option.unsaid}
    if not unsaid:
        return options

    def problem(option: Candidate) -> str | None:
        count = mistakes(index, edit, option)
        for other, fewer in unsaid.items():
            if _overlap(option, other) and fewer < count:
                return other.problem
        return None

    return _made_unusable(options, problem)


def _refuse_beside_a_run(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options` made unusable where new lines go beside a quoted line, kept or
    removed (tablewriter's README: a removed blank line, the other of two left out), that
    the file has again right next to it (a blank line, or a line repeated as is): a quote
    that misquotes a line may have left one of those out too, and then its new lines belong
    elsewhere in the run, which nothing in the edit tells. The unquoted line may be on the
    new lines' side (coffeescript's helpers.coffee: several mistakes, one of the two blank
    lines the file ends with left out, the new lines made a line higher) or past the
    quoted run, kept or removed (moonscript's syntax.moon: one of three blank lines left
    out, the same; colorama's demo: one of three `print("aaa")` lines left out, another
    misquoted). A reading that is unusable already keeps its own reason, and so does a
    closer one over the same lines (`contenders` refuses with that one's). New lines that
    are copies of the line they go beside read the same anywhere among its copies."""
    closer = [option for option in options if option.lines is None]

    def problem(option: Candidate) -> str | None:
        if option.lines is None or any(
            other.similarity > option.similarity and _overlap(other, option) for other in closer
        ):
            return None
        paired = _paired(index, edit, option)
        lines = [None if place is None else option.start + place for place in paired]
        for k, group in enumerate(edit.inserts):
            if not group:
                continue
            for near, step in ((k - 1, 1), (k, -1)):  # the quoted line before them, after
                there = lines[near] if 0 <= near < len(lines) else None
                if there is None:
                    continue
                beside = there + step
                quoted = 0 <= near + step < len(lines) and lines[near + step] is not None
                if quoted or not _again_at(index, there, beside):
                    beside = _past_run(index, lines, near, -step)
                    if not _again_at(index, there, beside) or beside in lines:
                        continue
                run = range(min(there, beside), max(there, beside) + 1)
                if _copies_of_run(index, run, group) or _left_out_apart(
                    index, edit, option.start, run
                ):
                    continue  # (anywhere among them, the file reads the same; or quoted whole)
                if not index.contents[there].strip():
                    return (
                        "its new lines go next to a blank line of the file that has "
                        f"another blank line near it (line {beside + 1}), so where among "
                        "those its new lines belong is unclear"
                    )
                return (
                    f"its new lines go next to the line {index.contents[there].strip()!r}, "
                    f"which the file has again near it (line {beside + 1}), so where among "
                    "those its new lines belong is unclear"
                )
        return None

    return _made_unusable(options, problem)


def _left_out_apart(index: LineIndex, edit: LineEdit, near: int, run: range) -> bool:
    """Whether the quoted lines stand as the file has them over file line `near` (a
    reading from there may have left unpaired the quoted lines before the one left out)
    with one file line left out, that line outside `run`, and no other way: the line the
    quote left out is then that one, and the run beside its new lines was quoted whole
    (tzinfo's zone files: a period line left out above the change, and the four `end`s
    the file ends with quoted three after the new periods, as the commit had them)."""
    starts = range(max(near - len(edit.old), 0), near + 2)
    left_out = [start + gap for start in starts for gap in _left_out_gaps(index, edit, start)]
    return len(left_out) == 1 and left_out[0] not in run


def _again_at(index: LineIndex, line: int, other: int) -> bool:
    """Whether file line `other` is file line `line` again: both blank, or equal."""
    if not 0 <= other < len(index.lines):
        return False
    this, that = index.contents[line], index.contents[other]
    return this == that if this.strip() else not that.strip()


def _past_run(index: LineIndex, lines: Sequence[int | None], start: int, step: int) -> int:
    """The file line just past the run of quoted lines that goes from quoted line `start`
    in direction `step`, each standing for the next file line, that file line being the
    first one again (blank lines: kept or removed; a misquote of the same line too)."""
    k, line = start, lines[start]
    assert line is not None
    first = line
    while 0 <= k + step < len(lines) and lines[k + step] == line + step:
        if not _again_at(index, first, line + step):
            break
        k, line = k + step, line + step
    return line + step


def _made_unusable(
    options: Sequence[Candidate], problem: Callable[[Candidate], str | None]
) -> list[Candidate]:
    """`options`, each made unusable, with the sentence why, where `problem` gives one."""
    checked = []
    for option in options:
        why = problem(option)
        checked.append(option if why is None else replace(option, lines=None, problem=why))
    return checked


def _span(option: Candidate) -> str:
    """A window's lines as a user counts them: "12-18"."""
    return f"{option.start + 1}-{option.end}"


def _refuse_wordless_windows(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options`, each made unusable where none of the quoted lines with words pairs
    with a line of its window, only blank lines and braces: such a window is near the quote
    by characters (a blank line hardly counts), not by anything the model wrote. A window a
    line shorter than a quote that removes one of two blank lines reads the removed blank as
    the file's only one, and the misquoted line below it as none, and would remove the wrong
    blank line."""
    worded = [k for k, line in enumerate(edit.old) if telling(line)]
    if not worded:
        return options
    keys = index.keys("whitespace")

    def problem(option: Candidate) -> str | None:
        window = set(keys[option.start : option.end])
        if option.lines is None or any(norm(edit.old[k]) in window for k in worded):
            return None
        paired = _paired(index, edit, option)  # (a line found in the window pairs)
        if any(paired[k] is not None for k in worded):
            return None
        return "none of its lines with words stands there, only blank lines or brackets"

    return _made_unusable(options, problem)


def _refuse_renamed_windows(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options`, each made unusable where its misquoted lines, two or more, all
    differ from the file's by the same word (`stderr` quoted where the window has
    `stdin`): that is another block of the same shape, `is_tty_stdin` beside
    `is_tty_stderr`, not a slip of copying, and the edit belongs to the block the quote
    names. (A name misremembered throughout a quote looks the same; the sentence says
    which word, so the model can quote it right.)"""

    def problem(option: Candidate) -> str | None:
        if option.lines is None:
            return None
        misquoted = _misquotes(index, edit, option, _paired(index, edit, option))
        swaps = {_swapped_word(line, there) for line, there in misquoted}
        pair = swaps.pop() if len(swaps) == 1 else None
        if pair is None or len(misquoted) < 2:
            return None
        quoted, there = pair
        count = len(misquoted)
        return f"its lines stand there only with {quoted!r} read as {there!r} in {count} lines"

    return _made_unusable(options, problem)


def _refuse_misquoted_windows(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options`, each made unusable where two or more lines of the quote that say
    something are not the file's there: a slip of copying is one line, and a quote that
    is wrong in several is of another version of these lines (got's tests quoted with
    `import got from '../'` and `'./_server'`, where the file has `'../dist'` and
    `'./helpers/server'`: a hunk of an older commit). A line with words that pairs with
    none there and stands nowhere in the file counts too (p-throttle's readme quoted in its
    typings: the one long sentence they share carried the likeness, `##### onDelay` and
    `Type: Function` stood nowhere)."""
    places = index.places("whitespace")

    def problem(option: Candidate) -> str | None:
        if option.lines is None:
            return None
        paired = _paired(index, edit, option)  # (aligns the window once)
        misquoted = _misquotes(index, edit, option, paired)
        unpaired = [
            line
            for line, place in zip(edit.old, paired, strict=True)
            if place is None and telling(line) and norm(line) not in places
        ]
        if sum(telling(line) for line, _ in misquoted) + len(unpaired) < 2:
            return None
        if not misquoted:
            return f"{len(unpaired)} of its lines stand nowhere in the file ({norm(unpaired[0])!r})"
        quoted, there = (norm(text) for text in misquoted[0])
        return f"{len(misquoted)} of its lines are not the file's there ({quoted!r} is {there!r})"

    return _made_unusable(options, problem)


def _misquotes(
    index: LineIndex, edit: LineEdit, option: Candidate, paired: list[int | None]
) -> list[tuple[str, str]]:
    """(quoted line, file line) for each quoted line that `paired` (see `_paired`) pairs
    with a file line in `option` and is not it up to whitespace."""
    found = [
        (line, index.contents[option.start + place])
        for line, place in zip(edit.old, paired, strict=True)
        if place is not None
    ]
    return [(line, there) for line, there in found if norm(there) != norm(line)]


def _swapped_word(model: str, file: str) -> tuple[str, str] | None:
    """The one word `model` has where `file` has another, every time they differ (words
    split at underscores and digits, so `is_tty_stderr` has `stderr`); None otherwise."""
    ours, theirs = _WORD.findall(model), _WORD.findall(file)
    if len(ours) != len(theirs) or norm(_WORD.sub("", model)) != norm(_WORD.sub("", file)):
        return None
    swaps = {(a, b) for a, b in zip(ours, theirs, strict=True) if a != b}
    return next(iter(swaps)) if len(swaps) == 1 else None


_WORD = re.compile(r"[^\W\d_]+")


def _refuse_farther_misquotes(
    index: LineIndex, edit: LineEdit, options: list[Candidate]
) -> list[Candidate]:
    """Fuzzy `options`, each usable window made unusable where a usable window elsewhere,
    taking no more mistakes, reads every quoted line at least as well by `_grades` and one
    better, and gives another file. Copies of a block that differ in one line ("Jon Doe",
    "Jon Snow") are near each other by characters; a quote of that line with a slip of one
    character (`"on Doe"`) is a misquote of one of them only. Coarse grades, not
    likenesses: a slip is one character, and any other misquote is no better than another.
    Copies that are the same give the same grades and stay rivals."""
    usable = [option for option in options if option.lines is not None]
    if not usable:
        return options
    top = max(option.similarity for option in usable)
    # Windows farther below the best are no rivals of it (`_rivals`): left as they are.
    usable = [option for option in usable if option.similarity > top - FUZZY_MARGIN]
    if all(_overlap(a, b) for a in usable for b in usable):
        return options
    grades = {option: _grades(index, edit, option) for option in usable}
    counts = {option: mistakes(index, edit, option) for option in usable}

    def problem(option: Candidate) -> str | None:
        better = next(
            (
                other
                for other in usable
                if option in grades
                and not _overlap(option, other)
                and counts[other] <= counts[option]
                and _above(grades[other], grades[option])
                and not same_result(index, option, other)
            ),
            None,
        )
        if better is None:
            return None
        return f"lines {_span(better)} hold its lines with a misquote nearer the file's"

    return _made_unusable(options, problem)


def _grades(index: LineIndex, edit: LineEdit, option: Candidate) -> list[float]:
    """`_pair_scores` with every misquote but a slip of one character scored alike: 2 for
    the same line, 1.5 for the same up to whitespace, 1 for a slip, 0 otherwise."""
    return _line_scores(
        index, edit, option, lambda line, there: float(_one_slip(norm(line), norm(there)))
    )


def _one_slip(model: str, file: str) -> bool:
    """Whether `model` is `file` with one character added, dropped or changed, or two
    neighbours swapped: the slips of a hand copying a line."""
    if len(model) == len(file):
        diffs = [k for k, (a, b) in enumerate(zip(model, file, strict=True)) if a != b]
        swapped = (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and model[diffs[0]] == file[diffs[1]]
            and model[diffs[1]] == file[diffs[0]]
        )
        return len(diffs) == 1 or swapped
    if abs(len(model) - len(file)) != 1:
        return False
    short, long = sorted((model, file), key=len)
    cut = next((k for k in range(len(short)) if short[k] != long[k]), len(short))
    return short[cut:] == long[cut + 1 :]


def _above(ours: list[float], theirs: list[float]) -> bool:
    """Whether scores `ours` are each at least `theirs`, and one higher."""
    pairs = list(zip(ours, theirs, strict=True))
    return all(a >= b for a, b in pairs) and any(a > b for a, b in pairs)


def _dominates(index: LineIndex, edit: LineEdit, better: Candidate, worse: Candidate) -> bool:
    """Whether `better` pairs every quoted line with a file line at least as like it as
    `worse` does, and one with a line more like it."""
    return _above(_pair_scores(index, edit, better), _pair_scores(index, edit, worse))


def _pair_scores(index: LineIndex, edit: LineEdit, option: Candidate) -> list[float]:
    """How well each quoted line reads as the file line `option` pairs it with: 2 for the
    same line, 1.5 for the same at another depth, its likeness for a misquote, 0 for none."""
    return _line_scores(index, edit, option, _likeness)


def _line_scores(
    index: LineIndex, edit: LineEdit, option: Candidate, misquote: Callable[[str, str], float]
) -> list[float]:
    """Per quoted line: 2 where `option` pairs it with the same line, 1.5 with the same up
    to whitespace, `misquote(line, there)` (at most 1) with another line, 0 with none. Only
    compared line by line (`_above`), so only the order of the scores counts."""
    scores = []
    for line, place in zip(edit.old, _paired(index, edit, option), strict=True):
        there = None if place is None else index.contents[option.start + place]
        if there is None:
            scores.append(0.0)
        elif there.rstrip() == line.rstrip():
            scores.append(2.0)
        elif norm(there) == norm(line):
            scores.append(1.5)
        else:
            scores.append(misquote(line, there))
    return scores


def _at_depth_or_gapped(
    index: LineIndex, edit: LineEdit, options: list[Candidate], final_eol: bool | None
) -> Found:
    """`options` found up to indentation, each made unusable where the quoted lines, with
    the indentation they have, match over other lines with one left out: the model either
    misindented lines or left one out, and which one changes the result. Where none of them
    can be made (their depths disagree), the reading with a line left out is the one."""
    found = gapped(index, edit, final_eol, levels=("trailing whitespace",))
    rivals = _readings(index, edit, found)
    usable = [rival for rival in rivals if rival.lines is not None]
    if usable and all(option.lines is None for option in options):
        return Found(GAPPED, tuple(usable))
    lines = cache(partial(_paired_lines, index, edit))  # (each aligns the window once)
    untelling = not any(map(telling, edit.old))

    def more_at_depth(rival: Candidate, option: Candidate) -> bool:
        return _off_depth(lines(rival)) < _off_depth(lines(option))

    size = len(edit.old)
    around = sorted({at for option in options for at in range(option.start - size, option.end)})
    anywhere = index.windows(LEVELS[1], edit.old[:1])[:_ANYWHERE_STARTS] if untelling else []
    starts = around + sorted(set(anywhere).difference(around))
    checked = _refuse_rivals(
        index,
        edit,
        options,
        rivals + _verbatim_left_out(index, edit, starts, final_eol),
        lambda option, rival: (
            (untelling or _overlap(option, rival) or _drifts(lines(option)))
            and more_at_depth(rival, option)
        ),
        "some of its lines match there only at another depth, while with their own "
        "indentation they match lines {} with a line left out",
    )
    checked = _refuse_rivals(
        index,
        edit,
        checked,
        rivals,
        lambda option, rival: _spaced_otherwise(lines(option)) and more_at_depth(rival, option),
        "some of its lines match there only with other spacing inside them, while as "
        "written they match lines {} with a line left out",
    )
    return Found("whitespace", tuple(checked))


def _verbatim_left_out(
    index: LineIndex, edit: LineEdit, starts: list[int], final_eol: bool | None
) -> list[Candidate]:
    """The readings as written, with a line left out, from each of `starts`: over lines of
    an option, since `gapped` wants a telling line, but a quote of closing braces has none,
    and read a level higher it can hide the line it left out (gods' serialization.go: `\t}`,
    `}` quoted with `\treturn err` left out and written in the new text, read as `\t\t}`,
    `\t}` above); and for a quote with no telling line, wherever its first line stands as
    written, since such lines stand a few levels deeper at many places and a reading at
    another depth is a guess beside one as written with a line left out even far off
    (CsvHelper's tests: `\t\t}`, `\t}`, `}` quoted from the file's end without the blank
    line between them, and the new blank line put inside a test 600 lines up, where such
    braces stand two tabs deeper)."""
    return [
        reading for start in starts for reading in left_out_readings(index, edit, start, final_eol)
    ]


_ANYWHERE_STARTS = 500
"""At most this many places are tried: it bounds the cost in a file with thousands of lines
like the quote's first."""


Paired = list[tuple[str | None, str]]
"""Each quoted line with the file line a reading pairs it with (None: none)."""


def _paired_lines(index: LineIndex, edit: LineEdit, option: Candidate) -> Paired:
    paired = _paired(index, edit, option)
    return [
        (None if place is None else index.contents[option.start + place], line)
        for line, place in zip(edit.old, paired, strict=True)
    ]


def _spaced_otherwise(lines: Paired) -> bool:
    """Whether a reading pairs a quoted line with a file line whose spacing differs inside
    the line, not only around it: no drift of indentation, but other text (glm-lsp's own
    test data `"      end\\n"` read as `" end\\n"`; json-c's `# bionic` as `#   bionic`)."""
    return any(there is not None and there.strip() != line.strip() for there, line in lines)


def _drifts(lines: Paired) -> bool:
    """Whether no one change of indentation (a prefix, tabs for spaces) takes the quoted
    lines to the file lines a reading pairs them with: the quote's own depths disagree
    with the place's. Beside a reading as written with a line left out, even one far
    off, that place is a guess (espree's JSON fixture: closing braces quoted at 8 and 0
    read 16 and 12 deep a block higher, while at the file's end they stand as written
    with the brace between them left out)."""
    pairs = [(there, line) for there, line in lines if there is not None and line.strip()]
    return indent_transform(pairs) is None


def _off_depth(lines: Paired) -> int:
    """How many quoted lines a reading pairs with no file line of their own indentation. A
    rival with a line left out is another reading only where it reads more lines at
    their own depth: sds's README quoted in tabs, its first blank line read two lines
    higher, over `Or:`, paired the same tab lines with the same lines in spaces."""
    return sum(there is None or there.rstrip() != line.rstrip() for there, line in lines)


def _restated_in_place(index: LineIndex, edit: LineEdit, found: Found) -> Found:
    """Of places equal to the quote up to indentation, the one where both sides of a
    SEARCH/REPLACE written in the other indentation character read as it: its quote is
    the file's lines there in that character, column for column, and every line its new
    side restates stands there as written. A block quoted in tabs and restated in the
    file's spaces names its place by both (rubocop's spec: the same `RUBY ... end` at
    seven depths, only one of them two spaces per tab). Either alone can mislead: a quote
    that lost a level of indentation, a change that moves the lines it restates."""
    usable = [option for option in found.candidates if option.lines is not None]
    if not edit.restated or len(usable) < 2:
        return found
    named = [option for option in usable if _reads_as_written(index, edit, option)]
    if len(named) != 1:
        return found
    return Found(found.level, (named[0],))


def _reads_as_written(index: LineIndex, edit: LineEdit, option: Candidate) -> bool:
    window = index.contents[option.start : option.end]
    pairs = [(there, line) for there, line in zip(window, edit.old, strict=True) if there.strip()]
    return restyled(pairs) and restates_as_file(pairs, edit.new_lines())


def _with_loose_rivals(
    index: LineIndex,
    edit: LineEdit,
    options: list[Candidate],
    final_eol: bool | None,
    at_end: bool = False,
) -> list[Candidate]:
    """Fuzzy `options`, each made unusable where every quoted line is found elsewhere, or
    here with a line left out (not as a misquote of it): two readings of the model's
    mistakes that give different files. A misquote read as well elsewhere with a line
    left out is such a rival whether the gapped reading paired it up to a typo or on its
    own (httparse's `cfg` blocks: the misquoted line stands in too many places to be
    looked for alone). A quote pinned to the file's end (`at_end`) has rivals there only."""

    def readings(found: Found | None) -> list[Candidate]:
        every = _readings(index, edit, found)
        return [rival for rival in every if rival.end == len(index.lines) or not at_end]

    rivals = readings(gapped(index, edit, final_eol))
    checked = _refuse_rivals(
        index,
        edit,
        options,
        rivals,
        lambda option, rival: (
            (not _overlap(option, rival) or rival.end - rival.start > len(edit.old))
            and mistakes(index, edit, rival) <= mistakes(index, edit, option)
        ),
        "its lines resemble the file's there only loosely, while lines {} hold every one "
        "of them with a line left out",
    )
    if all(option.lines is None for option in checked):
        return checked
    misread = readings(gapped(index, edit, final_eol, misquoted=True))
    checked = _refuse_rivals(
        index,
        edit,
        checked,
        misread,
        lambda option, rival: _slipped_elsewhere(index, edit, option, rival, _above),
        "its lines resemble the file's there only loosely, while lines {} hold them with "
        "a misquote nearer the file's and a line left out",
    )
    if all(option.lines is None for option in checked):
        return checked
    windows = [option for option in options if option.lines is not None]
    return _refuse_rivals(
        index,
        edit,
        checked,
        [*misread, *rivals, *windows],
        lambda option, rival: (
            _slipped_elsewhere(index, edit, option, rival, eq)
            and (rival in misread or _left_out_only(index, edit, option, rival, windows))
        ),
        "it misquotes a line there, while lines {} hold its lines as well with the same "
        "misquote and a line left out",
    )


def _left_out_only(
    index: LineIndex, edit: LineEdit, option: Candidate, rival: Candidate, windows: list[Candidate]
) -> bool:
    """Whether the loose window `rival`, at another copy, reads the quote with a mistake
    more than `option` and no window over that copy reads it with fewer: a copy read alike
    is a second place, which the contenders weigh and name."""
    least = mistakes(index, edit, option)
    return mistakes(index, edit, rival) > least and not any(
        _overlap(window, rival) and mistakes(index, edit, window) <= least for window in windows
    )


def _slipped_elsewhere(
    index: LineIndex,
    edit: LineEdit,
    option: Candidate,
    rival: Candidate,
    reads: Callable[[list[float], list[float]], bool],
) -> bool:
    """Whether `rival`, elsewhere, reads the quote with one mistake more than `option` at
    most, that mistake a line left out, and `reads` its lines (graded by `_grades`) better
    (`_above`) or as well: `"def scale(sef, x)"` is a slip of the `scale(self` line three
    lines on, not of the `+`-marked copy just above it, however alike the two windows are
    by characters; and where each place reads every line alike, the same misquote in
    both, neither wins on the lines that match (factory_bot's specs: two `before` blocks
    alike but for a blank line, a hunk of the one with that line left out and a typo read
    as the other with the typo alone)."""
    return (
        not _overlap(option, rival)
        and mistakes(index, edit, rival) <= mistakes(index, edit, option) + 1
        and reads(_grades(index, edit, rival), _grades(index, edit, option))
    )


def _readings(index: LineIndex, edit: LineEdit, found: Found | None) -> list[Candidate]:
    """The gapped places that are readings of the model's edit: those it can be made at,
    and those where it cannot only because its new lines' side of a left-out line is
    unsaid. A place where a line it removes is not the file's line is no reading of it
    (removed lines are never misquoted)."""
    if found is None:
        return []
    return [
        option
        for option in found.candidates
        if option.lines is not None or _removes_as_quoted(index, edit, option)
    ]


def _paired(index: LineIndex, edit: LineEdit, option: Candidate) -> list[int | None]:
    """For each quoted line, the line of `option`'s window it stands for (see `_pairing`)."""
    ops = _aligned(index, edit, option.start, option.end)
    return _pairing(edit, index.contents[option.start : option.end], ops)


def _removes_as_quoted(index: LineIndex, edit: LineEdit, option: Candidate) -> bool:
    paired = _paired(index, edit, option)
    return all(
        kept or (place is not None and norm(index.contents[option.start + place]) == norm(line))
        for line, kept, place in zip(edit.old, edit.kept, paired, strict=True)
    )


def mistakes(index: LineIndex, edit: LineEdit, option: Candidate) -> int:
    """How many mistakes reading the edit at `option` takes: quoted lines that are not the
    file's line they stand for (up to whitespace), and file lines left out. A reading that
    takes more than another is no rival to it."""
    paired = _paired(index, edit, option)
    misquoted = sum(
        place is None or norm(index.contents[option.start + place]) != norm(line)
        for line, place in zip(edit.old, paired, strict=True)
    )
    left_out = option.end - option.start - sum(place is not None for place in paired)
    return misquoted + left_out


def _refuse_rivals(
    index: LineIndex,
    edit: LineEdit,
    options: Sequence[Candidate],
    rivals: Sequence[Candidate],
    counts: Callable[[Candidate, Candidate], bool],
    wording: str,
) -> list[Candidate]:
    """`options` made unusable where a rival reading that `counts` gives another file. Every
    rival that counts is asked: the first may be a reading of the same place (the window a
    line taller) while another, at the other copy of a block, reads the edit as well. A
    rival is none when a reading of the option's result reads every quoted line at least as
    well and one better (`_dominates`): the other copy of a block at another depth."""

    def problem(option: Candidate) -> str | None:
        if option.lines is None:
            return None
        other = _other_reading(index, edit, option, [r for r in rivals if counts(option, r)])
        if other is None:
            return None
        return f"{wording.format(_span(other))}, so which it means is unclear"

    return _made_unusable(options, problem)


def _other_reading(
    index: LineIndex, edit: LineEdit, option: Candidate, rivals: list[Candidate]
) -> Candidate | None:
    """The first of `rivals` that gives another file than `option`, unless a reading of the
    option's result (the option, or a rival giving the same file) reads every quoted line at
    least as well as it does, and one better."""
    backing = [option, *(rival for rival in rivals if same_result(index, option, rival))]
    for rival in rivals:
        if same_result(index, option, rival):
            continue
        if not any(_dominates(index, edit, better, rival) for better in backing):
            return rival
    return None


def same_result(index: LineIndex, a: Candidate, b: Candidate) -> bool:
    """Whether two readings of an edit leave the same file."""
    if a.lines is None or b.lines is None:
        return False
    low, high = min(a.start, b.start), max(a.end, b.end)

    def result(c: Candidate) -> list[str]:
        assert c.lines is not None
        return [*index.lines[low : c.start], *c.lines, *index.lines[c.end : high]]

    return result(a) == result(b)


def already_applied(
    index: LineIndex,
    edit: LineEdit,
    found: Found | None,
    expected: int | None = None,
    final_eol: bool | None = None,
) -> int | None:
    """Where the edit's result already stands in the file, if it looks applied: else None.

    As GNU patch's ``--forward`` does, the check is whether the edit's reverse applies
    cleanly: its new side (kept and new lines) matches whole lines up to whitespace. That
    says "applied" where the edit matches nowhere, or only more loosely elsewhere; where
    it matches too, for an edit that only adds lines (its context still matches after it
    was made, so it would go in a second time) and for one matching only more loosely (a
    change of indentation, made, still matches its old lines up to whitespace; blank lines
    removed are found again in any run of blanks), unless it only removes lines: a
    deletion's result is its own context, which stands there before it is made (but for
    one that also rewrites a line, `_rewrite_made`).
    `expected` (a diff's @@ line, 0-based) also counts: the result standing there while
    the edit matches only far from it is applied. `final_eol` (see `find`) counts too: a
    result that ends the file stands there only with the line end the edit asks for.
    """
    new = edit.new_lines()
    if not new or tuple(new) == edit.old:
        return None
    for level in LEVELS:
        differs = [_KEY[level](line) for line in new] != [_KEY[level](line) for line in edit.old]
        starts = index.windows(level, new) if differs else []  # a level blind to the change
        starts = [start for start in starts if _ends_as_asked(index, start + len(new), final_eol)]
        if starts:
            break
    else:
        return None
    places = [place for place in (found.candidates if found else ()) if place.lines is not None]
    if not places and found is not None and found.level in LEVELS:
        return None  # every quoted line stands there: not made yet, but unclear (its problem)
    if expected is not None and _at_numbers_made(index, edit, places, starts, expected):
        return expected
    deletion = _only_removes(edit) and not _rewrite_made(edit, found, level)
    if deletion:
        if _stands_at_numbers(index, edit, expected, final_eol):
            return None  # the lines it removes stand at its @@ line, one left out between
        if _removed_lines_stand(index, edit, places, starts, final_eol):
            if not _made_at_numbers_only(places, starts, len(new), expected):
                return None  # the lines it removes stand there, a line left out between
    if not places:
        return starts[0]
    looser = LEVELS.index(level) < _strictness(found)
    elsewhere = looser and not _quoted_in_other_character(index, edit, found, places)
    blank_only = all(
        not line.strip() for line, kept in zip(edit.old, edit.kept, strict=True) if not kept
    )
    for start in starts:
        over = any(place.start < start + len(new) and start < place.end for place in places)
        exactly = level == "exact" and (
            not deletion or not _stands_unmade(edit) or _closed_up_in_place(edit, places, start)
        )  # (a laxer level may be blind)
        made = _only_adds(edit) or (looser and (blank_only or exactly))
        if (elsewhere and not over) or (over and made):
            return start
        if expected is not None and _near(start, expected):
            if not any(_near(place.start, expected) for place in places):
                return start
    return None


def _rewrite_made(edit: LineEdit, found: Found | None, level: str) -> bool:
    """Whether an edit that removes lines also rewrites one (a new line as written is none
    of its quote's), its result stands as written, and its quote matches only loosely:
    the rewrite shows in the file, so a result that is its own context says nothing of it
    being unmade (debug's index.js: two spaces made a tab and a blank line removed, sent
    again, read loosely over the result, took out the one blank line left)."""
    if level != "exact" or found is None or found.level in LEVELS:
        return False
    new, old = ([line.rstrip() for line in side] for side in (edit.new_lines(), edit.old))
    return not _in_order(new, old)


def _at_numbers_made(
    index: LineIndex, edit: LineEdit, places: list[Candidate], starts: list[int], expected: int
) -> bool:
    """Whether a deletion from a run the quote does not bound (`in_open_run`) has its result
    at its @@ line, and its quote only off it: made, as the numbers say."""
    return (
        expected in starts
        and not any(place.start == expected for place in places)
        and any(in_open_run(index.lines, place.start, place.end, edit) for place in places)
    )


def _quoted_in_other_character(
    index: LineIndex, edit: LineEdit, found: Found | None, places: list[Candidate]
) -> bool:
    """Whether the quote matches only up to whitespace because it is indented in the other
    character than the file (spaces for tabs, or the reverse) at every place found. Such a
    quote matches no place exactly, the one it was written for included, so its result
    standing exactly elsewhere (another `switch` that already lacks the cases this one
    removes) says nothing of this place being changed already."""
    if found is None or found.level != "whitespace" or not places:
        return False
    if any(place.end - place.start != len(edit.old) for place in places):
        return False
    return all(
        in_other_character(
            list(zip(index.contents[place.start : place.end], edit.old, strict=True))
        )
        for place in places
    )


def _removed_lines_stand(
    index: LineIndex,
    edit: LineEdit,
    places: list[Candidate],
    starts: list[int],
    final_eol: bool | None,
) -> bool:
    """Whether a deletion's quoted lines stand as written, in order, with a line left out
    between them, at a place found or over a place its result stands at: a run of blank
    lines, one of them removed, still holds the result (fewer blanks) after a line the
    model left out, and a loose window over the run may read the lines closer than the one
    that holds them all; where every quoted line stands, the change is not made yet."""
    if any(verbatim(index, edit, place) for place in places):
        return True
    found = gapped(index, edit, final_eol)
    size = len(edit.new_lines())
    return any(
        option.lines is not None
        and verbatim(index, edit, option)
        and any(option.start < start + size and start < option.end for start in starts)
        for option in (found.candidates if found else ())
    )


def _stands_at_numbers(
    index: LineIndex, edit: LineEdit, expected: int | None, final_eol: bool | None
) -> bool:
    """Whether a deletion's quoted lines stand verbatim from its @@ line on, with one file
    line left out between two of them. Lines too plain to place it by (swift-log's tests:
    `]` and `}`, the file's last blank line removed, the `}` between them left out) still
    show that it is not made: its result stands there only up to indentation."""
    return expected is not None and left_out_at(index, edit, expected, final_eol) is not None


def _made_at_numbers_only(
    places: list[Candidate], starts: list[int], size: int, expected: int | None
) -> bool:
    """Whether a deletion's result stands at its @@ line while the lines it removes stand
    only far from it: made where the numbers say (rack-test's gemspec lists its files
    twice; a hunk removing one from the second list, made, stood exact in the first). A
    result within a place the removed lines stand at is only their context there
    (rust-csv's tests: a `use` line removed, the next one left out of the quote)."""
    if expected is None:
        return False
    apart = [
        start
        for start in starts
        if _near(start, expected)
        and not any(place.start < start + size and start < place.end for place in places)
    ]
    return bool(apart) and not any(_near(place.start, expected) for place in places)


def _ends_as_asked(index: LineIndex, end: int, final_eol: bool | None) -> bool:
    """Whether lines ending at `end` end as the edit asks: a file's last line without the
    line break an edit adds (or with the one it drops) is not yet what the edit makes."""
    if final_eol is None or end != len(index.lines) or not index.lines:
        return True
    return bool(eol(index.lines[-1])) == final_eol


def _only_removes(edit: LineEdit) -> bool:
    """Whether the edit's new side is its old lines with some left out (up to whitespace):
    its result is then its own context, which stands in the file before it is made."""
    new = [norm(line) for line in edit.new_lines()]
    if len(new) >= len(edit.old):
        return False
    return _in_order(new, [norm(line) for line in edit.old])


def in_open_run(lines: Sequence[str], start: int, end: int, edit: LineEdit) -> bool:
    """Whether the edit, at file lines `start`..`end`, only removes copies of one line from
    a run of it that the quote does not bound: the run goes on in the file past the quote's
    edge beside the removed lines (Newtonsoft.Json's TraceWriterTests.cs: eight `1,` lines,
    a quote of four of them and the lines after, one removed). The quote stands there, and
    so does its result, whether the change is made or not: the file reads alike with one
    copy more. Only a diff's @@ line at one of the two readings tells them apart."""
    if any(edit.inserts) or all(edit.kept):
        return False
    removed = {line for line, kept in zip(edit.old, edit.kept, strict=True) if not kept}
    if len(removed) != 1:
        return False
    copy = removed.pop()  # (to the character: `        ` beside an empty line is no run)
    gone = [number for number, kept in enumerate(edit.kept) if not kept]
    above = start > 0 and content(lines[start - 1]) == copy
    below = end < len(lines) and content(lines[end]) == copy
    return (above and all(line == copy for line in edit.old[: gone[-1] + 1])) or (
        below and all(line == copy for line in edit.old[gone[0] :])
    )


def _stands_unmade(edit: LineEdit) -> bool:
    """Whether the edit's result may stand in the file before it is made: a deletion's at
    the start or end of its quote is the rest of the quote. One between kept lines closes
    them up, which the file shows only once it is made (jekyll's appveyor.yml: a pair of
    matrix lines removed, the diff sent again, read loosely one entry up, removed two
    more), unless the lines on one side say little: `end` lines closed up stand all over
    a Ruby file (rubocop's align_array.rb, a method removed between them)."""
    if not _only_removes(edit):
        return False
    if not (edit.kept[0] and edit.kept[-1]):
        return True
    first = edit.kept.index(False)
    after = edit.old[_last_removed(edit) + 1 :]
    return not (any(map(telling, edit.old[:first])) and any(map(telling, after)))


def _last_removed(edit: LineEdit) -> int:
    """The number of the edit's last removed quoted line (it has one)."""
    return len(edit.kept) - 1 - edit.kept[::-1].index(False)


def _closed_up_in_place(edit: LineEdit, places: Sequence[Candidate], start: int) -> bool:
    """Whether a deletion's result, closed up, stands from where a reading of its quote
    starts, and its lines after the cut say something: not a run of `end` lines that a
    removed method ends with too (rubocop), but the quote's own next lines right after its
    first ones (Moses' specs: a duplicated `context('sortedIndex')` block removed, the diff
    sent again, read loosely over the block that was kept)."""
    after = edit.old[_last_removed(edit) + 1 :]
    return any(place.start == start for place in places) and any(map(telling, after))


def verbatim(index: LineIndex, edit: LineEdit, option: Candidate) -> bool:
    """Whether the quoted lines stand in the option's window exactly as written, in order,
    with only file lines left out between them."""
    return _in_order(edit.old, index.contents[option.start : option.end])


def _only_adds(edit: LineEdit) -> bool:
    """Whether the edit's old lines all stay, in order (a line removed and written again
    unchanged counts as kept): it only adds lines."""
    return _in_order(edit.old, edit.new_lines())


def _in_order(lines: Sequence[str], within: Sequence[str]) -> bool:
    """Whether `lines` all stand in `within` in their order, other lines between them."""
    remaining = iter(within)
    return all(any(line == other for other in remaining) for line in lines)


def _near(start: int, expected: int) -> bool:
    """Whether a place is within a few lines of where a diff's @@ numbers put it."""
    return abs(start - expected) <= _NEAR


def _strictness(found: Found | None) -> int:
    """The rank of the level that found the edit: 0 exact, up to len(LEVELS) for fuzzy."""
    return len(LEVELS) if found is None or found.level not in LEVELS else LEVELS.index(found.level)


def _with_raw(index: LineIndex, edit: LineEdit, option: Candidate) -> Candidate:
    """`option` with the share of its lines equal to the model's, whitespace included, and
    the share equal but for their indentation and trailing whitespace.

    Counted in lines, not characters: a long line would otherwise drown the indentation
    that tells two copies of a block apart. A window as tall as the quote is compared line
    for line: a quoted line equal to another line of the window says nothing of the
    window's indentation (superagent's tests: a hunk a level shallow, its `});` as deep as
    the last one of a copy nested a level deeper, made that copy the closest).
    """
    window = _as_quoted(index.contents[option.start : option.end], edit.old)
    if window and len(window) == len(edit.old):
        equal = sum(line == other for line, other in zip(window, edit.old, strict=True))
        raw = equal / len(window)
    else:
        raw = _share_equal(window, list(edit.old))
    inner = _share_equal([line.strip() for line in window], [line.strip() for line in edit.old])
    return replace(option, raw=raw, inner=inner)


def _as_quoted(window: Sequence[str], quote: Sequence[str]) -> list[str]:
    """The window's lines, each without its trailing whitespace where the quote has the line
    without it: models drop trailing whitespace as they copy, so a quote without it says
    nothing of whether the file has it (matrix.rb's two `coerce` methods, one closed by a
    blank line and one by a line of two spaces: a diff that lost every line's trailing
    whitespace and misquoted one line went to the first, 320 lines from its @@ line).
    Whitespace the quote does write counts."""
    quoted = set(quote)
    return [
        line if line in quoted or line.rstrip() not in quoted else line.rstrip() for line in window
    ]


def _share_equal(window: list[str], quote: list[str]) -> float:
    """The lines difflib pairs as equal, as a share of the taller side. Not its ratio
    (twice those over both heights), which a window is nearer the shorter it is: bcrypt's
    CI file, a job's steps three times, once with a line more; the window there without
    the quote's misquoted last line read 92 % raw, the copies with every line 86 %, and
    won."""
    matched = SequenceMatcher(None, window, quote, autojunk=False).get_matching_blocks()
    return sum(block.size for block in matched) / max(len(window), len(quote), 1)


def contenders(found: Found, index: LineIndex) -> list[Candidate]:
    """The candidates that are equally good: one means the edit's place is certain.

    At the exact level every candidate is as good as another. At the whitespace levels,
    places whose indentation cannot take the model's lines drop out when another can, and
    one place wins only when clearly more of its lines equal the model's with whitespace
    compared (`_closest_in_whitespace`). A fuzzy match needs a best applicable window of at
    least `FUZZY_MIN`; its rivals are applicable windows elsewhere within `FUZZY_MARGIN`
    of it, and windows at least as similar where the edit cannot be made (the model may
    have misremembered the lines it removes there), one per place, and overlapping windows
    as similar that leave another file (in a run of identical lines, the same lines a line
    lower); the same whitespace tie-break then applies. [] when no fuzzy window is good
    enough. When the window most like the model's lines cannot take the edit, a less alike
    window over the same lines (one that leaves some of them out) is not used to get
    around that: the closest one is returned, unusable, and its problem says why; so is a
    reading with a line left out
    that cannot be made, over one elsewhere that reads the lines worse (cowboy's
    `rest_handler_SUITE.erl`: left out beside the new line at its @@ line, the hunk was
    made 680 lines away, where a line of it is another).
    """
    if found.level == "exact":
        return list(found.candidates)
    if found.level == GAPPED:
        usable = [option for option in found.candidates if option.lines is not None]
        reads = usable[0].similarity if usable else 0.0
        # where it reads best, or as well, it cannot be made: elsewhere is no substitute
        # (Penlight's tests: a quote that left out a `dir.copyfile` line its new text
        # writes read as well at the `dir.movefile` test above, and went there, being first)
        blocked = (o for o in found.candidates if o.lines is None and o.similarity >= reads)
        top = next(blocked, None)
        return [top] if top is not None else usable
    if found.level != FUZZY:
        usable = [option for option in found.candidates if option.lines is not None]
        # A place whose indentation cannot take the model's lines is not what it copied.
        return _closest_in_whitespace(usable if usable else list(found.candidates))
    usable = [option for option in found.candidates if option.lines is not None]
    if not usable or usable[0].similarity < FUZZY_MIN:
        return []
    best = usable[0]
    top = found.candidates[0]
    if top.lines is None and top.similarity > best.similarity and _overlap(top, best):
        return [top]  # the closest reading of the model's lines cannot be made there
    rivals = [
        option
        for option in found.candidates
        if option is not best and _rivals(index, best, option)
    ]
    if not rivals:
        return [best]
    return _closest_in_whitespace([best, *_one_per_place(best, rivals)])


def _one_per_place(best: Candidate, rivals: list[Candidate]) -> list[Candidate]:
    """The rivals elsewhere reduced to the best window of each place (windows that overlap).

    A place shows up as several windows (a line taller, a line later); counting them apart
    would stop line numbers from choosing between two places.
    """
    kept: list[Candidate] = []
    for option in sorted(rivals, key=lambda option: (-option.similarity, -option.raw)):
        if _overlap(option, best) or not any(_overlap(option, other) for other in kept):
            kept.append(option)
    return kept


def _closest_in_whitespace(options: list[Candidate]) -> list[Candidate]:
    """The one place whose whitespace is clearly the most like the model's, else all of them.

    Places equal up to whitespace (the same block at two indentations, common in YAML and
    Python) are told apart by their raw similarity, with the same margin as fuzzy matches;
    when that does not, by the whitespace inside their lines, if the place it picks is as
    like raw as any: a quote that lost its indentation still aligns `Run:   emptyRun` as
    one of cobra's two copies of a test does, and not as the other.
    """
    if len(options) < 2:
        return options
    for key in (attrgetter("raw"), attrgetter("inner")):
        ranked = sorted(options, key=lambda option: -key(option))
        top = ranked[0]
        if top.lines is not None and key(top) - key(ranked[1]) >= FUZZY_MARGIN:
            return [top] if top.raw >= max(option.raw for option in options) else options
    return options


def _rivals(index: LineIndex, best: Candidate, other: Candidate) -> bool:
    """Whether `other` makes the fuzzy match `best` ambiguous."""
    if _overlap(best, other):
        return other.similarity >= best.similarity and (
            other.lines is not None and not same_result(index, best, other)
        )
    if other.lines is None:
        return other.similarity >= best.similarity
    return other.similarity > best.similarity - FUZZY_MARGIN


def _overlap(a: Candidate, b: Candidate) -> bool:
    """Whether two candidates share a file line."""
    return a.start < b.end and b.start < a.end


def insertion(
    index: LineIndex, position: int, new: Sequence[str], final_eol: bool | None = None
) -> Candidate:
    """The candidate inserting `new` before file line `position` (a hunk without old lines)."""
    if position > 0 and position == len(index.lines) and not eol(index.lines[-1]):
        previous = index.contents[-1]
        edit = LineEdit((previous,), (True,), ((), tuple(new)))
        ops: list[Opcode] = [("equal", 0, 1, 0, 1)]
        return candidate(index, edit, position - 1, position, 1.0, ops, final_eol)
    lines = tuple(line + index.newline for line in new)
    if position == len(index.lines) and final_eol is False and lines:
        lines = (*lines[:-1], new[-1])
    return Candidate(position, position, 1.0, lines)


def _fuzzy(index: LineIndex, edit: LineEdit, final_eol: bool | None) -> Found | None:
    """Windows of the file similar to `edit.old` (ratio ≥ `FUZZY_MIN` - `FUZZY_MARGIN`)."""
    wanted = [norm(line) for line in edit.old]
    if sum(map(len, wanted)) > LONG:
        return None
    keys = index.keys("whitespace")
    floor = FUZZY_MIN - FUZZY_MARGIN
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2("\n".join(wanted))
    by_lines = _ByLines(wanted)
    scored: dict[tuple[int, int], float] = {}
    for start in _voted_starts(index, wanted):
        for first, height in _windows_near(start, len(wanted), len(keys)):
            lines = keys[first : first + height]
            window = "\n".join(lines)
            if (first, height) in scored or len(window) > 2 * LONG or by_lines.unlike(lines):
                continue
            if by_lines.long:
                scored[(first, height)] = max(by_lines.ratio(lines), _in_place_ratio(wanted, lines))
                continue
            matcher.set_seq1(window)
            if matcher.real_quick_ratio() >= floor and matcher.quick_ratio() >= floor:
                scored[(first, height)] = max(matcher.ratio(), _in_place_ratio(wanted, lines))
    options = [
        candidate(
            index,
            edit,
            first,
            first + height,
            ratio,
            _aligned(index, edit, first, first + height),
            final_eol,
        )
        for (first, height), ratio in scored.items()
        if ratio >= floor
    ]
    if not options:
        return None
    options = [_with_raw(index, edit, option) for option in options]
    options.sort(key=lambda option: (-option.similarity, option.start, option.end))
    return Found(FUZZY, tuple(options))


def gapped(
    index: LineIndex,
    edit: LineEdit,
    final_eol: bool | None,
    levels: Sequence[str] = _PAIRING_LEVELS,
    misquoted: bool = False,
) -> Found | None:
    """Places where every quoted line is found in order, up to whitespace or a typo, with a
    few file lines between them that the model left out (a dropped context line).

    Too few lines differ for a character ratio to notice, so the test is on whole lines:
    each quoted line pairs with a file line, one to a quarter as many file lines are left
    out (a reading with none is a fuzzy match's), and a distinctive line matches exactly.
    Every such place is a candidate; more than one is ambiguous. `levels` are those lines
    may pair at (see `_aligned`). With `misquoted`, the distinctive line may instead be a
    misquoted one, paired with the one file line it is most alike (`_misquote_anchors`):
    in a short hunk the one line with words is often the one the model misquoted.
    """
    wanted = [norm(line) for line in edit.old]
    if len(wanted) < 2:
        return None
    slack = max(1, len(wanted) // 4)
    seeds = (
        [(place - k, {k: place}) for k, place in _misquote_anchors(index, edit)]
        if misquoted
        else [(start, {}) for start in _voted_starts(index, wanted)]
    )
    places: dict[tuple[int, int], tuple[list[Opcode], dict[int, int]]] = {}
    by_lines = _ByLines(wanted)
    for start, anchor in seeds:
        first, last = max(0, start - slack), min(len(index.lines), start + len(wanted) + slack)
        if by_lines.unlike(index.keys("whitespace")[first:last]):
            continue
        place = _gap_alignment(index, edit, first, last, levels, anchor)
        if place is not None:
            places.setdefault(place[0], (place[1], anchor))
    options = []
    for (first, last), (ops, anchor) in sorted(places.items()):
        equal = [k for tag, i1, i2, _, _ in ops if tag == "equal" for k in range(i1, i2)]
        told = sum(_anchoring(wanted[k]) for k in equal)
        if anchor:
            paired = _pairing(edit, index.contents[first:last], ops)
            told = sum(
                paired[k] is not None and first + paired[k] == place  # type: ignore[operator]
                for k, place in anchor.items()
            )
        if not 0 < last - first - len(wanted) <= slack or told < 1:
            continue
        similarity = len(equal) / (last - first)
        options.append(candidate(index, edit, first, last, similarity, ops, final_eol))
    if not options:
        return None
    options.sort(key=lambda option: (-option.similarity, option.start))
    return Found(GAPPED, tuple(options))


def _anchoring(line: str) -> bool:
    """Whether a quoted line found as written can say where a gapped reading stands: a
    telling line, or one with a symbol beyond ASCII, rarer than a word (cli-spinners'
    frames: `"🌲", ` with `"🎄"` left out before `]`, `"▐ ⡀      ▌",` before its last
    frame left out, not found for want of a letter)."""
    return telling(line) or any(
        not char.isascii() and unicodedata.category(char).startswith("S") for char in line
    )


def left_out_at(
    index: LineIndex, edit: LineEdit, start: int, final_eol: bool | None
) -> Candidate | None:
    """The reading of `edit` whose quoted lines stand verbatim from file line `start` on,
    with one file line left out between two of them; None when they do not stand so, or
    when they do with the line left out at places that give different files."""
    readings = left_out_readings(index, edit, start, final_eol)
    usable = [option for option in readings if option.lines is not None]
    if not usable or any(not same_result(index, usable[0], other) for other in usable[1:]):
        return None
    return usable[0]


def left_out_readings(
    index: LineIndex, edit: LineEdit, start: int, final_eol: bool | None
) -> list[Candidate]:
    """Every reading of `edit` whose quoted lines stand verbatim from file line `start` on
    with one file line left out between two of them (one per place the line may be; one
    that cannot be made there has no `lines`)."""
    size = len(edit.old)
    end = start + size + 1
    readings = []
    for gap in _left_out_gaps(index, edit, start):
        ops: list[Opcode] = [
            ("equal", 0, gap, 0, gap),
            ("insert", gap, gap, gap, gap + 1),
            ("equal", gap, size, gap + 1, size + 1),
        ]
        readings.append(candidate(index, edit, start, end, size / (size + 1), ops, final_eol))
    return readings


def _left_out_gaps(index: LineIndex, edit: LineEdit, start: int) -> list[int]:
    """Where (after how many quoted lines) the quoted lines stand verbatim from file line
    `start` on with one file line left out between two of them."""
    size = len(edit.old)
    if size < 2 or start < 0 or start + size + 1 > len(index.lines):
        return []
    window = index.contents[start : start + size + 1]
    return [
        gap
        for gap in range(1, size)
        if window[:gap] == list(edit.old[:gap]) and window[gap + 1 :] == list(edit.old[gap:])
    ]


_TELLING_MISQUOTE = 8
"""Letters and digits a misquoted line needs to anchor a reading on its own."""
_COPIES = 4
"""Copies of the line a misquote is most alike that are each sought as its place."""


def _misquote_anchors(index: LineIndex, edit: LineEdit) -> list[tuple[int, int]]:
    """For the one quoted line that is nowhere in the file, if it has some words, the file
    lines it is most alike (at least `_ALIKE`; each copy of a line when it stands in several
    places): the line it misquotes, as (quoted line, file line). (A quote with more such
    lines is not one misquote; and each costs a pass over the file.)"""
    places = index.places("whitespace")
    if sum(norm(line) not in places for line in edit.old) != 1:
        return []
    for number, line in enumerate(edit.old):
        key = norm(line)
        if key not in places and sum(char.isalnum() for char in key) >= _TELLING_MISQUOTE:
            return [(number, place) for place in _most_alike_in_file(index, key)]
    return []


def _most_alike_in_file(index: LineIndex, key: str) -> list[int]:
    """The file lines most alike `key` (normalised) if they are alike: one, or the copies of
    one line (at most `_COPIES`; more say nothing of where the quote is)."""
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)
    scores: list[tuple[float, int]] = []
    for place, other in enumerate(index.keys("whitespace")):
        if len(key) + len(other) > LONG:
            continue
        matcher.set_seq1(other)
        if matcher.real_quick_ratio() >= _ALIKE and matcher.quick_ratio() >= _ALIKE:
            scores.append((_ratio(other, key), place))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < _ALIKE:
        return []
    best = [place for score, place in scores if score >= scores[0][0]]
    keys = index.keys("whitespace")
    if len(best) > _COPIES or any(keys[place] != keys[best[0]] for place in best):
        return []
    return sorted(best)


def _gap_alignment(
    index: LineIndex,
    edit: LineEdit,
    first: int,
    last: int,
    levels: Sequence[str],
    anchors: dict[int, int] | None = None,
) -> tuple[tuple[int, int], list[Opcode]] | None:
    """The span of file lines `first`..`last` that the quoted lines stand for, and the
    opcodes pairing them, when every quoted line pairs with one there (see `_aligned`),
    each of `anchors` (quoted line: file line) with its own."""
    for level in levels:
        ops = _align([_KEY[level](line) for line in edit.old], index.keys(level)[first:last])
        matched = [(i1, i2, f1, f2) for tag, i1, i2, f1, f2 in ops if tag == "equal"]
        if not matched:
            continue
        # Quoted lines before the first match and after the last (misquoted ones) pair with
        # as many file lines there, or else with a line left out beside them.
        edges = matched[0][0] > 0 or matched[-1][1] < len(edit.old)
        for slack in (0, 1) if edges else (0,):
            low = max(0, first + matched[0][2] - matched[0][0] - slack)
            high = first + matched[-1][3] + len(edit.old) - matched[-1][1] + slack
            high = min(len(index.lines), high)
            ops = _aligned(index, edit, low, high, levels)
            paired = _pairing(edit, index.contents[low:high], ops)
            if None in paired:
                continue
            spots = [spot for spot in paired if spot is not None]
            low, high = low + min(spots), low + max(spots) + 1
            ops = _aligned(index, edit, low, high, levels)
            paired = _pairing(edit, index.contents[low:high], ops)
            if None not in paired and all(
                low + paired[k] == place  # type: ignore[operator]
                for k, place in (anchors or {}).items()
            ):
                return (low, high), ops
    return None


def _aligned(
    index: LineIndex,
    edit: LineEdit,
    first: int,
    last: int,
    levels: Sequence[str] = _PAIRING_LEVELS,
) -> list[Opcode]:
    """Opcodes pairing the quoted lines with file lines `first`..`last`.

    Lines are paired with their indentation first, so that of several "}" lines the one
    at the quoted depth is taken; only if that leaves a quoted line unpaired (the quote's
    indentation is off) are they paired up to whitespace.
    """
    window = index.contents[first:last]
    for level in levels:
        key = _KEY[level]
        ops = _align([key(line) for line in edit.old], index.keys(level)[first:last])
        if None not in _pairing(edit, window, ops):
            break
    return ops


def _voted_starts(index: LineIndex, wanted: list[str]) -> list[int]:
    """Window starts proposed by the wanted lines found (up to whitespace) in the file.

    A window similar enough to count has most of its lines equal to the wanted ones, so
    each such line votes for the start it implies; starts with at least half the most votes
    are scored, those of rare lines first: a blank line or a lone brace votes for
    thousands of starts, and would crowd out the one its telling neighbours agree on.
    """
    places = index.places("whitespace")
    votes: dict[int, int] = {}
    weight: dict[int, float] = {}
    for offset, line in enumerate(wanted):
        found = places.get(line, [])[:_MAX_PLACES]
        for place in found:
            votes[place - offset] = votes.get(place - offset, 0) + 1
            weight[place - offset] = weight.get(place - offset, 0.0) + 1 / len(found)
    if not votes:
        return []
    top = max(votes.values())
    kept = sorted(
        (start for start in votes if votes[start] * 2 >= top),
        key=lambda start: (-weight[start], start),
    )
    if len(kept) <= _MAX_STARTS:
        return kept
    # Starts as well voted as the last one scored are scored too: cut by their order in
    # the file, a misquoted `return` between a blank line and a `}` was read at the 7th
    # of validator's 78 such places and never seen at the last, where its @@ line was.
    last = weight[kept[_MAX_STARTS - 1]]
    tied = [start for start in kept if weight[start] >= last]
    if len(tied) <= _MAX_TIED:
        return tied
    if weight[kept[0]] == last:  # only lines found everywhere voted: no place stands out
        return []
    return kept[:_MAX_STARTS]  # (the weakly voted rest, below the places that stand out)


class _ByLines:
    """A long quote (normalised lines, past `LINE_CHECKED` characters) compared with
    windows line by line, which costs a fraction of comparing their characters."""

    def __init__(self, wanted: list[str]) -> None:
        self.wanted = wanted
        self.long = sum(map(len, wanted)) > LINE_CHECKED
        self.matcher = SequenceMatcher(None, autojunk=False)
        self.matcher.set_seq2(wanted)

    def unlike(self, window: list[str]) -> bool:
        """Whether the window has too few lines equal to the quote's to be a copy of it
        with a few mistakes (never, for a short quote: the finer tests decide)."""
        if not self.long:
            return False
        self.matcher.set_seq1(window)
        return self.matcher.quick_ratio() < _LINE_FLOOR or self.matcher.ratio() < _LINE_FLOOR

    def ratio(self, window: list[str]) -> float:
        """The texts' character ratio taken on the lines difflib pairs: equal lines count
        whole, and in each run of differing lines the lines are compared by characters one
        against one, in order. difflib's own ratio starts the same way where equal lines
        are the longest common runs; on a 233-line quote with a hundred windows it took
        11 s, and a run of a few hundred differing lines as one text takes seconds."""
        self.matcher.set_seq1(window)  # opcodes' i: the window's lines, j: the quote's
        return _paired_ratio(self.wanted, window, self.matcher.get_opcodes())


def _paired_ratio(wanted: Sequence[str], window: Sequence[str], ops: Sequence[Opcode]) -> float:
    """The texts' character ratio taken on the lines `ops` pair (i: the window's, j: the
    quote's): equal lines count whole, and in each run of differing lines the lines are
    compared by characters one against one, in order."""
    matched = 0  # characters, each line with its line break
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            matched += sum(len(line) + 1 for line in window[i1:i2])
        elif tag == "replace":
            pairs = zip(wanted[j1:j2], window[i1:i2], strict=False)  # extras: none
            matched += sum(_common(mine, theirs) + 1 for mine, theirs in pairs)
    total = sum(map(len, wanted)) + sum(map(len, window)) + len(wanted) + len(window)
    return 2 * matched / total if total else 1.0


def _common(a: str, b: str) -> int:
    """Characters difflib finds two lines have in common (none for lines too long to
    compare so: a minified line against another). Past `_LINE_CHARS`, difflib sees only
    what lies between their common start and end, or nothing more when that is still long:
    it is quadratic (1.6 s for two 9,000-character lines of a search index)."""
    if len(a) + len(b) > LONG:
        return 0
    if len(a) + len(b) <= _LINE_CHARS:
        blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
        return sum(block.size for block in blocks)
    head = len(commonprefix([a, b]))
    tail = len(commonprefix([a[head:][::-1], b[head:][::-1]]))
    rest_a, rest_b = a[head : len(a) - tail], b[head : len(b) - tail]
    if len(rest_a) + len(rest_b) > _LINE_CHARS:
        return head + tail
    return head + tail + _common(rest_a, rest_b)


def ratio_by_lines(wanted: list[str], window: list[str]) -> float:
    """A long text's character ratio with another, taken on the lines they share (`_ByLines`)."""
    return _ByLines(wanted).ratio(window)


def _windows_near(start: int, height: int, size: int) -> list[tuple[int, int]]:
    """(first line, height) of the windows around `start`, one line taller or shorter."""
    windows = []
    for first in (start - 1, start, start + 1):
        for tall in (height - 1, height, height + 1):
            if tall >= 1 and first >= 0 and first + tall <= size:
                windows.append((first, tall))
    return windows


def _align(wanted: list[str], window: list[str]) -> list[Opcode]:
    """difflib opcodes pairing the wanted lines with the window's (normalised) lines.

    difflib pairs a run of equal lines (blank ones) from its start, so a quoted run one
    shorter than the file's, with a line left out before it, loses its last line; aligned
    from the end too, the alignment that pairs more lines is taken. And it pairs the
    longest run of equal lines first, wherever that stands: in a run of identical lines
    (zstd's expected output, one message six times) a quote with one misquoted line was
    paired a line off, and read as leaving a line out. Of two alignments that pair as many
    equal lines, the one that leaves fewer quoted lines without a file line in their
    place is taken: simple_form's README, `MIT ...`, the logo line misquoted, a blank line
    removed, quoted without the blank line between the two, was paired from the start with
    that blank line, the logo line with none. A window as tall as the quote is paired line
    by line in place too, which is taken when it pairs as many equal lines.
    """
    forward: list[Opcode] = list(
        SequenceMatcher(None, wanted, window, autojunk=False).get_opcodes()
    )
    if all(tag == "equal" or tag == "insert" for tag, *_ in forward):
        return forward
    backward = SequenceMatcher(None, wanted[::-1], window[::-1], autojunk=False).get_opcodes()
    n, m = len(wanted), len(window)
    mirrored: list[Opcode] = [
        (tag, n - i2, n - i1, m - j2, m - j1) for tag, i1, i2, j1, j2 in backward[::-1]
    ]
    best = max(forward, mirrored, key=_align_score)  # (the first of equals: forward)
    if n == m:
        in_place = _in_place(wanted, window)
        if _equal_count(in_place) >= _equal_count(best):
            return in_place
    return best


def _in_place(wanted: Sequence[str], window: Sequence[str]) -> list[Opcode]:
    """Opcodes pairing each line with the one in its place (sequences as long)."""
    ops: list[Opcode] = []
    for i, (mine, theirs) in enumerate(zip(wanted, window, strict=True)):
        tag = "equal" if mine == theirs else "replace"
        if ops and ops[-1][0] == tag:
            ops[-1] = (tag, ops[-1][1], i + 1, ops[-1][3], i + 1)
        else:
            ops.append((tag, i, i + 1, i, i + 1))
    return ops


def _in_place_ratio(wanted: Sequence[str], window: Sequence[str]) -> float:
    """The character ratio of two texts, each line compared with the one in its place
    (`_align`: difflib's own can pair a run of identical lines a line off); 0 for texts of
    different heights."""
    if len(wanted) != len(window):
        return 0.0
    return _paired_ratio(wanted, window, _in_place(window, wanted))


def _equal_count(ops: Sequence[Opcode]) -> int:
    return sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")


def _align_score(ops: Sequence[Opcode]) -> tuple[int, int]:
    """Equal lines paired, then (fewer is better) quoted lines with no file line in their place."""
    return _equal_count(ops), -sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "delete")


def candidate(
    index: LineIndex,
    edit: LineEdit,
    start: int,
    end: int,
    similarity: float,
    ops: Sequence[Opcode],
    final_eol: bool | None,
) -> Candidate:
    """The candidate for `edit` at file lines `start`..`end`, aligned to them by `ops`."""
    paired = _pairing(edit, index.contents[start:end], ops)
    try:
        parts = _splice(index, start, end, edit, paired, similarity < 1.0)
    except _Refused as refused:
        return Candidate(
            start,
            end,
            similarity,
            None,
            str(refused),
            unsaid=refused.unsaid,
            left_out=refused.left_out,
        )
    return Candidate(start, end, similarity, _with_line_ends(index, start, end, parts, final_eol))


class _Refused(Exception):
    """The edit cannot be made at this place (the message says why); `unsaid`: only
    because a line it left out may stand on either side of its new lines; `left_out`: as
    it may have left out a line (see `Candidate`)."""

    def __init__(self, message: str, unsaid: bool = False, left_out: bool = False) -> None:
        super().__init__(message)
        self.unsaid = unsaid
        self.left_out = left_out


def _pairing(edit: LineEdit, window: list[str], ops: Sequence[Opcode]) -> list[int | None]:
    """For each of the model's old lines, the window line it stands for (None: not there).

    Equal lines pair up, and so do lines in runs as long on both sides that are alike (a
    misquoted line stands for the file's line in its place). In short runs with a line or
    two more in the file (a misquoted line next to one left out) a line pairs with the one
    it is most alike, in order, when no other there is as alike. A line is never taken for
    an unlike neighbour.
    """
    paired: list[int | None] = [None] * len(edit.old)
    for tag, i1, i2, f1, f2 in ops:
        if tag == "equal" or (tag == "replace" and i2 - i1 == f2 - f1):
            for offset in range(i2 - i1):
                if tag == "equal" or _alike(edit.old[i1 + offset], window[f1 + offset]):
                    paired[i1 + offset] = f1 + offset
        elif tag == "replace" and i2 - i1 <= _SHORT_RUN and 0 < f2 - f1 - (i2 - i1) <= 2:
            low = f1
            for number in range(i1, i2):
                place = _most_alike(edit.old[number], window, low, f2)
                if place is not None:
                    paired[number], low = place, place + 1
    return paired


def _most_alike(model: str, window: list[str], low: int, high: int) -> int | None:
    """The window line in `low`..`high` that `model` misquotes, if one is clearly it."""
    scores = sorted(
        ((_likeness(model, window[place]), place) for place in range(low, high)), reverse=True
    )
    if not scores or scores[0][0] < _ALIKE:
        return None
    if len(scores) > 1 and scores[1][0] >= scores[0][0]:
        return None
    return scores[0][1]


def _likeness(model: str, file: str) -> float:
    """How alike a model's line and a file line are (0 for lines too long to compare):
    difflib's ratio of the whitespace-normalised lines."""
    return _ratio(norm(model), norm(file))


def _ratio(a: str, b: str) -> float:
    """difflib's ratio of two lines, past `_LINE_CHARS` as `_common` takes it."""
    total = len(a) + len(b)
    return 2 * _common(a, b) / total if total else 1.0


def _alike(model: str, file: str) -> bool:
    """Whether a model's line is a misquote of the file's line (a typo, not another line)."""
    return _likeness(model, file) >= _ALIKE


def _splice(
    index: LineIndex,
    start: int,
    end: int,
    edit: LineEdit,
    paired: list[int | None],
    fuzzy: bool,
) -> list[tuple[str, str]]:
    """The (content, line end) pairs replacing the window: the model's change, the file's lines.

    Kept lines come from the file, removed ones must be in it, new ones are re-indented.
    File lines the model did not mention (a context line it left out) stay; new lines
    written right where such lines were left out could go on either side of them (the model
    may have dropped them before its new lines or after), so the edit is refused there.
    """
    window = index.lines[start:end]
    for number, place in enumerate(paired):
        if not edit.kept[number]:
            _check_removed(index, edit.old[number], None if place is None else start + place)
    _check_removed_runs(index, start, edit, paired)
    _refuse_shiftable_gaps(index, start, edit, paired)
    _refuse_closer_misquotes(index, start, edit, paired)
    _refuse_misdepths(index, start, edit, paired)
    if fuzzy:
        _refuse_open_edge(index, start, end, edit, paired)
        _refuse_unmarked_beside_new(edit, paired)
        _refuse_unpaired_standing_near(index, start, end, edit, paired)
    indenter = _Indenter(index, start, end, edit, paired, fuzzy)
    as_file = _trailing_as_file(edit, index.contents[start:end], paired)
    ends = {eol(line) for line in window if eol(line)}
    ending = next(iter(ends)) if len(ends) == 1 else index.newline
    out: list[tuple[str, str]] = []
    whence: list[tuple[str, int | None, bool]] = []  # each out line's kind, file line, cut
    cut = False  # whether a removed line stands between the last out line and the next
    cursor = 0
    for number in range(len(edit.old) + 1):
        place = paired[number] if number < len(edit.old) else len(window)
        new = [
            (as_file.get(line) or indenter.line(number, line), ending)
            for line in edit.inserts[number]
        ]
        gap = [] if place is None else [(content(x), eol(x)) for x in window[cursor:place]]
        if new and gap:
            raise _Refused(_beside_left_out(new, gap, start + cursor, len(gap)), unsaid=True)
        if new:
            _refuse_unplaced_new(index, start, edit, len(window), paired, number)
        for k in range(len(gap)):
            whence.append(("left out", start + cursor + k, cut and k == 0))
        whence.extend(("new", None, cut and k == 0) for k in range(len(new)))  # (no gap)
        cut = cut and not (gap or new)
        out.extend(gap + new)
        if place is not None and number < len(edit.old):
            if edit.kept[number]:
                out.append((content(window[place]), eol(window[place])))
                whence.append(("kept", start + place, cut))
            cut = not edit.kept[number]
            cursor = place + 1
    _refuse_copies_met(out, whence, edit.restated)
    if edit.restated:
        placed = [start + place for place in paired if place is not None] or [start]
        _refuse_rewritten_left_out(out, whence, range(min(placed) + 1, max(placed)))
    return _ends_as_window(window, out) if len(ends) > 1 and edit.restated else out


def _beside_left_out(
    new: list[tuple[str, str]], gap: list[tuple[str, str]], first: int, count: int
) -> str:
    """Why new lines written right where the quote leaves out file lines are refused. New
    lines reading like those left out are no way out: the model either quoted the lines
    without them and wrote them in its new text (the file should have them once), or left
    them out of its context and adds copies (twice); the edit does not say which."""
    where = _lines(first, first + count)
    if _texts(new + gap) != _texts(gap + new):
        return (
            f"it adds {_quote(new)} where the file has {where} that it leaves out, so on "
            "which side of those the new lines belong is unclear"
        )
    return (
        f"it adds {_quote(new)} right where the file has the same text ({where}) that it "
        "leaves out, so whether the file should have that text once or twice is unclear"
    )


_MOVE_REACH = 3
"""How near (in lines of the result) a new line must stand to a left-out line that reads
the same to read as that line moved: a copy further off is more likely new (espree's JSON
fixtures, go-spew's tests: new entries restating lines of the old ones)."""


def _refuse_copies_met(
    out: list[tuple[str, str]], whence: list[tuple[str, int | None, bool]], restated: bool
) -> None:
    """Refuses a result with a run of lines that read the same, among them a file line
    the quote leaves out and a new line, or (in a quote `restated` apart from its new
    text) lines that meet across removed ones. The model either quoted the run without
    that file line and wrote it again in its new text (the file should have it once), or
    added or kept a copy beside it (twice); the edit does not say which (ansible's
    `splitter.py`: a line left out of the quote, written in the replacement after the
    changed line above it, came out twice). Which lines a SEARCH/REPLACE keeps or adds is
    only a reading of its two sides, but a diff marks them: a kept or added blank line and
    a left-out one that meet where its '-' lines were all stay (doc2dash's pyproject.toml:
    a table's options removed, the blank line after them left out; cerberus's usage.rst:
    a section replaced by one that starts with a blank line, the one above left out).
    Two copies in a row, one quoted and one left out, are no such run: the quote keeps
    both."""
    start = 0
    for k in range(1, len(out) + 1):
        if k < len(out) and out[k][0].rstrip() == out[start][0].rstrip():
            continue
        run = whence[start:k]
        kinds = {kind for kind, _, _ in run}
        met = any(cut for _, _, cut in run[1:])  # (lines that meet across removed ones)
        shared = ("new" in kinds or met) if restated else ("new" in kinds and not met)
        if "left out" in kinds and shared:
            number = next(line for kind, line, _ in run if kind == "left out")
            assert number is not None
            what = _quote([out[start]]) if out[start][0].strip() else "a blank line"
            raise _Refused(
                f"{what} would stand {k - start} times in a row, one of them "
                f"{_lines(number, number + 1)} of the file, which it leaves out, so how many "
                "times the file should have that line is unclear",
                unsaid=True,
            )
        start = k


def _refuse_rewritten_left_out(
    out: list[tuple[str, str]], whence: list[tuple[str, int | None, bool]], inside: range
) -> None:
    """Refuses an old_string or SEARCH that left out a file line its new text writes: the
    model wrote its new side apart from the quote, so a line it has there is one it meant
    to have, once (it forgot it in the quote) or twice (a copy), and the edit does not
    say which. A new line with words within a few lines of the left-out one may be it
    moved (postcss's tests: `let result = ''` moved below the line its quote went on with,
    and the left-out one stayed too), and so may one with no kept line with words between
    them (`_touching_new`). Between the quoted lines (`inside`), lines without words count
    too, however far (Leaflet's DivIcon.js: the blank line before a call left out, the new
    text's blank line after it; GSL's `};`; a code fence); a loose window's lines past the
    quoted ones are no such lines: the quote never reached them. A diff's '+' line is new
    by its mark, so diffs are not asked (termenv's lint.yml: a `with:` added for a new
    step, the next step's left out)."""
    for k, (text, _) in enumerate(out):
        if whence[k][0] != "new" or not telling(text):
            continue
        for near in range(max(k - _MOVE_REACH, 0), min(k + _MOVE_REACH + 1, len(out))):
            if whence[near][0] == "left out" and out[near][0].rstrip() == text.rstrip():
                _refuse_restated(text, whence[near][1])
    for k, other in _touching_new(out, whence):
        _refuse_restated(out[k][0], whence[other][1])
    texts = [text.rstrip() for text, _ in out]
    left_out = {
        texts[k]: line
        for k, (kind, line, _) in enumerate(whence)
        if kind == "left out" and line in inside
    }
    for k, (kind, _, _) in enumerate(whence):
        if kind == "new" and texts[k] in left_out:
            _refuse_restated(out[k][0], left_out[texts[k]])


def _refuse_restated(text: str, number: int | None) -> None:
    """Refuse a new line that restates left-out file line `number`: moved, or a copy?"""
    assert number is not None
    what = repr(text.strip()) if text.strip() else "a blank line"
    raise _Refused(
        f"it adds {what} near {_lines(number, number + 1)}, which reads the same "
        "and which it leaves out, so whether it moves that line or adds a copy is unclear",
        unsaid=True,
    )


def _touching_new(
    out: list[tuple[str, str]], whence: list[tuple[str, int | None, bool]]
) -> Iterator[tuple[int, int]]:
    """Each new line with words and a left-out line that reads the same where no kept line
    with words stands between them, however far apart: nothing the quote kept says on
    which side of the left-out line the new lines go. textual's quote left out an `if
    animate:` that the new text wrote as the first of ten lines replacing the ones above
    it, miniz's left out an `endif()` that the new text wrote after new targets, past a
    blank line, and glm-lsp's own `new = [...]` came out twice around a kept `)`: the
    left-out lines stayed where they were. A kept line that closes their block does
    place them (`_closed_between`). (The kept lines with words cut the result into
    stretches, each looked at once.)"""
    start = 0
    for end in range(len(out) + 1):
        if end < len(out) and (whence[end][0] != "kept" or not telling(out[end][0])):
            continue
        stretch = range(start, end)
        left_out = {out[k][0].rstrip(): k for k in stretch if whence[k][0] == "left out"}
        if left_out:
            for k in stretch:
                text = out[k][0]
                if whence[k][0] == "new" and telling(text) and text.rstrip() in left_out:
                    other = left_out[text.rstrip()]
                    if not _closed_between(out, whence, k, other):
                        yield k, other
        start = end + 1


def _closed_between(
    out: list[tuple[str, str]], whence: list[tuple[str, int | None, bool]], a: int, b: int
) -> bool:
    """Whether a kept line between out lines `a` and `b`, which read the same, closes the
    block they stand in: it is shallower than they are (go-isatty's kept `}` after a
    function whose `return false` a diff left out, before a new function that returns
    false too)."""
    depth = len(indent_of(out[a][0]))
    low, high = sorted((a, b))
    return any(
        whence[k][0] == "kept" and out[k][0].strip() and len(indent_of(out[k][0])) < depth
        for k in range(low + 1, high)
    )


def _ends_as_window(window: list[str], out: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The replacement lines with the line ends of the window lines they line up with (up
    to whitespace), for a window that mixes CRLF and LF lines (AutoMapper's C# files). A
    re-indented line, or a blank line the edit keeps while removing another, would
    otherwise take the end of another line, and lines the edit keeps changed their ends.
    Not for a diff: a '+' line that restates a '-' line is a change of that line (git
    writes one whose CR went as a '-' and a '+' line), and its end is not the old one."""
    matcher = SequenceMatcher(
        None, [norm(line) for line in window], [norm(text) for text, _ in out], autojunk=False
    )
    ended = list(out)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            text, end = ended[block.b + k]
            ended[block.b + k] = (text, eol(window[block.a + k]) if end else end)
    return ended


def _trailing_as_file(
    edit: LineEdit, window: list[str], paired: list[int | None]
) -> dict[str, str]:
    """The file's line for each removed quoted line that has trailing whitespace the file's
    has not: a new line restating such a quote verbatim (a line the model moved, or kept
    where the alignment saw a new one) is written as the file has it, without it. A new
    line restating a kept line is another line like it (rapidjson's license headers: a
    new `// ` line beside a kept `//` quoted as `// `)."""
    table: dict[str, str] = {}
    clashes = set()
    for number, place in enumerate(paired):
        quoted = edit.old[number]
        if place is None or edit.kept[number] or not quoted.strip() or window[place] == quoted:
            continue  # (a blank line says nothing: there are blank lines everywhere)
        if window[place].rstrip() != quoted.rstrip() or len(window[place]) > len(quoted):
            continue  # (never adds trailing whitespace: the change may be taking it away)
        if table.setdefault(quoted, window[place]) != window[place]:
            clashes.add(quoted)
    return {quoted: line for quoted, line in table.items() if quoted not in clashes}


def _refuse_unplaced_new(
    index: LineIndex,
    start: int,
    edit: LineEdit,
    size: int,
    paired: list[int | None],
    number: int,
) -> None:
    """Refuses new lines written before old line `number` where their place is a guess:
    the context lines beside them must be in the file, each where only one file line
    could be it."""
    above = number - 1 if number > 0 else None
    below = number if number < len(edit.old) else None
    for neighbour, step in ((above, -1), (below, 1)):
        if neighbour is None or not edit.kept[neighbour]:
            continue
        place = paired[neighbour]
        if place is None:
            raise _Refused(
                f"its new lines go next to the line {edit.old[neighbour].strip()!r}, which is "
                "not in the file there, so where they belong is unclear"
            )
        _refuse_shiftable(index, start, size, paired, place, step, edit.old[neighbour])


def _refuse_shiftable(
    index: LineIndex,
    start: int,
    size: int,
    paired: list[int | None],
    place: int,
    step: int,
    quoted: str,
) -> None:
    """Refuse when the `quoted` context line at window line `place`, beside new lines, could
    as well be an equal file line beyond it (`step` away from the new lines: two blank
    lines, two "}" lines, one quoted): the line at `place` may be one the model left out,
    and the new lines' side of it is then a guess. An equal line that the model left out
    counts, unless the quote has the indentation of its own line and not that one's; so
    does one past the window that the quote matches better (to the indentation) than the
    line it was paired with."""
    used = {spot for spot in paired if spot is not None}
    lines = index.contents
    here = lines[start + place]
    other = place + step
    while 0 <= start + other < len(lines) and norm(lines[start + other]) == norm(here):
        inside = 0 <= other < size
        there = lines[start + other].rstrip()
        closer = quoted.rstrip() == there != here.rstrip()
        apart = quoted.rstrip() == here.rstrip() != there  # the quote's depth is its own
        if (inside and other not in used and not apart) or (not inside and closer):
            raise _Refused(
                f"its context line {quoted.strip()!r} also stands at line "
                f"{start + other + 1}, which it leaves out, so on which side of that line "
                "its new lines belong is unclear",
                unsaid=True,
            )
        other += step


def _refuse_closer_misquotes(
    index: LineIndex, start: int, edit: LineEdit, paired: list[int | None]
) -> None:
    """Refuse when a misquoted line is more like a file line next to the one it was taken
    for (`TLSv1_1` misquoted, paired with `TLSv1` above it): the model may have left out
    the line it was taken for, and meant its neighbour."""
    used = {start + place for place in paired if place is not None}
    for number, place in enumerate(paired):
        if place is None or norm(edit.old[number]) == norm(index.contents[start + place]):
            continue
        here = _likeness(edit.old[number], index.contents[start + place])
        for other in (start + place - 1, start + place + 1):
            if 0 <= other < len(index.lines) and other not in used:
                if _likeness(edit.old[number], index.contents[other]) > here:
                    raise _Refused(
                        f"its line {edit.old[number].strip()!r} is more like line {other + 1} "
                        f"than line {start + place + 1}, which it was taken for, so where it "
                        "belongs is unclear",
                        left_out=True,
                    )


def _refuse_misdepths(
    index: LineIndex, start: int, edit: LineEdit, paired: list[int | None]
) -> None:
    """Refuse when a quoted line was taken for a file line at another depth while the
    line beside that one is the quoted line to the indentation, in a quote whose other
    lines stand at their own depths (faraday's spec: `  end` and `end`, read as the
    `    end` and `  end` above the file's last `end`, with the `    end` the model left out
    beside its new lines). A quote shifted as a whole (dedented, in tabs) is not this."""
    quoted = [(n, p) for n, p in enumerate(paired) if p is not None and edit.old[n].strip()]
    off = [
        (n, p) for n, p in quoted if indent_of(edit.old[n]) != indent_of(index.contents[start + p])
    ]
    if not off or 2 * len(off) >= len(quoted):
        return
    used = {start + place for _, place in quoted}
    for number, place in off:
        line = edit.old[number].rstrip()
        for other in (start + place - 1, start + place + 1):
            if 0 <= other < len(index.lines) and other not in used:
                if index.contents[other].rstrip() == line:
                    raise _Refused(
                        f"its line {line.strip()!r} stands with its own indentation at line "
                        f"{other + 1}, beside line {start + place + 1}, which it was taken "
                        "for, so where it belongs is unclear",
                        left_out=True,
                    )


def _refuse_unmarked_beside_new(edit: LineEdit, paired: list[int | None]) -> None:
    """Refuse a diff read with a context line the file does not have there, beside its new
    lines (or in a row of lines equal to one beside them): the model may have meant it as
    a new line and left out its '+' (go-sqlite3: a `for` line quoted twice after a '+'
    line, where the file has it once)."""
    if edit.restated:
        return
    for number, place in enumerate(paired):
        if place is not None or not edit.kept[number]:
            continue
        low = high = number
        while low > 0 and edit.old[low - 1] == edit.old[number]:
            low -= 1
        while high + 1 < len(edit.old) and edit.old[high + 1] == edit.old[number]:
            high += 1
        if edit.inserts[low] or edit.inserts[high + 1]:
            raise _Refused(
                f"its context line {edit.old[number].strip()!r} is not in the file there, and "
                "stands beside its new lines, so it may be a new line left unmarked",
                unsaid=True,
            )


def _refuse_unpaired_standing_near(
    index: LineIndex, start: int, end: int, edit: LineEdit, paired: list[int | None]
) -> None:
    """Refuse a loose reading that passes over a quoted line which the file has, as
    written, a few lines off the place: the quote may be of those lines, in another order
    or at another place (jaraco.path's changelog: `1.1`, `===` quoted after the entry below
    them, read as the `1.0` section's heading misquoted, and the new section put inside
    `1.1`'s). Where it stands alone, not beside a line it is quoted with, it is a line of
    elsewhere (`_beside_as_quoted`). A line at the quote's edge is the business of the
    readings that widen the window to take it in."""
    keys = index.keys("whitespace")
    near = [*range(max(start - _BESIDE, 0), start), *range(end, min(end + _BESIDE, len(keys)))]
    placed = [number for number, place in enumerate(paired) if place is not None]
    for number, place in enumerate(paired):
        line = norm(edit.old[number])
        if place is not None or not edit.kept[number] or not any(c.isalnum() for c in line):
            continue
        if not placed or not placed[0] < number < placed[-1]:
            continue
        for other in near:
            if keys[other] == line and _beside_as_quoted(keys, edit, number, other):
                raise _Refused(
                    f"its line {edit.old[number].strip()!r} is not in the file there, but "
                    f"stands at line {other + 1}, near it, so where its lines belong is unclear"
                )


def _beside_as_quoted(keys: Sequence[str], edit: LineEdit, number: int, other: int) -> bool:
    """Whether old line `number` stands at file line `other` (`keys`: the file's lines
    whitespace-normalised) in a run of three quoted lines or more that read in order there
    too. A line there alone, or with only a brace beside it, is a line of elsewhere in the
    file (push_gem.yml's `permissions:` quoted among the steps of the job it heads,
    go-multierror's `t.Fatalf` above a test's last `}`)."""
    run = 1
    for step in (-1, 1):
        quoted, there = number + step, other + step
        while 0 <= quoted < len(edit.old) and 0 <= there < len(keys):
            if keys[there] != norm(edit.old[quoted]):
                break
            run, quoted, there = run + 1, quoted + step, there + step
    return run >= 3


def _refuse_open_edge(
    index: LineIndex, start: int, end: int, edit: LineEdit, paired: list[int | None]
) -> None:
    """Refuse a loose reading whose new lines border kept quoted lines, all copies of one
    line (blank lines), that stand in a row in the file up to the quote's edge, where the
    file has another past it: the quote may have left one of them out, on either side of
    the new lines (bottle's tests: three blank lines after a method, a hunk with a typo
    quoting two after its new lines). Copies the file has apart (a heading left out
    between two blank lines) are no such run, and new lines that are copies of the run's
    line read the same anywhere in it (envconfig's usage_test.go: a `{.Key}` line added to
    a run of eleven), nor is one that left its line out elsewhere (`_left_out_apart`)."""
    groups = [number for number, lines in enumerate(edit.inserts) if lines]
    places = [start + place for place in paired if place is not None]
    if not groups or len(places) != len(paired):
        return
    trailing, leading = range(groups[-1], len(edit.old)), range(groups[0])
    # (quoted lines, the new lines beside them, the file's lines they stand in and the one
    # past them)
    spans = []
    if trailing:
        new = edit.inserts[groups[-1]]
        spans.append((trailing, new, range(places[trailing[0]], end + 1), end))
    if leading:
        new = edit.inserts[groups[0]]
        spans.append((leading, new, range(start - 1, places[leading[-1]] + 1), start - 1))
    for numbers, new, run, beyond in spans:
        keys = {edit.old[number].rstrip() for number in numbers}
        if len(keys) != 1 or not all(edit.kept[number] for number in numbers):
            continue
        if run[0] < 0 or run[-1] >= len(index.lines) or _copies_of_run(index, run, new):
            continue
        if _left_out_apart(index, edit, start, run):
            continue
        if {index.contents[line].rstrip() for line in run} == keys:
            raise _Refused(
                f"its new lines border lines like {edit.old[numbers[0]].strip()!r} that "
                f"go on past it at line {beyond + 1}, so where among them the new lines "
                "belong is unclear",
                unsaid=True,
            )


def _copies_of_run(index: LineIndex, run: range, new: Sequence[str]) -> bool:
    """Whether the file's lines in `run` and the `new` lines are all one line, to the
    character: the file then reads the same wherever among them the new lines go."""
    copy = index.contents[run[0]]
    return all(line == copy for line in new) and all(index.contents[line] == copy for line in run)


def _check_removed_runs(
    index: LineIndex, start: int, edit: LineEdit, paired: list[int | None]
) -> None:
    """Refuse when two adjacent removed lines are apart in the file: what lies between is unsaid."""
    for number in range(1, len(edit.old)):
        above, below = paired[number - 1], paired[number]
        if edit.kept[number - 1] or edit.kept[number] or above is None or below is None:
            continue
        if below != above + 1:
            raise _Refused(
                f"it removes lines {start + above + 1} and {start + below + 1} as if they were "
                f"adjacent, but the file has {_lines(start + above + 1, start + below)} between "
                "them"
            )


def _refuse_shiftable_gaps(
    index: LineIndex, start: int, edit: LineEdit, paired: list[int | None]
) -> None:
    """Refuse when a file line the quote leaves out stands beside removed lines it could be
    taken for as well (blank beside blank, or the same line) that differ from it: the
    model may have left out any of them, and which one stays changes the file (pelican's
    generated page: three blank lines of other whitespace, two quoted stripped and
    removed, one left out). Copies to the character read the same either way."""
    placed = [(number, place) for number, place in enumerate(paired) if place is not None]
    for (above, low), (below, high) in pairwise(placed):
        if below != above + 1 or high - low < 2:
            continue
        for number, step, gap in ((below, 1, start + high - 1), (above, -1, start + low + 1)):
            run = _taken_for(index, start, edit, paired, number, step, gap)
            line = index.contents[gap]
            if any(
                not edit.kept[quoted] and index.contents[gap + step * (k + 1)] != line
                for k, quoted in enumerate(run)
            ):
                raise _Refused(
                    f"it leaves out line {gap + 1} beside lines it removes that read like it, "
                    "so which of those lines it removes is unclear"
                )


def _taken_for(
    index: LineIndex,
    start: int,
    edit: LineEdit,
    paired: list[int | None],
    number: int,
    step: int,
    gap: int,
) -> list[int]:
    """The quoted lines from `number` on in direction `step` that stand on the file lines
    next to left-out file line `gap`, one after another, and read it as well as their own
    (`_fit`)."""
    run: list[int] = []
    place = gap - start + step
    while 0 <= number < len(edit.old) and paired[number] == place:
        line = start + place
        model = edit.old[number]
        if not _again_at(index, gap, line) or _fit(model, index.contents[gap]) > _fit(
            model, index.contents[line]
        ):
            break
        run.append(number)
        number, place = number + step, place + step
    return run


def _fit(model: str, file: str) -> int:
    """How closely a quoted line reads a file line: the first level they are equal at
    (0: as written), past the last when they are not."""
    equal = [_KEY[level](model) == _KEY[level](file) for level in LEVELS]
    return equal.index(True) if True in equal else len(LEVELS)


def _texts(lines: list[tuple[str, str]]) -> list[str]:
    return [text for text, _ in lines]


def _quote(lines: list[tuple[str, str]]) -> str:
    """The first of `lines`, quoted, for a sentence (the rest counted)."""
    first = repr(lines[0][0].strip())
    return first if len(lines) == 1 else f"{first} and {len(lines) - 1} more lines"


def _lines(first: int, last: int) -> str:
    """Words for the 0-based file lines `first`..`last` (end excluded), 1-based."""
    return f"line {first + 1}" if last - first <= 1 else f"lines {first + 1}-{last}"


def _blank_evidence(blanks: dict[str, str], file_tabs: bool) -> list[Pair]:
    """Quoted whitespace-only lines written in the other character than the file's lines
    they stand for, which are in the file's own character, as pairs of lines at those
    depths: where no other quoted line is indented, they alone show how the model indents
    (vapor's Server.swift: a quote of unindented lines and a `\t` line, for a file
    indented by four spaces, and a new line `\timport Glibc`)."""
    return [
        (file + "x", model + "x")
        for model, file in blanks.items()
        if ("\t" in file) == file_tabs and ("\t" in model) != file_tabs
    ]


def _tabbed_beside_spaces(new: list[str], kept: list[str]) -> bool:
    """Whether every indented new line starts with a tab and no kept line does (vapor's
    Package.swift: a commit's new lines in tabs among lines in spaces): a hunk dedented by
    a column would have lost it from lines in spaces only."""
    indents = [indent_of(line) for line in new if line.strip() and indent_of(line)]
    return bool(indents) and all(indent.startswith("\t") for indent in indents) and not any(
        indent_of(line).startswith("\t") for line in kept
    )


def _replaced(edit: LineEdit, number: int) -> int | None:
    """The first old line of the removed run that the new lines before old line `number`
    replace: the run after them (SEARCH/REPLACE) or before them (a diff's '-' lines)."""
    if number < len(edit.old) and not edit.kept[number]:
        return number
    if number == 0 or edit.kept[number - 1]:
        return None
    while number > 0 and not edit.kept[number - 1]:
        number -= 1
    return number


def _changes_only_blank_lines(
    window: Sequence[str], edit: LineEdit, paired: list[int | None]
) -> bool:
    """Whether the edit, its new lines taken as written, leaves every line of the file
    with text as it was. A whole edit moved a level with its quote, whose change is the
    indentation itself (cJSON's LICENSE moved out two columns), restates each line at the
    file's depth: taken as written, the change vanishes."""
    result: list[str] = []
    for number, line in enumerate(edit.old):
        result.extend(edit.inserts[number])
        if edit.kept[number]:
            place = paired[number]
            result.append(window[place] if place is not None else line)
    result.extend(edit.inserts[len(edit.old)])
    text = [line.rstrip() for line in result if line.strip()]
    return bool(text) and text == [line.rstrip() for line in window if line.strip()]


class _Indenter:
    """Puts each new line at the file's indentation, by the mapping its quoted lines needed.

    New lines already written like the file are left alone. Otherwise one mapping that
    explains every matched line is used for all new lines. A loose (fuzzy) match needs such
    a mapping: lines that match only with different shifts there are more likely another
    place. Without one, each group of new lines follows the matched line it replaces, or the
    nearest one; when the nearest ones above and below disagree, are as near and neither is
    closer in indentation, the edit is refused.
    """

    def __init__(
        self,
        index: LineIndex,
        start: int,
        end: int,
        edit: LineEdit,
        paired: list[int | None],
        fuzzy: bool,
    ) -> None:
        window, indentation = index.contents[start:end], index.indentation
        self.edit = edit
        self.fuzzy = fuzzy
        self.paired = paired
        self.pairs: dict[int, Pair] = {
            number: (window[place], edit.old[number])
            for number, place in enumerate(paired)
            if place is not None and window[place].strip()
        }
        self.blanks = {
            edit.old[number]: window[place]
            for number, place in enumerate(paired)
            if place is not None and edit.old[number] and not window[place].strip()
        }
        matched = list(self.pairs.values())
        if not any(indent_of(file) or indent_of(model) for file, model in matched):
            matched += _blank_evidence(self.blanks, indentation.tabs)
        new = [line for group in edit.inserts for line in group]
        self.tab = tab_width(indentation, [*edit.old, *new])
        whole = tabs_written_as_spaces(matched, new) or (
            indent_transform(matched, self.tab) if matched else same
        )
        if not edit.restated and self._context_lost_its_prefix(new, index):
            whole = same  # (a hunk dedented by one space reads the same: see the method)
        if whole is None and fuzzy:
            raise _Refused(
                "its lines resemble the file's only loosely and their indentation differs from "
                "the file's by different amounts on different lines, so it may be another place"
            )
        # New lines written like the file stay as they are, also when no one mapping explains
        # the quote (a stray `  \t` line of a tab file): mapped line by line, tabs written
        # right would be rewritten in the quote's spaces.
        short_kept = sum(  # kept lines too short to recognise elsewhere, kept at the quote's depth
            edit.kept[number] and not telling(model) and indent_of(file) != indent_of(model)
            for number, (file, model) in self.pairs.items()
        )
        replacing = [
            (first, self.pairs[removed])
            for number, group in enumerate(edit.inserts)
            if (first := next((line for line in group if line.strip()), None)) is not None
            and (removed := _replaced(edit, number)) in self.pairs
        ]
        like_file = whole is not same and written_like_file(
            matched, new, edit.new_lines(), edit.restated, short_kept, replacing
        )
        if like_file is None:
            raise _Refused(
                "its lines stand a level deeper than the file's, and its new lines restate a "
                "quoted line at the file's depth but start at the quote's, so whether they "
                "were written like the file or moved out a level is unclear"
            )
        if like_file:
            moved = whole is not None and any(
                whole(line) not in (line, None) for line in new if line.strip()
            )
            if moved and _changes_only_blank_lines(window, edit, paired):
                raise _Refused(
                    "its lines are indented unlike the file's, and its new lines as written "
                    "would change only blank lines, where moved by the quote's indentation "
                    "they would re-indent the text, so how far to indent them is unclear"
                )
            whole = same
        self.whole = whole
        if whole is not None and whole is not same and indentation.tabs:
            step = tabs_doubled(edit.inserts, whole)
            if step is not None:
                raise _Refused(
                    f"its new lines step by {step} spaces a level, where its quote wrote a "
                    "tab in fewer, so whether their spaces are meant or stand for tabs is "
                    "unclear"
                )
        self.moved = _as_in_file({n: p for n, p in self.pairs.items() if not edit.kept[n]})
        pairs = list(self.pairs.values())
        self.drifted = _drifted(pairs, index.contents) if whole is not same else set()
        self.file_lines = index.contents
        # the slip's character, where the new lines write the file's indentation right,
        # and where at least the quote's other lines do
        written = {indent_of(line) for line in new if line.strip()}
        self.both = _written_both_ways(pairs, written) if whole is not same else None
        self.slipped = (
            _written_both_ways(pairs, written | _quoted_right(pairs)) if whole is not same else None
        )

    def _context_lost_its_prefix(self, new: list[str], index: LineIndex) -> bool:
        """A diff whose context lines were written without their leading space: each kept
        line is its file line less one space (an indented line, whose first space was read
        as the prefix) or the file line itself (an unindented one, read as context whole),
        and at least one is the former; each removed line (written with its '-') is its
        file line. The '+' lines were written with their prefix, so they stand as written,
        where a mapping learnt from the context would move them by a column. A hunk
        dedented by one space reads the same; its '+' lines are dedented too, so they are
        told apart by the depths of the new lines: first beside the file's lines that
        start as they do, where those stand at one of the two depths only (serilog's new
        `1.4.113` at the depth of `1.4.99`, not at a kept ` * #329` read a column out);
        then the shallowest at the file's depth of a kept line or at only the quote's; then
        the file's indentation step (4 in a file indented by fours; the kept lines' own
        grid where the file has none), which the new lines keep either as written or
        moved; where neither has a step and all is in spaces, nothing tells (refused);
        failing that, some at the file's depth of a kept line and none at only the
        quote's. (Kept lines all at one depth make that depth their grid: aiohttp's new
        tests after three lines of a method's body, eight deep. rspec's Gherkin aligns
        `And` at five under `Then` at four: a new `Given` at four is at the quote's depth
        of the `And` lines, and on the file's step of two.)"""
        kept: list[Pair] = []
        removed: list[Pair] = []
        for number, (file_line, model_line) in self.pairs.items():
            pair = (file_line.rstrip("\r\n"), model_line.rstrip("\r\n"))
            (kept if self.edit.kept[number] else removed).append(pair)
        if not any(file_line == " " + model_line for file_line, model_line in kept):
            return False
        if not all(file_line in (model_line, " " + model_line) for file_line, model_line in kept):
            return False
        if any(file_line != model_line for file_line, model_line in removed):
            return False
        if _tabbed_beside_spaces(new, [model_line for _, model_line in kept]):
            return True  # a column of spaces put before a tab is no dedent undone
        kin = _kin_say(new, index.contents)
        if kin is not None:
            return kin
        stepping = [pair for pair in kept if _steps(pair[1])]
        stepping_new = [line for line in new if _steps(line)]
        if stepping and stepping_new:  # comment lines compared only with comment lines
            kept, new = stepping, stepping_new
        in_file = {len(indent_of(file_line)) for file_line, _ in kept}
        in_quote = {len(indent_of(model_line)) for _, model_line in kept}
        depths = {len(indent_of(line)) for line in new if line.strip()}
        like_file, like_quote = depths & (in_file - in_quote), depths & (in_quote - in_file)
        base = min(depths, default=None)  # deeper new lines continue it (tornado's reST)
        if like_file and like_quote:
            # yajl's header: new comments at the quote's depth of a kept comment, new code
            # at the file's depth of kept code; moved or not, some land off their kind
            raise _Refused(
                "its context lines lost their first space while its new lines stand some at "
                "the file's depth of a context line and some at the quote's, so how far to "
                "indent them is unclear"
            )
        if base in like_file or base in like_quote:
            return base in like_file
        kept_depths = [len(indent_of(file_line)) for file_line, _ in kept]
        step = index.indentation.space_step or _grid(kept_depths)
        if step > 1:  # the file's indentation step, where it says
            as_written = all(depth % step == 0 for depth in depths)
            if as_written != all((depth + 1) % step == 0 for depth in depths):
                return as_written
        elif depths and not like_file and _in_spaces(new, index):
            # inflect's right-aligned table: no step in the file, none in the kept lines,
            # and a new line a column off the quote is no likelier than one on it
            raise _Refused(
                "its context lines read as lines that lost their first space and as a hunk "
                "written a column shallow, and the file has no indentation step to tell "
                "which, so whether its new lines stand as written or a column deeper is "
                "unclear"
            )
        # Else its mapping, as for any quote: refusing this place would leave the edit to
        # another copy of the lines, read at another depth.
        return bool(like_file) and not like_quote

    def line(self, number: int, line: str) -> str:
        """`line`, inserted before old line `number`, at the file's indentation."""
        if not line.strip():
            return self._blank(line)
        moved = self.moved.get(line)
        if moved is not None and not moved[1] & self._replaced_at(number):
            # a quoted line written again elsewhere: moved, not new, but never given
            # trailing whitespace the move may take away (kind-of's README: a line that
            # lost its two trailing spaces as it moved, the '-' line quoted without them)
            return moved[0].rstrip() + line[len(line.rstrip()) :]
        if indent_of(line) in self.drifted:
            return line
        transform = self.whole or self._nearest(number, line)
        result = transform(line)
        if result is None:
            raise _Refused(f"the new line {line.strip()!r} is indented less than the file allows")
        if result != line and self.both and _in_character(indent_of(line), self.both):
            if _stands_alone(indent_of(line), self.file_lines):
                return line
            raise _Refused(
                f"its new line {line.strip()!r} is indented in {_CHARACTERS[self.both]}, as its "
                "quote wrote some of the file's indentation by mistake, while other new lines "
                "are indented as the file is, so whether that indentation is meant is unclear"
            )
        if result != line and self.slipped and _in_character(indent_of(line), self.slipped):
            # miniz's header (spaces, a few declarations in tabs): one line's first four
            # spaces quoted as a tab, the next line's same 36 spaces right, and the new
            # declarations continued by a tab as the file's tab lines are. Where the file
            # has no such line (gofmt's), the mapping stands.
            if _stands_alone(indent_of(line), self.file_lines):
                return line
        if result != line and self._meant_as_written(indent_of(line), indent_of(result)):
            tabs = "\t" in indent_of(line)
            raise _Refused(
                f"its new line {line.strip()!r} is indented with {'tabs' if tabs else 'spaces'}"
                f", as its quote wrote the file's {'spaces' if tabs else 'tabs'} and as the file "
                "indents other lines, so whether that indentation is meant is unclear"
            )
        return result

    def _meant_as_written(self, written: str, mapped: str) -> bool:
        """Whether a new line's indentation, which the quote's mapping writes in the other
        character, also stands as written in the file: a file indented with tabs in some
        places and spaces in others (jaraco.stream's conf.py, a list in spaces and a dict
        in tabs; a quote with a tab for four spaces and a new line with a tab: the tab
        may be the quote's slip or the file's). A quote that writes two indented lines or
        more, all in the other character, is restyled, not slipped: the new lines are too
        (ruby/pstore's methods quoted a tab a level, for a file in twos that writes eight
        columns as a tab). So is one whose file writes tabs as columns, a tab and spaces
        on one line: its tabs are no level a model writes (ruby/ipaddr's tests, a tab
        for a test's two spaces)."""
        if not written or not mapped or ("\t" in written) == ("\t" in mapped):
            return False
        pairs = list(self.pairs.values())
        indented = sum(1 for file, model in pairs if indent_of(file) or indent_of(model))
        if indented >= 2 and in_other_character(pairs):
            return False
        if any(_tab_then_spaces(line) for line in self.file_lines):
            return False
        return _stands_alone(written, self.file_lines)

    def _blank(self, line: str) -> str:
        """A new line of whitespace only: as the file has the quoted line it restates, else
        moved by the quote's one mapping when written in the quote's character, the other
        than the file's lines' (a quote in tabs for a file in spaces writes its blank lines
        so too); else as written (a dedented quote often keeps its blank lines whole, and a
        tab-only line in a quote in spaces is the text's own: Moses' specs, a dedented
        quote of a file in spaces whose commit adds a `\t\t` line, made `  \t\t`; bitset's doc
        comment quoted at column 0 for a file in tabs, its commit's `    ` line made `\t    `;
        tidwall/pretty's test quoted two spaces out from a file in tabs, its raw string's lines
        of spaces only kept whole, where taking the two spaces off leaves spaces still)."""
        if line in self.blanks:
            return self.blanks[line]
        if not line or self.whole is None:
            return line
        file_tabs = uses_tabs([indent_of(file_line) for file_line, _ in self.pairs.values()])
        quoted = [indent_of(model) for _, model in self.pairs.values()]
        if not any(quoted):  # (a quote at column 0 writes neither character)
            return line
        if ("\t" in line) == file_tabs or ("\t" in line) != uses_tabs(quoted):
            return line
        moved = self.whole(line)
        if moved is None or (moved and ("\t" in moved) != file_tabs):
            return line  # moved, it would still not be written like the file: the text's own
        return moved

    def _replaced_at(self, number: int) -> set[int]:
        """The quoted lines removed around the place of new lines inserted before old line
        `number`: the lines these new lines replace in place."""
        kept, low, high = self.edit.kept, number, number
        while low > 0 and not kept[low - 1]:
            low -= 1
        while high < len(kept) and not kept[high]:
            high += 1
        return set(range(low, high))

    def _nearest(self, number: int, line: str) -> Transform:
        """The mapping of the matched line that new lines before old line `number` follow."""
        old, kept = self.edit.old, self.edit.kept
        for anchor in (number, number - 1):
            if 0 <= anchor < len(old) and not kept[anchor] and anchor in self.pairs:
                return pair_transform(list(self.pairs.values()), self.pairs[anchor], self.tab)
        pairs = list(self.pairs.values())
        transforms = [pair_transform(pairs, pair, self.tab) for pair in pairs]
        if len({transform(line) for transform in transforms}) == 1:
            return transforms[0]
        raise _Refused(
            "its indentation differs from the file's by different amounts on different "
            "lines, so the indentation of the new lines is unclear"
        )


def _drifted(pairs: list[Pair], file_lines: Sequence[str]) -> set[str]:
    """Indentations the quote gave some lines in place of the file's, while it wrote that
    same file indentation right on other lines, and which the file's own lines also have:
    a new line so indented is taken as written. tmux indents by tabs and continues a line
    four spaces in; a quote with one tab written as four spaces (and another tab kept)
    had its new continuation line, four spaces in as the file writes them, made a tab. A
    file without lines of that indentation (gofmt's) still has such new lines mapped."""
    exact = {indent_of(file) for file, model in pairs if indent_of(file) == indent_of(model)}
    slips = {
        indent_of(model)
        for file, model in pairs
        if indent_of(file) != indent_of(model) and indent_of(file) in exact
    }
    slips.discard("")  # a quote at the margin is a dedented one, repaired by the mapping
    return {indent for indent in slips if _stands_alone(indent, file_lines)}


_CHARACTERS = {"\t": "tabs", " ": "spaces"}


def _written_both_ways(pairs: list[Pair], written: set[str]) -> str | None:
    """The character ("\t" or " ") in which the quote wrote some of the file's
    indentation in the other one, where that file indentation is among the indentations
    `written` right: then new lines indented in the quote's character are not the same
    slip. go-toml's tests (tabs) quoted a `\t}` as four spaces, while the new test's lines
    were in tabs and its TOML in a raw string four spaces in: mapped as a tab, the TOML
    changed."""
    for file_line, model_line in pairs:
        file_indent, model_indent = indent_of(file_line), indent_of(model_line)
        if file_indent not in written:
            continue
        for character, other in ((" ", "\t"), ("\t", " ")):
            if character in model_indent and character not in file_indent and other in file_indent:
                return character  # (sjson's tests: `\t\t` quoted as four spaces and a tab)
    return None


def _quoted_right(pairs: list[Pair]) -> set[str]:
    """The file's indentations that the quote wrote exactly on some line."""
    return {
        indent_of(file_line)
        for file_line, model_line in pairs
        if model_line.strip() and indent_of(file_line) == indent_of(model_line)
    }


def _in_character(indent: str, character: str) -> bool:
    """Whether `indent` is written in `character` alone (tabs: with a tab first)."""
    return indent.startswith("\t") if character == "\t" else bool(indent) and "\t" not in indent


def _tab_then_spaces(line: str) -> bool:
    """Whether `line` is indented by tabs and then spaces (eight columns a tab, as Emacs
    writes Ruby and C)."""
    indent = indent_of(line)
    return "\t" in indent and indent.endswith(" ") and bool(line.strip())


def _stands_alone(indent: str, lines: Sequence[str]) -> bool:
    """Whether some line is indented by exactly `indent`, followed by text."""
    width = len(indent)
    return any(line.startswith(indent) and line[width : width + 1].strip() for line in lines)


def _as_in_file(pairs: dict[int, Pair]) -> dict[str, tuple[str, set[int]]]:
    """The model's quoted lines that differ from their file lines in whitespace only, each
    with the one file line it stands for and where it is quoted (`pairs`: the lines the
    edit removes; a kept line stays, so one like it among the new lines is another line,
    as ruby/pstore's new `\tbegin` beside a kept one quoted so). Written again among the
    new lines away from where it stands, such a line moves (undici's `const { headers } =
    this`, quoted with a tab, goes above an `if`): it takes the file's whitespace, as a
    kept line does, where mapping it as a new line would keep the model's tab. Written
    again in its own place it is a change of whitespace (telescope's), left to the mapping;
    so are lines without words, quotes of two different file lines, and lines only
    shifted (a quote dedented, or context lines that lost their space: tornado's reST has
    a '+' line one column less than the line it quotes, on purpose)."""
    found: dict[str, tuple[set[str], set[int]]] = {}
    for number, (file_line, model_line) in pairs.items():
        if norm(file_line) != norm(model_line) or not telling(model_line):
            continue
        if _shifted(file_line, model_line):
            continue  # only deeper or shallower: a mapping's business, not a slip's
        files, numbers = found.setdefault(model_line, (set(), set()))
        files.add(file_line)
        numbers.add(number)
    return {
        model: (next(iter(files)), numbers)
        for model, (files, numbers) in found.items()
        if len(files) == 1
    }


def _shifted(file_line: str, model_line: str) -> bool:
    """Whether two lines differ at most in how many of one indentation character lead
    them (equal lines included)."""
    file_indent, model_indent = indent_of(file_line), indent_of(model_line)
    return (
        file_line[len(file_indent) :] == model_line[len(model_indent) :]
        and len(set(file_indent + model_indent)) <= 1
    )


def _check_removed(index: LineIndex, line: str, place: int | None) -> None:
    """Refuse when a line the model removes is not the file's line at `place`."""
    if place is not None and norm(index.contents[place]) == norm(line):
        return
    where = "it is not in the file there"
    if place is not None:
        where = f"line {place + 1} of the file reads {index.contents[place].strip()!r}"
    raise _Refused(f"it removes the line {line.strip()!r}, but {where}")


def _with_line_ends(
    index: LineIndex, start: int, end: int, parts: list[tuple[str, str]], final_eol: bool | None
) -> tuple[str, ...]:
    """The replacement lines with line ends, keeping (or setting) the file's last line end."""
    at_end = end == len(index.lines) and end > 0
    last_end = eol(index.lines[end - 1]) if at_end else index.newline
    lines = []
    for number, (text, ending) in enumerate(parts):
        if number == len(parts) - 1 and at_end:
            if final_eol is False or (final_eol is None and not last_end):
                ending = ""
            else:
                ending = ending or index.newline
        else:
            ending = ending or index.newline
        lines.append(text + ending)
    return tuple(lines)


def _kin_say(new: list[str], file_lines: Sequence[str]) -> bool | None:
    """Whether new lines stand as written (True) or a column out (False), by the depths of
    the file's lines that start as each does (its first word, digits aside): those
    depths must hold one of the two and not the other, for every new line that has kin,
    and agree; None when nothing says."""
    wanted = {_first_word(line) for line in new if line.strip()}
    depths: dict[str, set[int]] = {}
    for line in file_lines:
        if line.strip() and (word := _first_word(line)) in wanted:
            depths.setdefault(word, set()).add(len(indent_of(line)))
    votes = set()
    for line in new:
        kin = depths.get(_first_word(line)) if line.strip() else None
        if kin:
            depth = len(indent_of(line))
            if (depth in kin) == (depth + 1 in kin):
                return None
            votes.add(depth in kin)
    return votes.pop() if len(votes) == 1 else None


def _first_word(line: str) -> str:
    return _DIGITS.sub("0", line.split(maxsplit=1)[0])


_DIGITS = re.compile(r"\d+")


def _grid(depths: list[int]) -> int:
    """The file's indentation step among these depths: the largest that four in five of
    the indented ones are on. A continuation aligned to a bracket (bleach's `['color',
    'float'])` at column 9 in a file indented by fours) is off the file's steps."""
    indented = [depth for depth in depths if depth]
    for step in range(max(indented, default=1), 1, -1):
        if sum(depth % step == 0 for depth in indented) * 5 >= len(indented) * 4:
            return step
    return 1


def _in_spaces(new: list[str], index: LineIndex) -> bool:
    """Whether the file and the new lines indent in spaces only: a column there is a
    column, where beside tabs it may be a level."""
    return not index.indentation.tabs and not any("\t" in indent_of(line) for line in new)


def _steps(line: str) -> bool:
    """Whether the line's indentation is on the file's steps: it has content, and it is not
    a block comment's inner line (` * text`, a column past its step)."""
    return bool(line.strip()) and not line.lstrip().startswith("*")
