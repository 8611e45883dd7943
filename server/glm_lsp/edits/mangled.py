"""Edit text mangled on its way: HTML-escaped (``&lt;`` for ``<``), given typographic
quotes (``“`` for ``"``), typographic dashes and ellipses (``–`` for ``--``, ``…`` for
``...``), or non-breaking spaces (a web page's indentation).

Some providers' tool-call parsers hand arguments over escaped, models trained on web text
sometimes write code that way, and chat interfaces make quotes typographic. Such an edit
can still be placed: its mangled context lines pass as lines with a small mistake, and
those are written as the file has them. Its new lines, though, are written as they came, so
``if a &lt; b:`` or ``print(“hi”)`` lands in the file, a result the user may accept. What
tells the mangling apart from intent:

* the quoted text holds a mangled form the file nowhere has, or a line the file has only
  unmangled: the quote cannot be the file's text as written, so the whole edit is read
  back (one level of escaping, the inverse of what was done; ``&amp;lt;`` stands for
  ``&lt;``);
* only the new text brings such forms: a quote that has each of them as the file does, a
  file that has one between the same characters (and its plain text never so), or an
  edit with a character the mangling always replaces (`<`, `'`), shows it was not
  mangled (a quote with `we’ll` vouches for `’`, not for `class=“note”`), and
  entities are ordinary in markup; otherwise nothing shows which was meant, so the edit
  is refused with a sentence that says how to write it either way. Dashes, ellipses and
  non-breaking spaces differ: prose has them of its own (``, …)``, ``—Mark Twain``), so
  new ones are kept, unless they stand where only code has ``--``, ``...`` or a space (an
  option ``–verbose``, an annotation ``—@param``, a spread ``{ …rest }``, a range
  ``1…3``, a Python body ``def f(): …``, a doctest's ``… def f():`` after ``>>>``, a
  ruler's ``+—+---+``, indentation, a line of its own like ``// …``, a Lua comment's
  start): then all of them are read back when all stand so, and the edit is refused
  when only some do, or when one stands in inline code or a fenced block of Markdown at
  no such place (``# … existing code`` in backquotes: the lazy marker mangled, or
  meant).

An em dash stands for ``--`` or ``---`` (converters differ); the reading is the one under
which more quoted lines stand in the file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import PurePosixPath

from glm_lsp.edits.locate import norm
from glm_lsp.errors import EditError

_FENCE = "```\n"
_FENCES = re.compile(r"^[ \t]*```", re.M)
"""A Markdown fence, and where fences stand in a file (each opens or closes a block)."""
_LINES = re.compile(r"^.*$", re.M)
MARKUP = frozenset(
    ".html .htm .xhtml .xml .svg .vue .svelte .astro .hbs .handlebars "
    ".mustache .jinja .jinja2 .j2 .twig .njk .liquid .xsl .xslt".split()
)
"""Files where writing an entity for the first time is ordinary."""
DASH_COMMENTS = frozenset(".lua .sql .hs .lhs .elm .ada .adb .ads .vhd .vhdl .applescript".split())
"""Languages whose comments start with `--`."""
PROSE = frozenset(".md .markdown .rst .rdoc .txt .adoc .asciidoc .textile .org".split())
"""Documents: code in them is quoted, and its elisions are often the author's own."""


