"""The cursor's scope and the names in play: what a request is about, beyond its own lines.

A cursor on a `def` line ("document this", "add error handling here", "write tests for
this") names none of what the function calls, so the identifiers of the selected lines
alone miss the code the edit depends on. The scope is the smallest function, method or class
around the cursor, taken from the tree-sitter tags (`queries/<language>-tags.scm` give each
definition's full line range); the names it references join those of the cursor's lines and
the instruction, cursor first, each group ranked by how specific a name is to this repository.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from glm_lsp.context.rank import SymbolGraph, identifiers_in
from glm_lsp.context.tags import Tag

# Definition categories that enclose code; module-level variables and constants do not.
NOT_SCOPES = frozenset({"constant", "variable", "field", "property", "macro", "import"})


@dataclass(frozen=True)
class Cursor:
    """The selected lines, 1-based and inclusive (a bare cursor is one line)."""

    first: int
    last: int

    def covers(self, tag: Tag) -> bool:
        return tag.line <= self.first - 1 and tag.end_line >= self.last - 1


def enclosing(tags: Iterable[Tag], cursor: Cursor) -> Tag | None:
    """The smallest function, method or class definition containing the cursor's lines."""
    around = [
        t for t in tags if t.kind == "def" and t.category not in NOT_SCOPES and cursor.covers(t)
    ]
    return min(around, key=lambda t: (t.end_line - t.line, -t.line)) if around else None


def specificity(graph: SymbolGraph, name: str) -> float:
    """How much a name pins down one definition: rare across the repository's files
    (inverse document frequency of its references) and defined in few places."""
    files = max(len(graph.files), 1)
    users = len(graph.referrers.get(name) or ())
    definers = max(len(graph.code_defining(name)), 1)
    return math.log((files + 1) / (users + 1)) / definers


@dataclass(frozen=True)
class NamesInPlay:
    """Identifiers that a definition in the repository answers, most telling first."""

    names: tuple[str, ...]
    scope_refs: frozenset[str]  # referenced from the scope (tree-sitter references)
    referenced: frozenset[str]  # named by the instruction or a reference tag in play


def names_in_play(
    graph: SymbolGraph,
    tags: Sequence[Tag],
    text: str,
    cursor: Cursor | None,
    scope: Tag | None,
    instruction: str,
) -> NamesInPlay:
    """What the cursor's lines reference and the instruction names first, then what the
    scope references (both from the tree-sitter reference tags: calls, types, bases,
    decorators, imports), then any other identifier in the scope's or the cursor's text
    (arguments, attribute names, words in comments), by specificity within each group. Only
    names that some file defines are kept, and the scope's own name is left out."""
    lines = text.splitlines()
    tiers: list[set[str]] = [identifiers_in(instruction), set(), set()]
    refs = [t for t in tags if t.kind == "ref"]
    if cursor is not None:
        tiers[0] |= {t.name for t in refs if cursor.first - 1 <= t.line <= cursor.last - 1}
        tiers[2] |= identifiers_in("\n".join(lines[cursor.first - 1 : cursor.last]))
    if scope is not None:
        tiers[1] = {t.name for t in refs if scope.line <= t.line <= scope.end_line}
        tiers[2] |= identifiers_in("\n".join(lines[scope.line : scope.end_line + 1]))
    own = {scope.name} if scope is not None else set()
    ordered: list[str] = []
    seen: set[str] = set(own)
    for tier in tiers:
        fresh = [n for n in tier - seen if graph.defining(n)]
        fresh.sort(key=lambda n: (-specificity(graph, n), n))
        ordered += fresh
        seen |= tier
    return NamesInPlay(
        tuple(ordered), frozenset(tiers[1] - own), frozenset((tiers[0] | tiers[1]) - own)
    )


def about_whole_file(instruction: str) -> bool:
    """Whether the instruction is about the file as a whole ("add type hints to this file",
    "document the module"), so the current file deserves more than its scope."""
    words = {w.lower() for w in identifiers_in(instruction)}
    return bool(words & {"file", "module", "whole", "entire"})
