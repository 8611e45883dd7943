"""A prompt too long for the provider is named as such, with what to do about it."""

from __future__ import annotations

import json

from glm_lsp.providers.failures import http_failure, to_error


def test_context_length_errors_say_what_to_change() -> None:
    body = json.dumps(
        {"error": {"message": "This model's maximum context length is 262144 tokens."}}
    )
    error = to_error(
        http_failure(400, body, None, "secret-key-123"),
        title="Cloudflare",
        retries=0,
        key_env="X",
        model="m",
    )
    assert error.message == (
        "Cloudflare rejected the request because the prompt is longer than the model's context "
        "window (400): This model's maximum context length is 262144 tokens; lower the "
        "context_tokens setting or select less."
    )
    other = to_error(
        http_failure(400, '{"error": "bad temperature"}', None, "secret-key-123"),
        title="Evolink",
        retries=0,
        key_env="X",
        model="m",
    )
    assert other.message == "Evolink rejected the request (400): bad temperature."
