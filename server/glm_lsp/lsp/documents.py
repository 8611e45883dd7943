"""Document events that keep the context engine warm: nothing here calls the model."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from glm_lsp.lsp.server import GlmServer


def did_change_document(ls: GlmServer, params: types.DidChangeTextDocumentParams) -> None:
    """Recently edited files rank higher; the text itself is read lazily per request.
    A suggestion still being asked for this document is stale now: it is cancelled."""
    ls.inline.cancel(params.text_document.uri)
    doc = ls.workspace.get_text_document(params.text_document.uri)
    if doc.path:
        ls.assistant.touch(Path(doc.path))


def register(server: GlmServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change_document)
