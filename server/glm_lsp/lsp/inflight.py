"""The inline completion running for each document, so that a keystroke can stop it."""

from __future__ import annotations

import asyncio

from glm_lsp.completion import CompletionOutcome


class InFlight:
    """The running suggestion of each document, so a keystroke can stop it."""

    def __init__(self) -> None:
        self.tasks: dict[str, asyncio.Future[CompletionOutcome]] = {}

    def start(self, uri: str, work: asyncio.Future[CompletionOutcome]) -> None:
        self.cancel(uri)
        self.tasks[uri] = work

    def cancel(self, uri: str) -> None:
        """The document changed or a newer request came: the old one is stale."""
        work = self.tasks.pop(uri, None)
        if work is not None and not work.done():
            work.cancel()

    def finished(self, uri: str, work: asyncio.Future[CompletionOutcome]) -> None:
        if self.tasks.get(uri) is work:
            del self.tasks[uri]
