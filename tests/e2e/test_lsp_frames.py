"""The real server process fed raw bytes: malformed frames, wrong params, lifecycle abuse
and a seeded fuzzer. Every request gets exactly one reply, and the server stays able to
answer a valid request afterwards."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import child_env, make_repo

FUZZ_CASES = int(os.environ.get("GLM_FUZZ_FRAME_CASES", "400"))
INTERNAL = ("Traceback", "KeyError", "structuring", "sub-exception", "NoneType", "cattrs")


def frame(message: Any) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def request(msg_id: int, method: str, params: Any = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


class RawServer:
    """glm-lsp serve as a process; replies to our requests are collected by id."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "glm_lsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=child_env(
                {
                    "GLM_PROVIDER": "openai",
                    "GLM_BASE_URL": "http://127.0.0.1:9",
                    "GLM_MODEL": "glm-5.2",
                    "GLM_API_KEY": "fuzz-key-0123456789",
                }
            ),
            cwd=cwd,
        )
        self.replies: dict[Any, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(stream.read(length))
            if "id" in message and "method" not in message:
                with self.lock:
                    self.replies.setdefault(message["id"], []).append(message)

    def send(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def reply(self, msg_id: Any, timeout: float = 15) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if msg_id in self.replies:
                    return self.replies[msg_id][0]
            time.sleep(0.01)
        raise AssertionError(f"no reply to request {msg_id}")

    def initialize(self, root: Path) -> None:
        uri = root.as_uri()
        params = {
            "capabilities": {},
            "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": "ws"}],
        }
        self.send(frame(request(1, "initialize", params)))
        assert "result" in self.reply(1)
        self.send(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))

    def answers_within(self, msg_id: Any, timeout: float) -> bool:
        """Whether request `msg_id` has its reply, waiting up to `timeout` seconds for it."""
        try:
            self.reply(msg_id, timeout)
        except AssertionError:
            return False
        return True

    def usage_answered(self, msg_id: int) -> bool:
        """A valid request still gets its result."""
        params = {"command": "glm.usage", "arguments": [{}]}
        self.send(frame(request(msg_id, "workspace/executeCommand", params)))
        return "result" in self.reply(msg_id)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "ws", {"app/main.py": "def main():\n    return 1\n"})


@pytest.fixture
def server(root: Path) -> Iterator[RawServer]:
    raw = RawServer(root)
    yield raw
    raw.close()


def test_requests_before_initialize_and_a_second_initialize_are_refused(
    server: RawServer, root: Path
) -> None:
    server.send(
        frame(request(7, "workspace/executeCommand", {"command": "glm.usage", "arguments": [{}]}))
    )
    assert server.reply(7)["error"] == {
        "code": -32002,
        "message": "The server is not initialized yet; send initialize first.",
    }
    server.initialize(root)
    server.send(frame(request(8, "initialize", {"capabilities": {}, "rootUri": None})))
    assert server.reply(8)["error"] == {
        "code": -32600,
        "message": "The server is already initialized; a second initialize is refused.",
    }
    uri = (root / "app/main.py").as_uri()
    open_ = {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x\n"}}
    server.send(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open_}))
    params = {"command": "glm.sessions", "arguments": [{}]}
    server.send(frame(request(9, "workspace/executeCommand", params)))
    assert server.reply(9)["result"] == []  # the first workspace folder is still the one


MALFORMED = {
    "letters": b"Content-Length: abc\r\n\r\n{}",
    "negative": b"Content-Length: -5\r\n\r\n{}",
    "short": b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0", "id": 50, "method": "shutdown"}',
    "long": b'Content-Length: 90\r\n\r\n{"jsonrpc": "2.0", "id": 51, "method": "shutdown"}',
    "not json": b"Content-Length: 3\r\n\r\nabc",
    "no header": b'{"jsonrpc": "2.0"}\r\n',
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_a_malformed_frame_is_skipped_and_the_next_one_answered(
    server: RawServer, root: Path, kind: str
) -> None:
    server.initialize(root)
    server.send(MALFORMED[kind])
    assert server.usage_answered(2)
    assert server.usage_answered(3)


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            b'{"jsonrpc": "2.0", "id": 60, "method": "shutdown"',
            -32700,
            "Parse error: the message is not valid JSON.",
        ),
        (
            b'[{"jsonrpc": "2.0", "id": 61, "method": "shutdown"}]',
            -32600,
            "Invalid request: the message is a batch (a JSON array), which LSP does not use.",
        ),
    ],
)
def test_a_frame_without_a_readable_message_is_answered_with_a_null_id(
    server: RawServer, root: Path, body: bytes, code: int, message: str
) -> None:
    server.initialize(root)
    server.send(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert server.reply(None) == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {"code": code, "message": message},
    }
    assert server.usage_answered(2)


def test_lf_only_headers_are_read(server: RawServer, root: Path) -> None:
    server.initialize(root)
    body = json.dumps(
        request(4, "workspace/executeCommand", {"command": "glm.usage", "arguments": [{}]})
    ).encode()
    server.send(b"content-length: %d\n\n" % len(body) + body)
    assert "result" in server.reply(4)


