"""Tool arguments escaped twice.

A model (or a provider's tool-call parser) sometimes JSON-escapes an argument that is
already a JSON string, so old_string arrives as one line with ``\\n`` where its line
breaks were and ``\\"`` for its quotes. Read once more as a JSON string, it is the text
meant. That reading is taken only when the edit cannot be what was meant as it came: its
old_string has no line break but an escaped one, does not stand in the file as written,
and does once unescaped. Its new_string is unescaped with it.

An old_string of one line gives no such evidence. A new_string for it that has no line
break but ends with one written out (`raw\\nnode_modules\\n`, underscore's `.gitignore`
appended to), or has one outside any quotes where old_string has none (chai's
`.settings.xml\\nnode_modules/`, a file without a last line break), reads either way, as
lines escaped twice or as a line with a backslash and an n; it is refused with a sentence
saying how to write either. In quotes, `\\n` is a string's escape (`puts("a\\n")`).
"""

from __future__ import annotations

import json

from glm_lsp.edits.mangled import Naming
from glm_lsp.errors import EditError


def unescaped(text: str, old: str, new: str) -> tuple[str, str] | None:
    """(old, new) read once more as JSON strings, or None when the edit was not escaped
    twice (see the module)."""
    if "\n" in old or "\\n" not in old or old in text or "\n" in new:
        return None
    once_old, once_new = _loads(old), _loads(new)
    if once_old is None or once_new is None:
        return None
    if once_old not in text and once_old.replace("\n", "\r\n") not in text:
        return None
    return once_old, once_new


def _loads(escaped: str) -> str | None:
    try:
        value = json.loads(f'"{escaped}"')
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None


def refuse_escaped_line_end(old: str, new: str, naming: Naming) -> None:
    """EditError when `new` may be lines escaped twice that `old` cannot tell (see the
    module): no line break in either, and `new` ending with one written out where `old`
    does not, or having one outside any quotes where `old` has none."""
    if "\n" in old or "\n" in new or _loads(new) is None:
        return
    if _ends_escaped(new) and not _ends_escaped(old):
        raise EditError(
            f"{naming.new} has no line break but ends with \\n written out (a backslash and "
            "an n), as a tool argument escaped twice does, so what it means is unclear. Send "
            "it with real line breaks; if its line is to end with a backslash and an n, put "
            "the line break after them in it too."
        )
    if _escaped_break(old) is None and _escaped_break(new) == "outside":
        raise EditError(
            f"{naming.new} has no line break but \\n written out (a backslash and an n) "
            "outside any quotes, as a tool argument escaped twice does, so what it means is "
            "unclear. Send it with real line breaks; if its line is to have a backslash and "
            "an n there, send it with the line after it too."
        )


def _escaped_break(text: str) -> str | None:
    """Where `text` first has an escaped line break (an n after an odd run of
    backslashes): "outside" any quotes ('...', "...", `...`), "inside", or None."""
    quote = ""
    run = 0
    found = None
    for char in text:
        if char == "n" and run % 2 == 1:
            if not quote:
                return "outside"
            found = "inside"
        elif char in "'\"`" and run % 2 == 0:
            quote = "" if char == quote else quote or char
        run = run + 1 if char == "\\" else 0
    return found


def _ends_escaped(text: str) -> bool:
    """Whether `text` ends with an escaped line break: an n after an odd run of backslashes."""
    if not text.endswith("n"):
        return False
    body = text[:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 1
