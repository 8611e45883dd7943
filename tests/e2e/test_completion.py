"""Inline completion over stdio: ghost text only when enabled, never stale, capped in cost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from pytest_lsp import client_capabilities
from test_lsp import Session, connect, disconnect

from helpers import make_repo, run_cli
from provider_server import ProviderServer, Turn

MAIN = "import os\n\n\ndef greet(name):\n    print(\n"
ON = {"completion": {"enabled": True}}


def position(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def params(uri: str, line: int, character: int, automatic: bool = False) -> Any:
    kind = types.InlineCompletionTriggerKind
    return types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position(line, character),
        context=types.InlineCompletionContext(
            trigger_kind=kind.Automatic if automatic else kind.Invoked
        ),
    )


async def suggest(session: Session, uri: str, line: int, character: int) -> Any:
    result = await session.client.text_document_inline_completion_async(
        params(uri, line, character)
    )
    return session.json(result)


def type_text(session: Session, uri: str, version: int, line: int, col: int, text: str) -> None:
    at = types.Range(start=position(line, col), end=position(line, col))
    session.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(range=at, text=text)],
        )
    )


@pytest_asyncio.fixture
async def workspace(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "ws", {"app/main.py": MAIN})


@pytest_asyncio.fixture
async def enabled(
    provider_server: Callable[..., ProviderServer], workspace: Path
) -> AsyncIterator[Session]:
    """Neovim 0.11, which takes the capability at initialize (no dynamic registration)."""
    session = await connect("neovim", provider_server("hyperstack"), workspace, init_options=ON)
    yield session
    await disconnect(session)


async def test_off_by_default_nothing_is_advertised_or_sent(
    provider_server: Callable[..., ProviderServer], workspace: Path
) -> None:
    session = await connect("neovim", provider_server("hyperstack"), workspace)
    try:
        assert session.capabilities.inline_completion_provider is None
        uri = session.open("app/main.py")
        assert await suggest(session, uri, 4, 10) is None  # asked anyway: nothing sent
        assert session.provider.requests == []
        assert session.registrations == []
    finally:
        await disconnect(session)


async def test_the_suggestion_is_inserted_at_the_cursor_from_a_cheap_request(
    enabled: Session,
) -> None:
    assert enabled.capabilities.inline_completion_provider is not None
    uri = enabled.open("app/main.py")
    enabled.provider.script(Turn(content="f'hi {name}')\n"))
    result = await suggest(enabled, uri, 4, 10)
    at = {"start": {"line": 4, "character": 10}, "end": {"line": 4, "character": 10}}
    assert result == {"items": [{"insertText": "f'hi {name}')", "range": at}]}
    (request,) = enabled.provider.requests
    body = request.body
    assert (body["reasoning_effort"], body["max_tokens"], body["stream"]) == ("none", 128, True)
    assert body["stop"] == ["\n\n", "```"]
    user = body["messages"][-1]["content"]
    assert user.endswith("<before>\n" + MAIN[: MAIN.index("print(") + len("print(")])
    assert "File: app/main.py" in user and "tools" not in body


async def test_typing_the_suggestion_is_served_from_the_cache(enabled: Session) -> None:
    uri = enabled.open("app/main.py")
    enabled.provider.script(Turn(content="f'hi {name}')"))
    await suggest(enabled, uri, 4, 10)
    type_text(enabled, uri, 2, 4, 10, "f'hi")
    result = await suggest(enabled, uri, 4, 14)
    assert [item["insertText"] for item in result["items"]] == [" {name}')"]
    assert len(enabled.provider.requests) == 1


async def test_a_keystroke_closes_the_stream_and_nothing_stale_is_shown(
    enabled: Session,
) -> None:
    uri = enabled.open("app/main.py")
    enabled.provider.script(Turn(fault="trickle", delay=0.05, cut_after=1))
    asked = asyncio.ensure_future(suggest(enabled, uri, 4, 10))
    await enabled.until(lambda: len(enabled.provider.requests) == 1)
    await asyncio.sleep(0.2)  # the reply is streaming
    type_text(enabled, uri, 2, 4, 10, "x")
    assert await asyncio.wait_for(asked, 10) == {"items": []}
    assert await asyncio.to_thread(enabled.provider.wait_for_disconnect, 5)
    assert enabled.provider.disconnects == 1


async def test_a_cancel_request_then_the_keystroke_still_close_the_stream(
    enabled: Session,
) -> None:
    """What Neovim sends on a keystroke: $/cancelRequest of the old suggestion, the change,
    and a new request. Cancelling twice would interrupt httpcore's closing of the
    connection, and the provider would go on generating."""
    uri = enabled.open("app/main.py")
    enabled.provider.script(
        Turn(content="STALE", fault="slow_first_byte", delay=3), Turn(content="fresh")
    )
    protocol = enabled.client.protocol
    method = types.TEXT_DOCUMENT_INLINE_COMPLETION
    old = asyncio.ensure_future(
        protocol.send_request_async(method, params(uri, 4, 10, True), msg_id="old")
    )
    await enabled.until(lambda: len(enabled.provider.requests) == 1)
    await asyncio.sleep(0.2)
    protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="old"))
    type_text(enabled, uri, 2, 4, 10, "x")
    new = asyncio.ensure_future(
        protocol.send_request_async(method, params(uri, 4, 11, True), msg_id="new")
    )
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(old, 10)
    result = await asyncio.wait_for(new, 10)
    assert [item.insert_text for item in result.items] == ["fresh"]
    assert await asyncio.to_thread(enabled.provider.wait_for_disconnect, 2)


async def test_cancel_request_closes_the_stream(enabled: Session) -> None:
    uri = enabled.open("app/main.py")
    enabled.provider.script(Turn(fault="trickle", delay=0.05, cut_after=1))
    protocol = enabled.client.protocol
    sent = asyncio.ensure_future(
        protocol.send_request_async(
            types.TEXT_DOCUMENT_INLINE_COMPLETION, params(uri, 4, 10), msg_id="inline-1"
        )
    )
    await enabled.until(lambda: len(enabled.provider.requests) == 1)
    protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="inline-1"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(sent, 10)
    assert await asyncio.to_thread(enabled.provider.wait_for_disconnect, 5)


async def test_the_hourly_cap_stops_requests_with_one_message(
    provider_server: Callable[..., ProviderServer], workspace: Path
) -> None:
    options = {"completion": {"enabled": True, "hourlyCapUsd": 0.0001}}
    session = await connect(
        "neovim", provider_server("hyperstack"), workspace, init_options=options
    )
    try:
        uri = session.open("app/main.py")
        session.provider.script(Turn(content="f'hi {name}')"))
        first = await suggest(session, uri, 4, 10)  # ~200 prompt tokens: over $0.0001
        assert len(first["items"]) == 1
        for line, column in ((0, 9), (3, 16), (4, 4)):
            assert await suggest(session, uri, line, column) == {"items": []}
        assert len(session.provider.requests) == 1
        paused = [m.message for m in session.client.messages if "paused" in m.message]
        assert paused == [
            "GLM: Inline completion is paused: it spent $0.0002 in the last hour, the "
            "completion.hourly_cap_usd setting ($0.0001). It resumes by itself as the hour passes."
        ]
        usage = session.json(await session.command("glm.usage"))
        completion = usage["completion"]
        assert (completion["requests"], completion["paused"]) == (1, True)
        assert completion["hourCost"] > 0.0001 and usage["total"]["cost"] is None
    finally:
        await disconnect(session)


async def test_vscode_gets_the_capability_by_registration_when_its_setting_turns_on(
    provider_server: Callable[..., ProviderServer], workspace: Path
) -> None:
    capabilities = client_capabilities("visual-studio-code")
    assert capabilities.text_document is not None
    capabilities.text_document.inline_completion = types.InlineCompletionClientCapabilities(
        dynamic_registration=True
    )
    session = await connect(
        "visual-studio-code",
        provider_server("hyperstack"),
        workspace,
        configuration={"glm": {"completion.enabled": True}},
        capabilities=capabilities,
        init_options=ON,  # even then: not static, since the editor registers dynamically
    )
    try:
        assert session.capabilities.inline_completion_provider is None
        await session.until(lambda: bool(session.registrations))
        (registration,) = session.registrations[0].registrations
        assert (registration.id, registration.method) == (
            "glm-inline-completion",
            "textDocument/inlineCompletion",
        )
        session.client.set_configuration({"glm": {"completion.enabled": False}})
        session.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings=None)
        )
        await session.until(lambda: len(session.registrations) == 2)
        (gone,) = session.registrations[1].unregisterations
        assert gone.method == "textDocument/inlineCompletion"
    finally:
        await disconnect(session)


def test_the_cli_prints_the_suggestion(
    provider_server: Callable[..., ProviderServer], workspace: Path
) -> None:
    provider = provider_server("hyperstack")
    provider.script(Turn(content="f'hi {name}')"))
    result = run_cli(["complete", "app/main.py", "--line", "5"], provider.env(), workspace)
    assert (result.returncode, result.stdout) == (0, "f'hi {name}')\n")
    assert result.stderr.startswith("glm-lsp: ") and "completion" in result.stderr
    result = run_cli(["complete", "app/main.py", "--line", "9"], provider.env(), workspace)
    assert result.returncode == 1
    assert result.stderr == "glm-lsp: --line 9 is not a line of app/main.py (1 to 6).\n"


async def test_a_secret_file_sends_nothing(enabled: Session) -> None:
    (enabled.root / ".env").write_text("API_TOKEN=abc123\n")
    uri = enabled.open(".env")
    assert await suggest(enabled, uri, 0, 10) == {"items": []}
    assert enabled.provider.requests == []
