"""The repository symbol index: cache reuse, invalidation, removals, buffers, processes."""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from glm_lsp.context import index as index_module
from glm_lsp.context import parsing
from glm_lsp.context.index import RepoIndex, decode_symbols, decode_tags, default_cache_dir
from glm_lsp.context.parsing import encode_rows
from glm_lsp.context.tags import extract_rows, extract_tags, language_for

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tags"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small repository: every language fixture, a package, and a non-code file."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES, root / "src")
    pkg = root / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "core.py").write_text("def core_helper():\n    return 1\n")
    (pkg / "use.py").write_text("from pkg.core import core_helper\n\ncore_helper()\n")
    (root / "README.md").write_text("# readme\n")
    return root


def listed(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def touch(path: Path, text: str) -> None:
    """Write and move the mtime forward (coarse file-system clocks could hide a rewrite)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 5_000_000_000, before + 5_000_000_000))


def code_files(root: Path) -> list[str]:
    return [rel for rel in listed(root) if language_for(rel)]


def test_cache_lives_in_the_user_cache_dir(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    key = hashlib.sha1(str(repo.resolve()).encode()).hexdigest()
    expected = Path(os.environ["XDG_CACHE_HOME"]) / "glm-lsp" / "index" / f"{key}.sqlite"
    assert default_cache_dir() == expected.parent
    assert index.db_path == expected and expected.is_file()


def test_cold_then_warm(repo: Path) -> None:
    files = listed(repo)
    cold = RepoIndex(repo).build(files)
    assert cold.files == len(code_files(repo))  # README.md is not indexed
    assert cold.parsed + cold.cache_hits == cold.files
    assert cold.parsed == cold.files  # every content is distinct
    assert cold.symbols_by_language["python"] > 0 and cold.symbols_by_language["csharp"] > 0

    again = RepoIndex(repo)  # a new session: everything from the database
    warm = again.build(files)
    assert (warm.parsed, warm.cache_hits, warm.files) == (0, cold.files, cold.files)
    assert warm.symbols_by_language == cold.symbols_by_language
    for rel in again.files():
        assert again.tags(rel) == extract_tags((repo / rel).read_bytes(), language_for(rel) or "")

    same_process = again.build(files)
    assert (same_process.parsed, same_process.cache_hits) == (0, cold.files)


def test_editing_one_file_reparses_only_it(repo: Path) -> None:
    files = listed(repo)
    index = RepoIndex(repo)
    index.build(files)
    touch(
        repo / "pkg" / "core.py", "def core_helper():\n    return 2\n\n\ndef added():\n    pass\n"
    )
    stats = index.build(files)
    assert stats.parsed == 1 and stats.cache_hits == stats.files - 1
    assert "added" in {t.name for t in index.tags("pkg/core.py")}
    assert RepoIndex(repo).build(files).parsed == 0  # the edit reached the database


def test_touched_but_unchanged_file_is_not_parsed(repo: Path) -> None:
    files = listed(repo)
    index = RepoIndex(repo)
    index.build(files)
    touch(repo / "pkg" / "core.py", (repo / "pkg" / "core.py").read_text())
    stats = index.build(files)
    assert stats.parsed == 0 and stats.cache_hits == stats.files


def test_identical_copy_reuses_the_blob(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    shutil.copy(repo / "src" / "sample.go", repo / "pkg" / "copy.go")
    stats = index.build(listed(repo))
    assert stats.parsed == 0 and stats.cache_hits == stats.files
    assert index.tags("pkg/copy.go") == index.tags("src/sample.go")
    db = sqlite3.connect(index.db_path)
    assert db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == stats.files - 1


def test_same_bytes_in_another_language_are_tagged_again(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    shutil.copy(repo / "src" / "sample.c", repo / "pkg" / "same.cpp")
    assert index.build(listed(repo)).parsed == 1


@pytest.mark.parametrize("what", ["schema", "queries"])
def test_version_change_rebuilds(repo: Path, what: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files = listed(repo)
    count = RepoIndex(repo).build(files).files
    if what == "schema":
        monkeypatch.setattr(index_module, "SCHEMA_VERSION", index_module.SCHEMA_VERSION + 1)
    else:
        monkeypatch.setattr(index_module, "queries_version", lambda: "edited queries")
    assert RepoIndex(repo).build(files).parsed == count
    assert RepoIndex(repo).build(files).parsed == 0  # and the rebuilt cache is used


def test_deleted_and_unlisted_files_disappear(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    assert index.definitions("core_helper")
    (repo / "pkg" / "core.py").unlink()
    stats = index.build(listed(repo))
    assert "pkg/core.py" not in index.files()
    assert index.definitions("core_helper") == []
    assert stats.files == len(code_files(repo))
    index.build([rel for rel in listed(repo) if not rel.startswith("src/")])
    assert not [rel for rel in index.files() if rel.startswith("src/")]
    assert RepoIndex(repo).files() == index.files()  # loaded from the database
    db = sqlite3.connect(index.db_path)
    assert db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 2  # orphans collected


def test_a_listed_file_that_vanished_is_dropped(repo: Path) -> None:
    files = listed(repo)
    index = RepoIndex(repo)
    index.build(files)
    (repo / "src" / "sample.rb").unlink()
    index.build(files)  # still listed by a stale caller
    assert "src/sample.rb" not in index.files()


def test_update_refreshes_only_the_given_paths(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    touch(repo / "pkg" / "core.py", "def renamed():\n    pass\n")
    touch(repo / "pkg" / "use.py", "renamed()\n")  # changed but not reported
    (repo / "pkg" / "new.py").write_text("class Fresh:\n    pass\n")
    stats = index.update(["pkg/core.py", "pkg/new.py", "README.md"])
    assert stats.parsed == 2
    assert index.definitions("renamed") == [("pkg/core.py", index.tags("pkg/core.py")[0])]
    assert [rel for rel, _ in index.definitions("Fresh")] == ["pkg/new.py"]
    assert {rel for rel, _ in index.references("core_helper")} == {"pkg/use.py"}  # stale
    (repo / "pkg" / "new.py").unlink()
    index.update(["pkg/new.py"])
    assert "pkg/new.py" not in index.files() and index.definitions("Fresh") == []


def test_name_lookups(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    defs = index.definitions("core_helper")
    assert [(rel, tag.kind, tag.line) for rel, tag in defs] == [("pkg/core.py", "def", 0)]
    refs = sorted((rel, tag.category, tag.line) for rel, tag in index.references("core_helper"))
    assert refs == [("pkg/use.py", "call", 2), ("pkg/use.py", "import", 0)]
    assert {rel for rel, _ in index.definitions("Shape")} == {
        "src/sample.cpp",
        "src/sample.go",
        "src/sample.py",
    }
    assert index.definitions("no_such_name") == []


def test_tags_object_is_stable_until_the_file_changes(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    first = index.tags("pkg/core.py")
    assert index.tags("pkg/core.py") is first
    index.build(listed(repo))
    assert index.tags("pkg/core.py") is first
    touch(repo / "pkg" / "core.py", "def other():\n    pass\n")
    index.build(listed(repo))
    assert index.tags("pkg/core.py") is not first
    assert index.tags("not/indexed.py") == []


def test_buffers_shadow_the_disk_without_touching_it(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    path = repo / "pkg" / "core.py"
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    text = "def core_helper():\n    return 1\n\n\ndef in_buffer_only():\n    pass\n"
    tags = index.set_buffer("pkg/core.py", text)
    assert "in_buffer_only" in {t.name for t in tags}
    assert index.tags("pkg/core.py") == tags
    assert [rel for rel, _ in index.definitions("in_buffer_only")] == ["pkg/core.py"]
    edited = index.set_buffer("pkg/core.py", text.replace("in_buffer_only", "renamed_in_buffer"))
    assert "renamed_in_buffer" in {t.name for t in edited}
    assert index.definitions("in_buffer_only") == []
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert index.build(listed(repo)).parsed == 0  # the disk version is still the cached one
    assert "renamed_in_buffer" not in {t.name for t in RepoIndex(repo).tags("pkg/core.py")}
    index.drop_buffer("pkg/core.py")
    assert index.tags("pkg/core.py") == extract_tags(path.read_bytes(), "python")
    assert index.definitions("renamed_in_buffer") == []


def test_buffer_for_a_file_not_on_disk(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    index.set_buffer("pkg/unsaved.ts", "export function draft(): void {}\n")
    assert "pkg/unsaved.ts" in index.files()
    assert [rel for rel, _ in index.definitions("draft")] == ["pkg/unsaved.ts"]
    assert index.set_buffer("notes.txt", "hello") == []
    index.drop_buffer("pkg/unsaved.ts")
    assert "pkg/unsaved.ts" not in index.files()


def test_large_and_unknown_files_are_skipped(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "MAX_FILE_BYTES", 200)
    index = RepoIndex(repo)
    index.build(listed(repo))
    assert "pkg/core.py" in index.files()  # small
    assert "src/sample.cs" not in index.files()  # over the limit
    assert "README.md" not in index.files()


def test_encoding_round_trips() -> None:
    for path in sorted(FIXTURES.iterdir()):
        rows = extract_rows(path.read_bytes(), language_for(path) or "")
        assert decode_tags(encode_rows(rows)) == extract_tags(
            path.read_bytes(), language_for(path) or ""
        )
    assert decode_tags(encode_rows([])) == []


def test_the_graph_gets_the_same_symbols_without_decoding_references(repo: Path) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    fresh = RepoIndex(repo)  # a new process: tags still encoded
    for rel in code_files(repo):
        tags = index.tags(rel)
        defs, refs = fresh.symbols(rel)
        assert defs == [t for t in tags if t.kind == "def"]
        assert refs == Counter(t.name for t in tags if t.kind == "ref")
        assert fresh.symbols(rel) == index.symbols(rel)  # decoded or not, the same
    assert decode_symbols(encode_rows([])) == ([], Counter())
    assert fresh.symbols("README.md") == ([], Counter())


def test_a_warm_index_reads_tags_when_asked_one_by_one_then_in_bulk(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = listed(repo)
    RepoIndex(repo).build(files)
    monkeypatch.setattr(index_module, "BULK_AFTER", 3)
    warm = RepoIndex(repo)
    assert warm.build(files).parsed == 0
    queries: list[str] = []
    warm._connect().set_trace_callback(queries.append)
    for rel in code_files(repo):
        assert warm.tags(rel) == extract_tags((repo / rel).read_bytes(), language_for(rel) or "")
    reads = [q.partition(" WHERE")[0] for q in queries if q.startswith("SELECT")]
    assert len(code_files(repo)) > 4
    assert reads == ["SELECT tags FROM blobs"] * 2 + ["SELECT hash, tags FROM blobs"]


def test_tags_gone_from_the_database_after_loading_read_as_none_until_parsed_again(repo: Path) -> None:
    files = listed(repo)
    RepoIndex(repo).build(files)
    warm = RepoIndex(repo)
    warm.build(files)
    with sqlite3.connect(warm.db_path) as db:
        db.execute("DELETE FROM blobs")
    assert warm.tags("pkg/core.py") == []
    assert warm.symbols("pkg/use.py") == ([], Counter())
    stats = warm.build(files)  # the next refresh parses them again
    assert stats.parsed == 2
    assert "core_helper" in {t.name for t in warm.tags("pkg/core.py")}
    assert RepoIndex(repo).tags("pkg/use.py") == warm.tags("pkg/use.py")


def test_corrupt_cache_is_recreated(repo: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = listed(repo)
    index = RepoIndex(repo)
    index.build(files)
    index.close()
    index.db_path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{index.db_path}{suffix}").unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING):
        stats = RepoIndex(repo).build(files)
    assert stats.parsed == stats.files and "recreating" in caplog.text
    assert RepoIndex(repo).build(files).parsed == 0


def test_unusable_cache_dir_falls_back_to_memory(
    repo: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with caplog.at_level(logging.WARNING):
        index = RepoIndex(repo, cache_dir=blocker / "index")
        stats = index.build(listed(repo))
    assert stats.files == len(code_files(repo)) and "unavailable" in caplog.text
    assert index.build(listed(repo)).parsed == 0  # still cached in memory


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(index_module, "POOL_MIN_BYTES", 1)


@pytest.mark.usefixtures("small_pool")
def test_worker_processes_give_the_same_tags(repo: Path, tmp_path: Path) -> None:
    files = listed(repo)
    pooled = RepoIndex(repo, cache_dir=tmp_path / "pool", workers=2)
    here = RepoIndex(repo, cache_dir=tmp_path / "here", workers=1)
    stats = pooled.build(files)
    assert stats.parsed == stats.files == here.build(files).parsed
    for rel in here.files():
        assert pooled.tags(rel) == here.tags(rel)


@pytest.mark.usefixtures("small_pool")
def test_failing_pool_falls_back_to_in_process(
    repo: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "executable", str(repo / "no-such-python"))  # cannot start
    with caplog.at_level(logging.WARNING):
        stats = RepoIndex(repo, workers=2).build(listed(repo))
    assert stats.parsed == stats.files == len(code_files(repo))
    assert "parsing in-process" in caplog.text


@pytest.mark.usefixtures("small_pool")
def test_workers_answer_through_private_files_and_leave_none(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker's tags go back through a file (through the pool's pipe, a worker waited
    for this process to read them). No file is left behind; where no folder can be made,
    this process parses everything itself."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # (read TMPDIR again)
    files = listed(repo)
    pooled = RepoIndex(repo, cache_dir=tmp_path / "pool", workers=2).build(files)
    assert pooled.parsed == len(code_files(repo)) and list(scratch.iterdir()) == []

    def full(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkdtemp", full)
    with caplog.at_level(logging.WARNING):
        stats = RepoIndex(repo, cache_dir=tmp_path / "other", workers=2).build(files)
    assert stats.parsed == len(code_files(repo)) and "parsing in-process" in caplog.text


def test_languages_with_few_files_are_parsed_in_this_process_only(repo: Path) -> None:
    jobs = [
        parsing.Job(rel, language_for(rel) or "", (repo / rel).stat().st_size, 0)
        for rel in code_files(repo)
    ]
    languages = Counter(job.language for job in jobs)
    assert index_module.shared_languages(Counter(python=8, csharp=1, go=1), 2) == ["python"]
    assert index_module.shared_languages(Counter(typescript=5, javascript=4), 2) == [
        "javascript",
        "typescript",
    ]
    ten = Counter({f"language{i}": 10 for i in range(10)})  # each under the share, not all
    assert len(index_module.shared_languages(ten, 2)) == 8
    alone = set(languages) - set(index_module.shared_languages(languages, 2))
    assert len(alone) == 3  # the fixtures: one file a language, four Python files

    submitted: list[str] = []

    class Recording(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            submitted.extend(job.language for job in args[-1])
            return super().submit(fn, *args, **kwargs)

    with Recording(1) as pool:
        results = list(index_module._parse_in_pool(pool, repo, jobs, 2))
    assert sorted(r.rel for r in results) == sorted(job.rel for job in jobs)
    assert submitted and not alone & set(submitted)


def test_batches_a_worker_still_holds_are_parsed_here_once_nothing_is_left(repo: Path) -> None:
    """A worker kept up to three batches; with nothing else to do this process takes them
    over, newest first, instead of waiting (here the worker never answers at all)."""
    jobs = [
        parsing.Job(rel, language_for(rel) or "", (repo / rel).stat().st_size, 0)
        for rel in code_files(repo)
    ]
    held: list[list[str]] = []

    class Stuck:
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            held.append([job.rel for job in args[-1]])
            return concurrent.futures.Future()  # never done

    results = list(index_module._parse_in_pool(Stuck(), repo, jobs, 2))  # type: ignore[arg-type]
    assert held  # the worker was given batches, and they were parsed here
    assert sorted(result.rel for result in results) == sorted(job.rel for job in jobs)
    assert all(result.parsed for result in results)


def test_a_file_parsed_both_here_and_by_a_worker_is_answered_once(repo: Path) -> None:
    jobs = [
        parsing.Job(rel, language_for(rel) or "", (repo / rel).stat().st_size, 0)
        for rel in code_files(repo)
    ]

    class Late(concurrent.futures.ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            def slow():  # type: ignore[no-untyped-def]
                time.sleep(0.05)  # answers after this process took the batch over
                return fn(*args, **kwargs)

            return super().submit(slow)

    with Late(1) as pool:
        results = list(index_module._parse_in_pool(pool, repo, jobs, 2))
    assert sorted(result.rel for result in results) == sorted(job.rel for job in jobs)


def test_batches_shrink_as_the_work_runs_out() -> None:
    """The first batches are the big ones, so the last a process waits for is small."""
    jobs = [
        parsing.Job(f"f{i}.py", "python", size, 0)
        for i, size in enumerate([5000, 400, 300] + [100] * 40 + [20] * 100)
    ]
    batches = index_module._batches(jobs, 2)
    assert sorted(job.rel for batch in batches for job in batch) == sorted(j.rel for j in jobs)
    loads = [sum(job.size + index_module.FILE_COST for job in batch) for batch in batches]
    assert loads[0] > 4 * loads[-1]
    assert loads[:-1] == sorted(loads[:-1], reverse=True)
    assert index_module._batches(jobs[:1], 8) == [jobs[:1]]


def test_the_last_batch_is_not_a_pile_of_small_files() -> None:
    """Each file costs more than its bytes: weighed by size alone, mypy's 590 smallest
    files made one last batch that one process parsed for 0.2 s while the other waited."""
    jobs = [parsing.Job(f"big{i}.py", "python", 200_000, 0) for i in range(10)]
    jobs += [parsing.Job(f"small{i}.py", "python", 100, 0) for i in range(600)]
    batches = index_module._batches(jobs, 2)
    assert sorted(job.rel for batch in batches for job in batch) == sorted(j.rel for j in jobs)
    assert max(len(batch) for batch in batches) <= 100  # by size alone: 600 in one


def test_writing_behind_waits_for_flush(repo: Path, tmp_path: Path) -> None:
    """The context engine's index: a build answers before its tags reach the disk (25 ms
    of ansible's cold start), and `flush` writes them."""
    files = listed(repo)
    first = RepoIndex(repo, cache_dir=tmp_path, write_behind=True)
    assert first.build(files).parsed == len(code_files(repo))
    assert RepoIndex(repo, cache_dir=tmp_path).build(files).cache_hits == 0  # nothing yet
    first.flush()
    again = RepoIndex(repo, cache_dir=tmp_path).build(files)
    assert (again.parsed, again.cache_hits) == (0, len(code_files(repo)))
    touch(repo / "pkg" / "core.py", "def core_helper():\n    return 2\n")
    (repo / "pkg" / "use.py").unlink()
    first.build(listed(repo))
    first.close()  # flushes: the new content and the file gone
    last = RepoIndex(repo, cache_dir=tmp_path)
    stats = last.build(listed(repo))
    assert (stats.parsed, stats.files) == (0, len(code_files(repo)))
    assert "pkg/use.py" not in last.files()


@pytest.mark.usefixtures("small_pool")
def test_a_cold_build_leaves_no_answer_folder_behind_even_when_an_answer_comes_late(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    remove, late = shutil.rmtree, []

    def answer_lands_meanwhile(path: str, ignore_errors: bool = False) -> None:
        remove(path, ignore_errors=ignore_errors)
        if not late:  # a worker's answer written between the listing and the rmdir
            os.mkdir(path)
            late.append(Path(path, "answer").write_bytes(b"tags"))

    monkeypatch.setattr(shutil, "rmtree", answer_lands_meanwhile)
    stats = RepoIndex(repo, cache_dir=tmp_path / "cache", workers=2).build(listed(repo))
    assert stats.parsed == stats.files == len(code_files(repo))
    assert late and list(temp.iterdir()) == []


@pytest.mark.usefixtures("small_pool")
def test_a_worker_started_before_the_listing_parses_a_cold_build(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "PRESTART_FILES", 2)
    files = listed(repo)
    early = RepoIndex(repo, cache_dir=tmp_path / "early", workers=2)
    early.prestart_early(tracked=1)  # too few files: nothing starts
    assert early._booting is None
    early.prestart_early(tracked=len(files))
    assert early._booting is not None
    early._booting.join()
    started = early._early
    assert started is not None
    sent: list[tuple[str, tuple[object, ...]]] = []
    submit = started.submit
    monkeypatch.setattr(
        started, "submit", lambda fn, *a: sent.append((fn.__name__, a)) or submit(fn, *a)
    )
    early.prestart(files)
    assert early._pool == (started, 2)  # kept, not another
    # booted knowing no language, it compiles the listed ones' queries while the listing ends
    languages = Counter(language for rel in files if (language := language_for(rel)))
    assert sent == [("warm_up", (index_module.shared_languages(languages, 2),))]
    stats = early.build(files)
    assert early._pool is None and stats.parsed == stats.files == len(code_files(repo))
    here = RepoIndex(repo, cache_dir=tmp_path / "here", workers=1)
    here.build(files)
    for rel in here.files():
        assert early.tags(rel) == here.tags(rel)
    early.close()
    warm = RepoIndex(repo, cache_dir=tmp_path / "early", workers=2)
    warm.prestart_early(tracked=len(files))  # files known: the thread starts no process
    warm.prestart(files)
    assert warm._pool is None and warm.build(files).parsed == 0


def test_busy_cache_is_not_deleted(
    repo: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    index = RepoIndex(repo)
    index.build(listed(repo))
    index.close()
    real_open = index_module._open

    def busy(path: Path) -> sqlite3.Connection:
        if str(path) != ":memory:":
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise error
        return real_open(path)

    monkeypatch.setattr(index_module, "_open", busy)
    with caplog.at_level(logging.WARNING):
        stats = RepoIndex(repo).build(listed(repo))
    assert stats.parsed == stats.files  # in memory this time
    assert index.db_path.is_file() and "unavailable" in caplog.text


@pytest.mark.usefixtures("small_pool")
def test_workers_started_early_parse_a_cold_build_and_not_a_warm_one(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "PRESTART_FILES", 2)
    files = listed(repo)
    here = RepoIndex(repo, cache_dir=tmp_path / "here", workers=1)
    here.build(files)
    early = RepoIndex(repo, cache_dir=tmp_path / "early", workers=2)
    early.prestart(files)
    assert early._pool is not None
    stats = early.build(files)
    assert early._pool is None and stats.parsed == stats.files == len(code_files(repo))
    for rel in here.files():
        assert early.tags(rel) == here.tags(rel)
    again = RepoIndex(repo, cache_dir=tmp_path / "early", workers=2)
    again.prestart(files)  # every file is known: no processes
    assert again._pool is None and again.build(files).parsed == 0
