"""The inline completion running for each document, so that a keystroke can stop it."""

from __future__ import annotations

import asyncio

from glm_lsp.completion import CompletionOutcome


class InFlight:
    """The running suggestion of each document, so a keystroke can stop it."""

    def __init__(self) -> None:
        self.tasks: dict[str, asyncio.Task[CompletionOutcome]] = {}

    def start(self, uri: str, work: asyncio.Task[CompletionOutcome]) -> None:
        self.cancel(uri)
        self.tasks[uri] = work

    def cancel(self, uri: str) -> None:
        """The document changed or a newer request came: the old one is stale."""
        work = self.tasks.pop(uri, None)
        if work is not None:
            stop(work)

    def finished(self, uri: str, work: asyncio.Task[CompletionOutcome]) -> None:
        if self.tasks.get(uri) is work:
            del self.tasks[uri]


def stop(work: asyncio.Task[CompletionOutcome]) -> None:
    """Cancel `work` once. A second cancel (a keystroke, then the editor's
    $/cancelRequest for the same request) would land inside httpcore's cleanup, which
    shields itself from anyio's cancellation but not from asyncio's: the connection would
    stay open and the provider would go on generating."""
    if not work.done() and not work.cancelling():
        work.cancel()
