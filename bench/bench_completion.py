"""Inline completion through the real server over stdio: what it adds, what typing costs.

Run: .venv/bin/python bench/bench_completion.py

1. Added latency: `textDocument/inlineCompletion` (invoked, so no debounce) at REQUESTS
   different cursors of a file whose functions use another file's definitions; the test
   provider answers each after a fixed delay. For each request, the round trip seen by the
   client minus the provider's own time for that request (from the moment its HTTP
   request arrived to the end of its reply, clocked inside the provider): p50 and p99.
2. A scripted burst of KEYSTROKES keystrokes typed as an editor sends them: each one a
   didChange, a $/cancelRequest of the previous suggestion request and a new automatic
   request. Typing pauses a few times (one pause too short for the reply, so the next
   keystroke cuts a stream); after one pause the user types exactly what was suggested.
   Counted: provider requests, streams closed early, answers from the cache.
3. Shared prefix of consecutive request bodies (the messages as sent): the share of each
   request's prompt that equals the previous request's start, which a provider's prompt
   cache can serve; and the cached tokens the test provider reports (OurToken's dialect,
   with its prefix cache on).

The test provider runs in a process of its own (it mostly sleeps; at normal priority, so
that its own start-up does not count as the server's time).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "server"), str(ROOT / "tests")]

from pygls.uris import from_fs_path  # noqa: E402

from helpers import child_env, make_repo  # noqa: E402
from provider_server import ProviderServer, Turn  # noqa: E402

REQUESTS = 200
DELAY = 0.05  # the provider's fixed time to first byte, phase 1
BURST_DELAY = 0.15  # phase 2: a reply takes this long
KEYSTROKES = 100
INTERVAL = 0.06  # seconds between keystrokes while typing (about 16 characters a second)
FUNCTIONS = 200
SUGGESTED = "compute_total(items, rate)"
# The burst: (text typed, pause after it in seconds). The user pauses after "total = ",
# takes the suggestion by typing it, and pauses elsewhere; 0.3 s is too short for a reply.
BURST = [
    ("    total = ", 0.5),
    (SUGGESTED, 0.3),
    ("\n    if total > limit:", 0.5),
    ("\n        return clamp(total, limit)", 0.5),
    ("\n    return round(total, 2)\n    # don", 0.0),
]


def library() -> str:
    return (
        "".join(
            f"def helper_{i}(value, rate):\n    return value * rate + {i}\n\n\n"
            for i in range(FUNCTIONS)
        )
        + "def compute_total(items, rate):\n    return sum(items) * rate\n\n\n"
    )


def application() -> str:
    head = "from lib import *\n\n\n"
    return head + "".join(
        f"def task_{i}(items, rate, limit):\n"
        f"    base = helper_{i}(len(items), rate)\n"
        f"    extra = helper_{(i + 1) % FUNCTIONS}(base, rate)\n"
        f"    \n"
        f"    return base + extra\n\n\n"
        for i in range(FUNCTIONS)
    )


def serve_provider(queue: Any, stop: Any) -> None:
    """The scripted provider in a child process: sends its env, then at the end the
    provider's own time of each request and the request bodies."""
    # normal priority: it mostly sleeps, and a starved provider would count as our latency
    # OurToken reports cached tokens; the prefix cache serves what a request shares with
    # an earlier one, as providers bill it
    with ProviderServer("ourtoken", prefix_cache=True) as provider:
        turns = [Turn(content="x = 1", fault="slow_first_byte", delay=DELAY)] * REQUESTS
        burst = [Turn(content=SUGGESTED, fault="slow_first_byte", delay=BURST_DELAY)]
        burst += [Turn(content="pass", fault="slow_first_byte", delay=BURST_DELAY)] * 50
        provider.script(*turns, *burst)
        spans: list[tuple[float, float]] = []
        handle = provider.handle

        def timed_handle(handler: Any) -> None:
            started = time.perf_counter()
            try:
                handle(handler)
            finally:
                spans.append((started, time.perf_counter()))

        provider.handle = timed_handle
        queue.put(provider.env())
        stop.wait()
        durations = [end - start for start, end in spans]
        queue.put((durations, [r.body for r in provider.requests], provider.disconnects))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


