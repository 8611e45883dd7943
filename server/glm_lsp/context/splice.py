"""Re-tagging a large file after a small edit by parsing only the statements it touched.

A one-line edit of mypy's 300 KB checkexpr.py cost a full parse and tags query, ~55 ms of
the 50 ms that an update and re-rank may take, and it happens on every save. Most of such a
file is one class, so cutting it at its top-level statements alone would not help. The index
therefore keeps, per large file, a `Layout`: a hash per line, the line ranges of its
top-level statements and of the statements directly in their bodies (a class's methods).

After an edit, the lines that differ from the layout's (common prefix and suffix) point at
the statements that changed. tree-sitter parses only those, plus the header (and, in brace
languages, the footer) of the statement whose body holds them, through
`Parser.included_ranges`, which keeps every position that of the whole file. The tags query
runs over that small tree; the old tags elsewhere are kept, shifted by the lines the edit
added. Whatever does not fit (a parse error, a statement at another indentation, a comment
at either end of the region, which tree-sitter may count into the statement beside it, a
region that is most of the file) falls back to the full parse: the result is always what a
full parse gives, which tests and `bench/bench_splice.py` check on random edits of real
files in several languages.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, replace
from zlib import adler32, crc32

from tree_sitter import Node, Parser, Range, Tree

from glm_lsp.context.tags import (
    Row,
    available,
    common_prefix,
    common_suffix,
    grammar,
    parser,
    rows_from_tree,
)

MIN_BYTES = 64_000  # smaller files parse and query whole in under ~10 ms
ALONE = frozenset({"python"})
"""Languages where a statement that parses on its own never joins the one after it (a
decorator or an `else` does not parse alone), so an edit may be parsed without its
neighbours. Elsewhere a line can join the next statement and still parse alone (a label
in Go, C and Java, `(f)()` after `x = a` in JavaScript): an edit is parsed together with
the statements on both sides of it."""


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement on whole lines: `start`..`end` (0-based, inclusive), starting at byte
    `column`; `children` are the statements of its body, when it has one below its header."""

    start: int
    end: int
    column: int
    children: tuple[Statement, ...] = ()

    def shifted(self, lines: int) -> Statement:
        children = tuple(child.shifted(lines) for child in self.children)
        return Statement(self.start + lines, self.end + lines, self.column, children)


@dataclass(frozen=True)
class Layout:
    """What `retag` needs of a file's last version: its lines' hashes and statements."""

    hashes: bytes  # 8 bytes per line (lines split at b"\n")
    statements: tuple[Statement, ...]

    def encode(self) -> bytes:
        statements = json.dumps(_pack(self.statements), separators=(",", ":")).encode()
        return statements + b"\n" + self.hashes

    @staticmethod
    def decode(data: bytes) -> Layout:
        head, _, hashes = data.partition(b"\n")
        return Layout(hashes, _unpack(json.loads(head)))


def _pack(statements: Sequence[Statement]) -> list[object]:
    return [[s.start, s.end, s.column, _pack(s.children)] for s in statements]


def _unpack(packed: list[list]) -> tuple[Statement, ...]:  # type: ignore[type-arg]
    return tuple(Statement(a, b, c, _unpack(children)) for a, b, c, children in packed)


def line_hashes(lines: Sequence[bytes]) -> bytes:
    """64 bits a line (CRC-32 and Adler-32): a changed line looks unchanged once in 2**64."""
    return array("Q", [crc32(line) << 32 | adler32(line) for line in lines]).tobytes()


def tag(
    source: bytes, language: str, previous: tuple[list[Row], Layout] | None = None
) -> tuple[list[Row], Layout | None]:
    """The tags of `source` and, for a large file, its layout; from `previous` (the last
    version's rows and layout) when the edit can be parsed on its own."""
    if not available(language):
        return [], None
    if previous is not None and len(source) >= MIN_BYTES:
        spliced = retag(source, language, *previous)
        if spliced is not None:
            return spliced
    tree = parser(language).parse(source)
    rows = rows_from_tree(tree, source, language)
    return rows, layout_of(tree, source) if len(source) >= MIN_BYTES else None


