"""Proposed edits held until the user accepts or rejects them."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from glm_lsp import dirs

if TYPE_CHECKING:
    from glm_lsp.lsp.editing import ProposedEdit


def shown_dir() -> Path:
    """Where documents the editor is asked to show (a diff, an answer) are written."""
    return dirs.cache_dir() / "shown"


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
