"""Symbol tags (definitions and references) from tree-sitter queries kept as data files.

The repo map needs, per file, which names it defines (with a one-line signature and the
line range of the whole definition) and which names it references. tree-sitter gives both
from a `<language>-tags.scm` query in `queries/`; the queries are data, so improving one
needs no code change, and `queries_version()` lets caches notice that a query changed.

Grammars come from the per-language wheels (`tree-sitter-python`, ...), which work
offline; parsers and compiled queries are created once per process (parsers once per
thread, since a parser is not thread-safe).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import os
import re
import threading
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path, PurePath
from typing import Literal

from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

log = logging.getLogger(__name__)

Kind = Literal["def", "ref"]
Row = tuple[str, Kind, str, int, int, str]  # a Tag's fields, cheaper to build and pickle

TAGS_FORMAT = 1  # bump when the meaning of a Tag's fields changes (invalidates caches)
SIGNATURE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Tag:
    """One definition or reference of a name in a file.

    `line` is the 0-based line of the name itself; for a definition `end_line` is the last
    line of the whole definition (so `line..end_line` covers the body), for a reference it
    equals `line`. `signature` is the stripped source line holding a definition's name,
    at most 200 characters ("" for references): the line a reader recognises the symbol by,
    even when decorators, annotations or a return type on its own line come first.
    """

    name: str
    kind: Kind
    category: str  # class, function, method, interface, module, type, constant, call, ...
    line: int
    end_line: int
    signature: str


@dataclass(frozen=True)
class LanguageSpec:
    """Where a language's grammar lives and which query files make up its tags query."""

    name: str
    module: str  # the grammar wheel's import name
    queries: tuple[str, ...]  # `queries/<stem>-tags.scm` files, concatenated in order
    function: str = "language"  # the module attribute returning the grammar


def _spec(name: str, wheel: str, *queries: str, function: str = "language") -> LanguageSpec:
    module = "tree_sitter_" + wheel.replace("-", "_")
    return LanguageSpec(name, module, queries or (name,), function)


_PYTHON = _spec("python", "python")
_JAVASCRIPT = _spec("javascript", "javascript", "ecmascript", "javascript", "jsx")
_TYPESCRIPT = _spec(
    "typescript", "typescript", "ecmascript", "typescript", function="language_typescript"
)
_TSX = _spec("tsx", "typescript", "ecmascript", "typescript", "jsx", function="language_tsx")
_C = _spec("c", "c")
_CPP = _spec("cpp", "cpp")
_GO = _spec("go", "go")
_RUST = _spec("rust", "rust")
_JAVA = _spec("java", "java")
_RUBY = _spec("ruby", "ruby")
_LUA = _spec("lua", "lua")
_CSHARP = _spec("csharp", "c-sharp")

LANGUAGES: dict[str, LanguageSpec] = {
    **dict.fromkeys((".py", ".pyi"), _PYTHON),
    **dict.fromkeys((".js", ".mjs", ".cjs", ".jsx"), _JAVASCRIPT),
    **dict.fromkeys((".ts", ".mts", ".cts"), _TYPESCRIPT),
    ".tsx": _TSX,
    ".go": _GO,
    ".rs": _RUST,
    ".java": _JAVA,
    **dict.fromkeys((".c", ".h"), _C),
    **dict.fromkeys((".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"), _CPP),
    ".rb": _RUBY,
    ".lua": _LUA,
    ".cs": _CSHARP,
}
"""File extension (lower case, with the dot) → language."""

SPECS: dict[str, LanguageSpec] = {spec.name: spec for spec in LANGUAGES.values()}
"""Language name → language."""


def language_for(path: str | PurePath) -> str | None:
    """The language of a file by its extension, or None when we have no tags for it.

    String work, not PurePath or even `os.path.splitext`: a refresh asks this of every file
    (5,000 in ansible), and building paths took a fifth of a warm start. As with splitext,
    the leading dots of a name do not start an extension (".py" is not Python)."""
    text = os.fspath(path)
    start = max(text.rfind("/"), text.rfind(os.sep)) + 1
    dot = text.rfind(".")
    if dot <= start or not text[start:dot].lstrip("."):
        return None
    spec = LANGUAGES.get(text[dot:].lower())
    return spec.name if spec else None


# --- grammars and queries ------------------------------------------------------------


QUERIES = Path(__file__).with_name("queries")


def _query_file(stem: str) -> str:
    """Read straight from the package folder: `importlib.resources` cost a one-shot
    `glm-lsp context` 5-8 ms for the thirteen files."""
    return (QUERIES / f"{stem}-tags.scm").read_text(encoding="utf-8")


def query_text(language: str) -> str:
    """The full tags query of a language (its query files joined)."""
    return "\n".join(_query_file(stem) for stem in SPECS[language].queries)


@cache
def grammar(language: str) -> Language:
    """The tree-sitter grammar of a language (imported on first use)."""
    spec = SPECS[language]
    module = importlib.import_module(spec.module)
    return Language(getattr(module, spec.function)())


