"""A real MCP server for the tests (the SDK's MCPServer, formerly FastMCP), on stdio.

`python notes_server.py NAME` serves: `lookup(key)` answers from a fixed table,
`crash()` ends the process in the middle of the call, `hang()` never answers. With
`--http PORT` it serves the same tools over streamable HTTP instead.
"""

from __future__ import annotations

import os
import sys
import time

from mcp.server.mcpserver import MCPServer

NOTES = {"style": "The team writes greetings as f-strings.", "owner": "Ada"}

app = MCPServer(sys.argv[1] if len(sys.argv) > 1 else "notes")


@app.tool()
def lookup(key: str) -> str:
    """Look up a team note by key."""
    return NOTES.get(key, f"no note called {key}")


@app.tool()
def crash() -> str:
    """Crash the server mid-call."""
    os._exit(3)


@app.tool()
def hang() -> str:
    """Never answer."""
    time.sleep(3600)
    return "late"


if __name__ == "__main__":
    if "--http" in sys.argv:
        app.run("streamable-http", host="127.0.0.1", port=int(sys.argv[sys.argv.index("--http") + 1]))
    else:
        app.run()
