"""String replacement: the semantics of the agent's ``edit_file`` tool and SEARCH/REPLACE.

The model names the text to change (`old_string`) and its replacement. A unique, exact
match is applied as it is. Failing that, the lines are looked for with growing tolerance
(trailing whitespace, then any whitespace and indentation, then a clearly winning fuzzy
window; see `glm_lsp.edits.locate`), because models copy text imperfectly and a refused
edit costs a round trip. Every level must find exactly one place: two places that match
equally are never guessed between, and nothing outside the matched lines ever changes.
When the edit is refused, the EditError message is written for the model (what failed, the
closest lines of the file with their line numbers, what to do) so it can retry at once.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from glm_lsp.edits.diff_lines import unmarked
from glm_lsp.edits.double_escaped import refuse_escaped_line_end, unescaped
from glm_lsp.edits.earlier import made_before
from glm_lsp.edits.elision import MARKER, refuse_elision
from glm_lsp.edits.indent import telling
from glm_lsp.edits.locate import (
    BOM,
    LEVELS,
    LINE_CHECKED,
    LONG,
    Candidate,
    Found,
    LineEdit,
    LineIndex,
    already_applied,
    bom_set_aside,
    contenders,
    content,
    deeper_copies,
    eol,
    find,
    gapped,
    in_open_run,
    may_have_lost_indentation,
    norm,
    past_a_line_elsewhere,
    ratio_by_lines,
    read_past_a_line,
    same_result,
    split_lf,
    uses_crlf,
    verbatim,
)
from glm_lsp.edits.mangled import Naming, unmangled
from glm_lsp.edits.numbered import without_numbers
from glm_lsp.edits.restated import refuse_restated
from glm_lsp.edits.textedits import line_starts, split_lines
from glm_lsp.errors import EditError

_MIN_SIMILARITY = 0.5
"""Below this, showing the "closest" lines misleads more than it helps."""
_CANDIDATES = 8
"""Windows compared character by character after the cheap line-by-line ranking."""
_PAIR_BUDGET = 100_000
"""Line pairs scored by trigrams before falling back to exact-line anchors (under a second)."""
_BLANK = 0.1
"""What a blank line matching a blank line adds to a window's rank: blank lines stand
everywhere, and windows that share only them crowded out the one with the typo'd line."""


@dataclass(frozen=True)
class Terms:
    """How error messages name the parts of an edit, in the words the model used."""

    old: str
    new: str
    sentence_old: str
    make_unique: str


TOOL_TERMS = Terms(
    old="old_string",
    new="new_string",
    sentence_old="old_string",
    make_unique="Include more surrounding lines in old_string to make it unique, or set "
    "replace_all=true to replace every occurrence.",
)
"""The edit_file tool's arguments."""

BLOCK_TERMS = Terms(
    old="the SEARCH section",
    new="the REPLACE section",
    sentence_old="The SEARCH section",
    make_unique="Include more surrounding lines in the SEARCH section to make it unique.",
)
"""The sections of a SEARCH/REPLACE block."""


@dataclass(frozen=True)
class _Candidate:
    """A run of file lines that resembles old_string."""

    first_line: int  # 1-based
    lines: list[str]
    similarity: float


