"""Moving a model's new lines to the file's indentation.

When the lines a model quotes match the file only once whitespace is ignored, its new
lines are usually off by the same mistake: dedented with the snippet, or written in tabs
where the file has spaces. Each (file line, model line) pair that matched says how the
model's indentation maps onto the file's; the new lines follow that mapping. Two mistakes
must not be "repaired" into wrong code: new lines already written like the file (only the
quoted lines were off) are left alone, and a mapping that differs from line to line is
applied per line only where the nearest matched line leaves no doubt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

Transform = Callable[[str], "str | None"]
"""A model line at the file's indentation, or None when it cannot be placed (too shallow)."""
Pair = tuple[str, str]
"""A matched (file line, model line), both without line ends."""

_TAB_SIZES = (4, 8, 2)
"""Tab widths tried when the model's indentation differs from the file's in tabs/spaces."""


def same(line: str) -> str | None:
    """The identity transform: the line is already at the file's indentation."""
    return line


def indent_transform(pairs: Sequence[Pair], first_tab: int | None = None) -> Transform | None:
    """How to move a model's line to the file's indentation, learnt from matched pairs.

    Equal indentation changes nothing; a uniform prefix the model left out (a dedented
    snippet) or added is put back or taken off; tabs against spaces are compared in
    columns for a common tab width and rewritten in the file's style. None when no single
    offset explains every pair.
    """
    indents = [(indent_of(file_line), indent_of(model_line)) for file_line, model_line in pairs]
    if all(file_indent == model_indent for file_indent, model_indent in indents):
        return same
    shift = _prefix_shift(indents)
    if shift is not None:
        return shift
    found = _tab_and_move(indents, first_tab)
    if found is None:
        return None
    tab, move = found
    tabs = uses_tabs([f for f, _ in indents])
    if move == 0 and _mostly_equal(_stepping(pairs), tab):
        return same  # a stray line: the model writes like the file
    if move == 0 and _mixed([f for f, _ in indents]):
        return _by_table(indents, None)  # which style a new line wants is unknown
    if move == 0:
        return _by_table(indents, _restyle(tab, tabs))
    return _by_table(indents, _column_shift(move, tab, tabs))


def _tab_and_move(indents: list[tuple[str, str]], first_tab: int | None) -> tuple[int, int] | None:
    """The first tab width at which every pair moves by the same columns, and that move.

    Quoted lines all at one depth fit every width, each with its own move. `first_tab`,
    the width the indentation step says (`tab_width`), goes first, unless it moves the
    quote: a width that only rewrites the quote's character, moving nothing, then goes
    first. That reading takes one mistake, not two (three tabs for six spaces in a file
    mostly stepping by fours; nunjucks' parser, eight spaces quoted as four tabs, its new
    lines five tabs deep at ten spaces, not twelve)."""
    fitting = []
    for tab in _tab_sizes(first_tab):
        moves = {_width(f, tab) - _width(m, tab) for f, m in indents}
        if len(moves) == 1:
            fitting.append((tab, moves.pop()))
    if fitting and fitting[0][0] == first_tab and fitting[0][1]:
        fitting.sort(key=lambda found: found[1] != 0)
    return fitting[0] if fitting else None


def _tab_sizes(first: int | None) -> tuple[int, ...]:
    return _TAB_SIZES if first is None else (first,) + tuple(t for t in _TAB_SIZES if t != first)


@dataclass(frozen=True)
class FileIndentation:
    """How a file indents: mostly with tabs, and the step of its lines in spaces."""

    tabs: bool
    space_step: int | None


def file_indentation(lines: Sequence[str]) -> FileIndentation:
    spaced = [len(indent_of(s)) for s in lines if s.strip() and "\t" not in indent_of(s)]
    return FileIndentation(uses_tabs([indent_of(line) for line in lines]), _unit(spaced))


