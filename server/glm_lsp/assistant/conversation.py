"""A chat session laid out for the provider's prompt cache.

A provider caches the longest prefix a request shares with an earlier one, so a chat turn
sends the stable parts first and never rewrites what it sent before: the system prompt and
project rules, then the repository context as of the session's first turn, then the
conversation, then the new question. What changed since the context was built (edited
files, another file or selection in view) follows as a short update message just before
the question, and stays where it was in every later turn. The context is rebuilt, once,
only when it no longer fits: the updates outgrew a quarter of it, the user moved to a file
outside the context's folder that it does not show, or the conversation grew so long that
context and conversation no longer fit the window together (then it is rebuilt smaller).
From then on the new context is the stable one.

The `Basis` remembers what the context and the updates showed the model (the texts of the
files it saw), so the next turn can say what changed as a diff.
"""

from __future__ import annotations

import difflib
import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from glm_lsp.context.assemble import RELATED_HEADING, AssembledContext
from glm_lsp.context.outline import fence
from glm_lsp.providers.types import Message
from glm_lsp.store import CONVERSATION, Stored

CONTEXT = "context"
UPDATE = "update"
UPDATES_SHARE = 4  # updates may grow to 1/UPDATES_SHARE of the context before a rebuild

Reader = Callable[[str], str | None]  # a file's text as the model may see it, None if gone


@dataclass
class Basis:
    """What the model was shown: the file in view, the selection, the files' texts."""

    path: str | None
    lines: tuple[int, int] | None
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text as shown
    context_chars: int = 0
    update_chars: int = 0  # of the updates sent since the context

    def to_json(self) -> str:
        return json.dumps(
            {
                "path": self.path,
                "lines": list(self.lines) if self.lines else None,
                "files": self.files,
                "context_chars": self.context_chars,
                "update_chars": self.update_chars,
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> Basis | None:
        if not text:
            return None
        data = json.loads(text)
        lines = data.get("lines")
        return cls(
            data.get("path"),
            (int(lines[0]), int(lines[1])) if lines else None,
            {str(k): str(v) for k, v in (data.get("files") or {}).items()},
            int(data.get("context_chars") or 0),
            int(data.get("update_chars") or 0),
        )


@dataclass(frozen=True)
class Plan:
    """What one turn adds before its question, and the basis after it."""

    entries: list[Stored]
    basis: Basis | None


def context_message(context: AssembledContext) -> str:
    """The context as the session's stable message: every section but the question, which
    goes in its own message after the conversation."""
    return "\n\n".join(s.text for s in context.sections if s.key != "instruction")


def basis_for(
    context: AssembledContext, text: str, path: str, lines: tuple[int, int] | None, read: Reader
) -> Basis:
    """The basis of a fresh context: the file in view and every related file it shows."""
    files = {path: text}
    for section in context.sections:
        if section.key not in ("related", "more_related"):
            continue
        for line in section.text.splitlines():
            if line.startswith(RELATED_HEADING):
                rel = line.removeprefix(RELATED_HEADING)
                shown = read(rel)
                if shown is not None:
                    files[rel] = shown
    message = context_message(context)
    return Basis(path, lines, files, len(message), 0)


def needs_rebuild(basis: Basis | None, path: str | None, size: int = 0) -> bool:
    """Whether this turn must build a new context instead of sending an update; `size` is
    the characters of the file in view (only asked for when the context does not show it)."""
    if path is None:
        return False
    if basis is None or basis.path is None:
        return True
    if basis.update_chars * UPDATES_SHARE > basis.context_chars:
        return True  # the updates outgrew the context: fold them into a new one
    if path in basis.files:
        return False
    if (basis.update_chars + size) * UPDATES_SHARE > basis.context_chars:
        return True  # the new file would make the update outgrow it
    return posixpath.dirname(path) != posixpath.dirname(basis.path)


def update(basis: Basis, path: str | None, lines: tuple[int, int] | None, read: Reader) -> Plan:
    """The update message for what changed since `basis` (none when nothing did)."""
    parts: list[str] = []
    files = dict(basis.files)
    diffs = []
    for rel in sorted(files):
        now = read(rel)
        if now is None:
            diffs.append(f"{rel} was deleted.")
            del files[rel]
        elif now != files[rel]:
            diffs.append(_diff(rel, files[rel], now))
            files[rel] = now
    if diffs:
        parts.append("## Changes since you were shown these files\n" + "\n".join(diffs))
    moved = path is not None and (path, lines) != (basis.path, basis.lines)
    if moved and path is not None:
        text = files.get(path)
        new_file = text is None
        if text is None:
            text = read(path) or ""
            files[path] = text
            parts.append(f"## File now in view: {path}\n{fence(text)}")
        if lines is not None:
            body = "".join(text.splitlines(keepends=True)[lines[0] - 1 : lines[1]])
            where = f"line {lines[0]}" if lines[0] == lines[1] else f"lines {lines[0]}-{lines[1]}"
            parts.append(f"## Selection now: {where} of {path}\n{fence(body)}")
        elif path != basis.path and not new_file:
            parts.append(f"## Now in view: {path}")
    if not parts:
        return Plan([], basis)
    message = "\n\n".join(parts)
    after = Basis(
        path if path is not None else basis.path,
        lines if path is not None else basis.lines,
        files,
        basis.context_chars,
        basis.update_chars + len(message),
    )
    return Plan([Stored(Message("user", message), UPDATE)], after)


def _diff(rel: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"a/{rel}",
        f"b/{rel}",
    )
    body = fence("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    ticks = body[: body.index("\n")]
    return f"{ticks}diff{body[len(ticks) :]}"


def layout(stored: list[Stored]) -> list[Message]:
    """The messages a turn sends before its question: the latest context first, then the
    conversation (questions and final answers; old tool exchanges and reasoning stay home)
    with the updates sent since that context where they were sent. Earlier contexts and
    their updates are gone: the latest context replaced them."""
    latest = max((i for i, s in enumerate(stored) if s.kind == CONTEXT), default=-1)
    messages = [stored[latest].message] if latest >= 0 else []
    for index, entry in enumerate(stored):
        if entry.kind == UPDATE and index > latest:
            messages.append(entry.message)
        elif entry.kind == CONVERSATION and _replayed(entry.message):
            messages.append(Message(role=entry.message.role, content=entry.message.content))
    return messages


def conversation_chars(stored: list[Stored]) -> int:
    """Characters a turn re-sends besides its context: the conversation and the updates."""
    sent = layout(stored)
    has_context = any(s.kind == CONTEXT for s in stored)
    return sum(len(m.content or "") for m in sent[1 if has_context else 0 :])


def _replayed(message: Message) -> bool:
    return message.role == "user" or (message.role == "assistant" and not message.tool_calls)
