"""Background tasks that commands start: an id returned at once, a `$/glm/task`
notification when the task starts and when it ends, and the usage it spent.

Plugins follow `$/glm/task` to show what runs and to learn that a task ended, even when
it ended in an error or a cancel (which progress alone does not say).
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from typing import Any

from glm_lsp.errors import GlmError
from glm_lsp.providers.types import Usage

TASK = "$/glm/task"
KEPT = 200  # finished tasks remembered for glm.usage
_ids = itertools.count(1)
current: ContextVar[str] = ContextVar("glm_task", default="")


@dataclass
class TaskRecord:
    """One task's title, state and spending, as glm.usage reports it."""

    id: str
    title: str
    state: str = "running"  # running, done, failed or cancelled
    usage: Usage = field(default_factory=Usage)

    def payload(self) -> dict[str, Any]:
        return {
            "task": self.id,
            "title": self.title,
            "state": self.state,
            "usage": asdict(self.usage),
            "text": self.usage.describe(),
        }


class TaskLog:
    """Every task of this server session, newest last, with what each spent."""

    def __init__(self) -> None:
        self.records: deque[TaskRecord] = deque(maxlen=KEPT)

    def new(self, title: str) -> TaskRecord:
        record = TaskRecord(f"glm-task-{next(_ids)}", title)
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
        self.records.append(TaskRecord(f"glm-request-{next(_ids)}", what, "done", usage))


Notify = Callable[[str, dict[str, str]], None]


async def run_task(
    record: TaskRecord,
    work: Coroutine[Any, Any, str | None],
    notify: Notify,
    fail: Callable[[GlmError], object],
) -> None:
    """Run `work` as task `record`; report its start and end. A GlmError becomes the
    user's one-sentence message through `fail`; the work returns its end message."""
    current.set(record.id)
    notify(TASK, {"task": record.id, "state": "running", "title": record.title, "message": ""})
    message: str | None = ""
    try:
        message = await work
        record.state = "done"
    except GlmError as error:
        fail(error)
        record.state, message = "failed", error.message
    except asyncio.CancelledError:
        record.state, message = "cancelled", "cancelled"
        raise
    except Exception:  # a bug: the server logs it; the plugin must still see the end
        record.state, message = "failed", "an internal error; the server's log has details"
        raise
    finally:
        notify(
            TASK,
            {
                "task": record.id,
                "state": record.state,
                "title": record.title,
                "message": message or record.usage.describe(),
            },
        )
