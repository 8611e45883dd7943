"""What the faces hand the assistant (requests) and what it hands back (events).

Every operation yields events in this order: any number of Progress, Text, Reasoning,
ToolActivity; then for changes a ProposedChange; a UsageReport once the model was asked;
and last exactly one of Done, Failed or Cancelled. Faces encode these for their protocol
(LSP notifications, ACP session updates, terminal output); nothing here knows a protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from glm_lsp.context.assemble import AssembledContext
from glm_lsp.context.rules import ProjectRules
from glm_lsp.providers.types import Usage

if TYPE_CHECKING:  # the patch engine is not imported by a face that proposes no change
    from glm_lsp.edits.overlay import FileChange

Buffers = Callable[[], Mapping[str, str]]  # absolute path -> the editor's unsaved text


def no_buffers() -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class LineSpan:
    """Lines the user selected, 1-based and inclusive."""

    start: int
    end: int


# --- requests -------------------------------------------------------------------------


@dataclass(frozen=True)
class EditRequest:
    """Change one file (and whatever else the instruction needs) without a conversation."""

    root: Path
    path: str  # relative to root, posix
    instruction: str
    lines: LineSpan | None = None
    buffers: Buffers = no_buffers  # read when the edit starts and again to rebase its result
    comment: str = ""  # a `glm:` comment line to remove from the result


@dataclass(frozen=True)
class ChatRequest:
    """One turn of a stored conversation. `writes` lets the turn change files (the ACP
    agent); plain chat only reads."""

    root: Path
    session: str
    message: str
    path: str | None = None  # the file in view, relative to root
    lines: LineSpan | None = None
    buffers: Buffers = no_buffers
    writes: bool = False


@dataclass(frozen=True)
class AskRequest:
    """A plain question, optionally about one file's text."""

    question: str
    path: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class ContextRequest:
    """The context an edit of `path` would send, for inspection."""

    root: Path
    path: str
    instruction: str = ""
    lines: LineSpan | None = None
    budget: int | None = None  # tokens; None: what an edit would get


@dataclass(frozen=True)
class ReviseRequest:
    """The user's words on a proposed edit (`ProposedChange.draft`): the same task and
    conversation go on and propose the change again. `rejected` is the diff of the hunks
    the user turned down, if they said which."""

    draft: str
    feedback: str
    rejected: str = ""
    buffers: Buffers = no_buffers


@dataclass(frozen=True)
class DiffRequest:
    """A unified diff (from a chat, the user or another tool) to turn into file changes."""

    root: Path
    diff: str
    buffers: Buffers = no_buffers


# --- events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    message: str


@dataclass(frozen=True)
class Text:
    """A piece of the model's answer as it streams."""

    text: str


@dataclass(frozen=True)
class Reasoning:
    """A piece of the model's reasoning as it streams."""

    text: str


@dataclass(frozen=True)
class Notice:
    """Something the user should hear about that does not end the task, in one sentence
    (an MCP server that did not start or went away)."""

    message: str


@dataclass(frozen=True)
class ToolActivity:
    """The model called a tool: `line` says what for the user (`read_file app/main.py`)."""

    call_id: str
    name: str
    line: str
    path: str | None = None
    writes: bool = False


@dataclass(frozen=True)
class ProposedChange:
    """Changed files, rebased onto the buffers as they are now, with their unified diff.

    Nothing is written: the face shows, applies or writes the change after asking.
    """

    root: Path
    changes: list[FileChange]
    diff: str
    summary: str
    failed: list[str] = field(default_factory=list)  # edits the model tried and did not make
    draft: str = ""  # an edit's conversation, kept for `Assistant.revise`


@dataclass(frozen=True)
class ContextReady:
    context: AssembledContext
    budget: int
    rules: ProjectRules | None = None  # what goes into the system message


@dataclass(frozen=True)
class UsageReport:
    """What one operation spent; the assistant has already added it to its ledger."""

    usage: Usage
    what: str


@dataclass(frozen=True)
class Done:
    """The operation finished; `text` is its final answer or summary."""

    text: str = ""
    usage: Usage = field(default_factory=Usage)
    session: str = ""


@dataclass(frozen=True)
class Failed:
    """The operation failed; `message` is the one sentence the user sees."""

    message: str
    detail: str = ""


@dataclass(frozen=True)
class Cancelled:
    pass


Event = (
    Progress
    | Notice
    | Text
    | Reasoning
    | ToolActivity
    | ProposedChange
    | ContextReady
    | UsageReport
    | Done
    | Failed
    | Cancelled
)
