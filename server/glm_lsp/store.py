"""Chat sessions and their usage, kept in SQLite per workspace so they survive restarts.

Each workspace root gets its own database in the platform's data folder. Messages are
stored whole, reasoning included, so a continued session is sent back exactly as GLM saw it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from glm_lsp.providers.types import Message, ToolCall, Usage

SCHEMA = """
create table if not exists sessions (id text primary key, title text, created real);
create table if not exists messages (
    session text, seq integer, role text, content text, reasoning text,
    tool_calls text, tool_call_id text, primary key (session, seq));
create table if not exists usage (
    session text, at real, prompt integer, cached integer, completion integer,
    reasoning integer, cost real);
"""


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    created: float
    messages: int
    usage: Usage


def default_path(root: Path) -> Path:
    base = os.environ.get("XDG_DATA_HOME")
    folder = Path(base) / "glm-lsp" if base else Path(platformdirs.user_data_dir("glm-lsp"))
    digest = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:16]
    return folder / "sessions" / f"{digest}.sqlite"


class SessionStore:
    """One workspace's chat sessions."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.executescript(SCHEMA)

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
        rows = self.db.execute(
            "select role, content, reasoning, tool_calls, tool_call_id from messages "
            "where session = ? order by seq",
            (session,),
        )
        return [
            Message(
                role=role,
                content=content,
                reasoning_content=reasoning,
                tool_calls=[ToolCall(**call) for call in json.loads(calls or "[]")],
                tool_call_id=call_id,
            )
            for role, content, reasoning, calls, call_id in rows
        ]

    def append(self, session: str, messages: list[Message]) -> None:
        (start,) = self.db.execute(
            "select count(*) from messages where session = ?", (session,)
        ).fetchone()
        rows = [
            (
                session,
                start + offset,
                m.role,
                m.content,
                m.reasoning_content,
                json.dumps([c.__dict__ for c in m.tool_calls]),
                m.tool_call_id,
            )
            for offset, m in enumerate(messages)
        ]
        with self.db:
            self.db.executemany("insert into messages values (?, ?, ?, ?, ?, ?, ?)", rows)

    def add_usage(self, session: str, usage: Usage) -> None:
        with self.db:
            self.db.execute(
                "insert into usage values (?, ?, ?, ?, ?, ?, ?)",
                (
                    session,
                    time.time(),
                    usage.prompt_tokens,
                    usage.cached_tokens,
                    usage.completion_tokens,
                    usage.reasoning_tokens,
                    usage.cost,
                ),
            )

    def usage(self, session: str) -> Usage:
        row = self.db.execute(
            "select sum(prompt), sum(cached), sum(completion), sum(reasoning), sum(cost), "
            "count(cost) from usage where session = ?",
            (session,),
        ).fetchone()
        prompt, cached, completion, reasoning, cost, priced = row
        return Usage(
            prompt or 0, completion or 0, reasoning or 0, cached or 0, cost if priced else None
        )

    def sessions(self) -> list[SessionInfo]:
        rows = self.db.execute(
            "select s.id, s.title, s.created, "
            "(select count(*) from messages m where m.session = s.id) "
            "from sessions s order by s.created desc"
        ).fetchall()
        return [
            SessionInfo(i, title, created, count, self.usage(i))
            for i, title, created, count in rows
        ]
