"""Running work: background tasks with ids that can be cancelled, and what each spent.

A face starts long work as a task (the LSP face returns its id at once and reports its
start and end); a finished task keeps its title, state and usage for `glm.usage`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from glm_lsp.errors import GlmError
from glm_lsp.providers.types import Usage

log = logging.getLogger(__name__)

KEPT = 200  # finished tasks remembered for glm.usage
current: ContextVar[str] = ContextVar("glm_task", default="")  # the task this code runs in


@dataclass
class TaskRecord:
    """One task's title, state and spending."""

    id: str
    title: str
    state: str = "running"  # running, done, failed or cancelled
    usage: Usage = field(default_factory=Usage)
    message: str = ""  # the end message: usage, an error sentence or "cancelled"


class Cancellation:
    """A handle a face keeps to stop one operation; stopping closes the provider stream."""

    def __init__(self) -> None:
        self.requested = False
        self._task: asyncio.Future[Any] | None = None

    def cancel(self) -> None:
        self.requested = True
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def attach(self, task: asyncio.Future[Any]) -> None:
        self._task = task
        if self.requested:
            task.cancel()


OnTaskChange = Callable[[TaskRecord], None]


class Tasks:
    """Every task of this process, newest last, and the ones still running."""

    def __init__(self) -> None:
        self.records: deque[TaskRecord] = deque(maxlen=KEPT)
        self.running: dict[str, asyncio.Task[Any]] = {}  # task id -> its asyncio task
        self.background: set[asyncio.Task[Any]] = set()
        self._ids = itertools.count(1)

    def new(self, title: str) -> TaskRecord:
        record = TaskRecord(f"glm-task-{next(self._ids)}", title)
        self.records.append(record)
        return record

    def spent(self, usage: Usage, what: str) -> None:
        """Add usage to the running task, or log it as its own entry (a code action's
        resolve is a request, not a task)."""
        task = current.get()
        for record in self.records:
            if record.id == task:
                record.usage = record.usage + usage
                return
        self.records.append(TaskRecord(f"glm-request-{next(self._ids)}", what, "done", usage))

    def spawn(self, coroutine: Coroutine[Any, Any, Any], task_id: str = "") -> None:
        """Run background work, keeping a reference and logging its failure; with a
        `task_id` it can be cancelled by `cancel`."""
        task = asyncio.ensure_future(coroutine)
        self.background.add(task)
        if task_id:
            self.running[task_id] = task

        def done(finished: asyncio.Task[Any]) -> None:
            self.background.discard(finished)
            self.running.pop(task_id, None)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("background task failed", exc_info=finished.exception())

        task.add_done_callback(done)

    def start(
        self,
        title: str,
        work: Coroutine[Any, Any, str | None],
        on_change: OnTaskChange,
        on_error: Callable[[GlmError], object],
    ) -> TaskRecord:
        """Run `work` as a task of its own; `on_change` hears its start and its end."""
        record = self.new(title)
        self.spawn(_run(record, work, on_change, on_error), record.id)
        return record

    def cancel(self, task_id: str | None = None) -> list[str]:
        """Cancel one running task, or all of them; returns the ids cancelled."""
        ids = [i for i in self.running if task_id in (None, i)]
        for i in ids:
            self.running[i].cancel()
        return ids


async def _run(
    record: TaskRecord,
    work: Coroutine[Any, Any, str | None],
    on_change: OnTaskChange,
    on_error: Callable[[GlmError], object],
) -> None:
    """Run `work` as task `record`; a GlmError becomes the user's sentence via `on_error`;
    the work returns its end message."""
    current.set(record.id)
    on_change(record)
    message: str | None = ""
    try:
        message = await work
        record.state = "done"
    except GlmError as error:
        on_error(error)
        record.state, message = "failed", error.message
    except asyncio.CancelledError:
        record.state, message = "cancelled", "cancelled"
        raise
    except Exception:  # a bug: the log has it; the face must still see the end
        record.state, message = "failed", "an internal error; the server's log has details"
        raise
    finally:
        record.message = message or record.usage.describe()
        on_change(record)
