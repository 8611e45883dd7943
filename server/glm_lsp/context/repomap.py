"""The repo map: ranked files with the signatures of their key symbols, bodies elided.

It gives the model the shape of the repository in a few thousand tokens: which files exist
that matter here and what they define, so it can ask for (or be given) the right code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.tags import Tag

MAX_SYMBOLS_PER_FILE = 12


def _block(rel: str, tags: Iterable[Tag]) -> str:
    lines = [f"{rel}:"]
    for tag in sorted(tags, key=lambda t: t.line):
        lines.append(f"{tag.line + 1:>5}│ {tag.signature or tag.name}")
    return "\n".join(lines) + "\n"


def render_repo_map(
    order: Iterable[str],
    definitions: Mapping[str, list[tuple[float, Tag]]],
    budget_tokens: int,
    counter: TokenCounter,
    skip: frozenset[str] = frozenset(),
) -> str:
    """Files in rank order, each with its top symbols, cut so the whole fits the budget.

    A file that does not fit with all its symbols is tried with fewer; the map stops at the
    first file that does not fit even as a bare name.
    """
    budget_chars = counter.chars_for_tokens(budget_tokens)
    used = 0
    blocks = []
    for rel in order:
        if rel in skip:
            continue
        tags = [tag for _, tag in definitions.get(rel, [])[:MAX_SYMBOLS_PER_FILE]]
        for count in (len(tags), min(len(tags), 3), 0):
            block = _block(rel, tags[:count])
            if used + len(block) <= budget_chars:
                blocks.append(block)
                used += len(block)
                break
        else:
            break
    return "".join(blocks)
