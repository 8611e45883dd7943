"""Work-done progress for a running task: begin, one report per phase, end in `finally`.

The progress is cancellable: cancelling it in the editor's progress UI cancels the asyncio
task that opened it, which closes the model's HTTP stream at once.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from lsprotocol import types

from glm_lsp.lsp.server import GlmServer


def progress_cancelled(ls: GlmServer, params: types.WorkDoneProgressCancelParams) -> None:
    owner = ls.progress_owners.get(str(params.token))
    if owner is not None:
        owner.cancel()


def register(server: GlmServer) -> None:
    server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)(progress_cancelled)


class Progress:
    """`async with Progress(server, title) as report:` around one task's work."""

    def __init__(self, server: GlmServer, title: str, token: str | None = None) -> None:
        self.server, self.title = server, title
        self.token = token or f"glm-{uuid.uuid4()}"
        self.active = False
        self.end_message: str | None = None

    async def __aenter__(self) -> Callable[[str], None]:
        window = self.server.client_capabilities.window
        if window is not None and window.work_done_progress:
            try:
                await self.server.work_done_progress.create_async(self.token)
                self.active = True
            except Exception:  # the client may refuse; progress is a courtesy
                self.active = False
        if self.active:
            task = asyncio.current_task()
            if task is not None:
                self.server.progress_owners[self.token] = task
            self.server.work_done_progress.begin(
                self.token, types.WorkDoneProgressBegin(title=self.title, cancellable=True)
            )
        return self.report

    def report(self, message: str) -> None:
        if self.active:
            self.server.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message)
            )

    async def __aexit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.server.progress_owners.pop(self.token, None)
        if self.active:
            message = self.end_message or ("cancelled" if kind is asyncio.CancelledError else None)
            self.server.work_done_progress.end(
                self.token, types.WorkDoneProgressEnd(message=message)
            )
