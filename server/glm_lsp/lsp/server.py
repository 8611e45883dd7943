"""Builds the language server: settings lifecycle, error reporting and feature registration."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
import sys
import threading
from collections.abc import Callable, Coroutine, Generator
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from cattrs import ClassValidationError, IterableValidationError, transform_error
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcServerNotInitialized,
)
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import _prepare_command_arguments, lsp_method
from pygls.uris import to_fs_path

from glm_lsp import __version__
from glm_lsp.assistant import Assistant, TaskRecord, Usage, find_root
from glm_lsp.config import Settings, load_settings
from glm_lsp.errors import GlmError
from glm_lsp.logs import install_redaction, register_secret
from glm_lsp.lsp import protocol
from glm_lsp.lsp.framing import Unreadable, read_messages
from glm_lsp.lsp.inflight import InFlight
from glm_lsp.lsp.permission import ask_permission
from glm_lsp.lsp.previews import Previews

log = logging.getLogger(__name__)

REQUEST_FAILED = -32803


class GlmProtocol(LanguageServerProtocol):
    """Shutdown cancels the requests still running and lets them answer first.

    pygls#606: its shutdown iterated a dict that cancel callbacks mutate. And a request
    cancelled at shutdown must send its "cancelled" reply before the shutdown reply, or
    the editor's `exit` can end the process with that reply unsent.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cancelled_at_shutdown: list[asyncio.Future[Any]] = []
        self.initialize_seen = False

    def receive(self, data: dict[str, Any]) -> None:
        """One message from the editor: every request gets exactly one reply, even when
        its params do not fit the method, it comes before `initialize`, or it is a second
        `initialize`."""
        method, msg_id = data.get("method"), data.get("id")
        request = isinstance(method, str) and "id" in data
        replyable = isinstance(msg_id, int | str) and not isinstance(msg_id, bool)
        refusal = self._refusal(method, request)
        if refusal is not None:
            if replyable:
                self._send_response(msg_id, None, refusal.to_response_error())
            return
        try:
            message = self.structure_message(data)
        except JsonRpcException as error:
            if request and replyable:
                error = JsonRpcInvalidParams(message=invalid_params(method, error.__cause__))
                self._send_response(msg_id, None, error.to_response_error())
            else:
                log.warning("skipped a message that does not fit its method %s", method)
            return
        if not hasattr(message, "jsonrpc"):
            if replyable:
                refused = JsonRpcInvalidRequest(message="The message is not JSON-RPC 2.0.")
                self._send_response(msg_id, None, refused.to_response_error())
            return
        self.initialize_seen |= method == types.INITIALIZE  # only a well-formed one counts
        self.handle_message(message)

    def refuse(self, unreadable: Unreadable) -> None:
        """A frame with no message in it: no id can be read, so the reply's id is null."""
        error = {"code": unreadable.code, "message": unreadable.message}
        self._send_data({"jsonrpc": "2.0", "id": None, "error": error})  # (pygls drops a None id)

    def _refusal(self, method: Any, request: bool) -> JsonRpcException | None:
        """The lifecycle error for `method`, if it comes at the wrong time."""
        if method == types.INITIALIZE:
            if self.initialize_seen:
                return JsonRpcInvalidRequest(
                    message="The server is already initialized; a second initialize is refused."
                )
            return None
        if not self.initialize_seen and method != types.EXIT:
            if request:
                return JsonRpcServerNotInitialized(
                    message="The server is not initialized yet; send initialize first."
                )
            return JsonRpcServerNotInitialized()  # a notification: dropped, no reply
        return None

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        """pygls' own, minus inline completion unless the server says to advertise it
        (each suggestion is a paid request: off by default)."""
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        server = self._server
        if isinstance(server, GlmServer) and not server.advertise_inline():
            result.capabilities.inline_completion_provider = None
        return result

    @lsp_method(types.WORKSPACE_EXECUTE_COMMAND)
    def lsp_workspace__execute_command(
        self, params: types.ExecuteCommandParams
    ) -> Generator[Any, Any, Any]:
        """pygls' own, with refusals that say what was wrong instead of cattrs' words."""
        handler = self.fm.commands.get(params.command)
        if handler is None:
            raise JsonRpcInvalidParams(message=f"There is no command {params.command!r}.")
        try:
            args, kwargs = _prepare_command_arguments(handler, params, self._converter)
        except Exception as exc:
            raise JsonRpcInvalidParams(message=invalid_params(params.command, exc)) from exc
        result = yield handler, args, kwargs
        return result

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        """Internal errors reach the editor as one sentence; the detail stays in the log."""
        if error is not None and error.code == JsonRpcInternalError.CODE:
            log.error("internal error answering request %s: %s", msg_id, error.message)
            error = JsonRpcInternalError(
                message="glm-lsp could not answer this request; its log has the details."
            ).to_response_error()
        super()._send_response(msg_id, result, error)

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any) -> Generator[Any, Any, None]:
        current_id = self.msg_id
        pending = [
            future
            for msg_id, future in list(self._request_futures.items())
            if msg_id != current_id and not future.done()
        ]
        for future in pending:
            future.cancel()
            if isinstance(future, asyncio.Future):
                self.cancelled_at_shutdown.append(future)
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        self._shutdown = True
        return None


