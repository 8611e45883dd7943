"""glm-lsp's own protocol (server/glm_lsp/lsp/protocol.py) matches what the editors send
and read: the VS Code extension's TypeScript interfaces and arguments, and the Neovim
plugin's argument tables and field reads. A field renamed on one side fails here."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import attrs
import pytest

from glm_lsp.lsp import protocol as p

EDITORS = Path(__file__).resolve().parents[2] / "editors"
TS = EDITORS / "vscode" / "src"
LUA = EDITORS / "nvim" / "lua" / "glm"


def fields(kind: type) -> set[str]:
    """The keys on the wire: attrs classes travel in camelCase, TypedDicts as written."""
    if attrs.has(kind):
        return {
            re.sub(r"_([a-z])", lambda m: m.group(1).upper(), f.name) for f in attrs.fields(kind)
        }
    return set(typing.get_type_hints(kind))  # a TypedDict


def ts_interfaces() -> dict[str, tuple[set[str], set[str]]]:
    """Every exported interface in src/: (all fields, required fields)."""
    found = {}
    for path in TS.glob("*.ts"):
        text = path.read_text(encoding="utf-8")
        for name, body in re.findall(r"export interface (\w+) \{(.*?)\n\}", text, re.S):
            members = re.findall(r"^\s+(\w+)(\??):", body, re.M)
            found[name] = ({m for m, _ in members}, {m for m, opt in members if not opt})
    return found


INTERFACES = [
    ("Usage", p.UsageJson),
    ("TaskUsage", p.TaskUsage),
    ("UsageResult", p.UsageResult),
    ("CompletionUsage", p.CompletionUsage),
    ("TaskEvent", p.TaskEvent),
    ("PreviewFile", p.PreviewFile),
    ("PreviewParams", p.PreviewEvent),
    ("PreviewHunk", p.PreviewHunk),
    ("ChatEvent", p.ChatEvent),
]


@pytest.mark.parametrize(("interface", "kind"), INTERFACES, ids=[i for i, _ in INTERFACES])
def test_vscode_interfaces_read_what_the_server_sends(interface: str, kind: type) -> None:
    every, required = ts_interfaces()[interface]
    assert required <= fields(kind), f"{interface} requires fields the server never sends"
    assert fields(kind) <= every, f"the server sends fields {interface} does not declare"


def sent_arguments(text: str, literal: str, assign: str, call: str) -> dict[str, set[str]]:
    """Keys of each `arg` object built before it is passed to a command, by command."""
    sent: dict[str, set[str]] = {}
    for body, between, command in re.findall(literal + r"(.*?)" + call, text, re.S):
        keys = set(re.findall(r"(\w+)\s*[:=][^=]", body))
        keys |= set(re.findall(r"(?:^|,)\s*(\w+)\s*(?=,|$)", body.strip()))  # `{ message }`
        keys |= set(re.findall(assign, between))
        sent.setdefault(command, set()).update(keys - {"M", "vim"})
    return sent


ARGUMENTS = {p.EDIT: p.EditArgs, p.CHAT: p.ChatArgs, p.REVISE: p.ReviseArgs}


def test_vscode_sends_arguments_the_server_decodes() -> None:
    sent: dict[str, set[str]] = {}
    for path in TS.glob("*.ts"):
        found = sent_arguments(
            path.read_text(encoding="utf-8"),
            r"const arg: Record<string, unknown> = \{(.*?)\};",
            r"arg\.(\w+) =",
            r'execute<[^>]*>\("(glm\.\w+)", arg\)',
        )
        for command, keys in found.items():
            sent.setdefault(command, set()).update(keys)
    assert set(sent) == set(ARGUMENTS)
    for command, keys in sent.items():
        assert keys <= fields(ARGUMENTS[command]), command
    assert {"uri", "instruction"} <= sent[p.EDIT] and "message" in sent[p.CHAT]


def test_neovim_sends_arguments_the_server_decodes() -> None:
    sent: dict[str, set[str]] = {}
    for path in LUA.glob("*.lua"):
        found = sent_arguments(
            path.read_text(encoding="utf-8"),
            r"local arg = \{(.*?)\n?\s*\}\n",
            r"arg\.(\w+) =",
            r"client\.execute\('(glm\.\w+)', arg",
        )
        for command, keys in found.items():
            sent.setdefault(command, set()).update(keys)
    assert {p.EDIT, p.CHAT} <= set(sent)
    for command in (p.EDIT, p.CHAT):
        assert sent[command] <= fields(ARGUMENTS[command]), command
        assert len(sent[command]) >= 2
    assert sent[p.REVISE] == fields(p.ReviseArgs)


def test_neovim_reads_the_completion_usage_the_server_sends() -> None:
    text = (LUA / "commands.lua").read_text(encoding="utf-8")
    read = set(re.findall(r"\bresult\.completion\.(\w+)", text))
    assert read and read <= fields(p.CompletionUsage)


def test_neovim_reads_the_hunk_fields_the_server_sends() -> None:
    read = set(re.findall(r"\bhunk\.(\w+)", (LUA / "edit.lua").read_text(encoding="utf-8")))
    assert read and read <= fields(p.PreviewHunk)


NOTIFICATIONS = [
    ("edit.lua", p.PreviewEvent),
    ("chat.lua", p.ChatEvent),
    ("tasks.lua", p.TaskEvent),
]


@pytest.mark.parametrize(("name", "kind"), NOTIFICATIONS, ids=[n for n, _ in NOTIFICATIONS])
def test_neovim_reads_notification_fields_the_server_sends(name: str, kind: type) -> None:
    read = set(re.findall(r"\bparams\.(\w+)", (LUA / name).read_text(encoding="utf-8")))
    assert read and read <= fields(kind)


def test_neovim_reads_result_fields_the_server_returns() -> None:
    results = (p.Started, p.ChatStarted, p.Applied, p.Rejected, p.CancelledTasks, p.UsageResult)
    returned = set().union(*(fields(kind) for kind in results))
    read = set()
    for path in LUA.glob("*.lua"):
        # health.lua reads a process result; completion.lua the standard inlineCompletion one
        if path.name not in ("health.lua", "completion.lua"):
            read |= set(re.findall(r"\bresult\.(\w+)", path.read_text(encoding="utf-8")))
    assert read and read <= returned
    task_fields = set(re.findall(r"\btask\.(\w+)", (LUA / "commands.lua").read_text()))
    assert task_fields <= fields(p.TaskUsage) | {"what"}  # `what`: older servers
