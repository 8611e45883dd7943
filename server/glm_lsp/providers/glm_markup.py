"""Tool calls that GLM wrote as text instead of as structured `tool_calls`.

GLM's chat template renders a call as

    <tool_call>NAME<arg_key>KEY</arg_key><arg_value>VALUE</arg_value>...</tool_call>

and when a provider's tool parser misses it (or tools were not declared) that markup
arrives inside `content`. This module finds such calls so the client can hand them to the
agent as ordinary tool calls, and keeps them out of the text the user sees while a reply
streams. Values that are JSON non-strings (3, true, {...}) decode as JSON; everything
else, including text that happens to be a quoted JSON string, stays the literal text.
Some models write the body as JSON (`{"name": ..., "arguments": {...}}`); that is
accepted too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

OPEN = "<tool_call>"
CLOSE = "</tool_call>"
_BLOCK = re.compile(re.escape(OPEN) + r"(.*?)" + re.escape(CLOSE), re.DOTALL)
_ARG = re.compile(r"<arg_key>(.*?)</arg_key>\s*<arg_value>(.*?)</arg_value>", re.DOTALL)
_NAME = re.compile(r"[\w.\-]+")
_TAG = re.compile(r"<(/?)(tool_call|arg_key|arg_value)>")


@dataclass(frozen=True)
class MarkupCall:
    """One call found in text; `arguments` is already decoded."""

    name: str
    arguments: dict[str, Any]


def unpaired_tag(value: str) -> str | None:
    """The first call-markup tag in an argument `value` that does not pair up, or None.

    A parser that loses its place in GLM's markup hands on values such as
    ``x</arg_value><arg_key>replace_all</arg_key><arg_value>true``: the tags of the call
    itself, cut where they do not nest. Markup the model means to write (a test fixture,
    this very module) nests, so it passes.
    """
    opened: list[str] = []
    for match in _TAG.finditer(value):
        closing, name = match.group(1), match.group(2)
        if not closing:
            opened.append(name)
        elif opened and opened[-1] == name:
            opened.pop()
        else:
            return match.group(0)
    return f"<{opened[-1]}>" if opened else None


def split_tool_calls(text: str) -> tuple[str, list[MarkupCall]]:
    """Return the text without well-formed call blocks, and the calls in order.

    A block whose body cannot be read as a call is left in the text untouched, so nothing
    the model wrote is silently lost.
    """
    calls: list[MarkupCall] = []

    def take(match: re.Match[str]) -> str:
        call = parse_block(match.group(1))
        if call is None:
            return match.group(0)
        calls.append(call)
        return ""

    remaining = _BLOCK.sub(take, text)
    return (remaining.strip() if calls else text), calls


def parse_block(body: str) -> MarkupCall | None:
    """Read what is between <tool_call> and </tool_call>, or None if it is not a call."""
    stripped = body.strip()
    if stripped.startswith("{"):
        return _parse_json_block(stripped)
    name, _, _ = stripped.partition("<arg_key>")
    name = name.strip()
    if not _NAME.fullmatch(name):
        return None
    arguments = {key.strip(): decode_value(value) for key, value in _ARG.findall(body)}
    return MarkupCall(name, arguments)


def decode_value(raw: str) -> Any:
    """JSON numbers, booleans, null, objects and arrays decode; anything else stays text."""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return raw if isinstance(value, str) else value


def _parse_json_block(text: str) -> MarkupCall | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    arguments = value.get("arguments", value.get("parameters", {}))
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except ValueError:
            return None
    if not isinstance(arguments, dict):
        return None
    return MarkupCall(value["name"], arguments)


class MarkupFilter:
    """Streams content through while holding back anything that may be a call block.

    `feed` returns ("content", text) and ("tool_call", name) pieces in order; text that
    could still turn out to be the start of `<tool_call>` is held until it is decided.
    `flush` releases whatever is held at the end of the reply (an unfinished block is
    shown as text, matching `split_tool_calls`).
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> list[tuple[str, str]]:
        self._held += text
        out: list[tuple[str, str]] = []
        while self._held:
            start = self._held.find(OPEN)
            if start < 0:
                keep = _partial_prefix(self._held, OPEN)
                out.append(("content", self._held[: len(self._held) - keep]))
                self._held = self._held[len(self._held) - keep :]
                break
            if start > 0:
                out.append(("content", self._held[:start]))
                self._held = self._held[start:]
            end = self._held.find(CLOSE)
            if end < 0:
                break  # wait for the rest of the block
            block = self._held[: end + len(CLOSE)]
            self._held = self._held[end + len(CLOSE) :]
            call = parse_block(block[len(OPEN) : -len(CLOSE)])
            out.append(("tool_call", call.name) if call else ("content", block))
        return [(kind, piece) for kind, piece in out if piece]

    def flush(self) -> list[tuple[str, str]]:
        held, self._held = self._held, ""
        return [("content", held)] if held else []


def _partial_prefix(text: str, marker: str) -> int:
    """Length of the longest end of `text` that is a proper start of `marker`."""
    for size in range(min(len(marker) - 1, len(text)), 0, -1):
        if text.endswith(marker[:size]):
            return size
    return 0