@dataclass(frozen=True, slots=True)
class _Role:
    """What a pattern tags: `kind` "" for patterns without a definition/reference capture."""

    kind: Kind | Literal[""]
    category: str
    capture: str  # the @definition.* / @reference.* capture naming the whole node


_NO_ROLE = _Role("", "", "")
_ROLE = re.compile(r"@(definition|reference)\.([\w.]+)")


@dataclass(frozen=True)
class _Compiled:
    """A tags query and each of its patterns' role, read from the pattern's text. The
    whole node of a reference is never used, so its capture is disabled: every match
    then builds one Node object fewer (a tenth of the query's time over Python files)."""

    query: Query
    roles: tuple[_Role, ...]  # by pattern index


@cache
def _compiled(language: str) -> _Compiled:
    text = query_text(language)
    query = Query(grammar(language), text)
    encoded = text.encode("utf-8")  # (pattern offsets are in bytes)
    roles = []
    for pattern in range(query.pattern_count):
        start, end = query.start_byte_for_pattern(pattern), query.end_byte_for_pattern(pattern)
        found = set(_ROLE.findall(encoded[start:end].decode("utf-8")))
        if len(found) > 1:
            raise ValueError(f"pattern {pattern} of the {language} tags query has two roles")
        head, category = found.pop() if found else ("", "")
        kind: Kind | Literal[""] = "def" if head == "definition" else "ref" if head else ""
        roles.append(_Role(kind, category, f"{head}.{category}") if kind else _NO_ROLE)
    for capture in range(query.capture_count):
        if query.capture_name(capture).startswith("reference."):
            query.disable_capture(query.capture_name(capture))
    return _Compiled(query, tuple(roles))


def compile_query(language: str) -> Query:
    """The compiled tags query (raises if a query file does not fit its grammar)."""
    return _compiled(language).query


@cache
def available(language: str) -> bool:
    """Whether the grammar imports and the query compiles. A missing or incompatible
    grammar wheel costs that language its tags (logged once), not the whole index."""
    try:
        _compiled(language)
    except Exception as error:  # ImportError, a QueryError from a newer grammar, ...
        log.warning("no symbol tags for %s: %s", language, error)
        return False
    return True


_local = threading.local()


def parser(language: str) -> Parser:
    """This thread's parser for a language."""
    parsers: dict[str, Parser] = _local.__dict__.setdefault("parsers", {})
    found = parsers.get(language)
    if found is None:
        found = parsers[language] = Parser(grammar(language))
    return found


@cache
def queries_version() -> str:
    """A hash of everything that decides the tags of a file: the query files, the grammar
    builds and TAGS_FORMAT; caches keyed by it are invalidated when any of them changes."""
    digest = hashlib.sha1(f"tags-format {TAGS_FORMAT}\n".encode())
    for language, spec in sorted(SPECS.items()):
        digest.update(f"{language} {_grammar_build(spec.module)}\n".encode())
    stems = sorted({stem for spec in SPECS.values() for stem in spec.queries})
    for stem in stems:
        digest.update(f"{stem}\n{_query_file(stem)}\n".encode())
    return digest.hexdigest()


def _grammar_build(module: str) -> str:
    """The names and sizes of a grammar package's compiled files: they change with its
    version, and reading them takes 1-3 ms where `importlib.metadata` took 50-75 ms to
    import itself and parse each wheel's METADATA, in every one-shot `glm-lsp context`."""
    found = importlib.util.find_spec(module)
    folders = found.submodule_search_locations if found else None
    if not folders:
        return "unknown"
    with os.scandir(folders[0]) as entries:
        built = sorted(
            f"{entry.name}:{entry.stat().st_size}"
            for entry in entries
            if entry.name.endswith((".so", ".pyd")) and entry.is_file()
        )
    return " ".join(built) or "unknown"


# --- extraction ------------------------------------------------------------------------


def extract_tags(source: bytes, language: str) -> list[Tag]:
    """Definitions and references in `source`, sorted by line (definitions first)."""
    return [Tag(*row) for row in extract_rows(source, language)]


def extract_rows(source: bytes, language: str) -> list[Row]:
    """`extract_tags` as plain tuples: what index workers send back, without building Tags."""
    if not available(language):
        return []
    return rows_from_tree(parser(language).parse(source), source, language)


def rows_from_tree(tree: Tree, source: bytes, language: str) -> list[Row]:
    """Run the tags query over an already parsed tree of `source`.

    Duplicates (the same name, kind and line) keep the earliest pattern's category, since
    the query files list specific patterns before general ones. References that merely
    repeat a definition on its own line are dropped. This loop runs for every match in the
    repository (~15,000 per MB of Python), hence the inlined, allocation-shy code.
    """
    compiled = _compiled(language)
    roles = compiled.roles
    defs: dict[tuple[str, int], tuple[int, Row]] = {}
    refs: dict[tuple[str, int], tuple[int, Row]] = {}
    for pattern, captures in QueryCursor(compiled.query).matches(tree.root_node):
        role = roles[pattern]
        kind = role.kind
        if kind == "":
            continue
        seen = refs if kind == "ref" else defs
        for name in captures.get("name", ()):
            start = name.start_byte
            text = source[start : name.end_byte].decode("utf-8", "replace")
            line = name.start_point[0]
            key = (text, line)
            old = seen.get(key)
            if old is None or pattern < old[0]:  # earlier patterns are more specific
                row: Row
                if kind == "ref":
                    row = (text, "ref", role.category, line, line, "")
                else:
                    end = _last_line(captures[role.capture][0], line)
                    row = (text, "def", role.category, line, end, _signature(source, start))
                seen[key] = (pattern, row)
    rows = [row for _, row in defs.values()]
    rows += [row for key, (_, row) in refs.items() if key not in defs]
    rows.sort(key=_ROW_ORDER)
    return rows


