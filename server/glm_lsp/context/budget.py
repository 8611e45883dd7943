"""Token counting that learns each provider's tokenizer from what the provider reports.

GLM's tokenizer is not available offline, so tokens are estimated from characters. The
ratio starts at a typical value for code and is corrected after every request from the
provider's own `prompt_tokens`, per provider, and remembered across sessions.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

DEFAULT_CHARS_PER_TOKEN = 3.6
_LEARNING_RATE = 0.3  # how far one observation moves the ratio
_BOUNDS = (1.5, 8.0)  # ratios outside these are measurement errors, not tokenizers


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) / "glm-lsp" if base else Path(platformdirs.user_cache_dir("glm-lsp"))
    return root / "token_ratios.json"


@dataclass
class TokenCounter:
    """Characters → tokens for one provider; `observe` calibrates it."""

    provider: str
    chars_per_token: float = DEFAULT_CHARS_PER_TOKEN

    @classmethod
    def load(cls, provider: str) -> TokenCounter:
        try:
            ratios = json.loads(_cache_file().read_text(encoding="utf-8"))
            ratio = float(ratios[provider])
        except (OSError, ValueError, KeyError, TypeError):
            return cls(provider)
        return cls(
            provider, ratio if _BOUNDS[0] <= ratio <= _BOUNDS[1] else DEFAULT_CHARS_PER_TOKEN
        )

    def count(self, text: str) -> int:
        return self.tokens_for_chars(len(text))

    def tokens_for_chars(self, chars: int) -> int:
        return math.ceil(chars / self.chars_per_token)

    def chars_for_tokens(self, tokens: int) -> int:
        return int(tokens * self.chars_per_token)

    def observe(self, chars_sent: int, prompt_tokens: int) -> None:
        """Move the ratio toward what the provider counted, and persist it."""
        if chars_sent < 200 or prompt_tokens <= 0:
            return  # too small to tell the tokenizer from the chat template overhead
        seen = chars_sent / prompt_tokens
        if not _BOUNDS[0] <= seen <= _BOUNDS[1]:
            return
        self.chars_per_token += _LEARNING_RATE * (seen - self.chars_per_token)
        self._save()

    def _save(self) -> None:
        path = _cache_file()
        try:
            ratios = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            ratios[self.provider] = round(self.chars_per_token, 4)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(ratios, indent=1), encoding="utf-8")
        except (OSError, ValueError) as exc:
            log.debug("could not save token ratios: %s", exc)


def prompt_budget(window: int, max_output: int, cap: int, overhead: int) -> int:
    """Tokens left for context: the window minus the reply's reserve and fixed overhead,
    never more than the user's cap (sending a million tokens per edit costs real money)."""
    return max(0, min(cap, window - max_output - overhead))
