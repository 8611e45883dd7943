"""LSP handlers are plain module-level functions: called here in process with a stand-in
server (a workspace with one open document and a client's capabilities), no subprocess."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from lsprotocol import types
from pygls.workspace import TextDocument

from glm_lsp.lsp import code_actions, commands
from glm_lsp.lsp import protocol as p

URI = "file:///ws/app/main.py"
TEXT = "import os\n\n# glm: make it loud\ndef greet(name):\n    print('hi ' + name)\n"


def fake_server(resolve: bool) -> Any:
    doc = TextDocument(URI, TEXT, version=7)
    code_action = types.CodeActionClientCapabilities(
        resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"] if resolve else [])
    )
    return SimpleNamespace(
        workspace=SimpleNamespace(get_text_document=lambda uri: doc, text_documents={URI: doc}),
        client_capabilities=types.ClientCapabilities(
            text_document=types.TextDocumentClientCapabilities(code_action=code_action)
        ),
    )


def params(line: int) -> types.CodeActionParams:
    at = types.Position(line=line, character=0)
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(start=at, end=at),
        context=types.CodeActionContext(diagnostics=[]),
    )


def test_code_actions_carry_typed_edit_args_pinned_to_the_version() -> None:
    found = code_actions.code_action(fake_server(resolve=True), params(3))
    assert [a.title for a in found][:2] == [
        "GLM: Do what the glm: comment says",
        "GLM: Edit selection…",
    ]
    args = p.from_wire(found[0].data, p.EditArgs)
    assert (args.uri, args.version, args.comment) == (URI, 7, "# glm: make it loud")
    assert args.instruction.startswith("make it loud\n")
    explain = found[-1]
    assert explain.command is not None and explain.command.command == p.CHAT
    chat = p.from_wire(explain.command.arguments[0], p.ChatArgs)
    assert (chat.uri, chat.show, chat.session) == (URI, True, "")


def test_a_client_without_resolve_gets_glm_edit_commands() -> None:
    first = code_actions.code_action(fake_server(resolve=False), params(0))[0]
    assert first.data is None and first.command is not None
    assert first.command.command == p.EDIT
    assert p.from_wire(first.command.arguments[0], p.EditArgs).version == 7


def test_glm_cancel_without_an_argument_cancels_everything() -> None:
    cancelled: list[str | None] = []
    tasks = SimpleNamespace(cancel=lambda task: cancelled.append(task) or ["glm-task-1"])
    server = SimpleNamespace(assistant=SimpleNamespace(tasks=tasks))
    assert commands.cancel(server) == p.CancelledTasks(["glm-task-1"])
    assert commands.cancel(server, p.CancelArgs("glm-task-2")).cancelled == ["glm-task-1"]
    assert cancelled == [None, "glm-task-2"]
