"""What a parser process does with a batch of files: read, judge, hash and tag each.

These functions run in the worker processes of a cold build (`workers.WorkerPool`) and in
the index's own process. A worker imports this module and what it needs, not the index
(SQLite, the pool, the name maps): on ansible's cold start that boot bounded when the
second processor began to parse.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from glm_lsp.context.content import content_reason
from glm_lsp.context.tags import Row, available

if TYPE_CHECKING:
    from glm_lsp.context import splice


Previous = Callable[[str], "tuple[list[Row], splice.Layout] | None"]
"""A file's last tags and layout, if it is large and the index has them."""


@dataclass(frozen=True, slots=True)
class Job:
    rel: str
    language: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parser's answer for one file: `hash` is "" when the file could not be read, or
    when `excluded` says why its content is not indexed (`content.content_reason`);
    `data` (the encoded tags) and `layout` (a large file's, `splice`) are None when the
    content was already known, or when the file was large and parsed in this process:
    then `last` holds its rows and layout as objects, encoded when they are written."""

    rel: str
    hash: str
    data: bytes | None = None
    defs: int = 0
    refs: int = 0
    layout: bytes | None = None
    last: tuple[list[Row], splice.Layout] | None = None
    excluded: str | None = None

    @property
    def parsed(self) -> bool:
        return self.data is not None or self.last is not None


def content_hash(data: bytes, language: str) -> str:
    """Identifies the tags of a content: the same bytes as C and as C++ tag differently."""
    return hashlib.blake2b(data, digest_size=16, person=language.encode()[:16]).hexdigest()


def encode_rows(rows: Sequence[Row]) -> bytes:
    """Pack tags as columns: a table of distinct strings, the kinds as one string ("d"/"r"
    per tag), then per tag the name, category and signature as table indexes, the line,
    and the extra lines of a definition. Decoding is `marshal.loads` plus C-level `map`s,
    with no Python code per tag. marshal, not JSON: a cold build encodes every file's
    tags and decodes them for the graph; with marshal that and the database insert take
    0.12 s of mypy's processor time instead of 0.26 s (ansible 0.05 s, not 0.15 s), for a
    third more bytes in a cache only this program reads."""
    strings: dict[str, int] = {"": 0}
    index = strings.setdefault
    kinds = "".join("d" if row[1] == "def" else "r" for row in rows)
    names = [index(row[0], len(strings)) for row in rows]
    categories = [index(row[2], len(strings)) for row in rows]
    signatures = [index(row[5], len(strings)) for row in rows]
    lines = [row[3] for row in rows]
    extra = [row[4] - row[3] for row in rows]
    columns = [list(strings), kinds, names, categories, signatures, lines, extra]
    return marshal.dumps(columns)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Allocation-heavy loops run twice as fast without cyclic GC passes; tags have no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def tag_content(job: Job, data: bytes, digest: str, previous: Previous | None = None) -> Parsed:
    from glm_lsp.context import splice  # here: a warm start parses nothing

    last = previous(job.rel) if previous is not None and job.size >= splice.MIN_BYTES else None
    rows, layout = splice.tag(data, job.language, last)
    defs = sum(1 for row in rows if row[1] == "def")
    if previous is not None and layout is not None:  # encoded when written (`flush`)
        return Parsed(job.rel, digest, None, defs, len(rows) - defs, None, (rows, layout))
    packed = layout.encode() if layout is not None else None
    return Parsed(job.rel, digest, encode_rows(rows), defs, len(rows) - defs, packed)


def read_to_tag(root: Path, job: Job) -> bytes | Parsed:
    """The file's bytes, or the answer for a file not to tag: unreadable, or binary,
    generated or minified by its first bytes (`content.content_reason`)."""
    try:
        data = (root / job.rel).read_bytes()
    except OSError:
        return Parsed(job.rel, "")
    excluded = content_reason(data, len(data))
    return Parsed(job.rel, "", excluded=excluded) if excluded else data


def parse_batch_to(folder: str, root: str, jobs: list[Job]) -> str:
    """`parse_batch` in a worker, the answer written to a file in `folder` (its path
    is what goes back through the pool's pipe). Through the pipe, a batch's tags (half a
    megabyte) went 64 KB at a time, each read by the pool's thread in this process, which
    waits for the GIL that the parsing here holds in long stretches: the worker sat
    blocked on the pipe for 56 ms of ansible's cold build."""
    import pickle
    import tempfile

    results = parse_batch(root, jobs)
    with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False) as out:
        pickle.dump(results, out, protocol=pickle.HIGHEST_PROTOCOL)
    return out.name


def parse_batch(root: str, jobs: list[Job]) -> list[Parsed]:
    """A worker's unit of work (module-level so it pickles). The worker reads the file
    again rather than receiving its bytes: cheaper than pickling them through a pipe."""
    results = []
    with gc_paused():
        for job in jobs:
            data = read_to_tag(Path(root), job)
            if isinstance(data, Parsed):
                results.append(data)
            else:
                results.append(tag_content(job, data, content_hash(data, job.language)))
    return results


def warm_up(languages: list[str]) -> None:
    """A worker's first task: import the grammars and compile the queries."""
    for language in languages:
        available(language)
