"""Errors that reach the user.

Every failure a user can act on becomes one `GlmError` whose message is a single plain
sentence; the CLI prints it, the LSP layer shows it. Details for the log travel in `detail`.
"""

from __future__ import annotations


class GlmError(Exception):
    """A failure explained to the user in one sentence."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class ConfigError(GlmError):
    """The settings are incomplete or invalid."""


class ProviderError(GlmError):
    """The provider failed or refused; `retryable` says whether trying again may help."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message, detail=detail)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class EditError(GlmError):
    """An edit could not be applied; the message is written so the model can retry."""
