"""Ranking, the repo map and the budget: pure parts plus a real temporary repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from glm_lsp.context.assemble import Material, Related, assemble
from glm_lsp.context.budget import TokenCounter, prompt_budget
from glm_lsp.context.definitions import Definition
from glm_lsp.context.engine import ContextEngine, ContextRequest
from glm_lsp.context.rank import Focus, SymbolGraph, _unique_pairs
from glm_lsp.context.tags import Tag
from helpers import make_repo


def d(name: str, line: int = 0) -> Tag:
    return Tag(
        name=name,
        kind="def",
        category="function",
        line=line,
        end_line=line + 1,
        signature=f"def {name}():",
    )


def r(name: str, line: int = 0) -> Tag:
    return Tag(name=name, kind="ref", category="call", line=line, end_line=line, signature="")


def test_rank_flows_from_the_current_file_to_what_it_uses() -> None:
    graph = SymbolGraph()
    graph.set_file("main.py", [d("main"), r("parse_config"), r("parse_config")])
    graph.set_file("config.py", [d("parse_config"), r("read_text")])
    graph.set_file("io.py", [d("read_text")])
    graph.set_file("unrelated.py", [d("something_else")])
    ranks = graph.rank({"main.py": 1.0})
    order = sorted(ranks, key=lambda f: -ranks[f])
    assert order == ["main.py", "config.py", "io.py", "unrelated.py"]


def test_changing_one_file_updates_only_what_it_affects() -> None:
    graph = SymbolGraph()
    graph.set_file("a.py", [r("helper_one")])
    graph.set_file("b.py", [d("helper_one")])
    graph.set_file("c.py", [d("helper_two")])
    assert (
        max(graph.rank({"a.py": 1}).items(), key=lambda kv: kv[1] * (kv[0] != "a.py"))[0] == "b.py"
    )
    graph.set_file("a.py", [r("helper_two")])  # the edit now calls the other helper
    ranks = graph.rank({"a.py": 1})
    assert ranks["c.py"] > ranks["b.py"]
    graph.remove_file("c.py")
    assert "c.py" not in graph.rank({"a.py": 1})


def test_assembled_context_fits_the_budget_and_keeps_priorities() -> None:
    counter = TokenCounter("test", 4.0)
    text = "".join(f"line {i}\n" for i in range(1, 400))
    material = Material(
        path="big.py",
        text=text,
        instruction="make it better",
        selection=(200, 201),
        definitions=[
            Definition(
                "other.py",
                "helper",
                "function",
                1,
                2,
                ((1, "def helper():"),),
                "def helper():\n    pass\n",
            )
        ],
        git=lambda: "Branch: main\n" + "diff line\n" * 100,
        repo_map=lambda tokens: "x.py:\n    1│ def x():\n"[: tokens * 4],
        related=[Related("r.py", 450, lambda: "print(1)\n" * 50)],
    )
    for budget in (60, 300, 900, 5000):
        ctx = assemble(material, budget, counter)
        assert ctx.tokens <= budget + len(ctx.sections)  # per-section rounding only
        assert counter.count(ctx.render()) <= budget
        keys = [s.key for s in ctx.sections]
        assert keys[-1] == "instruction"
        if budget >= 300:
            assert "selection" in keys and "current" in keys
    small = assemble(material, 300, counter)
    current = small.section("current")
    assert current is not None and "(lines " in current.text and "line 200\n" in current.text


def test_prompt_budget() -> None:
    assert prompt_budget(window=262_144, max_output=32_768, cap=1_000_000, overhead=1000) == 228_376
    assert prompt_budget(window=1_048_576, max_output=32_768, cap=32_768, overhead=1000) == 32_768
    assert prompt_budget(window=1000, max_output=2000, cap=10, overhead=0) == 0


def test_token_ratio_learns_from_the_provider_and_persists() -> None:
    counter = TokenCounter.load("evolink")
    before = counter.chars_per_token
    counter.observe(chars_sent=30_000, prompt_tokens=10_000)  # 3.0 characters a token
    assert 3.0 < counter.chars_per_token < before
    assert TokenCounter.load("evolink").chars_per_token == round(counter.chars_per_token, 4)
    assert TokenCounter.load("nvidia").chars_per_token == before


def test_an_edited_buffer_reranks_without_touching_the_disk(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "alpha_util.py": "def compute_alpha():\n    return 1\n",
            "beta_util.py": "def compute_beta():\n    return 2\n",
            "main.py": "from alpha_util import compute_alpha\n\nprint(compute_alpha())\n",
        },
    )
    before = (repo / "main.py").stat()
    engine = ContextEngine(repo)
    engine.refresh()
    focus = Focus(current="main.py")
    assert engine.ranked_files(focus)[1] == "alpha_util.py"
    engine.set_buffers({"main.py": "from beta_util import compute_beta\n\nprint(compute_beta())\n"})
    assert engine.ranked_files(focus)[1] == "beta_util.py"
    assert (repo / "main.py").stat().st_mtime_ns == before.st_mtime_ns
    assert "compute_alpha" in (repo / "main.py").read_text()
    context = engine.assemble(ContextRequest("main.py", "x", (3, 3)), 2000, TokenCounter("t"))
    assert "print(compute_beta())" in context.render()  # the buffer, not the disk


def test_an_edit_that_keeps_the_same_definitions_rebuilds_only_its_own_edges() -> None:
    graph = SymbolGraph()
    graph.set_file("lib.py", [d("shared_helper")])
    for n in range(20):
        graph.set_file(f"user{n}.py", [r("shared_helper")])
    graph.rank({})
    graph.set_file("lib.py", [d("shared_helper", line=3)])  # a line added above it
    assert graph._dirty == {"lib.py"}
    graph.set_file("lib.py", [d("renamed_helper")])  # a name vanished: its users move
    assert graph._dirty == {"lib.py"} | {f"user{n}.py" for n in range(20)}


def test_a_graph_without_any_reference_ranks_twice_without_error() -> None:
    graph = SymbolGraph()
    graph.set_file("a.py", [d("alpha")])
    graph.set_file("b.py", [d("beta")])
    first = graph.rank({"a.py": 1.0})
    second = graph.rank({"b.py": 1.0})  # a second focus sorts the (empty) edges
    assert first["a.py"] > first["b.py"] and second["b.py"] > second["a.py"]


def _edges(graph: SymbolGraph) -> set[tuple[str, str, float]]:
    source, target, weight = graph._sparse()
    files = graph.files
    edges = zip(source, target, weight, strict=True)
    return {(files[s], files[t], round(float(w), 9)) for s, t, w in edges}


def test_edits_splice_the_same_edges_a_fresh_graph_has() -> None:
    """After an edit only the changed files' edges are replaced in the last matrix, in a
    graph built file by file and in one restored from its saved state (a warm start)."""
    start = {
        "a.py": [d("alpha"), r("beta"), r("gamma")],
        "b.py": [d("beta"), r("gamma"), r("gamma")],
        "c.py": [d("gamma"), r("alpha")],
        "d.py": [d("delta"), r("beta")],
    }
    edits = [
        ("b.py", [d("beta"), r("delta")]),  # new references, same definitions
        ("c.py", [d("gamma"), d("epsilon"), r("alpha"), r("beta")]),  # a new definition
        ("a.py", []),  # everything deleted from the file
        ("b.py", [d("beta"), r("gamma"), r("alpha"), r("delta")]),
    ]

    def built() -> SymbolGraph:
        graph = SymbolGraph()
        for rel, file_tags in start.items():
            graph.set_file(rel, file_tags)
        graph.rank({"a.py": 1})
        return graph

    for graph in (built(), SymbolGraph.restore(built().export())):
        tags = dict(start)
        for rel, file_tags in edits:
            graph.set_file(rel, file_tags)
            tags[rel] = file_tags
            fresh = SymbolGraph()
            for name in graph.files:
                fresh.set_file(name, tags[name])
            assert _edges(graph) == _edges(fresh)
            assert graph._layout is not None and graph._layout[1][-1] == len(graph._sparse()[0])


def test_a_cold_graph_joins_each_files_own_edges_to_the_bit() -> None:
    """A cold build makes every file's edges at once (`_all_edges`); each file's span must
    be what `_file_edges` makes of it, to the last bit: an edit that moves no edge is told
    by comparing the two, and then keeps the ranks (and the repo map's bytes)."""
    graph = SymbolGraph()
    graph.set_file("lib.py", [d("shared_helper"), d("run"), r("run")])  # its own name: no edge
    graph.set_file("other.py", [d("shared_helper"), d("_private"), r("VeryLongName")])
    graph.set_file("types.py", [d("VeryLongName"), r("shared_helper"), r("_private")])
    for n in range(8):
        graph.set_file(f"user{n}.py", [d("run"), r("shared_helper")] + [r("run")] * n)
    source, target, weight = graph._all_edges()
    for rel in graph.files:
        span = source == graph.index_of[rel]
        joined = (source[span], target[span], weight[span])
        assert all(map(np.array_equal, graph._file_edges(rel), joined))
    ranked = graph.rank({"user3.py": 1.0})
    matrix = graph._sparse()
    graph.set_file("lib.py", [d("shared_helper", line=3), d("run"), r("run")])  # a line added
    assert graph._sparse() is matrix and graph.rank({"user3.py": 1.0}) == ranked


def test_a_focus_ranks_the_same_whatever_was_ranked_before() -> None:
    """The repo map of a file must be the same bytes each time the user comes back to it
    (the provider's prompt cache serves it): ranking other foci in between, or an edit
    undone, must not change its ranks. A ring of files mixes slowly, so ranks taken from
    another focus's as a starting point would still differ after the iterations."""
    graph = SymbolGraph()
    for i in range(40):
        graph.set_file(f"m{i}.py", [d(f"step_{i}"), r(f"step_{(i + 1) % 40}")])
    first = graph.rank({"m0.py": 1.0})
    for i in range(1, 20):  # more foci than the graph remembers
        graph.rank({f"m{i}.py": 1.0})
    assert graph.rank({"m0.py": 1.0}) == first
    graph.set_file("m5.py", [d("step_5"), r("step_6"), r("step_20")])  # an edge moves
    assert graph.rank({"m0.py": 1.0}) != first
    graph.rank({"m20.py": 1.0})
    graph.set_file("m5.py", [d("step_5"), r("step_6")])  # and back
    assert graph.rank({"m0.py": 1.0}) == first


def test_an_edit_that_moves_no_edge_keeps_the_ranks() -> None:
    """Typing inside a function body changes the file's tags but not what it references:
    the ranks (and the repo map) are reused, not computed again."""
    graph = SymbolGraph()
    graph.set_file("a.py", [d("main"), r("helper_one"), r("helper_two")])
    graph.set_file("b.py", [d("helper_one", 3)])
    graph.set_file("c.py", [d("helper_two", 3)])
    ranks = graph.rank({"a.py": 1.0})
    graph.set_file("a.py", [d("main"), r("helper_one", 2), r("helper_one", 5), r("helper_two")])
    again = graph.rank({"a.py": 1.0})
    assert again["b.py"] > ranks["b.py"]  # helper_one is referenced twice now
    graph.set_file("a.py", [d("main", 1), r("helper_one", 3), r("helper_one", 6), r("helper_two")])
    assert graph.rank({"a.py": 1.0}) is again


def test_unique_pairs_and_their_inverse_are_numpys() -> None:
    """The first ranking's pairs are made unique by sorting file numbers; they must be
    what `np.unique(..., return_inverse=True)` gives of the keys, empty input included,
    and where the files are too many to sort by 16-bit radix."""
    rng = np.random.default_rng(7)
    for n in (50, 70_000):
        source, target = rng.integers(0, n, 2_000), rng.integers(0, n, 2_000)
        source[::3] = target[::3] = n - 1  # (the largest file number, and repeated pairs)
        grouped = np.argsort(source, kind="stable")
        for sample in (slice(None), slice(1), slice(0)):
            for s, t in ((source[sample], target[sample]), (source[grouped], target[grouped])):
                pairs, which = _unique_pairs(s, t, n)
                expected_pairs, expected_which = np.unique(s * n + t, return_inverse=True)
                assert pairs.tolist() == expected_pairs.tolist()
                assert which.tolist() == expected_which.ravel().tolist()
