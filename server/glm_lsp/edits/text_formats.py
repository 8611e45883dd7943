"""Edits that a model writes as text: fenced unified diffs, whole files, SEARCH/REPLACE.

Providers without tool calling, and models that answer in prose anyway, put their edits
in the reply text. Which format a model uses well varies by model, so the agent records
the `format` of each parsed edit ("udiff", "whole_file", "search_replace") and can ask a
model to switch. Parsing is pure and ordered as the reply is; applying is all or nothing,
and a failure names the block that failed so the model can resend just that.

A fenced block is a whole file only when it is clearly one: the block's path stands
alone on the line above it (or is its info string) and it holds no SEARCH/REPLACE
markers. Applying refuses a whole-file block for an existing file when it elides code
("# ... rest of the file unchanged") or reads as a part of the file (the one function a
model changed, shown under the file's name), because writing it would delete the rest.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from glm_lsp.edits.apply import match_line_endings
from glm_lsp.edits.elision import MARKER
from glm_lsp.edits.locate import split_lf
from glm_lsp.edits.patch import apply_patch, parse_patch
from glm_lsp.edits.search_replace import (
    SearchReplace,
    apply_search_replace,
    info_words,
    parse_search_replace,
)
from glm_lsp.errors import EditError

Files = Callable[[str], "str | None"]
"""The current text of a workspace-relative path, or None when the file does not exist."""

_FENCE = re.compile(r"^\s*+(`{3,}|~{3,})\s*+((?:.*\S)?)\s*$")
_MARKER = re.compile(r"^\s*(?:<{5,9}\s*SEARCH|>{5,9}\s*REPLACE)\s*$")
_DIFF_INFOS = {"diff", "patch", "udiff"}
_PROSE_END = (":", ".", "!", "?", ",")


@dataclass(frozen=True)
class SearchReplaceEdit:
    """A SEARCH/REPLACE block (see `glm_lsp.edits.search_replace`)."""

    block: SearchReplace
    format: Literal["search_replace"] = "search_replace"

    @property
    def path(self) -> str:
        """The file the block changes."""
        return self.block.path


@dataclass(frozen=True)
class DiffEdit:
    """A fenced unified diff, possibly about several files."""

    patch: str
    default_path: str | None = None
    format: Literal["udiff"] = "udiff"

    @property
    def path(self) -> str:
        """The files the diff names, for messages."""
        names = []
        for section in parse_patch(self.patch):
            name = section.new_label or section.old_label or self.default_path or "?"
            names.append(name.removeprefix("b/").removeprefix("a/"))
        return ", ".join(dict.fromkeys(names)) or (self.default_path or "?")


@dataclass(frozen=True)
class WholeFileEdit:
    """The complete new content of the file at `path`."""

    path: str
    content: str
    format: Literal["whole_file"] = "whole_file"


TextEdit = SearchReplaceEdit | DiffEdit | WholeFileEdit
"""One edit parsed from a reply; `format` names the format the model used."""

_KIND = {
    "search_replace": "SEARCH/REPLACE block",
    "udiff": "unified diff",
    "whole_file": "whole-file block",
}


def parse_text_edits(
    reply: str, default_path: str | None = None, known: Callable[[str], bool] | None = None
) -> list[TextEdit]:
    """Every edit in a model `reply`, in order; [] when it has none.

    Fenced ```diff/```patch blocks (or fenced blocks that are diffs) become DiffEdits, a
    fenced block introduced by its path a WholeFileEdit, and SEARCH/REPLACE blocks are
    parsed by `parse_search_replace` (`known`: whether a bare word names a workspace
    file); `default_path` is the file an edit that names none changes. Raises EditError
    for a broken SEARCH/REPLACE block.
    """
    lines = split_lf(reply)
    edits: list[TextEdit] = []
    pending = 0  # first line not yet given to the SEARCH/REPLACE parser
    path = default_path
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        close = _closing(lines, index, match.group(1))
        body = lines[index + 1 : close]
        edit = _fenced_edit(lines, index, match.group(2), body, default_path)
        if edit is not None:
            path = _flush(edits, lines[pending:index], path, known)
            edits.append(edit)
            pending = close + 1
        index = close + 1
    _flush(edits, lines[pending:], path, known)
    return edits


def _closing(lines: list[str], opening: int, fence: str) -> int:
    """Index of the line closing the fence opened at `opening` (len(lines) if none)."""
    for index in range(opening + 1, len(lines)):
        text = lines[index].strip()
        if text and text[0] == fence[0] and set(text) == {fence[0]} and len(text) >= len(fence):
            return index
    return len(lines)


def _fenced_edit(
    lines: list[str], opening: int, info: str, body: list[str], default_path: str | None
) -> TextEdit | None:
    """The diff or whole-file edit a fenced block holds, or None (SEARCH/REPLACE, prose)."""
    if any(_MARKER.match(line) for line in body):
        return None
    text = "".join(body)
    if info.lower() in _DIFF_INFOS or _is_diff(body):
        return DiffEdit(text, default_path)
    path = _info_path(info) or _path_above(lines, opening)
    if path is None:
        return None
    return WholeFileEdit(path, text)


def _is_diff(body: list[str]) -> bool:
    """Whether an unlabelled fenced block is a unified diff (headers then an @@ line)."""
    heads = [line for line in body if line.startswith(("--- ", "+++ ", "diff --git "))]
    return bool(heads) and any(line.startswith("@@") for line in body)


def _path_above(lines: list[str], opening: int) -> str | None:
    """The path standing alone just above the fence (one blank line may separate them)."""
    for index in (opening - 1, opening - 2):
        if index < 0:
            return None
        text = lines[index].strip()
        if text:
            return _filename(text)
    return None


def _filename(text: str) -> str | None:
    """`text` as a file path after removing markdown decoration; None for prose or a language.

    ``python`` is a language; ``src/app.py``, ``Makefile.am`` and ``**docs/my notes.md**``
    are paths. A name with spaces counts only when decorated (backticks, bold, quotes):
    bare, "Here is the new src/app.py" is a sentence.
    """
    name = re.sub(r"^#+\s*", "", text.strip())
    name = re.sub(r"^(?:file(?:name)?|path)\s*:\s*", "", name, flags=re.IGNORECASE)
    decorated = name[:1] in "*`'\"" if name else False
    name = name.strip("*`'\"").removesuffix(":").strip("*`'\"").strip()
    if not name or name.endswith(_PROSE_END) or any(char in name for char in "<>|()[]{}="):
        return None
    if " " in name and not decorated:
        return None
    if "/" in name or re.search(r"\.[\w-]+$", name):
        return name
    return None


def _info_path(info: str) -> str | None:
    """The path in a fence's info string (```src/app.py, ```python title="src/app.py" or
    ```python:src/app.py)."""
    return next(filter(None, map(_filename, info_words(info))), None)


def _flush(
    edits: list[TextEdit], lines: list[str], path: str | None, known: Callable[[str], bool] | None
) -> str | None:
    """Parse the SEARCH/REPLACE blocks (or a bare diff) in `lines`; return the last path."""
    text = "".join(lines)
    blocks = parse_search_replace(text, path, known)
    if blocks:
        edits.extend(SearchReplaceEdit(block) for block in blocks)
        return blocks[-1].path
    if _is_diff([line for line in lines if not _FENCE.match(line)]):
        edits.append(DiffEdit(text, path))
    return path


def apply_text_edits(files: Files, edits: list[TextEdit]) -> dict[str, str | None]:
    """The new text of every file the edits change (None = deleted), all or nothing.

    Edits apply in order, each to the result of the ones before; a block that quotes lines
    an earlier one changed, as they were, is made on the file as it was and carried over
    (`glm_lsp.edits.earlier`). An edit written again word for word is made once: models
    repeat a block (in a summary after the edits), and its second copy could only find its
    own result. Raises EditError naming the block that failed (its number, format and
    file) followed by the reason.
    """
    state: dict[str, str | None] = {}
    found: dict[str, str | None] = {}  # each file as the edits found it, read once

    def original(path: str) -> str | None:
        if path not in found:
            found[path] = files(path)
        return found[path]

    def current(path: str) -> str | None:
        return state[path] if path in state else original(path)

    for number, edit in enumerate(edits, 1):
        if edit in edits[: number - 1]:
            continue
        try:
            _apply_one(current, state, edit, original)
        except EditError as error:
            raise EditError(
                f"Edit {number} of {len(edits)} ({_KIND[edit.format]} for {edit.path}) was not "
                f"applied, so none of the edits were: {error.message}"
            ) from error
    return {path: text for path, text in state.items() if text != original(path)}


def _apply_one(current: Files, state: dict[str, str | None], edit: TextEdit, before: Files) -> None:
    """Apply one edit to the running state (`before`: the files as the edits found them)."""
    if isinstance(edit, SearchReplaceEdit):
        text = current(edit.path)
        state[edit.path] = apply_search_replace(text, edit.block, before(edit.path))
    elif isinstance(edit, DiffEdit):
        for result in apply_patch(current, edit.patch, edit.default_path):
            if result.renamed_from:
                state[result.renamed_from] = None
            state[result.path] = result.new
    else:
        state[edit.path] = _whole_file(current(edit.path), edit)


def _whole_file(existing: str | None, edit: WholeFileEdit) -> str:
    """The new text of a whole-file edit, refusing one that elides the existing file's code."""
    if existing is None:
        return edit.content
    elided = next((line.strip() for line in split_lf(edit.content) if MARKER.match(line)), None)
    if elided is not None:
        raise EditError(
            f"the block for {edit.path} replaces the whole file but leaves code out "
            f"({elided!r}); writing it would delete that code. Send the complete file "
            "content, or change only some lines with SEARCH/REPLACE blocks."
        )
    _refuse_a_part(existing, edit)
    return match_line_endings(existing, edit.content)


def _refuse_a_part(existing: str, edit: WholeFileEdit) -> None:
    """Refuse a block that reads as a part of the file, not all of it: most of the file's
    lines left out, while most of its own are the file's. Models show the function they
    changed under the file's name; written as the whole file, it would delete the rest. A
    file rewritten (its lines mostly new) or a small one is taken as written."""
    old = Counter(line.strip() for line in split_lf(existing) if line.strip())
    new = Counter(line.strip() for line in split_lf(edit.content) if line.strip())
    left_out = (old - new).total()
    own = (new & old).total()
    if left_out >= _PART_MIN_LEFT_OUT and left_out * 2 > old.total() and own * 2 >= new.total():
        raise EditError(
            f"the block for {edit.path} would replace the whole file ({old.total()} lines "
            f"with text) by {new.total()} that read as a part of it, leaving out "
            f"{left_out}; writing it would delete them. Send the complete file content, or "
            "change only some lines with SEARCH/REPLACE blocks."
        )


_PART_MIN_LEFT_OUT = 10  # lines: a small file rewritten shows whole in the preview
