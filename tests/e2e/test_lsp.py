"""The language server over stdio, driven by pytest-lsp as VS Code and as Neovim 0.11."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from helpers import child_env, make_repo
from provider_server import ProviderServer, Turn, prompt_text

MAIN = "import os\n\n\ndef greet(name):\n    print('hi ' + name)\n"
EMOJI = "# 😀 spaß 漢字\ns = 1\nprint('😀漢', s)"  # no final newline: the last range ends mid-line


class Session:
    """A client connected to a real glm-lsp process, plus its workspace and provider."""

    def __init__(
        self, client: LanguageClient, root: Path, provider: ProviderServer, editor: str
    ) -> None:
        self.client, self.root, self.provider, self.editor = client, root, provider, editor
        self.applied: list[types.ApplyWorkspaceEditParams] = []  # workspace/applyEdit received
        self.previews: list[Any] = []  # $/glm/preview notifications received
        self.tasks: list[Any] = []  # $/glm/task notifications received
        self.chats: list[Any] = []  # $/glm/chat notifications received
        self.registrations: list[Any] = []  # client/(un)registerCapability params received
        self.capabilities = types.ServerCapabilities()  # what initialize advertised

    async def command(self, name: str, **arg: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=[arg])
        )

    async def until(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        for _ in range(int(timeout / 0.05)):
            if predicate():
                return
            await asyncio.sleep(0.05)
        raise AssertionError("timed out waiting")

    def progress_ended(self, token: str) -> bool:
        reports = self.client.progress_reports.get(token) or [None]
        return isinstance(reports[-1], types.WorkDoneProgressEnd)

    def json(self, value: Any) -> Any:
        """The value as it travelled on the wire."""
        return self.client.protocol._converter.unstructure(value)

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel)) or ""

    def open(self, rel: str) -> str:
        uri = self.uri(rel)
        text = (self.root / rel).read_text(encoding="utf-8")
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        return uri

    async def actions(
        self, uri: str, start: int, end: int, diagnostics: list[types.Diagnostic] | None = None
    ) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(
                    start=types.Position(line=start, character=0),
                    end=types.Position(line=end, character=0),
                ),
                context=types.CodeActionContext(diagnostics=diagnostics or []),
            )
        )
        assert result is not None
        return [a for a in result if isinstance(a, types.CodeAction)]


def _fix_code_action_hook(client: LanguageClient) -> None:
    """lsprotocol 2025.0.0 turns any CodeAction with a command into a Command (TOOLCHAIN §2)."""
    converter = client.protocol._converter

    def structure(obj: Any, _: Any) -> Any:
        kind = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
        return converter.structure(obj, kind)

    converter.register_structure_hook(types.Command | types.CodeAction, structure)


async def connect(
    editor: str,
    provider: ProviderServer,
    root: Path,
    *,
    init_options: Any = None,
    configuration: Any = None,
    capabilities: types.ClientCapabilities | None = None,
) -> Session:
    """Start the real server process and initialize it as `editor` would (with other
    `capabilities`, when given)."""
    config = ClientServerConfig(
        # vscode-languageclient adds --stdio to the command line; stdio is the default anyway
        server_command=[sys.executable, "-m", "glm_lsp", "serve"]
        + (["--stdio"] if editor == "visual-studio-code" else []),
        server_env=child_env(provider.env()),
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    _fix_code_action_hook(client)
    applied: list[types.ApplyWorkspaceEditParams] = []
    previews: list[Any] = []
    tasks: list[Any] = []
    chats: list[Any] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature("$/glm/preview")
    def preview(params: Any) -> None:
        previews.append(params)

    @client.feature("$/glm/task")
    def task(params: Any) -> None:
        tasks.append(params)

    @client.feature("$/glm/chat")
    def chat(params: Any) -> None:
        chats.append(params)

    registrations: list[Any] = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        registrations.append(params)

    @client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def unregister(params: types.UnregistrationParams) -> None:
        registrations.append(params)

    if configuration is not None:
        client.set_configuration(configuration)
    root_uri = from_fs_path(str(root)) or ""
    initialized = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities or client_capabilities(editor),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="ws")],
            initialization_options=init_options,
        )
    )
    session = Session(client, root, provider, editor)
    session.applied, session.previews, session.tasks = applied, previews, tasks
    session.chats, session.registrations = chats, registrations
    session.capabilities = initialized.capabilities
    return session


async def disconnect(session: Session) -> None:
    await session.client.shutdown_session()
    await session.client.stop()


@pytest_asyncio.fixture(params=["visual-studio-code", "neovim"])
async def lsp(
    request: pytest.FixtureRequest,
    provider_server: Callable[..., ProviderServer],
    tmp_path: Path,
) -> AsyncIterator[Session]:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN, "app/emoji.py": EMOJI})
    session = await connect(request.param, provider, root)
    yield session
    await disconnect(session)


def edit_turn(path: str, old: str, new: str) -> list[Turn]:
    return [
        Turn(
            reasoning="Checking.",
            tool_calls=[("edit_file", {"path": path, "old_string": old, "new_string": new})],
        ),
        Turn(content="Done."),
    ]


async def test_listing_actions_never_calls_the_model(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    actions = await lsp.actions(uri, 3, 5)
    assert [a.title for a in actions] == [
        "GLM: Edit selection…",
        "GLM: Add documentation",
        "GLM: Simplify",
        "GLM: Write tests",
        "GLM: Explain",
    ]
    assert all(a.edit is None for a in actions)
    explain = actions[-1]
    assert explain.kind == "" and explain.command is not None
    assert explain.command.command == "glm.chat"
    assert lsp.provider.requests == []


async def test_resolve_returns_the_exact_versioned_edit(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')"))
    action = (await lsp.actions(uri, 3, 5))[0]
    resolved = await lsp.client.code_action_resolve_async(action)
    assert lsp.json(resolved.edit) == {
        "documentChanges": [
            {
                "textDocument": {"uri": uri, "version": 1},
                "edits": [
                    {
                        "range": {
                            "start": {"line": 4, "character": 0},
                            "end": {"line": 5, "character": 0},
                        },
                        "newText": "    print(f'hi {name}')\n",
                    }
                ],
            }
        ]
    }
    prompt = lsp.provider.requests[0].body["messages"][1]["content"]
    assert "## Selection: lines 4-5 of app/main.py (inside function greet, lines 4-5)" in prompt
    assert len(lsp.provider.requests) == 2


async def test_open_buffer_wins_over_disk(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(text=MAIN.replace("hi ", "hello "))
            ],
        )
    )
    lsp.provider.script(*edit_turn("app/main.py", "'hello '", "'Hello, '"))
    action = (await lsp.actions(uri, 4, 5))[0]
    resolved = await lsp.client.code_action_resolve_async(action)
    assert resolved.edit is not None and resolved.edit.document_changes is not None
    (change,) = resolved.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.version == 2
    assert [e.new_text for e in change.edits] == ["    print('Hello, ' + name)\n"]


async def test_emoji_and_cjk_ranges_use_the_negotiated_encoding(lsp: Session) -> None:
    uri = lsp.open("app/emoji.py")
    lsp.provider.script(*edit_turn("app/emoji.py", "print('😀漢', s)", "print('😀漢', s * 2)"))
    action = (await lsp.actions(uri, 2, 2))[0]
    resolved = await lsp.client.code_action_resolve_async(action)
    assert resolved.edit is not None and resolved.edit.document_changes is not None
    (change,) = resolved.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    # The last line has no newline, so the range ends inside it: after 15 UTF-16 code units
    # (the emoji is a surrogate pair) for VS Code, after 19 bytes for Neovim 0.11, which
    # offers UTF-8 and gets it.
    end = {"visual-studio-code": 15, "neovim": 19}[lsp.editor]
    assert lsp.json(change.edits) == [
        {
            "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": end}},
            "newText": "print('😀漢', s * 2)",
        }
    ]


async def test_provider_failure_is_one_message_without_the_key(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.key = "a-different-key-987654"  # the server now rejects the client's key
    action = (await lsp.actions(uri, 3, 5))[0]
    with pytest.raises(Exception) as raised:
        await lsp.client.code_action_resolve_async(action)
    assert "Hyperstack rejected the API key (401)" in str(raised.value)
    await asyncio.sleep(0.1)
    shown = [m.message for m in lsp.client.messages if m.type == types.MessageType.Error]
    assert len(shown) == 1 and shown[0].startswith("GLM: Hyperstack rejected the API key (401)")
    logs = " ".join(m.message for m in lsp.client.log_messages) + " ".join(shown)
    assert lsp.provider.env()["HYPERSTACK_API_KEY"] not in logs


async def _resolve_while_typing(lsp: Session, typed: str) -> Any:
    """Resolve the edit action while the user replaces the document with `typed`."""
    uri = lsp.open("app/main.py")
    turns = edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')")
    turns[0].fault, turns[0].delay = "slow_first_byte", 1.0
    lsp.provider.script(*turns)
    action = (await lsp.actions(uri, 3, 5))[0]
    pending = asyncio.ensure_future(lsp.client.code_action_resolve_async(action))
    await asyncio.sleep(0.3)
    lsp.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed)],
        )
    )
    return await pending


async def test_typing_elsewhere_meanwhile_rebases_the_edit(lsp: Session) -> None:
    resolved = await _resolve_while_typing(lsp, "import sys\n" + MAIN)  # one line above
    assert lsp.json(resolved.edit) == {
        "documentChanges": [
            {
                "textDocument": {"uri": lsp.uri("app/main.py"), "version": 2},
                "edits": [
                    {
                        "range": {
                            "start": {"line": 5, "character": 0},
                            "end": {"line": 6, "character": 0},
                        },
                        "newText": "    print(f'hi {name}')\n",
                    }
                ],
            }
        ]
    }


async def test_typing_on_the_same_lines_meanwhile_refuses_the_edit(lsp: Session) -> None:
    with pytest.raises(Exception) as raised:
        await _resolve_while_typing(lsp, MAIN.replace("'hi '", "'hello '"))
    message = str(raised.value)
    assert "app/main.py: line 5 changed both in the editor and in the proposed edit." in message
    shown = [m.message for m in lsp.client.messages if m.type == types.MessageType.Error]
    assert len(shown) == 1 and "app/main.py: line 5 changed" in shown[0]


async def test_settings_from_init_options_and_workspace_configuration(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    session = await connect(
        "visual-studio-code",
        provider,
        root,
        init_options={"maxTokens": 1234, "reasoningEffort": "high"},
        configuration={"glm": {"reasoningEffort": "none", "colour": "blue"}},
    )
    try:
        uri = session.open("app/main.py")
        provider.script(Turn(content="Nothing to change."))
        action = (await session.actions(uri, 0, 1))[0]
        resolved = await session.client.code_action_resolve_async(action)
        assert lsp_edit_is_empty(resolved)
        body = provider.requests[0].body
        assert (body["max_tokens"], body["reasoning_effort"]) == (1234, "none")
        warnings = [
            m.message for m in session.client.messages if m.type == types.MessageType.Warning
        ]
        assert warnings == ["GLM: workspace configuration: unknown setting 'colour' was ignored."]
    finally:
        await disconnect(session)


def lsp_edit_is_empty(action: types.CodeAction) -> bool:
    return action.edit is not None and not action.edit.document_changes


async def test_a_multi_file_session_becomes_one_workspace_edit(lsp: Session) -> None:
    (lsp.root / "app/util.py").write_text("def helper():\n    return 1\n")
    (lsp.root / "docs").mkdir()
    (lsp.root / "docs/old.md").write_text("# Notes\n")
    uri = lsp.open("app/main.py")
    lsp.provider.script(
        Turn(tool_calls=[("read_file", {"path": "app/util.py"})]),
        Turn(tool_calls=[("search", {"pattern": "def helper"})]),
        Turn(
            tool_calls=[
                (
                    "edit_file",
                    {"path": "app/main.py", "old_string": "import os\n", "new_string": ""},
                ),
                ("create_file", {"path": "app/extra.py", "content": "VALUE = 2\n"}),
            ]
        ),
        Turn(tool_calls=[("rename_file", {"path": "docs/old.md", "new_path": "docs/notes.md"})]),
        Turn(tool_calls=[("delete_file", {"path": "app/util.py"})]),
        Turn(content="Reorganised the package."),
    )
    action = (await lsp.actions(uri, 0, 1))[0]
    resolved = await lsp.client.code_action_resolve_async(action)
    search_answer = lsp.provider.requests[2].body["messages"][-1]["content"]
    assert search_answer == "app/util.py:1: def helper():"

    def file_uri(rel: str) -> str:
        return lsp.uri(rel)

    assert lsp.json(resolved.edit) == {
        "documentChanges": [
            {"kind": "create", "uri": file_uri("app/extra.py")},
            {
                "textDocument": {"uri": file_uri("app/extra.py"), "version": None},
                "edits": [
                    {
                        "range": {
                            "start": {"line": 0, "character": 0},
                            "end": {"line": 0, "character": 0},
                        },
                        "newText": "VALUE = 2\n",
                    }
                ],
            },
            {
                "textDocument": {"uri": uri, "version": 1},
                "edits": [
                    {
                        "range": {
                            "start": {"line": 0, "character": 0},
                            "end": {"line": 1, "character": 0},
                        },
                        "newText": "",
                    }
                ],
            },
            {"kind": "delete", "uri": file_uri("app/util.py")},
            {
                "kind": "rename",
                "oldUri": file_uri("docs/old.md"),
                "newUri": file_uri("docs/notes.md"),
            },
        ]
    }
    assert (lsp.root / "app/util.py").exists()  # the server never writes: the editor applies


async def test_cancelling_mid_loop_changes_nothing(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(
        Turn(
            tool_calls=[
                (
                    "edit_file",
                    {"path": "app/main.py", "old_string": "import os\n", "new_string": ""},
                )
            ]
        ),
        Turn(content="still thinking", fault="hang"),
    )
    action = (await lsp.actions(uri, 0, 1))[0]
    pending = asyncio.ensure_future(
        lsp.client.protocol.send_request_async("codeAction/resolve", action, msg_id="resolve-1")
    )
    for _ in range(100):  # wait until the second model request is streaming
        if len(lsp.provider.requests) == 2:
            break
        await asyncio.sleep(0.05)
    lsp.client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="resolve-1"))
    with pytest.raises(Exception) as raised:
        await pending
    assert "cancel" in str(raised.value).lower()
    assert await asyncio.to_thread(lsp.provider.wait_for_disconnect, 5.0)
    assert (lsp.root / "app/main.py").read_text() == MAIN


async def test_a_diagnostic_becomes_a_quick_fix_that_sends_it(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    diagnostic = types.Diagnostic(
        range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=9)
        ),
        message="'os' imported but unused",
        code="F401",
        source="ruff",
    )
    actions = await lsp.actions(uri, 0, 1, [diagnostic])
    assert actions[0].title == "GLM: Fix: 'os' imported but unused"
    assert actions[0].kind == types.CodeActionKind.QuickFix
    assert lsp.provider.requests == []
    lsp.provider.script(*edit_turn("app/main.py", "import os\n\n\n", ""))
    resolved = await lsp.client.code_action_resolve_async(actions[0])
    assert resolved.edit is not None
    prompt = lsp.provider.requests[0].body["messages"][1]["content"]
    assert prompt.endswith(
        "## Instruction\nFix this problem reported by ruff (F401) at line 1: 'os' imported but "
        "unused. Change only what the fix needs."
    )


async def test_a_glm_comment_is_an_instruction_and_goes_away(lsp: Session) -> None:
    (lsp.root / "app/todo.py").write_text(
        "# glm: make greet return the text\ndef greet(name):\n    print(name)\n"
    )
    uri = lsp.open("app/todo.py")
    actions = await lsp.actions(uri, 1, 1)
    assert [a.title for a in actions][:2] == [
        "GLM: Do what the glm: comment says",
        "GLM: Edit selection…",
    ]
    lsp.provider.script(*edit_turn("app/todo.py", "    print(name)", "    return name"))
    resolved = await lsp.client.code_action_resolve_async(actions[0])
    prompt = lsp.provider.requests[0].body["messages"][1]["content"]
    assert (
        "## Instruction\nmake greet return the text\n(This instruction was written in the comment"
        in prompt
    )
    assert lsp.json(resolved.edit)["documentChanges"][0]["edits"] == [
        {
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
            "newText": "",
        },
        {
            "range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}},
            "newText": "    return name\n",
        },
    ]


EDIT_MAIN = [
    {
        "range": {"start": {"line": 4, "character": 0}, "end": {"line": 5, "character": 0}},
        "newText": "    print(f'hi {name}')\n",
    }
]


def _range(start: int, end: int) -> dict[str, Any]:
    return {"start": {"line": start, "character": 0}, "end": {"line": end, "character": 0}}


async def test_glm_edit_runs_as_a_task_and_applies_through_the_editor(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')"))
    result = await lsp.command(
        "glm.edit", uri=uri, range=_range(3, 5), instruction="use an f-string"
    )
    task = result["task"]
    await lsp.until(lambda: bool(lsp.applied))
    (applied,) = lsp.applied
    assert applied.label == "GLM: use an f-string"
    sent = lsp.json(applied.edit)
    if lsp.editor == "visual-studio-code":  # it honours change annotations: review first
        assert sent["changeAnnotations"] == {
            "glm": {
                "label": "GLM: use an f-string",
                "needsConfirmation": True,
                "description": "Done.",
            }
        }
        assert sent["documentChanges"][0]["edits"] == [
            {**e, "annotationId": "glm"} for e in EDIT_MAIN
        ]
    else:
        assert "changeAnnotations" not in sent
        assert sent["documentChanges"][0]["edits"] == EDIT_MAIN
    await lsp.until(lambda: lsp.progress_ended(task))
    reports = lsp.client.progress_reports[task]
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable is True
    assert reports[0].title == "GLM: editing main.py"
    assert [r.message for r in reports[1:3]] == [
        "gathering context",
        "asking zai-org/GLM-5.2 (step 1, 0 tokens)",
    ]
    assert reports[-1].message is not None and " prompt (0 cached), " in reports[-1].message
    assert reports[-2].message == "applying"
    logged = [m.message for m in lsp.client.log_messages if m.message.startswith("GLM edit of")]
    assert logged == [f"GLM edit of main.py: {reports[-1].message}"]
    await lsp.until(lambda: len(lsp.tasks) == 2)  # the task ends just after its progress
    usage = await lsp.command("glm.usage")
    assert usage["total"]["prompt_tokens"] > 0
    assert usage["text"] == reports[-1].message  # the one edit is the whole session so far
    assert [(t["task"], t["title"], t["state"], t["text"]) for t in usage["tasks"]] == [
        (task, "GLM: editing main.py", "done", reports[-1].message)
    ]
    await lsp.until(lambda: len(lsp.tasks) == 2)
    assert [(t.task, t.state, t.title) for t in lsp.tasks] == [
        (task, "running", "GLM: editing main.py"),
        (task, "done", "GLM: editing main.py"),
    ]
    assert lsp.tasks[-1].message == reports[-1].message


async def test_glm_edit_preview_then_accept(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')"))
    result = await lsp.command(
        "glm.edit", uri=uri, range=_range(3, 5), instruction="x", preview=True
    )
    await lsp.until(lambda: bool(lsp.previews))
    (preview,) = lsp.previews
    assert preview.task == result["task"]
    assert preview.diff == (
        "diff --git a/app/main.py b/app/main.py\n--- a/app/main.py\n+++ b/app/main.py\n"
        "@@ -2,4 +2,4 @@\n \n \n def greet(name):\n-    print('hi ' + name)\n"
        "+    print(f'hi {name}')\n"
    )
    assert [(f.uri, f.path, f.old) for f in preview.files] == [(uri, "app/main.py", MAIN)]
    assert preview.files[0].new == MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")
    await lsp.until(lambda: bool(lsp.client.shown_documents))
    (shown,) = lsp.client.shown_documents  # the diff, opened where the editor can
    assert shown.uri.endswith(f"/{preview.token}.diff") and shown.take_focus is True
    assert Path(to_fs_path(shown.uri) or "").read_text() == preview.diff
    assert lsp.applied == []  # nothing lands before the user accepts
    accepted = await lsp.command("glm.accept", token=preview.token)
    assert accepted == {"applied": True}
    assert lsp.json(lsp.applied[0].edit)["documentChanges"][0]["edits"] == EDIT_MAIN
    assert not Path(to_fs_path(shown.uri) or "").exists()


async def test_glm_edit_preview_then_reject(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')"))
    await lsp.command("glm.edit", uri=uri, instruction="x", preview=True, show=False)
    await lsp.until(lambda: bool(lsp.previews))
    assert lsp.client.shown_documents == []  # a plugin that renders the preview itself
    token = lsp.previews[0].token
    assert await lsp.command("glm.reject", token=token) == {"rejected": True}
    with pytest.raises(Exception) as raised:
        await lsp.command("glm.accept", token=token)
    assert "That proposed edit is no longer available; ask again." in str(raised.value)
    assert lsp.applied == []


async def test_glm_apply_diff(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    diff = "--- a/app/main.py\n+++ b/app/main.py\n@@ @@\n def greet(name):\n-    print('hi ' + name)\n+    print(f'hi {name}')\n"
    assert await lsp.command("glm.applyDiff", diff=diff) == {"applied": True}
    (applied,) = lsp.applied
    assert lsp.json(applied.edit)["documentChanges"] == [
        {"textDocument": {"uri": uri, "version": 1}, "edits": EDIT_MAIN}
    ]
    with pytest.raises(Exception) as raised:
        await lsp.command("glm.applyDiff", diff=diff.replace("greet", "wave"))
    assert "app/main.py" in str(raised.value)


async def test_glm_cancel_stops_the_model_and_changes_nothing(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(Turn(content="thinking", fault="hang"))
    task = (await lsp.command("glm.edit", uri=uri, instruction="x"))["task"]
    await lsp.until(lambda: len(lsp.provider.requests) == 1)
    assert await lsp.command("glm.cancel", task=task) == {"cancelled": [task]}
    assert await asyncio.to_thread(lsp.provider.wait_for_disconnect, 5.0)
    await lsp.until(lambda: lsp.progress_ended(task))
    assert lsp.client.progress_reports[task][-1].message == "cancelled"
    assert lsp.applied == []


async def test_cancelling_from_the_progress_ui(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(Turn(content="thinking", fault="hang"))
    task = (await lsp.command("glm.edit", uri=uri, instruction="x"))["task"]
    await lsp.until(lambda: len(lsp.provider.requests) == 1)
    lsp.client.protocol.notify(
        types.WINDOW_WORK_DONE_PROGRESS_CANCEL, types.WorkDoneProgressCancelParams(token=task)
    )
    assert await asyncio.to_thread(lsp.provider.wait_for_disconnect, 5.0)
    assert lsp.applied == []


async def test_glm_reindex(lsp: Session) -> None:
    lsp.open("app/main.py")
    await asyncio.sleep(0.5)  # the warm-up indexing after initialized
    assert await lsp.command("glm.reindex") == {"files": 2}


async def test_chat_streams_and_a_session_continues_after_a_restart(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    """Each turn re-sends the previous one byte for byte (the context stays right after the
    system prompt; the conversation and any update follow), even across a restart, with one
    x-session-affinity value per session, so Cloudflare's prefix cache serves it."""
    provider = provider_server("cloudflare", prefix_cache=True)
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})

    first = await connect("neovim", provider, root)
    chats = first.chats
    uri = first.open("app/main.py")
    provider.script(Turn(reasoning="Looking at greet.", content="greet prints a greeting."))
    started = await first.command(
        "glm.chat", message="What does greet do?", uri=uri, range=_range(3, 5)
    )
    await first.until(lambda: any(c.kind == "done" for c in chats))
    streamed = "".join(c.text for c in chats if c.kind == "content")
    assert streamed == "greet prints a greeting."
    assert "".join(c.text for c in chats if c.kind == "reasoning") == "Looking at greet."
    assert chats[-1].kind == "done" and chats[-1].text == "greet prints a greeting."
    assert {c.session for c in chats} == {started["session"]}
    system, context, question = provider.requests[0].body["messages"]
    assert system["role"] == "system" and context["role"] == question["role"] == "user"
    assert "## Selection: lines 4-5 of app/main.py" in context["content"]
    assert "What does greet do?" not in context["content"]  # the context outlives the question
    assert question["content"] == "What does greet do?"
    await disconnect(first)

    second = await connect(
        "neovim", provider, root
    )  # a new server process: the session comes back from SQLite
    chats = second.chats
    listed = await second.command("glm.sessions")
    assert [(s["id"], s["title"], s["messages"]) for s in listed] == [
        (started["session"], "What does greet do?", 2)
    ]
    provider.script(Turn(content="It takes a name."))
    await second.command("glm.chat", message="And its argument?", session=started["session"])
    await second.until(lambda: any(c.kind == "done" for c in chats))
    sent = provider.requests[1].body["messages"]
    assert [(m["role"], m["content"]) for m in sent[1:]] == [
        ("user", context["content"]),
        ("user", "What does greet do?"),
        ("assistant", "greet prints a greeting."),
        ("user", "And its argument?"),
    ]
    uri = second.open("app/main.py")
    provider.script(Turn(content="It prints."))
    await second.command(
        "glm.chat",
        message="And this line?",
        session=started["session"],
        uri=uri,
        range=_range(4, 5),
    )
    await second.until(lambda: [c.kind for c in chats].count("done") == 2)
    third = provider.requests[2].body["messages"]
    assert [m["content"] for m in third[len(sent) :]] == [
        "It takes a name.",
        "## Selection now: line 5 of app/main.py\n```\n    print('hi ' + name)\n```",
        "And this line?",
    ]
    for before, after in zip(provider.requests, provider.requests[1:], strict=False):
        earlier = prompt_text(before.body)
        assert prompt_text(after.body)[: len(earlier)] == earlier  # a byte prefix
    affinity = {r.headers.get("x-session-affinity") for r in provider.requests}
    assert len(affinity) == 1 and None not in affinity and started["session"] not in affinity
    usage = await second.command("glm.usage")
    assert 0 < usage["total"]["cached_tokens"] < usage["total"]["prompt_tokens"]
    assert usage["total"]["saved"] > 0 and "the cache saved $" in usage["text"]
    with pytest.raises(Exception) as raised:
        await second.command("glm.chat", message="x", session="nope")
    assert "There is no chat session nope in this workspace." in str(raised.value)
    await disconnect(second)


