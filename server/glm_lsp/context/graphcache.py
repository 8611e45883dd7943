"""The reference graph itself, cached on disk, so a warm start does not rebuild it.

Rebuilding the graph from the index's cached tags means decoding every file's tags and
recomputing every file's edges: 0.4-0.9 s on ansible or mypy, most of a warm start. The
graph is saved as plain data (marshal, the fastest builtin format to read) with its edge
matrix as raw arrays, under a key made of every indexed file's content hash and the tags
format; a warm start whose files all match loads it in one read, and any other start
rebuilds as before. A bad or foreign file is ignored, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import mmap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from glm_lsp.context.cachefile import write_cache
from glm_lsp.context.nametable import pack, unpack
from glm_lsp.context.rank import FloatArray, GraphState, IntArray, SymbolGraph, Tables
from glm_lsp.context.tags import queries_version

log = logging.getLogger(__name__)

GRAPH_FORMAT = 6  # bump when GraphState's meaning changes


def cache_key(versions: Iterable[tuple[str, object]]) -> str:
    """A digest of (file, content hash) pairs, the tags' versions and the graph format."""
    digest = hashlib.sha1(f"graph {GRAPH_FORMAT} {queries_version()}\n".encode())
    for rel, version in sorted(versions, key=lambda pair: pair[0]):
        digest.update(f"{rel}\0{version}\n".encode())
    return digest.hexdigest()


def save(path: Path, key: str, graph: SymbolGraph) -> None:
    """Write atomically (a concurrent reader sees the old file or the new one)."""
    state = graph.export()
    source, target, weight = state.matrix
    tables = state.tables() if callable(state.tables) else state.tables
    data: dict[str, Any] = {  # per file and the tables marshalled apart: decoded when used
        "key": key,
        "files": state.files,
        "defs": {rel: _packed(rows) for rel, rows in state.defs.items()},
        "refs": {rel: _packed(refs) for rel, refs in state.refs.items()},
        "matrix": (source.tobytes(), target.tobytes(), weight.tobytes()),
        "tables": marshal.dumps([pack(table, state.files) for table in tables]),
        "columns": [column.tobytes() for column in state.columns] if state.columns else None,
        "ref_totals": state.ref_totals,
    }
    write_cache(path, data, "graph cache")


def _packed(value: Any) -> bytes:
    return value if isinstance(value, bytes) else marshal.dumps(value)


def _tables(data: bytes, files: list[str]) -> Tables:
    """The name tables, still packed: a name's files are made when it is looked up."""
    definers, referrers, coders = (unpack(table, files) for table in marshal.loads(data))
    return definers, referrers, coders


def _restored_columns(
    data: list[bytes] | None,
) -> tuple[IntArray, FloatArray, IntArray, IntArray] | None:
    if not data:
        return None
    source, weight, starts, targets = data
    return (
        np.frombuffer(source, np.int64),
        np.frombuffer(weight, np.float64),
        np.frombuffer(starts, np.int64),
        np.frombuffer(targets, np.int64),
    )


def load(path: Path, key: str) -> SymbolGraph | None:
    """The cached graph if it was saved under `key`, else None."""
    try:
        with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as view:
            data = marshal.loads(view)  # from the page cache: no 10 MB copy to read it into
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        source, target, weight = data["matrix"]
        state = GraphState(
            files=data["files"],
            defs=data["defs"],
            refs=data["refs"],
            matrix=(
                np.frombuffer(source, np.int64),
                np.frombuffer(target, np.int64),
                np.frombuffer(weight, np.float64),
            ),
            tables=functools.partial(_tables, data["tables"], data["files"]),
            ref_totals=data["ref_totals"],
            columns=_restored_columns(data["columns"]),
        )
        return SymbolGraph.restore(state)
    except (OSError, EOFError, ValueError, TypeError, KeyError) as error:
        log.debug("graph cache %s unusable: %s", path, error)
        return None
