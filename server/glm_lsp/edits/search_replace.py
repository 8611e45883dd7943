"""SEARCH/REPLACE blocks: the edit format for providers that cannot call tools.

Some providers (NVIDIA's catalog lists GLM-5.2 without function calling) and some model
replies carry edits as text. We use aider's well-tried block format, parsed leniently
(fence or no fence, filename inside or outside it, 5-9 marker characters) because models
drift from any format; a block that is really broken raises an EditError naming the line,
so the model can resend it. Applying a block is `apply_edit` with the same exact-match
rules as the ``edit_file`` tool.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from glm_lsp.edits.apply import BLOCK_TERMS, apply_edit, match_line_endings
from glm_lsp.edits.locate import split_lf
from glm_lsp.errors import EditError

_SEARCH = re.compile(r"^\s*+<{5,9}\s*+SEARCH\s*+>?\s*+$")
_DIVIDER = re.compile(r"^\s*={5,9}\s*$")
_REPLACE = re.compile(r"^\s*>{5,9}\s*REPLACE\s*$")
_FENCE = re.compile(r"^\s*+(`{3,}|~{3,})\s*+((?:[^`]*[^`\s])?)\s*$")
_EXTENSIONLESS = re.compile(r"^(?:(?i:[\w-]*file)|[A-Z][A-Z_]+)$")
"""File names without an extension that are still clearly file names: Makefile, LICENSE."""
_BARE_NAME = re.compile(r"[\w.+-]+")
"""One word that may name a file without an extension (`install`, `dune-project`)."""
_MARKER_NAMES = {_DIVIDER: "=======", _REPLACE: ">>>>>>> REPLACE"}
_FILENAME_LOOKBACK = 3
"""How many lines above ``<<<<<<< SEARCH`` may hold the filename (fences and blanks too)."""

PROMPT = """\
To change files, reply with SEARCH/REPLACE blocks. Each block is:

1. the file's path relative to the workspace root, alone on a line;
2. a fence opening a code block, e.g. ```python;
3. the line <<<<<<< SEARCH
4. the exact lines to find in the current file;
5. the line =======
6. the lines that replace them;
7. the line >>>>>>> REPLACE
8. the closing fence ```

Example, changing one line of src/app/util.py:

src/app/util.py
```python
<<<<<<< SEARCH
def greet(name):
    return "hello " + name
=======
def greet(name: str) -> str:
    return f"hello {name}"
>>>>>>> REPLACE
```

Rules:
- The SEARCH lines must match the file exactly, character for character, including
  indentation, whitespace, comments and blank lines, and must match exactly one place in
  the file. Include just enough surrounding lines to make them unique.
- Keep blocks small: a few changing lines plus the context needed. Use several blocks for
  several changes, in the order they appear in the file; each block changes only the
  lines in its own SEARCH section.
- To delete code, leave the REPLACE section empty. To move code, use one block to delete
  it and another to insert it at its new place.
- To create a new file, write a block with an empty SEARCH section and the whole file
  content in the REPLACE section.
