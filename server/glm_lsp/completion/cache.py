"""Suggestions already paid for, so typing one does not ask the model again."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

LIMIT = 64


@dataclass(frozen=True)
class Entry:
    path: str
    before: str  # the whole text before the cursor when it was asked
    after: str  # the whole text after the cursor
    suggestion: str


class SuggestionCache:
    """Keyed on the text around the cursor: the same place asks nothing twice, and a user
    who typed the start of a suggestion gets the rest of it."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.entries: OrderedDict[tuple[str, str, str], Entry] = OrderedDict()

    def put(self, entry: Entry) -> None:
        key = (entry.path, entry.before, entry.after)
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.limit:
            self.entries.popitem(last=False)

    def get(self, path: str, before: str, after: str) -> str | None:
        """The suggestion (or what is left of it) for this cursor, else None."""
        exact = self.entries.get((path, before, after))
        if exact is not None:
            return exact.suggestion
        for entry in reversed(self.entries.values()):
            if entry.path != path or entry.after != after or not entry.suggestion:
                continue
            if before.startswith(entry.before):
                typed = before[len(entry.before) :]
                if entry.suggestion.startswith(typed) and len(typed) < len(entry.suggestion):
                    return entry.suggestion[len(typed) :]
        return None