def tab_width(file: FileIndentation, model_lines: Sequence[str]) -> int | None:
    """The columns a tab stands for where the file and the model indent in different
    characters: a level of the side written in spaces, its indentation step. A model that
    writes a file indented by twos in tabs writes a tab a level, as one that writes a tab
    file in spaces writes its own step a level (a table's keys quoted a tab deep, with new
    keys two tabs deep, go to two and four spaces, not to two and six)."""
    model_character = _characters(model_lines)
    if model_character == {"\t"} and not file.tabs:
        return file.space_step
    if model_character == {" "} and file.tabs:
        return _unit([len(indent_of(line)) for line in model_lines if line.strip()])
    return None


def _unit(depths: list[int]) -> int | None:
    """How far a line most often goes in from the line before it (the smaller of two as
    common): the step of one level, where most lines may stand at one depth (a YAML list
    four deep, its keys stepping by two)."""
    steps: dict[int, int] = {}
    for before, after in pairwise(depths):
        if after > before:
            steps[after - before] = steps.get(after - before, 0) + 1
    if not steps:
        return None
    unit = max(sorted(steps), key=lambda step: steps[step])
    return unit if unit > 1 else None


def _mixed(indents: list[str]) -> bool:
    """Whether some of these file indentations start with a tab and others with a space."""
    return len(_first_characters(indents)) > 1


def _stepping(pairs: Sequence[Pair]) -> list[tuple[str, str]]:
    """The pairs' indentations, but a block comment's inner lines' (` * text`): their one
    space aligns the star in tabs and in spaces alike, so they do not show how the model
    indents (node-gyp's `/**` lines kept, beside a tab written for two spaces)."""
    return [(indent_of(f), indent_of(m)) for f, m in pairs if not m.lstrip().startswith("*")]


def _mostly_equal(indents: list[tuple[str, str]], tab: int) -> bool:
    """Whether at least half the indented pairs are written alike: a stray line of the
    file, which the model wrote like the rest, or a line the model's whitespace drifted
    in (gorilla/schema's tests: `\t\t` quoted right, `\t}` as four spaces, and a new
    struct in fours, as the commit has it; a model that writes the file's tab as often as
    it slips knows the tabs). Unless the others are in a character that no line alike is
    written in, and no line alike is deep enough to have been written in it
    (commons-lang's changes.xml in spaces, its 4-space lines quoted in tabs of four
    beside 2-space lines kept): then that character is the model's, and it writes its new
    lines so."""
    indented = [(f, m) for f, m in indents if f or m]
    if not indented or sum(f == m for f, m in indented) * 2 < len(indented):
        return False
    alike = [f for f, m in indented if f == m and f]
    shown = any(_width(f, tab) >= tab for f in alike)
    return shown or {_character(m) for f, m in indented if f != m and m} <= set(
        map(_character, alike)
    )


def tabs_written_as_spaces(pairs: Sequence[Pair], new: Sequence[str]) -> Transform | None:
    """The transform for new lines of a quote that wrote the file's tab lines in spaces
    while its other indented lines, in spaces in the file too, stand as written: a file
    that mixes them (copier's README: Go's bodies in tabs, its `var (` blocks in twos).
    Where the quote never writes a tab, nor the file's tab depth right, and its new lines
    stand at the depth it gave a tab line and at none it wrote right, they are at the tab's
    depths: written in tabs, the quote's width of a tab a tab. None where nothing says so
    (the mapping learnt from all the quoted lines then decides)."""
    indents = [(indent_of(f), indent_of(m)) for f, m in pairs]
    slips = {m: f for f, m in indents if f != m and f and m and "\t" in f and "\t" not in m}
    if not slips or any("\t" in m for _, m in indents):
        return None
    if any(f == m for f, m in indents if f in slips.values()):
        return None  # the file's tab depth written right elsewhere: the spaces are meant
    if any(f.strip("\t") for f in slips.values()):
        return None  # tabs and spaces: no one width of a tab
    widths = {len(m) / len(f) for m, f in slips.items()}
    tab = widths.pop() if len(widths) == 1 else 0
    if tab < 2 or tab != int(tab):
        return None
    kept = {m for f, m in indents if f == m} - {""}
    depths = {indent_of(line) for line in new if line.strip()}
    if not kept or not depths & set(slips) or depths & kept:
        return None  # (not a mixed file; new lines that stand as the quote wrote them)
    return _column_shift(0, int(tab), True)


