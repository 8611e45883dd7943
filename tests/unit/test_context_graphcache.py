"""The reference graph is cached on disk: a warm start restores it instead of rebuilding."""

from __future__ import annotations

import time
from pathlib import Path
from unittest.mock import patch

import pytest

from glm_lsp.assistant import contexts
from glm_lsp.assistant import events as ev
from glm_lsp.config import Settings
from glm_lsp.context import engine as engine_module
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
    cold.save_caches()
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
    cold = ContextEngine(repo, cache_dir=cache)
    cold.refresh()
    cold.save_caches()
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
    cold = ContextEngine(repo, cache_dir=cache)
    cold.refresh()
    cold.save_caches()
    warm = ContextEngine(repo, cache_dir=cache)
    warm.refresh()
    assert warm.graph.rank({"alone.py": 1.0}) == {"alone.py": 1.0}


def test_a_rebuilt_graph_is_saved_a_second_after_the_refresh_not_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", _files())
    cache = tmp_path / "cache"
    monkeypatch.setattr(engine_module, "LATER_DELAY", 0.3)
    cold = ContextEngine(repo, cache_dir=cache)
    cold.refresh()
    graph = cold._graph_path()
    assert not graph.exists()  # the first answer does not wait for the save
    deadline = time.monotonic() + 5
    while not graph.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert graph.exists()  # ... which comes once the refresh is done
    written = graph.stat().st_mtime_ns
    cold.refresh()  # nothing rebuilt: nothing to save
    cold.save_caches()
    assert graph.stat().st_mtime_ns == written


def test_the_first_buffers_wait_for_the_rebuilt_graph_to_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", _files())
    cold = ContextEngine(repo, cache_dir=tmp_path / "cache")
    cold.refresh()
    assert not cold._graph_path().exists()
    cold.set_buffers({"pkg/user1.py": "def only_in_the_editor():\n    pass\n"})
    assert cold._graph_path().exists()  # saved from the disk's symbols, before the buffer
    monkeypatch.setattr(SymbolGraph, "set_symbols", None)  # a rebuild would fail
    warm = ContextEngine(repo, cache_dir=tmp_path / "cache")
    warm.refresh()
    assert warm.graph.defining("only_in_the_editor") == set()
    assert warm.graph.defining("helper_1") == {"pkg/lib.py"}


def test_a_one_shot_context_saves_the_rebuilt_graph_after_its_output(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", _files())
    cache = tmp_path / "cache"
    request = ev.ContextRequest(repo, "pkg/user0.py", budget=2048)
    settings = Settings(api_key="k")
    engine = ContextEngine(repo, cache_dir=cache)
    graphs = lambda: sorted(cache.glob("*.graph"))  # noqa: E731
    with patch.object(ContextEngine, "for_settings", return_value=engine):
        with contexts.context_now(settings, request) as ready:
            assert "helper_0" in ready.context.render() and graphs() == []
    assert len(graphs()) == 1
    warm = ContextEngine(repo, cache_dir=cache)
    warm.refresh()
    assert warm.graph.defining("helper_1") == {"pkg/lib.py"}


def test_a_cold_build_fed_to_the_graph_while_parsing_equals_one_built_after(
    tmp_path: Path,
) -> None:
    files = {rel: f"# {rel}\n{text}" for rel, text in _files().items()}  # no two alike
    repo = make_repo(tmp_path / "repo", files)
    cache = tmp_path / "cache"
    fed: list[str] = []
    cold = ContextEngine(repo, cache_dir=cache)
    build = cold.index.build

    def building(*args: object, **kwargs: object) -> object:
        result = build(*args, **kwargs)  # type: ignore[arg-type]
        fed.extend(cold._synced)  # what the graph holds the moment the build returns
        return result

    with patch.object(cold.index, "build", building):
        cold.refresh()
    assert sorted(fed) == sorted(files)  # every file, before `_sync` ran
    cold.save_caches()
    cold._graph_path().unlink()  # the index stays; the graph is rebuilt from it after
    after = ContextEngine(repo, cache_dir=cache)
    after.refresh()
    assert after.graph.defining("helper_1") == cold.graph.defining("helper_1") == {"pkg/lib.py"}
    assert after.graph.rank({"pkg/user0.py": 1.0}) == cold.graph.rank({"pkg/user0.py": 1.0})
