"""The assistant core, and the one import the faces (CLI, LSP, ACP) need from the core.

    assistant = Assistant(settings)
    async for event in assistant.edit(EditRequest(root, "app/main.py", "use f-strings")):
        ...  # Progress, ToolActivity, ProposedChange, UsageReport, then Done/Failed/Cancelled
    await assistant.aclose()

Besides the assistant and its events, this re-exports the few core names a face needs to
encode results (file changes, minimal text changes, the code action specs), so no face
reaches into context/, providers/ or edits/ itself.

The names load on first use (PEP 562), so a command that needs only the context engine
does not import the agent, MCP or the provider client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glm_lsp.agent import actions
    from glm_lsp.agent.mcp import Decision, McpCall
    from glm_lsp.agent.prompts import DEFAULT_INSTRUCTION
    from glm_lsp.agent.unfinished import partial_message
    from glm_lsp.assistant.contexts import context_now
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

_HOMES = {
    "actions": "glm_lsp.agent",
    "Decision": "glm_lsp.agent.mcp",
    "McpCall": "glm_lsp.agent.mcp",
    "DEFAULT_INSTRUCTION": "glm_lsp.agent.prompts",
    "partial_message": "glm_lsp.agent.unfinished",
    "context_now": "glm_lsp.assistant.contexts",
    "Assistant": "glm_lsp.assistant.core",
    "ProviderCheck": "glm_lsp.assistant.core",
    "rebased_on_disk": "glm_lsp.assistant.disk",
    "write_changes": "glm_lsp.assistant.disk",
    "AskRequest": "glm_lsp.assistant.events",
    "Buffers": "glm_lsp.assistant.events",
    "Cancelled": "glm_lsp.assistant.events",
    "ChatRequest": "glm_lsp.assistant.events",
    "ContextReady": "glm_lsp.assistant.events",
    "ContextRequest": "glm_lsp.assistant.events",
    "DiffRequest": "glm_lsp.assistant.events",
    "Done": "glm_lsp.assistant.events",
    "EditRequest": "glm_lsp.assistant.events",
    "Event": "glm_lsp.assistant.events",
    "Failed": "glm_lsp.assistant.events",
    "LineSpan": "glm_lsp.assistant.events",
    "Notice": "glm_lsp.assistant.events",
    "Progress": "glm_lsp.assistant.events",
    "ProposedChange": "glm_lsp.assistant.events",
    "Reasoning": "glm_lsp.assistant.events",
    "ReviseRequest": "glm_lsp.assistant.events",
    "Text": "glm_lsp.assistant.events",
    "ToolActivity": "glm_lsp.assistant.events",
    "UsageReport": "glm_lsp.assistant.events",
    "Cancellation": "glm_lsp.assistant.tasks",
    "TaskRecord": "glm_lsp.assistant.tasks",
    "Tasks": "glm_lsp.assistant.tasks",
    "current": "glm_lsp.assistant.tasks",
    "ProjectRules": "glm_lsp.context.rules",
    "is_secret_path": "glm_lsp.context.secrets",
    "redact_secrets": "glm_lsp.context.secrets",
    "unified_diff_many": "glm_lsp.edits.diff",
    "Hunk": "glm_lsp.edits.hunks",
    "hunks_of": "glm_lsp.edits.hunks",
    "select": "glm_lsp.edits.hunks",
    "step": "glm_lsp.edits.hunks",
    "with_diff_lines": "glm_lsp.edits.hunks",
    "FileChange": "glm_lsp.edits.overlay",
    "minimal_changes": "glm_lsp.edits.textedits",
    "Message": "glm_lsp.providers.types",
    "Usage": "glm_lsp.providers.types",
    "SessionInfo": "glm_lsp.store",
    "find_root": "glm_lsp.workspace",
}
"""The module each name comes from."""


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(home)
    try:
        value = getattr(module, name)
    except AttributeError:  # a submodule (actions) not imported yet
        value = importlib.import_module(f"{home}.{name}")
    globals()[name] = value  # later lookups skip this function
    return value


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
    "context_now",
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