def layout_of(tree: Tree, source: bytes) -> Layout | None:
    """None for a tree with errors: its statements are no ground to splice on."""
    if tree.root_node.has_error:
        return None
    return Layout(line_hashes(source.split(b"\n")), _statements(tree.root_node.children, True))


def _statements(nodes: Sequence[Node], nested: bool) -> tuple[Statement, ...]:
    """Named statements on whole lines; two sharing a line count as one (no body)."""
    found: list[Statement] = []
    for node in nodes:
        if not node.is_named or node.is_extra:
            continue
        start, end = node.start_point.row, _end_row(node)
        if found and start <= found[-1].end:
            last = found.pop()
            found.append(Statement(last.start, max(last.end, end), last.column))
            continue
        children: tuple[Statement, ...] = ()
        body = _body(node) if nested else None
        if body is not None:
            children = _statements(body.children, False)
            if children and not start < children[0].start <= children[-1].end <= end:
                children = ()
        found.append(Statement(start, end, node.start_point.column, children))
    return tuple(found)


def _body(node: Node) -> Node | None:
    """The body of a class, function, impl, ... (through a decorator or `export`), whose
    named children are its statements."""
    body = node.child_by_field_name("body")
    if body is None:
        inner = node.child_by_field_name("definition") or node.child_by_field_name("declaration")
        body = inner.child_by_field_name("body") if inner is not None else None
    inside = [] if body is None else [c for c in body.named_children if not c.is_extra]
    if len(inside) == 1 and inside[0].type == "statement_list":  # Go wraps its statements
        body = inside[0]
    return body


def _end_row(node: Node) -> int:
    row, column = node.end_point
    return row - 1 if column == 0 and row > node.start_point.row else row


# --- re-tagging --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Region:
    """Old lines `low`..`high` (inclusive) are re-parsed, inside `owner`'s body if given.
    Its statements must start at `column`; `before` (the last line of what precedes it)
    and `after` (the first line of what follows, old numbering) bound the gap lines that
    must be blank, since a comment there may belong to the statement on either side.
    `first` and `last` say that beyond those gaps lies only what the parse includes too
    (its owner's header or footer) or the file's start or end: then the region may begin
    or end with a comment, since the parse sees around it what a full one would."""

    low: int
    high: int
    owner: Statement | None
    column: int
    before: int
    after: int
    first: bool
    last: bool


@dataclass(frozen=True)
class _Edit:
    """Old lines [first, old_stop) became new lines [first, old_stop + lines)."""

    first: int
    old_stop: int
    lines: int


def retag(
    source: bytes, language: str, rows: list[Row], layout: Layout
) -> tuple[list[Row], Layout] | None:
    """The rows and layout of `source`, equal to a full parse's, or None when this edit
    cannot be parsed apart from the rest of the file."""
    lines = source.split(b"\n")
    hashes = line_hashes(lines)
    old_count, new_count = len(layout.hashes) // 8, len(lines)
    same = common_prefix(layout.hashes, hashes) // 8
    tail = common_suffix(layout.hashes, hashes, 8 * (min(old_count, new_count) - same)) // 8
    edit = _Edit(same, old_count - tail, new_count - old_count)
    if edit.first == edit.old_stop and edit.lines == 0:
        return None  # same lines, other bytes: nothing to go by
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for region in _regions(layout.statements, edit, language, old_count):
        if (region.high - region.low + 1 + edit.lines) * 2 > new_count:
            continue  # most of the file: the full parse is as cheap
        done = _try(source, lines, language, rows, layout, edit, region, offsets)
        if done is not None:
            return done[0], Layout(hashes, done[1])
    return None


def _regions(
    statements: tuple[Statement, ...], edit: _Edit, language: str, count: int
) -> list[_Region]:
    """Where to re-parse, narrowest first: within the body of the one statement the edit
    lies in, if any, then at the top. At each, the changed lines with the statements they
    overlap, then with those next to them (both only where statements stand `ALONE`), then
    with the nearest ones on both sides."""
    regions = []
    owner = _owner(statements, edit, count)
    if owner is not None:
        after = [s.start for s in statements if s.start > owner.end][:1] or [count]
        outside = after[0] != count
        if owner.end > owner.children[-1].end:  # a footer (a closing brace): parsed too
            after, outside = [owner.children[-1].end + 1], False
        bounds = (owner.children[0].start - 1, after[0], outside)
        regions += _candidates(owner.children, edit, language, owner, bounds)
    return regions + _candidates(statements, edit, language, None, (-1, count, False))


