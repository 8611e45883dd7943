"""A real HTTP server on 127.0.0.1 that plays one GLM-5.2 provider, for tests.

It speaks each dialect as the provider documents in shared/seeds/ describe it: the exact
path, the auth header, the model id, the request rules (Evolink's ranges, NVIDIA's "no
function calling"), and the usage shape. It deliberately does not import the client's
dialect table, so a mistake there shows up as a failing test rather than being copied.

    with ProviderServer("hyperstack") as server:
        server.script(Turn(content="hello", reasoning="think"), Turn(fault="429"))
        settings = server.settings()          # in-process clients
        env = server.env()                    # subprocesses (CLI, LSP server)
        ...
        server.requests[-1].headers["api_key"]

Replies come from a queue of scripted `Turn`s, one per request that passes validation;
when the queue is empty the server answers a plain "ok". Requests that fail validation
(wrong path, key, model or rule) are answered with that provider's error shape and do not
consume a turn. Every request is recorded; `disconnects` counts replies the client cut
off by closing the connection. Run `python tests/provider_server.py DIALECT` to serve one
by hand; it prints the environment to use.

With `prefix_cache=True` the server caches prompt prefixes the way the providers bill them:
a request's prompt is its tool schemas then its messages, each as compact JSON; its prompt
tokens are that text's characters / 4, and its cached tokens are the characters it shares
as a prefix with the longest match among earlier requests, / 4. Dialects that report
cached tokens (`usage.prompt_tokens_details.cached_tokens`: Cloudflare, OurToken, generic
OpenAI) report them; Cloudflare caches only requests that carry `x-session-affinity` and
only among requests with the same value, as Workers AI routes by it.
"""

from __future__ import annotations

import json
import select
import socket
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from glm_lsp.config import FALLBACK_KEY_ENV, KEY_ENV, Settings

FAULTS = (
    "429",
    "500",
    "503",
    "slow_first_byte",
    "cut",
    "eof",
    "malformed",
    "error_event",
    "bad_tool_json",
    "length",
    "content_filter",
    "hang",
    "plain_text_error",
    "trickle",
)

DEFAULT_KEY = "test-key-5f2c9a7e"
DEFAULT_ACCOUNT = "acct-test"
HANG_LIMIT = 30.0  # a hanging reply gives up after this long even if nobody disconnects


@dataclass(frozen=True)
class Facts:
    """What one provider's documents say, from the server's side of the wire."""

    base_path: str  # may contain {account_id}
    model: str
    key_header: str = "authorization"
    bearer: bool = True
    error_shape: str = "openai"  # how this provider phrases errors; see _error_body
    final_usage_chunk: str = "requested"  # "always" | "requested" | "in_finish" | "never"
    usage_shape: str = "cached"  # "hyperstack" | "cached" | "openai" | "plain"


FACTS = {
    "hyperstack": Facts(
        base_path="/ai/api/v1",
        model="zai-org/GLM-5.2",
        key_header="api_key",
        bearer=False,
        error_shape="message",
        final_usage_chunk="always",
        usage_shape="hyperstack",
    ),
    "cloudflare": Facts(
        base_path="/client/v4/accounts/{account_id}/ai/v1",
        model="@cf/zai-org/glm-5.2",
        error_shape="cloudflare",
    ),
    "nvidia": Facts(
        base_path="/v1",
        model="z-ai/glm-5.2",
        error_shape="detail",
        usage_shape="plain",
    ),
    "ourtoken": Facts(base_path="/v1", model="glm-5.2"),
    "evolink": Facts(
        base_path="/v1",
        model="glm-5.2",
        final_usage_chunk="in_finish",
        usage_shape="plain",
    ),
    "openai": Facts(base_path="/v1", model="glm-5.2", error_shape="string", usage_shape="openai"),
}

PRICES = {"hyperstack": (0.97, 3.06)}  # for Hyperstack's estimated_cost
EVOLINK_EFFORTS = ("max", "xhigh", "high", "medium", "low", "minimal", "none")


