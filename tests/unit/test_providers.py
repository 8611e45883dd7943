"""ProviderClient against a real HTTP server playing each provider (tests/provider_server.py).

No mocks: every test sends real requests over 127.0.0.1 and checks both what the client
returned and what the server received.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from glm_lsp.config import load_settings
from glm_lsp.errors import ProviderError
from glm_lsp.providers import ChatRequest, Message, ProviderClient, StreamEvent, ToolSpec
from provider_server import FACTS, ProviderServer, Turn

Start = Callable[..., ProviderServer]
DIALECTS = list(FACTS)
REPO = Path(__file__).resolve().parents[2]

READ = ToolSpec("read_file", "Read a file", {"type": "object", "properties": {}})
EDIT = ToolSpec("edit_file", "Edit a file", {"type": "object", "properties": {}})


def ask(text: str = "hi", **values: Any) -> ChatRequest:
    return ChatRequest(messages=[Message("user", text)], **values)


async def complete(
    server: ProviderServer, request: ChatRequest | None = None, **settings: Any
) -> tuple[Any, list[StreamEvent]]:
    """One call with a fresh client; returns the completion and the streamed events."""
    events: list[StreamEvent] = []
    client = ProviderClient(server.settings(**settings))
    try:
        completion = await client.complete(request or ask(), on_event=events.append)
    finally:
        await client.aclose()
    return completion, events


async def fail(server: ProviderServer, request: ChatRequest | None = None, **settings: Any) -> str:
    """One call that must fail; returns the sentence."""
    with pytest.raises(ProviderError) as caught:
        await complete(server, request, **settings)
    return str(caught.value)


def joined(events: list[StreamEvent], kind: str) -> str:
    return "".join(event.text for event in events if event.kind == kind)


TWO_CALLS = Turn(
    content="I will read and then edit.",
    reasoning="The user wants a fix; first read the file.",
    tool_calls=[("read_file", {"path": "src/app.py"}), ("edit_file", {"path": "a", "new": "x\ny"})],
    chunk_size=3,
)


# --- every dialect: the happy path ---------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_reply_with_reasoning_and_tool_calls(
    provider_server: Start, dialect: str, stream: bool
) -> None:
    server = provider_server(dialect)
    server.script(TWO_CALLS)
    completion, events = await complete(server, ask(tools=[READ, EDIT]), stream=stream)

    assert completion.content == "I will read and then edit."
    assert completion.reasoning == "The user wants a fix; first read the file."
    assert [(c.name, c.parsed_arguments()) for c in completion.tool_calls] == [
        ("read_file", {"path": "src/app.py"}),
        ("edit_file", {"path": "a", "new": "x\ny"}),
    ]
    assert completion.finish_reason == "tool_calls"
    # Streamed, the pieces arrive one by one; whole, each arrives once. Both add up.
    assert len([e for e in events if e.kind == "content"]) == (9 if stream else 1)
    assert joined(events, "content") == completion.content
    assert joined(events, "reasoning") == completion.reasoning
    assert [e.text for e in events if e.kind == "tool_call"] == ["read_file", "edit_file"]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_exact_path_auth_and_model(provider_server: Start, dialect: str) -> None:
    server = provider_server(dialect, key="k-exact-123")
    await complete(server)
    sent = server.requests[-1]
    assert (sent.method, sent.path) == ("POST", server.chat_path)
    expected_model = {
        "hyperstack": "zai-org/GLM-5.2",
        "cloudflare": "@cf/zai-org/glm-5.2",
        "nvidia": "z-ai/glm-5.2",
    }.get(dialect, "glm-5.2")
    assert sent.body["model"] == expected_model
    if dialect == "hyperstack":
        assert sent.headers["api_key"] == "k-exact-123" and "authorization" not in sent.headers
    else:
        assert sent.headers["authorization"] == "Bearer k-exact-123"
    assert sent.headers["content-type"] == "application/json"


def test_documented_paths() -> None:
    """The fake servers themselves serve the paths the seeds document."""
    assert FACTS["hyperstack"].base_path == "/ai/api/v1"
    assert FACTS["cloudflare"].base_path == "/client/v4/accounts/{account_id}/ai/v1"
    with ProviderServer("cloudflare", account_id="abc") as server:
        assert server.chat_path == "/client/v4/accounts/abc/ai/v1/chat/completions"
        assert server.native_path == "/client/v4/accounts/abc/ai/run/@cf/zai-org/glm-5.2"


async def test_generic_server_with_custom_auth_header(provider_server: Start) -> None:
    server = provider_server("openai", model="my-glm", auth_header="X-Api-Key")
    completion, _ = await complete(server)
    sent = server.requests[-1]
    assert completion.content == "ok"
    assert sent.headers["x-api-key"] == server.key and "authorization" not in sent.headers
    assert sent.body["model"] == "my-glm"


async def test_wrong_model_is_one_sentence(provider_server: Start) -> None:
    server = provider_server("hyperstack")
    sentence = await fail(server, model="zai-org/GLM-9")
    assert sentence == (
        "Hyperstack does not know the model or address (404): The model 'zai-org/GLM-9' does "
        "not exist; check the model id 'zai-org/GLM-9' and the base URL."
    )
    assert len(server.requests) == 1  # not retried


# --- usage and cost -------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
async def test_hyperstack_reports_its_own_cost(provider_server: Start, stream: bool) -> None:
    server = provider_server("hyperstack")
    usage = {
        "completion_tokens": 434,
        "estimated_cost": 0.0013305,
        "prompt_tokens": 30,
        "prompt_tokens_details": None,
        "reasoning_tokens": 200,
        "total_tokens": 464,
    }
    server.script(Turn(content="A cloud GPU platform is...", usage=usage))
    completion, _ = await complete(server, stream=stream)
    got = completion.usage
    assert (got.prompt_tokens, got.completion_tokens, got.reasoning_tokens) == (30, 434, 200)
    assert got.cost == 0.0013305


async def test_hyperstack_default_usage_shape(provider_server: Start) -> None:
    server = provider_server("hyperstack")
    server.script(Turn(content="hello", reasoning="r" * 40))
    completion, _ = await complete(server)
    assert completion.usage.reasoning_tokens == 10
    assert completion.usage.cost is not None and completion.usage.cost > 0


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("cloudflare", 0.5 * 1.40 + 0.5 * 0.26 + 4.40),
        ("ourtoken", 0.5 * 0.84 + 0.5 * 0.156 + 2.64),
        ("nvidia", None),
        ("evolink", None),
        ("openai", None),
    ],
)
async def test_cost_with_cached_input(
    provider_server: Start, dialect: str, expected: float | None, stream: bool
) -> None:
    server = provider_server(dialect)
    server.script(
        Turn(
            content="x",
            usage={
                "prompt_tokens": 1_000_000,
                "completion_tokens": 1_000_000,
                "total_tokens": 2_000_000,
                "prompt_tokens_details": {"cached_tokens": 500_000},
                "completion_tokens_details": {"reasoning_tokens": 7},
            },
        )
    )
    completion, _ = await complete(server, stream=stream)
    if dialect == "nvidia" and stream:
        assert completion.usage.prompt_tokens == 0  # NVIDIA documents no streamed usage
        return
    assert completion.usage.cached_tokens == 500_000
    assert completion.usage.reasoning_tokens == 7
    assert completion.usage.cost == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("dialect", ["cloudflare", "ourtoken", "openai"])
async def test_streamed_usage_arrives_in_final_chunk(provider_server: Start, dialect: str) -> None:
    server = provider_server(dialect)
    server.script(Turn(content="hello world", cached_tokens=2))
    completion, _ = await complete(server)
    assert server.requests[-1].body["stream_options"] == {"include_usage": True}
    assert completion.usage.completion_tokens > 0 and completion.usage.cached_tokens == 2


# --- request rules ---------------------------------------------------------------------------


async def test_evolink_request_is_made_valid(provider_server: Start, caplog: Any) -> None:
    server = provider_server("evolink")
    many = [ToolSpec(f"t{i}", "d", {"type": "object"}) for i in range(130)]
    request = ask(
        tools=many,
        tool_choice="required",
        temperature=1.7,
        top_p=0.004,
        max_tokens=900_000,
        stop=["Human:", "AI:"],
        reasoning_effort="high",
    )
    with caplog.at_level(logging.WARNING, logger="glm_lsp.providers"):
        completion, _ = await complete(server, request)
    body = server.requests[-1].body
    assert completion.content == "ok"  # the server accepted it
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (1.0, 0.01, 131_072)
    assert body["stop"] == ["Human:"] and body["tool_choice"] == "auto"
    assert len(body["tools"]) == 128 and "128 tools" in caplog.text
    assert body["thinking"] == {"type": "enabled"} and body["reasoning_effort"] == "high"


async def test_evolink_no_thinking_and_no_tools(provider_server: Start) -> None:
    server = provider_server("evolink")
    await complete(server, ask(tools=[READ], tool_choice="none", reasoning_effort="none"))
    body = server.requests[-1].body
    assert body["thinking"] == {"type": "disabled"}
    assert not {"reasoning_effort", "tools", "tool_choice"} & set(body)


@pytest.mark.parametrize(
    "bad",
    [
        {"temperature": 1.5},
        {"temperature": 0.123},
        {"top_p": 0},
        {"max_tokens": 131_073},
        {"stop": ["a", "b"]},
        {"tool_choice": "required"},
        {"reasoning_effort": "extreme"},
        {"thinking": {"type": "on"}},
        {"tools": [{"type": "function"}] * 129},
    ],
)
def test_fake_evolink_enforces_its_rules(bad: dict[str, Any]) -> None:
    """Without this, the request-rule tests above would prove nothing."""
    with ProviderServer("evolink") as server:
        body = {"model": "glm-5.2", "messages": [{"role": "user", "content": "hi"}], **bad}
        reply = httpx.post(
            server.base_url + "/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {server.key}"},
        )
        assert reply.status_code == 400, bad


async def test_nvidia_never_receives_tools(provider_server: Start) -> None:
    server = provider_server("nvidia")
    server.script(Turn(content="Here is the edit as text."))
    completion, _ = await complete(server, ask(tools=[READ, EDIT], tool_choice="auto"))
    assert completion.content == "Here is the edit as text."
    assert not {"tools", "tool_choice"} & set(server.requests[-1].body)
    raw = httpx.post(
        server.base_url + "/chat/completions",
        json={
            "model": "z-ai/glm-5.2",
            "messages": [{"role": "user", "content": "x"}],
            "tools": [READ.to_wire()],
        },
        headers={"Authorization": f"Bearer {server.key}"},
    )
    assert raw.status_code == 400  # the fake really would have refused


async def test_reasoning_effort_passes_through(provider_server: Start) -> None:
    server = provider_server("hyperstack")
    await complete(server, reasoning_effort="none")
    assert server.requests[-1].body["reasoning_effort"] == "none"


# --- Cloudflare native route ----------------------------------------------------------------


@pytest.mark.parametrize("legacy", [False, True], ids=["chunks", "legacy"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
async def test_cloudflare_native(provider_server: Start, stream: bool, legacy: bool) -> None:
    server = provider_server("cloudflare", native_legacy=legacy)
    server.script(
        Turn(
            content="Pizza is good because...",
            reasoning="" if legacy else "Hmm.",
            usage={"prompt_tokens": 10, "completion_tokens": 20},
        )
    )
    completion, events = await complete(server, endpoint="native", stream=stream)
    sent = server.requests[-1]
    assert sent.path == server.native_path and "model" not in sent.body
    assert sent.headers["authorization"] == f"Bearer {server.key}"
    assert completion.content == "Pizza is good because..."
    assert completion.reasoning == ("" if legacy else "Hmm.")
    assert completion.usage.completion_tokens == 20
    assert joined(events, "content") == completion.content


async def test_cloudflare_native_legacy_tool_calls(provider_server: Start) -> None:
    server = provider_server("cloudflare", native_legacy=True)
    server.script(Turn(tool_calls=[("read_file", {"path": "a.py"})]))
    completion, _ = await complete(server, endpoint="native", stream=False)
    assert [(c.name, c.parsed_arguments()) for c in completion.tool_calls] == [
        ("read_file", {"path": "a.py"})
    ]


async def test_cloudflare_native_envelope_error(provider_server: Start) -> None:
    server = provider_server("cloudflare", key="right")
    sentence = await fail(server, endpoint="native", api_key="wrong-key-abc")
    assert sentence == (
        "Cloudflare rejected the API key (401): Invalid api key: ***; "
        "check the key in CLOUDFLARE_API_TOKEN."
    )


# --- failures: retried until success ----------------------------------------------------------


async def test_429_honours_retry_after(provider_server: Start) -> None:
    server = provider_server("nvidia")
    server.script(Turn(fault="429", retry_after="0.3"), Turn(content="after the wait"))
    started = time.monotonic()
    completion, _ = await complete(server, retry_max_delay=5.0)
    assert completion.content == "after the wait"
    assert time.monotonic() - started >= 0.3
    assert len(server.requests) == 2


async def test_retry_after_is_capped(provider_server: Start) -> None:
    server = provider_server("nvidia")
    server.script(Turn(fault="429", retry_after="60"), Turn(content="soon"))
    started = time.monotonic()
    completion, _ = await complete(server, retry_max_delay=0.05)
    assert completion.content == "soon" and time.monotonic() - started < 2


@pytest.mark.parametrize("fault", ["500", "503", "plain_text_error"])
async def test_server_errors_are_retried(provider_server: Start, fault: str) -> None:
    server = provider_server("ourtoken")
    server.script(Turn(fault=fault), Turn(fault=fault), Turn(content="third time"))
    completion, _ = await complete(server)
    assert completion.content == "third time" and len(server.requests) == 3


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
@pytest.mark.parametrize("fault", ["cut", "malformed"])
async def test_broken_reply_before_any_output_is_retried(
    provider_server: Start, fault: str, stream: bool
) -> None:
    server = provider_server("hyperstack")
    server.script(Turn(content="lost", fault=fault, cut_after=1), Turn(content="complete reply"))
    completion, events = await complete(server, stream=stream)
    assert completion.content == "complete reply"
    assert joined(events, "content") == "complete reply"  # nothing of the broken one
    assert len(server.requests) == 2


async def test_cut_without_listener_is_retried(provider_server: Start) -> None:
    """Nothing was shown to anyone, so starting over is invisible."""
    server = provider_server("hyperstack")
    server.script(Turn(content="a long answer", fault="cut", cut_after=3), Turn(content="again"))
    client = ProviderClient(server.settings())
    try:
        completion = await client.complete(ask())
    finally:
        await client.aclose()
    assert completion.content == "again"


# --- failures: one sentence ---------------------------------------------------------------


@pytest.mark.parametrize("fault", ["cut", "malformed"])
async def test_broken_stream_after_output_is_one_sentence(
    provider_server: Start, fault: str
) -> None:
    server = provider_server("hyperstack")
    server.script(Turn(content="the first part of a long answer", fault=fault, cut_after=3))
    sentence = await fail(server)
    reason = "the connection closed early" if fault == "cut" else "a chunk was not valid JSON"
    assert sentence == f"The reply from Hyperstack was cut off before it finished: {reason}."
    assert len(server.requests) == 1  # the user saw part of it: never restarted


async def test_clean_end_without_done(provider_server: Start) -> None:
    server = provider_server("ourtoken")
    server.script(Turn(content="never shown", fault="eof", cut_after=1), Turn(content="whole"))
    completion, _ = await complete(server)
    assert completion.content == "whole" and len(server.requests) == 2
    server.script(Turn(content="half an answer", fault="eof", cut_after=3))
    assert await fail(server) == (
        "The reply from OurToken was cut off before it finished: the stream ended before [DONE]."
    )


async def test_error_event_mid_stream(provider_server: Start) -> None:
    server = provider_server("openai")
    server.script(Turn(content="starting to answer", fault="error_event", cut_after=3))
    host = server.origin.removeprefix("http://")
    assert await fail(server) == f"The server at {host} failed: The model crashed mid-reply."


async def test_persistent_429(provider_server: Start) -> None:
    server = provider_server("nvidia")
    server.script(*[Turn(fault="429", retry_after="0")] * 4)
    sentence = await fail(server, max_retries=3)
    assert sentence == (
        "NVIDIA is rate limiting requests (429) and still was after 3 retries: Rate limit exceeded."
    )
    assert len(server.requests) == 4


async def test_persistent_500_without_retries(provider_server: Start) -> None:
    server = provider_server("cloudflare")
    server.script(Turn(fault="500"))
    assert await fail(server, max_retries=0) == "Cloudflare failed (500): Internal error."


async def test_plain_text_error(provider_server: Start) -> None:
    server = provider_server("evolink")
    server.script(*[Turn(fault="plain_text_error")] * 2)
    assert await fail(server, max_retries=1) == (
        "Evolink failed (502) and still did after 1 retry: "
        "Bad Gateway: the upstream model server went away."
    )


TITLES = {
    "hyperstack": "Hyperstack",
    "cloudflare": "Cloudflare",
    "nvidia": "NVIDIA",
    "ourtoken": "OurToken",
    "evolink": "Evolink",
}
KEY_VARS = {
    "hyperstack": "HYPERSTACK_API_KEY",
    "cloudflare": "CLOUDFLARE_API_TOKEN",
    "nvidia": "NVIDIA_API_KEY",
    "ourtoken": "OURTOKEN_API_KEY",
    "evolink": "EVOLINK_API_KEY",
    "openai": "GLM_API_KEY",
}


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_wrong_key_is_one_sentence_without_the_key(
    provider_server: Start, dialect: str
) -> None:
    server = provider_server(dialect)
    sentence = await fail(server, api_key="sk-WRONG-0000")
    title = TITLES.get(dialect) or f"The server at {server.origin.removeprefix('http://')}"
    env = KEY_VARS[dialect]
    assert sentence == (
        f"{title} rejected the API key (401): Invalid api key: ***; check the key in {env}."
    )
    assert len(server.requests) == 1


async def test_finish_reasons_are_returned(provider_server: Start) -> None:
    server = provider_server("ourtoken")
    server.script(Turn(content="trunc", fault="length"), Turn(content="", fault="content_filter"))
    first, _ = await complete(server)
    second, _ = await complete(server, stream=False)
    assert (first.finish_reason, first.content) == ("length", "trunc")
    assert second.finish_reason == "content_filter"


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
async def test_bad_tool_json_is_passed_on(provider_server: Start, stream: bool) -> None:
    server = provider_server("openai")
    server.script(Turn(tool_calls=[("edit_file", {})], fault="bad_tool_json"))
    completion, _ = await complete(server, ask(tools=[EDIT]), stream=stream)
    call = completion.tool_calls[0]
    assert call.arguments == '{"path": "a.py", "text": '
    with pytest.raises(ValueError, match="not valid JSON"):
        call.parsed_arguments()


async def test_connection_refused(provider_server: Start) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = provider_server("hyperstack")
    sentence = await fail(server, base_url=f"http://127.0.0.1:{port}/ai/api/v1", max_retries=2)
    assert sentence == (
        "Could not connect to Hyperstack and still could not after 2 retries: "
        "All connection attempts failed."
    )


# --- timeouts and cancellation ----------------------------------------------------------------


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
async def test_first_byte_timeout(provider_server: Start, stream: bool) -> None:
    server = provider_server("hyperstack")
    server.script(Turn(content="late", fault="slow_first_byte", delay=2.0))
    started = time.monotonic()
    sentence = await fail(server, first_byte_timeout=0.2, stream=stream)
    assert sentence == (
        "Hyperstack did not start replying within 0.2 s (the first_byte_timeout setting)."
    )
    assert time.monotonic() - started < 1.5
    assert len(server.requests) == 1


async def test_slow_first_byte_within_the_limit(provider_server: Start) -> None:
    server = provider_server("hyperstack")
    server.script(Turn(content="worth the wait", fault="slow_first_byte", delay=0.2))
    completion, _ = await complete(server, first_byte_timeout=2.0)
    assert completion.content == "worth the wait"


async def test_chunk_timeout(provider_server: Start) -> None:
    """Keep-alive comments are not progress: only events count."""
    server = provider_server("cloudflare")
    server.script(Turn(content="starts then stalls", fault="hang"))
    sentence = await fail(server, chunk_timeout=0.3)
    assert sentence == (
        "Cloudflare went silent for 0.3 s in the middle of the reply (the chunk_timeout setting)."
    )
    assert await asyncio.to_thread(server.wait_for_disconnect, 3.0)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
async def test_cancel_closes_the_connection(provider_server: Start, stream: bool) -> None:
    server = provider_server("hyperstack")
    server.script(Turn(reasoning="thinking hard", fault="hang", cut_after=2))
    client = ProviderClient(server.settings(stream=stream))
    first_event = asyncio.Event()
    task = asyncio.create_task(client.complete(ask(), on_event=lambda _: first_event.set()))
    if stream:
        await asyncio.wait_for(first_event.wait(), 5)
    else:
        while not server.requests:
            await asyncio.sleep(0.01)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.5
    assert await asyncio.to_thread(server.wait_for_disconnect, 3.0)
    assert server.disconnects == 1
    await client.aclose()


# --- GLM markup ------------------------------------------------------------------------------

MARKUP = (
    "I'll open it.\n<tool_call>read_file\n"
    "<arg_key>path</arg_key>\n<arg_value>src/a.py</arg_value>\n"
    "<arg_key>line</arg_key>\n<arg_value>42</arg_value>\n</tool_call>"
    "<tool_call>search<arg_key>pattern</arg_key><arg_value>def main</arg_value></tool_call>"
)


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "whole"])
async def test_glm_markup_becomes_tool_calls(provider_server: Start, stream: bool) -> None:
    server = provider_server("nvidia")  # no function calling: where markup shows up most
    server.script(Turn(content=MARKUP, chunk_size=5))
    completion, events = await complete(server, stream=stream)
    assert completion.content == "I'll open it."
    assert [(c.id, c.name, c.parsed_arguments()) for c in completion.tool_calls] == [
        ("call_glm_0", "read_file", {"path": "src/a.py", "line": 42}),
        ("call_glm_1", "search", {"pattern": "def main"}),
    ]
    assert "<tool_call>" not in joined(events, "content")
    assert joined(events, "content").strip() == "I'll open it."
    assert [e.text for e in events if e.kind == "tool_call"] == ["read_file", "search"]


# --- secrets ------------------------------------------------------------------------------

SECRET = "sk-SECRET-glm-7731-ZZ"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_key_never_leaks(provider_server: Start, dialect: str, caplog: Any) -> None:
    """The fake echoes the key it received in its 401; nothing of ours may repeat it."""
    server = provider_server(dialect, key="the-right-key")
    caplog.set_level(logging.DEBUG)
    client = ProviderClient(server.settings(api_key=SECRET))
    with pytest.raises(ProviderError) as caught:
        await client.complete(ask("PRIVATE-PROMPT-TEXT"))
    await client.aclose()
    error = caught.value
    received = server.requests[-1].headers
    assert SECRET in received.get("authorization", "") + received.get("api_key", "")
    assert SECRET not in str(error) + repr(error) + error.detail + repr(client) + caplog.text
    assert all(SECRET not in record.getMessage() for record in caplog.records)
    assert "***" in error.detail  # the echo was there, and was redacted
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert info and not any("PRIVATE-PROMPT-TEXT" in line for line in info)


# --- pooling and the environment contract ------------------------------------------------------


async def test_a_client_without_a_pool_opens_its_own_and_closes_it(
    provider_server: Start,
) -> None:
    server = provider_server("ourtoken")
    client = ProviderClient(server.settings())
    await client.complete(ask())
    own = client._http()
    assert (await client.complete(ask())).content == "ok" and client._http() is own
    await client.aclose()
    assert own.is_closed


async def test_given_http_client_is_not_closed(provider_server: Start) -> None:
    server = provider_server("ourtoken")
    async with httpx.AsyncClient() as http:
        client = ProviderClient(server.settings(), http=http)
        assert (await client.complete(ask())).content == "ok"
        await client.aclose()
        assert not http.is_closed


def test_client_properties(provider_server: Start) -> None:
    server = provider_server("nvidia")
    client = ProviderClient(server.settings())
    assert client.model == "z-ai/glm-5.2"
    assert client.url == server.base_url + "/chat/completions"
    assert client.supports_tools is False and client.context_window == 1_000_000


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_env_drives_load_settings(provider_server: Start, dialect: str) -> None:
    server = provider_server(dialect)
    settings, problems = load_settings(env=server.env())
    assert problems == []
    client = ProviderClient(settings)
    try:
        assert (await client.complete(ask())).content == "ok"
    finally:
        await client.aclose()


def test_usable_from_a_subprocess(provider_server: Start) -> None:
    server = provider_server("cloudflare")
    server.script(Turn(content="from another process"))
    code = (
        "import asyncio\n"
        "from glm_lsp.config import load_settings\n"
        "from glm_lsp.providers import ChatRequest, Message, ProviderClient\n"
        "async def main():\n"
        "    client = ProviderClient(load_settings()[0])\n"
        "    reply = await client.complete(ChatRequest([Message('user', 'hi')]))\n"
        "    await client.aclose()\n"
        "    print(reply.content)\n"
        "asyncio.run(main())\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "server"), **server.env()}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip() == "from another process", result.stderr
    assert json.dumps(server.requests[-1].body["messages"]) == (
        '[{"role": "user", "content": "hi"}]'
    )