@dataclass(frozen=True)
class Mangling:
    """One way text gets mangled: its forms, what each stands for, where they are ordinary."""

    looks: str
    plain: dict[str, str]
    ordinary_in: frozenset[str]
    kept: re.Pattern[str]  # what it always replaces: one in the edit shows it did not happen
    kept_said: str = ""  # how a refusal names what `kept` matches
    in_code: re.Pattern[str] | None = None  # None: new forms are all suspect; else only these
    maybe_code: re.Pattern[str] | None = None  # where a form may be code or prose: refused
    in_code_also: dict[frozenset[str], str] = field(default_factory=dict)  # by file suffix
    readings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other plain texts
    # longer forms read as the file writes them, whatever the reading of their first form
    as_file: Callable[[str], dict[str, str]] | None = None
    # a form standing alone in a line, kept when the edit writes its plain text alone too
    alone: re.Pattern[str] | None = None
    alone_kept: bool = False
    inner_kept: bool = False  # forms inside lines kept, those in indentation undone
    prose_own: str = ""  # forms a document writes of its own, even where code would not

    def sure(
        self, code: re.Pattern[str], path: str, new: str, quoted: list[range]
    ) -> list[re.Match[str]]:
        """The places in `new` where its forms stand as only code writes them (`code`, as
        `self.code(path)` gives it). A document quotes code in spans and fenced blocks, and
        elides there as its author likes (hcl's changelog: the special `optional(…)`
        modifier), so its own forms there are never sure (`quoted`: those spans of `new`)."""
        found = list(code.finditer(new))
        document = PurePosixPath(path).suffix.lower() in PROSE
        if not self.prose_own or self.maybe_code is None or not document:
            return found
        return [
            match
            for match in found
            if not any(form in match[0] for form in self.prose_own)
            or not any(match.start() in span for span in quoted)
        ]

    def quoted(self, new: str, inside: bool | None) -> list[range]:
        """The spans of `new` that may be code in prose (`maybe_code`). A quote may start
        inside a fenced block, which its first fence then closes: `inside` says whether it
        does, None when the file does not tell, and then a span read either way counts
        (ansi-escapes' readme: `new Terminal({…})` in the block opened after the fence that
        closed the one the quote starts in, read as prose between two fences)."""
        if self.maybe_code is None:
            return []
        spans = [] if inside else [range(*m.span()) for m in self.maybe_code.finditer(new)]
        if inside is not False:  # (read from a fence put before it, then moved back)
            opened = self.maybe_code.finditer(_FENCE + new)
            spans += [range(max(m.start() - len(_FENCE), 0), m.end() - len(_FENCE)) for m in opened]
        return spans

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        forms = "|".join(re.escape(form) for form in self.plain)
        if self.alone_kept and self.alone is not None:
            return re.compile(f"(?!{self.alone.pattern})(?:{forms})")
        return re.compile(forms)

    def undo(self, text: str) -> str:
        if self.inner_kept:
            return _INDENTATION.sub(lambda match: self._undone(match[0]), text)
        return self._undone(text)

    def _undone(self, text: str) -> str:
        return self.pattern.sub(lambda match: self.plain[match[0]], text)

    def plainly(self, text: str) -> bool:
        """Whether `text` has a character the mangling always replaces, outside its forms
        (Javadoc's `<p>` beside `Class&lt;?&gt;`): then it was not mangled."""
        return self.kept.search(self.pattern.sub("", text)) is not None

    def code(self, path: str) -> re.Pattern[str] | None:
        """Where new forms stand as only code writes them, in a file like `path`."""
        suffix = PurePosixPath(path).suffix.lower()
        also = [source for suffixes, source in self.in_code_also.items() if suffix in suffixes]
        if self.in_code is None or not also:
            return self.in_code
        return re.compile("|".join([self.in_code.pattern, *also]), self.in_code.flags)

    def but(self, form: str, reading: str, first: dict[str, str] | None = None) -> Mangling:
        """The mangling with `form` read as `reading` (and the longer forms `first` first)."""
        return replace(self, plain={**(first or {}), **self.plain, form: reading}, readings={})


HTML = Mangling(
    "HTML-escaped",
    {
        "&lt;": "<",
        "&gt;": ">",
        "&amp;": "&",
        "&quot;": '"',
        "&#34;": '"',
        "&#39;": "'",
        "&#x27;": "'",
        "&apos;": "'",
    },
    MARKUP,
    re.compile("[<>&]"),
    "a plain '<', '>' or '&'",
)
QUOTES = Mangling(
    "rewritten with typographic quotes",
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'},
    frozenset(),
    re.compile("['\"]"),
    "a straight quote",
)


def _annotations(file_text: str) -> dict[str, str]:
    """An em dash before `@` read as the file writes its annotations, when it writes them
    one way only: Lua's `---@param` where the quote's em dashes stand for a comment's `--`
    (nvim-tree's utils.lua: every new annotation lost a dash)."""
    three = re.search(r"(?<!-)---@", file_text) is not None
    two = re.search(r"(?<!-)--@", file_text) is not None
    return {"\u2014@": "---@" if three else "--@"} if three != two else {}


