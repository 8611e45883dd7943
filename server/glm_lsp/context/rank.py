"""Which files and symbols matter for a request: personalised PageRank over references.

Files are nodes; a file that references a name points at the files that define it. The
walk restarts at the request's focus (the current file, files the user edited recently,
files that change together with it in git, files defining the identifiers in play), so
rank flows from what the user is looking at to what that code depends on.

The graph is kept up to date file by file: a changed file recomputes only its own edges
(and those of files referencing names whose definitions moved), and the ranking itself is
a few sparse matrix-vector products in numpy, so re-ranking after an edit stays in the
millisecond range even on repositories of thousands of files.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from glm_lsp.context.tags import Tag

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
DAMPING = 0.85
ITERATIONS = 30

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def identifiers_in(text: str) -> set[str]:
    """Identifier-like words of three characters or more (the graph filters the rest)."""
    return set(IDENTIFIER.findall(text))


def name_weight(name: str, definers: int) -> float:
    """How much a reference to `name` says about a dependency (Aider's heuristics)."""
    weight = 1.0
    if name.startswith("_"):
        weight *= 0.1  # private helpers are rarely what a request is about
    if len(name) >= 8 and ("_" in name.strip("_") or name != name.lower()):
        weight *= 3.0  # long, specific names are strong evidence
    if definers > 5:
        weight *= 0.1  # defined everywhere (`run`, `get`): weak evidence
    return weight / definers


@dataclass
class _FileSymbols:
    defs: list[Tag]
    refs: Counter[str]


@dataclass
class SymbolGraph:
    """The reference graph of a repository, updated one file at a time."""

    files: list[str] = field(default_factory=list)
    index_of: dict[str, int] = field(default_factory=dict)
    symbols: dict[str, _FileSymbols] = field(default_factory=dict)
    definers: dict[str, set[str]] = field(default_factory=dict)
    referrers: dict[str, set[str]] = field(default_factory=dict)
    ref_totals: Counter[str] = field(default_factory=Counter)
    _edges: dict[str, tuple[IntArray, FloatArray]] = field(default_factory=dict)
    _dirty: set[str] = field(default_factory=set)
    _matrix: tuple[IntArray, IntArray, FloatArray] | None = None

    def set_file(self, rel: str, tags: Iterable[Tag]) -> None:
        """Replace one file's symbols and mark whatever edges that affects."""
        tags = list(tags)
        new = _FileSymbols(
            defs=[t for t in tags if t.kind == "def"],
            refs=Counter(t.name for t in tags if t.kind == "ref"),
        )
        old = self.symbols.get(rel)
        old_names = {t.name for t in old.defs} if old else set()
        new_names = {t.name for t in new.defs}
        self._forget(rel)
        if rel not in self.index_of:
            self.index_of[rel] = len(self.files)
            self.files.append(rel)
        self.symbols[rel] = new
        for name in new_names:
            self.definers.setdefault(name, set()).add(rel)
        for name in old_names ^ new_names:  # only names that appeared or vanished move edges
            self._dirty |= self.referrers.get(name, set())
        for name, count in new.refs.items():
            self.referrers.setdefault(name, set()).add(rel)
            self.ref_totals[name] += count
        self._dirty.add(rel)
        self._matrix = None

    def remove_file(self, rel: str) -> None:
        old = self.symbols.get(rel)
        for name in {t.name for t in old.defs} if old else set():
            self._dirty |= self.referrers.get(name, set())
        self._forget(rel)
        self._edges.pop(rel, None)
        self._dirty.discard(rel)
        self._matrix = None

    def _forget(self, rel: str) -> None:
        old = self.symbols.pop(rel, None)
        if old is None:
            return
        for name in {t.name for t in old.defs}:
            files = self.definers.get(name)
            if files is not None:
                files.discard(rel)
                if not files:
                    del self.definers[name]
        for name, count in old.refs.items():
            files = self.referrers.get(name)
            if files is not None:
                files.discard(rel)
            self.ref_totals[name] -= count

    def defining(self, name: str) -> set[str]:
        return self.definers.get(name, set())

    def definitions(self, rel: str) -> list[Tag]:
        symbols = self.symbols.get(rel)
        return symbols.defs if symbols else []

    def references(self, rel: str) -> Counter[str]:
        symbols = self.symbols.get(rel)
        return symbols.refs if symbols else Counter()

    def _file_edges(self, rel: str) -> tuple[IntArray, FloatArray]:
        weights: dict[int, float] = {}
        for name, count in self.references(rel).items():
            files = self.definers.get(name)
            if not files:
                continue
            weight = math.sqrt(count) * name_weight(name, len(files))
            for target in files:
                if target != rel:
                    index = self.index_of[target]
                    weights[index] = weights.get(index, 0.0) + weight
        return np.fromiter(weights.keys(), np.int64), np.fromiter(weights.values(), np.float64)

    def _sparse(self) -> tuple[IntArray, IntArray, FloatArray]:
        """(source, target, normalised weight) arrays, rebuilt only where files changed."""
        if self._matrix is not None and not self._dirty:
            return self._matrix
        for rel in self._dirty:
            if rel in self.symbols:
                self._edges[rel] = self._file_edges(rel)
        self._dirty.clear()
        sources, targets, weights = [], [], []
        for rel, (dst, w) in self._edges.items():
            if rel not in self.symbols or not len(dst):
                continue
            sources.append(np.full(len(dst), self.index_of[rel], np.int64))
            targets.append(dst)
            weights.append(w / w.sum())
        if not sources:
            empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0, np.float64)
            self._matrix = (empty_i, empty_i, empty_f)
        else:
            self._matrix = (
                np.concatenate(sources),
                np.concatenate(targets),
                np.concatenate(weights),
            )
        return self._matrix

    def rank(self, seeds: Mapping[str, float]) -> dict[str, float]:
        """Personalised PageRank: the walk restarts at `seeds` (uniform when empty)."""
        n = len(self.files)
        if n == 0:
            return {}
        alive = np.zeros(n)
        for rel in self.symbols:
            alive[self.index_of[rel]] = 1.0
        restart = np.zeros(n)
        for rel, seed in seeds.items():
            if rel in self.index_of and rel in self.symbols and seed > 0:
                restart[self.index_of[rel]] += seed
        restart = restart if restart.sum() > 0 else alive.copy()
        restart /= restart.sum()
        source, target, weight = self._sparse()
        has_out = np.zeros(n, bool)
        has_out[source] = True
        rank = restart.copy()
        for _ in range(ITERATIONS):
            flow = np.bincount(target, weights=rank[source] * weight, minlength=n)
            dangling = rank[~has_out].sum()
            updated = (1 - DAMPING) * restart + DAMPING * (flow + dangling * restart)
            if np.abs(updated - rank).sum() < 1e-7:
                rank = updated
                break
            rank = updated
        return {rel: float(rank[self.index_of[rel]]) for rel in self.symbols}


