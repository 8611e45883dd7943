"""Git answers come in the background: a request never waits past its deadline for them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from glm_lsp.config import Settings
from glm_lsp.context import gitjobs
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine, ContextRequest
from glm_lsp.context.gitjobs import GitJobs
from helpers import make_repo


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


def test_a_serving_engine_never_waits_for_git_and_sends_it_with_the_next_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the language server a request about a new spot goes without git's answer while
    git is still running; the next request about that file carries it. A one-shot command
    waits up to `git_wait` instead (it has no next request)."""
    repo = make_repo(tmp_path / "repo", {"app.py": "def main():\n    return 1\n"})
    release = threading.Event()

    def slow_state(self: ContextEngine, request: ContextRequest) -> str:
        release.wait(5)
        return "## Git\nBranch: main"

    monkeypatch.setattr(ContextEngine, "_git", slow_state)
    settings = Settings(git_wait=30.0)
    engine = ContextEngine.for_settings(repo, settings, serving=True, cache_dir=tmp_path / "c")
    engine.refresh()
    request = ContextRequest("app.py", "", (1, 1))
    counter = TokenCounter("test")
    started = time.monotonic()
    first = engine.assemble(request, 4096, counter)
    assert time.monotonic() - started < 5  # not the 30 s git_wait
    assert first.section("git") is None
    release.set()
    deadline = time.monotonic() + 5
    while engine.assemble(request, 4096, counter).section("git") is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert ContextEngine.for_settings(repo, settings).git.wait == 30.0  # one-shot: waits


def test_a_servers_questions_run_after_the_request_two_at_a_time_newest_first() -> None:
    release = threading.Event()
    started: list[str] = []

    def asking(name: str) -> Callable[[], str]:
        def ask() -> str:
            started.append(name)
            release.wait(5)
            return name

        return ask

    jobs = GitJobs(wait=0.0)
    answers = {name: jobs.start(name, asking(name)) for name in ("a", "b", "c", "d")}
    time.sleep(0.05)
    assert started == []  # nothing runs while the request is being built
    assert answers["a"]() == ""
    jobs.launch()
    deadline = time.monotonic() + 5
    while len(started) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert started == ["d", "c"]  # two at a time, the newest first
    release.set()
    while len(started) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(started) == ["a", "b", "c", "d"]
    while jobs.start("a", asking("a"))() != "a" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert jobs.start("a", asking("a"))() == "a"  # kept for the next request


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread nice values are Linux's")
def test_a_servers_git_runs_below_the_requests_priority() -> None:
    """The processes a server's git questions start yield the processors to its requests."""
    jobs = GitJobs(wait=0.0)
    ask = jobs.start("niceness", lambda: subprocess.run(["nice"], capture_output=True).stdout)
    jobs.launch()
    deadline = time.monotonic() + 5
    while not (answer := ask()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert int(answer) == min(19, os.nice(0) + gitjobs.NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, 0) == os.nice(0)  # this thread is as it was