DASHES = Mangling(
    "rewritten with typographic dashes or ellipses",
    {"\u2013": "--", "\u2014": "--", "\u2026": "..."},
    frozenset(),
    re.compile(r"(?<!-)---?(?!-)|(?<!\.)\.\.\.(?!\.)"),  # not a ruler's "-----"
    "a plain '--' or '...'",
    in_code=re.compile(
        r"(?:^|(?<=[\s\"'`(\[=,>]))\u2013(?=[A-Za-z])"  # <tt>–file
        r"|(?<=[\"'`=,])\u2014(?=[A-Za-z])"  # –verbose, -e,—example
        r"|(?<=\s)\u2014(?=[a-z])|(?<=[\"'`])[\u2013\u2014](?= )"  # "— a/x.py"
        r"|[\u2013\u2014](?=@)|(?<=<)[\u2013\u2014]|[\u2013\u2014](?=>)"  # —@param, <!— x —>, <–
        r"|(?<=[\"'])[\u2013\u2014](?=[\"'])"  # a string of it alone: "—" (not "…", a UI's)
        r"|(?:(?<=[(\[{])|(?<=[(\[{,] ))\u2026(?=[A-Za-z_$])"  # { …rest }, f(…args)
        r"|(?<=[\w)\]])\u2026(?=[)>;]|\](?!\())"  # f(a[1:]…), [a, b…] (a link's [More…]( is prose)
        r"|(?<=\d)\u2026(?=\d)|(?<==)\u2026"  # 1…3, x=…
        r"|(?<=\d )\u2026(?= \d)|(?<=\w)\u2026(?=<)"  # Swift's ranges: 100 … 200, 0…<n
        r"|(?<=\()\u2026(?=\))|(?<=\w )\u2026(?=[A-Za-z_$])"  # get(…), args …string
        r"|(?<=\w)\u2026(?=\w)|(?<=[(\[{])\u2026(?=[,)\]}])|(?<=, )\u2026(?=[\]}])"  # a…b, [a, …]
        r"|(?<=[\w>\]])\u2026(?=[ \t]+[A-Za-z_$][\w$]*[ \t]*[,)=])"  # Java's String… args)
        r"|[\u2013\u2014](?=[);])|(?<=\w)[\u2013\u2014](?= \{)"  # a decrement: i--), Go's i-- {
        r"|^[ \t]*[\w.\[\]()>*-]*[\w\])][\u2013\u2014][ \t]*$"  # a statement: Go's x.i--
        r"|^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t][^\n]*:[ \t]*\u2026[ \t]*$"  # def f(): …
        r"|(?<=\w = )\u2026(?=[ \t]*$)"  # a stub's default: x: int = …
        r"|(?<=(?<![\w.])\./)\u2026(?![\w.])"  # Go's package pattern: go test ./…
        r"|^[ \t]*>>>[^\n]*(?:\n[ \t]*\u2026(?=[ \t]|$)[^\n]*)+"  # a doctest's `... ` lines
        r"|(?<=[+-])[\u2013\u2014](?=[+-])"  # a table's ruler: +---+-----+
        r"|^[ \t]*(?:(?://+|#+|;+|\*|--)[ \t]*)*+[\u2013\u2014\u2026][ \t]*$",  # "// …", "—"
        re.M,
    ),
    # an inline code span (`# … existing code`, `a – b`) or a fenced block of Markdown,
    # to its closing fence or, in a quote that stops inside it, to the quote's end
    maybe_code=re.compile(
        r"^[ \t]*```.*\n(?:(?![ \t]*```).*\n)*?(?:[ \t]*```|.*\Z)|`[^`\n]+`", re.M
    ),
    in_code_also={
        # a comment's start: the line's first dash, not in a string or after `--`
        DASH_COMMENTS: r"^[^-\"'\n\u2013\u2014]*[\u2013\u2014](?=[ \t]|$)",
    },
    readings={"\u2014": ("--", "---")},
    as_file=_annotations,
    prose_own="\u2026",
)
SPACES = Mangling(
    "copied with non-breaking spaces",
    {"\u00a0": " ", "\u202f": " "},
    frozenset(),
    re.compile("(?!)"),  # a web page may have kept some spaces plain
    in_code=re.compile("^[ \t\u00a0\u202f]*[\u00a0\u202f]", re.M),  # in indentation
    alone=re.compile(r"(?<=\S)[\u00a0\u202f](?=\S)"),
)
MANGLINGS = (HTML, QUOTES, DASHES, SPACES)
_FORMS = frozenset(form for mangling in MANGLINGS for form in mangling.plain)
"""Every character or entity some mangling writes."""


@dataclass(frozen=True)
class Naming:
    """How a refusal names the edit and its two parts, in the words the model used."""

    what: str
    old: str
    new: str


def unmangled(file_text: str, old: str, new: str, path: str, naming: Naming) -> tuple[str, str]:
    """`old` and `new` as the model meant them, or EditError (written for the model, which
    can then resend the edit) when that cannot be told."""
    for mangling in manglings(file_text, old, new, path, naming):
        old, new = mangling.undo(old), mangling.undo(new)
    return old, new