def tabs_doubled(groups: Sequence[Sequence[str]], transform: Transform) -> int | None:
    """The spaces a level of new lines written in spaces, where `transform` (the quote's
    mapping, in a file in tabs) would make each of their levels two tabs or more; else
    None. A quote that wrote a tab as four spaces maps four spaces to a tab, but new lines
    stepping by eight were not written in that unit: mapped, a level of them becomes two
    tabs, which no file in tabs writes (creack/pty's README: Go code in tabs, one line
    quoted four spaces in, a commit's new example in eights). Steps are taken between
    neighbouring new lines of one group, most of them alike, at least two."""
    steps: dict[tuple[int, int], int] = {}
    for group in groups:
        lines = [line for line in group if line.strip() and "\t" not in indent_of(line)]
        for before, after in pairwise(lines):
            moved = transform(before), transform(after)
            if None in moved or any(indent_of(m).strip("\t") for m in moved if m):
                continue
            spaces = len(indent_of(after)) - len(indent_of(before))
            if spaces > 0:
                tabs = len(indent_of(moved[1] or "")) - len(indent_of(moved[0] or ""))
                steps[(spaces, tabs)] = steps.get((spaces, tabs), 0) + 1
    if not steps:
        return None
    (spaces, tabs), count = max(steps.items(), key=lambda item: (item[1], -item[0][0]))
    return spaces if count >= 2 and tabs >= 2 else None


def _by_table(indents: list[tuple[str, str]], otherwise: Transform | None) -> Transform | None:
    """A transform giving a line the file's indentation for a model indentation seen in
    `indents` (the model writes new lines at the levels it quoted), `otherwise` for others
    and when the same model indentation stands for two of the file's (None: keep them)."""
    table: dict[str, str] = {}
    for file_indent, model_indent in indents:
        if table.setdefault(model_indent, file_indent) != file_indent:
            return otherwise

    def transform(line: str) -> str | None:
        indent = indent_of(line)
        if indent in table:
            return table[indent] + line[len(indent) :]
        return otherwise(line) if otherwise else line

    return transform


def pair_transform(pairs: Sequence[Pair], pair: Pair, first_tab: int | None = None) -> Transform:
    """The transform one matched pair implies, with the tab width that fits most `pairs`."""
    single = indent_transform([pair], first_tab)
    file_indent, model_indent = indent_of(pair[0]), indent_of(pair[1])
    if single is not None and ("\t" in file_indent) == ("\t" in model_indent):
        return single
    tab = max(_TAB_SIZES, key=lambda size: _fits(pairs, size))
    move = _width(file_indent, tab) - _width(model_indent, tab)
    return _column_shift(move, tab, uses_tabs([indent_of(f) for f, _ in pairs]))


def written_like_file(
    pairs: Sequence[Pair],
    new_lines: Sequence[str],
    new_side: Sequence[str],
    restated: bool,
    short_kept: int = 0,
    replacing: Sequence[tuple[str, Pair]] = (),
) -> bool | None:
    """Whether the model's new lines already have the file's indentation, unlike its quote
    (None: in doubt, see `_out_to_the_quotes_base`).

    `new_side` is the edit's result: its new lines and the quoted lines it keeps, which
    the model wrote out again if `restated` (SEARCH/REPLACE, edit_file; not a diff).
    Evidence, strongest first: lines the model wrote again that restate a quoted line with
    the file's indentation or with the quote's (a kept line votes for the quote, also one
    too short to recognise elsewhere, `short_kept` of them: fzf's `fi` and `)` kept a level
    deep around lines a commit moved out a level; in a diff, a '+' line restating a '-'
    line at another indentation is a real change, not a vote); the
    indentation character (tabs in the quote, spaces in the file and in the new lines);
    the depth of new lines written in place of removed ones (`replacing`, `_in_place_of`);
    the base indentation of the new side against the file's and the quote's. Without
    evidence the new lines follow the quote. New lines written in both characters, the
    file's among them, are taken as written: a model that writes the file's tabs knows
    them, and spaces beside them are its choice (jinja's `_speedups.c` aligns one line of
    a tab-indented struct with spaces), not the quote's mistake.
    """
    new = [line for line in new_lines if line.strip()]
    if not new or not pairs:
        return False
    if _in_both_characters(pairs, new) or _in_the_files_mix(pairs, new):
        return True
    side = [line for line in new_side if line.strip()]
    verdict = _restated(pairs, side, short_kept) if restated else None
    if verdict and _out_to_the_quotes_base(pairs, side):
        return None
    if verdict is None:
        verdict = _by_character(pairs, new)
    if verdict is None:
        verdict = _in_place_of(replacing)
    if verdict is None:
        verdict = _by_base(pairs, [line for line in new_side if line.strip()], new)
    return bool(verdict)