- Never put line numbers in the SEARCH or REPLACE sections.
"""
"""The instructions for the model; the agent adds them to the system prompt."""


@dataclass
class SearchReplace:
    """Replace `search` by `replace` in the file at `path` (`search` "" = new/empty file)."""

    path: str
    search: str
    replace: str


def parse_search_replace(
    reply: str, default_path: str | None = None, known: Callable[[str], bool] | None = None
) -> list[SearchReplace]:
    """Every SEARCH/REPLACE block of a model `reply`, in order; [] when there is none.

    A block without a filename above it belongs to the previous block's file, or to
    `default_path` (the file being edited) when it is the first. `known` tells whether a
    name is a file of the workspace: a bare word above a block (`install`, `opam`) reads
    as prose unless it is one. Raises EditError, written for the model, for a block that
    has no ``=======`` or ``>>>>>>> REPLACE`` line.
    """
    lines = split_lf(reply)
    blocks: list[SearchReplace] = []
    path = default_path
    index = 0
    after_block = 0
    while index < len(lines):
        line = lines[index]
        if _REPLACE.match(line):
            raise EditError(_stray_replace(index))
        if not _SEARCH.match(line):
            index += 1
            continue
        path = _filename_above(lines, index, after_block, known) or path
        if path is None:
            raise EditError(_no_filename(index))
        block, index = _read_block(lines, index, path)
        blocks.append(block)
        after_block = index
    return blocks


def apply_search_replace(text: str | None, block: SearchReplace, before: str | None = None) -> str:
    """The file text after `block`: `text` None means the file does not exist yet;
    `before` is the file as the task found it (see `apply_edit`).

    An empty SEARCH creates the file, or fills it when it holds nothing but blank lines;
    otherwise it is `apply_edit` on whole lines (a SEARCH line never matches part of a
    line), with messages that speak of SEARCH and REPLACE sections.
    """
    if not block.search:
        if text is not None and text.strip():
            raise EditError(_not_empty(block.path))
        return _append(text or "", block.replace)
    if text is None:
        raise EditError(
            f"{block.path} does not exist, so its SEARCH section cannot match; "
            "to create the file, leave the SEARCH section empty."
        )
    return apply_edit(
        text,
        block.search,
        block.replace,
        path=block.path,
        terms=BLOCK_TERMS,
        whole_lines=True,
        before=before,
    )


def _not_empty(path: str) -> str:
    """An empty SEARCH on a file with content: the model believes the file new, or writes
    it whole again (the prompt's way to create a file). Adding the REPLACE after the
    file's end would leave the old content above the new, or the file in it twice."""
    return (
        f"{path} already exists and is not empty, so a block with an empty SEARCH section "
        "cannot create it; read the file, then quote in the SEARCH section the lines to "
        "change (to add lines, the lines they follow)."
    )


def _append(text: str, addition: str) -> str:
    """`addition` after `text` on a line of its own, in the file's line-ending style."""
    if text and not text.endswith(("\n", "\r")):
        text += "\r\n" if "\r\n" in text else "\n"
    return text + match_line_endings(text, addition)


def _read_block(lines: list[str], head: int, path: str) -> tuple[SearchReplace, int]:
    """Parse the block whose ``<<<<<<< SEARCH`` is `lines[head]`; return it and the next index."""
    divider = _find_marker(lines, head, head, _DIVIDER, stop=(_SEARCH, _REPLACE))
    end = _find_marker(lines, head, divider, _REPLACE, stop=(_SEARCH, _DIVIDER))
    search = "".join(lines[head + 1 : divider])
    replace = "".join(lines[divider + 1 : end])
    return SearchReplace(path, search, replace), end + 1


def _find_marker(
    lines: list[str],
    head: int,
    after: int,
    marker: re.Pattern[str],
    stop: tuple[re.Pattern[str], ...],
) -> int:
    """Index of the first `marker` line after `after` in the block opened at `head`.

    Raises EditError when a `stop` line or the end of the reply comes first: the block is
    broken, and the message says where.
    """
    name = _MARKER_NAMES[marker]
    for index in range(after + 1, len(lines)):
        if marker.match(lines[index]):
            return index
        if any(pattern.match(lines[index]) for pattern in stop):
            found = f"line {index + 1} ('{lines[index].strip()}') comes first"
            raise EditError(_missing(head, name, found))
    raise EditError(_missing(head, name, "the reply ends first"))


def _filename_above(
    lines: list[str], head: int, floor: int, known: Callable[[str], bool] | None = None
) -> str | None:
    """The filename written just above the block at `head` (skipping fences and blank lines).

    Only lines after the previous block (`floor`) count, so a block's own content is never
    taken for the next block's filename.
    """
    for index in range(head - 1, max(floor, head - _FILENAME_LOOKBACK) - 1, -1):
        text = lines[index].strip()
        fence = _FENCE.match(text)
        if fence:
            path = _fence_path(fence.group(2))
            if path is not None:
                return path
            continue
        if not text:
            continue
        return _as_filename(text, known)
    return None


def _fence_path(info: str) -> str | None:
    """The path a fence's info string names: ```src/a.py, ```python src/a.py,
    ```python:src/a.py or ```python title="src/a.py"; None for a bare language."""
    return next((word for word in info_words(info) if _looks_like_path(word)), None)


def info_words(info: str) -> list[str]:
    """The words of a fence's info string as values: `title="a.py"` as `a.py`, and
    `python:a.py` as `a.py` (a one-letter drive, `C:`, is no language)."""
    words = []
    for word in info.split():
        word = word.split("=", 1)[-1].strip("'\"")
        language, colon, rest = word.partition(":")
        if colon and rest and re.fullmatch(r"[\w+#-]+", language) and len(language) > 1:
            word = rest
        words.append(word)
    return words


def _as_filename(text: str, known: Callable[[str], bool] | None = None) -> str | None:
    """`text` as a filename, after removing markdown decoration; None for a prose line.
    A bare word counts when `known` says the workspace has a file by that name."""
    if text.endswith(":") and " " in text:
        return None
    name = text.strip("*`'\"").rstrip(":").strip("*`'\"").strip()
    name = re.sub(r"^#+\s*", "", name)
    name = re.sub(r"^(?:file(?:name)?|path)\s*:\s*", "", name, flags=re.IGNORECASE)
    name = name.strip("*`'\"").strip()
    if not name or any(char in name for char in "<>|"):
        return None
    if _looks_like_path(name) or _EXTENSIONLESS.match(name):
        return name
    if known is not None and _BARE_NAME.fullmatch(name) and known(name):
        return name
    return None


def _looks_like_path(text: str) -> bool:
    """Whether `text` has a directory separator or a file extension (``python`` has neither)."""
    return "/" in text or re.search(r"\.[\w-]+$", text) is not None


def _stray_replace(index: int) -> str:
    """Message for a ``>>>>>>> REPLACE`` line that closes no block."""
    return (
        f"Line {index + 1} of your reply is '>>>>>>> REPLACE' but no '<<<<<<< SEARCH' line "
        "opens its block. Resend the edit with every block complete: path, fence, "
        "<<<<<<< SEARCH, the exact lines to find, =======, the new lines, >>>>>>> REPLACE."
    )


def _no_filename(index: int) -> str:
    """Message for a block that names no file."""
    return (
        f"The SEARCH/REPLACE block starting at line {index + 1} of your reply does not say "
        "which file it changes. Put the file's path, relative to the workspace root, alone "
        "on the line before the opening fence of the block."
    )


def _missing(head: int, marker: str, found: str) -> str:
    """Message for a block that lacks one of its marker lines."""
    return (
        f"The SEARCH/REPLACE block starting at line {head + 1} of your reply has no "
        f"'{marker}' line: {found}. Resend that block complete: path, fence, "
        "<<<<<<< SEARCH, the exact lines to find, =======, the new lines, >>>>>>> REPLACE."
    )
