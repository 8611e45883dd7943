"""Every way a provider call can fail, classified once and said in one sentence.

An attempt that fails produces a `Failure` (plain data). The retry loop in client.py asks
whether it is worth retrying; when it gives up, `to_error` writes the one sentence the
user sees. Providers phrase errors in many shapes ({"error": {"message"}}, {"error":
"text"}, Cloudflare's {"errors": [...]}, {"message"}, {"detail"}, plain text or HTML);
`provider_message` digs the provider's own words out of all of them.

API keys never leave this module unredacted: providers sometimes echo the key they
received, so every piece of provider text passes through `redact`.
"""

from __future__ import annotations

import html
import json
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from ..errors import ProviderError
from ..logs import scrub

REDACTED = "***"
MAX_MESSAGE = 300
RETRY_STATUSES = frozenset({408, 409, 429})

# kind -> whether another attempt may succeed (SENTENCES below says each one to the user)
KINDS = {
    "auth": False,  # 401/403
    "not_found": False,  # 404: wrong model id or URL
    "too_long": False,  # 400/413 saying the prompt exceeds the context window
    "bad_request": False,  # other 4xx
    "rate_limit": True,  # 429
    "server": True,  # 408/409/5xx
    "connect": True,  # no connection, or it dropped before the reply began
    "cut": True,  # stream ended early or sent a chunk that is not JSON
    "first_byte_timeout": False,  # waiting longer again would double the wait
    "chunk_timeout": False,
    "malformed": True,  # a non-streamed reply that is not JSON
    "refused": False,  # HTTP 200 whose body or envelope reports an error
}


@dataclass(frozen=True)
class Failure:
    """What went wrong in one attempt; `message` is the provider's words, redacted."""

    kind: str
    status: int | None = None
    message: str = ""
    retry_after: float | None = None
    detail: str = ""

    @property
    def retryable(self) -> bool:
        return KINDS[self.kind]


class AttemptFailed(Exception):
    """Raised inside one attempt; carries the Failure to the retry loop."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.kind)
        self.failure = failure


def redact(text: str, secret: str) -> str:
    """Replace the secret (the API key), and every fragment of 8 characters or more of
    it, with ***."""
    return scrub(text, secret, REDACTED)


_TOO_LONG = re.compile(
    r"context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|"
    r"input is too long|exceeds? the (model's )?(maximum|context)",
    re.IGNORECASE,
)


def http_failure(status: int, body: str, retry_after: str | None, secret: str) -> Failure:
    """Classify a non-2xx HTTP reply."""
    if status in (401, 403):
        kind = "auth"
    elif status == 404:
        kind = "not_found"
    elif status == 429:
        kind = "rate_limit"
    elif status in RETRY_STATUSES or status >= 500:
        kind = "server"
    elif status in (400, 413) and _TOO_LONG.search(body):
        kind = "too_long"
    else:
        kind = "bad_request"
    return Failure(
        kind=kind,
        status=status,
        message=redact(provider_message(body), secret),
        retry_after=parse_retry_after(retry_after),
        detail=redact(body[:2000], secret),
    )


def provider_message(body: str) -> str:
    """The provider's own explanation from any error shape, as short plain text."""
    try:
        data = json.loads(body)
    except ValueError:
        return _plain_text(body)
    found = _message_in(data)
    return _one_line(found) if found else _plain_text(body)


def _message_in(data: Any) -> str:
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    if isinstance(error, dict | str):
        return _message_in(error) or (error if isinstance(error, str) else "")
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(filter(None, (_message_in(item) for item in errors)))
    for key in ("message", "detail", "title", "msg"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _plain_text(body: str) -> str:
    title = re.search(r"<title>(.*?)</title>", body, re.IGNORECASE | re.DOTALL)
    if title:
        return _one_line(html.unescape(title.group(1)))
    return _one_line(re.sub(r"<[^>]+>", " ", body))


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# --- the sentence the user sees ---------------------------------------------------------


def to_error(
    failure: Failure, *, title: str, retries: int, key_env: str, model: str, timeout: float = 0.0
) -> ProviderError:
    """Turn the last failure into one sentence that includes the provider's own words."""
    return ProviderError(
        _sentence(failure, title, retries, key_env, model, timeout),
        status=failure.status,
        retryable=failure.retryable,
        retry_after=failure.retry_after,
        detail=failure.detail,
    )


# One template per kind. {code} is " (429)", {said} is ": <provider's words>", {still} is
# " and still <verb> after 3 retries" (empty when nothing was retried), {name} is {title}
# written to fit mid-sentence.
SENTENCES = {
    "auth": "{title} rejected the API key{code}{said}; check the key in {key_env}.",
    "not_found": (
        "{title} does not know the model or address{code}{said}; "
        "check the model id '{model}' and the base URL."
    ),
    "too_long": (
        "{title} rejected the request because the prompt is longer than the model's context "
        "window{code}{said}; lower the context_tokens setting or select less."
    ),
    "bad_request": "{title} rejected the request{code}{said}.",
    "rate_limit": "{title} is rate limiting requests{code}{still_was}{said}.",
    "server": "{title} failed{code}{still_did}{said}.",
    "connect": "Could not connect to {name}{still_could_not}{said}.",
    "first_byte_timeout": (
        "{title} did not start replying within {timeout:g} s (the first_byte_timeout setting)."
    ),
    "chunk_timeout": (
        "{title} went silent for {timeout:g} s in the middle of the reply "
        "(the chunk_timeout setting)."
    ),
    "cut": "The reply from {name} was cut off before it finished{still_was}{said}.",
    "malformed": "{title} sent a reply that could not be read{still_did}{said}.",
    "refused": "{title} refused the request{code}{said}.",
}


def _sentence(
    failure: Failure, title: str, retries: int, key_env: str, model: str, timeout: float
) -> str:
    return SENTENCES[failure.kind].format(
        title=title,
        name=_lower_first(title),
        code=f" ({failure.status})" if failure.status else "",
        said=f": {failure.message.rstrip('.')}" if failure.message else "",
        still_was=_still(retries, "was"),
        still_did=_still(retries, "did"),
        still_could_not=_still(retries, "could not"),
        key_env=key_env,
        model=model,
        timeout=timeout,
    )


def _still(retries: int, verb: str) -> str:
    """' and still was after 3 retries', or nothing when there were no retries."""
    if not retries:
        return ""
    return f" and still {verb} after {retries} {'retry' if retries == 1 else 'retries'}"


def _lower_first(title: str) -> str:
    """'The server at x' reads as 'the server at x' mid-sentence; names stay as they are."""
    return "t" + title[1:] if title.startswith("The ") else title