_ROW_ORDER = itemgetter(3, 1, 0)  # line, then "def" before "ref", then name


def _last_line(node: Node, line: int) -> int:
    """The definition's last line; a node ending at column 0 (a trailing newline, as in a
    C `#define`) really ends on the line before."""
    row, column = node.end_point
    if column == 0 and row > line:
        row -= 1
    return max(row, line)


def _signature(source: bytes, offset: int) -> str:
    """The stripped source line around `offset`; a long (minified) line is cut around the
    name so the name stays visible."""
    start = source.rfind(b"\n", 0, offset) + 1
    end = source.find(b"\n", offset)
    end = len(source) if end < 0 else end
    if end - start > SIGNATURE_CHARS:
        start = max(start, offset - SIGNATURE_CHARS // 4)
        end = min(end, start + SIGNATURE_CHARS * 4)  # bytes; chars are cut below
    text = source[start:end].decode("utf-8", "replace").strip()
    return text[:SIGNATURE_CHARS]


# --- open buffers ------------------------------------------------------------------------


class BufferTags:
    """The tags of one open editor buffer, re-parsed incrementally as it changes.

    tree-sitter reuses the unchanged parts of the previous tree when told which byte range
    changed, so a keystroke costs a fraction of a millisecond to re-parse even in a large
    file; the tags query then runs over the new tree.
    """

    def __init__(self, language: str, source: bytes = b"") -> None:
        self.language = language
        self._source = source
        self._tree = parser(language).parse(source)
        self._tags: list[Tag] | None = None

    @property
    def source(self) -> bytes:
        return self._source

    @property
    def tree(self) -> Tree:
        return self._tree

    def tags(self) -> list[Tag]:
        """The current tags; the same list object until the text changes."""
        if self._tags is None:
            rows = rows_from_tree(self._tree, self._source, self.language)
            self._tags = [Tag(*row) for row in rows]
        return self._tags

    def replace(self, new: bytes) -> list[Tag]:
        """Take the buffer's whole new text; the edited range is what differs between the
        old and new text (common prefix and suffix), so full-sync clients stay incremental."""
        old = self._source
        if new == old:
            return self.tags()
        prefix = common_prefix(old, new)
        suffix = common_suffix(old, new, limit=min(len(old), len(new)) - prefix)
        return self._apply(prefix, len(old) - suffix, new, len(new) - suffix)

    def edit(self, start_byte: int, old_end_byte: int, new_text: bytes) -> list[Tag]:
        """Apply an LSP-style change: bytes `start_byte:old_end_byte` become `new_text`."""
        old = self._source
        if not 0 <= start_byte <= old_end_byte <= len(old):
            raise ValueError(f"edit range {start_byte}:{old_end_byte} outside 0:{len(old)}")
        new = old[:start_byte] + new_text + old[old_end_byte:]
        return self._apply(start_byte, old_end_byte, new, start_byte + len(new_text))

    def _apply(self, start: int, old_end: int, new: bytes, new_end: int) -> list[Tag]:
        old = self._source
        self._tree.edit(
            start_byte=start,
            old_end_byte=old_end,
            new_end_byte=new_end,
            start_point=point_at(old, start),
            old_end_point=point_at(old, old_end),
            new_end_point=point_at(new, new_end),
        )
        self._tree = parser(self.language).parse(new, self._tree)
        self._source = new
        self._tags = None
        return self.tags()


def point_at(source: bytes, offset: int) -> tuple[int, int]:
    """tree-sitter's (row, byte column) of a byte offset."""
    row = source.count(b"\n", 0, offset)
    return row, offset - (source.rfind(b"\n", 0, offset) + 1)


def common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, comparing big slices first (C-speed memcmp) and halving
    the step at the first mismatch, so a 1 MB buffer costs well under a millisecond."""
    limit, done, step = min(len(a), len(b)), 0, 1 << 16
    while step:
        while done + step <= limit and a[done : done + step] == b[done : done + step]:
            done += step
        step >>= 1
    return done


def common_suffix(a: bytes, b: bytes, limit: int) -> int:
    """Length of the common suffix, at most `limit` bytes (so it cannot overlap the prefix)."""
    la, lb, done, step = len(a), len(b), 0, 1 << 16
    while step:
        while done + step <= limit and (
            a[la - done - step : la - done] == b[lb - done - step : lb - done]
        ):
            done += step
        step >>= 1
    return done
