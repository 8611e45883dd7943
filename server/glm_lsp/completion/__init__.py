"""Inline completion (ghost text): one short, cheap, cancellable model request at the cursor.

`Completer` is the core every face drives (the language server's
textDocument/inlineCompletion, `glm-lsp complete`); `prompt` lays the request out so that
consecutive requests in one file share their prefix, `trim` cleans the reply, `cache`
serves the rest of a suggestion the user is typing, `spend` keeps the hourly cap.
"""

from glm_lsp.completion.completer import (
    Completer,
    CompletionOutcome,
    CompletionRequest,
    CompletionStats,
)

__all__ = ["CompletionOutcome", "CompletionRequest", "CompletionStats", "Completer"]
