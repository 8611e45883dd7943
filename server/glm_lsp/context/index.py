"""The symbol index of one repository: tags per file, cached on disk between sessions.

Parsing a large repository takes seconds, but between two sessions almost nothing changes.
So the tags of each file are stored in a SQLite database in the user cache directory,
keyed by a hash of the file's content (two identical files, or a file that returns to an
earlier version, share one entry), and a file whose size and mtime did not change is not
even read. The database carries a schema version and `queries_version()`, so a new query
file or grammar rebuilds it instead of serving stale tags; when the cache cannot be
opened the index lives in memory only.

Only content never seen before is parsed: by a pool of processes when there is a lot of
it (tree-sitter and the tags query are CPU-bound), in-process otherwise. Open editor
buffers shadow the disk and are re-parsed incrementally (`BufferTags`).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sqlite3
import stat
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from itertools import compress, repeat, starmap
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING

from glm_lsp import dirs
from glm_lsp.context import processors
from glm_lsp.context.parsing import (
    Job,
    Parsed,
    Previous,
    content_hash,
    encode_rows,
    gc_paused,
    parse_batch,
    parse_batch_to,
    read_to_tag,
    tag_content,
    warm_up,
)
from glm_lsp.context.tags import (
    BufferTags,
    Kind,
    Row,
    Tag,
    available,
    language_for,
    queries_version,
)

if TYPE_CHECKING:  # imported when a pool starts or a file is parsed: a warm one-shot
    from concurrent.futures import Executor  # never needs them

    from glm_lsp.context import splice

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3  # bump when the tables or the tags encoding change
MAX_FILE_BYTES = 2_000_000  # bigger files are generated or vendored; not worth the parse
POOL_MIN_FILES = 50  # less new content than this is parsed in-process: starting the
POOL_MIN_BYTES = 1_500_000  # worker processes costs ~0.3-0.5 s, ~1.5 MB worth of parsing
BATCHES_PER_WORKER = 16  # the smallest batch, as a share of a process's work
FILE_COST = 2_000  # the bytes of parsing a file costs beyond its size (open, hash, query)
PRESTART_FILES = 200  # new source files from which `prestart` starts the workers early
BULK_AFTER = 64  # files' tags read one by one before the rest are read in one query
KEPT_LARGE = 4  # large files whose last tags and layout stay in memory for their next edit

_CORRUPT = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs(
    hash TEXT PRIMARY KEY, language TEXT NOT NULL,
    defs INTEGER NOT NULL, refs INTEGER NOT NULL, tags BLOB NOT NULL, layout BLOB);
CREATE TABLE IF NOT EXISTS files(
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
"""


_BlobRow = tuple[str, int, int, bytes | None, bytes | None]
"""A content's row of the blobs table but its hash: language, defs, refs, tags, layout."""