def apply_edit(
    text: str,
    old_string: str,
    new_string: str,
    *,
    replace_all: bool = False,
    path: str = "",
    terms: Terms = TOOL_TERMS,
    whole_lines: bool = False,
    before: str | None = None,
) -> str:
    """Replace the one occurrence of `old_string` in `text` by `new_string`.

    An exact, unique occurrence is replaced as it is. Without one, whole lines equal up to
    whitespace, then a clearly best fuzzy window (see `glm_lsp.edits.locate`) are tried; at
    those levels the lines the model kept are written as the file has them and its new lines
    are re-indented to the file's indentation. With `replace_all`, every exact occurrence is
    replaced. With `whole_lines` (SEARCH/REPLACE blocks) `old_string` only ever matches
    whole lines; so does an `old_string` that ends a line and starts just after a line's
    indentation, since it is a whole-line edit that lost that indentation (matched as a
    substring, deleting it would glue the indentation onto the next line), and one that
    stops inside a line's indentation that `new_string` does not end with (the rest of that
    line would move). An edit whose result is already where it would go is refused, so it is
    never made twice. In a CRLF file, `old_string` and `new_string` written with LF are
    matched and written with CRLF so the file keeps its line endings. Raises EditError,
    addressed to the model, when the edit is missing or ambiguous; `terms` names the parts
    of the edit in its messages. A `new_string` that lost the line break its `old_string`
    ends with still ends its line (except at the file's end): gluing the next line onto it
    is never what was asked. Text that came back HTML-escaped or with typographic quotes is
    read as the model meant it, or refused (`glm_lsp.edits.mangled`); so is a `new_string`
    written as diff lines (`glm_lsp.edits.diff_lines`), and a tool argument escaped twice
    (`glm_lsp.edits.double_escaped`). `before` is the file as the task found it: an edit
    whose quote stands only there was written against it, and is made there and carried over
    the task's earlier edits (`glm_lsp.edits.earlier`).
    """
    if bom_set_aside(text, [old_string]):
        return BOM + apply_edit(
            text[len(BOM) :],
            old_string,
            new_string.removeprefix(BOM),
            replace_all=replace_all,
            path=path,
            terms=terms,
            whole_lines=whole_lines,
            before=None if before is None else before.removeprefix(BOM),
        )
    name = path or "the file"
    if not old_string:
        raise EditError(
            f"{terms.sentence_old} is empty; to edit {name} give the exact text to replace, "
            "or use create_file to write a whole new file."
        )
    if old_string == new_string:
        raise EditError(
            f"{terms.sentence_old} and {terms.new} are identical, so the edit would not "
            f"change {name}; give the new text in {terms.new}."
        )
    what = f"The edit to {name}"
    if before is not None and not replace_all:

        def make(base: str) -> str:
            return apply_edit(
                base, old_string, new_string, path=path, terms=terms, whole_lines=whole_lines
            )

        merged = made_before(text, before, old_string, make, what, terms.old)
        if merged is not None:
            return merged
    naming = Naming(what, terms.old, terms.new)
    twice = unescaped(text, old_string, new_string)
    if twice is not None:  # a tool argument JSON-escaped twice: "\n" for its line breaks
        old_string, new_string = twice
    else:
        refuse_escaped_line_end(old_string, new_string, naming)
    old_string, new_string = unmangled(text, old_string, new_string, path, naming)
    numbered = without_numbers(text, old_string, new_string)
    if numbered is not None:  # lines copied with read_file's numbers, from where they stand
        old_string, new_string = numbered
    new_string = unmarked(text, old_string, new_string, naming, path)
    refuse_elision(old_string, new_string, path, what, terms.new, terms.old)
    old, new = _in_file_line_endings(text, old_string, new_string)
    if replace_all and old in text:
        return text.replace(old, new)
    starts = [] if whole_lines else _occurrences(text, old)
    if len(starts) > 1:
        breaks = line_starts(text)
        numbers = [bisect.bisect_right(breaks, start) for start in starts]
        raise EditError(_not_unique_message(numbers, name, terms, count=len(starts)))
    if not starts:
        return _apply_lines(text, old_string, new_string, name, terms)
    start = starts[0]
    indent = _lost_indentation(text, start, old)
    blank_first = old.startswith(("\n", "\r\n")) and old.endswith("\n")
    if blank_first and start and text[start - 1] != "\n" and not indent:
        # Blank lines quoted first, found only by reading the first as the line break of
        # the line before: a run one blank shorter than quoted (node-gyp's, its change
        # made) would lose one more. As whole lines the quote is placed, or refused. (After
        # a line of whitespace only, the quote's first line is that line: see below.)
        return _apply_lines(text, old_string, new_string, name, terms)
    if indent:
        if _left_out_elsewhere(text, old_string, new_string):
            return _apply_lines(text, old_string, new_string, name, terms)  # both readings
        whole_old, whole_new = _with_indentation(indent, old_string, new_string)
        return _apply_lines(text, whole_old, whole_new, name, terms)
    if _starts_inside_a_line_it_quotes_whole(text, start, old):
        return _apply_lines(text, old_string, new_string, name, terms)
    if _stops_in_an_indentation(text, start + len(old), old, new):
        try:
            return _apply_lines(text, old_string, new_string, name, terms)
        except EditError:
            number = text.count("\n", 0, start + len(old))
            line = content(split_lf(text)[number]).strip()
            raise EditError(
                f"{terms.sentence_old} ends in the indentation of line {number + 1} of {name} "
                f"({line!r}), and {terms.new} does not end with the same whitespace, so the "
                "rest of that line would move; end both with whole lines and send the edit "
                "again."
            ) from None
    ending = new  # (the file may end as it does: without a line break)
    if old.endswith("\n") and new and not new.endswith("\n") and start + len(old) < len(text):
        new += "\r\n" if old.endswith("\r\n") else "\n"  # whole lines: not a join
    if old in new and (
        _applied_over(text, new, start, start + len(old)) or _ends_text(text, ending, start)
    ):
        raise EditError(applied_message(bisect.bisect_right(line_starts(text), start), name, terms))
    if old.endswith("\n") and (start == 0 or text[start - 1] == "\n"):  # whole lines
        first = text.count("\n", 0, start)
        lines, quoted = split_lf(text), split_lf(old)
        quoted_lines = [content(line) for line in quoted]
        if may_have_lost_indentation(quoted_lines):  # most edits: no index of the whole file
            if deeper_copies(LineIndex(text), quoted_lines, [first]):
                return _apply_lines(text, old_string, new_string, name, terms)  # 2 places
        refuse_restated(lines, first, first + len(quoted), quoted, split_lf(new), what, terms.new)
        refuse_open_run(lines, first, first + len(quoted), LineEdit.between(old, new), name, terms)
    return text[:start] + new + text[start + len(old) :]