class GlmServer(LanguageServer):
    """The LSP face: the pygls server, the assistant it drives, and what only the editor
    session has (settings as the editor sent them, held previews, progress owners)."""

    def __init__(self) -> None:
        super().__init__("glm-lsp", __version__, protocol_cls=GlmProtocol)
        self.init_options: Any = None
        self.configured = asyncio.Event()  # set once workspace/configuration was asked
        settings, problems = load_settings()
        self._report_problems(problems)
        self.assistant = Assistant(
            settings,
            ready=self._configuration_arrived,
            approve=partial(ask_permission, self),
            serving=True,
        )
        self.previews = Previews()  # proposals waiting for glm.accept / glm.reject
        self.progress_owners: dict[str, asyncio.Task[Any]] = {}  # progress token -> task
        self.inline = InFlight()  # inline completions running, by document
        self.inline_registered = False  # the capability, as the editor knows it
        # set by lsp.completion: whether initialize advertises inline completion, and
        # what runs once the editor's settings arrived or changed
        self.advertise_inline: Callable[[], bool] = lambda: False
        self.settings_hooks: list[Callable[[], Coroutine[Any, Any, None]]] = []

    @property
    def settings(self) -> Settings:
        return self.assistant.settings

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
        assert isinstance(self.protocol, GlmProtocol)
        try:
            await read_messages(
                reader, self.protocol.receive, self._stop_event, self.protocol.refuse
            )
        finally:  # the pool outlives shutdown: requests still running end as cancelled
            await self.assistant.aclose()

    def notice(self, message: str) -> None:
        """A problem that does not stop the task, shown as a warning."""
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"GLM: {message}")
        )

    def log_usage(self, usage: Usage, what: str) -> None:
        """Tell the editor's log what a finished operation spent."""
        self.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Info, message=f"GLM {what}: {usage.describe()}"
            )
        )

    def start_task(self, title: str, work: Coroutine[Any, Any, str | None]) -> str:
        """Run a command's long work as a task of its own; returns its id at once and
        tells the editor its start and end as $/glm/task."""
        record = self.assistant.tasks.start(title, work, self._task_changed, self.fail)
        return record.id

    def _task_changed(self, record: TaskRecord) -> None:
        self.protocol.notify(protocol.TASK_NOTIFICATION, protocol.TaskEvent.of(record))

    def reload_settings(self, workspace: Any = None) -> None:
        settings, problems = load_settings(init_options=self.init_options, workspace=workspace)
        self.assistant.settings = settings
        register_secret(settings.api_key)
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

    async def _configuration_arrived(self) -> None:
        """Wait until the editor's configuration arrived (or failed to)."""
        try:
            await asyncio.wait_for(self.configured.wait(), timeout=5)
        except TimeoutError:
            log.warning("the editor did not answer workspace/configuration; using what is known")

    def fail(self, error: GlmError) -> JsonRpcException:
        """Show the one-sentence error, log the detail; the caller raises the result."""
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=f"GLM: {error.message}")
        )
        log.error("%s %s", error.message, error.detail)
        return JsonRpcException(message=error.message, code=REQUEST_FAILED)

    def position_encoding(self) -> Any:
        return self.workspace.position_encoding

    def workspace_root(self) -> Path:
        """The first workspace folder, else the root the editor opened."""
        for folder in self.workspace.folders.values():
            return Path(to_fs_path(folder.uri) or ".")
        if self.workspace.root_uri:
            return Path(to_fs_path(self.workspace.root_uri) or ".")
        raise GlmError("There is no workspace folder to work in.")

    def in_workspace(self, path: Path) -> bool:
        """Whether `path` lies in one of the workspace folders (or the root the editor opened)."""
        roots = [Path(to_fs_path(f.uri) or "") for f in self.workspace.folders.values()]
        if self.workspace.root_uri:
            roots.append(Path(to_fs_path(self.workspace.root_uri) or ""))
        return any(root != Path("") and root in path.parents for root in roots)

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


