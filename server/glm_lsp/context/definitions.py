"""Where the names in play are defined: each definition's signature, first doc line and body.

The definitions section shows the signatures (and the first line of each docstring) of many
definitions before the bodies of a few, since a signature is what a caller needs and costs
a line. A name defined as code in many files (`run`, `get`) says little about which one is
meant and is left out; where a name is defined both as code and as a variable, the code is
what a call or a type refers to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from glm_lsp.context.rank import VALUE_CATEGORIES, SymbolGraph
from glm_lsp.context.tags import Tag

MAX_DEFINERS = 3  # a name defined in more files than this is too ambiguous to show
MAX_DEFINITIONS = 120  # candidates per request; the budget usually stops well before
MAX_BODY_LINES = 60
MAX_BODIES = 16  # candidates given a body; the assembler shows a few of them
MAX_SIGNATURE_LINES = 8
_DOC_QUOTES = ('"""', "'''", 'r"""', "r'''", 'b"""')
_COMMENTS = ("#", "//", "/*", "*", "--", ";")


@dataclass(frozen=True)
class Definition:
    """One definition of a name in play; lines are 1-based and inclusive."""

    path: str
    name: str
    category: str
    start: int  # the line holding the name
    end: int  # the last line of the whole definition
    signature: tuple[tuple[int, str], ...]  # (line, text) of the header, and its doc line
    body: str  # lines start..end, cut at MAX_BODY_LINES ("" when not a body candidate)
    referenced: bool = True  # by a reference tag, not only by a word in the text

    @property
    def label(self) -> str:
        return f"{self.category} {self.name}" if self.category else self.name

    @property
    def body_end(self) -> int:
        return min(self.end, self.start + MAX_BODY_LINES - 1)


def collect(
    graph: SymbolGraph,
    names: Iterable[str],
    read: Callable[[str], str],
    referenced: frozenset[str] = frozenset(),
    limit: int = MAX_DEFINITIONS,
) -> list[Definition]:
    """The definitions of `names`, in the names' order (in any file, the current one too:
    the caller decides where each is shown); those of `referenced` names are marked, since
    only they deserve a body."""
    found: list[Definition] = []
    lines_of: dict[str, list[str]] = {}
    bodies = 0
    for name in names:
        files = graph.code_defining(name)
        if len(files) > MAX_DEFINERS:
            continue
        for rel in sorted(files):
            tags = [t for t in graph.definitions(rel) if t.name == name]
            code = [t for t in tags if t.category not in VALUE_CATEGORIES]
            if rel not in lines_of:
                lines_of[rel] = read(rel).splitlines()
            for tag in code or tags:
                body = name in referenced and bodies < MAX_BODIES
                bodies += body
                found.append(_definition(rel, tag, lines_of[rel], name in referenced, body))
        if len(found) >= limit:
            break
    return found[:limit]


def _definition(
    rel: str, tag: Tag, lines: list[str], referenced: bool, with_body: bool
) -> Definition:
    start = tag.line + 1
    end = max(start, min(tag.end_line + 1, len(lines)))
    body_end = min(end, start + MAX_BODY_LINES - 1)
    body = "".join(line + "\n" for line in lines[start - 1 : body_end]) if with_body else ""
    signature = signature_lines(lines, tag.line, end)
    return Definition(rel, tag.name, tag.category, start, end, signature, body, referenced)


def signature_lines(lines: list[str], line: int, end: int) -> tuple[tuple[int, str], ...]:
    """The header from the name's line (0-based) until its parentheses close, plus the first
    line of the docstring after it or of the comment right above it; 1-based line numbers."""
    header: list[tuple[int, str]] = []
    depth = 0
    at = line
    while at < len(lines) and at < end and len(header) < MAX_SIGNATURE_LINES:
        text = lines[at].rstrip()
        header.append((at + 1, text))
        depth += text.count("(") + text.count("[") - text.count(")") - text.count("]")
        at += 1
        if depth <= 0:
            break
    doc = _doc_line(lines, at, end) or _comment_above(lines, line)
    return (*header, doc) if doc else tuple(header)


def _doc_line(lines: list[str], at: int, end: int) -> tuple[int, str] | None:
    """A docstring's first line right after the header (the next line when the quotes
    stand alone on theirs)."""
    if at >= min(len(lines), end):
        return None
    text = lines[at].strip()
    if not text.startswith(_DOC_QUOTES):
        return None
    if text.strip("rb\"'") == "" and at + 1 < len(lines):
        return at + 2, lines[at + 1].rstrip()
    return at + 1, lines[at].rstrip()


def _comment_above(lines: list[str], line: int) -> tuple[int, str] | None:
    """The comment line right above a definition (above its decorators, if any)."""
    at = line - 1
    while at >= 0 and lines[at].lstrip().startswith("@"):
        at -= 1
    if at >= 0 and lines[at].lstrip().startswith(_COMMENTS) and lines[at].strip():
        return at + 1, lines[at].rstrip()
    return None