def _owner(statements: tuple[Statement, ...], edit: _Edit, count: int) -> Statement | None:
    """The statement whose body may hold the whole edit: from its first child to its last,
    or (with no footer to close it, as in Python) to the next statement, since lines
    indented below it after a blank line still belong to it."""
    for i, statement in enumerate(statements):
        children = statement.children
        if not children or not children[0].start <= edit.first:
            continue
        limit = statements[i + 1].start if i + 1 < len(statements) else count
        if statement.end > children[-1].end:
            limit = children[-1].end + 1
        if edit.old_stop <= limit:
            return statement
    return None


def _candidates(
    level: tuple[Statement, ...],
    edit: _Edit,
    language: str,
    owner: Statement | None,
    bounds: tuple[int, int, bool],
) -> list[_Region]:
    """`bounds`: the last line before the level and the first after it, and whether that
    one starts a statement which a parse of the owner leaves out. A level whose statements
    stand at different indentations gives none: tree-sitter takes a line indented deeper
    than it may be as a statement of its own, and a block opened above it (`with db:`)
    takes it for its body."""
    if not level or len({s.column for s in level}) > 1:
        return []  # mixed indentation (below): no level to splice at
    overlapping = [s for s in level if s.end >= edit.first and s.start < edit.old_stop]
    touching = [s for s in level if s.end >= edit.first - 1 and s.start <= edit.old_stop]
    before = [s for s in level if s.end < edit.first][-1:]
    after = [s for s in level if s.start >= edit.old_stop][:1]
    spans = [overlapping, touching] if language in ALONE else []
    spans.append(before + overlapping + after)
    regions = []
    for chosen in spans:
        low = min([edit.first, *(s.start for s in chosen)])
        high = max([edit.old_stop - 1, *(s.end for s in chosen)])
        preceding = [s.end for s in level if s.end < low][-1:]
        following = [s.start for s in level if s.start > high][:1]
        before_line = (preceding or [bounds[0]])[0]
        after_line = (following or [bounds[1]])[0]
        last = not following and not bounds[2]
        region = _Region(
            low, high, owner, level[0].column, before_line, after_line, not preceding, last
        )
        if region not in regions:
            regions.append(region)
    return regions


def _try(
    source: bytes,
    lines: list[bytes],
    language: str,
    rows: list[Row],
    layout: Layout,
    edit: _Edit,
    region: _Region,
    offsets: list[int],
) -> tuple[list[Row], tuple[Statement, ...]] | None:
    """Parse `region` (with its owner's header and footer) and splice; None if it does not
    stand on its own."""
    shift = edit.lines
    new_high = region.high + shift
    gaps = (*lines[region.before + 1 : region.low], *lines[new_high + 1 : region.after + shift])
    if new_high < region.low or any(line.strip() for line in gaps):
        return None
    tree = _parse(source, language, region, shift, offsets)
    found = None if tree is None else _new_statements(tree, region)
    if tree is None or found is None or not _covers(found.statements, lines, region, new_high):
        return None
    fresh = rows_from_tree(tree, source, language)
    spliced = _splice(rows, fresh, region, shift)
    if spliced is None:
        return None
    return spliced, _relayout(layout.statements, region, shift, found)


def _covers(
    statements: tuple[Statement, ...], lines: list[bytes], region: _Region, new_high: int
) -> bool:
    """Whether the region starts with a statement and ends with one (but for blank lines),
    where a comment there may belong to a statement outside it."""
    filled = [i for i in range(region.low, new_high + 1) if lines[i].strip()]
    if not statements or not filled:
        return False
    starts = region.first or filled[:1] == [statements[0].start]
    return starts and (region.last or filled[-1] == statements[-1].end)


