"""Reading LSP frames from the editor so that one bad frame never makes the server deaf.

pygls' reader accepts only `Content-Length: N\\r\\n` exactly; after a frame with a length
of `abc`, a negative or short length, or LF-only headers, it reads the next body as a
header line and never finds its footing again. This reader accepts what is readable (LF
line ends, any case, spaces), skips what is not, and finds the next `Content-Length:`
header even when it was glued to the remains of a broken frame.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

MAX_FRAME = 256 * 1024 * 1024  # a larger Content-Length is a broken frame, not a message
HEADER = b"content-length:"
_LENGTH = re.compile(rb"^content-length:[ \t]*(\S*)[ \t]*$", re.IGNORECASE)


@dataclass
class FrameReader:
    """Frames from `reader`: `await next_body()` is the next body, or None at the end."""

    reader: asyncio.StreamReader
    _pending: bytearray = field(default_factory=bytearray)  # read ahead, not yet consumed
    skipped: int = 0  # malformed frames skipped so far

    async def next_body(self) -> bytes | None:
        length: int | None = None
        while True:
            line = await self._readline()
            if line is None:
                return None
            stripped = line.strip()
            if not stripped:  # the blank line ending the headers
                if length is not None:
                    return await self._body(length)
                continue
            start = line.lower().find(HEADER)
            if start > 0:  # the remains of a broken frame, then a header
                self._skip("text before a header")
                line, length = line[start:], None
            elif start < 0:
                if b":" not in stripped or length is None and stripped.startswith(b"{"):
                    self._skip("a line that is not a header")
                continue  # other headers (Content-Type) are ignored
            match = _LENGTH.match(line.strip())
            value = match.group(1) if match else b""
            length = int(value) if value.isdigit() and int(value) <= MAX_FRAME else None
            if length is None:
                self._skip(f"Content-Length {value[:20]!r}")

    async def _body(self, length: int) -> bytes | None:
        body = await self._read(length)
        if body is None:
            return None
        if not _truncated(body):
            return body
        start = body.lower().find(HEADER)
        if start >= 0:  # a wrong length: the next frame began inside this body
            self._skip("a body that does not match its Content-Length")
            self._pending[:0] = body[start:]
            return b""
        return body

    def _skip(self, what: str) -> None:
        self.skipped += 1
        log.warning("skipped a malformed frame from the editor (%s)", what)

    async def _readline(self) -> bytes | None:
        while True:
            end = self._pending.find(b"\n")
            if end >= 0:
                line = bytes(self._pending[: end + 1])
                del self._pending[: end + 1]
                return line
            if len(self._pending) > MAX_FRAME:  # no line end in sight: drop it
                self._skip("an endless line")
                self._pending.clear()
            chunk = await self.reader.read(65536)
            if not chunk:
                return bytes(self._pending) if self._pending else None
            self._pending += chunk

    async def _read(self, length: int) -> bytes | None:
        while len(self._pending) < length:
            chunk = await self.reader.read(max(65536, length - len(self._pending)))
            if not chunk:
                return None
            self._pending += chunk
        body = bytes(self._pending[:length])
        del self._pending[:length]
        return body


def _truncated(text: bytes) -> bool:
    """Whether `text` is not one whole JSON value."""
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return True
    return False


@dataclass(frozen=True)
class Unreadable:
    """A whole frame that holds no JSON-RPC message: JSON-RPC answers it with id null."""

    code: int  # -32700 parse error, -32600 invalid request
    message: str


def parse_body(body: bytes) -> dict[str, Any] | Unreadable | None:
    """The JSON object of a frame; what is wrong with it when it is not one; None for an
    empty body (the remains of a broken frame, already reported)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        if not body:
            return None
        log.warning("a frame that is not JSON (%d bytes)", len(body))
        return Unreadable(-32700, "Parse error: the message is not valid JSON.")
    if not isinstance(data, dict):
        log.warning("a frame that is not a JSON object")
        what = "a batch (a JSON array), which LSP does not use" if isinstance(data, list) else ""
        return Unreadable(-32600, f"Invalid request: the message is {what or 'not a JSON object'}.")
    return data


async def read_messages(
    reader: asyncio.StreamReader,
    handle: Callable[[dict[str, Any]], None],
    stop: Any,
    refuse: Callable[[Unreadable], None],
) -> None:
    """Hand every readable message to `handle` and every unreadable whole frame to `refuse`,
    until the stream ends or `stop` is set."""
    frames = FrameReader(reader)
    while not stop.is_set():
        body = await frames.next_body()
        if body is None:
            return
        data = parse_body(body)
        if data is None:
            continue
        try:
            handle(data) if isinstance(data, dict) else refuse(data)
        except Exception:  # one message must never end the server
            log.exception("could not handle a message from the editor")