def refuse_open_run(
    lines: Sequence[str], start: int, end: int, edit: LineEdit, name: str, terms: Terms
) -> None:
    """Refuse a deletion placed at `start`..`end` that reads alike made or not
    (`locate.in_open_run`), unless what it removes is blank lines: a run of those is
    shortened as quoted (a blank line too many, removed once more, changes no code, where
    refusing would turn away most edits that tidy blank lines). Public for the diff
    applier, which refuses so too unless the hunk's @@ line names the place."""
    if in_open_run(lines, start, end, edit):
        copy = next(line for line, kept in zip(edit.old, edit.kept, strict=True) if not kept)
        if not copy.strip():
            return
        raise EditError(
            f"{terms.sentence_old} removes a {copy.strip()!r} line from a run of them that "
            f"goes on past its quoted lines in {name}, so {name} reads alike whether the "
            "change is already made or not, and it was not applied. Quote the line before "
            "the run (or the one after it) too, so that the run's length is known."
        )


def _lost_indentation(text: str, start: int, old: str) -> str:
    """The indentation `old` lost: it ends a line and starts right after that indentation."""
    line_start = text.rfind("\n", 0, start) + 1
    indent = text[line_start:start]
    return indent if old.endswith("\n") and indent and not indent.strip() else ""


def _left_out_elsewhere(text: str, old_string: str, new_string: str) -> bool:
    """Whether quoted lines that say little (fewer than two with words), found only after a
    line's indentation, also stand as written elsewhere with one file line left out
    between two of them: copied from mid-line, or a line left out? (copystructure's
    walker: `}`, a blank line, `return nil`, `}` stood after an inner block's `\t}`, and
    as written around a method whose first line the quote left out and its new text
    wrote; read as copied from mid-line, the new methods went inside the one before.)
    Quoted lines that start with indentation of their own were not copied from after a
    line's indentation, but found inside it: their words tell nothing of that (ruby/rinda's
    tests: `  end`, a blank line, a `5.times` loop, found after two of an inner `    end`'s
    four spaces, and as written around the `def` line the quote left out)."""
    lines = [content(line) for line in split_lf(old_string)]
    if len(lines) < 2 or (sum(map(telling, lines)) >= 2 and not old_string[:1].isspace()):
        return False
    edit = LineEdit.between(old_string, new_string)
    final_eol = _final_eol(old_string, new_string)
    found = gapped(LineIndex(text), edit, final_eol, levels=("trailing whitespace",))
    return found is not None and bool(found.candidates)