async def test_chat_looks_things_up_with_read_only_tools(lsp: Session) -> None:
    lsp.provider.script(
        Turn(
            tool_calls=[
                ("read_file", {"path": "app/main.py"}),
                ("delete_file", {"path": "app/main.py"}),
            ]
        ),
        Turn(content="greet prints a greeting."),
    )
    started = await lsp.command("glm.chat", message="What does greet do?")
    await lsp.until(lambda: any(c.kind == "done" for c in lsp.chats))
    assert [c.text for c in lsp.chats if c.kind == "tool"] == [
        "read_file app/main.py",
        "delete_file app/main.py",
    ]
    assert lsp.chats[-1].text == "greet prints a greeting."
    assert {c.kind for c in lsp.chats} == {"tool", "content", "done"}
    offered = {t["function"]["name"] for t in lsp.provider.requests[0].body["tools"]}
    assert offered == {"read_file", "list_files", "search", "find_symbol"}
    results = [m for m in lsp.provider.requests[1].body["messages"] if m["role"] == "tool"]
    assert "print('hi ' + name)" in results[0]["content"]
    assert results[1]["content"] == (
        "Error: delete_file is not available in chat; chat does not change files."
    )
    assert (lsp.root / "app/main.py").read_text() == MAIN
    reports = lsp.client.progress_reports[started["task"]]
    assert "read_file app/main.py" in [r.message for r in reports[1:-1]]
    await lsp.until(lambda: isinstance(reports[-1], types.WorkDoneProgressEnd))
    assert reports[-1].message is not None and " prompt (0 cached), " in reports[-1].message
    (listed,) = await lsp.command("glm.sessions")
    assert listed["messages"] == 5  # question, tool calls, two results, answer


