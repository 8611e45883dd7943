"""New text written as diff lines.

A model that thinks in diffs sometimes fills a REPLACE section or new_string with one:
its kept lines marked " " (or, beside "+" lines, not marked), its old lines "-" and its
new lines "+" (or only its new lines, each marked "+"). Written as it came, that puts
"-" and "+" lines into the file. What tells such text apart from new text whose lines
really start so: its kept lines and its "-" lines are, in order, exactly the quote; then
its kept and "+" lines are the new text. Short of that, where the quote has no line
starting with "+" (an rst underline of them aside), or has some but the "+" lines stand
nowhere in the file as written and one of them is such a quoted line marked again (an
rst grid table's borders), new text that is nothing but "+" lines loses its marks when,
without them, it starts at the quote's indentation or its least indentation is the
quote's; other text with "+" lines is refused with a sentence, since nothing says what it
meant, unless the file has lines starting with "+" (a list, a patch; not an underline)
and may well have more, or the lines are list items ("+ item") in prose. A ruler of "+" written as
the quote has it may be kept or marked: text of nothing but such lines is taken as
written.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TypeAlias

from glm_lsp.edits.locate import split_lf
from glm_lsp.edits.mangled import Naming
from glm_lsp.errors import EditError

_HEADER = re.compile(r"@@ .*@@")
_BULLET = re.compile(r"\+ \S")
_LISTS = frozenset(".md .markdown .mdx .rst .txt .adoc .asciidoc .org .textile".split())
"""Where a new list of `+ item` lines is ordinary: prose, not code (PHPMailer's doc block
` * @package`, every new line marked '+', went into a PHP file as `+ * @package`)."""
_PLUS_LINE = re.compile(r"^\+(?!\+*+[ \t]*$)", re.M)
"""A line starting with '+' (a list's, a patch's), other than a ruler of them (rst)."""
_RULER = re.compile(r"\++[ \t]*\r?\n?$")
_WORDS = 4
"""Letters a line needs to say, by standing in the file, how the model writes."""
_BORDER = re.compile(r"\+(?:[-=]+\+)+[ \t]*\r?\n?$")
"""A border of an rst grid table: `+-----+----+`, `+=====+====+`."""

_MOST_PLACES = 16
"""Places in the quote that a diff's lines may have reached at once, read both ways."""

_Lines: TypeAlias = "tuple[_Lines, str] | None"
"""New lines read so far, the last first (shared by the readings that part later)."""


def unmarked(file_text: str, old: str, new: str, naming: Naming, path: str = "") -> str:
    """`new` without diff marks when it is a diff of `old` (see the module), else as it is;
    `path` tells prose, where lines may be list items, from code. Text that stands in the
    file as written is taken so: it is the edit already made (rubyzip's .gitignore has
    `+samples/*.zip`, committed with its mark)."""
    if new in file_text:
        return new
    lines = [line for line in split_lf(new) if not _HEADER.match(line)]
    marks = {line[0] for line in lines if line.strip()}
    whole = marks <= {" ", "+", "-"}  # every line marked, none left out
    quoted = split_lf(old)
    as_diff = _new_side(lines, quoted, file_text) if marks & {"+", "-"} else None
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
    if not whole or "+" not in marks:
        return new
    added = [_split(line)[1] for line in lines]
    if _PLUS_LINE.search(old) and not _marked_quote(lines, added, quoted, file_text):
        if _remarked(lines, added, quoted, file_text):
            raise EditError(
                f"{naming.what} puts '+' before every line of {naming.new}; without it, each "
                f"line starts with the same mark ('+', '-' or ' ') as the {naming.old} line "
                "in its place. Read as diff marks, they change those lines; read as text, "
                f"they add a '+' to each. Write {naming.new} as the exact lines the file "
                "should have, and send the edit again."
            )
        if marks == {"+"} and _stray_pluses(lines, added, quoted, file_text):
            return "".join(added)
        if _unlike_the_files_items(lines, quoted, file_text):
            raise EditError(
                f"{naming.what} puts '+' before new lines of {naming.new} that, unlike the "
                "file's own lines starting with '+', are no '+ ' list items; read as diff "
                "marks they add lines, read as text they add lines starting with '+'. Write "
                f"{naming.new} as the exact lines the file should have, and send the edit "
                "again."
            )
        return new  # a list, a patch file: lines may well start so
    if _quoted_rulers(lines, quoted) == [line for line in lines if line.strip()]:
        return new  # the quote's own lines: some removed, none marked
    if marks == {"+"} and _indented_alike(added, quoted):
        return "".join(added)
    if _PLUS_LINE.search(file_text):
        return new
    listed = all(_BULLET.match(line) for line in lines if line.strip())
    if listed and PurePosixPath(path).suffix.lower() in _LISTS | {""}:
        return new
    raise EditError(
        f"{naming.what} writes {naming.new} as diff lines (starting with '+', '-' or ' ') "
        f"that are not a diff of {naming.old}; write {naming.new} as the new text itself, "
        "without diff marks, and send the edit again."
    )


