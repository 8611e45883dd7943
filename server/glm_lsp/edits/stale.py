"""Re-target an edit computed on older document texts onto the texts the user has now.

The model works for seconds or minutes; meanwhile the user may type. An edit is never
applied to text it was not computed for: each changed file is three-way merged onto the
current text, and a file where both sides touched the same lines is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from glm_lsp.edits.merge import MergeConflict, rebase
from glm_lsp.edits.overlay import FileChange


def rebase_changes(
    changes: list[FileChange], current: Callable[[str], str | None]
) -> list[FileChange]:
    """`current(path)` is a file's text now, or None when it is not open in the editor
    (then the disk text the edit was computed from is still what the editor will load)."""
    rebased = []
    for change in changes:
        now = current(change.renamed_from or change.path)
        if now is None or change.old is None or now == change.old:
            rebased.append(change)
            continue
        if change.new is None:
            raise MergeConflict(
                f"{change.path} changed in the editor, but the proposed edit deletes it; "
                "nothing was applied."
            )
        try:
            merged = rebase(change.old, change.new, now)
        except MergeConflict as conflict:
            raise MergeConflict(f"{change.path}: {conflict}") from conflict
        rebased.append(FileChange(change.path, now, merged, change.renamed_from))
    return rebased