def manglings(file_text: str, old: str, new: str, path: str, naming: Naming) -> list[Mangling]:
    """The manglings the edit went through, to undo (each one line by line); EditError
    when the new text may be mangled and nothing tells."""
    undone = [m for m in MANGLINGS if _undo(m, file_text, old, new, path, naming)]
    return [
        _alone_kept(_read(m, file_text, old, new, path, naming), old, new, file_text)
        for m in undone
    ]


def _alone_kept(mangling: Mangling, old: str, new: str, file_text: str = "") -> Mangling:
    """The mangling keeping its forms that stand alone between two other characters when
    the edit writes its plain text so too: a web page makes runs of spaces and
    indentation non-breaking (`&nbsp; `), not a single space between words, so a lone one
    is the text's own (winston's tests: a string with a non-breaking space after a dash).
    A page that made every space non-breaking leaves no plain one alone. One that left a
    run of spaces inside a quoted line plain made only indentation non-breaking, so the
    forms inside lines are all the text's own (nanoid's README: `]:  https` quoted plain,
    a new line's `/>\u00a0\u00a0Made in` the commit's); so does one whose quoted lines
    have forms inside them only as the file has those lines (`_inner_as_file`)."""
    if mangling.alone is None:
        return mangling
    if _inner_as_file(mangling, old, file_text):
        return replace(mangling, inner_kept=True)
    if not re.search(r"(?<=\S) (?=\S)", old + new):
        return mangling
    inner = re.search(r"(?<=\S)  +(?=\S)", old) and not _INNER_FORMS.search(old)
    return replace(mangling, alone_kept=True, inner_kept=bool(inner))


_INDENTATION = re.compile("^[ \t\u00a0\u202f]+", re.M)


def _inner_as_file(mangling: Mangling, old: str, file_text: str) -> bool:
    """Whether the quote has forms past a line's indentation, and each line of it that has
    them stands so in the file after its indentation: those forms are the text's own, and
    only the indentation was made non-breaking (ramda's bookmarklet: a minified line
    whose string of whitespace characters holds `\u00a0` and `\u202f`, quoted with its
    indentation non-breaking; its new version, written alike, had them made spaces)."""
    bodies = [_body(line) for line in old.splitlines()]
    inner = [body for body in bodies if mangling.pattern.search(body)]
    if not inner:
        return False
    lines = {_body(line) for line in file_text.splitlines()}
    return all(body in lines for body in inner)


def _body(line: str) -> str:
    """The line past its indentation (non-breaking spaces included), without its end."""
    return line.lstrip(" \t\u00a0\u202f").rstrip(" \t\r\n")


_INNER_FORMS = re.compile("(?<=[^ \t\u00a0\u202f\n])[\u00a0\u202f]")


def _read(
    mangling: Mangling, file_text: str, old: str, new: str, path: str, naming: Naming
) -> Mangling:
    """The mangling with each of its forms of several readings read as the plain text
    under which the most quoted lines stand in the file; EditError when that does not
    choose for a form that the new text has."""
    if not mangling.readings:
        return mangling
    plain = dict(mangling.plain)
    annotations = mangling.as_file(file_text) if mangling.as_file else {}
    told = new
    for form in annotations:
        told = told.replace(form, "")
    lines = {_bare(line) for line in file_text.splitlines()}
    for form, choices in mangling.readings.items():
        undone = {c: mangling.but(form, c, annotations).undo(old) for c in choices}
        standing = {c: _standing(undone[c], lines) for c in choices}
        chosen = [c for c in choices if standing[c] == max(standing.values())]
        if len(chosen) > 1 and form in told:
            said = " or ".join(repr(choice) for choice in choices)
            raise EditError(
                f"{naming.what} writes {form!r} in {naming.new}, which looks {mangling.looks}, "
                f"and nothing in {naming.old} shows whether it stands for {said}. Write the "
                f"characters {path or 'the file'} should have, and send the edit again."
            )
        plain[form] = chosen[0]
    return replace(mangling, plain={**annotations, **plain}, readings={})