def _quoted_rulers(lines: list[str], quoted: list[str]) -> list[str]:
    """The lines that are a ruler of '+' (an underline, a front matter's `+++`) as the
    quote writes it. Such a line may be the quoted one kept, or a new line one '+' shorter
    marked: echo's docs, a front matter line removed before its closing `+++`, written
    `+++` alone, lost a '+'. When every line is the quote's own, none is marked; beside
    lines marked '+' it reads as marked too (libuv's guide: a new heading's underline,
    marked, is the quoted underline as written)."""
    own = {line.rstrip() for line in quoted}
    return [line for line in lines if _RULER.match(line) and line.rstrip() in own]


def _marked_quote(lines: list[str], added: list[str], quoted: list[str], file_text: str) -> bool:
    """Whether '+' lines are new text marked, though the quote has lines that start with '+'
    (an rst grid table's borders): every line is marked, none as written stands in the
    file, and a quoted line that starts with '+' is among them marked once more (werkzeug's
    README: table rows moved, written `+| 0.11 |` and `++----+`, went into the file so),
    or the lines the marks leave starting with '+' are a grid table's borders, as every
    such line of the file is (pip-tools' README: a table given a column, `++----+----+`)."""
    if any(not line.startswith("+") for line in lines if line.strip()):
        return False
    if _any_in_file(lines, file_text):
        return False
    marked = {line.rstrip("\r\n") for line in quoted if _PLUS_LINE.match(line)}
    if any(line.rstrip("\r\n") in marked for line in added):
        return True
    borders = [line for line in added if line.startswith("+")]
    in_file = [line for line in split_lf(file_text) if _PLUS_LINE.match(line)]
    return bool(borders) and all(_BORDER.match(line) for line in borders + in_file)


def _stray_pluses(lines: list[str], added: list[str], quoted: list[str], file_text: str) -> bool:
    """Whether new lines all marked '+' are new text marked, though the quote has lines
    that start with '+': the lines are no list items, none stands in the file as written,
    without their marks they start at the quote's indentation, and either one of them is
    a quoted line that does not start with '+' (mapstructure's mapstructure.go: a patch's
    '+' lines committed by mistake, the fix's every line marked, went in so) or the
    file's lines that start with '+' are strays, none next to another (a list or a patch
    has them in runs, and a patch has @@ lines too; socket.io's ca.key: a new key,
    every line marked, replacing one whose base64 has two lines that start with '+')."""
    if any(_BULLET.match(line) for line in lines) or _any_in_file(lines, file_text):
        return False
    if not _indented_alike(added, quoted):
        return False
    plain = {line.rstrip("\r\n") for line in quoted if line.strip() and line[0] != "+"}
    if any(line.rstrip("\r\n") in plain for line in added):
        return True
    filed = split_lf(file_text)
    starts = [bool(_PLUS_LINE.match(line)) for line in filed]
    return not any(map(bool.__and__, starts, starts[1:])) and not any(map(_HEADER.match, filed))


