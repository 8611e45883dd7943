"""Talking to GLM-5.2 providers: one client, one dialect table, real-world failure handling.

    client = ProviderClient(settings)
    completion = await client.complete(ChatRequest(messages=[...]), on_event=print)
    await client.aclose()

See dialects.py for what differs between providers, client.py for retries and timeouts,
reply.py for how replies are assembled, and failures.py for the sentences users see.
"""

from typing import TYPE_CHECKING

from .dialects import DIALECTS, Dialect, Endpoint, build_body, resolve
from .glm_markup import MarkupCall, split_tool_calls
from .pricing import PRICES, Price, estimate_cost, price_for
from .types import ChatRequest, Completion, Message, StreamEvent, ToolCall, ToolSpec, Usage

if TYPE_CHECKING:
    from .client import ProviderClient

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
    """`ProviderClient` is imported on first use: httpx takes a tenth of a second to import,
    and the commands that never talk to a provider (`glm-lsp context`, `index`) need not pay it.
    """
    if name == "ProviderClient":
        from .client import ProviderClient

        return ProviderClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
