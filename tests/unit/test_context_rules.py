"""Project rules: which files, in which order, and what the size cap leaves out."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from glm_lsp.config import Settings
from glm_lsp.context.rules import gather_rules


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


EVERY_SOURCE = {
    "AGENTS.md": "Use tabs.\n",
    "CLAUDE.md": "Be brief.\n",
    "app/AGENTS.md": "Use spaces here.\n",
    "app/deep/x.py": "",
    "other/AGENTS.md": "Not on the way.\n",
    ".github/copilot-instructions.md": "Copilot says hi.\n",
    ".glm/rules/b.md": "Rule b.\n",
    ".glm/rules/a.md": "Rule a.\n",
    ".glm/rules/notes.txt": "not markdown\n",
}


def test_general_first_nearest_last(tmp_path: Path) -> None:
    root = _write(tmp_path, EVERY_SOURCE)
    rules = gather_rules(root, "app/deep/x.py", Settings())
    assert [r.path for r in rules.files] == [
        ".github/copilot-instructions.md",
        ".glm/rules/a.md",
        ".glm/rules/b.md",
        "AGENTS.md",
        "CLAUDE.md",
        "app/AGENTS.md",
    ]
    text = rules.render()
    assert text.startswith("# Project rules\n")
    assert text.index("Use tabs.") < text.index("Use spaces here.")
    assert "Not on the way." not in text


def test_each_source_can_be_turned_off(tmp_path: Path) -> None:
    root = _write(tmp_path, EVERY_SOURCE)
    off = Settings(rules_agents_md=False, rules_copilot=False, rules_glm=False)
    assert [r.path for r in gather_rules(root, "app/deep/x.py", off).files] == ["CLAUDE.md"]
    assert gather_rules(root, None, Settings(rules_claude_md=False)).files[-1].path == "AGENTS.md"


def test_the_cap_drops_the_most_general_files_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = _write(tmp_path, {"AGENTS.md": "a" * 30, "app/AGENTS.md": "b" * 30})
    with caplog.at_level(logging.WARNING):
        rules = gather_rules(root, "app/x.py", Settings(rules_max_chars=40))
    assert [r.path for r in rules.files] == ["app/AGENTS.md"] and rules.dropped == ["AGENTS.md"]
    assert "over rules_max_chars (40 characters): left out AGENTS.md" in caplog.text
    cut = gather_rules(root, "app/x.py", Settings(rules_max_chars=10))
    assert cut.files[0].text == "b" * 10 and cut.dropped == ["AGENTS.md", "app/AGENTS.md (cut)"]


def test_secrets_in_rules_are_redacted(tmp_path: Path) -> None:
    root = _write(tmp_path, {"AGENTS.md": 'api_key = "Zq8xK2mP9vL4nR7tY1wB"\n'})
    assert "Zq8xK2mP9vL4nR7tY1wB" not in gather_rules(root, None, Settings()).render()