def invalid_params(method: Any, cause: BaseException | None) -> str:
    """The sentence for params that do not fit `method` (a request or a command): what
    was wrong, and where, in the protocol's camelCase names."""
    problems: list[str] = []
    if isinstance(cause, ClassValidationError | IterableValidationError):
        problems = [_camel(str(p).replace(" @ $.", " @ ")) for p in transform_error(cause)]
    elif isinstance(cause, ValueError | TypeError) and "structuring" not in str(cause):
        problems = [str(cause).rstrip(".")]
    where = "; ".join(problems[:3]) or "they do not have the shape it takes"
    return f"The params of {method} are not valid: {where}."


def _camel(text: str) -> str:
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), text)


def _is_pipe(stream: BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def initialize(ls: GlmServer, params: types.InitializeParams) -> None:
    ls.init_options = params.initialization_options
    ls.reload_settings()


async def initialized(ls: GlmServer, params: types.InitializedParams) -> None:
    try:
        await _fetch_workspace_settings(ls)
    finally:
        ls.configured.set()
    for folder in ls.workspace.folders.values():  # index now: the first edit starts warm
        ls.assistant.tasks.spawn(ls.assistant.engine(Path(to_fs_path(folder.uri) or ".")))


async def shutdown(ls: GlmServer, params: None) -> None:
    """Wait (briefly) for the requests shutdown cancelled to send their replies."""
    cancelled = ls.protocol.cancelled_at_shutdown if isinstance(ls.protocol, GlmProtocol) else []
    if cancelled:
        await asyncio.wait(cancelled, timeout=2)
        await asyncio.sleep(0)


async def did_change_configuration(
    ls: GlmServer, params: types.DidChangeConfigurationParams
) -> None:
    await _fetch_workspace_settings(ls, params.settings)


async def _fetch_workspace_settings(server: GlmServer, pushed: Any = None) -> None:
    """Ask for section `glm` when the client can answer; else use what it pushed, if any."""
    workspace = server.client_capabilities.workspace
    if workspace is not None and workspace.configuration:
        items = [types.ConfigurationItem(section="glm")]
        result = await server.workspace_configuration_async(types.ConfigurationParams(items=items))
        server.reload_settings(result)
    elif pushed is not None:
        server.reload_settings(pushed)
    for hook in server.settings_hooks:  # in the background: they may ask the editor
        server.assistant.tasks.spawn(hook())


def build_server() -> GlmServer:
    """The server with every feature module's handlers registered."""
    from glm_lsp.lsp import code_actions, commands, completion, documents, progress

    install_redaction()
    if os.environ.get("GLM_LSP_LOG_LEVEL"):
        logging.getLogger("glm_lsp").setLevel(os.environ["GLM_LSP_LOG_LEVEL"].upper())
    server = GlmServer()
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    for module in (code_actions, commands, completion, documents, progress):
        module.register(server)
    return server