def _unlike_the_files_items(lines: list[str], quoted: list[str], file_text: str) -> bool:
    """Whether the file's lines that start with '+' are all list items (`+ item`) while a
    new line (not a quoted one) starts with '+' but is none: coverage.py's TODO.txt ticks
    items off with `+ `, and new lines `+* 3.1`, `+- bit` below two quoted items were those
    lines marked, not new text (read as text, `+- bit` went in)."""
    own = [line for line in split_lf(file_text) if _PLUS_LINE.match(line)]
    if not own or not all(_BULLET.match(line) for line in own):
        return False
    kept = {line.rstrip() for line in quoted}
    return any(
        _PLUS_LINE.match(line) and not _BULLET.match(line)
        for line in lines
        if line.rstrip() not in kept
    )


def _any_in_file(lines: list[str], file_text: str) -> bool:
    """Whether one of the (not blank) lines stands in the file as written."""
    filed = _file_lines(file_text)
    return any(line.rstrip("\r\n") in filed for line in lines if line.strip())


def _file_lines(file_text: str) -> set[str]:
    return {line.rstrip("\r\n") for line in split_lf(file_text)}


def _remarked(lines: list[str], added: list[str], quoted: list[str], file_text: str) -> bool:
    """Whether patch lines were each changed and marked '+' again: every line marked, none
    standing in the file as written, and without its mark each starts with the diff mark
    of the quoted line in its place (nnn's patch: `-\t\t: getopt(...)` and `+\t\t: ...`,
    each given an option, written `+-\t\t...` and `++\t\t...`, went in so)."""
    if len(added) != len(quoted) or any(not line.startswith("+") for line in lines):
        return False
    if _any_in_file(lines, file_text):
        return False
    pairs = list(zip(added, quoted, strict=True))
    marked = all(new[:1] == old[:1] and old[:1] in ("+", "-", " ") for new, old in pairs)
    return marked and any(new != old for new, old in pairs)


def _new_side(lines: list[str], quoted: list[str], file_text: str) -> list[str] | None:
    """The new text the lines stand for when they are a diff of the quoted lines (None
    otherwise): each kept line, its ' ' written or left out, and each '-' line is the next
    quoted line. Kept lines are taken as quoted: a whitespace-only line's first space may
    or may not have been its mark, and its trailing whitespace is the file's.

    A kept line left unmarked that itself starts with '+' (an rst underline `+++++`) reads
    as an added line too; it is read as kept only when no other reading is one, and in a
    diff that removes a quoted line, or where it is a grid table's border, or where every
    new line is marked again (`_marked_again`), or a ruler and the file has no other line
    starting with '+' (gunicorn's news: sections added around a kept `+++++++`; six's
    docs: a row and its border added, `+| ``_thread`` |` and `++----+`, below a kept
    `+----+`; a patch file's quoted `+new` followed by `+more` is no diff)."""
    strict = _readings(lines, quoted, plus_kept=False)
    if strict:
        return strict[0][0] if len(strict) == 1 else None
    lenient = [new for new, removes in _readings(lines, quoted, plus_kept=True) if removes]
    if not lenient:
        marked = _marked_again(lines, quoted) or _said_unmarked(lines, quoted, file_text)
        rulers = None if marked else not _PLUS_LINE.search(file_text)
        lenient = [new for new, _ in _readings(lines, quoted, plus_kept=True, rulers=rulers)]
    return lenient[0] if len(lenient) == 1 else None


def _said_unmarked(lines: list[str], quoted: list[str], file_text: str) -> bool:
    """Whether the '+' lines that are no quoted line are new text marked, though the file
    has lines starting with '+': none of them stands in the file as written, and one, its
    mark taken off, is a line of words the file has (pyupgrade's README, its rewrites in
    ```` ```diff ```` blocks: a section added after a block's kept `+lazy ...` line and
    fence, every new line marked; the file has `Availability:` lines, no
    `+Availability:`). A patch's new `+more` under a kept `+new` says no such thing."""
    added = _new_plus_lines(lines, quoted)
    if not added or _any_in_file([line for line in added if not _RULER.match(line)], file_text):
        return False
    filed = _file_lines(file_text)
    return any(
        sum(char.isalpha() for char in line) >= _WORDS and line[1:].rstrip("\r\n") in filed
        for line in added
    )


