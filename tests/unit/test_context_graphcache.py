"""The reference graph is cached on disk: a warm start restores it instead of rebuilding."""

from __future__ import annotations

from pathlib import Path

from glm_lsp.context.engine import ContextEngine
from glm_lsp.context.rank import SymbolGraph
from helpers import make_repo


def _files() -> dict[str, str]:
    files = {
        f"pkg/user{i}.py": f"from pkg.lib import helper_{i % 3}\n\nhelper_{i % 3}()\n"
        for i in range(9)
    }
    files["pkg/lib.py"] = "".join(f"def helper_{i}():\n    return {i}\n\n" for i in range(3))
    return files


def test_a_warm_start_restores_the_same_graph_and_ranks(tmp_path: Path, monkeypatch) -> None:
    repo = make_repo(tmp_path / "repo", _files())
    cache = tmp_path / "cache"
    cold = ContextEngine(repo, cache_dir=cache)
    cold.refresh()
    cold_ranks = cold.graph.rank({"pkg/user0.py": 1.0})

    rebuilt: list[str] = []
    original = SymbolGraph.set_symbols

    def counting(self: SymbolGraph, rel: str, defs: object, refs: object) -> None:
        rebuilt.append(rel)
        original(self, rel, defs, refs)  # type: ignore[arg-type]

    monkeypatch.setattr(SymbolGraph, "set_symbols", counting)
    warm = ContextEngine(repo, cache_dir=cache)
    warm.refresh()
    assert rebuilt == []  # nothing decoded or rebuilt: the graph came from the cache
    warm_ranks = warm.graph.rank({"pkg/user0.py": 1.0})
    assert warm_ranks.keys() == cold_ranks.keys()
    for rel, value in cold_ranks.items():
        assert abs(warm_ranks[rel] - value) < 1e-6
    assert warm.graph.defining("helper_1") == {"pkg/lib.py"}

    # an edit after the warm start updates only that file, and the ranks follow it
    (repo / "pkg/user0.py").write_text("from pkg.other import fresh_name\n\nfresh_name()\n")
    (repo / "pkg/other.py").write_text("def fresh_name():\n    return 1\n")
    warm.refresh()
    assert set(rebuilt) == {"pkg/user0.py", "pkg/other.py"}
    ranks = warm.graph.rank({"pkg/user0.py": 1.0})
    assert max((r for r in ranks if r != "pkg/user0.py"), key=ranks.__getitem__) == "pkg/other.py"


def test_a_changed_file_misses_the_cache_and_rebuilds(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", _files())
    cache = tmp_path / "cache"
    ContextEngine(repo, cache_dir=cache).refresh()
    (repo / "pkg/lib.py").write_text(
        "def helper_0():\n    return 0\n\ndef brand_new():\n    return 1\n"
    )
    engine = ContextEngine(repo, cache_dir=cache)
    engine.refresh()
    assert engine.graph.defining("brand_new") == {"pkg/lib.py"}
    assert engine.graph.defining("helper_2") == set()


def test_a_graph_without_edges_is_saved_and_restored(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"alone.py": "def alone():\n    return 1\n"})
    cache = tmp_path / "cache"
    ContextEngine(repo, cache_dir=cache).refresh()
    warm = ContextEngine(repo, cache_dir=cache)
    warm.refresh()
    assert warm.graph.rank({"alone.py": 1.0}) == {"alone.py": 1.0}
