"""Random provider replies (truncated, nested, mis-typed) against the real client over
HTTP: each ends as a reply or as one sentence, never as an exception of the client's own.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

import pytest

from glm_lsp.errors import ProviderError
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.types import ChatRequest, Message
from provider_server import ProviderServer, Turn

CASES = int(os.environ.get("GLM_FUZZ_REPLY_CASES", "150"))
INTERNAL = ("Traceback", "KeyError", "TypeError", "AttributeError", "NoneType", "Recursion")


def _valid(content: str = "hello") -> dict[str, Any]:
    return {
        "id": "x",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": content,
                    "tool_calls": [
                        {
                            "id": "c",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


WRONG = ["x", 5, -1, 2**70, None, [], {}, [1, [2]], {"a": {"b": None}}, True, 1.5e308]


def _mutate(rng: random.Random, value: Any, depth: int = 0) -> Any:
    """`value` with one random part replaced by a value of the wrong type."""
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(list(value))
        return {**value, key: _mutate(rng, value[key], depth + 1)}
    if isinstance(value, list) and value and rng.random() < 0.8:
        index = rng.randrange(len(value))
        return [*value[:index], _mutate(rng, value[index], depth + 1), *value[index + 1 :]]
    return rng.choice(WRONG)


def random_reply(rng: random.Random) -> str:
    kind = rng.randrange(5)
    text = json.dumps(_mutate(rng, _valid()) if kind != 4 else _valid())
    if kind == 1:
        return text[: rng.randrange(len(text))]  # truncated
    if kind == 2:
        levels = rng.choice([100, 5_000, 200_000])
        return "[" * levels + text + "]" * levels  # nested
    if kind == 3:
        levels = rng.choice([100, 100_000])
        deep = '{"a":' * levels + "1" + "}" * levels
        return text.replace('"hello"', deep)  # nested inside the content
    return text


@pytest.fixture(scope="module")
def server() -> Any:
    with ProviderServer("openai") as provider:
        yield provider


async def test_random_replies_end_in_a_reply_or_one_sentence(server: ProviderServer) -> None:
    rng = random.Random(13)
    client = ProviderClient(server.settings(max_retries=0, stream=False))
    request = ChatRequest(messages=[Message(role="user", content="hi")])
    outcomes = {"reply": 0, "sentence": 0}
    try:
        for _ in range(CASES):
            server.script(Turn(raw=random_reply(rng)))
            try:
                await client.complete(request)
                outcomes["reply"] += 1
            except ProviderError as error:
                assert "\n" not in error.message and not any(
                    word in error.message for word in INTERNAL
                ), error.message
                outcomes["sentence"] += 1
    finally:
        await client.aclose()
    assert sum(outcomes.values()) == CASES and outcomes["sentence"] > 0
