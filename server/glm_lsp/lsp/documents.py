"""Document events that keep the context engine warm: nothing here calls the model."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from glm_lsp.lsp.server import GlmServer


def register(server: GlmServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def changed(params: types.DidChangeTextDocumentParams) -> None:
        """Recently edited files rank higher; the text itself is read lazily per request."""
        doc = server.workspace.get_text_document(params.text_document.uri)
        if not doc.path:
            return
        path = Path(doc.path)
        for root, engine in server.engines.items():
            if path.is_relative_to(root):
                engine.touch(path.relative_to(root).as_posix())
