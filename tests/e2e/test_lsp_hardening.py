"""The language server against hostile input: secret targets, files outside the workspace."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from lsprotocol import types
from test_lsp import Session, connect, disconnect, edit_turn

from helpers import make_repo
from provider_server import ProviderServer

MAIN = "def greet(name):\n    print('hi ' + name)\n"


@pytest_asyncio.fixture(params=["visual-studio-code", "neovim"])
async def lsp(
    request: pytest.FixtureRequest,
    provider_server: Callable[..., ProviderServer],
    tmp_path: Path,
) -> AsyncIterator[Session]:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN, ".env": "PGPASSWORD=hunter2hunter2\n"})
    session = await connect(request.param, provider, root)
    yield session
    await disconnect(session)


def _range() -> dict[str, Any]:
    return {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}


def _errors(lsp: Session) -> list[str]:
    return [m.message for m in lsp.client.messages if m.type == types.MessageType.Error]


async def test_glm_edit_of_a_secret_file_is_refused(lsp: Session) -> None:
    uri = lsp.open(".env")
    await lsp.command("glm.edit", uri=uri, range=_range(), instruction="tidy")
    await lsp.until(lambda: bool(_errors(lsp)))
    assert _errors(lsp) == [
        "GLM: .env is a secret file, so nothing of it is sent to the provider; to allow it, "
        "add it to the allow_paths setting (GLM_ALLOW_PATHS)."
    ]
    assert lsp.provider.requests == []


async def test_glm_chat_about_a_secret_file_is_refused(lsp: Session) -> None:
    uri = lsp.open(".env")
    await lsp.command("glm.chat", message="what is in here?", uri=uri, range=_range())
    await lsp.until(lambda: bool(_errors(lsp)))
    assert _errors(lsp)[0].startswith("GLM: .env is a secret file, so nothing of it is sent")
    assert lsp.provider.requests == []


def _answering(lsp: Session, title: str) -> list[types.ShowMessageRequestParams]:
    asked: list[types.ShowMessageRequestParams] = []

    @lsp.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def answer(params: types.ShowMessageRequestParams) -> types.MessageActionItem:
        asked.append(params)
        return types.MessageActionItem(title=title)

    return asked


@pytest.mark.parametrize("answer", ["Send", "Cancel"])
async def test_a_file_outside_the_workspace_is_sent_only_when_the_user_agrees(
    lsp: Session, tmp_path: Path, answer: str
) -> None:
    outside = tmp_path / "elsewhere" / "notes.py"
    outside.parent.mkdir()
    outside.write_text(MAIN)
    asked = _answering(lsp, answer)
    lsp.root = outside.parent  # so lsp.open reads it; the server's workspace is unchanged
    uri = lsp.open("notes.py")
    lsp.provider.script(*edit_turn("notes.py", "'hi ' + name", "f'hi {name}'"))
    await lsp.command("glm.edit", uri=uri, range=_range(), instruction="f-string")
    await lsp.until(lambda: bool(asked))
    assert asked[0].message == (
        f"GLM: {outside} is outside every workspace folder; send it to the provider?"
    )
    if answer == "Cancel":
        await lsp.until(lambda: bool(_errors(lsp)))
        assert _errors(lsp) == ["GLM: notes.py is outside every workspace folder and was not sent."]
        assert lsp.provider.requests == []
    else:
        await lsp.until(lambda: bool(lsp.applied))
        assert "def greet" in json.dumps(lsp.provider.requests[0].body)
