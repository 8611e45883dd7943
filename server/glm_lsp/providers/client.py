"""The one client every provider shares: send a chat request, get a `Completion` back.

What happens in `ProviderClient.complete`:

1. dialects.build_body turns the request into the provider's body.
2. One attempt POSTs it, streaming (SSE) or not, under three clocks: connect_timeout for
   the TCP/TLS handshake, first_byte_timeout until the headers and the first event, and
   chunk_timeout between events after that.
3. A failed attempt becomes a `Failure`. Rate limits, server errors, dropped connections
   and streams cut short are retried with exponential backoff and full jitter (honouring
   Retry-After), but a stream is only retried while nothing of it has been shown through
   `on_event`: the user never sees a reply restart.
4. When retrying stops, failures.to_error writes the one sentence the user sees.

Cancelling the task closes the HTTP stream at once (every response lives inside
`async with`), so the provider stops generating and billing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Any

import httpx
from httpx_sse import EventSource

from ..config import Settings
from ..errors import ProviderError
from . import jsonlimit
from .dialects import Endpoint, build_body, request_headers, resolve
from .failures import AttemptFailed, Failure, http_failure, provider_message, redact, to_error
from .jsonlimit import JsonRefused
from .reply import ReplyBuilder, unwrap_envelope
from .types import ChatRequest, Completion, StreamEvent

YIELD_EVERY = 32  # SSE events parsed between turns of the event loop, so the server answers
DRAIN_GRACE = 0.5  # seconds to read what follows [DONE] before closing the connection

log = logging.getLogger("glm_lsp.providers")

EventCallback = Callable[[StreamEvent], None]


# --- bookkeeping for one attempt -----------------------------------------------------


class _Delivery:
    """Passes events to the caller and remembers whether anything was shown yet."""

    def __init__(self, on_event: EventCallback | None) -> None:
        self.on_event = on_event
        self.delivered = False

    def emit(self, events: list[StreamEvent]) -> None:
        if self.on_event is None:
            return
        for event in events:
            self.delivered = True
            self.on_event(event)


class _Clock:
    """One asyncio timeout that starts as first_byte_timeout and becomes chunk_timeout."""

    def __init__(self, scope: asyncio.Timeout, settings: Settings) -> None:
        self.scope = scope
        self.settings = settings
        self.kind = "first_byte_timeout"
        self.seconds = settings.first_byte_timeout
        self.replying = False  # headers received: a dropped connection is now a cut

    def next_chunk(self) -> None:
        """Data arrived: the next piece must come within chunk_timeout."""
        self.kind = "chunk_timeout"
        self.seconds = self.settings.chunk_timeout
        loop = asyncio.get_running_loop()
        self.scope.reschedule(loop.time() + self.seconds if self.seconds else None)


def _seconds(value: float) -> float | None:
    """Settings use 0 for "no limit"; asyncio and httpx use None."""
    return value or None


def _shaped(read: Callable[[], list[StreamEvent]], kind: str) -> list[StreamEvent]:
    """Events from JSON that parsed; a reply whose fields have the wrong types (`choices: 5`)
    is a failed attempt like one that is not JSON, not an exception of the client's own."""
    try:
        return read()
    except (TypeError, AttributeError, KeyError, IndexError, ValueError) as exc:
        detail = f"{type(exc).__name__}: {exc}"[:500]
        message = "the reply did not have the fields a chat completion has"
        raise AttemptFailed(Failure(kind, message=message, detail=detail)) from None


# --- the client ------------------------------------------------------------------------


