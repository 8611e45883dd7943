"""The code actions a user can pick, as data: titles and the instructions they send.

Listing them must be instant, so everything here works on text already in memory. The
`glm:` comment lets editors without a plugin give a free-form instruction: write
`# glm: make this async` above the code and pick the action.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from glm_lsp.agent.prompts import DEFAULT_INSTRUCTION

QUICKFIX = "quickfix"
REWRITE = "refactor.rewrite"


@dataclass(frozen=True)
class ActionSpec:
    key: str
    title: str
    kind: str
    instruction: str


STANDARD = (
    ActionSpec(
        "edit",
        "GLM: Edit selection…",
        REWRITE,
        DEFAULT_INSTRUCTION,
    ),
    ActionSpec(
        "document",
        "GLM: Add documentation",
        REWRITE,
        "Add or improve the documentation of the selected code (docstrings or doc comments in "
        "the language's usual style); do not change its behaviour.",
    ),
    ActionSpec(
        "simplify",
        "GLM: Simplify",
        REWRITE,
        "Simplify the selected code without changing its behaviour.",
    ),
    ActionSpec(
        "tests",
        "GLM: Write tests",
        REWRITE,
        "Write unit tests for the selected code, following the project's test layout and "
        "framework; create a test file if there is none yet.",
    ),
)

EXPLAIN = ActionSpec(
    "explain",
    "GLM: Explain",
    "",  # an answer, not a change: no refactor or fix kind
    "Explain what the selected code does, how it fits into the rest of the repository, and "
    "anything surprising or risky in it.",
)

GLM_COMMENT = re.compile(r"^\s*(?:#+|//+|--+|;+|/\*+|\*)\s*glm:\s*(?P<text>.*?)\s*(?:\*/)?\s*$")
LINES_ABOVE = 3


def fix_instruction(message: str, line: int, code: str = "", source: str = "") -> str:
    """The instruction for a quick fix: the diagnostic as the editor reported it."""
    origin = " ".join(part for part in (source, f"({code})" if code else "") if part)
    return (
        f"Fix this problem{' reported by ' + origin if origin else ''} at line {line}: "
        f"{message}. Change only what the fix needs."
    )


@dataclass(frozen=True)
class GlmComment:
    line: int  # 0-based
    text: str  # the whole comment line, as written
    instruction: str


def find_glm_comment(lines: Sequence[str], line: int) -> GlmComment | None:
    """A `glm:` comment on the cursor line or just above it, nearest first."""
    for number in range(line, max(-1, line - LINES_ABOVE - 1), -1):
        if 0 <= number < len(lines):
            match = GLM_COMMENT.match(lines[number].rstrip("\r\n"))
            if match and match.group("text"):
                return GlmComment(number, lines[number].rstrip("\r\n"), match.group("text"))
    return None


def comment_instruction(comment: GlmComment) -> str:
    return (
        f"{comment.instruction}\n(This instruction was written in the comment "
        f"'{comment.text.strip()}' at line {comment.line + 1}; remove that comment line.)"
    )


def without_comment(text: str, comment: str) -> str:
    """Remove the instruction comment if the model left it in; nothing else changes."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.rstrip("\r\n") == comment:
            return "".join(lines[:index] + lines[index + 1 :])
    return text
