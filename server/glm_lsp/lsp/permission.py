"""Asking the user in the editor whether an MCP tool may run: `window/showMessageRequest`
with Allow once / Always / Deny, which every LSP client can show without a plugin."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lsprotocol import types

from glm_lsp.assistant import Decision, McpCall

if TYPE_CHECKING:
    from glm_lsp.lsp.server import GlmServer

CHOICES: dict[str, Decision] = {"Allow once": "once", "Always": "always", "Deny": "deny"}


def question(call: McpCall) -> str:
    arguments = json.dumps(call.arguments, ensure_ascii=False)
    if len(arguments) > 300:
        arguments = arguments[:300] + "…"
    return f"GLM wants to run the MCP tool {call.name} with {arguments}. Allow it?"


async def ask_permission(server: GlmServer, call: McpCall) -> Decision:
    """The user's answer; a dismissed question, or a client that cannot ask, is a no."""
    params = types.ShowMessageRequestParams(
        type=types.MessageType.Warning,
        message=question(call),
        actions=[types.MessageActionItem(title=title) for title in CHOICES],
    )
    try:
        answer = await server.window_show_message_request_async(params)
    except Exception:  # the client failed the request: treat it as a refusal
        return "deny"
    return CHOICES.get(answer.title, "deny") if answer is not None else "deny"
