"""Parser processes: plain child interpreters that run the functions they are sent.

A cold build parses in other processes (tree-sitter holds the interpreter lock). With
`multiprocessing`'s spawn start, each worker re-imported the program's main module (for
`glm-lsp`, its command line and settings) and a third interpreter, the resource tracker,
started beside it: on ansible's cold start that was 45 ms of processor time, spent while
git lists the files and the worker must boot. A worker here runs
`python -m glm_lsp.context.workerloop` (this module, the pool's side, stays out of it),
imports what the functions it is sent need, and nothing else. Forking would boot faster
but is unsafe: the language server runs threads.

The pool is a `concurrent.futures.Executor`: calls (module-level functions and their
arguments, pickled) go to the least loaded worker and are answered in order; a worker that
dies fails its calls, and the caller falls back to parsing in its own process.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from queue import SimpleQueue
from typing import Any

import glm_lsp


class WorkerError(RuntimeError):
    """A call failed in a worker process, or the process ended before answering."""


class WorkerPool(Executor):
    """`processes` worker processes, started at once (raises OSError where none can be)."""

    def __init__(self, processes: int) -> None:
        self._workers: list[_Worker] = []
        try:
            for _ in range(processes):
                self._workers.append(_Worker())
        except BaseException:
            self.shutdown(wait=False, cancel_futures=True)
            raise

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return min(self._workers, key=_Worker.load).submit(fn, args, kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """With `cancel_futures` the workers are killed, not left to finish what they hold
        (a build that ended has no use for it); their unanswered calls are cancelled."""
        for worker in self._workers:
            worker.stop(kill=cancel_futures)
        if wait:
            for worker in self._workers:
                worker.join()


class _Worker:
    """One process, fed by a writer thread (a call never waits for a full pipe) and
    answered through a reader thread that completes the calls' futures in order."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "glm_lsp.context.workerloop"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_environment(),
        )
        self._waiting: deque[Future[Any]] = deque()
        self._outbox: SimpleQueue[bytes | None] = SimpleQueue()
        self._lock = threading.Lock()
        self._stopped = False
        self._threads = [
            threading.Thread(target=self._write, name="glm-lsp worker writer", daemon=True),
            threading.Thread(target=self._read, name="glm-lsp worker reader", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def load(self) -> int:
        return len(self._waiting)

    def submit(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[Any]:
        payload = pickle.dumps((fn, args, kwargs), pickle.HIGHEST_PROTOCOL)
        future: Future[Any] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError("cannot submit to a worker pool after its shutdown")
            self._waiting.append(future)
            self._outbox.put(payload)
        return future

    def stop(self, kill: bool) -> None:
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            self._outbox.put(None)  # the writer closes the pipe: the worker ends when done
        if kill:
            for future in list(self._waiting):
                future.cancel()
            try:
                self._process.kill()
            except OSError:
                pass

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _write(self) -> None:
        pipe = self._process.stdin
        assert pipe is not None
        try:
            while (payload := self._outbox.get()) is not None:
                pipe.write(payload)
                pipe.flush()
        except OSError:  # the worker died; its reader fails the calls
            pass
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    def _read(self) -> None:
        pipe = self._process.stdout
        assert pipe is not None
        try:
            while True:
                ok, value = pickle.load(pipe)
                future = self._waiting.popleft()
                if future.set_running_or_notify_cancel():
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(WorkerError(value))
        except Exception:  # EOFError when the worker ends; a torn answer if it was killed
            pass
        finally:
            pipe.close()
            self._process.wait()  # reaped here, not left a zombie
            self._fail_waiting()

    def _fail_waiting(self) -> None:
        code = self._process.returncode
        while self._waiting:
            future = self._waiting.popleft()
            if future.set_running_or_notify_cancel():
                future.set_exception(WorkerError(f"the parser process ended (exit status {code})"))


def _environment() -> dict[str, str]:
    """This process's environment, with glm_lsp's own folder first on the worker's path
    (it may run from a checkout that is not installed)."""
    here = str(Path(glm_lsp.__file__).resolve().parent.parent)
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{here}{os.pathsep}{path}" if path else here}
