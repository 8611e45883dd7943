"""Documents the editor is asked to open: a proposed diff, an explanation."""

from __future__ import annotations

from lsprotocol import types
from pygls.uris import from_fs_path

from glm_lsp.lsp.previews import shown_dir
from glm_lsp.lsp.server import GlmServer


def can_show_documents(server: GlmServer) -> bool:
    window = server.client_capabilities.window
    return window is not None and window.show_document is not None and window.show_document.support


async def show_text(server: GlmServer, name: str, text: str) -> bool:
    """Write `text` to a file of ours and ask the editor to open it; False if it cannot."""
    if not can_show_documents(server):
        return False
    path = shown_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = from_fs_path(str(path)) or path.as_uri()
    result = await server.window_show_document_async(
        types.ShowDocumentParams(uri=uri, take_focus=True)
    )
    return bool(result and result.success)
