"""JSON from a provider is size- and depth-limited before it is parsed.

A provider (or anything between us and it) may send a reply of any size and any nesting.
Python's parser recurses per level, and what parses still has to be walked; so a reply
nested deeper than MAX_DEPTH, or larger than MAX_BYTES, is refused before `json.loads`
sees it, and becomes an ordinary failed attempt (retried, then one sentence).
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_BYTES = 64 * 1024 * 1024  # one reply or one streamed event
MAX_DEPTH = 64  # real replies nest about 6 levels deep

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


class JsonRefused(ValueError):
    """The text is too large or too deeply nested to parse; the message says which."""


def depth(text: str) -> int:
    """How deeply the brackets of JSON `text` nest (strings skipped), without parsing."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub('""', text)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def loads(raw: str | bytes) -> Any:
    """`json.loads` within the limits; JsonRefused (a ValueError) when over them."""
    if len(raw) > MAX_BYTES:
        raise JsonRefused(f"it is larger than {MAX_BYTES // (1024 * 1024)} MB")
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    opened = text.count("[") + text.count("{")  # fewer than the limit cannot nest past it
    if opened > MAX_DEPTH and depth(text) > MAX_DEPTH:
        raise JsonRefused(f"it is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonRefused(f"it is nested more than {MAX_DEPTH} levels deep") from None
