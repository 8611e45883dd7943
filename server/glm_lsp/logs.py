"""Keep API keys out of every log line, whoever logs it.

Keys can surface in unexpected places (a provider echoing the key in its error, a library
logging a header). Rather than trusting each call site, every log record is scrubbed of the
secrets known to this process before any handler sees it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from glm_lsp.config import FALLBACK_KEY_ENV, KEY_ENV

_secrets: set[str] = set()
_installed = False

FRAGMENT = 8  # a run of this many characters of a key is redacted too


def scrub(text: str, secret: str, mark: str) -> str:
    """`text` with every run of `FRAGMENT` or more characters of `secret` replaced by
    `mark`: a provider that echoes half the key, or a key cut by a log line's width,
    must not leak what it shows."""
    if len(secret) < FRAGMENT or len(text) < FRAGMENT:
        return text.replace(secret, mark) if secret else text
    grams = {secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}
    covered = bytearray(len(text))
    for i in range(len(text) - FRAGMENT + 1):
        if text[i : i + FRAGMENT] in grams:
            covered[i : i + FRAGMENT] = b"\1" * FRAGMENT
    if not any(covered):
        return text
    out, i = [], 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(mark)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def register_secret(value: str) -> None:
    """Remember a secret (too-short values would redact ordinary words, so skip them)."""
    if len(value) >= 6:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = scrub(text, secret, "***")
    return text


def install_redaction() -> None:
    """Scrub every LogRecord this process creates; registers the keys found in the env."""
    global _installed
    for names in (*KEY_ENV.values(), (FALLBACK_KEY_ENV,)):
        for name in names:
            register_secret(os.environ.get(name, "").strip())
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def scrubbed(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if _secrets:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: keep pygls' own handling
                return record
            record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(scrubbed)