def _parse(
    source: bytes, language: str, region: _Region, shift: int, offsets: list[int]
) -> Tree | None:
    """The region's new lines, after its owner's header and before its footer, parsed as
    if nothing else were in the file; None if that has an error."""
    ranges = [(region.low, region.high + shift)]
    owner = region.owner
    if owner is not None:
        footer = (owner.children[-1].end + 1 + shift, owner.end + shift)
        ranges = [(owner.start, owner.children[0].start - 1), *ranges]
        ranges += [footer] if footer[0] <= footer[1] else []
    if any(a > b for a, b in ranges) or ranges[-1][1] + 1 >= len(offsets):
        return None
    end = len(source)
    included = [Range((a, 0), (b + 1, 0), offsets[a], min(offsets[b + 1], end)) for a, b in ranges]
    tree = Parser(grammar(language), included_ranges=included).parse(source)
    return None if tree.root_node.has_error else tree


@dataclass(frozen=True)
class _Found:
    """What the partial tree holds: the region's statements, and the owner's new last line."""

    statements: tuple[Statement, ...]
    owner_end: int = -1


def _new_statements(tree: Tree, region: _Region) -> _Found | None:
    """The region's statements, if they sit where statements of that level must."""
    tops = [n for n in tree.root_node.children if n.is_named and not n.is_extra]
    owner, found = region.owner, _Found(_statements(tops, True))
    if owner is not None:
        if len(tops) != 1 or (tops[0].start_point.row, tops[0].start_point.column) != (
            owner.start,
            owner.column,
        ):
            return None  # the edit left the owner's body (a dedent, say)
        body = _body(tops[0])
        if body is None:
            return None
        found = _Found(_statements(body.children, False), _end_row(tops[0]))
    if any(s.column != region.column or s.start < region.low for s in found.statements):
        return None  # at another indentation than the level's, or reaching into the header
    return found


def _splice(rows: list[Row], fresh: list[Row], region: _Region, shift: int) -> list[Row] | None:
    """Old rows before the region (the owner's own with their new last line), the partial
    tree's rows inside it, old rows after it moved down by `shift` lines."""
    owner = region.owner
    new_high = region.high + shift
    header_end = owner.children[0].start - 1 if owner is not None else -1
    new_ends = {(r[0], r[3]): r[4] for r in fresh if r[1] == "def" and r[3] <= header_end}
    header = range(owner.start if owner is not None else -1, header_end + 1)
    reach = min(region.low - 1, owner.end) if owner is not None else region.low
    before: list[Row] = []
    for row in rows:
        if row[3] >= region.low:
            break
        if row[3] in header and row[1] == "def" and row[4] >= reach:
            if row[4] > region.high:  # the owner's own: it ends where its body now does
                row = (*row[:4], row[4] + shift, row[5])
            elif (end := new_ends.get((row[0], row[3]))) is not None:
                row = (*row[:4], end, row[5])
            else:
                return None
        elif row[4] >= region.low:  # spans the region, yet is not the owner's
            return None
        before.append(row)
    inside = [r for r in fresh if region.low <= r[3] <= new_high]
    after = [
        (r[0], r[1], r[2], r[3] + shift, r[4] + shift, r[5]) for r in rows if r[3] > region.high
    ]
    return before + inside + after


def _relayout(
    statements: tuple[Statement, ...], region: _Region, shift: int, found: _Found
) -> tuple[Statement, ...]:
    """The old layout with the region's statements replaced and those below it moved."""

    def merge(level: tuple[Statement, ...], new: tuple[Statement, ...]) -> tuple[Statement, ...]:
        kept = tuple(s for s in level if s.end < region.low)
        moved = tuple(s.shifted(shift) for s in level if s.start > region.high)
        return kept + new + moved

    owner = region.owner
    if owner is None:
        return merge(statements, found.statements)
    end = owner.end + shift if owner.end > region.high else found.owner_end
    rebuilt = replace(owner, end=end, children=merge(owner.children, found.statements))
    return tuple(
        rebuilt if s is owner else s.shifted(shift) if s.start > region.high else s
        for s in statements
    )
