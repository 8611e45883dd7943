"""Git answers come in the background: a request never waits past its deadline for them."""

from __future__ import annotations

import threading
import time

from glm_lsp.context.gitjobs import GitJobs


def test_a_slow_answer_is_left_out_then_served_once_ready() -> None:
    release = threading.Event()
    calls: list[int] = []

    def slow_git() -> str:
        calls.append(1)
        release.wait(5)
        return "Branch: main"

    jobs = GitJobs(wait=0.05)
    started = time.monotonic()
    assert jobs.start("state", slow_git)() == ""  # not ready by the deadline: left out
    assert time.monotonic() - started < 1.0
    started = time.monotonic()
    assert jobs.start("state", slow_git)() == ""  # still running: no second wait
    assert time.monotonic() - started < 0.04
    release.set()
    deadline = time.monotonic() + 5
    while jobs.start("state", slow_git)() == "" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert jobs.start("state", slow_git)() == "Branch: main"
    assert calls == [1]  # one git run for all of these requests
    jobs.invalidate()  # the repository changed: ask again
    assert jobs.start("state", slow_git)() == "Branch: main"
    assert calls == [1, 1]


def test_without_a_deadline_the_request_waits_and_failures_cost_only_the_answer() -> None:
    jobs = GitJobs(wait=None)
    assert jobs.start("a", lambda: "done")() == "done"

    def broken() -> str:
        raise OSError("git vanished")

    assert jobs.start("b", broken)() == ""