def _restated(pairs: Sequence[Pair], side: Sequence[str], short_kept: int = 0) -> bool | None:
    """Votes of lines equal to a quoted line up to indentation (short lines such as "}" and
    "end" recur too often to say anything), and of the first line when it goes on from the
    first quoted one (`_opening`). Votes both ways say nothing: a change that wraps lines
    in a new block moves them by a level, which can be just the level the quote lost
    (nushell's themes: color lines moved out a level, the edit sent a level deeper)."""
    quoted = {" ".join(model.split()): (file, model) for file, model in pairs if telling(model)}
    like_file, like_model = 0, short_kept
    votes = [(line, quoted.get(" ".join(line.split()))) for line in side]
    for line, found in [*votes, _opening(pairs, side)]:
        if found is None:
            continue
        file_indent, model_indent = indent_of(found[0]), indent_of(found[1])
        if file_indent == model_indent:
            continue
        if indent_of(line) == file_indent:
            like_file += 1
        elif indent_of(line) == model_indent:
            like_model += 1
    if like_file and like_model:
        return None  # some lines moved to another depth on purpose: not evidence either way
    if like_file == like_model:
        return None
    return like_file > like_model


def _out_to_the_quotes_base(pairs: Sequence[Pair], side: Sequence[str]) -> bool:
    """Whether a quote deeper than the file has its new side start at the quote's base: a
    line restated at the file's depth is then as well one the change moved out a level to
    the quote's base, which is the depth the quote's level puts it at (dequal's index.d.ts,
    sent a tab deep: two `declare module` blocks made the one `export function` they held,
    at the top level, which is a tab in the quote and the depth the line had in the file)."""
    _, file_base, model_base, new_base = _bases(pairs, side)
    return model_base > file_base and new_base == model_base


def _bases(pairs: Sequence[Pair], lines: Sequence[str]) -> tuple[int, int, int, int]:
    """The tab width that fits most pairs, and at it the least depth (in columns) of the
    file's lines, of the quote's and of `lines`."""
    tab = max(_TAB_SIZES, key=lambda size: _fits(pairs, size))
    file_base = min(_width(indent_of(f), tab) for f, _ in pairs)
    model_base = min(_width(indent_of(m), tab) for _, m in pairs)
    return tab, file_base, model_base, min(_width(indent_of(line), tab) for line in lines)


def _in_place_of(replacing: Sequence[tuple[str, Pair]]) -> bool | None:
    """False (the new lines follow the quote) when new lines written in place of removed
    ones (each run's first line with text, and the first line it replaces) stand at the
    removed line's depth in the quote, not in the file. A quote that lost two columns puts
    new steps of a YAML list at the quote's depth of the steps they replace (packaging's
    workflow, whose '-' lines also held a job key at the file's least depth, so that by
    their base the new lines read as the file's). The other way it is no evidence: a
    change that moves its new lines out a level, in a quote sent a level deeper, puts them
    at the file's depth of the lines they replace (kotlinx.cli's build.gradle). Nor does a
    new line that restates the removed one elsewhere vote: a line moved on purpose
    (kemal's macro body, moved in by the level its quote lost)."""
    like_file = like_model = 0
    for line, (file, model) in replacing:
        depth, file_indent, model_indent = indent_of(line), indent_of(file), indent_of(model)
        if file_indent == model_indent or line.split() == model.split():
            continue
        like_file += depth == file_indent
        like_model += depth == model_indent
    return False if like_model and not like_file else None