def _starts_inside_a_line_it_quotes_whole(text: str, start: int, old: str) -> bool:
    """Whether `old` spans lines, is found only starting inside a file line, and its first
    line is a whole line of the file: the model quoted that line, not the end of another
    (mustache.js's example: `1`, then `1.1.1` with `1.1` left out, was found as the last
    `1` of `1.1` and its line break, and `1.1` came out twice). It is then placed, or
    refused, as whole lines. A blank line after the first counts as a line it spans
    (jaraco.fabric's changelog: `3.2` and a blank line, its `===` left out, was found as
    the end of `fab distro_install:3.2`, and the new release went into that sentence)."""
    body = old.removesuffix("\n").removesuffix("\r")
    if start == 0 or text[start - 1] == "\n" or "\n" not in body:
        return False
    first = old[: old.index("\n") + 1]
    return text.startswith(first) or f"\n{first}" in text


def _stops_in_an_indentation(text: str, end: int, old: str, new: str) -> bool:
    """Whether `old` spans lines and stops inside the indentation of a line with text, and
    `new` does not end with the same whitespace: as a substring the rest of that line would
    change its depth, so the quote's last line is read as a line of its own, placed or
    refused as whole lines (wheel's test.py, which ends with a line of four spaces: a quote
    of two lines and that one, the `assert` between them left out of it but written in the
    new text, was found ending in the `assert` line's indentation, which went, and the
    file kept a second `assert` at column 0). A refusal then says where the quote stopped,
    not the whole-line reading's "was not found": the model's text was found."""
    tail = old[old.rfind("\n") + 1 :]
    if "\n" not in old or not tail or tail.strip() or new[new.rfind("\n") + 1 :] == tail:
        return False
    line_end = text.find("\n", end)
    return bool(text[end : len(text) if line_end < 0 else line_end].strip())


def _with_indentation(indent: str, old: str, new: str) -> tuple[str, str]:
    """The whole-line edit that `old` -> `new` stands for, given the indentation `old` lost.

    When `old` is one line, nothing says how the model indented the rest, so the whole of
    `new` is taken to be dedented with it. When `old` has more lines, they matched the file
    as they are: only the first line of each side was cut short.
    """
    if old.count("\n") > 1:
        return indent + old, (indent + new) if new else new
    lines = split_lf(new)
    return indent + old, "".join(indent + line if line.strip() else line for line in lines)


def _applied_over(text: str, new: str, start: int, end: int) -> bool:
    """Whether `new` already stands over `start`..`end`, the place the edit would change."""
    return any(place <= start and end <= place + len(new) for place in _occurrences(text, new))


def _ends_text(text: str, new: str, start: int) -> bool:
    """Whether `new` ends `text` from `start` or before on: a `new_string` without a final
    line break stands so once made (fill-range's .gitignore: `*.DS_Store` and `mm.*` after
    it, the file's last line; quoted `*.DS_Store` with its line break, `mm.*` was added
    again)."""
    return text.endswith(new) and len(text) - len(new) <= start


def _apply_lines(text: str, old_string: str, new_string: str, name: str, terms: Terms) -> str:
    """The edit made on whole lines found with tolerance, or EditError saying why not."""
    index = LineIndex(text)
    edit = LineEdit.between(old_string, new_string)
    final_eol = _final_eol(old_string, new_string)
    found = find(index, edit, final_eol)
    best = contenders(found, index) if found else []
    unplaced = not best or (len(best) == 1 and best[0].lines is None)
    extra = None
    if unplaced and already_applied(index, edit, found, final_eol=final_eol) is None:
        extra = _with_a_line_more(index, edit, found, old_string, name, terms, final_eol)
    if extra is None:
        _refuse_unplaceable(index, edit, found, best, old_string, name, terms, final_eol=final_eol)
    chosen = extra or best[0]
    assert chosen.lines is not None
    if extra is None:
        refuse_past_a_line_elsewhere(index, edit, found, chosen, name, terms)
        _refuse_unclear_copy(index, edit, (old_string, new_string), chosen, name, terms)
    refuse_open_run(index.lines, chosen.start, chosen.end, edit, name, terms)
    what = f"The edit to {name}"
    refuse_restated(index.lines, chosen.start, chosen.end, edit.old, chosen.lines, what, terms.new)
    result = index.replace(chosen.start, chosen.end, chosen.lines)
    if result == text:
        raise EditError(applied_message(chosen.start + 1, name, terms))
    return result