def _undo(
    mangling: Mangling, file_text: str, old: str, new: str, path: str, naming: Naming
) -> bool:
    pattern = mangling.pattern
    if not pattern.search(old + new):
        return False
    if _quote_mangled(mangling, file_text, old):
        return True
    forms = [match for match in pattern.finditer(new) if match[0] not in old]
    written = _file_writes(mangling, file_text, forms)
    unvouched = [match[0] for match, own in zip(forms, written, strict=True) if not own]
    if not unvouched or mangling.plainly(old + new):
        return False  # the quote or the file has these forms so, or the edit is plain
    if PurePosixPath(path).suffix.lower() in mangling.ordinary_in:
        return False
    code = mangling.code(path)
    if code is not None:  # prose may have them; code where they stand, not
        quoted = mangling.quoted(new, _starts_in_block(file_text, old))
        sure = _without_symbols(mangling.sure(code, path, new, quoted), old)
        coded = sum(len(pattern.findall(found[0])) for found in sure)
        at = {match.start() for match, own in zip(forms, written, strict=True) if not own}
        unsure = _maybe_code(mangling, sure, new, at, quoted)
        if unsure:
            unvouched = unsure  # (named first by the refusal)
        elif not coded:
            return False
        elif coded == len(pattern.findall(new)) and len(unvouched) == len(forms):
            if not _in_code_in(code, file_text, unvouched):
                return True
    form = unvouched[0]
    raise EditError(
        f"{naming.what} writes {form!r} in {naming.new}, and nothing in {naming.old} shows "
        f"whether the text was {mangling.looks}. Write {mangling.plain[form]!r} for {form!r} "
        f"if that is what {path or 'the file'} should have; "
        + _to_write_itself(mangling, form, file_text, old, path or "the file")
    )


def _to_write_itself(mangling: Mangling, form: str, file_text: str, old: str, path: str) -> str:
    """How the model can show that `form` is meant: a quote with the form, or with a
    character the mangling always replaces, vouches for the edit. Named by the nearest
    such line, since a file may have none (then no quote can show it, and saying "quote a
    line that has one" would send the model looking for a line that is not there)."""
    shown = f"{form!r} or {mangling.kept_said}" if mangling.kept_said else repr(form)
    lines = file_text.split("\n")  # numbered as every message numbers them: LF ends a line
    witnesses = [
        number
        for number, line in enumerate(lines, 1)
        if form in line or (mangling.kept_said and mangling.plainly(line))
    ]
    if not witnesses:
        return f"{path} has no line with {shown} to quote with it, so write {form!r} by hand."
    near = _quote_line(lines, old)
    nearest = min(witnesses, key=lambda number: (abs(number - near), number))
    return (
        f"to write {form!r} itself, quote with it a line of the file that has {shown} "
        f"(line {nearest} is the nearest), and send the edit again."
    )


def _quote_line(lines: list[str], old: str) -> int:
    """The line where the quote's first line with words stands in the file (1 when not found)."""
    first = next((line.strip() for line in old.split("\n") if line.strip()), "")
    return next((n for n, line in enumerate(lines, 1) if first and first in line), 1)


_SYMBOL = re.compile(r"""(["'])([^\x00-\x7f])\1""")
"""A string literal of one character beyond ASCII: `'⅘'`."""


def _without_symbols(sure: list[re.Match[str]], old: str) -> list[re.Match[str]]:
    """`sure` less the forms that stand alone in a string, where the edit has such strings
    of characters that no mangling writes: a table of symbols, where a dash is one more
    (sindresorhus/figures: `lineDashed13: '–'` added among `'━'`, `'−'` and `'‐'`, quoting
    `'⅘'`s, was read as a mangled `'--'`). A curly quote alone in a string is no sign: a
    typographer makes those too."""
    text = old + sure[0].string if sure else ""
    if not any(symbol[2] not in _FORMS for symbol in _SYMBOL.finditer(text)):
        return sure
    return [
        match
        for match in sure
        if not _SYMBOL.fullmatch(match.string, match.start() - 1, match.end() + 1)
    ]


def _in_code_in(code: re.Pattern[str], file_text: str, forms: list[str]) -> bool:
    """Whether the file writes one of these forms itself where only code has them: got's
    options docs elide as `{token: 'secret', …}` and spread as `[...hooks]`, so a new
    `instance(…, {})` may be either, and the edit is refused."""
    return any(form in found for found in code.findall(file_text) for form in forms)