@pytest.mark.parametrize("editor", ["neovim", "emacs"])
async def test_explain_opens_the_answer_or_shows_it(
    editor: str, provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    session = await connect(editor, provider, root)
    try:
        uri = session.open("app/main.py")
        explain = (await session.actions(uri, 3, 5))[-1]
        assert explain.title == "GLM: Explain" and explain.command is not None
        provider.script(Turn(content="`greet` prints a greeting."))
        await session.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=explain.command.command, arguments=explain.command.arguments
            )
        )
        await session.until(lambda: any(t.state == "done" for t in session.tasks))
        *_, context, question = provider.requests[-1].body["messages"]
        assert "## Selection: lines 4-5 of app/main.py" in context["content"]
        assert question["content"].startswith("Explain what the selected code does")
        if editor == "neovim":  # it opens documents: the answer as Markdown
            (shown,) = session.client.shown_documents
            assert shown.uri.endswith(".md")
            assert Path(to_fs_path(shown.uri) or "").read_text() == "`greet` prints a greeting."
        else:
            assert [m.message for m in session.client.messages] == ["`greet` prints a greeting."]
    finally:
        await disconnect(session)


async def test_a_client_without_resolve_gets_commands(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    emacs = await connect("emacs", provider, root)
    try:
        uri = emacs.open("app/main.py")
        actions = await emacs.actions(uri, 3, 5)
        first = actions[0]
        assert first.title == "GLM: Edit selection…" and first.data is None
        assert first.command is not None and first.command.command == "glm.edit"
        provider.script(*edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')"))
        await emacs.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="glm.edit", arguments=first.command.arguments)
        )
        await emacs.until(lambda: bool(emacs.applied))
        changes = emacs.json(emacs.applied[0].edit)["documentChanges"]
        assert changes[0]["textDocument"] == {"uri": uri, "version": 1}
        assert changes[0]["edits"][0]["newText"] == "    print(f'hi {name}')\n"
    finally:
        await disconnect(emacs)


