"""Builds the language server: settings lifecycle, error reporting and feature registration."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
import threading
from collections.abc import Callable, Coroutine, Generator
from pathlib import Path
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from glm_lsp import __version__
from glm_lsp.config import Settings, load_settings
from glm_lsp.context.engine import ContextEngine
from glm_lsp.errors import GlmError
from glm_lsp.logs import install_redaction, register_secret
from glm_lsp.lsp.tasks import TaskLog, run_task
from glm_lsp.providers.client import hold_pool
from glm_lsp.providers.types import Usage
from glm_lsp.store import SessionStore, default_path
from glm_lsp.workspace import find_root

log = logging.getLogger(__name__)

REQUEST_FAILED = -32803


class GlmProtocol(LanguageServerProtocol):
    """Works around pygls#606: shutdown iterated a dict that cancel callbacks mutate."""

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None


class GlmServer(LanguageServer):
    """The server plus the effective settings; features live in their own modules."""

    def __init__(self) -> None:
        super().__init__("glm-lsp", __version__, protocol_cls=GlmProtocol)
        self.init_options: Any = None
        self.configured = asyncio.Event()  # set once workspace/configuration was asked
        self.settings, problems = load_settings()
        self._report_problems(problems)
        self.engines: dict[Path, ContextEngine] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.running: dict[str, asyncio.Task[Any]] = {}  # task id -> a command's own task
        self.usage = Usage()  # every request of this session, for glm.usage
        self.task_log = TaskLog()
        self.stores: dict[Path, SessionStore] = {}
        self.release_pool: Callable[[], Coroutine[Any, Any, None]] | None = None

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over stdio, with stdin read by the event loop itself.

        pygls reads stdin on a worker thread; while a task parses a model's stream, the
        loop holds the interpreter lock and each editor message waited up to ~200 ms for
        that thread (bench/bench_latency.py). A pipe read by the loop has no such hop.
        """
        stdin = stdin or sys.stdin.buffer
        if not _is_pipe(stdin):  # a file or a terminal: pygls' reader works everywhere
            super().start_io(stdin, stdout)
            return
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(self._serve_pipe(stdin))
        except BrokenPipeError:
            log.error("the editor closed the connection; shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    async def _serve_pipe(self, stdin: BinaryIO) -> None:
        reader = asyncio.StreamReader(limit=1 << 20)
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
        assert self._stop_event is not None
        await run_async(
            stop_event=self._stop_event,
            reader=reader,
            protocol=self.protocol,
            logger=log,
            error_handler=self.report_server_error,
        )

    def record_usage(self, usage: Usage, what: str) -> None:
        """Add a finished task's usage to the session and tell the editor's log."""
        self.usage = self.usage + usage
        self.task_log.spent(usage, what)
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Info, message=f"GLM {what}: {usage.describe()}"
            )
        )

    def store_for(self, root: Path) -> SessionStore:
        """The chat sessions of a workspace root, opened once."""
        store = self.stores.get(root)
        if store is None:
            store = self.stores[root] = SessionStore(default_path(root))
        return store

    async def engine_for(self, root: Path) -> ContextEngine:
        """The warm context engine of `root`, refreshed (cheaply) before each use."""
        engine = self.engines.get(root)
        if engine is None:
            engine = self.engines[root] = ContextEngine.for_settings(root, self.settings)
        await asyncio.to_thread(engine.refresh)
        return engine

    def spawn(self, coroutine: Coroutine[Any, Any, Any], task_id: str = "") -> None:
        """Run background work, keeping a reference and logging its failure; with a
        `task_id` it can be cancelled by glm.cancel."""
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        if task_id:
            self.running[task_id] = task

        def done(finished: asyncio.Task[Any]) -> None:
            self.tasks.discard(finished)
            self.running.pop(task_id, None)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("background task failed", exc_info=finished.exception())

        task.add_done_callback(done)

    def start_task(self, title: str, work: Coroutine[Any, Any, str | None]) -> str:
        """Run a command's long work as a task of its own; returns its id at once."""
        record = self.task_log.new(title)
        self.spawn(run_task(record, work, self.protocol.notify, self.fail), record.id)
        return record.id

    def reload_settings(self, workspace: Any = None) -> None:
        self.settings, problems = load_settings(init_options=self.init_options, workspace=workspace)
        register_secret(self.settings.api_key)
        self._report_problems(problems)
        if problems:
            more = f" ({len(problems) - 1} more in the log)" if len(problems) > 1 else ""
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"GLM: {problems[0]}{more}"
                )
            )

    def _report_problems(self, problems: list[str]) -> None:
        for problem in problems:
            log.warning("%s", problem)

    async def current_settings(self) -> Settings:
        """The settings once the editor's configuration arrived (or it failed to)."""
        try:
            await asyncio.wait_for(self.configured.wait(), timeout=5)
        except TimeoutError:
            log.warning("the editor did not answer workspace/configuration; using what is known")
        return self.settings

    def fail(self, error: GlmError) -> JsonRpcException:
        """Show the one-sentence error, log the detail; the caller raises the result."""
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=f"GLM: {error.message}")
        )
        log.error("%s %s", error.message, error.detail)
        return JsonRpcException(message=error.message, code=REQUEST_FAILED)

    def position_encoding(self) -> Any:
        return self.workspace.position_encoding

    def root_for(self, path: Path) -> Path:
        """The workspace folder holding `path`, else the repository or folder around it."""
        for folder in self.workspace.folders.values():
            folder_path = Path(to_fs_path(folder.uri) or "")
            if folder_path in path.parents:
                return folder_path
        root = to_fs_path(self.workspace.root_uri) if self.workspace.root_uri else None
        if root and Path(root) in path.parents:
            return Path(root)
        return find_root(path)

    def open_versions(self) -> dict[str, tuple[str, int]]:
        """Open documents by file path: the client's own URI and the current version."""
        return {
            doc.path: (doc.uri, doc.version)
            for doc in self.workspace.text_documents.values()
            if doc.path and doc.version is not None
        }

    def open_buffers(self) -> dict[str, str]:
        return {doc.path: doc.source for doc in self.workspace.text_documents.values() if doc.path}


