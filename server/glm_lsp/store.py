"""Chat sessions and their usage, kept in SQLite per workspace so they survive restarts.

Each workspace root gets its own database in the platform's data folder. Messages are
stored whole, reasoning included, so a continued session is sent back exactly as GLM saw it.
Next to the conversation a session keeps what its requests carried besides it, byte for
byte: the repository context (`kind` "context") and the short updates on what changed
since ("update"), plus the basis those describe, so a later turn, even after a restart,
repeats the earlier request as its prefix and the provider's prompt cache hits.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from glm_lsp import dirs
from glm_lsp.providers.types import Message, ToolCall, Usage

SCHEMA = """
create table if not exists sessions (id text primary key, title text, created real);
create table if not exists messages (
    session text, seq integer, role text, content text, reasoning text,
    tool_calls text, tool_call_id text, primary key (session, seq));
create table if not exists usage (
    session text, at real, prompt integer, cached integer, completion integer,
    reasoning integer, cost real);
create table if not exists bases (session text primary key, basis text);
"""
# Columns added after the first release; an older database gets them on open.
MIGRATIONS = (
    ("messages", "kind", "alter table messages add column kind text not null default ''"),
    ("usage", "saved", "alter table usage add column saved real not null default 0"),
)
CONVERSATION = ""  # the kind of a question, an answer or a tool exchange


@dataclass(frozen=True)
class Stored:
    """A stored message and what it is: "" conversation, "context" or "update"."""

    message: Message
    kind: str = CONVERSATION


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    created: float
    messages: int
    usage: Usage


def default_path(root: Path) -> Path:
    folder = dirs.data_dir()
    digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return folder / "sessions" / f"{digest}.sqlite"


class SessionStore:
    """One workspace's chat sessions."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(SCHEMA)
        for table, column, statement in MIGRATIONS:
            columns = {row[1] for row in self.db.execute(f"pragma table_info({table})")}
            if column not in columns:
                with self.db:
                    self.db.execute(statement)

    def create(self, title: str) -> str:
        session = uuid.uuid4().hex[:12]
        with self.db:
            self.db.execute(
                "insert into sessions values (?, ?, ?)", (session, title[:80], time.time())
            )
        return session

    def exists(self, session: str) -> bool:
        row = self.db.execute("select 1 from sessions where id = ?", (session,)).fetchone()
        return row is not None

    def messages(self, session: str) -> list[Message]:
        """The conversation: questions, answers and tool exchanges, without the context."""
        return [s.message for s in self.stored(session) if s.kind == CONVERSATION]

    def stored(self, session: str) -> list[Stored]:
        """Everything the session's requests carried, in the order it was first sent."""
        rows = self.db.execute(
            "select role, content, reasoning, tool_calls, tool_call_id, kind from messages "
            "where session = ? order by seq",
            (session,),
        )
        return [
            Stored(
                Message(
                    role=role,
                    content=content,
                    reasoning_content=reasoning,
                    tool_calls=[ToolCall(**call) for call in json.loads(calls or "[]")],
                    tool_call_id=call_id,
                ),
                kind,
            )
            for role, content, reasoning, calls, call_id, kind in rows
        ]

    def append(self, session: str, messages: list[Message | Stored]) -> None:
        (start,) = self.db.execute(
            "select count(*) from messages where session = ?", (session,)
        ).fetchone()
        entries = [m if isinstance(m, Stored) else Stored(m) for m in messages]
        rows = [
            (
                session,
                start + offset,
                e.message.role,
                e.message.content,
                e.message.reasoning_content,
                json.dumps([c.__dict__ for c in e.message.tool_calls]),
                e.message.tool_call_id,
                e.kind,
            )
            for offset, e in enumerate(entries)
        ]
        with self.db:
            self.db.executemany(
                "insert into messages (session, seq, role, content, reasoning, tool_calls, "
                "tool_call_id, kind) values (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def basis(self, session: str) -> str | None:
        """What the session's context and updates showed the model (JSON), if any."""
        row = self.db.execute("select basis from bases where session = ?", (session,)).fetchone()
        return None if row is None else str(row[0])

    def set_basis(self, session: str, basis: str) -> None:
        with self.db:
            self.db.execute("insert or replace into bases values (?, ?)", (session, basis))

    def add_usage(self, session: str, usage: Usage) -> None:
        with self.db:
            self.db.execute(
                "insert into usage (session, at, prompt, cached, completion, reasoning, cost, "
                "saved) values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session,
                    time.time(),
                    usage.prompt_tokens,
                    usage.cached_tokens,
                    usage.completion_tokens,
                    usage.reasoning_tokens,
                    usage.cost,
                    usage.saved,
                ),
            )

    def usage(self, session: str) -> Usage:
        row = self.db.execute(
            "select sum(prompt), sum(cached), sum(completion), sum(reasoning), sum(cost), "
            "count(cost), sum(saved) from usage where session = ?",
            (session,),
        ).fetchone()
        prompt, cached, completion, reasoning, cost, priced, saved = row
        return Usage(
            prompt or 0,
            completion or 0,
            reasoning or 0,
            cached or 0,
            cost if priced else None,
            saved or 0.0,
        )

    def sessions(self) -> list[SessionInfo]:
        rows = self.db.execute(
            "select s.id, s.title, s.created, "
            "(select count(*) from messages m where m.session = s.id and m.kind = '') "
            "from sessions s order by s.created desc"
        ).fetchall()
        return [
            SessionInfo(i, title, created, count, self.usage(i))
            for i, title, created, count in rows
        ]