def _opening(pairs: Sequence[Pair], side: Sequence[str]) -> tuple[str, Pair | None]:
    """The new side's first line with the quote's first pair, when that line goes on from
    the quoted one (`export def main [] {` made `export def main [] { return {`): the
    statement the edit opens with, restated at the depth the model writes it."""
    if not pairs or not side or not telling(pairs[0][1]):
        return "", None
    first, quoted = " ".join(side[0].split()), " ".join(pairs[0][1].split())
    return side[0], pairs[0] if first.startswith(quoted) and first != quoted else None


def telling(line: str) -> bool:
    """Whether a line is distinctive enough to recognise when restated."""
    return sum(char.isalnum() for char in line) >= 4


def _in_both_characters(pairs: Sequence[Pair], new: Sequence[str]) -> bool:
    """Whether the new lines are indented with tabs and with spaces, where the quote is the
    file's lines written in the other character (see `written_like_file`). A quote that
    lost the file's leading tab is not: its doc comment's ` * ` is what the tab left, and
    new lines at the quote's depths need the tab back (Slim.php). Spaces narrower than a
    tab are no sign of the file's spaces: text in tabs writes them too (shellcheck's
    `  where` beside a tab-indented `go s =`, a quote in tabs of a file in spaces)."""
    tab = _restyle_tab(pairs)
    if tab is None or _file_and_quote_characters(pairs) is None:
        return False
    wide = [
        line
        for line in new
        if _character(indent_of(line)) == "\t" or _width(indent_of(line), tab) >= tab
    ]
    return _characters(wide) == {"\t", " "}


def _in_the_files_mix(pairs: Sequence[Pair], new: Sequence[str]) -> bool:
    """Whether every indented new line mixes spaces and tabs in its indentation, as some
    of the quoted file lines do and none of the quote's: a mix is the file's own mark,
    not the quote's (AutoMapper's TypeMapFactory.cs indents by eight spaces, then tabs; a
    hunk quoting it in tabs, its '+' lines as the file has them, had them rewritten in
    spaces)."""
    indents = [indent_of(line) for line in new if indent_of(line)]
    return (
        bool(indents)
        and all(map(_spaces_and_tabs, indents))
        and any(_spaces_and_tabs(indent_of(file)) for file, _ in pairs)
        and not any(_spaces_and_tabs(indent_of(model)) for _, model in pairs)
    )


def _spaces_and_tabs(indent: str) -> bool:
    return " " in indent and "\t" in indent


def _by_character(pairs: Sequence[Pair], new: Sequence[str]) -> bool | None:
    """Tabs against spaces: which side's indentation character the new lines use. In a file
    of both, new lines whose indentation each starts with the character the quote's never
    starts with took it from the file (rake's spaces with two stray tab lines, quoted in
    tabs: the new lines in spaces fix those two; kotlinx.cli's README in spaces with one
    line four spaces and a tab in, quoted in tabs: its new lines in spaces and one as that
    line; laravel's tabs made PSR-2 spaces). A quote uniformly shallower than the file
    says nothing of the character (`_uniformly_shallower`)."""
    if _uniformly_shallower(pairs):
        return None
    found = _file_and_quote_characters(pairs)
    if found is None:
        if _in_the_files_other_character(pairs, new) or _in_the_files_characters(pairs, new):
            return True
        return None
    new_chars = _characters(new)
    if new_chars == found[0]:
        return True
    if new_chars == found[1]:
        return False
    return None


def _uniformly_shallower(pairs: Sequence[Pair]) -> bool:
    """Whether each quoted line has its file line's indentation but for one same leading
    part: the quote lost a level, and what its lines keep is what follows it (libevent's
    continuation lines, a tab and four spaces in the file, quoted with the four spaces
    alone, beside lines quoted without their tab)."""
    return bool(_prefix_of([(indent_of(file), indent_of(model)) for file, model in pairs]))


def _in_the_files_other_character(pairs: Sequence[Pair], new: Sequence[str]) -> bool:
    """Whether the quote's lines are indented starting with one character, and every
    indented new line starting with the other, as some of the file's quoted lines are.
    (What follows the first character may be alignment: a doc comment's ` * ` after a
    tab.)"""
    quote = _first_characters(indent_of(model) for _, model in pairs)
    other = _first_characters(indent_of(file) for file, _ in pairs) - quote
    firsts = _first_characters(indent_of(line) for line in new)
    return len(quote) == 1 and bool(firsts) and firsts <= other


