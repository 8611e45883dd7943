"""Writes server/glm_lsp/context/words.txt and chars.txt, what the token estimate knows of
the vocabulary: its common words and the characters beyond ASCII that are one token.

A word of four letters or more is in the list when it appears at least five times in
Python's standard library (split into parts as `budget._SEGMENT` splits identifiers,
lowercased) and cl100k encodes it as one token both alone and after a space. The estimate
counts such a word as one token and any other as two or more. chars.txt lists the
characters beyond ASCII (below U+30000) that cl100k encodes as one token (1,228: accented
and Cyrillic letters, common punctuation, the most common CJK ideographs); the estimate
counts any other as its UTF-8 bytes, the most a byte-level BPE can make of it. Needs tiktoken (a bench-only
dependency) with the cl100k file, e.g. TIKTOKEN_CACHE_DIR pointing at a copy of it:

    .venv/bin/python bench/common_words.py
"""

from __future__ import annotations

import re
import sys
import sysconfig
from collections import Counter
from pathlib import Path

import tiktoken

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from glm_lsp.context.budget import _SEGMENT  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "server/glm_lsp/context/words.txt"
CHARS = OUT.with_name("chars.txt")
MIN_COUNT = 5


def stdlib_words() -> Counter[str]:
    counts: Counter[str] = Counter()
    root = Path(sysconfig.get_paths()["stdlib"])
    for path in root.rglob("*.py"):
        if "test" in path.parts or "site-packages" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for word in re.findall(r"[A-Za-z]+", text):
            for part in _SEGMENT.findall(word):
                if not part.isupper() or len(part) == 1:
                    counts[part.lower()] += 1
    return counts


def main() -> None:
    encoding = tiktoken.get_encoding("cl100k_base")
    words = sorted(
        word
        for word, count in stdlib_words().items()
        if count >= MIN_COUNT
        and len(word) >= 4
        and all(len(encoding.encode(form)) == 1 for form in (word, " " + word))
    )
    OUT.write_text("\n".join(words) + "\n", encoding="ascii")
    print(f"{len(words)} words written to {OUT}")
    points = (p for p in range(0x80, 0x30000) if not 0xD800 <= p < 0xE000)
    chars = [chr(p) for p in points if len(encoding.encode(chr(p))) == 1]
    lines = ("".join(chars[i : i + 64]) for i in range(0, len(chars), 64))
    CHARS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(chars)} characters written to {CHARS}")


if __name__ == "__main__":
    main()