def _refuse_unclear_copy(
    index: LineIndex,
    edit: LineEdit,
    strings: tuple[str, str],
    chosen: Candidate,
    name: str,
    terms: Terms,
) -> None:
    """Raise EditError when the result depends on which quoted lines the new side is read
    to keep: difflib reads that from the first lines on, and its reading from the last
    ones back is as good a guess. A line quoted more than once, whose copies stand for
    file lines that differ, is the usual cause (ruby/pstore: a whitespace-drifted quote
    wrote the file's `    end` and `\tend` both as `\tend`, and the new side's one
    `\tend` was read as the copy of the wrong one; go-logfmt: a quote with `return err`
    twice). A result that reads the same both ways does not depend on it."""
    other = LineEdit.between(*strings, backward=True)
    if other == edit or chosen.lines is None:
        return
    found = find(index, other, _final_eol(*strings))
    for candidate in contenders(found, index) if found else []:
        if (candidate.start, candidate.end) != (chosen.start, chosen.end):
            continue
        if candidate.lines is None or candidate.lines == chosen.lines:
            return
        ours, theirs = next(
            ((a, b) for a, b in zip(chosen.lines, candidate.lines, strict=False) if a != b),
            ("".join(chosen.lines), "".join(candidate.lines)),  # (one only has more lines)
        )
        raise EditError(
            f"The edit to {name} was not applied: which of the lines of "
            f"{terms.old} {terms.new} keeps can be read two ways, with different "
            f"results (a line comes out as {content(ours)!r} one way and {content(theirs)!r} "
            f"the other), so what it means is unclear. Write {terms.old} as the "
            "file has those lines."
        )


def _with_a_line_more(
    index: LineIndex,
    edit: LineEdit,
    found: Found | None,
    old_string: str,
    name: str,
    terms: Terms,
    final_eol: bool | None,
) -> Candidate | None:
    """The edit's one place when it quotes, and keeps, a line the file does not have there
    (`read_past_a_line`). The model wrote the line as one it keeps, so the result does not
    have it either."""

    def place(number: int, shorter: LineEdit, exact: Found) -> Candidate | None:
        best = contenders(exact, index)
        try:
            _refuse_unplaceable(
                index, shorter, exact, best, old_string, name, terms, final_eol=final_eol
            )
        except EditError:
            return None  # (a reading refused, as already made or as standing twice)
        return best[0]

    return read_past_a_line(index, edit, final_eol, found, place)


def refuse_past_a_line_elsewhere(
    index: LineIndex,
    edit: LineEdit,
    found: Found | None,
    chosen: Candidate,
    name: str,
    terms: Terms,
    expected: int | None = None,
) -> None:
    """Refuse an edit placed only by a loose reading (a misquoted or left-out line) when,
    without one of its quoted lines, the rest stands as written elsewhere: each reading
    has one mistake, and which one the model made is a guess, unless the loose one is
    where the hunk's @@ line says (`expected`, 0-based)."""
    if found is None or found.level in LEVELS or chosen.start == expected:
        return
    past = past_a_line_elsewhere(index, edit, chosen)
    if past is not None:
        number, start = past
        raise EditError(
            f"{terms.sentence_old} matches {name} at {_span(chosen.start + 1, chosen.end).lower()} "
            f"only loosely, and at line {start + 1} as written but for its line "
            f"{edit.old[number].strip()!r}, which the file does not have there, so which place "
            "it means is unclear. Copy the lines exactly as they are in the file."
        )


def _final_eol(old_string: str, new_string: str) -> bool | None:
    """Whether the file must end with a line break when the edit reaches its end.

    A new_string ending with a line break where old_string had none asks for one, and the
    reverse asks to drop it; otherwise the file keeps what it has.
    """
    if new_string.endswith("\n") == old_string.endswith("\n"):
        return None
    return new_string.endswith("\n")


