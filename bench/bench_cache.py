"""How much of each request the provider's prefix cache serves: a five-turn chat and five
edits in one file, on a real repository, against the test provider's prefix cache.

Run: .venv/bin/python bench/bench_cache.py [--dialect cloudflare] [--repo PATH]
The repository is a fresh clone of the pallets/flask mirror (/work/.mirror/pallets+flask/
repo, or --repo: a Flask checkout); every question and edit is about src/flask/app.py. The test provider (tests/provider_server.py,
prefix_cache=True) counts a request's prompt as its tool schemas and messages in compact
JSON / 4, and its cached tokens as the characters it shares as a prefix with an earlier
request / 4. Each accepted edit is written to disk before the next, as a user accepting
it would; between chat turns the user selects other lines and edits the file.

Reports, per turn and per edit, prompt and cached tokens (an edit is its requests summed:
the edit call and the final answer), the cached share of turns 2-5 and edits 2-5, and the
cost of the whole run at each provider's GLM-5.2 prices with and without the cache.
`GLM_SERVER=/path/to/other/server` measures another checkout's server code (e.g. main)
against this emulator.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [os.environ.get("GLM_SERVER", str(ROOT / "server")), str(ROOT / "tests")]

from glm_lsp.assistant.core import Assistant  # noqa: E402
from glm_lsp.assistant.events import (  # noqa: E402
    ChatRequest,
    Done,
    EditRequest,
    Failed,
    LineSpan,
    ProposedChange,
)
from glm_lsp.providers.pricing import PRICES, estimate_cost  # noqa: E402
from glm_lsp.providers.types import Usage  # noqa: E402
from provider_server import ProviderServer, Turn  # noqa: E402

MIRROR = Path("/work/.mirror/pallets+flask/repo")
QUESTIONS = [
    "What does Flask.make_response accept as a return value, and how does it convert each?",
    "How does full_dispatch_request run the before and after request hooks?",
    "Where is the application context pushed for a request, and who pops it?",
    "How is an exception in a view turned into a response? Walk through the path.",
    "What would change if I wanted async views to run in a thread pool?",
]
ANSWER = (
    "It goes through several steps; the relevant code is in the method itself and in the "
    "helpers it calls. " * 12
)
EDITS = [  # (instruction, old text, new text): small changes inside methods of the file
    (
        "Explain why the flag is set here.",
        "        self._got_first_request = True\n",
        "        self._got_first_request = True  # no setup after this\n",
    ),
    (
        "Say what the handler's result is.",
        "            rv = self.handle_user_exception(ctx, e)\n",
        "            rv = self.handle_user_exception(ctx, e)  # the error's response\n",
    ),
    (
        "Explain the order of the names.",
        "        names = (None, *reversed(req.blueprints))\n",
        "        names = (None, *reversed(req.blueprints))  # app first\n",
    ),
    (
        "Say the after request functions run in reverse.",
        "                for func in reversed(self.after_request_funcs[name]):\n",
        "                for func in reversed(self.after_request_funcs[name]):  # newest first\n",
    ),
    (
        "Comment the request context creation.",
        "        ctx = self.request_context(environ)\n",
        "        ctx = self.request_context(environ)  # one per request\n",
    ),
]


def checkout(repo: Path | None, into: Path) -> tuple[Path, str]:
    source = repo or MIRROR
    subprocess.run(["git", "clone", "-q", str(source), str(into)], check=True)
    if not (into / "src/flask/app.py").exists():
        raise SystemExit(f"{source} has no src/flask/app.py; the scripted edits are Flask's")
    return into, "src/flask/app.py"


async def run(
    assistant: Assistant, server: ProviderServer, root: Path, path: str
) -> tuple[list[Usage], list[Usage]]:
    turns: list[Usage] = []
    session = assistant.session(root, "", "bench")
    text = (root / path).read_text()
    for number, question in enumerate(QUESTIONS):
        server.script(Turn(content=ANSWER))
        buffers = {str(root / path): text}
        lines = LineSpan(40 + 20 * number, 60 + 20 * number) if number >= 2 else None
        request = ChatRequest(root, session, question, path, lines, lambda b=buffers: b)
        turns.append(await _usage(assistant.chat(request)))
        if number == 2:  # the user edits the file between turns 3 and 4
            text = text.replace("import inspect\n", "import inspect  # edited\n", 1)
    (root / path).write_text(text)
    edits: list[Usage] = []
    for instruction, old, new in EDITS:
        current = (root / path).read_text()
        if old not in current:
            raise SystemExit(f"{old!r} is not in {path}; pick other edits for this repository")
        line = current[: current.index(old)].count("\n") + 1
        args = {"path": path, "old_string": old, "new_string": new}
        server.script(Turn(tool_calls=[("edit_file", args)]), Turn(content="Done."))
        request = EditRequest(root, path, instruction, LineSpan(line, line))
        usage = Usage()
        async for event in assistant.edit(request):
            if isinstance(event, ProposedChange):
                for change in event.changes:  # the user accepts it
                    if change.new is not None:
                        (root / change.path).write_text(change.new)
            elif isinstance(event, Done):
                usage = event.usage
            elif isinstance(event, Failed):
                raise SystemExit(f"the edit failed: {event.message}")
        edits.append(usage)
    return turns, edits


async def _usage(stream: object) -> Usage:
    usage = Usage()
    async for event in stream:  # type: ignore[attr-defined]
        if isinstance(event, Done):
            usage = event.usage
        elif isinstance(event, Failed):
            raise SystemExit(f"the turn failed: {event.message}")
    return usage


def share(usages: list[Usage]) -> float:
    prompt = sum(u.prompt_tokens for u in usages)
    return sum(u.cached_tokens for u in usages) / prompt if prompt else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dialect", default="cloudflare")
    parser.add_argument("--repo", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ProviderServer(
        args.dialect, prefix_cache=True
    ) as server:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        os.environ["XDG_DATA_HOME"] = str(Path(tmp) / "data")
        root, path = checkout(args.repo, Path(tmp) / "repo")
        settings = server.settings(max_steps=8, stream=True)
        assistant = Assistant(settings, store_path=lambda _root: Path(tmp) / "sessions.sqlite")

        async def both() -> tuple[list[Usage], list[Usage]]:
            try:
                return await run(assistant, server, root, path)
            finally:
                await assistant.aclose()

        turns, edits = asyncio.run(both())
    repo = _name(args.repo)
    print(f"{repo}, {path}, dialect {args.dialect}, {len(server.requests)} requests")
    for label, usages in (("chat turn", turns), ("edit", edits)):
        for number, usage in enumerate(usages, 1):
            print(
                f"  {label} {number}: {usage.prompt_tokens:>7} prompt, "
                f"{usage.cached_tokens:>7} cached ({share([usage]):6.1%})"
            )
    print(f"cached share, chat turns 2-5: {share(turns[1:]):.1%}")
    print(f"cached share, edits 2-5:      {share(edits[1:]):.1%}")
    total = sum(turns + edits, Usage())
    for (provider, model), price in PRICES.items():
        cost = estimate_cost(total, price) or 0.0
        uncached = estimate_cost(Usage(total.prompt_tokens, total.completion_tokens), price) or 0.0
        print(f"  {provider:<11} ({model}): ${cost:.4f} with the cache, ${uncached:.4f} without")


def _name(repo: Path | None) -> str:
    return "pallets/flask" if repo is None else repo.name


if __name__ == "__main__":
    main()