@dataclass
class Turn:
    """One scripted reply.

    `tool_calls` holds (name, arguments) pairs; arguments may be a dict or raw text (sent
    as is, so invalid JSON is possible). Content, reasoning and arguments are split into
    pieces of `chunk_size` characters when streamed, to exercise delta assembly. `usage`
    replaces the generated usage object verbatim. `fault` picks a failure from FAULTS;
    `retry_after`, `delay` (slow_first_byte; the pause between pieces for trickle) and
    `cut_after` (events sent before a cut, eof, hang, trickle, error_event or malformed
    chunk) tune it. The streaming-only faults "eof"
    and "error_event" answer a non-streamed request normally.
    """

    content: str = ""
    reasoning: str = ""
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    cached_tokens: int = 0
    chunk_size: int = 4
    fault: str | None = None
    retry_after: str = "0.1"
    delay: float = 1.0
    cut_after: int = 2
    raw: str | None = None  # sent verbatim as the whole body, with content type `raw_type`
    raw_type: str = "application/json"

    def __post_init__(self) -> None:
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; use one of {FAULTS}")

    @property
    def finish(self) -> str:
        if self.fault in ("length", "content_filter"):
            return self.fault
        if self.finish_reason:
            return self.finish_reason
        return "tool_calls" if self.tool_calls else "stop"

    def arguments(self, index: int) -> str:
        if self.fault == "bad_tool_json":
            return '{"path": "a.py", "text": '
        args = self.tool_calls[index][1]
        return args if isinstance(args, str) else json.dumps(args)


