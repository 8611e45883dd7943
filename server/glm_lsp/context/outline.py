"""The current file as its scope plus an outline of the rest.

A raw window around the cursor fills any budget with code the edit does not touch (74 % of
a 16K context in mypy's checkexpr.py) and leaves nothing for what the scope calls. Instead
the file is shown as: an outline (signatures with line numbers) of its definitions, those
that enclose the scope or that it uses first, then nearby ones, then the rest; the bodies of
this file's definitions that the scope uses (they count as part of the scope); and the scope
itself, whole when it fits, else the largest window around the cursor that does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from glm_lsp.context.definitions import Definition
from glm_lsp.context.scope import Cursor
from glm_lsp.context.tags import Tag

SCOPE_SHARE = 0.6  # of the current file's share, the most the scope's own lines may take


@dataclass(frozen=True)
class CurrentFile:
    """What the current-file section is made from."""

    path: str
    text: str
    definitions: Sequence[Tag]  # the file's definition tags
    cursor: Cursor | None
    scope: Tag | None
    used: Sequence[Definition]  # this file's definitions the scope uses, most telling first


def fence(text: str) -> str:
    """A code fence long enough not to be closed by backticks inside `text`."""
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}\n{text}{'' if text.endswith(chr(10)) or not text else chr(10)}{ticks}"


def render(f: CurrentFile, share: int) -> str:
    """The section within `share` characters ("" when not even the header fits)."""
    lines = f.text.splitlines(keepends=True)
    low, high = _focus_span(f, len(lines))
    header = f"## Current file: {f.path} ({len(lines)} lines)"
    window = _window(lines, low, high, f.cursor, int(share * SCOPE_SHARE) - len(header))
    if not window:
        return ""
    left = share - len(header) - len(window) - 2
    used = _used_bodies(f, left // 2)
    outline = _outline(f, left - len(used) - 2, low, high)
    parts = [header]
    if outline:
        parts.append(outline)
    if used:
        parts.append(used)
    parts.append(window)
    text = "\n".join(parts)
    return text if len(text) <= share else "\n".join([header, window])


def _focus_span(f: CurrentFile, count: int) -> tuple[int, int]:
    if f.scope is not None:
        return f.scope.line + 1, min(count, f.scope.end_line + 1)
    if f.cursor is not None:
        return f.cursor.first, min(count, f.cursor.last)
    return 1, min(count, 1)


def _window(lines: list[str], low: int, high: int, cursor: Cursor | None, chars: int) -> str:
    """Lines low..high when they fit in `chars`, else the widest window around the cursor
    inside them that does (binary search on its radius)."""
    whole = _block(lines, low, high)
    if len(whole) <= chars:
        return whole
    centre_low, centre_high = (cursor.first, cursor.last) if cursor else (low, low)
    centre_low, centre_high = max(low, centre_low), min(high, max(centre_high, centre_low))
    best, lo, hi = "", 0, high - low
    while lo <= hi:
        radius = (lo + hi) // 2
        text = _block(lines, max(low, centre_low - radius), min(high, centre_high + radius))
        if len(text) <= chars:
            best, lo = text, radius + 1
        else:
            hi = radius - 1
    return best


def _block(lines: list[str], start: int, end: int) -> str:
    if end < start:
        return ""
    return f"Lines {start}-{end}:\n" + fence("".join(lines[start - 1 : end]))


def _used_bodies(f: CurrentFile, chars: int) -> str:
    """Bodies of this file's definitions that the scope uses, best first, within `chars`."""
    head = "Used by the scope, from this file:"
    parts: list[str] = []
    used = len(head)
    for d in f.used:
        part = f"{d.label} (lines {d.start}-{d.body_end}):\n{fence(d.body)}"
        if used + len(part) + 1 <= chars:
            parts.append(part)
            used += len(part) + 1
    return "\n".join([head, *parts]) if parts else ""


def _outline(f: CurrentFile, chars: int, low: int, high: int) -> str:
    """Signatures with line numbers, chosen by priority, shown in file order."""
    scope_line = f.scope.line if f.scope is not None else -1
    used_names = {d.name for d in f.used}
    chosen: list[Tag] = []
    total = 80  # the outline's own heading
    for tag in sorted(f.definitions, key=_priority(f, used_names, low)):
        if tag.line == scope_line:
            continue
        size = len(_entry(tag)) + 1
        if total + size > chars:
            continue
        chosen.append(tag)
        total += size
    if not chosen:
        return ""
    entries = [_entry(t) for t in sorted(chosen, key=lambda t: t.line)]
    skipped = len(f.definitions) - len(chosen) - (scope_line >= 0)
    more = f" ({skipped} more not shown)" if skipped > 0 else ""
    head = f"Outline of the rest{more}; the scope is lines {low}-{high}:"
    return head + "\n" + "\n".join(entries)


def _priority(
    f: CurrentFile, used_names: set[str], low: int
) -> Callable[[Tag], tuple[int, int, int]]:
    scope = f.scope

    def key(tag: Tag) -> tuple[int, int, int]:
        encloses = scope is not None and tag.line <= scope.line and tag.end_line >= scope.end_line
        if encloses or tag.name in used_names:
            group = 0
        elif tag.category in ("class", "interface", "struct", "module"):
            group = 1
        elif tag.category in ("function", "constant"):
            group = 2
        else:
            group = 3
        return group, abs(tag.line + 1 - low), tag.line

    return key


def _entry(tag: Tag) -> str:
    return f"{tag.line + 1:>5}│ {tag.signature or tag.name}"
