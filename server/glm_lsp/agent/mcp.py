"""MCP tools: the user's Model Context Protocol servers, as extra tools for the model.

Servers are configured in the format Claude Desktop and VS Code use (`mcpServers: {name:
{command, args, env}}` for a process on stdio, `{url}` for streamable HTTP), plus `allow`:
the tool names that run without asking. The assistant owns one `McpHub`; it starts each
server on first use and keeps it for the process's life. A server that fails to start,
crashes or hangs costs one sentence, to the model as the tool's result and to the user as
a notice; the task goes on without it.

Each server runs inside a task of its own (`_Connection._own`): the SDK's transports are
anyio context managers that must be entered and left by the same task, while calls come
from whichever task runs the model loop. The SDK is imported on first use: it takes seconds
to import, and most sessions configure no server.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Literal

from glm_lsp.context.secrets import redact_secrets
from glm_lsp.providers.types import ToolCall, ToolSpec

log = logging.getLogger(__name__)

MAX_TOOLS = 128  # tools per request: Evolink's documented limit, the lowest known
SEPARATOR = "__"  # model-facing names are server__tool
START_SECONDS = 30.0  # npx or a Python server may take that long to import and answer

Decision = Literal["once", "always", "deny"]
Approve = Callable[["McpCall"], Awaitable[Decision]]
Notify = Callable[[str], None]


@dataclass(frozen=True)
class ServerConfig:
    """One configured MCP server."""

    name: str
    command: str = ""
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    url: str = ""
    allow: frozenset[str] = frozenset()  # tool names that need no permission; "*": all

    def allows(self, tool: str) -> bool:
        return "*" in self.allow or tool in self.allow


@dataclass(frozen=True)
class McpCall:
    """A call the user is asked to allow."""

    server: str
    tool: str
    arguments: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.server}{SEPARATOR}{self.tool}"


def server_configs(raw: Mapping[str, Any]) -> tuple[list[ServerConfig], list[str]]:
    """The servers of an `mcpServers` table; entries that make no sense become problems."""
    configs, problems = [], []
    for name, entry in raw.items():
        if not isinstance(entry, Mapping) or not (entry.get("command") or entry.get("url")):
            problems.append(f"MCP server '{name}' needs a command or a url; it was ignored.")
            continue
        env = entry.get("env") or {}
        configs.append(
            ServerConfig(
                name=str(name),
                command=str(entry.get("command") or ""),
                args=tuple(str(a) for a in entry.get("args") or ()),
                env=tuple((str(k), str(v)) for k, v in dict(env).items()),
                url=str(entry.get("url") or ""),
                allow=frozenset(str(t) for t in entry.get("allow") or ()),
            )
        )
    return configs, problems


def tool_name(server: str, tool: str) -> str:
    """`server__tool`, within the 64 characters of [A-Za-z0-9_-] function names allow."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{server}{SEPARATOR}{tool}")[:64]


@dataclass
class _Connection:
    """One running server and the task that keeps its session open."""

    config: ServerConfig
    tools: list[Any] = field(default_factory=list)  # mcp Tool objects
    session: Any = None  # mcp ClientSession, set while running
    owner: asyncio.Task[None] | None = None
    closing: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def alive(self) -> bool:
        return self.session is not None and self.owner is not None and not self.owner.done()

    async def start(self, timeout: float) -> None:
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.owner = asyncio.create_task(self._own(ready), name=f"mcp {self.config.name}")
        try:
            await asyncio.wait_for(asyncio.shield(ready), timeout)
        except BaseException:
            ready.cancel()  # the owner's late outcome is nobody's business now
            await self.close()
            raise

    async def _own(self, ready: asyncio.Future[None]) -> None:
        from mcp import ClientSession

        try:
            async with AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(self._transport())
                session = await stack.enter_async_context(ClientSession(read, write))
                await session.initialize()
                self.tools = list((await session.list_tools()).tools)
                self.session = session
                if not ready.done():
                    ready.set_result(None)
                await self.closing.wait()
        except Exception as error:  # the server failed or went away; its callers are told
            log.info("MCP server %s ended: %r", self.config.name, error)
            if not ready.done():
                ready.set_exception(error)
        finally:
            self.session = None

    def _transport(self) -> AbstractAsyncContextManager[Any]:
        if self.config.url:
            from mcp.client.streamable_http import streamable_http_client

            return streamable_http_client(self.config.url)
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(
            command=self.config.command, args=list(self.config.args), env=dict(self.config.env)
        )
        return stdio_client(params)

    async def close(self) -> None:
        self.closing.set()
        if self.owner is not None and not self.owner.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.owner), 5)
            except (TimeoutError, Exception):
                self.owner.cancel()
                await asyncio.gather(self.owner, return_exceptions=True)


