"""Proposed edits held until the user accepts or rejects them, and documents the editor
is asked to show (a proposed diff, an explanation) when it can show documents."""

from __future__ import annotations

import uuid
from pathlib import Path

import platformdirs
from lsprotocol import types
from pygls.uris import from_fs_path

from glm_lsp.lsp.editing import ProposedEdit
from glm_lsp.lsp.server import GlmServer


def shown_dir() -> Path:
    return platformdirs.user_cache_path("glm-lsp") / "shown"


class Previews:
    """Proposals by token; each one's diff file is removed when it is accepted or rejected."""

    def __init__(self) -> None:
        self.proposals: dict[str, ProposedEdit] = {}

    def add(self, proposal: ProposedEdit) -> str:
        token = str(uuid.uuid4())
        self.proposals[token] = proposal
        return token

    def pop(self, token: str) -> ProposedEdit | None:
        (shown_dir() / f"{token}.diff").unlink(missing_ok=True)
        return self.proposals.pop(token, None)


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
