"""glm-lsp's own protocol over LSP, in one place: command arguments and results, the code
action `data`, and the `$/glm/*` notifications.

pygls structures each command's argument from these classes and unstructures results and
notifications from them, so no handler decodes a dict by hand. The VS Code extension
(`editors/vscode/src/{usage,preview,chat}.ts`) and the Neovim plugin (`editors/nvim/lua/glm`)
read and send the same shapes; tests/vscode/test_protocol_sync.py keeps them in step.
"""

from __future__ import annotations

from typing import Any, TypedDict, TypeVar

import attrs
from lsprotocol import types
from lsprotocol.converters import get_converter

from glm_lsp.assistant import TaskRecord, Usage

EDIT = "glm.edit"
CHAT = "glm.chat"
ACCEPT = "glm.accept"
REJECT = "glm.reject"
REVISE = "glm.revise"
APPLY_DIFF = "glm.applyDiff"
CANCEL = "glm.cancel"
USAGE = "glm.usage"
SESSIONS = "glm.sessions"
REINDEX = "glm.reindex"

TASK_NOTIFICATION = "$/glm/task"
PREVIEW_NOTIFICATION = "$/glm/preview"
CHAT_NOTIFICATION = "$/glm/chat"


T = TypeVar("T")
_CONVERTER = get_converter()  # the one pygls uses; configured once, never changed after


def to_wire(value: object) -> Any:
    """A protocol object as JSON-ready data (for code action data and arguments)."""
    return _CONVERTER.unstructure(value)


def from_wire(data: object, kind: type[T]) -> T:
    return _CONVERTER.structure(data, kind)


# --- command arguments (one object each) -------------------------------------------------


@attrs.define
class EditArgs:
    """glm.edit, and the `data` of every edit code action (so resolve decodes the same)."""

    uri: str
    range: types.Range | None = None
    instruction: str = ""
    version: int | None = None  # set when a code action made the request
    comment: str = ""  # a `glm:` comment line to remove from the result
    preview: bool = False  # send $/glm/preview and wait for glm.accept instead of applying
    show: bool = True  # with preview: also open the diff as a document


@attrs.define
class ChatArgs:
    message: str = ""
    uri: str | None = None
    range: types.Range | None = None
    session: str = ""  # continue this session; empty starts one
    show: bool = False  # also open the answer as a document (the Explain action)


@attrs.define
class TokenArgs:
    """glm.accept / glm.reject: the token of a $/glm/preview, and which of its hunks (ids
    from PreviewHunk). Without hunks: the whole preview, which then ends. With hunks, accept
    applies just those and reject notes them for glm.revise; the preview stays open."""

    token: str = ""
    hunks: list[str] | None = None


@attrs.define
class ReviseArgs:
    """glm.revise: the user's words on a preview; the same task goes on and previews anew."""

    token: str = ""
    feedback: str = ""
    show: bool = True  # also open the new diff as a document


@attrs.define
class DiffArgs:
    diff: str = ""


@attrs.define
class CancelArgs:
    task: str | None = None  # None: every running task


@attrs.define
class NoArgs:
    """glm.usage, glm.sessions and glm.reindex take an empty object."""


# --- command results ---------------------------------------------------------------------


@attrs.define
class Started:
    task: str


@attrs.define
class ChatStarted:
    task: str
    session: str


@attrs.define
class Applied:
    applied: bool


@attrs.define
class Rejected:
    rejected: bool


@attrs.define
class CancelledTasks:
    cancelled: list[str]


class UsageJson(TypedDict):
    """Usage keeps its snake_case keys on the wire (attrs classes here become camelCase)."""

    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    cached_tokens: int
    cost: float | None
    saved: float  # dollars the provider's prefix cache took off the cost


def usage_json(usage: Usage) -> UsageJson:
    return UsageJson(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        reasoning_tokens=usage.reasoning_tokens,
        cached_tokens=usage.cached_tokens,
        cost=usage.cost,
        saved=usage.saved,
    )


@attrs.define
class TaskUsage:
    task: str
    title: str
    state: str
    usage: UsageJson
    text: str

    @classmethod
    def of(cls, record: TaskRecord) -> TaskUsage:
        usage = usage_json(record.usage)
        return cls(record.id, record.title, record.state, usage, record.usage.describe())


@attrs.define
class CompletionUsage:
    """Inline completion's spending, counted apart from edits and chats: `hourCost` is the
    rolling hour's, which the `completion.hourly_cap_usd` setting caps."""

    enabled: bool
    paused: bool
    hour_cost: float
    hourly_cap: float
    requests: int  # sent to the provider
    cancelled: int  # stopped before the reply ended (a keystroke, a cancel)
    cached: int  # answered from the cache
    usage: UsageJson
    text: str


@attrs.define
class UsageResult:
    total: UsageJson
    text: str
    tasks: list[TaskUsage]
    completion: CompletionUsage | None = None


@attrs.define
class SessionItem:
    id: str
    title: str
    created: float
    messages: int
    usage: UsageJson


@attrs.define
class Reindexed:
    files: int


# --- notifications -----------------------------------------------------------------------


@attrs.define
class TaskEvent:
    """$/glm/task: a task started (`running`) or ended (`done`, `failed`, `cancelled`)."""

    task: str
    state: str
    title: str
    message: str

    @classmethod
    def of(cls, record: TaskRecord) -> TaskEvent:
        return cls(record.id, record.state, record.title, record.message)


@attrs.define
class PreviewFile:
    """One file of a proposal, before and after (null: created or deleted)."""

    uri: str
    path: str
    old: str | None
    new: str | None


@attrs.define
class PreviewHunk:
    """One hunk of a preview: `line` is where its `@@` (or, for a whole file created,
    deleted or renamed, its `diff --git`) is in the diff; `start`/`end` are its 0-based
    lines [start, end) in the new file."""

    id: str
    uri: str
    path: str
    line: int
    start: int
    end: int
    whole: bool


@attrs.define
class PreviewEvent:
    """$/glm/preview: a proposed edit waiting for glm.accept or glm.reject."""

    task: str
    token: str
    diff: str
    summary: str
    files: list[PreviewFile]
    failed: list[str] = attrs.field(factory=list)  # edits the model tried and did not make
    hunks: list[PreviewHunk] = attrs.field(factory=list)


@attrs.define
class ChatEvent:
    """$/glm/chat: a piece of an answer; kind is content, reasoning, tool, error or done."""

    session: str
    task: str
    kind: str
    text: str
