"""Re-tagging a large file from the statements an edit touched (`context/splice.py`).

The one property that matters: whenever `retag` answers, its tags and layout are exactly
what a full parse of the new text gives. Seeded random edits of real files check it in
several languages; the cases below pin the traps found on the way (a comment that belongs
to the statement above it, a statement moved to another indentation, a Go label).
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
from pathlib import Path

import pytest

from glm_lsp.context import splice
from glm_lsp.context.index import RepoIndex
from glm_lsp.context.tags import Row, extract_tags, language_for, parser, rows_from_tree

ROOT = Path(__file__).resolve().parents[2]


def full(source: bytes, language: str) -> tuple[list[Row], splice.Layout | None]:
    tree = parser(language).parse(source)
    return rows_from_tree(tree, source, language), splice.layout_of(tree, source)


def check(old: bytes, new: bytes, language: str) -> bool:
    """Retag `new` from `old`'s tags; True if it was spliced (and then equals a full parse)."""
    rows, layout = full(old, language)
    assert layout is not None
    got = splice.retag(new, language, rows, layout)
    if got is None:
        return False
    want_rows, want_layout = full(new, language)
    assert got[0] == want_rows
    assert got[1] == want_layout
    return True


def mutate(rng: random.Random, source: bytes) -> bytes:
    """An edit of the kinds people and models make: lines inserted, deleted, copied,
    moved, re-indented, typed into, commented; blocks duplicated or removed."""
    lines = source.split(b"\n")
    n = len(lines)
    k = rng.randrange(n)
    kind = rng.randrange(10)
    if kind == 0:
        lines.insert(k, lines[rng.randrange(n)])
    elif kind == 1:
        del lines[k]
    elif kind == 2:
        lines[k] = b"    " + lines[k]
    elif kind == 3:
        lines[k] = lines[k].lstrip()
    elif kind == 4:
        start = rng.randrange(n)
        lines[k:k] = lines[start : start + rng.randrange(1, 30)]
    elif kind == 5:
        del lines[k : k + rng.randrange(1, 20)]
    elif kind == 6:
        lines.insert(k, rng.choice([b"", b"# note", b"    # note", b"// note", b"-- note"]))
    elif kind == 7 and lines[k]:
        at = rng.randrange(len(lines[k]))
        lines[k] = lines[k][:at] + rng.choice([b"x", b"(", b"'", b" ", b"{", b"}"]) + lines[k][at:]
    elif kind == 8:
        start = rng.randrange(n)
        block = lines[start : start + rng.randrange(1, 15)]
        del lines[start : start + len(block)]
        spot = rng.randrange(len(lines) + 1)
        lines[spot:spot] = block
    else:
        lines[-1:] = [lines[-1] + rng.choice([b"x = 1", b"    y = 2", b"# end", b"}"]), b""]
    return b"\n".join(lines)


SOURCES = [
    "server/glm_lsp/edits/locate.py",
    "server/glm_lsp/context/index.py",
    "server/glm_lsp/assistant/core.py",
    "editors/vscode/src/chatPanel.ts",
    "editors/vscode/src/extension.ts",
    "editors/nvim/lua/glm/chat.lua",
]


@pytest.mark.parametrize("rel", SOURCES)
def test_random_edits_of_real_files_splice_exactly_as_a_full_parse(rel: str) -> None:
    source = (ROOT / rel).read_bytes()
    language = language_for(rel)
    assert language is not None
    rng = random.Random(rel)
    spliced = 0
    for _ in range(40):
        new = mutate(rng, source)
        if full(new, language)[1] is None:
            continue  # the edit broke the file: nothing to splice from next
        spliced += check(source, new, language)
        source = new
    assert spliced >= 5  # the test is not vacuous


BIG_CLASS = b"".join(
    [b'"""A module."""\n\nimport os\n\n\nclass Checker(Base):\n    """One big class."""\n\n']
    + [
        b"    def visit_%d(self, node: Node) -> None:\n        self.check(node, %d)\n\n" % (i, i)
        for i in range(40)
    ]
    + [b"\ndef helper(x):\n    return os.path.join(x)\n"]
)


def test_an_edit_inside_a_method_of_a_big_class_is_spliced() -> None:
    new = BIG_CLASS.replace(b"self.check(node, 7)", b"self.check(node, 7)\n        report(node)")
    assert check(BIG_CLASS, new, "python")


def test_a_method_added_at_the_end_of_a_class_extends_its_last_line() -> None:
    new = BIG_CLASS.replace(
        b"\ndef helper", b"    def added(self) -> None:\n        pass\n\n\ndef helper"
    )
    assert check(BIG_CLASS, new, "python")
    rows = splice.retag(new, "python", *full(BIG_CLASS, "python"))  # type: ignore[arg-type]
    assert rows is not None
    (checker,) = [row for row in rows[0] if row[0] == "Checker" and row[1] == "def"]
    assert checker[4] == new.split(b"\n").index(b"        pass")


def test_a_comment_appended_at_the_end_of_the_file_is_spliced() -> None:
    assert check(BIG_CLASS, BIG_CLASS + b"# glm-lsp bench: one-line edit\n", "python")


