"""Project rules: what the repository tells every assistant about how to write its code.

Read on every request from the files other assistants use, so one set of rules serves them
all: `.github/copilot-instructions.md`, `.glm/rules/*.md`, then `AGENTS.md` and `CLAUDE.md`
from the workspace root down to the edited file's folder. Later files are nearer the file
and win on conflict, which the model is told. The text goes into the system message, the
stable head of every request, so provider prompt caches keep hitting across edits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from glm_lsp.config import Settings
from glm_lsp.context.secrets import redact_secrets

log = logging.getLogger(__name__)

HEADER = (
    "# Project rules\n"
    "The repository asks you to follow these instructions. Files later in this list are "
    "nearer the file being edited; they win where two disagree."
)


@dataclass(frozen=True)
class RuleFile:
    path: str  # relative to the root, posix
    text: str


@dataclass(frozen=True)
class ProjectRules:
    """The rules that apply to one file, and what the size cap left out."""

    files: list[RuleFile]
    dropped: list[str]  # paths cut by rules_max_chars (whole or in part)

    def render(self) -> str:
        """The system-prompt section; empty when there are no rules."""
        if not self.files:
            return ""
        parts = [f"## {rule.path}\n{rule.text.strip()}" for rule in self.files]
        return "\n\n".join([HEADER, *parts])


def gather_rules(root: Path, path: str | None, settings: Settings) -> ProjectRules:
    """The rules for `path` (relative to `root`; None: the root's own), capped in size."""
    files = []
    for rel in _candidates(root, path, settings):
        text = _read(root / rel)
        if text is not None and text.strip():
            files.append(RuleFile(rel, redact_secrets(text)[0]))
    return _capped(files, settings.rules_max_chars)


def _candidates(root: Path, path: str | None, settings: Settings) -> Iterator[str]:
    """Rule file paths in order: most general first, nearest last."""
    if settings.rules_copilot:
        yield ".github/copilot-instructions.md"
    if settings.rules_glm:
        folder = root / ".glm" / "rules"
        if folder.is_dir():
            yield from sorted(f".glm/rules/{f.name}" for f in folder.glob("*.md"))
    for parent in _folders(path):
        prefix = f"{parent}/" if parent else ""
        if settings.rules_agents_md:
            yield prefix + "AGENTS.md"
        if settings.rules_claude_md:
            yield prefix + "CLAUDE.md"


def _folders(path: str | None) -> list[str]:
    """The folders from the root ("") down to the one holding `path`."""
    if not path:
        return [""]
    parents = [p.as_posix() for p in PurePosixPath(path).parents if p.as_posix() != "."]
    return ["", *reversed(parents)]


def _read(file: Path) -> str | None:
    if not file.is_file():
        return None
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        log.warning("project rules: %s could not be read (%s); skipped", file, error)
        return None


def _capped(files: list[RuleFile], limit: int) -> ProjectRules:
    """Keep at most `limit` characters, dropping the most general files first (the
    nearest rules matter most); a single file over the limit keeps its beginning."""
    kept = list(files)
    dropped: list[str] = []
    while kept and sum(len(rule.text) for rule in kept) > limit:
        if len(kept) == 1 and limit > 0:
            kept = [RuleFile(kept[0].path, kept[0].text[:limit])]
            dropped.append(kept[0].path + " (cut)")
            break
        dropped.append(kept.pop(0).path)
    if dropped:
        log.warning(
            "project rules are over rules_max_chars (%d characters): left out %s",
            limit,
            ", ".join(dropped),
        )
    return ProjectRules(kept, dropped)
