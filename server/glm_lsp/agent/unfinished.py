"""Edits the model tried and did not make, so a task never ends as a silent partial result.

A model sometimes makes three of four edits, gets an error for the fourth and then says it
is done. Showing the three as the whole change would let the user accept something the
model did not mean to be complete. Each failed edit is remembered until the model changes
the same file again (its repair, as far as anyone can tell from outside); whatever is
left when the model stops is named to the user, and nothing of the task is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from glm_lsp.edits.patch import parse_patch
from glm_lsp.errors import EditError
from glm_lsp.providers.types import ToolCall

_REASON_CHARS = 320


@dataclass(frozen=True)
class FailedEdit:
    """One edit that did not apply: which files it was for (none known: any) and why."""

    paths: frozenset[str]
    what: str
    why: str

    def sentence(self) -> str:
        """The failure in words for the user."""
        return f"{self.what}: {self.why}"


@dataclass
class Unfinished:
    """The failed edits the model has not repaired yet."""

    pending: list[FailedEdit] = field(default_factory=list)

    def failed(self, paths: Iterable[str], what: str, error: str) -> None:
        """Remember an edit that did not apply, with the first sentence of its error."""
        self.pending.append(FailedEdit(frozenset(paths), what, first_sentence(error)))

    def made(self, paths: Iterable[str]) -> None:
        """An edit to `paths` applied: it repairs what failed there (and failures of
        unknown files)."""
        done = set(paths)
        self.pending = [edit for edit in self.pending if edit.paths and not edit.paths & done]

    def sentences(self) -> list[str]:
        """Each edit still missing, in the order they failed."""
        return [edit.sentence() for edit in self.pending]


def call_paths(call: ToolCall) -> set[str]:
    """The workspace files a writing tool call names (empty when its arguments are unreadable)."""
    try:
        args = call.parsed_arguments()
    except ValueError:
        return set()
    paths = {args[key] for key in ("path", "new_path") if isinstance(args.get(key), str)}
    patch = args.get("patch")
    if isinstance(patch, str):
        paths |= patch_paths(patch)
    return paths


def patch_paths(patch: str) -> set[str]:
    """The files a unified diff names, without git's a/ and b/ prefixes."""
    try:
        sections = parse_patch(patch)
    except EditError:
        return set()
    names = set()
    for section in sections:
        for label in (section.old_label, section.new_label, section.rename_to):
            if label:
                names.add(label.removeprefix("a/").removeprefix("b/"))
    return names


def first_sentence(error: str) -> str:
    """The first sentence of an error (what went wrong), short enough for one line."""
    text = error.removeprefix("Error: ").strip().splitlines()[0] if error.strip() else ""
    end = text.find(". ")
    text = text[: end + 1] if end != -1 else text
    return text if len(text) <= _REASON_CHARS else text[: _REASON_CHARS - 1] + "…"


def partial_message(failed: list[str], outcome: str) -> str:
    """One sentence naming the edits the model did not make and what happened instead."""
    count = f"{len(failed)} edit" + ("s" if len(failed) > 1 else "")
    return f"The model stopped with {count} not made, so {outcome}: " + "; ".join(failed)
