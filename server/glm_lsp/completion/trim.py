"""A model's reply as the text to insert: no fences, no text the buffer already has."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^```[\w+-]*\n?|\n?```\s*$")


def clean(reply: str, before: str, after: str) -> str:
    """What to insert at the cursor.

    Models wrap code in fences, restate the start of the line they were given, and run
    on into the text after the cursor; each would show as ghost text the user must delete.
    """
    text = _FENCE.sub("", reply.replace("\r\n", "\n"))
    text = _without_repeated_start(text, before)
    text = _without_following_text(text, after)
    return text.rstrip() if "\n" in text else text.rstrip("\n")


def _without_repeated_start(text: str, before: str) -> str:
    """A reply that starts by restating the cursor's line: only its new part is kept."""
    current = before.rsplit("\n", 1)[-1]
    stripped = current.strip()
    if stripped and text.lstrip().startswith(stripped) and not text.startswith(current):
        return text.lstrip()[len(stripped) :]
    if current and text.startswith(current):
        return text[len(current) :]
    return text


def _without_following_text(text: str, after: str) -> str:
    """Cut where the reply repeats what follows the cursor: the rest of the cursor's line
    at its end (a closing bracket), or a later line that comes next in the buffer."""
    rest = after.split("\n", 1)[0].strip()
    lines = text.split("\n")
    if rest and lines[-1].rstrip().endswith(rest):
        last = lines[-1].rstrip()
        lines[-1] = last[: len(last) - len(rest)]
    following = [x.strip() for x in after.split("\n")[1:] if x.strip()]
    if following:
        for number, line in enumerate(lines[1:], start=1):
            if line.strip() == following[0]:
                lines = lines[:number]
                break
    return "\n".join(lines)
