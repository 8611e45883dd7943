"""The parser processes: plain child interpreters that run the functions they are sent."""

from __future__ import annotations

import operator
import os
import time
from concurrent.futures import wait

import pytest

from glm_lsp.context.workers import WorkerError, WorkerPool

MODULES = "sorted(__import__('sys').modules)"


def children() -> list[int]:
    """This process's running children (Linux)."""
    found = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listed:
            found += [int(pid) for pid in listed.read().split()]
    return found


def test_calls_run_in_other_processes_and_are_answered_in_order() -> None:
    with WorkerPool(2) as pool:
        pids = {future.result() for future in [pool.submit(os.getpid) for _ in range(4)]}
        sums = [pool.submit(operator.add, n, 1) for n in range(20)]
        assert [future.result() for future in sums] == list(range(1, 21))
    assert len(pids) == 2 and os.getpid() not in pids


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs /proc")
def test_a_worker_is_one_plain_interpreter_that_imports_only_what_it_runs() -> None:
    """No resource tracker beside it, and not the program's main module (here pytest)."""
    before = set(children())
    with WorkerPool(1) as pool:
        modules = pool.submit(eval, MODULES).result()
        assert len(set(children()) - before) == 1
    assert "pytest" not in modules and "__mp_main__" not in modules
    assert "glm_lsp.context.workerloop" not in modules  # it runs as __main__
    assert "glm_lsp.context.workers" not in modules  # the pool's side
    assert not any(name.startswith("multiprocessing") for name in modules)


def test_a_parser_process_imports_the_parsing_not_the_index() -> None:
    """A cold build's worker boots while git lists the files, and parsing on the second
    processor waits for it: it imports the parsing functions and the grammars, not the
    index with its database, pool and name maps."""
    from glm_lsp.context import parsing

    with WorkerPool(1) as pool:
        pool.submit(parsing.warm_up, ["python"]).result()
        modules = pool.submit(eval, MODULES).result()
    assert "glm_lsp.context.parsing" in modules and "tree_sitter_python" in modules
    assert "glm_lsp.context.index" not in modules and "sqlite3" not in modules
    assert "concurrent.futures" not in modules and "subprocess" not in modules


def test_a_failing_call_raises_and_the_worker_goes_on() -> None:
    with WorkerPool(1) as pool:
        failed = pool.submit(operator.truediv, 1, 0)
        with pytest.raises(WorkerError, match="ZeroDivisionError: division by zero"):
            failed.result()
        assert pool.submit(operator.mul, 6, 7).result() == 42


def test_what_a_call_prints_does_not_corrupt_the_answers() -> None:
    with WorkerPool(1) as pool:
        assert pool.submit(print, "stray output").result() is None
        assert pool.submit(operator.add, "a", "b").result() == "ab"


def test_a_worker_that_dies_fails_its_calls() -> None:
    with WorkerPool(1) as pool:
        dying = pool.submit(os._exit, 3)
        queued = pool.submit(operator.add, 1, 1)
        done, _ = wait([dying, queued], timeout=30)
        assert done == {dying, queued}
        with pytest.raises(WorkerError, match="exit status 3"):
            queued.result()


def test_shutdown_that_cancels_kills_the_worker_at_once() -> None:
    pool = WorkerPool(1)
    pool.submit(os.getpid).result()  # booted
    busy = pool.submit(time.sleep, 60)
    queued = pool.submit(time.sleep, 60)
    started = time.monotonic()
    pool.shutdown(wait=True, cancel_futures=True)
    assert time.monotonic() - started < 10
    assert busy.cancelled() and queued.cancelled()
    with pytest.raises(RuntimeError, match="after its shutdown"):
        pool.submit(os.getpid)


def test_a_large_call_arrives_whole() -> None:
    """Ten megabytes, more than a pipe holds, sent while the worker is busy."""
    with WorkerPool(1) as pool:
        busy = pool.submit(time.sleep, 0.2)
        future = pool.submit(len, "x" * 10_000_000)
        assert future.result(timeout=60) == 10_000_000 and busy.done()
