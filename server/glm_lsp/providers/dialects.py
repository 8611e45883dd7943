"""How each provider differs, written down as data plus a few small hooks.

All providers speak OpenAI Chat Completions; what differs is the base URL, how the key is
sent, the model id, whether tools are allowed, and a few request rules. Each difference is
a field of `Dialect` (or a hook for the rules that are code), so there is exactly one
client. Every fact comes from the provider documents in shared/seeds/.

`resolve(settings)` turns the settings into an `Endpoint`: the URL, headers and model one
client instance talks to. `build_body(endpoint, request, settings, stream=...)` turns a
provider-neutral `ChatRequest` into the JSON body that provider accepts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .. import __version__
from ..config import FALLBACK_KEY_ENV, KEY_ENV, Settings
from ..errors import ConfigError
from .pricing import Price, price_for
from .types import ChatRequest

log = logging.getLogger("glm_lsp.providers")

CHAT_PATH = "/chat/completions"
# Used when a provider documents no context window (OurToken, Evolink, generic servers):
# small enough to fit every GLM-5.2 deployment we know of, so prompts are never rejected.
FALLBACK_CONTEXT_WINDOW = 131_072

BodyHook = Callable[[dict[str, Any]], None]


@dataclass(frozen=True, kw_only=True)
class Dialect:
    """One provider's documented behaviour. Empty strings mean "the user must configure it"."""

    name: str  # the value of settings.provider
    title: str  # how sentences shown to the user name the provider
    base_url: str  # everything before /chat/completions; may contain {account_id}
    model: str
    context_window: int | None = None  # None: the provider does not document one
    key_header: str = "Authorization"
    bearer: bool = True  # send "Bearer KEY" rather than the raw key
    key_required: bool = True
    supports_tools: bool = True
    # Send stream_options.include_usage, for providers that document it; the others are
    # not sent parameters they never mention.
    stream_usage_option: bool = False
    # Cloudflare's native /ai/run/<model> route exists next to the OpenAI-compatible one.
    has_native_route: bool = False
    adapt_body: BodyHook | None = None  # last-step request rules (Evolink)
    # The header that routes a request to the host holding its session's prefix cache;
    # Workers AI caches prefixes only for requests that carry x-session-affinity.
    affinity_header: str = ""

    @property
    def key_env(self) -> str:
        """The environment variable users are told to check when the key is refused."""
        names = KEY_ENV.get(self.name, ())
        return names[0] if names else FALLBACK_KEY_ENV


# --- request rules ------------------------------------------------------------------

EVOLINK_EFFORTS = ("max", "xhigh", "high", "medium", "low", "minimal", "none")
EVOLINK_MAX_TOOLS = 128
EVOLINK_MAX_OUTPUT = 131_072


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def evolink_rules(body: dict[str, Any]) -> None:
    """Make a body valid for Evolink, which rejects what other providers accept.

    Evolink documents: temperature in [0, 1] and top_p in [0.01, 1], both with at most two
    decimals; max_tokens in [1, 131072]; a single stop word; tool_choice "auto" only; at
    most 128 tools; and reasoning switched by `thinking.type`, with `reasoning_effort`
    only meaningful while thinking is enabled ("none"/"minimal" mean no thinking).
    """
    if "temperature" in body:
        body["temperature"] = round(_clamp(float(body["temperature"]), 0.0, 1.0), 2)
    if "top_p" in body:
        body["top_p"] = round(_clamp(float(body["top_p"]), 0.01, 1.0), 2)
    if "max_tokens" in body:
        body["max_tokens"] = int(_clamp(int(body["max_tokens"]), 1, EVOLINK_MAX_OUTPUT))
    if len(body.get("stop", [])) > 1:
        log.warning("Evolink accepts one stop word; sending only %r", body["stop"][0])
        body["stop"] = body["stop"][:1]
    _evolink_tools(body)
    _evolink_thinking(body)