def _in_the_files_characters(pairs: Sequence[Pair], new: Sequence[str]) -> bool:
    """Whether the new lines are indented only with characters that the quote never
    writes and the file's quoted lines do (natefinch/lumberjack's README: a code sample
    indented with a tab and four spaces, quoted with tabs alone; a new sample in four
    spaces took them from the file, and read as the quote's, its spaces became tabs)."""
    quote = set("".join(indent_of(model) for _, model in pairs))
    file = set("".join(indent_of(line) for line, _ in pairs))
    written = set("".join(indent_of(line) for line in new))
    return bool(quote) and bool(written) and not written & quote and written <= file


def _first_characters(indents: Iterable[str]) -> set[str]:
    """The characters these indentations start with."""
    return {indent[0] for indent in indents if indent}


def _file_and_quote_characters(pairs: Sequence[Pair]) -> tuple[set[str], set[str]] | None:
    """The file's and the quote's indentation characters, when each is written in one and
    they differ."""
    file_chars = _characters(f for f, _ in pairs)
    model_chars = _characters(m for _, m in pairs)
    if len(file_chars) != 1 or len(model_chars) != 1 or file_chars == model_chars:
        return None
    return file_chars, model_chars


def _characters(lines: Iterable[str]) -> set[str]:
    """The characters the indented ones of `lines` are indented with."""
    return {_character(indent) for line in lines if (indent := indent_of(line))}


def in_other_character(pairs: Sequence[Pair]) -> bool:
    """Whether every indented pair has its model line indented in the other character than
    its file line (spaces for the file's tabs, or the reverse), and one pair is indented: a
    quote so written matches the file only up to whitespace, wherever it is."""
    indented = [(indent_of(f), indent_of(m)) for f, m in pairs if indent_of(f) or indent_of(m)]
    return bool(indented) and all(f and m and _character(f) != _character(m) for f, m in indented)


def restyled(pairs: Sequence[Pair]) -> bool:
    """Whether the model's lines are the file's written in the other indentation character,
    column for column at one tab width: the depth of each line kept, only its writing
    changed."""
    return _restyle_tab(pairs) is not None


def _restyle_tab(pairs: Sequence[Pair]) -> int | None:
    """The tab width at which the model's lines are the file's restyled (see `restyled`)."""
    if not in_other_character(pairs):
        return None
    indents = [(indent_of(f), indent_of(m)) for f, m in pairs]
    fitting = (t for t in _TAB_SIZES if all(_width(f, t) == _width(m, t) for f, m in indents))
    return next(fitting, None)


def restates_as_file(pairs: Sequence[Pair], side: Sequence[str]) -> bool:
    """Whether the new side restates some of the quoted lines (`telling` ones, up to
    whitespace) and each exactly as the file has it in `pairs`."""
    filed: dict[str, set[str]] = {}
    for file_line, model_line in pairs:
        if telling(model_line):
            filed.setdefault(" ".join(model_line.split()), set()).add(file_line.rstrip())
    restated = [line for line in side if " ".join(line.split()) in filed]
    return bool(restated) and all(
        line.rstrip() in filed[" ".join(line.split())] for line in restated
    )


def _character(indent: str) -> str:
    """The character an indentation is written in: a tab anywhere in it says tabs. A file
    indented with tabs has stray lines that start with a space or two before the tab
    (`  \tconst x`), and a quote that writes every tab as spaces writes none."""
    return "\t" if "\t" in indent else " "