async def test_two_tasks_at_once_and_a_storm_of_changes(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(
        Turn(content="a", fault="slow_first_byte", delay=1.0),
        Turn(content="b", fault="slow_first_byte", delay=1.0),
    )
    tasks = [
        (await lsp.command("glm.edit", uri=uri, instruction="one"))["task"],
        (await lsp.command("glm.edit", uri=uri, instruction="two"))["task"],
    ]
    assert tasks[0] != tasks[1]
    text = MAIN
    for version in range(2, 1002):  # 1,000 edits while both tasks wait on the model
        text += "#"
        lsp.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    actions = await asyncio.wait_for(lsp.actions(uri, 0, 1), timeout=5)  # still answering
    assert actions[0].data is None or actions[0].data["version"] == 1001
    await lsp.until(lambda: all(lsp.progress_ended(t) for t in tasks))
    assert len(lsp.provider.requests) == 2


async def test_shutdown_during_a_task_replies_cleanly(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    session = await connect("visual-studio-code", provider, root)
    uri = session.open("app/main.py")
    provider.script(Turn(content="x", fault="hang"))
    (action,) = (await session.actions(uri, 0, 1))[:1]
    pending = asyncio.ensure_future(session.client.code_action_resolve_async(action))
    await session.until(lambda: len(provider.requests) == 1)
    await session.client.shutdown_session()  # raises if the shutdown reply is an error
    with pytest.raises(Exception) as raised:
        await pending
    assert "cancel" in str(raised.value).lower()
    await session.client.stop()
    assert await asyncio.to_thread(provider.wait_for_disconnect, 5.0)


async def test_rate_limited_after_retries_is_one_message(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*[Turn(fault="429", retry_after="0.05") for _ in range(4)])
    action = (await lsp.actions(uri, 0, 1))[0]
    with pytest.raises(Exception) as raised:
        await lsp.client.code_action_resolve_async(action)
    assert "Hyperstack is rate limiting requests (429) and still was after 3 retries" in str(
        raised.value
    )
    await lsp.until(lambda: any(m.type == types.MessageType.Error for m in lsp.client.messages))
    shown = [m.message for m in lsp.client.messages if m.type == types.MessageType.Error]
    assert len(shown) == 1 and shown[0].startswith(
        "GLM: Hyperstack is rate limiting requests (429)"
    )
    assert len(lsp.provider.requests) == 4


def half_done_turns() -> list[Turn]:
    """One edit that applies and one that does not, then the model stops."""
    good = {"path": "app/main.py", "old_string": "print('hi ' + name)", "new_string": "print(f'hi {name}')"}
    bad = {"path": "app/main.py", "old_string": "import sys", "new_string": "import sys, json"}
    return [Turn(tool_calls=[("edit_file", good), ("edit_file", bad)]), Turn(content="Done.")]


PARTIAL = (
    "The model stopped with 1 edit not made, so {}: edit_file app/main.py: old_string was "
    "not found in app/main.py; old_string must match the file exactly, including whitespace, "
    "indentation and blank lines."
)


async def test_a_partial_edit_names_what_failed_in_the_preview_and_the_task(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*half_done_turns())
    result = await lsp.command("glm.edit", uri=uri, instruction="x", preview=True, show=False)
    await lsp.until(lambda: bool(lsp.previews) and len(lsp.tasks) == 2)
    (preview,) = lsp.previews
    assert preview.failed == [PARTIAL.split(": ", 1)[1]]
    assert preview.files[0].new == MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")
    message = PARTIAL.format("the preview is incomplete")
    assert (lsp.tasks[-1].task, lsp.tasks[-1].state) == (result["task"], "done")
    assert lsp.tasks[-1].message == message
    warnings = [m.message for m in lsp.client.messages if m.type == types.MessageType.Warning]
    assert warnings == ["GLM: " + message]
    assert lsp.applied == []


async def test_a_partial_edit_without_preview_applies_nothing(lsp: Session) -> None:
    uri = lsp.open("app/main.py")
    lsp.provider.script(*half_done_turns())
    result = await lsp.command("glm.edit", uri=uri, instruction="x")
    await lsp.until(lambda: len(lsp.tasks) == 2)
    assert (lsp.tasks[-1].task, lsp.tasks[-1].state) == (result["task"], "failed")
    assert lsp.tasks[-1].message == PARTIAL.format("nothing was applied")
    assert lsp.applied == []
