"""MCP tools from real MCP server processes, in an edit over LSP: the permission question,
a denial, a server that crashes mid-call, one that hangs and one that never starts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from test_lsp import MAIN, Session, connect, disconnect

from helpers import make_repo
from provider_server import ProviderServer, Turn

NOTES_SERVER = str(Path(__file__).resolve().parents[1] / "mcpservers" / "notes_server.py")
FIXED = MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")


def _servers(**extra: Any) -> dict[str, Any]:
    notes = {"command": sys.executable, "args": [NOTES_SERVER, "notes"], **extra}
    return {"mcpServers": {"notes": notes}, "mcpTimeout": 3}


def _script(provider: ProviderServer, tool: str, args: dict[str, Any]) -> None:
    provider.script(
        Turn(tool_calls=[(tool, args)]),
        Turn(
            tool_calls=[
                (
                    "edit_file",
                    {
                        "path": "app/main.py",
                        "old_string": "print('hi ' + name)",
                        "new_string": "print(f'hi {name}')",
                    },
                )
            ]
        ),
        Turn(content="Done."),
    )


async def _edit(
    provider_server: Callable[..., ProviderServer],
    tmp_path: Path,
    options: dict[str, Any],
    answer: str | None,
    tool: str,
    args: dict[str, Any],
) -> tuple[Session, list[types.ShowMessageRequestParams], str]:
    """Resolve an edit whose first step calls `tool`; returns the session, the questions
    asked and the tool result the model was sent."""
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    session = await connect("neovim", provider, root, init_options=options)
    asked: list[types.ShowMessageRequestParams] = []

    @session.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def question(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        asked.append(params)
        return types.MessageActionItem(title=answer) if answer else None

    try:
        uri = session.open("app/main.py")
        _script(provider, tool, args)
        action = (await session.actions(uri, 3, 5))[0]
        resolved = await session.client.code_action_resolve_async(action)
        assert resolved.edit is not None and resolved.edit.document_changes  # the task went on
        (change,) = resolved.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert [e.new_text for e in change.edits] == ["    print(f'hi {name}')\n"]
    finally:
        await disconnect(session)
    second = provider.requests[1].body["messages"]
    (result,) = [m["content"] for m in second if m["role"] == "tool"]
    return session, asked, result


async def test_an_allowed_mcp_tool_runs_in_an_edit(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    session, asked, result = await _edit(
        provider_server, tmp_path, _servers(), "Allow once", "notes__lookup", {"key": "style"}
    )
    assert result == "The team writes greetings as f-strings."
    (question,) = asked
    assert question.message == (
        'GLM wants to run the MCP tool notes__lookup with {"key": "style"}. Allow it?'
    )
    assert [a.title for a in question.actions or []] == ["Allow once", "Always", "Deny"]
    tools = {t["function"]["name"]: t for t in session.provider.requests[0].body["tools"]}
    lookup = tools["notes__lookup"]["function"]
    assert lookup["description"] == "Look up a team note by key."
    assert lookup["parameters"]["properties"]["key"]["type"] == "string"
    assert {"edit_file", "notes__crash", "notes__hang"} <= set(tools)


async def test_an_allow_listed_tool_runs_without_asking(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    _, asked, result = await _edit(
        provider_server,
        tmp_path,
        _servers(allow=["lookup"]),
        None,
        "notes__lookup",
        {"key": "owner"},
    )
    assert asked == [] and result == "Ada"


async def test_a_denied_tool_is_one_sentence_and_the_edit_goes_on(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    _, asked, result = await _edit(
        provider_server, tmp_path, _servers(), "Deny", "notes__lookup", {"key": "style"}
    )
    assert len(asked) == 1
    assert result == "Error: the user did not allow notes__lookup to run; do without it."


async def test_a_server_crashing_mid_call_is_one_sentence_and_the_edit_goes_on(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    session, _, result = await _edit(
        provider_server, tmp_path, _servers(allow=["*"]), None, "notes__crash", {}
    )
    sentence = "The MCP server 'notes' stopped during notes__crash."
    assert result == f"Error: {sentence} Its tools are unavailable for the rest of this task."
    warnings = [m.message for m in session.client.messages if m.type == types.MessageType.Warning]
    assert warnings == [f"GLM: {sentence}"]


async def test_a_hanging_server_and_a_missing_one(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    options = _servers(allow=["hang"])
    options["mcpServers"]["gone"] = {"command": str(tmp_path / "no-such-server")}
    session, _, result = await _edit(provider_server, tmp_path, options, None, "notes__hang", {})
    hung = "The MCP server 'notes' did not answer notes__hang within 3 s."
    assert result == f"Error: {hung} Its tools are unavailable for the rest of this task."
    warnings = [m.message for m in session.client.messages if m.type == types.MessageType.Warning]
    assert len(warnings) == 2 and warnings[1] == f"GLM: {hung}"
    assert warnings[0].startswith("GLM: The MCP server 'gone' did not start (")
    prompt = session.provider.requests[0].body["messages"][1]["content"]
    assert prompt.endswith(warnings[0].removeprefix("GLM: "))
