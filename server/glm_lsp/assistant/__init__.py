"""The assistant core, and the one import the faces (CLI, LSP, ACP) need from the core.

    assistant = Assistant(settings)
    async for event in assistant.edit(EditRequest(root, "app/main.py", "use f-strings")):
        ...  # Progress, ToolActivity, ProposedChange, UsageReport, then Done/Failed/Cancelled
    await assistant.aclose()

Besides the assistant and its events, this re-exports the few core names a face needs to
encode results (file changes, minimal text changes, the code action specs), so no face
reaches into context/, providers/ or edits/ itself.
"""

from glm_lsp.agent import actions
from glm_lsp.agent.mcp import Decision, McpCall
from glm_lsp.agent.prompts import DEFAULT_INSTRUCTION
from glm_lsp.agent.unfinished import partial_message
from glm_lsp.assistant.core import Assistant, ProviderCheck
from glm_lsp.assistant.disk import rebased_on_disk, write_changes
from glm_lsp.assistant.events import (
    AskRequest,
    Buffers,
    Cancelled,
    ChatRequest,
    ContextReady,
    ContextRequest,
    DiffRequest,
    Done,
    EditRequest,
    Event,
    Failed,
    LineSpan,
    Notice,
    Progress,
    ProposedChange,
    Reasoning,
    ReviseRequest,
    Text,
    ToolActivity,
    UsageReport,
)
from glm_lsp.assistant.tasks import Cancellation, TaskRecord, Tasks, current
from glm_lsp.context.rules import ProjectRules
from glm_lsp.context.secrets import is_secret_path, redact_secrets
from glm_lsp.edits.diff import unified_diff_many
from glm_lsp.edits.hunks import Hunk, hunks_of, select, step, with_diff_lines
from glm_lsp.edits.overlay import FileChange
from glm_lsp.edits.textedits import minimal_changes
from glm_lsp.providers.types import Message, Usage
from glm_lsp.store import SessionInfo
from glm_lsp.workspace import find_root

__all__ = [
    "Hunk",
    "ProjectRules",
    "hunks_of",
    "select",
    "step",
    "unified_diff_many",
    "with_diff_lines",
    "DEFAULT_INSTRUCTION",
    "Decision",
    "McpCall",
    "AskRequest",
    "Assistant",
    "Buffers",
    "Cancellation",
    "Cancelled",
    "ChatRequest",
    "ContextReady",
    "ContextRequest",
    "DiffRequest",
    "Done",
    "EditRequest",
    "Event",
    "Failed",
    "FileChange",
    "LineSpan",
    "Notice",
    "Message",
    "Progress",
    "ProposedChange",
    "ProviderCheck",
    "Reasoning",
    "ReviseRequest",
    "SessionInfo",
    "TaskRecord",
    "Tasks",
    "Text",
    "ToolActivity",
    "Usage",
    "UsageReport",
    "actions",
    "current",
    "find_root",
    "is_secret_path",
    "minimal_changes",
    "partial_message",
    "rebased_on_disk",
    "redact_secrets",
    "unified_diff_many",
    "write_changes",
]