@dataclass(frozen=True)
class IndexStats:
    """What a build or update did: `files` indexed in all, how many were `parsed`, how many
    reused cached tags (`cache_hits`), definitions per language, wall-clock `seconds`, and
    what the first bytes of each file it read say (`content.content_reason`, by path): a
    file that is binary, generated or minified is not indexed."""

    files: int
    parsed: int
    cache_hits: int
    symbols_by_language: dict[str, int]
    seconds: float
    verdicts: dict[str, str | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Blob:
    """The tags of one content (hash of language + bytes), decoded on first use; `data`
    None is still in the database (`RepoIndex._data`), unless `rows` holds the tags of a
    large file parsed here and not written yet (`RepoIndex.flush`)."""

    language: str
    data: bytes | None
    defs: int
    refs: int
    tags: list[Tag] | None = None
    rows: list[Row] | None = None


@dataclass(frozen=True, slots=True)
class _File:
    size: int
    mtime_ns: int
    hash: str


@dataclass
class _Plan:
    """A refresh's files: `listed` are the indexable ones; `jobs` must be read, since
    their size or mtime changed; the other `hits` are unchanged."""

    listed: set[str] = field(default_factory=set)
    jobs: list[Job] = field(default_factory=list)
    hits: int = 0


# --- the compact tags encoding, read back (`parsing.encode_rows` writes it) -------------


_KINDS: dict[str, Kind] = {"d": "def", "r": "ref"}


def decode_tags(data: bytes) -> list[Tag]:
    """The inverse of `encode_rows`."""
    with gc_paused():  # hundreds of thousands of small objects: collections would dominate
        return list(map(Tag, *_columns(data)))


def decode_rows(data: bytes) -> list[Row]:
    """`decode_tags` as plain tuples."""
    with gc_paused():
        return list(zip(*_columns(data), strict=True))


def _columns(data: bytes) -> tuple[Iterable[object], ...]:
    """The fields of `encode_rows` data, one iterable per field of a Tag."""
    strings, kinds, names, categories, signatures, lines, extra = marshal.loads(data)
    text = strings.__getitem__
    return (
        map(text, names),
        map(_KINDS.__getitem__, kinds),
        map(text, categories),
        lines,
        map(add, lines, extra),
        map(text, signatures),
    )


def decode_symbols(data: bytes) -> tuple[list[Tag], Counter[str]]:
    """`decode_symbol_rows` with the definitions as Tags."""
    rows, refs = decode_symbol_rows(data)
    return list(starmap(Tag, rows)), refs


def decode_symbol_rows(data: bytes) -> tuple[list[Row], Counter[str]]:
    """What the reference graph needs of `encode_rows` data: the definitions as rows and
    each referenced name's count, without a row per reference (four in five tags are
    references; making them was a third of building a cold graph)."""
    strings, kinds, names, categories, signatures, lines, extra = marshal.loads(data)
    text = strings.__getitem__
    refs = Counter(map(text, compress(names, map("r".__eq__, kinds))))
    chosen = list(map("d".__eq__, kinds))
    if not any(chosen):
        return [], refs
    lines = list(compress(lines, chosen))
    defs = list(
        zip(
            map(text, compress(names, chosen)),
            repeat("def"),
            map(text, compress(categories, chosen)),
            lines,
            map(add, lines, compress(extra, chosen)),
            map(text, compress(signatures, chosen)),
        )
    )
    return defs, refs


# --- parsing, in-process or in worker processes ----------------------------------------


def _answer_from(path: str) -> list[Parsed]:
    """A worker's answer written by `parse_batch_to`, read once."""
    import pickle

    try:
        with open(path, "rb") as answer:
            results: list[Parsed] = pickle.load(answer)
            return results
    finally:
        os.unlink(path)


def _batches(jobs: Sequence[Job], processes: int) -> list[list[Job]]:
    """Split jobs into batches that shrink as the work runs out (guided scheduling): each
    takes a 1/(4 x processes) share of what is left, down to a 1/(BATCHES_PER_WORKER x
    processes) share of the whole. Every process takes the next batch when it is free, so
    the last ones to finish are the smallest, and nobody waits long for the others. A file
    weighs its size plus FILE_COST: by size alone, mypy's last batch held its 590 smallest
    files and took 0.2 s, while the other process waited."""
    total = sum(job.size + FILE_COST for job in jobs)
    smallest = total / (BATCHES_PER_WORKER * processes)
    batches: list[list[Job]] = []
    left = total
    batch: list[Job] = []
    size = 0
    for job in sorted(jobs, key=lambda job: -job.size):
        batch.append(job)
        size += job.size + FILE_COST
        if size >= max(smallest, left / (4 * processes)):
            batches.append(batch)
            left -= size
            batch, size = [], 0
    return batches + [batch] if batch else batches


def parse_jobs(
    root: Path,
    jobs: Sequence[Job],
    known: set[str],
    workers: int,
    started: tuple[Executor, int] | None = None,
    previous: Previous | None = None,
) -> Iterator[Parsed]:
    """Read and hash `jobs`; tag only contents not in `known` (nor seen earlier in this
    run), in worker processes when that is enough work to pay for starting them. When the
    changed files alone look like enough work, the workers start booting while this
    process hashes (if all contents turn out known, they go unused). `workers` counts the
    parsing processes, this one included. `started` is a pool (and that count) started
    earlier, which this call shuts down. With nothing known (a cold build) this process
    does not read the files first: the workers read and hash them. A large file parsed
    in this process is re-tagged from its `previous` tags where the edit allows."""
    pool: Executor | None
    if started is not None:
        pool, workers = started
    else:
        workers = min(workers, len(jobs))
        pool = _start_pool(workers - 1, jobs) if _pool_pays(workers, jobs) else None
    try:
        if pool is not None and not known and _pool_pays(workers, jobs):
            yield from _parse_in_pool(pool, root, list(jobs), workers)
            return
        fresh = yield from _hash_all(root, jobs, known)
        pooled = [job for job, _, _ in fresh]
        if pool is not None and _pool_pays(workers, pooled):
            fresh.clear()  # the workers read the files themselves
            yield from _parse_in_pool(pool, root, pooled, workers)
        else:
            with gc_paused():
                for job, data, digest in fresh:
                    yield tag_content(job, data, digest, previous)
    finally:
        _stop(pool)  # not waiting: a worker may still parse a batch this process took over


def _pool_pays(workers: int, jobs: Sequence[Job]) -> bool:
    size = sum(job.size for job in jobs)
    return workers > 1 and len(jobs) >= POOL_MIN_FILES and size >= POOL_MIN_BYTES


def _hash_all(
    root: Path, jobs: Sequence[Job], known: set[str]
) -> Generator[Parsed, None, list[tuple[Job, bytes, str]]]:
    """Yield the unreadable, the excluded and the already known files; return the new
    contents."""
    seen = set(known)
    fresh: list[tuple[Job, bytes, str]] = []
    for job in jobs:
        data = read_to_tag(root, job)
        if isinstance(data, Parsed):
            yield data
            continue
        digest = content_hash(data, job.language)
        if digest in seen:
            yield Parsed(job.rel, digest)
        else:
            seen.add(digest)
            fresh.append((job, data, digest))
    return fresh


def _start_pool(workers: int, jobs: Sequence[Job]) -> Executor | None:
    return _spawn(workers, shared_languages(Counter(job.language for job in jobs), workers + 1))


def shared_languages(files: Counter[str], processes: int) -> list[str]:
    """The languages whose files the worker processes parse too. The languages with the
    fewest files, together less than a 1/(2 x processes) share of them, are parsed in this
    process alone, so no worker compiles their tags queries, which can take longer than
    parsing their few files (C#: 80 ms to compile, for 20 of ansible's 1,578 files)."""
    total, alone = sum(files.values()), 0
    shared = []
    for language, count in sorted(files.items(), key=lambda item: (item[1], item[0])):
        alone += count
        if alone * 2 * processes >= total:
            shared.append(language)
    return sorted(shared)


def _spawn(workers: int, languages: list[str]) -> Executor | None:
    """A pool of `workers` processes, each told to boot now."""
    from glm_lsp.context.workers import WorkerPool

    try:
        pool = WorkerPool(workers)
        for _ in range(workers):  # one task each makes every worker start now
            pool.submit(warm_up, languages)
    except Exception as error:  # no processes here (sandbox, ...)
        log.warning("symbol index: no worker processes (%s); parsing in-process", error)
        return None
    return pool


def _stop(pool: Executor | None) -> None:
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _parse_in_pool(pool: Executor, root: Path, jobs: list[Job], workers: int) -> Iterator[Parsed]:
    """Tag `jobs` in the worker processes and in this one. The batches are handed out a
    few at a time, so a process that is free takes the next; this process parses one
    whenever no worker's answer is waiting (it would otherwise sit idle while the workers
    boot and parse, and on a busy machine it is one more process sharing the processors).
    When nothing is left to hand out, this process parses the batches a worker still
    holds, newest first, file by file until the worker answers for the batch, and the
    first answer for a file wins: a worker kept up to three batches, and this process
    sat idle for their 60 ms at the end of ansible's cold build. The files of languages
    with few of them are parsed here only (`shared_languages`). Whatever a failing pool
    leaves undone is tagged here instead."""
    import tempfile

    done: set[str] = set()
    pending: dict[Future[str], list[Job]] = {}
    folder = ""  # the workers' answers (a private temporary folder)

    def fresh(results: list[Parsed]) -> Iterator[Parsed]:
        for result in results:
            if result.rel not in done:
                done.add(result.rel)
                yield result

    try:
        folder = tempfile.mkdtemp(prefix="glm-lsp-parse-")
        shared = set(shared_languages(Counter(job.language for job in jobs), workers))
        queue = deque(_batches([job for job in jobs if job.language in shared], workers))
        mine = deque(_batches([job for job in jobs if job.language not in shared], workers))
        while len(done) < len(jobs):
            # one running and two ready each: batches are handed out only between this
            # process's own, and with one ready a worker sat idle 10 % of a cold build
            while queue and len(pending) < 3 * (workers - 1):
                batch = queue.popleft()
                pending[pool.submit(parse_batch_to, folder, str(root), batch)] = batch
            finished = [future for future in pending if future.done()]
            if not finished and (mine or queue):
                yield from fresh(parse_batch(str(root), (mine or queue).popleft()))
                continue
            if not finished:
                held = _newest_held(pending, done)
                if held is not None:
                    future, next_job = held
                    while next_job is not None and not future.done():
                        yield from fresh(parse_batch(str(root), [next_job]))
                        next_job = next((j for j in pending[future] if j.rel not in done), None)
                    continue
                if not pending:
                    break
                finished = list(wait(pending, return_when=FIRST_COMPLETED).done)
            for future in finished:
                del pending[future]
                yield from fresh(_answer_from(future.result()))
    except Exception as error:
        log.warning("symbol index: worker processes failed (%s); parsing in-process", error)
        yield from parse_batch(str(root), [job for job in jobs if job.rel not in done])
    finally:  # (a worker still parsing a batch taken over here then fails to write it)
        if folder:
            _remove_answers(folder)


def _remove_answers(folder: str) -> None:
    """Remove the workers' answer folder, again if a late answer landed in it while it
    was being removed (one worker writing between the listing and the last step left
    the folder, with tags of the user's code in it, behind in /tmp about once in a few
    hundred cold builds). Once the folder is gone, a late answer fails to be written."""
    import shutil

    for _ in range(5):
        shutil.rmtree(folder, ignore_errors=True)
        if not os.path.exists(folder):
            return
    log.warning("symbol index: could not remove %s", folder)


def _newest_held(
    pending: dict[Future[str], list[Job]], done: set[str]
) -> tuple[Future[str], Job | None] | None:
    """The newest batch a worker holds that has a file not done yet, and that file."""
    for future, batch in reversed(pending.items()):
        for job in batch:
            if job.rel not in done:
                return future, job
    return None


# --- the index -------------------------------------------------------------------------


@dataclass
class _NameMaps:
    """name → file → tags, for definitions and for references."""

    defs: dict[str, dict[str, list[Tag]]] = field(default_factory=dict)
    refs: dict[str, dict[str, list[Tag]]] = field(default_factory=dict)

    def add(self, rel: str, tags: Iterable[Tag]) -> None:
        for tag in tags:
            table = self.defs if tag.kind == "def" else self.refs
            table.setdefault(tag.name, {}).setdefault(rel, []).append(tag)

    def remove(self, rel: str, tags: Iterable[Tag]) -> None:
        for tag in tags:
            table = self.defs if tag.kind == "def" else self.refs
            files = table.get(tag.name)
            if files is not None and files.pop(rel, None) is not None and not files:
                del table[tag.name]


def default_cache_dir() -> Path:
    """`<user cache>/glm-lsp/index`."""
    return dirs.cache_dir() / "index"


class RepoIndex:
    """Tags of every source file of one repository, plus the editor's open buffers.

    `workers` is how many processes parse a big build, this one included (1: no worker
    processes; None: the free processors, `processors.free`). Call `build(files)` with the
    repository's file list (cheap when warm), `update(paths)` when some files change on
    disk, and `set_buffer`/`drop_buffer` as the editor opens, edits and closes documents.
    With `write_behind`, what a build or update changes reaches the database at the next
    `flush` (or `close`), not before it returns; a large file parsed here always waits for
    it. Thread-safe; parsing runs outside the lock. A big cold build parses in worker
    processes too (`workers.WorkerPool`); where none can start, in this process alone.
    """

    def __init__(
        self,
        root: Path,
        cache_dir: Path | None = None,
        workers: int | None = None,
        write_behind: bool = False,
    ):
        self.root = root.resolve()
        self.write_behind = write_behind
        key = hashlib.sha1(str(self.root).encode()).hexdigest()
        self.db_path = (cache_dir or default_cache_dir()) / f"{key}.sqlite"
        self.workers = workers
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None
        self._files: dict[str, _File] = {}
        self._blobs: dict[str, _Blob] = {}
        self._buffers: dict[str, BufferTags] = {}
        self._names: _NameMaps | None = None
        self._loaded = False
        self._fetched = 0  # tags read one by one (`_data`)
        # rel -> (content hash, rows, layout) of large files parsed here (`_previous`)
        self._kept: dict[str, tuple[str, list[Row], splice.Layout]] = {}
        self._unsaved: dict[str, tuple[_File, splice.Layout]] = {}  # see `flush`
        self._unwritten: dict[str, _BlobRow] = {}  # new contents' rows for `flush`
        self._touched: set[str] = set()  # files whose rows `flush` writes or deletes
        self._pool: tuple[Executor, int] | None = None  # see `prestart`
        self._prestarted: Sequence[str] | None = None  # the paths `prestart` last saw
        self._booting: threading.Thread | None = None  # see `prestart_early`
        self._early: Executor | None = None
        self._since = processors.sample()  # how busy the machine is since (`_parsers`)

    # --- building and refreshing ---

    def build(
        self,
        files: Sequence[str],
        stats: Mapping[str, tuple[int, int]] | None = None,
        on_tags: Callable[[str, str, bytes], None] | None = None,
    ) -> IndexStats:
        """Index exactly `files` (paths relative to the root): unchanged files are not read,
        known contents are not parsed, files no longer listed are dropped. `stats` gives
        (size, mtime_ns) of files the caller has just stat-ed (the listing has), so that
        they are not stat-ed again; other files are. `on_tags` sees each newly parsed
        file's encoded tags (path, content hash, data) as it is parsed, before the build
        ends, while the worker processes parse on."""
        return self._refresh(files, full=True, stats=stats or {}, on_tags=on_tags)

    def prestart(self, paths: Sequence[str]) -> None:
        """A listing has found `paths` and will go on checking them: when many of them are
        source files this index has never seen (a cold start), start the parser processes
        now, so that they boot (0.1-0.3 s of imports) while the listing finishes, or keep
        the one `prestart_early` started. The next `build` uses them, and shuts them down.
        A warm refresh lists the same candidates again (the same list while git's answer
        holds), and is not asked twice: 5 ms of each request's refresh on ansible went to
        looking again."""
        if paths is self._prestarted:
            return
        self._prestarted = paths
        early = self._early_pool()
        if self._pool is not None or processors.count() < 2:
            _stop(early)
            return
        with self._lock:
            self._load()
            files = self._files
            new = Counter(lang for rel in paths if rel not in files and (lang := language_for(rel)))
        many = sum(new.values()) >= PRESTART_FILES
        workers = self._parsers(booted=early is not None) if many else 1
        if early is not None and workers == 2:
            # its grammars imported and queries compiled while this process lists: booted
            # with none (the languages were not known yet), the worker sat idle ~20 ms of
            # ansible's listing, then compiled Python's query in its first batch
            early.submit(warm_up, shared_languages(new, workers))
            self._pool = (early, workers)
            return
        _stop(early)
        if workers < 2:
            return
        pool = _spawn(workers - 1, shared_languages(new, workers))
        if pool is not None:
            self._pool = (pool, workers)

    def prestart_early(self, tracked: int) -> None:
        """Before a first listing, knowing only that git tracks `tracked` files: when they
        are at least PRESTART_FILES and this index has none yet (a cold start), open the
        cache and start one parser process in a thread, while this one waits for git (on
        ansible 56 ms, in which the cache's 10 ms and the spawn's 15 ms now pass, and the
        worker boots in time for the build). `prestart` keeps it when the listing finds
        that many new source files and one other processor free."""
        if tracked < PRESTART_FILES or processors.count() < 2 or self._booting is not None:
            return
        self._booting = threading.Thread(target=self._boot_if_cold, daemon=True)
        self._booting.start()

    def _boot_if_cold(self) -> None:
        with self._lock:
            self._load()
            if self._files or self._pool is not None:
                return
        self._early = _spawn(1, [])

    def _early_pool(self) -> Executor | None:
        """`prestart_early`'s worker, once its thread is done (None if it started none)."""
        booting, self._booting = self._booting, None
        if booting is not None:
            booting.join()
        early, self._early = self._early, None
        return early

    def _parsers(self, booted: bool = False) -> int:
        """The processes to parse in: the processors other processes left free since this
        index was made or last refreshed (a build's own load does not count next time)."""
        return self.workers or processors.free(self._since, booted=booted)

    def update(self, paths: Iterable[str]) -> IndexStats:
        """Re-check just these files (saved, created, deleted, checked out)."""
        return self._refresh(list(paths), full=False)

    def _refresh(
        self,
        paths: Sequence[str],
        full: bool,
        stats: Mapping[str, tuple[int, int]] = {},
        on_tags: Callable[[str, str, bytes], None] | None = None,
    ) -> IndexStats:
        started = time.perf_counter()
        _stop(self._early_pool())  # started, but no listing came to keep it
        with self._lock:
            self._load()
            plan = self._plan(paths, stats)
            known = set(self._blobs)
            pool, self._pool = self._pool, None
        many = pool is None and _pool_pays(processors.count(), plan.jobs)
        workers = self._parsers() if many else 1
        results = []
        for result in parse_jobs(self.root, plan.jobs, known, workers, pool, self._previous):
            if on_tags is not None and result.data is not None and result.hash:
                on_tags(result.rel, result.hash, result.data)
            results.append(result)
        with self._lock:
            gone = (set(self._files) if full else set(paths)) - plan.listed
            parsed, hits = self._commit(plan, results, gone)
            self._since = processors.sample()
            verdicts = {r.rel: r.excluded for r in results if r.hash or r.excluded}
            return self._stats(parsed, plan.hits + hits, started, verdicts)

    def _plan(self, paths: Sequence[str], stats: Mapping[str, tuple[int, int]]) -> _Plan:
        """Sort files into unchanged (same size and mtime) and to be read by a parser."""
        plan = _Plan()
        base = f"{self.root}/"
        for rel in paths:
            language = language_for(rel)
            if language is None:
                continue
            known = stats.get(rel)
            if known is None:
                try:
                    info = os.stat(base + rel)
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue
                known = (info.st_size, info.st_mtime_ns)
            size, mtime_ns = known
            if size > MAX_FILE_BYTES:
                continue
            plan.listed.add(rel)
            old = self._files.get(rel)
            if old and (old.size, old.mtime_ns) == known:
                plan.hits += 1
            else:
                plan.jobs.append(Job(rel, language, size, mtime_ns))
        return plan

    def _commit(self, plan: _Plan, results: list[Parsed], gone: set[str]) -> tuple[int, int]:
        """Apply parse results and removals in memory and on disk; (parsed, reused). A
        large file parsed here is written later (`flush`), not during its edit."""
        jobs = {job.rel: job for job in plan.jobs}
        new_blobs: dict[str, _Blob] = {}
        layouts: dict[str, bytes | None] = {}
        changed: dict[str, _File] = {}
        later: dict[str, tuple[_File, splice.Layout]] = {}
        for result in results:
            if not result.hash:
                continue  # unreadable: dropped below
            job = jobs[result.rel]
            entry = changed[result.rel] = _File(job.size, job.mtime_ns, result.hash)
            if result.parsed and result.hash not in self._blobs:
                blob = _Blob(job.language, result.data, result.defs, result.refs)
                self._blobs[result.hash] = blob
                if result.last is None:
                    new_blobs[result.hash], layouts[result.hash] = blob, result.layout
                else:
                    blob.rows = result.last[0]
                    later[result.rel] = (entry, result.last[1])
            if result.last is not None:
                self._kept.pop(result.rel, None)
                self._kept[result.rel] = (result.hash, *result.last)
                while len(self._kept) > KEPT_LARGE:
                    del self._kept[next(iter(self._kept))]
        gone |= set(jobs) - set(changed)  # listed but unreadable now
        gone &= set(self._files)
        for rel in gone | set(changed):
            self._unsaved.pop(rel, None)  # superseded
        self._unsaved.update(later)
        rows = {  # before `_apply`, which may drop the data
            digest: (blob.language, blob.defs, blob.refs, blob.data, layouts[digest])
            for digest, blob in new_blobs.items()
        }
        written = {rel: entry for rel, entry in changed.items() if rel not in later}
        if self.write_behind:
            self._unwritten.update(rows)
            self._touched |= gone | set(written)
        else:
            self._persist(rows, written, gone)
        self._apply(changed, gone)
        parsed = sum(1 for result in results if result.parsed)
        return parsed, len(changed) - parsed

    def _apply(self, changed: dict[str, _File], gone: set[str]) -> None:
        """Update the in-memory tables and, if built, the name maps."""
        for rel in gone | set(changed):
            if self._names is not None and rel not in self._buffers and rel in self._files:
                self._names.remove(rel, self.tags(rel))
            self._files.pop(rel, None)
        self._files.update(changed)
        for rel in changed:
            if self._names is not None and rel not in self._buffers:
                self._names.add(rel, self.tags(rel))
        if gone or changed:
            used = {entry.hash for entry in self._files.values()}
            for digest in set(self._blobs) - used:
                del self._blobs[digest]

    def _stats(
        self, parsed: int, hits: int, started: float, verdicts: dict[str, str | None]
    ) -> IndexStats:
        symbols: dict[str, int] = {}
        for entry in self._files.values():
            blob = self._blobs[entry.hash]
            symbols[blob.language] = symbols.get(blob.language, 0) + blob.defs
        seconds = time.perf_counter() - started
        return IndexStats(len(self._files), parsed, hits, symbols, seconds, verdicts)

    # --- the database ---

    def _load(self) -> None:
        """Read the cache's file table once per process, without the tags themselves:
        a one-shot request needs a few files' tags, and reading all of them (6 MB for
        mypy) took half of this."""
        if self._loaded:
            return
        self._loaded = True
        db = self._connect()
        rows = db.execute(
            "SELECT f.path, f.size, f.mtime_ns, f.hash, b.language, b.defs, b.refs"
            " FROM files f JOIN blobs b ON b.hash = f.hash"
        )
        for rel, size, mtime_ns, digest, language, defs, refs in rows:
            self._files[rel] = _File(size, mtime_ns, digest)
            if digest not in self._blobs:
                self._blobs[digest] = _Blob(language, None, defs, refs)

    def _data(self, digest: str) -> bytes:
        """A content's encoded tags, read from the database on first use. After
        `BULK_AFTER` single reads (a graph being built asks for every file), the rest
        come in one query. Tags gone from the database since it was read (another
        process's refresh, a disk gone bad) read as none, and the files that had them
        are parsed again at the next refresh."""
        blob = self._blobs[digest]
        if blob.data is None and blob.rows is not None:
            blob.data = encode_rows(blob.rows)  # not in the database yet (`flush`)
        if blob.data is None:
            self._fetched += 1
            try:
                if self._fetched == BULK_AFTER:
                    self._fetch_all()
                if blob.data is None:
                    found = self._connect().execute(
                        "SELECT tags FROM blobs WHERE hash = ?", (digest,)
                    ).fetchone()
                    blob.data = found[0] if found is not None else None
            except sqlite3.Error as error:
                log.warning("symbol cache %s unreadable: %s", self.db_path, error)
            if blob.data is None:
                del self._blobs[digest]
                for rel in [rel for rel, entry in self._files.items() if entry.hash == digest]:
                    del self._files[rel]
                return encode_rows(())
        return blob.data

    def _fetch_all(self) -> None:
        for digest, data in self._connect().execute("SELECT hash, tags FROM blobs"):
            blob = self._blobs.get(digest)
            if blob is not None and blob.data is None:
                blob.data = data

    def _connect(self) -> sqlite3.Connection:
        """The cache database, rebuilt if its versions differ or it is corrupt; an
        in-memory database when the cache directory is unusable (the index still works,
        it just starts cold next time)."""
        if self._db is not None:
            return self._db
        for _attempt in range(2):
            try:
                self._db = _open(self.db_path)
                return self._db
            except sqlite3.Error as error:
                if getattr(error, "sqlite_errorcode", None) not in _CORRUPT:
                    log.warning("symbol cache %s unavailable (%s)", self.db_path, error)
                    break  # locked, read-only, ...: not ours to delete
                log.warning("symbol cache %s unusable (%s); recreating", self.db_path, error)
                _remove_database(self.db_path)
            except OSError as error:
                log.warning("symbol cache %s unavailable (%s)", self.db_path, error)
                break
        self._db = _open(Path(":memory:"))
        return self._db

    def _persist(self, blobs: dict[str, _BlobRow], files: dict[str, _File], gone: set[str]) -> None:
        """Write in one transaction; a failing disk only costs the cache (logged), never
        the in-memory index."""
        if not (blobs or files or gone):
            return
        db = self._connect()
        try:
            with db:
                db.executemany(
                    "INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?, ?, ?)",
                    [(digest, *row) for digest, row in blobs.items()],
                )
                db.executemany(
                    "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)",
                    [(rel, f.size, f.mtime_ns, f.hash) for rel, f in files.items()],
                )
                db.executemany("DELETE FROM files WHERE path = ?", [(rel,) for rel in gone])
                db.execute("DELETE FROM blobs WHERE hash NOT IN (SELECT hash FROM files)")
        except sqlite3.Error as error:
            log.warning("symbol cache %s not updated: %s", self.db_path, error)

    def flush(self) -> None:
        """Write what the refreshes since the last flush changed. A refresh does not wait
        for the disk: writing a cold build's tags took 25 ms of ansible's cold start, and
        encoding and writing those of a large file parsed here (mypy's checker.py, 456 KB)
        15-20 ms of its edit. The context engine calls this a moment later. Until then
        the database still holds the previous versions, so a crash costs only a re-parse
        at the next start."""
        with self._lock:
            blobs = self._unwritten
            files: dict[str, _File] = {}
            for rel, (entry, layout) in self._unsaved.items():
                blob = self._blobs.get(entry.hash)
                if blob is None or blob.rows is None or self._files.get(rel) != entry:
                    continue
                data = blob.data if blob.data is not None else encode_rows(blob.rows)
                blobs[entry.hash] = (blob.language, blob.defs, blob.refs, data, layout.encode())
                files[rel] = entry
            files.update(
                (rel, self._files[rel])
                for rel in self._touched - set(self._unsaved)
                if rel in self._files
            )
            gone = {rel for rel in self._touched if rel not in self._files}
            self._persist(blobs, files, gone)
            for digest in blobs:
                if digest in self._blobs:
                    self._blobs[digest].rows = None  # the database has them now
            self._unsaved, self._unwritten, self._touched = {}, {}, set()

    def _previous(self, rel: str) -> tuple[list[Row], splice.Layout] | None:
        """The tags and layout of `rel`'s indexed version: kept from its last parse here,
        or read now (a large file's second edit skips 10-25 ms of reading and decoding
        them)."""
        with self._lock:
            entry = self._files.get(rel)
            kept = self._kept.get(rel)
            if entry is not None and kept is not None and kept[0] == entry.hash:
                return kept[1], kept[2]
            blob = self._blobs.get(entry.hash) if entry is not None else None
            if entry is None or blob is None or self._db is None:
                return None
            unwritten = self._unwritten.get(entry.hash)
            try:
                if unwritten is not None:  # not written yet (`flush`)
                    found = (unwritten[4],)
                else:
                    found = self._db.execute(
                        "SELECT layout FROM blobs WHERE hash = ?", (entry.hash,)
                    ).fetchone()
            except sqlite3.Error:
                return None
            if found is None or found[0] is None:
                return None
            if blob.tags is not None:
                rows: list[Row] = [
                    (t.name, t.kind, t.category, t.line, t.end_line, t.signature) for t in blob.tags
                ]
            else:
                rows = decode_rows(self._data(entry.hash))
            from glm_lsp.context import splice

            return rows, splice.Layout.decode(found[0])

    def close(self) -> None:
        with self._lock:
            self.flush()
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> RepoIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading ---

    def files(self) -> list[str]:
        """Every indexed file and open buffer, sorted."""
        with self._lock:
            self._load()
            return sorted(self._files.keys() | self._buffers.keys())

    def tags(self, rel: str) -> list[Tag]:
        """A file's tags (its open buffer's, if any); the same list object until the file
        changes, so callers can skip unchanged files with an identity check."""
        with self._lock:
            buffer = self._buffers.get(rel)
            if buffer is not None:
                return buffer.tags()
            self._load()
            entry = self._files.get(rel)
            if entry is None:
                return []
            blob = self._blobs[entry.hash]
            if blob.tags is None and blob.rows is not None:
                blob.tags = list(starmap(Tag, blob.rows))
            elif blob.tags is None:
                blob.tags = decode_tags(self._data(entry.hash))
                blob.data = b""  # already in the database; the Tags replace it in memory
            return blob.tags

    def symbols(self, rel: str) -> tuple[list[Tag], Counter[str]]:
        """A file's definitions and referenced names' counts (see `decode_symbols`); its
        tags are decoded whole only when something asks for them."""
        with self._lock:
            self._load()
            entry = None if rel in self._buffers else self._files.get(rel)
            blob = self._blobs[entry.hash] if entry is not None else None
            if blob is not None and blob.tags is None and blob.rows is not None:
                refs = Counter(row[0] for row in blob.rows if row[1] == "ref")
                return [Tag(*row) for row in blob.rows if row[1] == "def"], refs
            if entry is None or blob is None or blob.tags is not None:
                tags = self.tags(rel)
                refs = Counter(t.name for t in tags if t.kind == "ref")
                return [t for t in tags if t.kind == "def"], refs
            return decode_symbols(self._data(entry.hash))

    def version(self, rel: str) -> object:
        """What identifies a file's tags without decoding them: its content hash, or for an
        open buffer the tags list itself (compare with `is`)."""
        with self._lock:
            buffer = self._buffers.get(rel)
            if buffer is not None:
                return buffer.tags()
            self._load()
            entry = self._files.get(rel)
            return entry.hash if entry is not None else None

    def definitions(self, name: str) -> list[tuple[str, Tag]]:
        """Where `name` is defined: (file, tag) pairs."""
        with self._lock:
            files = self._maps().defs.get(name, {})
            return [(rel, tag) for rel, tags in files.items() for tag in tags]

    def references(self, name: str) -> list[tuple[str, Tag]]:
        """Where `name` is referenced: (file, tag) pairs."""
        with self._lock:
            files = self._maps().refs.get(name, {})
            return [(rel, tag) for rel, tags in files.items() for tag in tags]

    def _maps(self) -> _NameMaps:
        """Built on first use (it decodes every file), then kept up to date per file."""
        if self._names is None:
            self._load()
            names = _NameMaps()
            for rel in self._files.keys() | self._buffers.keys():
                names.add(rel, self.tags(rel))
            self._names = names
        return self._names

    # --- open buffers ---

    def set_buffer(self, rel: str, text: str) -> list[Tag]:
        """The editor's text for `rel` shadows the disk from now on (the disk and the
        cache are left alone); later calls re-parse incrementally."""
        language = language_for(rel)
        if language is None or not available(language):
            return []
        data = text.encode("utf-8", "replace")
        with self._lock:
            old = self.tags(rel) if self._names is not None else []
            buffer = self._buffers.get(rel)
            if buffer is None or buffer.language != language:
                buffer = self._buffers[rel] = BufferTags(language, data)
            else:
                buffer.replace(data)
            self._swap_names(rel, old)
            return buffer.tags()

    def drop_buffer(self, rel: str) -> None:
        """The editor closed `rel`: its tags come from the disk again."""
        with self._lock:
            old = self.tags(rel) if self._names is not None else []
            if self._buffers.pop(rel, None) is not None:
                self._swap_names(rel, old)

    def _swap_names(self, rel: str, old: list[Tag]) -> None:
        if self._names is not None:
            self._names.remove(rel, old)
            self._names.add(rel, self.tags(rel))


def _open(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a cache database whose versions match ours."""
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        want = {"schema_version": str(SCHEMA_VERSION), "queries_version": queries_version()}
        if _versions(db) != want:
            _reset(db, want)
    except BaseException:
        db.close()
        raise
    return db


def _versions(db: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.OperationalError:  # no meta table yet
        return {}


def _reset(db: sqlite3.Connection, versions: dict[str, str]) -> None:
    """Drop everything and start an empty cache stamped with the current versions."""
    with db:
        for table in ("files", "blobs", "meta"):
            db.execute(f"DROP TABLE IF EXISTS {table}")
        db.executescript(_SCHEMA)
        db.executemany("INSERT INTO meta VALUES (?, ?)", versions.items())


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").unlink()
        except FileNotFoundError:
            pass