@dataclass(frozen=True)
class Focus:
    """What a request is about; every field is optional."""

    current: str | None = None
    selection: tuple[int, int] | None = None  # 1-based, inclusive
    identifiers: tuple[str, ...] = ()
    instruction: str = ""
    recent: tuple[str, ...] = ()
    co_change: Mapping[str, float] = field(default_factory=dict)


def seeds_for(graph: SymbolGraph, focus: Focus) -> dict[str, float]:
    """Restart weights: the current file most, then edits, co-change and named symbols."""
    seeds: dict[str, float] = {}

    def add(rel: str, weight: float) -> None:
        seeds[rel] = seeds.get(rel, 0.0) + weight

    if focus.current:
        add(focus.current, 10.0)
    for rel in focus.recent:
        add(rel, 3.0)
    for rel, score in focus.co_change.items():
        add(rel, 4.0 * score)
    names = set(focus.identifiers) | identifiers_in(focus.instruction)
    for name in names:
        files = graph.defining(name)
        for rel in files:
            add(rel, 2.0 * name_weight(name, len(files)) * len(files))
    return seeds


def ranked_definitions(
    graph: SymbolGraph, ranks: Mapping[str, float], focus: Focus
) -> dict[str, list[tuple[float, Tag]]]:
    """Each file's definitions, most important first: file rank × how referenced they are."""
    wanted = Counter(graph.references(focus.current) if focus.current else {})
    for name in focus.identifiers:
        wanted[name] += 5
    result = {}
    for rel, file_rank in ranks.items():
        scored = [
            (
                file_rank
                * (1 + wanted.get(t.name, 0))
                * (1 + math.log1p(graph.ref_totals[t.name])),
                t,
            )
            for t in graph.definitions(rel)
        ]
        scored.sort(key=lambda pair: -pair[0])
        result[rel] = scored
    return result