def _refuse_unplaceable(
    index: LineIndex,
    edit: LineEdit,
    found: Found | None,
    best: list[Candidate],
    old_string: str,
    name: str,
    terms: Terms,
    *,
    final_eol: bool | None,
) -> None:
    """Raise the EditError that says why the edit has no single place, if it has none.
    `final_eol` is the final line end the edit asks for (`_final_eol`): a result that
    lacks it is not yet made."""
    applied = already_applied(index, edit, found, final_eol=final_eol)
    if applied is not None:
        raise EditError(applied_message(applied + 1, name, terms))
    if not best or best[0].lines is None and len(best) == 1:
        copies = copies_message(index, edit, name, terms, final_eol=final_eol)
        if copies is not None:
            raise EditError(copies)
    if len(best) == 1 and best[0].lines is None and best[0].problem:
        raise EditError(loose_message(best[0], terms.sentence_old, name))
    if not best or best[0].lines is None and len(best) == 1:
        raise EditError(not_found_message(index.text, old_string, name, terms))
    if len(best) > 1:
        assert found is not None
        if found.level == "exact":
            raise EditError(_not_unique_message([place.start + 1 for place in best], name, terms))
        copies = copies_message(index, edit, name, terms, final_eol=final_eol)
        raise EditError(copies or ambiguous_message(index, best, found.level, name, terms))


def loose_message(place: Candidate, what: str, name: str) -> str:
    """Tell the model its lines were found only loosely, and why the edit cannot go there.

    Public for the diff applier, which words the same refusal for a hunk.
    """
    return (
        f"{what} matches lines {place.start + 1}-{place.end} of {name} only loosely, and "
        f"{place.problem}; copy the lines exactly as they are in the file, with the lines "
        "between them."
    )


def match_line_endings(reference: str, text: str) -> str:
    """`text` with its line breaks written in `reference`'s style (CRLF or LF).

    Models write LF. A whole-file rewrite of a CRLF file would otherwise show every line
    as changed and mix line endings in the user's file. A `reference` without line
    breaks says nothing, so `text` is returned as it is.
    """
    if "\n" not in reference:
        return text
    return _to_crlf(text) if uses_crlf(reference) else _to_lf(text)


def _in_file_line_endings(text: str, old: str, new: str) -> tuple[str, str]:
    """The (old, new) pair to use in `text`, written with the file's line breaks.

    Models write LF whatever the file uses; matching their LF against a CRLF file (and the
    reverse) and writing `new` in the file's style keeps its line endings consistent. An
    `old` with line breaks that stands as written has the file's own line breaks there,
    and `new` takes those; where they mix (AutoMapper's TypePair.cs, CRLF on some lines),
    the model copied each one, and `new` is written as it wrote it: its lines' breaks,
    the kept ones' and any it changed (hapi's commits make CRLF lines LF), are meant.
    """
    if "\n" in old and old in text:
        ends = {eol(line) for line in split_lf(old) if eol(line)}
        if len(ends) > 1:
            return old, new
        return old, _to_crlf(new) if ends == {"\r\n"} else _to_lf(new)
    convert = _to_crlf if uses_crlf(text) else _to_lf
    converted = convert(old)
    if converted in text:
        return converted, convert(new)
    if old in text:
        return old, convert(new)
    return old, new


def _to_crlf(text: str) -> str:
    """`text` with every LF (or CRLF) line break written as CRLF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _to_lf(text: str) -> str:
    """`text` with every CRLF line break written as LF."""
    return text.replace("\r\n", "\n")


def _occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every occurrence of `needle`, overlapping ones included.

    "a\na\n" occurs twice in "a\na\na\n" (lines 1-2 and 2-3): counting only the
    non-overlapping ones, as str.replace does, would call that ambiguous edit unique.
    """
    starts: list[int] = []
    index = text.find(needle)
    while index != -1:
        starts.append(index)
        index = text.find(needle, index + 1)
    return starts


def _not_unique_message(
    numbers: list[int], name: str, terms: Terms, count: int | None = None
) -> str:
    """Tell the model where the duplicates are (1-based lines) and how to disambiguate."""
    lines = ", ".join(str(number) for number in dict.fromkeys(numbers))
    return (
        f"{terms.sentence_old} matches {count or len(numbers)} places in {name} (starting at lines "
        f"{lines}); it must match exactly one. {terms.make_unique}"
    )


def applied_message(line: int, name: str, terms: Terms) -> str:
    """Tell the model its edit is already made, so it was not made a second time.

    Public for the diff applier, which words the same refusal for a hunk.
    """
    return (
        f"The edit is already in {name}: the text it makes already stands at line {line}, "
        f"where {terms.old} would go, so it was not applied a second time. Read the file "
        "again and change only what is still missing."
    )


