"""An edit written against a file as it was before the task's earlier edits.

A model that makes two nearby changes often writes both against the file it read: the
second quotes, as context, lines the first has just changed. Against the file as it is
now, that quote stands nowhere, and a loose match may find it at another place that reads
alike (anyhow's compiler-output test: the note about `DerefBool` has a twin about
`&DerefBool` a block further down), where the change would land. So when the quote stands
nowhere now but exactly once in the file as the task found it, the edit is made there and
carried over the earlier edits by a three-way merge (`merge.rebase`); when it changes
lines those edits changed too, it is refused. When the quote stands once now, in lines the
earlier edits wrote, and once in the file as the task found it, where they changed it, the
edit may mean either place (hyperium/http's port.rs: the first edit moved an impl up, the
second added tests after that impl's last lines, at the file's end; made where those lines
stand now, the tests went into the middle): it is made both ways, and refused when they
give different files. When it cannot be made where it stands now, it is made as written
before (msgpack-c's test: the second edit's quote, a blank line first, stands now only
across the line the first edit added, which it left out and writes again further down).
"""

from __future__ import annotations

from collections.abc import Callable

from glm_lsp.edits.merge import MergeConflict, rebase
from glm_lsp.edits.textedits import line_opcodes
from glm_lsp.errors import EditError


def made_before(
    text: str, before: str | None, old: str, make: Callable[[str], str], what: str, quote: str
) -> str | None:
    """`text` with the edit that `make` makes on `before`, if its `quote` (`old`) stands
    only there; None when the edit is not one written before. Raises EditError, naming
    the edit as `what`, when it changes lines the earlier edits changed, when they
    already made its change, or when its quote also stands where they wrote it and the
    two places give different files."""
    if before is None or before == text or _count(before, old) != 1:
        return None
    now = _count(text, old)
    if now and (now > 1 or _left_in_place(before, text, old)):
        return None
    if now:
        made = _made_in_one_place(text, before, make, what, quote)
        if made is not None:
            return made  # (else it cannot be made where it stands now: as written before)
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


def _made_in_one_place(
    text: str, before: str, make: Callable[[str], str], what: str, quote: str
) -> str | None:
    """The edit made on `text`, its quote standing now where the earlier edits wrote it and
    having stood where they changed the file, when made as written against the file the
    task found, and carried over those edits, it gives the same file (the lines an earlier
    edit took out beside it were blank lines, one as good as another); EditError when it
    does not. None when it cannot be made on `text`."""
    try:
        now = make(text)
    except EditError:
        return None
    try:
        same = rebase(before, make(before), text) == now
    except EditError:  # (a MergeConflict too: the lines it stood in were changed)
        same = False
    if not same:
        raise EditError(
            f"{what} was not applied: {quote} stands where an earlier edit of this task "
            "wrote it, and stood where that edit changed the file, so whether it means "
            "those lines as they are now or as they were is unclear; quote them with "
            "lines around them that the file has only there now."
        )
    return now


def _left_in_place(before: str, text: str, old: str) -> bool:
    """Whether the lines `old` spans in `before` are, one for one, the lines it spans in
    `text`, as lines the earlier edits left alone (each stands once in both)."""
    before, text, old = _lf(before), _lf(text), old.replace("\r\n", "\n")
    first, now = before.count("\n", 0, before.find(old)), text.count("\n", 0, text.find(old))
    height = old.count("\n", 0, len(old) - 1) + 1
    kept = {
        i1 + k: j1 + k
        for tag, i1, i2, j1, _ in line_opcodes(before.split("\n"), text.split("\n"))
        if tag == "equal"
        for k in range(i2 - i1)
    }
    return all(kept.get(first + k) == now + k for k in range(height))


def _lf(text: str) -> str:
    """`text` with LF line breaks and its last line ended, as `_count` compares."""
    text = text.replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def _count(text: str, old: str) -> int:
    """Occurrences of `old` in `text`, line breaks compared as LF (models write LF), the
    file's last line read as ended: a quote of whole lines ends with a line break that the
    file's last line may lack (a SEARCH section always does)."""
    return _lf(text).count(old.replace("\r\n", "\n"))