class McpHub:
    """The MCP servers of one assistant, started on first use and kept until `aclose`."""

    def __init__(self) -> None:
        self.connections: dict[str, _Connection] = {}
        self.failed: dict[ServerConfig, str] = {}  # a start that failed, until the config changes
        self.always: set[str] = set()  # server__tool names the user allowed for good

    async def toolbox(
        self, raw: Mapping[str, Any], timeout: float, approve: Approve, notify: Notify
    ) -> McpToolbox:
        """The tools of every configured server, starting the ones not running yet."""
        configs, problems = server_configs(raw)
        for problem in problems:
            notify(problem)
        start = max(timeout, START_SECONDS)
        await asyncio.gather(*(self._ensure(c, start, notify) for c in configs))
        running = [self.connections[c.name] for c in configs if c.name in self.connections]
        notes = [self.failed[c] for c in configs if c in self.failed]
        return McpToolbox(self, running, timeout, approve, notify, notes)

    async def _ensure(self, config: ServerConfig, timeout: float, notify: Notify) -> None:
        known = self.connections.get(config.name)
        if known is not None and known.config == config and known.alive:
            return
        if known is not None:
            await self.drop(config.name)
        if config in self.failed:
            return
        connection = _Connection(config)
        try:
            await connection.start(timeout)
        except Exception as error:
            sentence = f"The MCP server '{config.name}' did not start ({_reason(error)})."
            log.warning("%s", sentence)
            self.failed[config] = sentence
            notify(sentence)
            return
        self.connections[config.name] = connection

    async def drop(self, name: str) -> None:
        """Stop a server (it crashed, hung or changed); the next task starts it again."""
        connection = self.connections.pop(name, None)
        if connection is not None:
            await connection.close()

    async def aclose(self) -> None:
        for name in list(self.connections):
            await self.drop(name)


class McpToolbox:
    """The MCP tools one run of the model may call, and how a call is allowed and run."""

    def __init__(
        self,
        hub: McpHub,
        connections: list[_Connection],
        timeout: float,
        approve: Approve,
        notify: Notify,
        notes: list[str],
    ) -> None:
        self.hub, self.timeout, self.approve, self.notify = hub, timeout, approve, notify
        self.notes = notes  # sentences for the model: servers that are not there
        self.routes: dict[str, tuple[_Connection, str]] = {}
        self.specs: list[ToolSpec] = []
        for connection in connections:
            for tool in connection.tools:
                name = tool_name(connection.config.name, tool.name)
                self.routes[name] = (connection, tool.name)
                description = tool.description or f"{tool.name} from {connection.config.name}"
                self.specs.append(ToolSpec(name, description, dict(tool.input_schema)))
        # by name, whatever order the servers started or listed them in: the schemas are
        # part of every request's cached prefix
        self.specs.sort(key=lambda spec: spec.name)

    def offered(self, builtin: int) -> list[ToolSpec]:
        """The tools that fit beside `builtin` ones under MAX_TOOLS; the log names the rest."""
        room = max(0, MAX_TOOLS - builtin)
        if len(self.specs) > room:
            left = ", ".join(s.name for s in self.specs[room:])
            log.warning("over the %d-tool limit per request; left out: %s", MAX_TOOLS, left)
        return self.specs[:room]

    def __contains__(self, name: str) -> bool:
        return name in self.routes

    async def call(self, call: ToolCall) -> tuple[str, bool]:
        """Run one call; every failure is one sentence for the model (and the user)."""
        connection, tool = self.routes[call.name]
        server = connection.config.name
        try:
            arguments = call.parsed_arguments()
        except ValueError as error:
            return f"Error: the arguments of {call.name} are not valid JSON ({error}).", False
        denied = await self._permission(connection, McpCall(server, tool, arguments))
        if denied:
            return denied, False
        return await self._run(connection, call.name, tool, arguments)

    async def _permission(self, connection: _Connection, call: McpCall) -> str:
        """Empty when the call may run; else the sentence that says why not."""
        if connection.config.allows(call.tool) or call.name in self.hub.always:
            return ""
        decision = await self.approve(call)
        if decision == "always":
            self.hub.always.add(call.name)
        if decision == "deny":
            return f"Error: the user did not allow {call.name} to run; do without it."
        return ""

    async def _run(
        self, connection: _Connection, name: str, tool: str, arguments: dict[str, Any]
    ) -> tuple[str, bool]:
        server = connection.config.name
        if not connection.alive:
            return await self._lost(server, f"The MCP server '{server}' is not running.")
        try:
            result = await asyncio.wait_for(
                connection.session.call_tool(tool, arguments), self.timeout
            )
        except TimeoutError:
            sentence = f"The MCP server '{server}' did not answer {name} within {self.timeout:g} s."
            return await self._lost(server, sentence)
        except Exception as error:
            if connection.alive and _is_tool_error(error):
                return f"Error: {name} failed: {error}", False
            return await self._lost(server, f"The MCP server '{server}' stopped during {name}.")
        text = redact_secrets(_result_text(result))[0]
        return (f"Error: {text}" if result.is_error else text), not result.is_error

    async def _lost(self, server: str, sentence: str) -> tuple[str, bool]:
        """A server that crashed or hung: dropped for now, its tools refused, one sentence."""
        log.warning("%s", sentence)
        self.notify(sentence)
        self.routes = {n: r for n, r in self.routes.items() if r[0].config.name != server}
        await self.hub.drop(server)
        return f"Error: {sentence} Its tools are unavailable for the rest of this task.", False


def _is_tool_error(error: Exception) -> bool:
    """An error the server answered with (it is still there), not a lost connection."""
    return "Connection closed" not in str(error)


def _result_text(result: Any) -> str:
    parts = []
    for item in result.content:
        text = getattr(item, "text", None)
        parts.append(text if isinstance(text, str) else f"[{getattr(item, 'type', 'content')}]")
    return "\n".join(parts) or "(no output)"


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "it did not answer in time"
    text = str(error) or type(error).__name__
    return text.splitlines()[0][:200]


async def no_approval(call: McpCall) -> Decision:
    """For faces that cannot ask: only allow-listed tools run."""
    return "deny"
