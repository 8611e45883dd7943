"""Token counting that learns each provider's tokenizer from what the provider reports.

GLM's tokenizer is not available offline. Until a provider has reported its
`prompt_tokens`, tokens are *estimated* piece by piece, the way BPE tokenizers split text
(words, digit groups, punctuation runs, whitespace): a character ratio is right on average but
undercounts exactly what a context is full of (line numbers, `│` gutters, short names and
operators), which made 4K contexts 11 % over budget by a cl100k count. Nor is a word one
token because it is short: sympy's `heurisch` is three, so a list of common words tells
which words are one. The estimate is tuned to stay at or above cl100k on real code. Once a
provider has answered, its own characters-per-token ratio (learned from `prompt_tokens`,
per provider, remembered across sessions) takes over.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from glm_lsp import dirs

log = logging.getLogger(__name__)

DEFAULT_CHARS_PER_TOKEN = 3.6
# One BPE pre-token: a word (with its leading space or sigil), up to three digits, a run of
# punctuation, or whitespace; cl100k's split, with Python's \w standing in for \p{L}.
_PIECE = re.compile(
    r"'(?:[sdmt]|ll|ve|re)|[^\r\n\w]?[^\W\d_]+|\d{1,3}| ?[^\s\w]+[\r\n]*|\s*[\r\n]+"
    r"|\s+(?!\S)|\s+|_+"
)
# A word's parts as a tokenizer's vocabulary has them: an acronym, or a lowercase run with
# its capital (`MonomialOrder` is `Monomial` and `Order`, `HTTPServer` `HTTP` and `Server`).
_SEGMENT = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_REMEMBERED = 256  # estimates a counter keeps
_PUNCT_CHARS = 3  # a punctuation run costs one token per 3 characters
_MERGING = frozenset(".(\t'")  # sigils a vocabulary often joins to the word after them


def estimate_tokens(text: str) -> int:
    """Tokens of `text` by a BPE-like split: at or above cl100k on code (bench-checked on
    random 8 KB slices of ten Python, Go, JavaScript, Ruby and Rust repositories: 1 of
    1,200 slices was below, by 3 %; median 8-18 % above).

    Every piece costs one token at least, and an ASCII piece of two characters exactly one,
    so only longer pieces and non-ASCII ones are looked at one by one: a request counts its
    sections a few times, and a loop over every piece was most of its time."""
    pieces = _PIECE.findall(text)
    special = [piece for piece in pieces if len(piece) > 2]
    if not text.isascii():
        special += [piece for piece in pieces if len(piece) <= 2 and not piece.isascii()]
    extra = sum(map(_piece_tokens, special)) - len(special)
    return len(pieces) + math.ceil(extra)


@functools.lru_cache(maxsize=1 << 16)  # code repeats its pieces: most are looked up here
def _piece_tokens(piece: str) -> float:
    """The tokens of one piece of `_PIECE`'s split (on average: a fraction is fine)."""
    if not piece.isascii():
        # a space joins the letter after it only when that letter is a token of its own
        space = piece[0] == " " and len(piece) > 1 and _char_tokens(piece[1]) > 1
        return sum(map(_char_tokens, piece)) + space * 2 / 3
    if len(piece) <= 2:
        return 1
    if piece[-1].isalpha():
        word = piece.lstrip(" ")
        if word[0].isalpha():
            return max(1.0, _word_tokens(word))
        # `.name`, `(name` and `\tname` are often one token; `{name`, `/name`, `=name` seldom
        joined = 0.15 if word[0] in _MERGING else 0.5
        return max(1.0, _word_tokens(word[1:]) + joined)
    body = piece.rstrip("\r\n")
    if not body or body.isspace() or piece[-1] == "_" or piece[-1].isdigit():
        return 1
    newline = body != piece and len(body) > 2  # `):\n` is one token, `=====\n\n` is not
    return 1 + (len(body) - 1) // _PUNCT_CHARS + newline


@functools.lru_cache(maxsize=4096)
def _char_tokens(char: str) -> float:
    """One character of a piece that is not all ASCII. cl100k has 1,228 such characters as
    one token (accented and Cyrillic letters, common punctuation, the `│` gutter, the most
    common CJK ideographs); any other is counted as its UTF-8 bytes, the most a byte-level
    BPE can make of it (a rare ideograph is three tokens, an emoji two to four). Text in
    other scripts then fills less of a budget than it could (common Chinese by ~40 %),
    but no context full of it overshoots."""
    if char.isascii():
        return 1 / 3  # ASCII letters within a foreign word
    return 1 if char in single_token_chars() else len(char.encode("utf-8", "replace"))


def _word_tokens(word: str) -> float:
    """A word's parts: a part of three letters or fewer, or a common word, is one token; a
    rare one is two or more (cl100k splits `heurisch`, `bernoulli` or `fibonacci` into
    three), an acronym of three letters or more about one per three letters."""
    total = 0.0
    for part in _SEGMENT.findall(word):
        size = len(part)
        if size <= 2:
            total += 1
        elif part.isupper():
            total += 0.6 + 0.3 * size
        elif size == 3 or part.lower() in common_words():
            total += 1
        else:
            total += max(2.0, 1 + size / 5)
    return total


@functools.cache
def common_words() -> frozenset[str]:
    """Words of four letters or more that a code-trained BPE vocabulary keeps whole:
    `words.txt`, made by `bench/common_words.py` from the words of Python's standard
    library that cl100k encodes as one token, with or without a space before them."""
    listed = Path(__file__).with_name("words.txt").read_text("ascii")
    return frozenset(listed.split())


@functools.cache
def single_token_chars() -> frozenset[str]:
    """The characters beyond ASCII that cl100k encodes as one token: `chars.txt`, made by
    `bench/common_words.py`."""
    listed = Path(__file__).with_name("chars.txt").read_text("utf-8")
    return frozenset(listed.replace("\n", ""))


_LEARNING_RATE = 0.3  # how far one observation moves the ratio
_BOUNDS = (1.5, 8.0)  # ratios outside these are measurement errors, not tokenizers


def _cache_file() -> Path:
    return dirs.cache_dir() / "token_ratios.json"


@dataclass
class TokenCounter:
    """Characters → tokens for one provider; `observe` calibrates it.

    Uncalibrated (no `prompt_tokens` seen yet), `count` is the conservative piece estimate
    and `chars_per_token` only a first guess for sizing; calibrated, both use the ratio.
    """

    provider: str
    chars_per_token: float = DEFAULT_CHARS_PER_TOKEN
    calibrated: bool = False
    # estimates of recent texts: planning a context counts the same sections several times
    _estimates: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, provider: str) -> TokenCounter:
        try:
            ratios = json.loads(_cache_file().read_text(encoding="utf-8"))
            ratio = float(ratios[provider])
        except (OSError, ValueError, KeyError, TypeError):
            return cls(provider)
        if not _BOUNDS[0] <= ratio <= _BOUNDS[1]:
            return cls(provider)
        return cls(provider, ratio, calibrated=True)

    def count(self, text: str) -> int:
        if self.calibrated:
            return self.tokens_for_chars(len(text))
        found = self._estimates.get(text)
        if found is None:
            if len(self._estimates) >= _REMEMBERED:
                self._estimates.clear()
            found = self._estimates[text] = estimate_tokens(text)
        return found

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
        self.calibrated = True
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