class ProviderClient:
    """Talks to the configured provider; one instance per settings, reusable for many calls.

    Construction raises ConfigError when the settings cannot work (no key, no account id
    for Cloudflare, no base URL or model for a generic server). A long-running owner (the
    assistant) passes its one `http` pool, so TLS setup and connections are paid for once;
    without one, the client opens its own on first use and closes it in `aclose`.
    """

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.endpoint: Endpoint = resolve(settings)
        self._given_http = http  # the caller's: never closed here
        self._own_http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"ProviderClient({self.endpoint.dialect.name}, {self.url}, model={self.model})"

    @property
    def model(self) -> str:
        return self.endpoint.model

    @property
    def url(self) -> str:
        return self.endpoint.url

    @property
    def supports_tools(self) -> bool:
        return self.endpoint.dialect.supports_tools

    @property
    def context_window(self) -> int:
        return self.endpoint.context_window

    async def aclose(self) -> None:
        """Close the client's own connection pool, if it opened one."""
        own, self._own_http = self._own_http, None
        if own is not None:
            await own.aclose()

    async def complete(
        self, request: ChatRequest, on_event: EventCallback | None = None
    ) -> Completion:
        """Send one request (retrying where safe) and return the assembled reply.

        `on_event` receives content, reasoning and tool-call-name events as they stream in.
        Raises ProviderError with a one-sentence message when the provider fails for good.
        Finish reasons such as "length" are returned, not raised: the caller decides.
        """
        stream = self.settings.stream
        body = build_body(self.endpoint, request, self.settings, stream=stream)
        log.info(
            "%s: POST %s model=%s stream=%s messages=%d tools=%d",
            self.endpoint.dialect.name,
            self.url,
            self.model,
            stream,
            len(body["messages"]),
            len(body.get("tools", [])),
        )
        started = time.monotonic()
        limit = self.settings.request_timeout
        try:  # one deadline for the whole request: a reply that trickles still ends
            async with asyncio.timeout(_seconds(limit)):
                headers = request_headers(self.endpoint, request)
                completion = await self._with_retries(body, headers, on_event)
        except TimeoutError:
            raise ProviderError(
                f"{self.endpoint.title} did not finish its reply within {limit:g} s "
                "(the request_timeout setting)."
            ) from None
        log.info(
            "%s: finish=%s after %.1f s; %s",
            self.endpoint.dialect.name,
            completion.finish_reason,
            time.monotonic() - started,
            completion.usage.describe(),
        )
        return completion

    # --- retries ----------------------------------------------------------------------

    async def _with_retries(
        self, body: dict[str, Any], headers: dict[str, str], on_event: EventCallback | None
    ) -> Completion:
        retries = 0
        while True:
            delivery = _Delivery(on_event)
            try:
                return await self._attempt(body, headers, delivery)
            except AttemptFailed as exc:
                failure = exc.failure
            log.debug(
                "%s: attempt failed: %s %s",
                self.endpoint.dialect.name,
                failure.kind,
                failure.detail or failure.message,
            )
            give_up = not failure.retryable or retries >= self.settings.max_retries
            if give_up or delivery.delivered:
                raise self._error(failure, retries)
            delay = self._backoff(retries, failure.retry_after)
            retries += 1
            log.warning(
                "%s: %s (%s); retry %d of %d in %.2f s",
                self.endpoint.title,
                failure.kind,
                failure.status or failure.message,
                retries,
                self.settings.max_retries,
                delay,
            )
            await asyncio.sleep(delay)

    def _backoff(self, retries: int, retry_after: float | None) -> float:
        """Retry-After when the provider sent one, else full jitter; both capped."""
        cap = self.settings.retry_max_delay
        if retry_after is not None:
            return min(retry_after, cap)
        return random.uniform(0.0, min(cap, self.settings.retry_base_delay * 2**retries))

    def _error(self, failure: Failure, retries: int) -> ProviderError:
        timeouts = {
            "first_byte_timeout": self.settings.first_byte_timeout,
            "chunk_timeout": self.settings.chunk_timeout,
        }
        return to_error(
            failure,
            title=self.endpoint.title,
            retries=retries,
            key_env=self.endpoint.dialect.key_env,
            model=self.model,
            timeout=timeouts.get(failure.kind, 0.0),
        )

    # --- one attempt ------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._given_http is not None:
            return self._given_http
        if self._own_http is None or self._own_http.is_closed:
            self._own_http = httpx.AsyncClient(follow_redirects=False)
        return self._own_http

    def _timeouts(self) -> httpx.Timeout:
        """httpx enforces only the connect clock; _Clock handles the reading clocks."""
        connect = _seconds(self.settings.connect_timeout)
        return httpx.Timeout(connect=connect, read=None, write=None, pool=connect)

    async def _attempt(
        self, body: dict[str, Any], sent: dict[str, str], delivery: _Delivery
    ) -> Completion:
        builder = ReplyBuilder()
        headers = dict(sent)
        if body.get("stream"):
            headers["Accept"] = "text/event-stream"
        clock: _Clock | None = None
        try:
            async with asyncio.timeout(_seconds(self.settings.first_byte_timeout)) as scope:
                clock = _Clock(scope, self.settings)
                async with self._http().stream(
                    "POST", self.url, json=body, headers=headers, timeout=self._timeouts()
                ) as response:
                    clock.replying = True
                    await self._read(response, builder, delivery, clock)
        except TimeoutError:
            kind = clock.kind if clock else "first_byte_timeout"
            raise AttemptFailed(Failure(kind, detail=f"{kind} expired")) from None
        except httpx.TransportError as exc:
            raise AttemptFailed(self._transport_failure(exc, clock)) from None
        return builder.finish(self.endpoint.price)

    def _transport_failure(self, exc: httpx.TransportError, clock: _Clock | None) -> Failure:
        text = redact(str(exc) or type(exc).__name__, self.endpoint.api_key)
        if clock is not None and clock.replying:
            return Failure("cut", message="the connection closed early", detail=text)
        return Failure("connect", message=text, detail=f"{type(exc).__name__}: {text}")

    async def _read(
        self, response: httpx.Response, builder: ReplyBuilder, delivery: _Delivery, clock: _Clock
    ) -> None:
        if response.status_code >= 400:
            raw = (await response.aread()).decode("utf-8", "replace")
            retry_after = response.headers.get("retry-after")
            raise AttemptFailed(
                http_failure(response.status_code, raw, retry_after, self.endpoint.api_key)
            )
        content_type = response.headers.get("content-type", "")
        if "text/event-stream" in content_type:
            await self._read_events(response, builder, delivery, clock)
        else:  # not streaming, or a provider that ignored stream=true
            clock.next_chunk()
            delivery.emit(self._read_whole(await response.aread(), builder))

    def _read_whole(self, raw: bytes, builder: ReplyBuilder) -> list[StreamEvent]:
        """Parse a complete JSON reply; its events go out at once, in one piece each."""
        try:
            body = jsonlimit.loads(raw)
        except ValueError as exc:
            text = redact(raw[:500].decode("utf-8", "replace"), self.endpoint.api_key)
            why = f"the reply was refused: {exc}" if isinstance(exc, JsonRefused) else ""
            raise AttemptFailed(
                Failure("malformed", message=why or "the reply was not JSON", detail=text)
            ) from None
        if self.endpoint.native:
            body = unwrap_envelope(body)
        self._check_error_body(body)
        return _shaped(partial(builder.add_message, body), "malformed")

    async def _read_events(
        self, response: httpx.Response, builder: ReplyBuilder, delivery: _Delivery, clock: _Clock
    ) -> None:
        """Feed SSE events to the builder until [DONE]; a stream that stops early is a cut."""
        done, count = False, 0
        events = EventSource(response).aiter_sse()
        async for event in events:
            count += 1
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # one network read can hold hundreds of events
            clock.next_chunk()
            data = event.data.strip()
            if data == "[DONE]":
                done = True
                break
            if data:
                chunk = self._decode_chunk(data)
                delivery.emit(_shaped(partial(builder.add_chunk, chunk), "cut"))
        # Some servers omit [DONE]; a clean end after a finish_reason is still complete.
        if not done and builder.finish_reason is None:
            raise AttemptFailed(Failure("cut", message="the stream ended before [DONE]"))
        delivery.emit(builder.flush_events())
        if done:
            await _drain(events)

    def _decode_chunk(self, data: str) -> Any:
        try:
            chunk = jsonlimit.loads(data)
        except ValueError as exc:
            text = redact(data[:500], self.endpoint.api_key)
            why = f"a chunk was refused: {exc}" if isinstance(exc, JsonRefused) else ""
            raise AttemptFailed(
                Failure("cut", message=why or "a chunk was not valid JSON", detail=text)
            ) from None
        self._check_error_body(chunk)
        return chunk

    def _check_error_body(self, body: Any) -> None:
        """Some providers report errors inside a 200 reply or mid-stream."""
        if isinstance(body, dict) and body.get("error") and not body.get("choices"):
            text = redact(json.dumps(body), self.endpoint.api_key)
            raise AttemptFailed(
                Failure("server", message=provider_message(text), detail=text[:2000])
            )


async def _drain(events: AsyncIterator[Any]) -> None:
    """Read the body's end after [DONE] (briefly), so the connection goes back to the pool:
    a response left unread is closed, and the next request (inline completion sends one
    per typing pause) would pay a new TCP and TLS handshake."""
    try:
        async with asyncio.timeout(DRAIN_GRACE):
            async for _ in events:
                pass
    except (TimeoutError, httpx.TransportError, ValueError):
        pass  # the connection is closed instead; the reply is complete either way
