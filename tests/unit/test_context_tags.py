"""Symbol tags: one fixture per language, query files, dedupe, incremental buffers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from glm_lsp.context import tags as tags_module
from glm_lsp.context.tags import (
    LANGUAGES,
    SPECS,
    BufferTags,
    Tag,
    common_prefix,
    common_suffix,
    compile_query,
    extract_tags,
    language_for,
    queries_version,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tags"
QUERIES = Path(tags_module.__file__).parent / "queries"

# (name, category, line, end_line, signature) of key definitions, and (name, category, line)
# of some references, per fixture. Lines are 0-based.
EXPECTED: dict[str, tuple[list[tuple[str, str, int, int, str]], list[tuple[str, str, int]]]] = {
    "sample.py": (
        [
            ("MAX_ITEMS", "constant", 6, 6, "MAX_ITEMS = 10"),
            ("Shape", "class", 9, 13, "class Shape:"),
            ("area", "method", 12, 13, "def area(self) -> float:"),
            ("Circle", "class", 17, 22, "class Circle(Shape):"),
            ("area", "method", 21, 22, "def area(self) -> float:"),
            ("make_registry", "function", 25, 31, "def make_registry("),
            ("total_area", "function", 34, 35, "def total_area(shapes: list[Shape]) -> float:"),
        ],
        [
            ("OrderedDict", "import", 2),
            ("Shape", "class", 17),
            ("dataclass", "call", 16),
            ("OrderedDict", "call", 28),
            ("Circle", "call", 30),
            ("path_join", "call", 35),
            ("Shape", "type", 34),
        ],
    ),
    "sample.js": (
        [
            ("Greeter", "class", 1, 9, "class Greeter {"),
            ("greet", "method", 6, 8, "greet() {"),
            ("formatGreeting", "function", 11, 13, "function formatGreeting(name) {"),
            ("shout", "function", 15, 15, "const shout = (text) => text.toUpperCase();"),
        ],
        [("formatGreeting", "call", 7), ("Greeter", "class", 17), ("shout", "call", 18)],
    ),
    "sample.jsx": (
        [("App", "function", 20, 22, "function App() {")],
        [("Badge", "class", 21), ("shout", "call", 21)],
    ),
    "sample.ts": (
        [
            ("Repository", "interface", 1, 3, "export interface Repository<T> {"),
            ("UserId", "type", 5, 5, "type UserId = string;"),
            (
                "UserStore",
                "class",
                7,
                13,
                "export class UserStore implements Repository<User> {",
            ),
            ("find", "method", 10, 12, "find(id: UserId): User | undefined {"),
            ("createStore", "function", 15, 17, "export function createStore(): UserStore {"),
            ("Base", "class", 19, 21, "abstract class Base {"),
            ("describe", "method", 20, 20, "abstract describe(): string;"),
            ("Color", "enum", 23, 26, "enum Color {"),
        ],
        [("Repository", "type", 7), ("UserStore", "class", 16), ("get", "call", 11)],
    ),
    "sample.tsx": (
        [
            ("ButtonProps", "interface", 1, 3, "interface ButtonProps {"),
            ("Button", "function", 5, 12, "export function Button(props: ButtonProps) {"),
            ("handleClick", "function", 14, 16, "function handleClick(label: string): void {"),
        ],
        [("Icon", "class", 8), ("handleClick", "call", 7), ("ButtonProps", "type", 5)],
    ),
    "sample.go": (
        [
            ("Point", "class", 6, 8, "type Point struct {"),
            ("Shape", "interface", 11, 13, "type Shape interface {"),
            ("Area", "method", 12, 12, "Area() float64"),
            ("Add", "method", 16, 18, "func (p Point) Add(q Point) Point {"),
            ("NewPoint", "function", 21, 24, "func NewPoint(x, y int) Point {"),
        ],
        [("Println", "call", 22), ("Point", "type", 16)],
    ),
    "sample.rs": (
        [
            ("Counter", "class", 1, 3, "pub struct Counter {"),
            ("Tick", "interface", 5, 7, "pub trait Tick {"),
            ("new", "method", 10, 12, "pub fn new() -> Self {"),
            ("tick", "method", 16, 18, "fn tick(&mut self) {"),
            ("Mode", "class", 21, 24, "pub enum Mode {"),
            ("run", "function", 26, 30, "fn run() {"),
        ],
        [
            ("new", "call", 27),
            ("Counter", "type", 27),
            ("Tick", "implementation", 15),
            ("println", "call", 29),
        ],
    ),
    "sample.java": (
        [
            ("Inventory", "class", 6, 20, "public class Inventory implements Countable {"),
            ("Inventory", "constructor", 9, 10, "public Inventory() {"),
            ("count", "method", 13, 15, "public int count() {"),
            ("add", "method", 17, 19, "public void add(String item) {"),
            ("Countable", "interface", 22, 24, "interface Countable {"),
            ("Unit", "enum", 26, 29, "enum Unit {"),
        ],
        [("size", "call", 14), ("ArrayList", "class", 7), ("Countable", "implementation", 6)],
    ),
    "sample.c": (
        [
            ("MAX_LEN", "macro", 3, 3, "#define MAX_LEN 64"),
            ("point", "class", 5, 8, "struct point {"),
            ("point_t", "type", 10, 10, "typedef struct point point_t;"),
            ("point_sum", "function", 14, 14, "int point_sum(const struct point *p);"),
            ("point_sum_impl", "function", 17, 20, "point_sum_impl(const point_t *p)"),
            ("point_name", "function", 22, 27, "char *point_name(point_t p)"),
        ],
        [("snprintf", "call", 25), ("point_sum_impl", "call", 25), ("point_t", "type", 17)],
    ),
    "sample.cpp": (
        [
            ("geo", "module", 4, 24, "namespace geo {"),
            ("Shape", "class", 6, 10, "class Shape {"),
            ("area", "method", 9, 9, "virtual double area() const = 0;"),
            ("Square", "class", 13, 20, "class Square : public Shape {"),
            ("Square", "method", 15, 15, "explicit Square(T side) : side_(side) {}"),
            (
                "total_area",
                "function",
                22,
                22,
                "double total_area(const std::vector<Shape *> &shapes);",
            ),
            (
                "total_area",
                "method",
                26,
                32,
                "double geo::total_area(const std::vector<geo::Shape *> &shapes) {",
            ),
            ("main", "function", 34, 38, "int main() {"),
        ],
        [("area", "call", 29), ("total_area", "call", 37), ("Shape", "type", 13)],
    ),
    "sample.rb": (
        [
            ("Billing", "module", 1, 17, "module Billing"),
            ("Invoice", "class", 2, 16, "class Invoice < Record"),
            ("initialize", "method", 5, 7, "def initialize(total)"),
            ("build", "method", 9, 11, "def self.build(amount)"),
            ("paid?", "method", 13, 15, "def paid?"),
        ],
        [("Record", "class", 2), ("Ledger", "class", 14), ("lookup", "call", 14)],
    ),
    "sample.lua": (
        [
            ("greet", "function", 3, 5, "function M.greet(name)"),
            ("describe", "method", 7, 9, "function M:describe()"),
            ("format_name", "function", 11, 13, "local function format_name(name)"),
            ("shout", "function", 15, 17, "M.shout = function(text)"),
        ],
        [("format_name", "call", 4), ("print", "call", 19), ("greet", "call", 19)],
    ),
    "sample.cs": (
        [
            ("Billing", "module", 4, 45, "namespace Sample.Billing"),
            ("IPayable", "interface", 6, 10, "public interface IPayable"),
            ("Receipt", "record", 12, 12, "public record Receipt(string Id, decimal Amount);"),
            ("Money", "struct", 14, 17, "public struct Money"),
            ("Status", "enum", 19, 23, "public enum Status"),
            ("Invoice", "class", 25, 44, "public class Invoice : IPayable"),
            ("Invoice", "constructor", 29, 32, "public Invoice(decimal amount)"),
            ("Amount", "property", 34, 34, "public decimal Amount { get; }"),
            ("Pay", "method", 36, 41, "public void Pay()"),
            (
                "Log",
                "method",
                43,
                43,
                "private static void Log(Receipt receipt) => Console.WriteLine(receipt);",
            ),
        ],
        [
            ("IPayable", "class", 25),
            ("Receipt", "class", 38),
            ("Add", "call", 39),
            ("Log", "call", 40),
            ("WriteLine", "call", 43),
        ],
    ),
}


def _tags(fixture: str) -> list[Tag]:
    path = FIXTURES / fixture
    language = language_for(path)
    assert language is not None
    return extract_tags(path.read_bytes(), language)


def test_every_language_has_a_fixture() -> None:
    covered = {language_for(name) for name in EXPECTED}
    assert covered == set(SPECS)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_definitions(fixture: str) -> None:
    defs = {(t.name, t.category, t.line, t.end_line, t.signature) for t in _tags(fixture)}
    for expected in EXPECTED[fixture][0]:
        assert expected in defs, f"{expected} not in {sorted(defs, key=lambda d: d[2])}"


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_fixture_references(fixture: str) -> None:
    tags = _tags(fixture)
    refs = {(t.name, t.category, t.line) for t in tags if t.kind == "ref"}
    for expected in EXPECTED[fixture][1]:
        assert expected in refs, f"{expected} not in {sorted(refs, key=lambda r: r[2])}"
    assert all(t.signature == "" and t.end_line == t.line for t in tags if t.kind == "ref")


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_no_duplicates_and_no_self_references(fixture: str) -> None:
    tags = _tags(fixture)
    keys = [(t.name, t.kind, t.line) for t in tags]
    assert len(keys) == len(set(keys))
    defs = {(t.name, t.line) for t in tags if t.kind == "def"}
    assert not [t for t in tags if t.kind == "ref" and (t.name, t.line) in defs]
    assert tags == sorted(tags, key=lambda t: (t.line, t.kind, t.name))


def test_noise_is_not_tagged() -> None:
    js = {t.name for t in _tags("sample.js") if t.kind == "def"}
    assert "constructor" not in js
    jsx = {t.name for t in _tags("sample.jsx")}
    assert "div" not in jsx  # lower-case JSX tags are HTML elements
    python = {(t.name, t.category) for t in _tags("sample.py") if t.kind == "def"}
    assert ("area", "function") not in python  # methods win over the generic function pattern


@pytest.mark.parametrize("language", sorted(SPECS))
def test_queries_compile(language: str) -> None:
    query = compile_query(language)
    names = {query.capture_name(i) for i in range(query.capture_count)}
    assert "name" in names
    assert any(name.startswith("definition.") for name in names)
    assert any(name.startswith("reference.") for name in names)
    assert tags_module.available(language)


def test_query_files_name_their_source_and_are_all_used() -> None:
    files = {path.name for path in QUERIES.glob("*-tags.scm")}
    used = {f"{stem}-tags.scm" for spec in SPECS.values() for stem in spec.queries}
    assert files == used
    for name in files:
        header = (QUERIES / name).read_text().splitlines()[:6]
        assert all(line.startswith(";") for line in header[:2]), name
        text = " ".join(header)
        assert "MIT" in text or "Written for glm-lsp" in text, name


def test_typescript_query_is_javascript_plus_typescript() -> None:
    for language in ("typescript", "tsx"):
        assert SPECS[language].queries[:2] == ("ecmascript", "typescript")
    assert "jsx" in SPECS["tsx"].queries and "jsx" not in SPECS["typescript"].queries


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b.py", "python"),
        ("stub.pyi", "python"),
        ("x.mjs", "javascript"),
        ("x.cjs", "javascript"),
        ("App.jsx", "javascript"),
        ("x.mts", "typescript"),
        ("x.cts", "typescript"),
        ("App.tsx", "tsx"),
        ("main.go", "go"),
        ("lib.rs", "rust"),
        ("A.java", "java"),
        ("x.h", "c"),
        ("x.hpp", "cpp"),
        ("x.cc", "cpp"),
        ("x.cxx", "cpp"),
        ("x.hh", "cpp"),
        ("x.hxx", "cpp"),
        ("X.CPP", "cpp"),
        ("a.rb", "ruby"),
        ("init.lua", "lua"),
        ("Program.cs", "csharp"),
        ("README.md", None),
        ("Makefile", None),
    ],
)
def test_language_for(path: str, language: str | None) -> None:
    assert language_for(path) == language


def test_languages_cover_the_promised_extensions() -> None:
    promised = ".py .pyi .js .mjs .cjs .jsx .ts .mts .cts .tsx .go .rs .java .c .h .cc .cpp"
    promised += " .cxx .hpp .hh .hxx .rb .lua .cs"
    assert set(promised.split()) == set(LANGUAGES)


def test_long_lines_keep_the_name_in_the_signature() -> None:
    source = b"var x = [" + b"1, " * 400 + b"]; function far_away() { return x; }\n"
    (tag,) = [t for t in extract_tags(source, "javascript") if t.kind == "def"]
    assert tag.name == "far_away"
    assert len(tag.signature) <= 200 and "far_away" in tag.signature


def test_broken_and_non_utf8_source_still_tags() -> None:
    source = "def ok(): pass\ndef broken(:\n    'caf\u00e9'\n".encode() + b"\xff\xfe\n"
    names = {t.name for t in extract_tags(source, "python") if t.kind == "def"}
    assert "ok" in names


def test_queries_version_tracks_query_text(monkeypatch: pytest.MonkeyPatch) -> None:
    version = queries_version()
    assert version == queries_version.__wrapped__()
    original = tags_module._query_file
    monkeypatch.setattr(tags_module, "_query_file", lambda stem: original(stem) + "\n; edited")
    assert queries_version.__wrapped__() != version


def test_missing_grammar_costs_only_that_language(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    spec = SPECS["lua"]
    broken = tags_module.LanguageSpec("nolang", "tree_sitter_does_not_exist", spec.queries)
    monkeypatch.setitem(SPECS, "nolang", broken)
    assert tags_module.extract_rows(b"print(1)", "nolang") == []
    assert "no symbol tags for nolang" in caplog.text
    tags_module.available.cache_clear()


# --- prefix / suffix and incremental buffers --------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_common_prefix_and_suffix_match_naive(seed: int) -> None:
    rng = random.Random(seed)
    base = bytes(rng.choice(b"ab\n") for _ in range(rng.randrange(0, 200_000)))
    cut = rng.randrange(0, len(base) + 1)
    other = base[:cut] + bytes(rng.choice(b"abc") for _ in range(rng.randrange(0, 5)))
    other += base[cut + rng.randrange(0, 3) :]
    prefix = common_prefix(base, other)
    naive = next((i for i, (x, y) in enumerate(zip(base, other, strict=False)) if x != y), None)
    assert prefix == (min(len(base), len(other)) if naive is None else naive)
    limit = min(len(base), len(other)) - prefix
    suffix = common_suffix(base, other, limit)
    assert suffix <= limit
    assert base[len(base) - suffix :] == other[len(other) - suffix :]
    if suffix < limit:
        assert base[len(base) - suffix - 1] != other[len(other) - suffix - 1]


SNIPPETS = [
    b"def added(x):\n    return helper(x)\n",
    b"class Extra(Base):\n    def m(self):\n        pass\n",
    b"(",
    b"\n",
    b"    ",
    b"call_me()\n",
    "caf\u00e9 = '\u00e9t\u00e9'\n".encode(),
    b"",
]


def _random_edit(rng: random.Random, source: bytes) -> tuple[int, int, bytes]:
    start = rng.randrange(0, len(source) + 1)
    end = min(len(source), start + rng.choice([0, 0, 1, 5, 40]))
    return start, end, rng.choice(SNIPPETS)


@pytest.mark.parametrize("fixture", ["sample.py", "sample.ts", "sample.c", "sample.rb"])
def test_incremental_buffer_matches_fresh_parse(fixture: str) -> None:
    path = FIXTURES / fixture
    language = language_for(path)
    assert language is not None
    rng = random.Random(fixture)
    source = path.read_bytes()
    by_edit = BufferTags(language, source)
    by_text = BufferTags(language, source)
    assert by_edit.tags() == extract_tags(source, language)
    for _ in range(60):
        start, end, text = _random_edit(rng, source)
        source = source[:start] + text + source[end:]
        fresh = extract_tags(source, language)
        assert by_edit.edit(start, end, text) == fresh
        assert by_text.replace(source) == fresh
        assert by_edit.source == by_text.source == source
        assert str(by_edit.tree.root_node) == str(by_text.tree.root_node)


def test_buffer_tags_object_is_stable_until_the_text_changes() -> None:
    buffer = BufferTags("python", b"def a():\n    pass\n")
    first = buffer.tags()
    assert buffer.tags() is first
    assert buffer.replace(b"def a():\n    pass\n") is first
    assert [t.name for t in buffer.replace(b"def b():\n    pass\n") if t.kind == "def"] == ["b"]


def test_buffer_edit_rejects_ranges_outside_the_text() -> None:
    buffer = BufferTags("python", b"x = 1\n")
    with pytest.raises(ValueError):
        buffer.edit(3, 99, b"")
