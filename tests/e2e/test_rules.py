"""Project rules reach the provider inside the system message, nearest last."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from test_lsp import MAIN, connect, disconnect, edit_turn

from helpers import make_repo, run_cli
from provider_server import ProviderServer

NESTED = {
    "AGENTS.md": "Root rule: keep functions short.\n",
    "app/AGENTS.md": "App rule: use f-strings.\n",
    "app/main.py": MAIN,
}


async def test_nested_agents_md_travel_in_the_system_prefix(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    provider = provider_server("hyperstack")
    root = make_repo(tmp_path / "ws", NESTED)
    session = await connect("neovim", provider, root)
    try:
        uri = session.open("app/main.py")
        provider.script(*edit_turn("app/main.py", "print('hi ' + name)", "print(f'hi {name}')"))
        action = (await session.actions(uri, 3, 5))[0]
        await session.client.code_action_resolve_async(action)
    finally:
        await disconnect(session)
    for request in provider.requests:  # every step starts with the same system message
        system, *rest = request.body["messages"]
        assert system["role"] == "system"
        text = system["content"]
        assert "## AGENTS.md\nRoot rule: keep functions short." in text
        assert "## app/AGENTS.md\nApp rule: use f-strings." in text
        assert text.index("Root rule") < text.index("App rule")
        assert all("Root rule" not in (m.get("content") or "") for m in rest)
    first, second = provider.requests
    assert first.body["messages"][0] == second.body["messages"][0]


def test_context_command_shows_the_rules(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "ws", NESTED)
    result = run_cli(["context", "app/main.py:4-5"], env={}, cwd=root)
    assert result.returncode == 0, result.stderr
    assert "=== rules (system message): AGENTS.md, app/AGENTS.md ===" in result.stdout
    assert "App rule: use f-strings." in result.stdout
