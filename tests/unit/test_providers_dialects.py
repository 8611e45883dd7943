"""Dialect resolution, request bodies and pricing: pure functions, no network."""

from __future__ import annotations

import logging

import pytest

from glm_lsp.config import Settings
from glm_lsp.errors import ConfigError
from glm_lsp.providers.dialects import DIALECTS, build_body, resolve
from glm_lsp.providers.pricing import estimate_cost, price_for
from glm_lsp.providers.types import ChatRequest, Message, ToolSpec, Usage

KEY = "sk-dialect-test-key"


def settings(provider: str, **values: object) -> Settings:
    defaults: dict[str, object] = {"provider": provider, "api_key": KEY, "account_id": "acct-1"}
    if provider == "openai":
        defaults |= {"base_url": "http://localhost:8000/v1", "model": "glm-5.2"}
    return Settings(**(defaults | values))  # type: ignore[arg-type]


def request(**values: object) -> ChatRequest:
    return ChatRequest(messages=[Message("user", "hi")], **values)  # type: ignore[arg-type]


def tools(count: int) -> list[ToolSpec]:
    return [ToolSpec(f"tool_{i}", "does a thing", {"type": "object"}) for i in range(count)]


@pytest.mark.parametrize(
    ("provider", "url", "model", "window"),
    [
        (
            "hyperstack",
            "https://console.hyperstack.cloud/ai/api/v1/chat/completions",
            "zai-org/GLM-5.2",
            1_048_576,
        ),
        (
            "cloudflare",
            "https://api.cloudflare.com/client/v4/accounts/acct-1/ai/v1/chat/completions",
            "@cf/zai-org/glm-5.2",
            262_144,
        ),
        (
            "nvidia",
            "https://integrate.api.nvidia.com/v1/chat/completions",
            "z-ai/glm-5.2",
            1_000_000,
        ),
        ("ourtoken", "https://api.ourtoken.ai/v1/chat/completions", "glm-5.2", 131_072),
        ("evolink", "https://direct.evolink.ai/v1/chat/completions", "glm-5.2", 131_072),
        ("openai", "http://localhost:8000/v1/chat/completions", "glm-5.2", 131_072),
    ],
)
def test_documented_endpoints(provider: str, url: str, model: str, window: int) -> None:
    endpoint = resolve(settings(provider))
    assert (endpoint.url, endpoint.model, endpoint.context_window) == (url, model, window)


def test_auth_headers() -> None:
    assert resolve(settings("hyperstack")).headers["api_key"] == KEY
    assert "Authorization" not in resolve(settings("hyperstack")).headers
    for provider in ("cloudflare", "nvidia", "ourtoken", "evolink", "openai"):
        assert resolve(settings(provider)).headers["Authorization"] == f"Bearer {KEY}"
    custom = resolve(settings("openai", auth_header="X-Api-Key")).headers
    assert custom["X-Api-Key"] == KEY and "Authorization" not in custom


def test_generic_server_without_key_sends_no_auth() -> None:
    headers = resolve(settings("openai", api_key="")).headers
    assert not {"Authorization", "api_key"} & set(headers)


def test_base_url_override_keeps_the_dialect() -> None:
    endpoint = resolve(settings("hyperstack", base_url="http://127.0.0.1:9/ai/api/v1/"))
    assert endpoint.url == "http://127.0.0.1:9/ai/api/v1/chat/completions"
    assert endpoint.headers["api_key"] == KEY
    pasted = resolve(settings("nvidia", base_url="http://h/v1/chat/completions"))
    assert pasted.url == "http://h/v1/chat/completions"


def test_model_override_and_its_price() -> None:
    endpoint = resolve(settings("hyperstack", model="zai-org/Other"))
    assert endpoint.model == "zai-org/Other"
    assert endpoint.price is None  # the published price is for GLM-5.2 only


def test_cloudflare_native_route() -> None:
    native = settings("cloudflare", endpoint="native")
    endpoint = resolve(native)
    assert endpoint.url == (
        "https://api.cloudflare.com/client/v4/accounts/acct-1/ai/run/@cf/zai-org/glm-5.2"
    )
    assert endpoint.native
    assert "model" not in build_body(endpoint, request(), native, stream=False)
    # Only Cloudflare has a native route; elsewhere the setting is ignored.
    assert not resolve(settings("nvidia", endpoint="native")).native


@pytest.mark.parametrize(
    ("values", "sentence"),
    [
        (
            {"provider": "cloudflare", "account_id": ""},
            "Cloudflare needs an account id; set CLOUDFLARE_ACCOUNT_ID.",
        ),
        (
            {"provider": "openai", "base_url": "", "model": "m"},
            "Set GLM_BASE_URL (or the baseUrl setting) to use the openai provider.",
        ),
        (
            {"provider": "openai", "base_url": "http://h/v1", "model": ""},
            "Set GLM_MODEL (or the model setting) to use the openai provider.",
        ),
        ({"provider": "nvidia", "api_key": ""}, "No API key for NVIDIA; set NVIDIA_API_KEY."),
        (
            {"provider": "nvidia", "base_url": "integrate.api.nvidia.com/v1"},
            "The base URL must start with http:// or https://, not 'integrate.api.nvidia.com/v1'.",
        ),
    ],
)
def test_config_errors_are_one_sentence(values: dict[str, str], sentence: str) -> None:
    base = {"api_key": KEY}
    with pytest.raises(ConfigError) as caught:
        resolve(Settings(**(base | values)))  # type: ignore[arg-type]
    assert str(caught.value) == sentence