def _is_pipe(stream: BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def _register_settings(server: GlmServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        server.init_options = params.initialization_options
        server.reload_settings()

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        server.release_pool = hold_pool()
        try:
            await _fetch_workspace_settings(server)
        finally:
            server.configured.set()
        for folder in server.workspace.folders.values():  # index now: the first edit starts warm
            server.spawn(server.engine_for(Path(to_fs_path(folder.uri) or ".")))

    @server.feature(types.SHUTDOWN)
    async def shutdown(params: None) -> None:
        if server.release_pool is not None:
            await server.release_pool()
            server.release_pool = None

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def changed(params: types.DidChangeConfigurationParams) -> None:
        await _fetch_workspace_settings(server, params.settings)


async def _fetch_workspace_settings(server: GlmServer, pushed: Any = None) -> None:
    """Ask for section `glm` when the client can answer; else use what it pushed, if any."""
    workspace = server.client_capabilities.workspace
    if workspace is not None and workspace.configuration:
        items = [types.ConfigurationItem(section="glm")]
        result = await server.workspace_configuration_async(types.ConfigurationParams(items=items))
        server.reload_settings(result)
    elif pushed is not None:
        server.reload_settings(pushed)


def build_server() -> GlmServer:
    from glm_lsp.lsp import code_actions, commands, documents, progress

    install_redaction()
    if os.environ.get("GLM_LSP_LOG_LEVEL"):
        logging.getLogger("glm_lsp").setLevel(os.environ["GLM_LSP_LOG_LEVEL"].upper())
    server = GlmServer()
    _register_settings(server)
    code_actions.register(server)
    commands.register(server)
    documents.register(server)
    progress.register(server)
    return server
