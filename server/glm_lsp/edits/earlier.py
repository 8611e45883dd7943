"""An edit written against a file as it was before the task's earlier edits.

A model that makes two nearby changes often writes both against the file it read: the
second quotes, as context, lines the first has just changed. Against the file as it is
now, that quote stands nowhere, and a loose match may find it at another place that reads
alike (anyhow's compiler-output test: the note about `DerefBool` has a twin about
`&DerefBool` a block further down), where the change would land. So when the quote stands
nowhere now but exactly once in the file as the task found it, the edit is made there and
carried over the earlier edits by a three-way merge (`merge.rebase`); when it changes
lines those edits changed too, it is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from glm_lsp.edits.merge import MergeConflict, rebase
from glm_lsp.errors import EditError


def made_before(
    text: str, before: str | None, old: str, make: Callable[[str], str], what: str, quote: str
) -> str | None:
    """`text` with the edit that `make` makes on `before`, if its `quote` (`old`) stands
    only there; None when the edit is not one written before. Raises EditError, naming
    the edit as `what`, when it changes lines the earlier edits changed, or when they
    already made its change."""
    if before is None or before == text or _count(text, old) or _count(before, old) != 1:
        return None
    try:
        ours = make(before)
    except EditError:
        return None
    try:
        merged = rebase(before, ours, text)
    except MergeConflict:
        raise EditError(
            f"{what} was not applied: {quote} quotes lines as they were before an earlier "
            "edit of this task changed them, and changes lines that edit changed too; quote "
            "them as they are now, or make both changes in one edit."
        ) from None
    if merged == text:
        raise EditError(f"{what} was not applied: an earlier edit of this task made it already.")
    return merged


def _count(text: str, old: str) -> int:
    """Occurrences of `old` in `text`, line breaks compared as LF (models write LF), the
    file's last line read as ended: a quote of whole lines ends with a line break that the
    file's last line may lack (a SEARCH section always does)."""
    text = text.replace("\r\n", "\n")
    return (text if text.endswith("\n") else text + "\n").count(old.replace("\r\n", "\n"))
