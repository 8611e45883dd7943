"""Fit the request's context into a token budget and lay it out for prefix caching.

Sections are *chosen* by priority (what the edit cannot do without comes first: the
instruction, the selection, the current file as its scope plus an outline, the definitions
the scope uses, git state, the repo map, related files) and *ordered* from most stable to
most volatile (repo map, related files, git state, current file, definitions, selection,
instruction), so the next request of a session repeats the longest possible prefix and the
provider's prompt cache hits.

The repository part (repo map and related files) is sized from the budget alone, in fixed
shares (MAP_SHARE, RELATED_SHARE), and chosen before the rest: it then depends only on the
focus (the current file, recent files, co-changes), not on the instruction, the selection
or how much the current file and definitions take, so requests about the same file repeat
it byte for byte; the room the rest leaves goes to more related files after them. Below
STABLE_BUDGET, and for instructions about the whole file, there is no room to spare and
everything is chosen by priority as one (bench_scope measures those budgets).

Sizes are planned in characters and then checked with the counter's token count (the
provider's calibrated ratio, else a conservative estimate); a context over its budget is
planned again with proportionally fewer characters, so none exceeds it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from glm_lsp.context import outline
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.definitions import Definition
from glm_lsp.context.outline import CurrentFile, fence
from glm_lsp.errors import GlmError

SEPARATOR = "\n\n"
LAYOUT = (
    "repo_map",
    "related",
    "more_related",
    "git",
    "current",
    "definitions",
    "selection",
    "instruction",
)
CURRENT_SHARE = 0.4  # of the budget, the most the current file takes (unless whole-file)
SMALL_BUDGET = 4096  # tokens; below it the repo map's reserve shrinks
MAP_SHARE = 0.2  # of the budget, the repo map's fixed share (at least 4096 tokens)
RELATED_SHARE = 0.4  # of the budget, the most the related files take
STABLE_STEP = 1024  # tokens; the repository part is sized from the budget rounded to it
STABLE_BUDGET = 16384  # tokens; from here on the repository part has fixed shares
MAX_BODIES = 8  # definitions shown with their bodies; the rest as signatures
_ATTEMPTS = 4
RELATED_HEADING = "## Related file: "

__all__ = ["AssembledContext", "Material", "Related", "Section", "Snippet", "assemble", "fence"]


@dataclass(frozen=True)
class Snippet:
    """Some lines of a file, 1-based and inclusive."""

    path: str
    start: int
    end: int
    text: str
    label: str = ""


@dataclass(frozen=True)
class Related:
    """A related file, read only if the budget still has room for its size."""

    path: str
    size: int
    load: Callable[[], str]


@dataclass
class Material:
    """Everything a request could include; `assemble` decides what fits."""

    path: str
    text: str
    instruction: str
    heading: str = "Instruction"
    selection: tuple[int, int] | None = None
    scope: Snippet | None = None  # the definition enclosing the selection
    current: CurrentFile | None = None  # scope + outline view of the file, when there is a cursor
    whole_file: bool = False  # the instruction is about the whole file
    definitions: list[Definition] = field(default_factory=list)  # other files', best first
    git: Callable[[], str] = lambda: ""  # called only when the budget has room
    blame: Callable[[], str] = lambda: ""  # of the selected lines
    repo_map: Callable[[int], str] = lambda _tokens: ""
    related: list[Related] = field(default_factory=list)  # best first


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


def _lines(text: str, start: int, end: int) -> str:
    return "".join(text.splitlines(keepends=True)[start - 1 : end])


class _Budget:
    """Characters left, so the rendered whole stays within the planned size."""

    def __init__(self, chars: int) -> None:
        self.left = chars

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
    """The whole file when it fits its share (it is then also the same across requests in
    it, which keeps the prompt's prefix cacheable); else the scope plus an outline when there
    is a cursor and the instruction is not about the whole file; else the widest window."""
    whole = f"## Current file: {m.path}\n{fence(m.text)}"
    if len(whole) <= share and budget.fits(whole):
        return whole
    if m.current is not None and not m.whole_file:
        text = outline.render(m.current, min(share, budget.left - len(SEPARATOR)))
        return text if budget.fits(text) else ""
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


def _signature(d: Definition) -> str:
    return "\n".join(f"{line:>5}│ {text}" for line, text in d.signature)


def _body(d: Definition) -> str:
    return f"{d.path} lines {d.start}-{d.body_end}:\n{fence(d.body)}"


def _definitions(defs: list[Definition], budget: _Budget, share: int) -> str:
    """Signatures (and first doc lines) of as many definitions as fit, grouped by file;
    then, in the room left, the bodies of the first few instead of their signatures."""
    head = "## Definitions used here, from other files"
    share = min(share, budget.left - len(SEPARATOR))
    used, files, listed = len(head), set(), []
    for d in defs:
        cost = len(_signature(d)) + 1 + (0 if d.path in files else len(d.path) + 2)
        if used + cost <= share:
            listed.append(d)
            files.add(d.path)
            used += cost
    bodies: list[Definition] = []
    for d in listed:
        if len(bodies) >= MAX_BODIES:
            break
        if not d.referenced or not d.body:
            continue
        extra = len(_body(d)) + 1 - len(_signature(d)) - 1
        if used + extra <= share:
            bodies.append(d)
            used += extra
    if not listed:
        return ""
    text = _render_definitions(head, [d for d in listed if d not in bodies], bodies)
    return text if len(text) <= share else _render_definitions(head, listed, [])


def _render_definitions(head: str, signatures: list[Definition], bodies: list[Definition]) -> str:
    by_file: dict[str, list[str]] = {}
    for d in signatures:
        by_file.setdefault(d.path, []).append(_signature(d))
    parts = [head]
    parts += [f"{path}:\n" + "\n".join(entries) for path, entries in by_file.items()]
    parts += [_body(d) for d in bodies]
    return "\n".join(parts)


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
    for related in m.related:
        if related.size > budget.left:
            continue
        part = f"{RELATED_HEADING}{related.path}\n{fence(related.load())}"
        if budget.fits(SEPARATOR.join([*parts, part])):
            parts.append(part)
    return SEPARATOR.join(parts)


def assemble(m: Material, budget_tokens: int, counter: TokenCounter) -> AssembledContext:
    """The repository part in its fixed shares, then the rest chosen by priority within
    what is left; ordered for caching. The rest is planned again with fewer characters
    while the counted tokens exceed its budget."""
    m.git = functools.cache(m.git)  # one git run, however many plans
    m.blame = functools.cache(m.blame)
    asked = counter.count(f"## {m.heading}\n{m.instruction}")
    if asked > budget_tokens:  # it is never cut, and nothing else would be left
        raise GlmError(
            f"The {m.heading.lower()} alone is about {asked:,} tokens, more than the context "
            f"budget of {budget_tokens:,}; shorten it or raise the budget."
        )
    apart = budget_tokens >= STABLE_BUDGET and not m.whole_file
    stable = _repository(m, budget_tokens, counter) if apart else []
    used = sum(s.tokens + 1 for s in stable)
    rest = budget_tokens - used
    chars = counter.chars_for_tokens(rest)
    plan = functools.partial(_plan, m, whole=budget_tokens, counter=counter, repo=not stable)
    context = plan(chars, rest)
    for _ in range(_ATTEMPTS):
        total = context.tokens + len(context.sections) - 1
        if total <= rest:
            break
        chars = int(chars * rest / total * 0.98)
        context = plan(chars, rest)
    sections = [*stable, *context.sections]
    if stable:
        sections += _more_related(m, sections, budget_tokens, counter)
    context = AssembledContext(_ordered(sections), budget_tokens)
    while context.tokens + len(context.sections) - 1 > budget_tokens and len(context.sections) > 1:
        context.sections.pop(0)  # the most stable section is the least needed one
    return context


def _more_related(
    m: Material, sections: list[Section], budget_tokens: int, counter: TokenCounter
) -> list[Section]:
    """The room the other sections left, filled with the next related files, after the
    fixed ones (the prefix they share with the next request ends where this one starts)."""
    left = budget_tokens - sum(s.tokens + 1 for s in sections)  # each with its separator
    if left < 256:
        return []
    shown = {
        line.removeprefix(RELATED_HEADING)
        for section in sections
        if section.key == "related"
        for line in section.text.splitlines()
        if line.startswith(RELATED_HEADING)
    }
    others = replace(m, related=[r for r in m.related if r.path not in shown])
    text = _within(
        lambda c: _related(others, _Budget(c)), counter.chars_for_tokens(left), left, counter
    )
    return [Section("more_related", text, counter.count(text))] if text else []


def _ordered(sections: list[Section]) -> list[Section]:
    return sorted(sections, key=lambda s: LAYOUT.index(s.key))


def _repository(m: Material, budget_tokens: int, counter: TokenCounter) -> list[Section]:
    """The repo map and related files in their fixed shares of the budget. They are sized
    with the piece estimate, not the provider's learned ratio (which moves a little with
    every reply), and from the budget rounded down to STABLE_STEP tokens, so nothing about
    the last request changes them."""
    fixed = TokenCounter(counter.provider)  # uncalibrated: the same count every time
    budget_tokens = budget_tokens // STABLE_STEP * STABLE_STEP
    sections = []
    map_tokens = max(int(budget_tokens * MAP_SHARE), min(4096, budget_tokens // 3))
    repo_map = m.repo_map(map_tokens - 16)
    if repo_map:
        text = f"## Repository map (ranked; bodies elided)\n{repo_map}"
        sections.append(Section("repo_map", text, counter.count(text)))
    related_tokens = int(budget_tokens * RELATED_SHARE)
    related = _within(
        lambda c: _related(m, _Budget(c)),
        fixed.chars_for_tokens(related_tokens),
        related_tokens,
        fixed,
    )
    if related:
        sections.append(Section("related", related, counter.count(related)))
    return sections


def _within(render: Callable[[int], str], chars: int, tokens: int, counter: TokenCounter) -> str:
    """`render(chars)`, with fewer characters while its text counts more than `tokens`."""
    text = render(chars)
    for _ in range(_ATTEMPTS):
        counted = counter.count(text)
        if counted <= tokens:
            return text
        chars = int(chars * tokens / counted * 0.97)
        text = render(chars)
    return text if counter.count(text) <= tokens else ""


def _plan(
    m: Material, total: int, rest: int, *, whole: int, counter: TokenCounter, repo: bool
) -> AssembledContext:
    """Choose by priority within `total` characters (`rest` tokens) of the `whole` budget;
    the repo map and related files too when `repo` (else they were chosen apart)."""
    budget_tokens, whole_budget = rest, whole
    budget = _Budget(total)
    chosen: dict[str, str] = {}

    def keep(key: str, text: str) -> None:
        if text and (key == "instruction" or budget.fits(text)):
            chosen[key] = budget.take(text)

    small = whole_budget < SMALL_BUDGET
    keep("instruction", f"## {m.heading}\n{m.instruction}")
    keep("selection", _selection(m))
    if m.whole_file:
        keep("current", _current(m, budget, max(total // 2, total - 4 * 4096)))
    else:
        limit = min(int(whole_budget * CURRENT_SHARE), budget_tokens)
        # the definitions it uses come next: with the repository part chosen apart, the
        # current file takes at most 3/5 of what that part left (it took 9/10 once, and a
        # 16K context of mypy had room for fewer definitions than a 4K one)
        share = min(counter.chars_for_tokens(limit), total * 2 // 5 if repo else total * 3 // 5)
        keep("current", _within(lambda c: _current(m, budget, c), share, limit, counter))
    reserve = (total // 10 if small else total // 5) if repo else 0  # kept for the repo map
    keep("definitions", _definitions(m.definitions, budget, budget.left - reserve))
    keep("git", _git(m, budget, min(budget.left, total // (20 if small else 10))))
    if not repo:
        return _sections(chosen, budget_tokens, counter)
    map_chars = min(budget.left - 80, max(total // 4, counter.chars_for_tokens(4096)))
    repo_map = m.repo_map(int(map_chars / counter.chars_per_token)) if map_chars > 0 else ""
    keep("repo_map", f"## Repository map (ranked; bodies elided)\n{repo_map}" if repo_map else "")
    keep("related", _related(m, budget))
    return _sections(chosen, budget_tokens, counter)


def _sections(chosen: dict[str, str], budget: int, counter: TokenCounter) -> AssembledContext:
    sections = [
        Section(key, chosen[key], counter.count(chosen[key])) for key in LAYOUT if key in chosen
    ]
    return AssembledContext(sections, budget)
