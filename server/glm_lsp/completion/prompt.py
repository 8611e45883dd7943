"""The completion request's messages, laid out stable part first.

Providers cache a prompt's longest shared prefix, so the parts that change least come
first: the instructions and project rules (same for every request), then the definitions
the cursor's scope uses (same while typing in one scope), the file's name and the text
after the cursor (unchanged while typing at the cursor), and last the text before the
cursor, which grows at its end with each keystroke. Its start is aligned to a multiple of
WINDOW_STEP lines, so it does not slide (and break the shared prefix) on every line typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from glm_lsp.context.definitions import Definition
from glm_lsp.providers.types import Message

SYSTEM = (
    "You are a code completion engine inside an editor. You see a file with a cursor. "
    "Reply with only the text to insert at the cursor: no explanation, no Markdown fence, "
    "and never repeat text that is already before or after the cursor. Complete the "
    "current statement or, at most, the current block; stop at a natural end. If nothing "
    "useful fits, reply with nothing."
)
BEFORE_LINES = 120  # lines before the cursor at most (plus up to WINDOW_STEP)
AFTER_LINES = 40  # lines after the cursor at most
WINDOW_STEP = 32
MAX_LINE_CHARS = 400  # a minified line is cut, so one line cannot fill the prompt
STOP = ["\n\n", "```"]  # a blank line ends a suggestion, as does a fence


@dataclass(frozen=True)
class Window:
    """The text around the cursor that the model sees: `before` ends at the cursor."""

    before: str
    after: str


def window(text: str, line: int, column: int) -> Window:
    """The bounded text before and after a cursor (0-based line, column in characters)."""
    lines = text.split("\n")
    line = min(max(line, 0), len(lines) - 1)
    column = min(max(column, 0), len(lines[line]))
    first = max(0, line - BEFORE_LINES)
    first -= first % WINDOW_STEP  # aligned: the start stays put while the user types
    head = [_cut(x) for x in lines[first:line]]
    before = "\n".join([*head, lines[line][:column]])
    tail = [_cut(x) for x in lines[line + 1 : line + 1 + AFTER_LINES]]
    after = "\n".join([lines[line][column:], *tail])
    return Window(before, after)


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + "…"


def render_definitions(found: list[Definition]) -> str:
    """Signatures of the definitions in scope, grouped by file."""
    by_file: dict[str, list[str]] = {}
    for d in found:
        by_file.setdefault(d.path, []).extend(text for _, text in d.signature)
    if not by_file:
        return ""
    parts = [f"{path}:\n" + "\n".join(f"    {s}" for s in sigs) for path, sigs in by_file.items()]
    return "Definitions the code around the cursor uses:\n" + "\n".join(parts)


def messages(rules: str, definitions: str, path: str, text: Window) -> list[Message]:
    """System: instructions and rules. User: definitions, file, after, then before."""
    system = SYSTEM + ("\n\n" + rules if rules else "")
    parts = [definitions] if definitions else []
    parts += [
        f"File: {path}",
        "Text after the cursor:\n<after>\n" + text.after + "\n</after>",
        "Text before the cursor (the cursor is at its very end):\n<before>\n" + text.before,
    ]
    return [Message("system", system), Message("user", "\n\n".join(parts))]