def _by_base(pairs: Sequence[Pair], new: Sequence[str], added: Sequence[str]) -> bool | None:
    """Whether the new side (`new`) starts at the file's base indentation or at the quote's.

    Lines of some words only, where there are any: a closing `end` or `}` is as often the
    line the change moves (kemal's macros, their bodies and `end` moved in by a level, in
    a quote that lost a level, put the new `end` at the file's old base). Yet an added line
    of any kind shallower than the file's base says the words' line stands at the file's
    base by chance (pdoc's HTML test data, a quote 16 columns shallow: `</li>` and `<li>`
    added at 8 columns, the new link between them at 16), and so does a base the quote
    itself writes a line at: the new lines may as well stand at the quote's depth
    (passport's tests, a hunk two columns shallow: a `describe` added beside a quoted
    `});` at two columns, which is the file's base, where a `});` at zero closes them),
    even a line too short to tell (cors's .travis.yml, a quote a column shallow whose
    comment at column 0 stood at 1 in the file, its ` - |` lines quoted at 1: the new steps
    at 1 follow those, and the file's base at 1 was its one odd comment).

    Only a quote that lost all its indentation leaves its new lines in doubt. One that is
    still indented, at another depth, was written with its new lines: one of them at the
    file's base says nothing (new functions after the last lines of a body quoted a level
    deeper start a level out from the body, which is the file's base of the body), unless
    the quote's depth leaves it no room there."""
    every_pair = pairs
    pairs = [pair for pair in pairs if telling(pair[1])] or pairs
    new = [line for line in new if telling(line)] or new
    tab, file_base, model_base, new_base = _bases(pairs, new)
    if file_base == model_base or (model_base and new_base + file_base >= model_base):
        return None
    if new_base == file_base:
        quoted = {_width(indent_of(m), tab) for _, m in every_pair if m.strip()}
        lowest = min(_width(indent_of(line), tab) for line in added)
        return True if lowest >= file_base and new_base not in quoted else None
    if new_base == model_base:
        return False
    return None


def _fits(pairs: Sequence[Pair], tab: int) -> int:
    """How many pairs share the most common column move at tab width `tab`."""
    moves: dict[int, int] = {}
    for file_line, model_line in pairs:
        move = _width(indent_of(file_line), tab) - _width(indent_of(model_line), tab)
        moves[move] = moves.get(move, 0) + 1
    return max(moves.values(), default=0)


def _prefix_shift(indents: list[tuple[str, str]]) -> Transform | None:
    """A transform adding or removing one indentation prefix, if one explains every pair."""
    prefix = _prefix_of(indents)
    if prefix is not None:
        return lambda line: prefix + line
    extra = _prefix_of([(m, f) for f, m in indents])
    if extra is not None:
        return lambda line: line[len(extra) :] if line.startswith(extra) else None
    return None


def _prefix_of(indents: Sequence[tuple[str, str]]) -> str | None:
    """The one leading part (maybe "") that every first indentation has before its second,
    or None."""
    if not indents:
        return None
    first, second = indents[0]
    if not first.endswith(second):
        return None
    prefix = first[: len(first) - len(second)]
    return prefix if all(f == prefix + m for f, m in indents) else None


def _restyle(tab: int, tabs: bool) -> Transform:
    """A transform writing indentation in the other character in the file's style; a line
    already in the file's character (`_character`: tabs, then spaces to align, or a stray
    space before the tabs as got's readme has) is kept."""
    shift = _column_shift(0, tab, tabs)
    lead = "\t" if tabs else " "
    return lambda line: line if _character(indent_of(line)) == lead else shift(line)


def _column_shift(move: int, tab: int, tabs: bool) -> Transform:
    """A transform moving a line `move` columns and writing its indentation in the file's style."""

    def shift(line: str) -> str | None:
        columns = _width(indent_of(line), tab) + move
        if columns < 0:
            return None
        indent = "\t" * (columns // tab) + " " * (columns % tab) if tabs else " " * columns
        return indent + line.lstrip(" \t")

    return shift


def indent_of(line: str) -> str:
    """The leading spaces and tabs of a line."""
    return line[: len(line) - len(line.lstrip(" \t"))]


def _width(indent: str, tab: int) -> int:
    """The columns an indentation takes with tab stops every `tab` columns."""
    columns = 0
    for char in indent:
        columns = columns + tab - columns % tab if char == "\t" else columns + 1
    return columns


def uses_tabs(indents: list[str]) -> bool:
    """Whether most of the indented file lines start with a tab."""
    indented = [indent for indent in indents if indent]
    return sum(indent.startswith("\t") for indent in indented) * 2 > len(indented)
