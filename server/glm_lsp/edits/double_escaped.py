"""Tool arguments escaped twice.

A model (or a provider's tool-call parser) sometimes JSON-escapes an argument that is
already a JSON string, so old_string arrives as one line with ``\\n`` where its line
breaks were and ``\\"`` for its quotes. Read once more as a JSON string, it is the text
meant. That reading is taken only when the edit cannot be what was meant as it came: its
old_string has no line break but an escaped one, does not stand in the file as written,
and does once unescaped. Its new_string is unescaped with it.
"""

from __future__ import annotations

import json


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
