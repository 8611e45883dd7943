"""Fit the request's context into a token budget and lay it out for prefix caching.

Sections are *chosen* by priority (what the edit cannot do without comes first: the
instruction, the selection, the current file, the definitions it uses, git state, the repo
map, related files) and *ordered* from most stable to most volatile (repo map, related
files, git state, current file, definitions, selection, instruction), so the next request
of a session repeats the longest possible prefix and the provider's prompt cache hits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from glm_lsp.context.budget import TokenCounter

SEPARATOR = "\n\n"
LAYOUT = ("repo_map", "related", "git", "current", "definitions", "selection", "instruction")


@dataclass(frozen=True)
class Snippet:
    """Some lines of a file, 1-based and inclusive."""

    path: str
    start: int
    end: int
    text: str
    label: str = ""


@dataclass
class Material:
    """Everything a request could include; `assemble` decides what fits."""

    path: str
    text: str
    instruction: str
    heading: str = "Instruction"
    selection: tuple[int, int] | None = None
    scope: Snippet | None = None  # the definition enclosing the selection
    definitions: list[Snippet] = field(default_factory=list)
    git: Callable[[], str] = lambda: ""  # called only when the budget has room
    blame: Callable[[], str] = lambda: ""  # of the selected lines
    repo_map: Callable[[int], str] = lambda _tokens: ""
    related: list[tuple[str, str]] = field(default_factory=list)  # (path, text), best first


@dataclass(frozen=True)
class Section:
    key: str
    text: str
    tokens: int


@dataclass
class AssembledContext:
    sections: list[Section]
    budget: int

    def render(self) -> str:
        return SEPARATOR.join(section.text for section in self.sections)

    @property
    def tokens(self) -> int:
        return sum(section.tokens for section in self.sections)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


def fence(text: str) -> str:
    """A code fence long enough not to be closed by backticks inside `text`."""
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}\n{text}{'' if text.endswith(chr(10)) or not text else chr(10)}{ticks}"


def _lines(text: str, start: int, end: int) -> str:
    return "".join(text.splitlines(keepends=True)[start - 1 : end])


class _Budget:
    """Characters left, so the rendered whole never exceeds the token budget."""

    def __init__(self, tokens: int, counter: TokenCounter) -> None:
        self.left = counter.chars_for_tokens(tokens)

    def fits(self, text: str) -> bool:
        return len(text) + len(SEPARATOR) <= self.left

    def take(self, text: str) -> str:
        self.left -= len(text) + len(SEPARATOR)
        return text


def _selection(m: Material) -> str:
    if m.selection is None:
        return ""
    start, end = m.selection
    where = ""
    if m.scope is not None:
        where = f" (inside {m.scope.label}, lines {m.scope.start}-{m.scope.end})"
    body = _lines(m.text, start, end)
    blamed = m.blame()
    blame = f"\nLast changed: {blamed}" if blamed else ""
    lines = f"line {start}" if start == end else f"lines {start}-{end}"
    return f"## Selection: {lines} of {m.path}{where}\n{fence(body)}{blame}"


def _current(m: Material, budget: _Budget, share: int) -> str:
    """The whole file if it fits its share, else the largest window around the selection
    that does (the rest of the budget is kept for definitions and the repo map)."""
    whole = f"## Current file: {m.path}\n{fence(m.text)}"
    if len(whole) <= share and budget.fits(whole):
        return whole
    lines = m.text.splitlines(keepends=True)
    low, high = (m.scope.start, m.scope.end) if m.scope else (m.selection or (1, 1))
    best = ""
    radius_low, radius_high = 0, len(lines)
    while radius_low <= radius_high:  # binary search on the window's radius
        radius = (radius_low + radius_high) // 2
        start, end = max(1, low - radius), min(len(lines), high + radius)
        text = f"## Current file: {m.path} (lines {start}-{end} of {len(lines)})\n" + fence(
            "".join(lines[start - 1 : end])
        )
        if len(text) <= share and budget.fits(text):
            best, radius_low = text, radius + 1
        else:
            radius_high = radius - 1
    return best


def _definitions(m: Material, budget: _Budget, share: int) -> str:
    parts = ["## Definitions used here, from other files"]
    used = len(parts[0])
    for snippet in m.definitions:
        part = f"{snippet.path} lines {snippet.start}-{snippet.end}:\n{fence(snippet.text)}"
        if used + len(part) + 1 > share or not budget.fits("\n".join([*parts, part])):
            continue
        parts.append(part)
        used += len(part) + 1
    return "\n".join(parts) if len(parts) > 1 else ""


def _git(m: Material, budget: _Budget, share: int) -> str:
    if share < 200:
        return ""  # no room worth running git for
    git = m.git()
    if not git:
        return ""
    text = "## Git\n" + git
    if len(text) > share:
        cut = text[:share].rsplit("\n", 1)[0]
        text = cut + "\n(git context trimmed to fit)"
    return text if budget.fits(text) else ""


def _related(m: Material, budget: _Budget) -> str:
    parts: list[str] = []
    for path, text in m.related:
        part = f"## Related file: {path}\n{fence(text)}"
        if budget.fits(SEPARATOR.join([*parts, part])):
            parts.append(part)
    return SEPARATOR.join(parts)


def assemble(m: Material, budget_tokens: int, counter: TokenCounter) -> AssembledContext:
    """Choose by priority within the budget, then order for caching."""
    budget = _Budget(budget_tokens, counter)
    total = budget.left
    chosen: dict[str, str] = {}

    def keep(key: str, text: str) -> None:
        if text and (key == "instruction" or budget.fits(text)):
            chosen[key] = budget.take(text)

    keep("instruction", f"## {m.heading}\n{m.instruction}")
    keep("selection", _selection(m))
    keep("current", _current(m, budget, share=max(total // 2, total - 4 * 4096)))
    keep("definitions", _definitions(m, budget, share=total // 4))
    keep("git", _git(m, budget, share=min(budget.left, total // 8)))
    map_chars = min(budget.left - 80, max(total // 4, counter.chars_for_tokens(4096)))
    repo_map = m.repo_map(int(map_chars / counter.chars_per_token)) if map_chars > 0 else ""
    keep("repo_map", f"## Repository map (ranked; bodies elided)\n{repo_map}" if repo_map else "")
    keep("related", _related(m, budget))
    sections = [
        Section(key, chosen[key], counter.count(chosen[key])) for key in LAYOUT if key in chosen
    ]
    return AssembledContext(sections, budget_tokens)
