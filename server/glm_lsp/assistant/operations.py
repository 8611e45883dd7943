"""Running one operation as a stream of events, apart from the assistant that owns it.

Every operation (edit, chat, context, ...) is a coroutine that emits events; `run` makes it
an async iterator that ends with Done, Failed or Cancelled. It lives in its own module so
that the context operation (`contexts`) can run without importing the agent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from glm_lsp.assistant import events as ev
from glm_lsp.assistant.tasks import Cancellation
from glm_lsp.errors import GlmError

log = logging.getLogger(__name__)

Emit = Callable[[ev.Event], None]


async def run(
    work: Callable[[Emit], Awaitable[None]], cancel: Cancellation | None
) -> AsyncIterator[ev.Event]:
    """Run `work` as its own task and yield what it emits, ending with Done, Failed or
    Cancelled. Cancelling the consumer cancels the work (closing the provider stream)."""
    queue: asyncio.Queue[ev.Event | None] = asyncio.Queue()
    crashed: list[BaseException] = []

    async def go() -> None:
        try:
            await work(queue.put_nowait)
        except GlmError as error:
            log.info("%s %s", error.message, error.detail)
            queue.put_nowait(ev.Failed(error.message, error.detail))
        except asyncio.CancelledError:
            queue.put_nowait(ev.Cancelled())
        except Exception as error:  # a bug: re-raised in the consumer, which logs it
            crashed.append(error)
        finally:
            queue.put_nowait(None)

    task = asyncio.ensure_future(go())
    if cancel is not None:
        cancel.attach(task)
    try:
        while (event := await queue.get()) is not None:
            yield event
        if crashed:
            raise crashed[0]
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
