"""Error shapes, sentences, Retry-After and reply assembly: pure functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from glm_lsp.providers.failures import (
    KINDS,
    SENTENCES,
    Failure,
    http_failure,
    parse_retry_after,
    provider_message,
    to_error,
)
from glm_lsp.providers.reply import ReplyBuilder, parse_usage


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"error": {"message": "Invalid api key", "type": "auth"}}', "Invalid api key"),
        ('{"error": "model not found"}', "model not found"),
        (
            '{"errors": [{"code": 10000, "message": "Authentication error"}], "success": false}',
            "Authentication error",
        ),
        ('{"errors": [{"message": "a"}, {"message": "b"}]}', "a; b"),
        ('{"message": "Too many requests"}', "Too many requests"),
        ('{"status": 401, "title": "Unauthorized", "detail": "Bad token"}', "Bad token"),
        ('{"object": "error", "message": "ctx too long", "code": 400}', "ctx too long"),
        ("Bad Gateway\n  upstream   gone", "Bad Gateway upstream gone"),
        (
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
            "502 Bad Gateway",
        ),
        ("", ""),
    ],
)
def test_provider_message_from_every_shape(body: str, message: str) -> None:
    assert provider_message(body) == message


def test_long_messages_are_shortened() -> None:
    assert len(provider_message("x" * 5000)) == 300


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, "bad_request"),
        (401, "auth"),
        (403, "auth"),
        (404, "not_found"),
        (408, "server"),
        (409, "server"),
        (413, "bad_request"),
        (422, "bad_request"),
        (429, "rate_limit"),
        (500, "server"),
        (502, "server"),
        (503, "server"),
    ],
)
def test_status_classes(status: int, kind: str) -> None:
    assert http_failure(status, "{}", None, "").kind == kind


def test_every_kind_has_a_sentence() -> None:
    assert set(KINDS) == set(SENTENCES)
    for kind in KINDS:
        error = to_error(
            Failure(kind, status=500, message="why."),
            title="NVIDIA",
            retries=2,
            key_env="NVIDIA_API_KEY",
            model="z-ai/glm-5.2",
            timeout=1.5,
        )
        assert str(error).endswith(".") and "\n" not in str(error) and ".." not in str(error)


@pytest.mark.parametrize(
    ("failure", "retries", "sentence"),
    [
        (
            Failure("auth", 401, "Invalid api key."),
            0,
            "Hyperstack rejected the API key (401): Invalid api key; "
            "check the key in HYPERSTACK_API_KEY.",
        ),
        (
            Failure("rate_limit", 429, "Slow down"),
            3,
            "Hyperstack is rate limiting requests (429) and still was after 3 retries: Slow down.",
        ),
        (Failure("server", 500, "boom"), 0, "Hyperstack failed (500): boom."),
        (
            Failure("server", 503, "busy"),
            1,
            "Hyperstack failed (503) and still did after 1 retry: busy.",
        ),
        (
            Failure("first_byte_timeout"),
            0,
            "Hyperstack did not start replying within 0.25 s (the first_byte_timeout setting).",
        ),
    ],
)
def test_sentences(failure: Failure, retries: int, sentence: str) -> None:
    error = to_error(
        failure,
        title="Hyperstack",
        retries=retries,
        key_env="HYPERSTACK_API_KEY",
        model="zai-org/GLM-5.2",
        timeout=0.25,
    )
    assert str(error) == sentence
    assert error.status == failure.status and error.retryable == failure.retryable


def test_generic_server_named_by_host_mid_sentence() -> None:
    error = to_error(
        Failure("cut", message="the connection closed early"),
        title="The server at localhost:8000",
        retries=0,
        key_env="GLM_API_KEY",
        model="m",
    )
    assert str(error) == (
        "The reply from the server at localhost:8000 was cut off before it finished: "
        "the connection closed early."
    )


def test_redaction_in_http_failure() -> None:
    failure = http_failure(401, '{"error": {"message": "bad key sk-123"}}', None, "sk-123")
    assert "sk-123" not in failure.message + failure.detail
    assert failure.message == "bad key ***"


def test_retry_after() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("0.1") == 0.1
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (parse_retry_after(later) or 0) <= 30
    earlier = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(earlier) == 0.0


# --- usage and assembly -----------------------------------------------------------------


def test_usage_shapes() -> None:
    hyperstack = {
        "completion_tokens": 434,
        "estimated_cost": 0.0013305,
        "prompt_tokens": 30,
        "prompt_tokens_details": None,
        "reasoning_tokens": 12,
        "total_tokens": 464,
    }
    usage, cost = parse_usage(hyperstack)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.reasoning_tokens) == (30, 434, 12)
    assert cost == 0.0013305
    usage, cost = parse_usage(
        {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "prompt_tokens_details": {"cached_tokens": 4},
            "completion_tokens_details": {"reasoning_tokens": 3},
        }
    )
    assert (usage.cached_tokens, usage.reasoning_tokens, cost) == (4, 3, None)
    assert parse_usage(None)[0].prompt_tokens == 0


def test_tool_call_deltas_without_index() -> None:
    builder = ReplyBuilder()
    chunks = [
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [{"id": "a", "function": {"name": "f", "arguments": "{"}}]
                    }
                }
            ]
        },
        {"choices": [{"delta": {"tool_calls": [{"function": {"arguments": "}"}}]}}]},
        {
            "choices": [
                {
                    "delta": {
                        "tool_calls": [
                            {"id": "b", "function": {"name": "g", "arguments": {"x": 1}}}
                        ]
                    }
                }
            ]
        },
        {"choices": [{"delta": {}, "finish_reason": "tool_calls"}]},
    ]
    events = [event for chunk in chunks for event in builder.add_chunk(chunk)]
    assert [(e.kind, e.text) for e in events] == [("tool_call", "f"), ("tool_call", "g")]
    completion = builder.finish(None)
    assert [(c.id, c.name, c.arguments) for c in completion.tool_calls] == [
        ("a", "f", "{}"),
        ("b", "g", json.dumps({"x": 1})),
    ]
    assert completion.finish_reason == "tool_calls"


def test_native_calls_and_markup_calls_together() -> None:
    builder = ReplyBuilder()
    builder.add_message(
        {
            "choices": [
                {
                    "message": {
                        "content": (
                            "x<tool_call>g<arg_key>a</arg_key><arg_value>1</arg_value></tool_call>"
                        ),
                        "tool_calls": [
                            {"id": "call_9", "function": {"name": "f", "arguments": "{}"}}
                        ],
                    },
                    "finish_reason": "tool_calls",
                }
            ]
        }
    )
    completion = builder.finish(None)
    assert completion.content == "x"
    assert [(c.id, c.name, c.arguments) for c in completion.tool_calls] == [
        ("call_9", "f", "{}"),
        ("call_glm_0", "g", '{"a": 1}'),
    ]
