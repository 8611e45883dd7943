"""Talking to GLM-5.2 providers: one client, one dialect table, real-world failure handling.

    client = ProviderClient(settings)
    completion = await client.complete(ChatRequest(messages=[...]), on_event=print)
    await client.aclose()

See dialects.py for what differs between providers, client.py for retries and timeouts,
reply.py for how replies are assembled, and failures.py for the sentences users see.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import ProviderClient
    from .dialects import DIALECTS, Dialect, Endpoint, build_body, resolve
    from .glm_markup import MarkupCall, split_tool_calls
    from .pricing import PRICES, Price, estimate_cost, price_for
    from .types import ChatRequest, Completion, Message, StreamEvent, ToolCall, ToolSpec, Usage

_HOMES = {
    "ProviderClient": "client",
    **dict.fromkeys(("DIALECTS", "Dialect", "Endpoint", "build_body", "resolve"), "dialects"),
    **dict.fromkeys(("MarkupCall", "split_tool_calls"), "glm_markup"),
    **dict.fromkeys(("PRICES", "Price", "estimate_cost", "price_for"), "pricing"),
    **dict.fromkeys(
        ("ChatRequest", "Completion", "Message", "StreamEvent", "ToolCall", "ToolSpec", "Usage"),
        "types",
    ),
}
"""The module each name comes from."""

__all__ = [
    "DIALECTS",
    "PRICES",
    "ChatRequest",
    "Completion",
    "Dialect",
    "Endpoint",
    "MarkupCall",
    "Message",
    "Price",
    "ProviderClient",
    "StreamEvent",
    "ToolCall",
    "ToolSpec",
    "Usage",
    "build_body",
    "estimate_cost",
    "price_for",
    "resolve",
    "split_tool_calls",
]


def __getattr__(name: str) -> object:
    """Names are imported on first use: httpx (the client) takes a tenth of a second to
    import, and the dialect table and prices a few milliseconds more; the commands that
    never talk to a provider (`glm-lsp context`, `index`) need none of them, though they
    import `types` (a usage report is part of their events)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value