def _marked_again(lines: list[str], quoted: list[str]) -> bool:
    """Whether every '+' line that is no quoted line starts with '++': new lines of a file
    whose lines start with '+' themselves, marked (PromiseKit's header: Objective-C class
    methods `+ (PMKPromise *)PUT:...` added as `++ (PMKPromise *)PUT:...` between two
    kept ones left unmarked). A patch's new `+more` under a kept `+new` is not."""
    added = _new_plus_lines(lines, quoted)
    return bool(added) and all(line.startswith("++") for line in added)


def _new_plus_lines(lines: list[str], quoted: list[str]) -> list[str]:
    """The lines starting with '+' that are no quoted line."""
    own = {line.rstrip() for line in quoted}
    return [line for line in lines if line.startswith("+") and line.rstrip() not in own]


def _readings(
    lines: list[str], quoted: list[str], plus_kept: bool, rulers: bool | None = None
) -> list[tuple[list[str], bool]]:
    """The (new text, whether it removes a line) the lines read as, as a diff of the whole
    quote, two at most; a '+' line equal to the next quoted line may be that line kept when
    `plus_kept` (only a grid table's border, or a ruler of '+' when `rulers`, if `rulers`
    is given). Two ways to the same quoted line part at a line read as kept by one and as
    added by the other, so they never give the same text."""
    states: dict[int, list[tuple[_Lines, bool]]] = {0: [(None, False)]}  # by lines quoted
    for line in lines:
        mark, rest = _split(line)
        ruler = bool(_BORDER.match(line) or (rulers and _RULER.match(line)))
        keeps = plus_kept and (rulers is None or ruler)
        after: dict[int, list[tuple[_Lines, bool]]] = {}
        for used, readings in states.items():
            wanted = quoted[used] if used < len(quoted) else None
            for step, text, removes in _steps(mark, rest, line, wanted, keeps):
                ways = after.setdefault(used + step, [])
                for node, removed in readings[: 2 - len(ways)]:
                    ways.append((node if text is None else (node, text), removed or removes))
        if len(after) > _MOST_PLACES:
            return []  # (a quote of many `+` lines, each read both ways: no clear reading)
        states = after
    return [(_unlinked(node), removed) for node, removed in states.get(len(quoted), [])]


def _unlinked(node: _Lines) -> list[str]:
    lines: list[str] = []
    while node is not None:
        node, text = node
        lines.append(text)
    return lines[::-1]


def _steps(
    mark: str, rest: str, line: str, wanted: str | None, plus_kept: bool
) -> list[tuple[int, str | None, bool]]:
    """How one line may read: (quoted lines it uses, the new line or None, a removal)."""
    kept = wanted is not None and (
        line.rstrip() == wanted.rstrip() or (mark == " " and rest.rstrip() == wanted.rstrip())
    )
    if mark == "+":
        return [(0, rest, False)] + ([(1, wanted, False)] if kept and plus_kept else [])
    if wanted is None:
        return []
    if mark == "-" and rest.rstrip() == wanted.rstrip():
        return [(1, None, True)]
    return [(1, wanted, False)] if kept else []


def _split(line: str) -> tuple[str, str]:
    """A diff line's mark and text (an unmarked line, blank, is a kept one)."""
    return (line[0], line[1:]) if line[:1] in (" ", "+", "-") else (" ", line)


def _indented_alike(new: list[str], old: list[str]) -> bool:
    """Whether the new lines start at the quote's indentation, or reach as far left."""
    first, least = _indents(new), _indents(old)
    return bool(first and least) and (first[0] == least[0] or min(first) == min(least))


def _indents(lines: list[str]) -> list[int]:
    return [len(line) - len(line.lstrip()) for line in lines if line.strip()]