WRONG_PARAMS = [
    ("textDocument/codeAction", None, "codeAction are not valid: required field missing @ params."),
    (
        "textDocument/codeAction",
        {"textDocument": {}},
        "required field missing @ params.textDocument.uri",
    ),
    (
        "textDocument/codeAction",
        {
            "textDocument": {"uri": "file:///x.py"},
            "range": {
                "start": {"line": -5, "character": 0},
                "end": {"line": 2**63, "character": 0},
            },
            "context": {"diagnostics": []},
        },
        "invalid value @ params.range.start; invalid value @ params.range.end.",
    ),
    (
        "workspace/executeCommand",
        {
            "command": "glm.edit",
            "arguments": [
                {
                    "uri": "file:///x.py",
                    "range": {"start": {"line": -1, "character": 0}, "end": 0},
                }
            ],
        },
        "The params of glm.edit are not valid: invalid value @ range.start",
    ),
    (
        "workspace/executeCommand",
        {"command": "glm.edit", "arguments": [{"instruction": "x"}]},
        "The params of glm.edit are not valid: required field missing @ uri.",
    ),
    ("workspace/executeCommand", {"command": "glm.nope"}, "There is no command 'glm.nope'."),
]


def test_wrong_params_get_invalid_params_naming_what_was_wrong(
    server: RawServer, root: Path
) -> None:
    server.initialize(root)
    for number, (method, params, _) in enumerate(WRONG_PARAMS, start=100):
        server.send(frame(request(number, method, params)))
    for number, (method, _, words) in enumerate(WRONG_PARAMS, start=100):
        error = server.reply(number)["error"]
        assert error["code"] == -32602, (method, error)
        assert words in error["message"], error["message"]
        assert not any(word in error["message"] for word in INTERNAL), error["message"]
    assert server.usage_answered(2)


# --- the fuzzer ---------------------------------------------------------------------------

METHODS = [
    "textDocument/codeAction",
    "codeAction/resolve",
    "workspace/executeCommand",
    "textDocument/didOpen",
    "textDocument/didChange",
    "$/cancelRequest",
    "no/such/method",
    "initialize",
]
VALUES: list[Any] = [None, -5, 2**63, "x", "file:///nope.py", [], {}, True, 1.5, {"a": [1]}]


def _params(rng: random.Random, root: Path) -> Any:
    uri = (root / "app/main.py").as_uri()
    position = {"line": rng.choice([0, 1, 400, -1, 2**31]), "character": rng.choice([0, 3, 10**6])}
    base: dict[str, Any] = {
        "textDocument": {"uri": rng.choice([uri, "file:///elsewhere.py", 5]), "version": 1},
        "range": {"start": position, "end": position},
        "context": {"diagnostics": []},
        "command": rng.choice(["glm.usage", "glm.cancel", "glm.reindex", "glm.sessions", "glm.x"]),
        "arguments": rng.choice([[], [{}], [{"task": "t"}], "x"]),
        "contentChanges": [{"text": "y\n"}],
        "id": rng.randrange(1000),
    }
    for key in rng.sample(list(base), rng.randrange(3)):
        base[key] = rng.choice(VALUES)
    return rng.choice([base, base, base, rng.choice(VALUES)])


def _fuzz_frame(rng: random.Random, msg_id: int, root: Path) -> tuple[bytes, bool]:
    """One random frame, and whether it is a well-framed request that must be answered."""
    message = request(msg_id, rng.choice(METHODS), _params(rng, root))
    if message["method"] in ("textDocument/didOpen", "textDocument/didChange", "$/cancelRequest"):
        del message["id"]
    body = json.dumps(message).encode()
    mutation = rng.randrange(10)
    if mutation == 0:  # a byte flipped somewhere in the body
        index = rng.randrange(len(body))
        body = body[:index] + bytes([rng.randrange(256)]) + body[index + 1 :]
        return b"Content-Length: %d\r\n\r\n" % len(body) + body, False
    if mutation == 1:  # a wrong length
        wrong = rng.choice([b"abc", b"-5", b"0", str(len(body) - 3).encode(), b"99999999999999"])
        return b"Content-Length: " + wrong + b"\r\n\r\n" + body, False
    if mutation == 2:  # no header at all
        return body + b"\r\n", False
    if mutation == 3:  # nested too deeply to parse: skipped like any unreadable frame
        deep = json.dumps({**message, "params": 0}).replace(
            ": 0}", ": " + "[" * 5000 + "]" * 5000 + "}"
        )
        return b"Content-Length: %d\r\n\r\n" % len(deep) + deep.encode(), False
    return frame(message), "id" in message and message["method"] != "initialize"


def test_random_frames_never_crash_or_silence_the_server(server: RawServer, root: Path) -> None:
    rng = random.Random(13)
    server.initialize(root)
    must_answer = []
    for number in range(1000, 1000 + FUZZ_CASES):
        data, answered = _fuzz_frame(rng, number, root)
        server.send(data)
        if answered:
            must_answer.append(number)
    assert server.usage_answered(2)  # still answering, after everything
    # Requests that start work (a resolve, a task) may answer after the quick glm.usage.
    unanswered = [n for n in must_answer if not server.answers_within(n, 30)]
    doubled = [n for n, replies in server.replies.items() if n is not None and len(replies) > 1]
    # (id null: one reply per frame without a readable message)
    leaked = [
        r[0]["error"]["message"]
        for r in server.replies.values()
        if "error" in r[0] and any(word in r[0]["error"]["message"] for word in INTERNAL)
    ]
    assert (unanswered, doubled, leaked, server.process.poll()) == ([], [], [], None)