class RawClient:
    """A bare JSON-RPC client over the server's stdio: the latency it measures is the
    server's, not a client library's (structuring results costs a Python client more than
    the server spends)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0
        self.waiting: dict[int | str, asyncio.Future[Any]] = {}
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, env: dict[str, str]) -> RawClient:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "glm_lsp", "serve",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL, env=env,
        )  # fmt: skip
        return cls(process)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, msg_id: int | str | None = None) -> Any:
        """Send a request; returns (its id, a future of its response message)."""
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[msg_id] = future
        self._send({"id": msg_id, "method": method, "params": params})
        return msg_id, future

    async def call(self, method: str, params: Any) -> Any:
        _, future = self.request(method, params)
        return (await future).get("result")

    async def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        while True:
            header = await stdout.readuntil(b"\r\n\r\n")
            length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
            message = json.loads(await stdout.readexactly(length))
            if "method" in message and "id" in message:  # a request of the server's
                self._send({"id": message["id"], "result": None})
            elif "id" in message and message["id"] in self.waiting:
                self.waiting.pop(message["id"]).set_result(message)

    async def stop(self) -> None:
        await self.call("shutdown", None)
        self.notify("exit", None)
        await self.process.wait()
        self.reader.cancel()


class Bench:
    def __init__(self, client: RawClient, uri: str, text: str) -> None:
        self.client, self.uri, self.text = client, uri, text
        self.version = 1
        self.shown: list[str] = []

    def params(self, line: int, character: int, automatic: bool) -> Any:
        return {
            "textDocument": {"uri": self.uri},
            "position": {"line": line, "character": character},
            "context": {"triggerKind": 2 if automatic else 1},
        }

    async def latency(self) -> tuple[list[float], list[float]]:
        """Round trips of invoked requests at different cursors (no cache hit), and of a
        trivial request (glm.usage) after each: the floor of a round trip here."""
        lines = self.text.split("\n")
        cursors = [(n, 4) for n, line in enumerate(lines) if line == "    "][:REQUESTS]
        times, floor = [], []
        usage = {"command": "glm.usage", "arguments": [{}]}
        for line, character in cursors:
            started = time.perf_counter()
            result = await self.client.call(
                "textDocument/inlineCompletion", self.params(line, character, automatic=False)
            )
            times.append(time.perf_counter() - started)
            assert result["items"][0]["insertText"] == "x = 1", result
            started = time.perf_counter()
            await self.client.call("workspace/executeCommand", usage)
            floor.append(time.perf_counter() - started)
        return times, floor

    def type_one(self, line: int, character: int, char: str) -> tuple[int, int]:
        at = {"line": line, "character": character}
        self.version += 1
        self.client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": self.uri, "version": self.version},
                "contentChanges": [{"range": {"start": at, "end": at}, "text": char}],
            },
        )
        return (line + 1, 0) if char == "\n" else (line, character + 1)

    async def burst(self, line: int) -> int:
        """Type the scripted burst at the start of `line` as an editor would."""
        cursor, pending, typed = (line, 0), None, 0
        for text, pause in BURST:
            for char in text:
                if typed == KEYSTROKES:
                    break
                if pending is not None and not pending[1].done():
                    self.client.notify("$/cancelRequest", {"id": pending[0]})
                cursor = self.type_one(*cursor, char)
                typed += 1
                pending = self.client.request(
                    "textDocument/inlineCompletion", self.params(*cursor, automatic=True)
                )
                pending[1].add_done_callback(self._shown)
                await asyncio.sleep(INTERVAL)
            await asyncio.sleep(pause)
        await asyncio.sleep(1.0)
        return typed

    def _shown(self, future: asyncio.Future[Any]) -> None:
        result = future.result().get("result") or {}
        self.shown += [str(item["insertText"]) for item in result.get("items", [])]


async def connect(provider_env: dict[str, str], work: Path, root: Path, text: str) -> Bench:
    env = child_env({**provider_env, "XDG_CACHE_HOME": str(work / "cache")})
    client = await RawClient.start(env)
    bench = Bench(client, from_fs_path(str(root / "app.py")) or "", text)
    root_uri = from_fs_path(str(root)) or ""
    await client.call(
        "initialize",
        {
            "processId": os.getpid(),
            "capabilities": {},
            "rootUri": root_uri,
            "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
            "initializationOptions": {"completion": {"enabled": True}},
        },
    )
    client.notify("initialized", {})
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": bench.uri, "languageId": "python", "version": 1, "text": text}},
    )
    await asyncio.sleep(1.5)  # the warm-up indexing after initialized
    return bench


def prompt_text(body: dict[str, Any]) -> str:
    return json.dumps(body["messages"], ensure_ascii=False)


def shared_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


async def main() -> None:
    work = Path(tempfile.mkdtemp())
    text = application()
    root = make_repo(work / "ws", {"app.py": text, "lib.py": library(), "AGENTS.md": "Be brief.\n"})
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    child = context.Process(target=serve_provider, args=(queue, stop))
    child.start()
    bench = await connect(queue.get(timeout=30), work, root, text)

    round_trips, floor = await bench.latency()
    usage_params = {"command": "glm.usage", "arguments": [{}]}
    usage_before = await bench.client.call("workspace/executeCommand", usage_params)
    burst_line = text.split("\n").index("def task_10(items, rate, limit):") + 3
    typed = await bench.burst(burst_line)
    usage = await bench.client.call("workspace/executeCommand", usage_params)
    await bench.client.stop()
    stop.set()
    durations, bodies, disconnects = queue.get(timeout=30)
    child.join()

    added = [(rt - own) * 1000 for rt, own in zip(round_trips, durations, strict=False)]
    own = [d * 1000 for d in durations[: len(round_trips)]]
    print(f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"1. added latency over {len(added)} invoked requests (provider's own time median "
        f"{statistics.median(own):.1f} ms): p50 {statistics.median(added):.2f} ms, "
        f"p99 {percentile(added, 0.99):.2f} ms, max {max(added):.2f} ms; floor (a glm.usage "
        f"round trip, same run): p50 {statistics.median(floor) * 1000:.2f} ms, "
        f"p99 {percentile(floor, 0.99) * 1000:.2f} ms"
    )
    print(f"   load average at the end: {os.getloadavg()[0]:.2f}")
    before, after = usage_before["completion"], usage["completion"]
    sent = after["requests"] - before["requests"]
    cut = after["cancelled"] - before["cancelled"]
    cached = after["cached"] - before["cached"]
    print(
        f"2. burst of {typed} keystrokes ({typed} automatic requests from the editor): "
        f"{sent} provider requests, {cut} closed early by a keystroke "
        f"(provider saw {disconnects} disconnects), {cached} answered from the cache; "
        f"suggestions shown: {len(bench.shown)}"
    )
    texts = [prompt_text(b) for b in bodies]
    shares = [shared_prefix(a, b) / len(b) for a, b in zip(texts, texts[1:], strict=False)]
    burst_shares = shares[-sent + 1 :] if sent > 1 else []
    print(
        f"3. shared prefix of consecutive request bodies: phase 1 (cursors all over the file) "
        f"median {statistics.median(shares[: len(round_trips) - 1]):.1%}; burst (one place, "
        f"typing) median {statistics.median(burst_shares or [0.0]):.1%}, "
        f"min {min(burst_shares or [0.0]):.1%}"
    )
    first, burst = before["usage"], after["usage"]
    burst_prompt = burst["prompt_tokens"] - first["prompt_tokens"]
    burst_cached = burst["cached_tokens"] - first["cached_tokens"]
    print(
        f"   provider-reported cached tokens (test provider's prefix cache): phase 1 "
        f"{first['cached_tokens']} of {first['prompt_tokens']} prompt tokens "
        f"({first['cached_tokens'] / max(first['prompt_tokens'], 1):.1%}); burst "
        f"{burst_cached} of {burst_prompt} ({burst_cached / max(burst_prompt, 1):.1%}); "
        f"completion cost {after['usage']['cost']:.4f} $, the cache saved "
        f"{after['usage'].get('saved', 0.0):.4f} $"
    )


if __name__ == "__main__":
    asyncio.run(main())