def test_key_never_in_repr() -> None:
    endpoint = resolve(settings("cloudflare"))
    assert KEY not in repr(endpoint) and KEY not in repr(settings("cloudflare"))


def test_common_body() -> None:
    endpoint = resolve(settings("ourtoken", temperature=0.3, reasoning_effort="high"))
    body = build_body(
        endpoint,
        request(tools=tools(2), tool_choice="auto", stop=["x", "y"], top_p=0.9, max_tokens=99),
        settings("ourtoken", temperature=0.3, reasoning_effort="high"),
        stream=True,
    )
    assert body["model"] == "glm-5.2"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.3, 0.9, 99)
    assert body["stop"] == ["x", "y"] and body["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in body["tools"]] == ["tool_0", "tool_1"]
    assert body["reasoning_effort"] == "high"


def test_stream_options_only_where_documented() -> None:
    for provider in ("hyperstack", "nvidia", "evolink"):
        body = build_body(resolve(settings(provider)), request(), settings(provider), stream=True)
        assert "stream_options" not in body


def test_request_effort_wins_over_settings() -> None:
    s = settings("hyperstack", reasoning_effort="high")
    body = build_body(resolve(s), request(reasoning_effort="none"), s, stream=False)
    assert body["reasoning_effort"] == "none"


def test_nvidia_never_gets_tools() -> None:
    s = settings("nvidia")
    body = build_body(resolve(s), request(tools=tools(3), tool_choice="auto"), s, stream=False)
    assert "tools" not in body and "tool_choice" not in body
    assert not DIALECTS["nvidia"].supports_tools


def evolink_body(**values: object) -> dict[str, object]:
    s = settings("evolink")
    return build_body(resolve(s), request(**values), s, stream=False)


def test_evolink_clamps_sampling() -> None:
    body = evolink_body(temperature=1.7, top_p=0.004, max_tokens=500_000, stop=["a", "b"])
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (1.0, 0.01, 131_072)
    assert body["stop"] == ["a"]
    body = evolink_body(temperature=0.123456, top_p=0.987, max_tokens=0)
    # max_tokens=0 means "use the settings' value", which is in range
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.12, 0.99, 32768)
    assert evolink_body(temperature=-1.0)["temperature"] == 0.0


def test_evolink_tool_choice(caplog: pytest.LogCaptureFixture) -> None:
    assert evolink_body(tools=tools(2), tool_choice="required")["tool_choice"] == "auto"
    none = evolink_body(tools=tools(2), tool_choice="none")
    assert "tools" not in none and "tool_choice" not in none
    with caplog.at_level(logging.WARNING, logger="glm_lsp.providers"):
        many = evolink_body(tools=tools(130))
    assert len(many["tools"]) == 128  # type: ignore[arg-type]
    assert "at most 128 tools" in caplog.text


@pytest.mark.parametrize(
    ("effort", "thinking", "sent_effort"),
    [
        ("max", "enabled", "max"),
        ("xhigh", "enabled", "xhigh"),
        ("high", "enabled", "high"),
        ("medium", "enabled", "medium"),
        ("low", "enabled", "low"),
        ("minimal", "disabled", None),
        ("none", "disabled", None),
    ],
)
def test_evolink_thinking(effort: str, thinking: str, sent_effort: str | None) -> None:
    body = evolink_body(reasoning_effort=effort)
    assert body["thinking"] == {"type": thinking}
    assert body.get("reasoning_effort") == sent_effort


def test_evolink_without_effort_leaves_provider_default() -> None:
    body = evolink_body()
    assert "thinking" not in body and "reasoning_effort" not in body


# --- pricing ------------------------------------------------------------------------------


def test_prices_from_the_seeds() -> None:
    million = Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000)
    assert estimate_cost(million, price_for("hyperstack", "zai-org/GLM-5.2")) == pytest.approx(
        0.97 + 3.06
    )
    assert estimate_cost(million, price_for("cloudflare", "@cf/zai-org/glm-5.2")) == (
        pytest.approx(1.40 + 4.40)
    )
    assert estimate_cost(million, price_for("ourtoken", "glm-5.2")) == pytest.approx(0.84 + 2.64)
    for provider, model in (("nvidia", "z-ai/glm-5.2"), ("evolink", "glm-5.2"), ("openai", "x")):
        assert estimate_cost(million, price_for(provider, model)) is None


def test_cached_tokens_priced_apart() -> None:
    usage = Usage(prompt_tokens=1_000_000, completion_tokens=0, cached_tokens=600_000)
    cloudflare = estimate_cost(usage, price_for("cloudflare", "@cf/zai-org/glm-5.2"))
    assert cloudflare == pytest.approx(0.4 * 1.40 + 0.6 * 0.26)
    ourtoken = estimate_cost(usage, price_for("ourtoken", "glm-5.2"))
    assert ourtoken == pytest.approx(0.4 * 0.84 + 0.6 * 0.156)
    # Hyperstack publishes no cached price: cached tokens cost the full input price.
    hyperstack = estimate_cost(usage, price_for("hyperstack", "zai-org/GLM-5.2"))
    assert hyperstack == pytest.approx(0.97)


def test_reasoning_is_not_billed_twice() -> None:
    usage = Usage(prompt_tokens=0, completion_tokens=1_000_000, reasoning_tokens=900_000)
    assert estimate_cost(usage, price_for("hyperstack", "zai-org/GLM-5.2")) == pytest.approx(3.06)