def _evolink_tools(body: dict[str, Any]) -> None:
    """tool_choice "none" becomes "no tools"; every other choice becomes "auto"."""
    choice = body.pop("tool_choice", None)
    if choice == "none":
        body.pop("tools", None)
        return
    tools = body.get("tools")
    if not tools:
        return
    if len(tools) > EVOLINK_MAX_TOOLS:
        log.warning(
            "Evolink accepts at most %d tools; dropping the last %d",
            EVOLINK_MAX_TOOLS,
            len(tools) - EVOLINK_MAX_TOOLS,
        )
        body["tools"] = tools[:EVOLINK_MAX_TOOLS]
    body["tool_choice"] = "auto"


def _evolink_thinking(body: dict[str, Any]) -> None:
    effort = body.pop("reasoning_effort", None)
    if not effort:
        return  # leave Evolink's default (thinking on, effort max)
    effort = str(effort).lower()
    if effort not in EVOLINK_EFFORTS:
        log.warning("Evolink does not know reasoning_effort %r; using its default", effort)
        return
    if effort in ("none", "minimal"):
        body["thinking"] = {"type": "disabled"}
    else:
        body["thinking"] = {"type": "enabled"}
        body["reasoning_effort"] = effort


# --- the table ------------------------------------------------------------------------

DIALECTS: dict[str, Dialect] = {
    d.name: d
    for d in (
        Dialect(
            name="hyperstack",
            title="Hyperstack",
            base_url="https://console.hyperstack.cloud/ai/api/v1",
            model="zai-org/GLM-5.2",
            context_window=1_048_576,
            key_header="api_key",  # "Authentication uses an api_key header, not a Bearer token"
            bearer=False,
        ),
        Dialect(
            name="cloudflare",
            title="Cloudflare",
            base_url="https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1",
            model="@cf/zai-org/glm-5.2",
            context_window=262_144,
            stream_usage_option=True,
            has_native_route=True,
            affinity_header="x-session-affinity",
        ),
        Dialect(
            name="nvidia",
            title="NVIDIA",
            base_url="https://integrate.api.nvidia.com/v1",
            model="z-ai/glm-5.2",
            context_window=1_000_000,
            supports_tools=False,  # "Function Calling: Not supported"
        ),
        Dialect(
            name="ourtoken",
            title="OurToken",
            base_url="https://api.ourtoken.ai/v1",
            model="glm-5.2",
            stream_usage_option=True,
        ),
        Dialect(
            name="evolink",
            title="Evolink",
            base_url="https://direct.evolink.ai/v1",
            model="glm-5.2",
            adapt_body=evolink_rules,
        ),
        Dialect(
            name="openai",
            title="The OpenAI-compatible server",
            base_url="",
            model="",
            key_required=False,  # local vLLM / llama.cpp servers often need no key
            stream_usage_option=True,
        ),
    )
}


# --- resolving settings into an endpoint ----------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where one client sends its requests; `headers` and `api_key` never appear in repr."""

    dialect: Dialect
    url: str
    model: str
    headers: dict[str, str] = field(repr=False)
    api_key: str = field(default="", repr=False)
    native: bool = False  # Cloudflare /ai/run: no model in the body, replies in an envelope
    price: Price | None = None

    @property
    def title(self) -> str:
        """The provider's name for sentences; a generic server is named by its host."""
        if self.dialect.name == "openai":
            return f"The server at {urlsplit(self.url).netloc or self.url}"
        return self.dialect.title

    @property
    def context_window(self) -> int:
        return self.dialect.context_window or FALLBACK_CONTEXT_WINDOW


def resolve(settings: Settings, *, require_key: bool = True) -> Endpoint:
    """Work out URL, headers and model from the settings, or raise ConfigError saying why."""
    dialect = DIALECTS.get(settings.provider)
    if dialect is None:
        raise ConfigError(
            f"Unknown provider '{settings.provider}'; use one of {', '.join(DIALECTS)}."
        )
    model = settings.model or dialect.model
    if not model:
        raise ConfigError(
            f"Set GLM_MODEL (or the model setting) to use the {dialect.name} provider."
        )
    if require_key and dialect.key_required and not settings.api_key:
        raise ConfigError(f"No API key for {dialect.title}; set {dialect.key_env}.")
    base = _base_url(dialect, settings)
    native = dialect.has_native_route and settings.endpoint == "native"
    url = _native_url(base, model) if native else base + CHAT_PATH
    return Endpoint(
        dialect=dialect,
        url=url,
        model=model,
        headers=_headers(dialect, settings),
        api_key=settings.api_key,
        native=native,
        price=price_for(dialect.name, model),
    )