@dataclass
class RecordedRequest:
    """What the client sent; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class _Disconnected(Exception):
    """The client closed the connection while we were replying."""


class ProviderServer:
    """One fake provider on 127.0.0.1; see the module docstring."""

    def __init__(
        self,
        dialect: str = "hyperstack",
        *,
        key: str = DEFAULT_KEY,
        account_id: str = DEFAULT_ACCOUNT,
        model: str | None = None,
        auth_header: str = "",
        native_legacy: bool = False,
        prefix_cache: bool = False,
    ) -> None:
        if dialect not in FACTS:
            raise ValueError(f"unknown dialect {dialect!r}")
        self.dialect = dialect
        self.facts = FACTS[dialect]
        self.key = key
        self.account_id = account_id
        self.model = model or self.facts.model
        self.auth_header = auth_header.lower()  # generic dialect: raw key in this header
        self.native_legacy = native_legacy  # Cloudflare native: old {"response": ...} shape
        self.requests: list[RecordedRequest] = []
        self.prefix_cache = prefix_cache
        self.prompts: dict[str, list[str]] = {}  # affinity -> earlier prompts, when caching
        self.disconnects = 0
        self.disconnected = threading.Event()
        self._turns: deque[Turn] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> ProviderServer:
        server = _Server(self)
        self._httpd = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and close every open connection, so nothing outlives the test."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> ProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests use -------------------------------------------------------------

    @property
    def origin(self) -> str:
        assert self._httpd is not None, "start() the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def base_path(self) -> str:
        return self.facts.base_path.replace("{account_id}", self.account_id)

    @property
    def base_url(self) -> str:
        """What GLM_BASE_URL should be: everything before /chat/completions."""
        return self.origin + self.base_path

    @property
    def chat_path(self) -> str:
        return self.base_path + "/chat/completions"

    @property
    def native_path(self) -> str:
        """Cloudflare's /ai/run/<model> route (only served by the cloudflare dialect)."""
        return self.base_path.removesuffix("/v1") + "/run/" + self.model

    @property
    def key_env(self) -> str:
        names = KEY_ENV.get(self.dialect, ())
        return names[0] if names else FALLBACK_KEY_ENV

    def env(self) -> dict[str, str]:
        """Environment variables that point a glm-lsp subprocess at this server."""
        env = {
            "GLM_PROVIDER": self.dialect,
            "GLM_BASE_URL": self.base_url,
            self.key_env: self.key,
            "NO_PROXY": "127.0.0.1,localhost",
        }
        if self.dialect == "cloudflare":
            env["CLOUDFLARE_ACCOUNT_ID"] = self.account_id
        if self.dialect == "openai":
            env["GLM_MODEL"] = self.model
        return env

    def settings(self, **overrides: Any) -> Settings:
        """Settings for an in-process client, with tiny retry delays and short timeouts."""
        values: dict[str, Any] = {
            "provider": self.dialect,
            "base_url": self.base_url,
            "api_key": self.key,
            "account_id": self.account_id,
            "model": self.model if self.dialect == "openai" else "",
            "auth_header": self.auth_header,
            "retry_base_delay": 0.01,
            "retry_max_delay": 0.2,
            "connect_timeout": 2.0,
            "first_byte_timeout": 5.0,
            "chunk_timeout": 5.0,
        }
        values.update(overrides)
        return Settings(**values)

    def script(self, *turns: Turn) -> None:
        """Queue replies, served in order to requests that pass validation."""
        with self._lock:
            self._turns.extend(turns)

    @property
    def pending(self) -> int:
        """Scripted turns not served yet."""
        return len(self._turns)

    def cached_prefix(self, headers: dict[str, str], body: Any) -> tuple[int, int]:
        """(prompt tokens, cached tokens) of a request under the prefix cache rule above;
        the request's prompt joins the cache for the ones after it."""
        prompt = prompt_text(body)
        scope = ""
        if self.dialect == "cloudflare":
            scope = headers.get("x-session-affinity", "")
            if not scope:
                return len(prompt) // 4, 0
        with self._lock:
            earlier = self.prompts.setdefault(scope, [])
            shared = max((_common_prefix(prompt, e) for e in earlier), default=0)
            earlier.append(prompt)
        return len(prompt) // 4, shared // 4

    def wait_for_disconnect(self, timeout: float = 5.0) -> bool:
        return self.disconnected.wait(timeout)

    # --- serving (runs on the handler's thread) ---------------------------------------

    def _next_turn(self) -> Turn:
        with self._lock:
            return self._turns.popleft() if self._turns else Turn(content="ok")

    def handle(self, handler: _Handler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        headers = {name.lower(): value for name, value in handler.headers.items()}
        self.requests.append(RecordedRequest(handler.command, handler.path, headers, body))
        reply = _Reply(self, handler, headers, body)
        try:
            reply.serve()
        except (_Disconnected, BrokenPipeError, ConnectionResetError):
            with self._lock:
                self.disconnects += 1
            self.disconnected.set()
            handler.close_connection = True


class _Reply:
    """Answers one request: validate it, then play the next turn."""

    def __init__(
        self, server: ProviderServer, handler: _Handler, headers: dict[str, str], body: Any
    ) -> None:
        self.server = server
        self.facts = server.facts
        self.handler = handler
        self.headers = headers
        self.body = body
        self.native = server.dialect == "cloudflare" and handler.path == server.native_path
        self.cached = (0, 0)  # prompt and cached tokens, under the prefix cache

    def serve(self) -> None:
        if self.server.prefix_cache and self._problem() is None:
            self.cached = self.server.cached_prefix(self.headers, self.body)
        self._serve()

    def _serve(self) -> None:
        problem = self._problem()
        if problem is not None:
            status, message = problem
            self._send_json(status, _error_body(self.facts.error_shape, status, message))
            return
        turn = self.server._next_turn()
        if turn.raw is not None:
            self._send(200, turn.raw.encode(), turn.raw_type)
            return
        if turn.fault in ("429", "500", "503", "plain_text_error"):
            self._send_fault(turn)
            return
        if turn.fault == "slow_first_byte":
            self._sleep(turn.delay)
        if isinstance(self.body, dict) and self.body.get("stream") is True:
            self._stream(turn)
        else:
            self._whole(turn)

    # --- validation -------------------------------------------------------------------

    def _problem(self) -> tuple[int, str] | None:
        if self.handler.path not in (self.server.chat_path, *self._native_paths()):
            return 404, f"No route for {self.handler.path}"
        received = self._received_key()
        if received != self.server.key:
            return 401, f"Invalid api key: {received or '(none)'}"
        if not isinstance(self.body, dict) or not isinstance(self.body.get("messages"), list):
            return 400, "The body must be a JSON object with a messages array"
        if not self.body["messages"]:
            return 400, "messages must contain at least 1 message"
        model = self.body.get("model")
        if (model is not None or not self.native) and model != self.server.model:
            return 404, f"The model {model!r} does not exist"
        rules = DIALECT_RULES.get(self.server.dialect)
        message = rules(self.body) if rules else None
        return (400, message) if message else None

    def _native_paths(self) -> tuple[str, ...]:
        return (self.server.native_path,) if self.server.dialect == "cloudflare" else ()

    def _received_key(self) -> str:
        header = self.server.auth_header or self.facts.key_header
        value = self.headers.get(header, "")
        if self.facts.bearer and not self.server.auth_header:
            return value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""
        return value

    # --- replies ----------------------------------------------------------------------

    def _send_fault(self, turn: Turn) -> None:
        if turn.fault == "plain_text_error":
            self._send(502, b"Bad Gateway: the upstream model server went away", "text/plain")
            return
        status = int(turn.fault or 500)
        messages = {429: "Rate limit exceeded", 500: "Internal error", 503: "Model overloaded"}
        extra = {"Retry-After": turn.retry_after} if status == 429 else {}
        body = _error_body(self.facts.error_shape, status, messages[status])
        self._send_json(status, body, extra)

    def _whole(self, turn: Turn) -> None:
        if turn.fault == "hang":
            self._wait_for_disconnect()
            return
        if turn.fault == "malformed":
            self._send(200, b'{"id": "chatcmpl-test", "choices": [', "application/json")
            return
        body: Any = self._completion(turn)
        if self.native:
            result = _legacy_result(turn, body["usage"]) if self.server.native_legacy else body
            body = {"result": result, "success": True, "errors": [], "messages": []}
        data = json.dumps(body).encode()
        if turn.fault == "cut":
            self._start(200, "application/json", {"Content-Length": str(len(data))})
            self._write(data[: len(data) // 2])
            self._drop_connection()
            return
        self._send(200, data, "application/json")

    def _stream(self, turn: Turn) -> None:
        events = [json.dumps(chunk) for chunk in self._chunks(turn)] + ["[DONE]"]
        self._start(200, "text/event-stream", {"Transfer-Encoding": "chunked"})
        for number, data in enumerate(events):
            if number == turn.cut_after and self._stream_fault(turn):
                return
            self._write_chunk(f"data: {data}\n\n".encode())
        self._write_chunk(b"")

    def _stream_fault(self, turn: Turn) -> bool:
        """Play a streaming fault after `cut_after` events; True when the reply ends there."""
        if turn.fault == "cut":  # the network drops: no end of the chunked body
            self._drop_connection()
        elif turn.fault == "eof":  # a clean end of the body, but no finish_reason or [DONE]
            self._write_chunk(b"")
        elif turn.fault == "hang":
            self._wait_for_disconnect(keepalive=True)
        elif turn.fault == "error_event":  # an error reported inside the stream
            error = _error_body("openai", 500, "The model crashed mid-reply")
            self._write_chunk(f"data: {json.dumps(error)}\n\n".encode())
            self._write_chunk(b"")
        elif turn.fault == "malformed":
            self._write_chunk(b'data: {"choices": [{"delta": {"content": "x"\n\n')
            return False
        elif turn.fault == "trickle":  # one small piece every `delay` seconds, never ending
            self._trickle(turn.delay)
        else:
            return False
        return True

    def _completion(self, turn: Turn) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": turn.content or None}
        if turn.reasoning:
            message["reasoning_content"] = turn.reasoning
        if turn.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{index}",
                    "type": "function",
                    "function": {"name": name, "arguments": turn.arguments(index)},
                }
                for index, (name, _) in enumerate(turn.tool_calls)
            ]
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.server.model,
            "choices": [{"index": 0, "message": message, "finish_reason": turn.finish}],
            "usage": self._usage(turn),
        }

    def _chunks(self, turn: Turn) -> list[dict[str, Any]]:
        """The reply as OpenAI chunks, each text split into chunk_size pieces."""
        if self.native and self.server.native_legacy:
            pieces = [{"response": p} for p in _split(turn.content, turn.chunk_size)]
            return pieces + [{"response": "", "usage": self._usage(turn)}]
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"reasoning_content": p} for p in _split(turn.reasoning, turn.chunk_size)]
        deltas += [{"content": p} for p in _split(turn.content, turn.chunk_size)]
        for index, (name, _) in enumerate(turn.tool_calls):
            start = {
                "index": index,
                "id": f"call_{index}",
                "type": "function",
                "function": {"name": name, "arguments": ""},
            }
            deltas.append({"tool_calls": [start]})
            for piece in _split(turn.arguments(index), turn.chunk_size):
                deltas.append({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        chunks = [self._chunk(delta) for delta in deltas]
        finish = self._chunk({}, turn.finish)
        usage = self._usage(turn)
        when = self.facts.final_usage_chunk
        requested = bool((self.body.get("stream_options") or {}).get("include_usage"))
        if when == "in_finish":
            finish["usage"] = usage
        chunks.append(finish)
        if when == "always" or (when == "requested" and requested):
            chunks.append({**self._chunk({}), "choices": [], "usage": usage})
        return chunks

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.server.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def _usage(self, turn: Turn) -> dict[str, Any]:
        if turn.usage is not None:
            return turn.usage
        prompt = max(1, len(json.dumps(self.body.get("messages", []))) // 4)
        cached = turn.cached_tokens
        if self.server.prefix_cache:
            prompt, cached = self.cached
            prompt, cached = max(1, prompt), max(cached, turn.cached_tokens)
        reasoning = len(turn.reasoning) // 4
        arguments = sum(len(turn.arguments(i)) for i in range(len(turn.tool_calls)))
        completion = max(1, (len(turn.content) + len(turn.reasoning) + arguments) // 4)
        return _usage_shape(
            self.facts.usage_shape,
            self.server.dialect,
            prompt,
            completion,
            reasoning,
            cached,
        )

    # --- the wire ---------------------------------------------------------------------

    def _start(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        self.handler.send_response(status)
        self.handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.handler.send_header(name, value)
        self.handler.end_headers()
        self.handler.wfile.flush()

    def _send(
        self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self._start(status, content_type, {"Content-Length": str(len(data)), **(headers or {})})
        self._write(data)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _write(self, data: bytes) -> None:
        self.handler.wfile.write(data)
        self.handler.wfile.flush()

    def _write_chunk(self, data: bytes) -> None:
        """One piece of a chunked (Transfer-Encoding) body; b"" ends the body."""
        self._write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _drop_connection(self) -> None:
        """Cut the connection mid-reply, as a network failure would."""
        self.handler.close_connection = True
        self.handler.connection.shutdown(socket.SHUT_RDWR)

    def _client_gone(self, wait: float) -> bool:
        """Wait up to `wait` seconds; True if the client closed its end meanwhile."""
        sock = self.handler.connection
        readable, _, _ = select.select([sock], [], [], wait)
        try:
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.server._stopping.is_set():
            if self._client_gone(min(0.05, max(0.0, deadline - time.monotonic()))):
                raise _Disconnected

    def _trickle(self, every: float) -> None:
        """Send a one-character content chunk every `every` seconds until the client hangs
        up (or HANG_LIMIT): each piece is on time, the reply never ends."""
        deadline = time.monotonic() + HANG_LIMIT
        piece = json.dumps(self._chunk({"content": "."}))
        while time.monotonic() < deadline and not self.server._stopping.is_set():
            if self._client_gone(every):
                raise _Disconnected
            self._write_chunk(f"data: {piece}\n\n".encode())
        self.handler.close_connection = True

    def _wait_for_disconnect(self, keepalive: bool = False) -> None:
        """Send nothing more (or only SSE comments) until the client hangs up."""
        deadline = time.monotonic() + HANG_LIMIT
        while time.monotonic() < deadline and not self.server._stopping.is_set():
            if self._client_gone(0.05):
                raise _Disconnected
            if keepalive:
                self._write_chunk(b": keepalive\n\n")
        self.handler.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections are closed by ProviderServer.stop()

    def __init__(self, provider: ProviderServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.provider = provider

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client closing an idle keep-alive connection is normal, not worth a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError | OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so client connection pooling is exercised
    disable_nagle_algorithm = True  # as real servers do: a body's last small write is not held
    server: _Server

    @property
    def provider(self) -> ProviderServer:
        return self.server.provider

    def setup(self) -> None:
        super().setup()
        with self.provider._lock:
            self.provider._connections.add(self.connection)

    def finish(self) -> None:
        with self.provider._lock:
            self.provider._connections.discard(self.connection)
        super().finish()

    def do_POST(self) -> None:
        self.provider.handle(self)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr lines."""


# --- provider rules ---------------------------------------------------------------------


def _in_range(value: Any, low: float, high: float, decimals: int | None = None) -> bool:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if decimals is not None and round(value, decimals) != value:
        return False
    return low <= value <= high


def _evolink_rule(body: dict[str, Any]) -> str | None:
    """Evolink's documented request limits; the first one broken is reported."""
    checks = [
        (
            "temperature" in body and not _in_range(body["temperature"], 0, 1, 2),
            "temperature must be in [0.0, 1.0] with at most two decimals",
        ),
        (
            "top_p" in body and not _in_range(body["top_p"], 0.01, 1, 2),
            "top_p must be in [0.01, 1.0] with at most two decimals",
        ),
        (
            "max_tokens" in body
            and not (isinstance(body["max_tokens"], int) and 1 <= body["max_tokens"] <= 131072),
            "max_tokens must be between 1 and 131072",
        ),
        (
            isinstance(body.get("stop"), list) and len(body["stop"]) > 1,
            "only a single stop word is supported",
        ),
        ("tool_choice" in body and body["tool_choice"] != "auto", "tool_choice only supports auto"),
        (len(body.get("tools") or []) > 128, "at most 128 tools are supported"),
        (
            "reasoning_effort" in body and body["reasoning_effort"] not in EVOLINK_EFFORTS,
            "reasoning_effort must be one of " + ", ".join(EVOLINK_EFFORTS),
        ),
        (
            "thinking" in body
            and not (
                isinstance(body["thinking"], dict)
                and body["thinking"].get("type") in ("enabled", "disabled")
            ),
            'thinking must be {"type": "enabled"} or {"type": "disabled"}',
        ),
    ]
    return next((message for broken, message in checks if broken), None)


def _nvidia_rule(body: dict[str, Any]) -> str | None:
    """NVIDIA lists function calling as not supported for GLM-5.2."""
    if "tools" in body or "tool_choice" in body:
        return "Function calling is not supported for this model"
    return None


def _cloudflare_rule(body: dict[str, Any]) -> str | None:
    if "temperature" in body and not _in_range(body["temperature"], 0, 2):
        return "temperature must be between 0 and 2"
    return None


DIALECT_RULES = {"evolink": _evolink_rule, "nvidia": _nvidia_rule, "cloudflare": _cloudflare_rule}


# --- shapes -----------------------------------------------------------------------------


def _error_body(shape: str, status: int, message: str) -> Any:
    """The same error phrased the way each provider (or server family) phrases errors."""
    if shape == "cloudflare":
        errors = [{"code": 10000 + status, "message": message}]
        return {"result": None, "success": False, "errors": errors, "messages": []}
    if shape == "message":
        return {"message": message}
    if shape == "detail":
        return {"status": status, "title": "Error", "detail": message}
    if shape == "string":
        return {"error": message}
    return {"error": {"message": message, "type": "invalid_request_error", "code": status}}


def _usage_shape(
    shape: str, dialect: str, prompt: int, completion: int, reasoning: int, cached: int
) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    if shape == "hyperstack":
        price_in, price_out = PRICES[dialect]
        usage["estimated_cost"] = (prompt * price_in + completion * price_out) / 1_000_000
        usage["prompt_tokens_details"] = None
        usage["reasoning_tokens"] = reasoning
    elif shape in ("cached", "openai"):
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    if shape == "openai":
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def _legacy_result(turn: Turn, usage: dict[str, Any]) -> dict[str, Any]:
    """Cloudflare's older native result: the text in `response`, calls as name/arguments."""
    result: dict[str, Any] = {"response": turn.content, "usage": usage}
    if turn.tool_calls:
        result["tool_calls"] = [
            {"name": name, "arguments": json.loads(turn.arguments(index))}
            for index, (name, _) in enumerate(turn.tool_calls)
        ]
    return result


def prompt_text(body: Any) -> str:
    """What a provider tokenizes, in order: the tool schemas, then each message."""
    tools = body.get("tools") or [] if isinstance(body, dict) else []
    messages = body.get("messages") or [] if isinstance(body, dict) else []
    parts = [json.dumps(tool, separators=(",", ":")) for tool in tools]
    parts += [json.dumps(message, separators=(",", ":")) for message in messages]
    return "".join(parts)


def _common_prefix(a: str, b: str) -> int:
    """Characters `a` and `b` share at their start."""
    low, high = 0, min(len(a), len(b))
    while low < high:  # binary search on slices: fast on long prompts
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _split(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def main() -> None:
    """Serve one dialect until interrupted: `python tests/provider_server.py cloudflare`."""
    dialect = sys.argv[1] if len(sys.argv) > 1 else "hyperstack"
    with ProviderServer(dialect) as server:
        for name, value in server.env().items():
            print(f"export {name}={value}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