def ambiguous_message(
    index: LineIndex, places: list[Candidate], level: str, name: str, terms: Terms
) -> str:
    """Tell the model its text matches several places only when read leniently.

    Public for the diff applier, which words the same refusal for a hunk.
    """
    if level != "fuzzy":
        lines = ", ".join(str(place.start + 1) for place in places)
        return (
            f"{terms.sentence_old} does not match {name} exactly, and ignoring whitespace it "
            f"matches {len(places)} places (starting at lines {lines}); it must match exactly "
            f"one. Copy the lines exactly as they are in the file, with enough surrounding "
            f"lines to make {terms.old} unique."
        )
    best, rival = places[0], places[1]
    shown = _Candidate(best.start + 1, index.lines[best.start : best.end], best.similarity)
    return (
        f"{terms.sentence_old} was not found in {name}; {terms.old} must match the file "
        f"exactly, including whitespace, indentation and blank lines.\n"
        f"{_describe(shown, '', terms)}\n"
        f"{_span(rival.start + 1, rival.end)} are almost as similar ({rival.similarity:.0%}), "
        "so neither place was changed; include the lines that tell them apart."
    )


def _span(first: int, last: int) -> str:
    """The words for 1-based lines `first`..`last`: "Line 4" or "Lines 4-9"."""
    return f"Line {first}" if last <= first else f"Lines {first}-{last}"


def copies_message(
    index: LineIndex, edit: LineEdit, name: str, terms: Terms, *, final_eol: bool | None
) -> str | None:
    """Tell the model its lines stand at several places, each with a line of the file left
    out between them, when that is why no place was taken; None when they do not.

    Public for the diff applier, which words the same refusal for a hunk. A quote that
    left out a line of a block that stands several times reads at every copy: "was not
    found" would send the model looking for a typo it did not make, when what it needs is
    context that tells the copies apart.
    """
    places_of = index.places("whitespace")
    if not all(norm(line) in places_of for line in edit.old):
        return None  # (a quote with a line found nowhere stands nowhere verbatim; cheap)
    found = gapped(index, edit, final_eol)
    places: list[Candidate] = []
    for option in found.candidates if found else ():
        if option.lines is None or not verbatim(index, edit, option):
            continue
        if not any(same_result(index, option, place) for place in places):
            places.append(option)
    if len(places) < 2:
        return None
    places.sort(key=lambda place: place.start)
    spans = [f"{place.start + 1}-{place.end}" for place in places]
    listed = ", ".join(spans[:-1]) + f" and {spans[-1]}"
    one = all(place.end - place.start == len(edit.old) + 1 for place in places)
    left_out = "a line of the file" if one else "lines of the file"
    return (
        f"{terms.sentence_old} stands at {len(places)} places in {name} (lines {listed}), "
        f"each time with {left_out} left out between its lines, so which one it means is "
        "unclear; add context lines that tell these places apart."
    )


def not_found_message(text: str, old_string: str, name: str, terms: Terms) -> str:
    """Tell the model its old_string is absent and show the closest lines of the file.

    Public for the diff applier, which words the same refusal for a hunk.
    """
    message = (
        f"{terms.sentence_old} was not found in {name}; {terms.old} must match the file "
        "exactly, including whitespace, indentation and blank lines."
    )
    in_file = set(map(str.strip, text.splitlines()))
    quoted = old_string.splitlines()
    elided = [line for line in quoted if MARKER.match(line) and line.strip() not in in_file]
    if elided:  # (the model abridged its quote, as it may abridge a replacement)
        message += (
            f" Its line {elided[0].strip()!r} reads as lines left out: {terms.old} must quote "
            "every line it replaces, in full."
        )
    candidate = _closest_lines(text, old_string)
    if candidate is None:
        return message + " No similar lines were found; read the file again to see its text."
    return f"{message}\n{_describe(candidate, old_string, terms)}"


def _describe(candidate: _Candidate, old_string: str, terms: Terms) -> str:
    """The did-you-mean part: the closest lines, numbered, and how they differ."""
    first = candidate.first_line
    last = first + len(candidate.lines) - 1
    span = f"line {last}" if last == first else f"lines {first}-{last}"
    hint = ""
    if _squash(candidate.lines) == _squash(split_lines(old_string)):
        hint = f" They differ from {terms.old} only in whitespace or indentation."
    # Rounded down: lines a character off are never "100% similar" to the quote.
    percent = math.floor(candidate.similarity * 100)
    width = len(str(last))
    numbered = "\n".join(
        f"{number:>{width}} | {_content(line)}"
        for number, line in enumerate(candidate.lines, candidate.first_line)
    )
    return (
        f"Did you mean {span} ({percent}% similar)?{hint}\n{numbered}\n"
        "Copy the lines exactly as they are in the file (without the line numbers and "
        f"the ' | ') into {terms.old} and try again."
    )


