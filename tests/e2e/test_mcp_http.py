"""The MCP hub against a real streamable HTTP server, and the configuration it rejects."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from glm_lsp.agent.mcp import Decision, McpCall, McpHub, server_configs, tool_name
from glm_lsp.providers.types import ToolCall

NOTES_SERVER = Path(__file__).resolve().parents[1] / "mcpservers" / "notes_server.py"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def http_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, str(NOTES_SERVER), "notes", "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "no HTTP server"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


async def test_a_streamable_http_server_is_asked_first_then_always_allowed(http_server: str) -> None:
    hub, asked, told = McpHub(), [], []

    async def approve(call: McpCall) -> Decision:
        asked.append(call.name)
        return "always"

    try:
        box = await hub.toolbox({"web": {"url": http_server}}, 10, approve, told.append)
        # by name, not in the server's order: the schemas are part of the cached prefix
        assert [s.name for s in box.specs] == ["web__crash", "web__hang", "web__lookup"]
        call = ToolCall("c1", "web__lookup", '{"key": "owner"}')
        assert await box.call(call) == ("Ada", True)
        assert await box.call(call) == ("Ada", True)  # "Always": not asked again
        assert asked == ["web__lookup"] and told == []
    finally:
        await hub.aclose()


def test_configuration_problems_and_names() -> None:
    configs, problems = server_configs(
        {"ok": {"command": "x", "args": ["-y"], "allow": ["a"]}, "bad": {"args": []}}
    )
    assert [(c.name, c.args, c.allows("a"), c.allows("b")) for c in configs] == [
        ("ok", ("-y",), True, False)
    ]
    assert problems == ["MCP server 'bad' needs a command or a url; it was ignored."]
    assert tool_name("my.server", "look up") == "my_server__look_up"
