"""The context engine: one per workspace root, kept warm between requests.

It owns the file set, the symbol index and the reference graph, follows the editor's
buffers and recent edits, and turns a request (file, selection, instruction) into an
`AssembledContext` within a token budget. Nothing here knows about LSP; the language
server and the CLI drive the same object.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import heapq
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from glm_lsp.config import Settings
from glm_lsp.context import definitions, githistory, gitinfo, graphcache, scope
from glm_lsp.context.assemble import AssembledContext, Material, Related, Snippet, assemble
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.content import BINARY, GENERATED
from glm_lsp.context.files import (
    FilePolicy,
    FileStates,
    exclusion_reason,
    judge,
    list_sampled,
    recall_listing,
    recall_verdicts,
    remember_listing,
    remember_verdicts,
)
from glm_lsp.context.gitjobs import GitJobs
from glm_lsp.context.index import IndexStats, RepoIndex, decode_symbol_rows
from glm_lsp.context.listing import tracked_count
from glm_lsp.context.outline import CurrentFile
from glm_lsp.context.parsing import gc_paused
from glm_lsp.context.rank import Focus, SymbolGraph, ranked_definitions, seeds_for
from glm_lsp.context.repomap import render_repo_map
from glm_lsp.context.scope import Cursor
from glm_lsp.context.secrets import redact_secrets
from glm_lsp.context.tags import Tag, available, language_for

log = logging.getLogger(__name__)

MAX_RELATED = 12
RECENT = 5
# Compiling the tags queries holds the GIL for ~50 ms (ansible's languages), and saving a
# rebuilt reference graph ~0.15 s: done at once they slow the first request down by as
# much; a second later, a one-shot command has finished (and saved the graph itself).
LATER_DELAY = 1.0


@dataclass(frozen=True)
class ContextRequest:
    """What one edit or question is about."""

    path: str  # relative to the root, posix
    instruction: str = ""
    selection: tuple[int, int] | None = None  # 1-based, inclusive
    heading: str = "Instruction"  # how the instruction's section is titled ("Question")


class ContextEngine:
    """Repository context for one root; call `refresh` before use and after disk changes."""

    def __init__(
        self,
        root: Path,
        policy: FilePolicy | None = None,
        *,
        co_change_commits: int = 300,
        cache_dir: Path | None = None,
        git_wait: float | None = None,
    ) -> None:
        self.root = root.resolve()
        self.policy = policy or FilePolicy()
        self.co_change_commits = co_change_commits
        self.index = RepoIndex(self.root, cache_dir, write_behind=True)  # see `save_caches`
        self.graph = SymbolGraph()
        self.buffers: dict[str, str] = {}
        # the last refresh's listing: (judged files, files whose content is not judged yet)
        self._listed: tuple[list[str], list[str]] | None = None
        self._files: list[str] | None = []  # the whole file set, once judged (`files`)
        self.recent: dict[str, float] = {}
        self._synced: dict[str, object] = {}  # rel -> the index version the graph holds
        self.git = GitJobs(git_wait)  # None: every request waits for its git answers
        self.file_states = FileStates(self.root)  # .glmignore and file verdicts, remembered
        self.co_changes = githistory.CoChangeCache(self.index.db_path.with_suffix(".history"))
        self._order: tuple[dict[str, float], list[str]] | None = None  # see `_by_rank`
        self._graph_unsaved = False  # a full sync rebuilt the graph (`save_caches`)
        self.lock = threading.RLock()  # the server refreshes in worker threads
        # inline completion: (file, scope) -> (the file's tags then, their definitions)
        self._scope_cache: dict[
            tuple[str, Tag | None], tuple[list[Tag], list[definitions.Definition]]
        ] = {}

    @classmethod
    def for_settings(
        cls, root: Path, settings: Settings, *, serving: bool = False, cache_dir: Path | None = None
    ) -> ContextEngine:
        """`serving`: the engine of a long-lived process (language server, ACP agent). Its
        requests never wait for git: each takes the answers that are ready and the others
        go into the next request about the same file (a blame of a few lines of a large
        file takes 0.2-0.7 s, a request 20-100 ms). A one-shot command has no next
        request, so it waits up to `settings.git_wait`."""
        return cls(
            root,
            FilePolicy(max_bytes=settings.max_file_bytes),
            co_change_commits=settings.co_change_commits,
            git_wait=0.0 if serving else settings.git_wait,
            cache_dir=cache_dir,
        )

    # --- keeping the index current ------------------------------------------------

    def refresh(self) -> IndexStats:
        """List the files and bring the index and graph up to date (cheap when warm). The
        collector waits: a process's first refresh makes hundreds of thousands of objects
        that live as long as it does (the graph, the index), and collections in the middle
        of ansible's cold start took 25 ms, or 11 ms once right after it. So after a first
        refresh they are frozen out of the collector's sight (`gc.freeze`); they are still
        freed when no longer referenced."""
        with self.lock:
            first = self._listed is None
            with gc_paused():
                stats = self._refresh(first)
                if first:
                    gc.freeze()
            return stats

    def _refresh(self, first: bool) -> IndexStats:
        verdicts = self.index.db_path.with_suffix(".verdicts")
        snapshot = self.index.db_path.with_suffix(".listing")
        if first:
            self.index.prestart_early(tracked_count(self.root))
            recall_verdicts(self.file_states, verdicts)
            recall_listing(self.file_states, snapshot)
        listed = list_sampled(
            self.root, self.policy, self.file_states, _indexable, self.index.prestart, False
        )
        cold = not self._synced and not self.buffers and not self._graph_path().exists()
        taken = self._take_tags if cold else None
        stats = self.index.build(listed[0], self.file_states.stats, taken)
        out = self.file_states.settle(self.root, stats.verdicts)
        if out:
            listed = ([rel for rel in listed[0] if rel not in out], listed[1])
            if not out <= stats.verdicts.keys():  # judged here: the index still has them
                self.index.build(listed[0], self.file_states.stats)
        if not first and (stats.parsed or listed != self._listed):
            self.git.invalidate()  # (the first refresh keeps answers prefetched meanwhile)
        self._listed = listed
        self._files = None if listed[1] else listed[0]
        self._sync()
        _later(self._compile_and_save, sorted(stats.symbols_by_language))
        return stats

    def _take_tags(self, rel: str, digest: str, data: bytes) -> None:
        """A cold build's tags, put in the graph as each file is parsed, while the worker
        processes parse the next ones: after the build, that took 0.15 s of mypy's 1.3 s
        cold start with the workers done. `_sync` then finds these files current."""
        self.graph.set_symbol_rows(rel, *decode_symbol_rows(data))
        self._synced[rel] = digest
        self._graph_unsaved = True

    def _compile_and_save(self, languages: list[str]) -> None:
        """What a refresh leaves for a second later: compiling the tags queries (so that
        the first edit's update does not pay for it, ~15 ms for Python) and saving the
        caches."""
        for language in languages:
            available(language)
        self.save_caches()

    def save_caches(self) -> None:
        """Write the reference graph if a refresh rebuilt it (its next start then loads it
        instead of rebuilding, ~0.3 s on ansible), the tags a refresh or an edit left
        unwritten (`RepoIndex.flush`), the content verdicts, and git's file list once its
        folders are stamped (`listing.walked`). Not part of the refresh or the edit: their
        answers do not wait for it. A one-shot command calls it after its output, and the
        first buffers to shadow the disk wait for it (`set_buffers`)."""
        with self.lock:
            remember_verdicts(self.file_states, self.index.db_path.with_suffix(".verdicts"))
            remember_listing(self.file_states, self.index.db_path.with_suffix(".listing"))
            self.index.flush()
            if self._graph_unsaved and not self.buffers:
                graphcache.save(self._graph_path(), self._graph_key(), self.graph)
            self._graph_unsaved = False

    @property
    def files(self) -> list[str]:
        """The file set of the last refresh: the files the model may see. A refresh judges
        the content (binary, generated) only of the files the index parses; the others are
        judged here, the first time the whole set is needed (the agent's tools), and their
        verdicts are saved for the next process."""
        with self.lock:
            if self._files is None and self._listed is not None:
                kept, pending = self._listed
                judged = judge(self.root, self.policy, self.file_states, pending)
                self._files = list(heapq.merge(kept, judged))
                verdicts = self.index.db_path.with_suffix(".verdicts")
                remember_verdicts(self.file_states, verdicts)
            return self._files or []

    def update(self, paths: list[str]) -> None:
        """Files changed on disk (saved, checked out): refresh only these."""
        with self.lock:
            self.index.update(paths)
            self.git.invalidate()
            self._sync(paths)
            _later(self.save_caches)

    def set_buffers(self, buffers: Mapping[str, str]) -> None:
        """The editor's open buffers (relative path → text) win over the disk."""
        with self.lock:
            if buffers and not self.buffers:
                self.save_caches()  # a graph holding buffers' symbols cannot be saved
            for rel in set(self.buffers) - set(buffers):
                self.index.drop_buffer(rel)
            changed = [rel for rel, text in buffers.items() if self.buffers.get(rel) != text]
            for rel in changed:
                if self.allowed(rel):
                    self.index.set_buffer(rel, buffers[rel])
            self.buffers = dict(buffers)
            if changed:
                self.git.invalidate()
            self._sync(changed)

    def touch(self, rel: str) -> None:
        """The user edited `rel`; recently edited files rank higher."""
        self.recent[rel] = time.monotonic()

    def allowed(self, rel: str) -> bool:
        return exclusion_reason(self.root, rel, self.policy, self.file_states) is None

    def excluded_for_tools(self, rel: str) -> str | None:
        """Why the agent's tools may not touch `rel`; a large, binary or generated file is
        kept out of the context but may still be read or edited on request."""
        reason = exclusion_reason(self.root, rel, self.policy, self.file_states)
        if reason is None or reason in (BINARY, GENERATED) or reason.startswith("larger than"):
            return None
        return reason

    def _sync(self, paths: list[str] | None = None) -> None:
        """Feed changed files' tags to the graph; the index decides what changed. A full
        sync first tries the cached graph, and saves it again when it had to rebuild."""
        current = set(self.index.files())
        changed = 0
        with gc_paused():  # decoding a whole repository's tags makes many small objects
            if paths is None and not self._synced:
                self._load_graph(current)
            for rel in set(self._synced) - current:
                self.graph.remove_file(rel)
                del self._synced[rel]
            for rel in paths if paths is not None else current:
                if rel not in current:
                    continue
                version = self.index.version(rel)
                if not _same(self._synced.get(rel), version):
                    self.graph.set_symbols(rel, *self.index.symbols(rel))
                    self._synced[rel] = version
                    changed += 1
        if paths is None and changed:
            self._graph_unsaved = True

    def _graph_path(self) -> Path:
        return self.index.db_path.with_suffix(".graph")

    def _graph_key(self) -> str:
        return graphcache.cache_key(
            (rel, version) for rel, version in self._synced.items() if isinstance(version, str)
        )

    def _load_graph(self, current: set[str]) -> None:
        """Start from the cached graph when it was saved for exactly these files' contents."""
        versions = {rel: self.index.version(rel) for rel in current}
        if self.buffers or not all(isinstance(v, str) for v in versions.values()):
            return
        graph = graphcache.load(self._graph_path(), graphcache.cache_key(versions.items()))
        if graph is not None:
            self.graph = graph
            self._synced = dict(versions)

    # --- building a request's context ----------------------------------------------

    def read(self, rel: str) -> str:
        """A file's text as the model may see it: buffer first, secrets redacted."""
        text = self.buffers.get(rel)
        if text is None:
            text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
        return redact_secrets(text)[0]

    def focus(self, request: ContextRequest) -> Focus:
        """The session-stable part of the focus: what the repo map is ranked toward."""
        recent = sorted(self.recent, key=lambda r: -self.recent[r])
        return Focus(
            current=request.path,
            recent=tuple(r for r in recent if r != request.path)[:RECENT],
            co_change=githistory.co_change(
                self.root, request.path, commits=self.co_change_commits, cache=self.co_changes
            ),
        )

    def ranks(self, focus: Focus) -> dict[str, float]:
        return self.graph.rank(seeds_for(self.graph, focus))

    def ranked_files(self, focus: Focus) -> list[str]:
        return self._by_rank(self.ranks(focus))

    def _by_rank(self, ranks: dict[str, float]) -> list[str]:
        """`_by_rank`, once per ranking (the graph returns the same dict for the same
        focus until it changes; a request orders by it two or three times)."""
        kept = self._order
        if kept is None or kept[0] is not ranks:
            kept = self._order = (ranks, _by_rank(ranks))
        return kept[1]

    def repo_map(
        self,
        budget_tokens: int,
        focus: Focus,
        counter: TokenCounter | None = None,
        ranks: dict[str, float] | None = None,
        definitions: Mapping[str, list[tuple[float, Tag]]] | None = None,
    ) -> str:
        """`ranks` (and `definitions`, ranked for them), when the caller already has them
        for this focus, save ranking and scoring again (an assembly renders the map twice)."""
        counter = counter or TokenCounter("default")
        ranks = self.ranks(focus) if ranks is None else ranks
        if definitions is None:
            definitions = ranked_definitions(self.graph, ranks, focus)
        skip = frozenset({focus.current}) if focus.current else frozenset()
        rendered = render_repo_map(self._by_rank(ranks), definitions, budget_tokens, counter, skip)
        return redact_secrets(rendered)[0]  # signatures are raw source lines

    def prefetch_git(self, request: ContextRequest) -> None:
        """Start git's answers for `request` now, so that they run while the index loads;
        `material` takes them up (a first request otherwise waits for git or goes without).
        The co-change history (one `git log`, which the focus needs) is read meanwhile too."""
        self._git_answers(request)
        history = threading.Thread(
            target=githistory.co_change_index,
            args=(self.root,),
            kwargs={"commits": self.co_change_commits, "cache": self.co_changes},
            daemon=True,
        )
        history.start()

    def _git_answers(self, request: ContextRequest) -> tuple[Callable[[], str], Callable[[], str]]:
        self.git.launch()  # any left by a request built without `assemble`
        git = self.git.start(("state", request.path), lambda: self._git(request))
        blame = self.git.start(
            ("blame", request.path, request.selection), lambda: self._blame(request)
        )
        return git, blame

    def material(self, request: ContextRequest, counter: TokenCounter) -> Material:
        git, blame = self._git_answers(request)  # git runs while the rest is built
        text = self.read(request.path)
        focus = self.focus(request)
        fixed = TokenCounter(counter.provider)  # the map must not move with the learned ratio
        found, current = self._scope_material(request, text)
        ranks = self.ranks(focus)
        scored = ranked_definitions(self.graph, ranks, focus)  # scored once, rendered twice
        order = [rel for rel in self._by_rank(ranks) if rel != request.path]
        return Material(
            path=request.path,
            text=text,
            instruction=request.instruction,
            heading=request.heading,
            selection=request.selection,
            scope=_snippet(request.path, current.scope) if current and current.scope else None,
            current=current,
            whole_file=scope.about_whole_file(request.instruction),
            definitions=[d for d in found if d.path != request.path],
            git=git,
            blame=blame,
            repo_map=lambda tokens: self.repo_map(tokens, focus, fixed, ranks, scored),
            related=[self._related(rel) for rel in order[:MAX_RELATED] if self._small(rel)],
        )

    def _scope_material(
        self, request: ContextRequest, text: str
    ) -> tuple[list[definitions.Definition], CurrentFile | None]:
        """The definitions of the names in play (any file's), and the current file's view
        as its scope plus an outline (None without a cursor)."""
        cursor = Cursor(*request.selection) if request.selection else None
        tags = self.index.tags(request.path)
        scope_tag = scope.enclosing(tags, cursor) if cursor else None
        in_play = scope.names_in_play(
            self.graph, tags, text, cursor, scope_tag, request.instruction
        )
        found = definitions.collect(self.graph, in_play.names, self._reader(), in_play.referenced)
        found = [_redacted(d) for d in found]
        if cursor is None:
            return found, None
        used = [d for d in found if d.path == request.path and d.name in in_play.scope_refs]
        definitions_here = [t for t in tags if t.kind == "def"]
        return found, CurrentFile(request.path, text, definitions_here, cursor, scope_tag, used)

    def scope_definitions(
        self, rel: str, buffer: Sequence[str], line: int, limit: int = 24
    ) -> tuple[Tag | None, list[definitions.Definition]]:
        """The scope around the 0-based `line` of the editor's `buffer` (its lines) and the
        definitions (signatures only, in any file) of the names that scope uses, for inline
        completion. The buffer runs ahead of the index while the user types, so the scope
        is the nearest definition above the cursor whose line the index knows; its names
        come from the whole scope, not the cursor's line. So they stay the same while the
        user types in it, and the request's prefix stays cacheable. Cached per scope."""
        if not self.lock.acquire(blocking=False):  # indexing: go without, do not wait
            return None, []
        try:
            file_tags = self.index.tags(rel)
            scope_tag = _scope_above(file_tags, buffer, line)
            key = (rel, scope_tag)
            cached = self._scope_cache.get(key)
            if cached is not None and cached[0] is file_tags:
                return scope_tag, cached[1]
            read = self._reader()  # raw: only names are taken from it; shown lines redacted
            text = read(rel) if self.allowed(rel) else ""
            in_play = scope.names_in_play(self.graph, file_tags, text, None, scope_tag, "")
            found = definitions.collect(self.graph, in_play.names, read, frozenset(), limit)
            found = [_redacted(d) for d in found]
            if len(self._scope_cache) >= 256:
                self._scope_cache.clear()
            self._scope_cache[key] = (file_tags, found)
            return scope_tag, found
        finally:
            self.lock.release()

    def assemble(
        self, request: ContextRequest, budget_tokens: int, counter: TokenCounter
    ) -> AssembledContext:
        with self.lock:
            try:
                return assemble(self.material(request, counter), budget_tokens, counter)
            finally:
                self.git.launch()  # a server's git questions run after its request

    def _reader(self) -> Callable[[str], str]:
        """Raw text for `definitions.collect`, once per file for one request. Redacting a
        whole file to show a few of its lines costs more than the rest of a request, and
        every secret pattern but one is line-local, so `_redacted` redacts the lines shown;
        a file holding a private key block (which spans lines) comes redacted whole."""

        def raw(rel: str) -> str:
            text = self.buffers.get(rel)
            if text is None:
                text = (self.root / rel).read_text(encoding="utf-8", errors="replace")
            return redact_secrets(text)[0] if "PRIVATE KEY" in text else text

        return functools.cache(raw)

    def _related(self, rel: str) -> Related:
        size = len(self.buffers[rel]) if rel in self.buffers else (self.root / rel).stat().st_size
        return Related(rel, size, lambda: self.read(rel))

    def _small(self, rel: str) -> bool:
        try:
            return (self.root / rel).stat().st_size <= 100_000 or rel in self.buffers
        except OSError:
            return False

    def _git(self, request: ContextRequest) -> str:
        """Branch, status, diffs and the file's history; the selection's blame goes with
        the selection, since it changes with every request."""
        text = gitinfo.render_context(
            self.root, request.path, allow=lambda rel: self.allowed(rel.rstrip("/"))
        )
        return redact_secrets(text)[0]

    def _blame(self, request: ContextRequest) -> str:
        if request.selection is None or not self.allowed(request.path):
            return ""
        start, end = request.selection
        text = self.buffers.get(request.path)
        groups = githistory.blame_summary(self.root, request.path, start, end, text=text)
        return githistory.render_blame(groups)


def _scope_above(tags: list[Tag], buffer: Sequence[str], line: int) -> Tag | None:
    """The nearest function, method or class definition above `line` of the buffer,
    recognised by its signature line, so edits above it do not lose it."""
    scopes = {
        t.signature: t
        for t in tags
        if t.kind == "def" and t.category not in scope.NOT_SCOPES and t.signature
    }
    for number in range(min(line, len(buffer) - 1), max(-1, line - 400), -1):
        found = scopes.get(buffer[number].strip()[:200])
        if found is not None:
            return found
    return None


def _indexable(rel: str) -> bool:
    """Whether the index parses `rel` (so the listing reads its first bytes now)."""
    return language_for(rel) is not None


def _redacted(d: definitions.Definition) -> definitions.Definition:
    """A definition's shown lines with secrets redacted (see `ContextEngine._reader`)."""
    signature = tuple((line, redact_secrets(text)[0]) for line, text in d.signature)
    return dataclasses.replace(d, signature=signature, body=redact_secrets(d.body)[0])


def _same(synced: object, version: object) -> bool:
    """A content hash compares by value; a buffer's tags list by identity."""
    return synced is version or (isinstance(version, str) and synced == version)


RANK_RESOLUTION = 6  # decimals of a rank that order files; the rest is iteration noise


def _by_rank(ranks: dict[str, float]) -> list[str]:
    """Files by rank, near-ties by path. Ranks are rounded to 1e-6 first, so that the float
    noise of summing in another order (the graph's first and later walks over a matrix sum
    differently) never reorders the repo map and related files (the cached prefix)."""
    return sorted(ranks, key=lambda rel: (-round(ranks[rel], RANK_RESOLUTION), rel))


def relative_buffers(root: Path, buffers: Mapping[str, str]) -> dict[str, str]:
    """Open buffers keyed by absolute path, as the engine keys them: relative to `root`
    (buffers of files outside it are left out)."""
    root = root.resolve()
    found = {}
    for name, text in buffers.items():
        path = Path(name).resolve()
        if path.is_relative_to(root):
            found[path.relative_to(root).as_posix()] = text
    return found


def _snippet(rel: str, tag: Tag) -> Snippet:
    """Where a scope is (its text is the current-file section's business)."""
    return Snippet(rel, tag.line + 1, tag.end_line + 1, "", _label(tag))


def _label(tag: Tag) -> str:
    return f"{tag.category} {tag.name}" if tag.category else tag.name


def _later(work: Callable[..., None], *args: object) -> None:
    """Run `work` LATER_DELAY seconds from now, in a thread that does not keep the
    process alive."""
    timer = threading.Timer(LATER_DELAY, work, args=args)
    timer.daemon = True
    timer.start()