def _content(line: str) -> str:
    """A line without its line break."""
    return line.rstrip("\r\n")


def _squash(lines: list[str]) -> str:
    """The lines with all whitespace removed, to detect whitespace-only differences."""
    return "".join("".join(line.split()) for line in lines)


def _closest_lines(text: str, old_string: str) -> _Candidate | None:
    """The window of file lines, as tall as old_string, that is most similar to it.

    A cheap line-by-line score picks a few likely windows, and only those are compared
    character by character: comparing every window that way takes seconds on a large file.
    A long old_string is compared on the lines it shares with the window (one character
    ratio of it as a whole takes a second), which is all a refusal needs to point at the
    place.
    """
    if len(old_string) > LONG:
        return None  # too long to compare by characters in reasonable time
    file_lines = split_lines(text)
    if not file_lines:
        return None
    contents = [_content(line) for line in file_lines]
    wanted = [_content(line) for line in split_lines(old_string)]
    height = min(len(wanted), len(contents))
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2("\n".join(wanted))
    best: _Candidate | None = None
    for first in _likely_starts(contents, wanted[:height]):
        if len(old_string) > LINE_CHECKED:
            ratio = ratio_by_lines(wanted[:height], contents[first : first + height])
        else:
            window = "\n".join(contents[first : first + height])
            if len(window) > 2 * LONG:
                continue
            matcher.set_seq1(window)
            floor = best.similarity if best else _MIN_SIMILARITY
            if matcher.real_quick_ratio() <= floor or matcher.quick_ratio() <= floor:
                continue  # upper bounds of ratio(): this window cannot do better
            ratio = matcher.ratio()
        if ratio >= _MIN_SIMILARITY and (best is None or ratio > best.similarity):
            best = _Candidate(first + 1, file_lines[first : first + height], ratio)
    return best


def _likely_starts(contents: list[str], wanted: list[str]) -> list[int]:
    """The first lines of the windows most likely to resemble `wanted`, best first.

    Each window scores the trigram similarity of its lines with the wanted lines in the
    same place, each weighed by the wanted line's trigrams, as the character ratio that
    follows weighs it (a `)` line alike in every window outweighed the one long line
    misquoted); past a work budget, only lines equal up to whitespace count.
    """
    height = len(wanted)
    count = len(contents) - height + 1
    if count * height > _PAIR_BUDGET:
        scores = _anchor_scores(contents, wanted)
    else:
        mine = [_trigrams(line) for line in contents]
        theirs = [_trigrams(line) for line in wanted]
        weights = [max(len(grams), 1) for grams in theirs]
        scores = [
            sum(_jaccard(mine[first + k], theirs[k]) * weights[k] for k in range(height))
            for first in range(count)
        ]
    ranked = sorted(range(count), key=lambda first: -scores[first])
    return [first for first in ranked[:_CANDIDATES] if scores[first] > 0]


def _anchor_scores(contents: list[str], wanted: list[str]) -> list[float]:
    """Per window, how many of its lines equal the wanted line in the same place (sans spaces)."""
    count = len(contents) - len(wanted) + 1
    places: dict[str, list[int]] = {}
    for k, line in enumerate(wanted):
        places.setdefault(_squash([line]), []).append(k)
    scores = [0.0] * count
    for index, line in enumerate(contents):
        for k in places.get(_squash([line]), ()):
            if 0 <= index - k < count:
                scores[index - k] += 1 if line.strip() else _BLANK
    return scores


def _trigrams(line: str) -> frozenset[str]:
    """The character trigrams of a line with its whitespace collapsed."""
    text = " ".join(line.split())
    if len(text) < 3:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + 3] for i in range(len(text) - 2))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Similarity of two trigram sets; two blank lines are alike only by `_BLANK`."""
    if not a and not b:
        return _BLANK
    common = len(a & b)
    return common / (len(a) + len(b) - common)
