"""A request's git questions, answered in the background and never waited on for long.

Git is the slowest part of a context by far on a large repository (a blame of a few lines of
mypy's checkexpr.py walks years of history: 0.7 s; status and the file's log 0.4 s), and
the least needed one. So each question starts on a daemon thread as soon as the request
arrives, runs while the rest of the context is built, and the request takes its answer if it
is there by the deadline and goes without it otherwise. Answers are kept until the
repository changes (`invalidate`), so the next request about the same file gets them at once.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

log = logging.getLogger(__name__)

KEEP = 64  # answers remembered
WORKERS = 2  # a server's git questions running at once (see `GitJobs.launch`)
NICENESS = 10  # how much lower a server's git work runs than its requests (`_yielding`)


class GitJobs:
    """Background git answers keyed by question; `wait` None means wait as long as it takes."""

    def __init__(self, wait: float | None) -> None:
        self.wait = wait
        self._lock = threading.Lock()
        self._answers: OrderedDict[Hashable, Future[str]] = OrderedDict()
        self._late: set[Hashable] = set()  # answers a request already gave up waiting for
        self._pending: list[tuple[Future[str], Callable[[], str]]] = []  # see `start`
        self._queue: list[tuple[Future[str], Callable[[], str]]] = []  # launched, newest last
        self._workers = 0  # threads working through `_queue`

    def launch(self) -> None:
        """Start the questions `start` left for after the request. At most `WORKERS` run
        at a time, the newest first: a user moving quickly through files would otherwise
        start a blame and a status per request, and the pile of git processes slows the
        requests down (on two cores, 66 -> 200 ms) for answers nobody needs any more."""
        with self._lock:
            self._queue += self._pending
            self._pending = []
            starting = min(WORKERS - self._workers, len(self._queue))
            self._workers += starting
        for _ in range(starting):
            threading.Thread(target=self._work, daemon=True).start()

    def _work(self) -> None:
        _yielding()
        while True:
            with self._lock:
                if not self._queue:
                    self._workers -= 1
                    return
                future, ask = self._queue.pop()
            _run(future, ask)

    def invalidate(self) -> None:
        """The repository or a buffer changed: earlier answers may be stale."""
        with self._lock:
            self._answers.clear()
            self._late.clear()
            self._queue.clear()  # not started yet, and nobody waits for them

    def start(self, key: Hashable, ask: Callable[[], str]) -> Callable[[], str]:
        """Start (or reuse) the answer to `key`; returns what waits for it until the deadline.

        With no wait at all (a server's requests) a new question only starts at `launch`,
        once the request that asked it is built: git's processes would otherwise take the
        CPU that request needs, for an answer it does not wait for anyway."""
        with self._lock:
            future = self._answers.get(key)
            if future is None:
                future = self._answers[key] = Future()
                if self.wait == 0:
                    self._pending.append((future, ask))
                else:
                    threading.Thread(target=_run, args=(future, ask), daemon=True).start()
                while len(self._answers) > KEEP:
                    self._answers.popitem(last=False)
            else:
                self._answers.move_to_end(key)
            late = key in self._late
        deadline = None if self.wait is None else time.monotonic() + self.wait * (not late)

        def answer() -> str:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return future.result(timeout=timeout)
            except FutureTimeout:
                log.debug("git answer %r not ready in time; left out", key)
                with self._lock:
                    self._late.add(key)  # the next request takes it when ready, never waits
                return ""

        return answer


def _yielding() -> None:
    """Lower this thread's priority, and so that of the git processes it starts (Linux gives
    each thread a nice value of its own, and a child inherits it): a server's git work then
    leaves the processors to the next request (on two cores, two blames running beside a
    request slowed it from ~10 to ~70 ms)."""
    if sys.platform != "linux":  # elsewhere the call would name a process, not a thread
        return
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + NICENESS)
    except OSError as error:
        log.debug("git jobs keep their priority: %s", error)


def _run(future: Future[str], ask: Callable[[], str]) -> None:
    """A daemon thread's work: a process exiting does not wait for a slow git."""
    try:
        future.set_result(ask())
    except Exception as error:  # git trouble costs the git section, never the request
        log.debug("git answer failed: %s", error)
        future.set_result("")