def test_an_indented_comment_after_a_class_belongs_to_the_class() -> None:
    """tree-sitter counts a comment indented like the class body into the class, so the
    class's last line moves; a comment-only region would miss that."""
    new = BIG_CLASS.replace(b"\ndef helper", b"    # trailing\n\ndef helper")
    check(BIG_CLASS, new, "python")  # spliced or not, never different from a full parse


def test_a_top_level_function_indented_into_the_one_above_is_not_spliced_wrong() -> None:
    old = BIG_CLASS + b"\n\ndef other(y):\n    return y\n"
    new = old.replace(b"def other(y):\n    return y", b"    def other(y):\n        return y")
    check(old, new, "python")


GO = b"""package main

import "fmt"

func first() {
\tfmt.Println("a")
\tfmt.Println("b")
}

func second() int {
\tx := 1
\tfor i := 0; i < 3; i++ {
\t\tx += i
\t}
\treturn x
}
"""


def test_a_go_label_joins_the_statement_after_it() -> None:
    """`L:` parses on its own at the end of a block, but before a statement it labels it:
    in Go an edit is parsed with its neighbouring statements."""
    new = GO.replace(b"\tfor i", b"\tL:\n\tfor i")
    check(GO, new, "go")
    new = GO.replace(b"\tfor i", b"\tL:\n\n\tfor i")
    check(GO, new, "go")


def test_layouts_survive_their_encoding() -> None:
    layout = full(BIG_CLASS, "python")[1]
    assert layout is not None
    assert splice.Layout.decode(layout.encode()) == layout


def test_a_file_with_a_parse_error_has_no_layout() -> None:
    assert full(b"def broken(:\n    pass\n", "python")[1] is None


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def test_a_block_opened_above_statements_indented_too_deep_is_parsed_whole() -> None:
    """tree-sitter takes lines indented deeper than a class body's as statements of that
    body; a `with` added above them makes them its body, which a parse of the new line
    alone cannot see."""
    head = b"".join(b"def pad_%d():\n    return %d\n\n\n" % (i, i) for i in range(3))
    old = head + (
        b"class Index:\n    def tags(self, rel):\n        with self.lock:\n            return []\n"
        b"    db = connect(path, timeout=10)\n            self.load()\n"
        b"            entry = self.files.get(rel)\n            return entry.tags\n\n"
        b"    def symbols(self, rel):\n        return self.tags(rel)\n"
    )
    new = old.replace(b"            self.load()\n", b"            self.load()\n    with db:\n")
    assert full(old, "python")[1] is not None and full(new, "python")[1] is not None
    check(old, new, "python")  # spliced from the class's whole region, or parsed whole


def test_the_index_updates_a_large_file_from_its_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update of a changed large file splices from the stored layout, and the index
    then holds exactly the tags of a fresh parse; the next edit splices again."""
    monkeypatch.setattr(splice, "MIN_BYTES", 1_000)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.py").write_bytes(BIG_CLASS)
    _git(root, "init", "-q")
    calls: list[bool] = []
    real = splice.retag

    def counting(*args: object) -> object:
        result = real(*args)  # type: ignore[arg-type]
        calls.append(result is not None)
        return result

    monkeypatch.setattr(splice, "retag", counting)
    with RepoIndex(root, cache_dir=tmp_path / "cache", workers=1) as index:
        index.build(["big.py"])
    with RepoIndex(root, cache_dir=tmp_path / "cache", workers=1) as index:
        index.build(["big.py"])  # a new process: the first edit reads the layout back
        reads: list[str] = []
        index._connect().set_trace_callback(reads.append)
        text = BIG_CLASS
        for number in (3, 30):
            text = text.replace(b"node, %d)" % number, b"node, %d)\n        more(node)" % number)
            (root / "big.py").write_bytes(text)
            index.update(["big.py"])
            assert index.tags("big.py") == extract_tags(text, "python")
    assert calls == [True, True]
    layouts = [q for q in reads if q.startswith("SELECT layout")]
    assert len(layouts) == 1  # the second edit starts from what the first one left in memory


def test_a_large_files_edit_is_written_to_the_cache_a_moment_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The edit's tags serve at once from memory; the database keeps the previous version
    (a process reading it meanwhile parses the file again) until `flush`, after which a
    new process reuses the edit's tags and layout without parsing."""
    monkeypatch.setattr(splice, "MIN_BYTES", 1_000)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "big.py").write_bytes(BIG_CLASS)
    _git(root, "init", "-q")
    cache = tmp_path / "cache"
    edited = BIG_CLASS.replace(b"node, 3)", b"node, 3)\n        more(node)")

    def stored_hash() -> str:
        with sqlite3.connect(next(cache.glob("*.sqlite"))) as db:
            return str(db.execute("SELECT hash FROM files").fetchone()[0])

    with RepoIndex(root, cache_dir=cache, workers=1) as index:
        index.build(["big.py"])
        index.flush()
        before = stored_hash()
        (root / "big.py").write_bytes(edited)
        index.update(["big.py"])
        assert index.tags("big.py") == extract_tags(edited, "python")
        assert stored_hash() == before
        index.flush()
        assert stored_hash() == index._files["big.py"].hash != before
    with RepoIndex(root, cache_dir=cache, workers=1) as index:
        stats = index.build(["big.py"])
        assert (stats.parsed, stats.cache_hits) == (0, 1)
        assert index.tags("big.py") == extract_tags(edited, "python")
        assert index._previous("big.py") is not None  # the layout was written too
