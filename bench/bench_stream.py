"""What the provider client costs per streamed chunk, against the local test provider.

Run: .venv/bin/python bench/bench_stream.py
The test provider streams a reply of 200,000 characters in 4-character chunks (50,000 SSE
events, plus reasoning of the same size); the client parses and assembles it. Reports the
median of 5 runs: wall time and events per second (server and client share the machine).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "server"), str(ROOT / "tests")]

from glm_lsp.providers.client import ProviderClient  # noqa: E402
from glm_lsp.providers.types import ChatRequest, Message  # noqa: E402
from provider_server import ProviderServer, Turn  # noqa: E402

SIZE = 200_000
CHUNK = 4
RUNS = 5


async def one_run(server: ProviderServer) -> float:
    text = ("def f(x):\n    return x * 2\n" * (SIZE // 27 + 1))[:SIZE]
    server.script(Turn(content=text, reasoning=text, chunk_size=CHUNK))
    client = ProviderClient(server.settings(first_byte_timeout=60, chunk_timeout=60))
    started = time.perf_counter()
    reply = await client.complete(ChatRequest(messages=[Message(role="user", content="go")]))
    elapsed = time.perf_counter() - started
    await client.aclose()
    assert reply.content == text and reply.reasoning == text
    return elapsed


def main() -> None:
    with ProviderServer("hyperstack") as server:
        times = [asyncio.run(one_run(server)) for _ in range(RUNS)]
    median = statistics.median(times)
    events = 2 * SIZE // CHUNK
    print(
        f"{events} SSE events ({2 * SIZE} characters): {median:.2f} s median, "
        f"{events / median:,.0f} events/s"
    )


if __name__ == "__main__":
    main()