def _starts_in_block(file_text: str, old: str) -> bool | None:
    """Whether the quote `old` starts inside a fenced block of the file (an odd number of
    fences before it): where it stands, or else by the first of its lines that the
    file has once, up to whitespace, less the fences the quote has before that line (a
    quote with drifted spacing or a misquoted line); None where the file does not tell."""
    fences = [match.start() for match in _FENCES.finditer(file_text)]
    if not fences:
        return False
    starts = [match.start() for match in re.finditer(re.escape(old), file_text)] if old else []
    if starts:  # (where it stands twice, both places must say the same)
        inside = {_odd(fences, start) for start in starts}
        return inside.pop() if len(inside) == 1 else None
    places: dict[str, list[int]] = {}
    for match in _LINES.finditer(file_text):
        places.setdefault(norm(match[0]), []).append(match.start())
    quoted = old.splitlines()
    for number, line in enumerate(quoted):
        found = places.get(norm(line), []) if line.strip() else []
        if len(found) == 1:
            before = sum(1 for one in quoted[:number] if _FENCES.match(one))
            return _odd(fences, found[0]) != (before % 2 == 1)
    return None


def _odd(fences: list[int], start: int) -> bool:
    return bisect.bisect_left(fences, start) % 2 == 1


def _maybe_code(
    mangling: Mangling, sure: list[re.Match[str]], new: str, at: set[int], quoted: list[range]
) -> list[str]:
    """The new forms, not the file's own, that stand in an inline code span but at no place
    where only code has them: `# … existing code` in a README may be the lazy marker
    with its dots made an ellipsis, or what the commit wrote (this repository's tests
    describe `// … keep the rest`). Nothing tells, so such an edit is refused. `sure` are
    the places where only code has them, `at` where the forms to judge start, `quoted`
    the spans that may be code (`Mangling.quoted`)."""
    spans = [range(*match.span()) for match in sure]
    unsure = []
    for span in quoted:
        for match in mangling.pattern.finditer(new, span.start, span.stop):
            place = match.start()
            if place in at and not any(place in r for r in spans):
                unsure.append(match[0])
    return unsure


def _file_writes(mangling: Mangling, file_text: str, forms: list[re.Match[str]]) -> list[bool]:
    """For each new form, whether the file has it between the same two characters on each
    side, and its plain text nowhere so: the file's own way of writing (got's docs have
    `stream.on('retry', …)`, and a new section's `stream.on('response', …)` follows them),
    not a mangling. (One character each side is too common: prose has ` … ` too.)"""
    if not forms:
        return []
    plains = {
        form: (mangling.plain[form], *mangling.readings.get(form, ())) for form in mangling.plain
    }
    in_file = _where(file_text, {match[0] for match in forms})
    plain_in_file = _where(file_text, {text for match in forms for text in plains[match[0]]})
    written = []
    for match in forms:
        new, start, end = match.string, match.start(), match.end()
        left, right = new[max(start - 2, 0) : start], new[end : end + 2]
        written.append(
            len(left) == len(right) == 2
            and left + match[0] + right in in_file
            and not any(left + text + right in plain_in_file for text in plains[match[0]])
        )
    return written


def _where(text: str, pieces: set[str]) -> set[str]:
    """Each piece as it stands in `text`, with up to two characters on each side."""
    found: set[str] = set()
    for piece in pieces:
        start = text.find(piece)
        while start != -1:
            found.add(text[max(start - 2, 0) : start + len(piece) + 2])
            start = text.find(piece, start + 1)
    return found


def _quote_mangled(mangling: Mangling, file_text: str, old: str) -> bool:
    """Whether the quoted text cannot be the file's as written but is once undone: it has
    a mangled form the file lacks, or a line with such forms that the file has only plain,
    or with its lone forms kept (d3-scale's commit took a non-breaking space out of a
    line; the quote of that line, its indentation made non-breaking, kept the old one), or
    with only its indentation undone (ramda's bookmarklet, see `_inner_as_file`)."""
    pattern = mangling.pattern
    if any(form not in file_text for form in pattern.findall(old)):
        return True
    quoted = [_bare(line) for line in old.splitlines() if pattern.search(line)]
    if not quoted:
        return False
    lines = {_bare(line) for line in file_text.splitlines()}
    readings = (mangling, _alone_kept(mangling, old, ""), replace(mangling, inner_kept=True))
    return any(
        line not in lines and any(_bare(reading.undo(line)) in lines for reading in readings)
        for line in quoted
    )


def _standing(text: str, lines: set[str]) -> int:
    """How many of the text's lines stand in the file (its `lines`, bare)."""
    return sum(_bare(line) in lines for line in text.splitlines())


def _bare(line: str) -> str:
    """The line without its ASCII whitespace around it (str.strip would also take the
    non-breaking spaces that may be the very mangling)."""
    return line.strip(" \t\r\n\f\v")
