"""The command line: the same core as the language server, usable with no editor.

`serve` starts the server; `edit`, `ask` and `doctor` drive the core headless. Failures print
one sentence on stderr and exit 1; stdout carries only the result (a diff, an answer).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from glm_lsp import __version__
from glm_lsp.agent.loop import EditTask, ask, context_budget, run_edit
from glm_lsp.agent.prompts import DEFAULT_INSTRUCTION, Selection
from glm_lsp.config import Settings, load_settings, user_config_path
from glm_lsp.context.budget import TokenCounter
from glm_lsp.context.engine import ContextEngine, ContextRequest
from glm_lsp.context.secrets import is_secret_path, redact_secrets
from glm_lsp.edits.diff import unified_diff_many
from glm_lsp.errors import GlmError
from glm_lsp.logs import install_redaction
from glm_lsp.providers.client import ProviderClient
from glm_lsp.providers.dialects import resolve
from glm_lsp.providers.types import ChatRequest, Message, StreamEvent
from glm_lsp.workspace import find_root


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glm-lsp", description=__doc__)
    parser.add_argument("--version", action="version", version=f"glm-lsp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    common = argparse.ArgumentParser(add_help=False)  # so -v also works after the command
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", parents=[common], help="run the language server (stdio)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve.add_argument(
        "--stdio", action="store_true", help="use stdio (the default; editors may pass it)"
    )

    edit = sub.add_parser(
        "edit", parents=[common], help="ask the model to change a file; print the diff"
    )
    edit.add_argument("path", type=Path)
    edit.add_argument("--instruction", "-i", default=DEFAULT_INSTRUCTION)
    edit.add_argument("--lines", metavar="A-B", help="only change these lines (1-based)")
    edit.add_argument("--apply", action="store_true", help="write the change to disk")

    ask_p = sub.add_parser(
        "ask", parents=[common], help="ask the model a question; print the answer"
    )
    ask_p.add_argument("text")
    ask_p.add_argument("--file", type=Path, help="include this file in the question")
    ask_p.add_argument("--show-reasoning", action="store_true", help="print the reasoning first")

    sub.add_parser(
        "doctor", parents=[common], help="show the configuration and check the provider answers"
    )

    index = sub.add_parser("index", parents=[common], help="index a repository; print figures")
    index.add_argument("path", nargs="?", type=Path, default=Path("."))

    context = sub.add_parser("context", parents=[common], help="print the context of a request")
    context.add_argument("target", metavar="FILE[:LINE[-LINE]]")
    context.add_argument("--budget", type=int, help="tokens (default: what an edit would get)")
    context.add_argument("--instruction", "-i", default="")
    return parser


def _settings() -> Settings:
    settings, problems = load_settings()
    for problem in problems:
        print(f"glm-lsp: {problem}", file=sys.stderr)
    return settings


def _selection(lines: str | None) -> Selection | None:
    if lines is None:
        return None
    start, _, end = lines.partition("-")
    if not (start.isdigit() and (end or start).isdigit()):
        raise GlmError(f"--lines takes A-B with whole line numbers, not '{lines}'.")
    selection = Selection(int(start), int(end or start))
    if not 1 <= selection.start <= selection.end:
        raise GlmError(f"--lines {lines} is not a range of lines that starts at 1 or later.")
    return selection


def _read_target(path: Path) -> tuple[Path, str]:
    if not path.is_file():
        raise GlmError(f"{path} is not a file.")
    root = find_root(path.resolve())
    return root, path.resolve().relative_to(root).as_posix()


async def _edit(args: argparse.Namespace) -> int:
    root, rel = _read_target(args.path)
    selection = _selection(args.lines)
    settings = _settings()
    client = ProviderClient(settings)
    engine = ContextEngine.for_settings(root, settings)
    try:
        await asyncio.to_thread(engine.refresh)
        task = EditTask(root, rel, args.instruction, selection)
        outcome = await run_edit(task, client, engine)
    finally:
        await client.aclose()
    diff = unified_diff_many((c.path, c.old, c.new) for c in outcome.changes)
    sys.stdout.write(diff)
    if args.apply:
        for change in outcome.changes:
            _write(root / change.path, change.new)
    print(f"glm-lsp: {outcome.usage.describe()}", file=sys.stderr)
    return 0


def _index(args: argparse.Namespace) -> int:
    root = find_root(args.path.resolve())
    engine = ContextEngine.for_settings(root, _settings())
    stats = engine.refresh()
    print(f"root        {root}")
    print(f"files       {stats.files}")
    print(f"parsed      {stats.parsed}")
    print(f"cache hits  {stats.cache_hits}")
    print(f"time        {stats.seconds:.2f} s")
    for language, count in sorted(stats.symbols_by_language.items(), key=lambda kv: -kv[1]):
        print(f"  {language:12} {count} symbols")
    return 0


def _context(args: argparse.Namespace) -> int:
    name, _, lines = args.target.partition(":")
    root, rel = _read_target(Path(name))
    selection = _selection(lines or None)
    settings = _settings()
    engine = ContextEngine.for_settings(root, settings)
    engine.refresh()
    counter = TokenCounter.load(settings.provider)
    budget = args.budget
    if budget is None:
        endpoint = resolve(settings, require_key=False)
        budget = context_budget(
            settings, endpoint.context_window, endpoint.dialect.supports_tools, counter
        )
    span = (selection.start, selection.end) if selection else None
    assembled = engine.assemble(ContextRequest(rel, args.instruction, span), budget, counter)
    for section in assembled.sections:
        print(f"=== {section.key}: {section.tokens} tokens ===")
        print(section.text)
    print(f"=== total: {assembled.tokens} of {budget} tokens ===")
    return 0


def _write(path: Path, text: str | None) -> None:
    if text is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)


async def _ask(args: argparse.Namespace) -> int:
    path_text = None
    if args.file is not None:
        if not args.file.is_file():
            raise GlmError(f"{args.file} is not a file.")
        if is_secret_path(args.file.name):
            raise GlmError(f"{args.file} looks like a secret file; it is never sent to a provider.")
        path_text = redact_secrets(args.file.read_text(encoding="utf-8", errors="replace"))[0]
    shown: list[str] = []

    def stream(event: StreamEvent) -> None:
        if event.kind == "content" or (event.kind == "reasoning" and args.show_reasoning):
            if shown and shown[-1] != event.kind:
                sys.stdout.write("\n\n")
            shown.append(event.kind)
            sys.stdout.write(event.text)
            sys.stdout.flush()

    client = ProviderClient(_settings())
    try:
        path = str(args.file) if args.file else None
        await ask(args.text, client, path, path_text, on_event=stream)
    finally:
        await client.aclose()
    sys.stdout.write("\n")
    return 0


async def _doctor() -> int:
    settings, problems = load_settings()
    path = user_config_path(os.environ)
    print(f"config file: {path} ({'found' if path.is_file() else 'not present'})")
    for name, value in settings.describe():
        print(f"{name:20} {value}")
    for problem in problems:
        print(f"problem: {problem}")
    client = ProviderClient(settings)
    try:
        print(f"{'request url':20} {client.url}")
        print(f"{'model id':20} {client.model}")
        started = time.monotonic()
        reply = await client.complete(
            ChatRequest(
                messages=[Message(role="user", content="Reply with the single word OK.")],
                max_tokens=64,
                reasoning_effort="none",
            )
        )
    finally:
        await client.aclose()
    elapsed = time.monotonic() - started
    print(f"provider answered in {elapsed:.1f} s: {reply.content.strip()[:80]!r}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from glm_lsp.lsp.server import build_server

    server = build_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            raise GlmError(f"--tcp takes HOST:PORT, not '{args.tcp}'.")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose:
        logging.getLogger("glm_lsp").setLevel(logging.DEBUG)
    install_redaction()
    try:
        if args.command in (None, "serve"):
            return _serve(args if args.command else argparse.Namespace(tcp=None))
        if args.command == "edit":
            return asyncio.run(_edit(args))
        if args.command == "ask":
            return asyncio.run(_ask(args))
        if args.command == "index":
            return _index(args)
        if args.command == "context":
            return _context(args)
        return asyncio.run(_doctor())
    except GlmError as exc:
        print(f"glm-lsp: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("glm-lsp: interrupted.", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"glm-lsp: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: still one sentence, the traceback only with -v
        logging.getLogger("glm_lsp").debug("unexpected error", exc_info=True)
        print(
            f"glm-lsp: unexpected error ({type(exc).__name__}: {exc}); rerun with -v for details.",
            file=sys.stderr,
        )
        return 1