def _base_url(dialect: Dialect, settings: Settings) -> str:
    """settings.base_url replaces the documented base; `{account_id}` is filled in."""
    base = (settings.base_url or dialect.base_url).strip().rstrip("/")
    if not base:
        raise ConfigError(
            f"Set GLM_BASE_URL (or the baseUrl setting) to use the {dialect.name} provider."
        )
    base = base.removesuffix(CHAT_PATH)  # forgive a pasted full endpoint URL
    if urlsplit(base).scheme not in ("http", "https"):
        raise ConfigError(f"The base URL must start with http:// or https://, not '{base}'.")
    if "{account_id}" in base:
        if not settings.account_id:
            raise ConfigError(f"{dialect.title} needs an account id; set CLOUDFLARE_ACCOUNT_ID.")
        base = base.replace("{account_id}", settings.account_id)
    return base


def _native_url(base: str, model: str) -> str:
    """Cloudflare's native route: .../accounts/ID/ai/v1 becomes .../accounts/ID/ai/run/MODEL."""
    if not base.endswith("/v1"):
        raise ConfigError(f"The native endpoint needs a base URL ending in /v1, not {base}.")
    return base.removesuffix("/v1") + "/run/" + model


def _headers(dialect: Dialect, settings: Settings) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "User-Agent": f"glm-lsp/{__version__}"}
    if not settings.api_key:
        return headers
    if dialect.name == "openai" and settings.auth_header:
        headers[settings.auth_header] = settings.api_key
    elif dialect.bearer:
        headers[dialect.key_header] = f"Bearer {settings.api_key}"
    else:
        headers[dialect.key_header] = settings.api_key
    return headers


def request_headers(endpoint: Endpoint, request: ChatRequest) -> dict[str, str]:
    """The endpoint's headers, plus the session affinity where the dialect routes by it."""
    headers = dict(endpoint.headers)
    if endpoint.dialect.affinity_header and request.affinity:
        headers[endpoint.dialect.affinity_header] = request.affinity
    return headers


# --- building the request body --------------------------------------------------------


def build_body(
    endpoint: Endpoint, request: ChatRequest, settings: Settings, *, stream: bool
) -> dict[str, Any]:
    """The JSON body for one request; the dialect's own rules are applied last."""
    body: dict[str, Any] = {"messages": [message.to_wire() for message in request.messages]}
    if not endpoint.native:
        body["model"] = endpoint.model  # the native route names the model in its URL
    if stream:
        body["stream"] = True
        if endpoint.dialect.stream_usage_option:
            body["stream_options"] = {"include_usage": True}
    _sampling(body, request, settings)
    if request.tools and endpoint.dialect.supports_tools:
        body["tools"] = [tool.to_wire() for tool in request.tools]
        if request.tool_choice:
            body["tool_choice"] = request.tool_choice
    elif request.tools:
        log.debug("%s cannot call tools; sending the request without them", endpoint.title)
    effort = request.reasoning_effort or settings.reasoning_effort
    if effort:
        body["reasoning_effort"] = effort
    if endpoint.dialect.adapt_body is not None:
        endpoint.dialect.adapt_body(body)
    return body


def _sampling(body: dict[str, Any], request: ChatRequest, settings: Settings) -> None:
    temperature = request.temperature if request.temperature is not None else settings.temperature
    if temperature is not None:
        body["temperature"] = temperature
    if request.top_p is not None:
        body["top_p"] = request.top_p
    max_tokens = request.max_tokens or settings.max_tokens
    if max_tokens:
        body["max_tokens"] = max_tokens
    if request.stop:
        body["stop"] = list(request.stop)
