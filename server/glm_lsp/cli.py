"""The command line: the same core as the language server, usable with no editor.

`serve` starts the language server and `acp` the ACP agent, both on stdio; `edit`, `ask`,
`complete`, `context`, `index` and `doctor` drive the core headless. Failures print
one sentence on stderr and exit 1; stdout carries only the result (a diff, an answer).
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import NoReturn

import glm_lsp.assistant as core  # its names load on first use: keep the start fast
from glm_lsp import __version__
from glm_lsp.config import Settings, load_settings, user_config_path
from glm_lsp.errors import GlmError
from glm_lsp.logs import install_redaction


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

    sub.add_parser(
        "acp", parents=[common], help="run the Agent Client Protocol agent (stdio; Zed, JetBrains)"
    )

    edit = sub.add_parser(
        "edit", parents=[common], help="ask the model to change a file; print the diff"
    )
    edit.add_argument("path", type=Path)
    edit.add_argument("--instruction", "-i", default=core.DEFAULT_INSTRUCTION)
    edit.add_argument("--lines", metavar="A-B", help="only change these lines (1-based)")
    edit.add_argument("--apply", action="store_true", help="write the change to disk")
    edit.add_argument("--yes", "-y", action="store_true", help="let MCP tools run without asking")

    ask_p = sub.add_parser(
        "ask", parents=[common], help="ask the model a question; print the answer"
    )
    ask_p.add_argument("text")
    ask_p.add_argument("--file", type=Path, help="include this file in the question")
    ask_p.add_argument("--show-reasoning", action="store_true", help="print the reasoning first")

    complete = sub.add_parser(
        "complete", parents=[common], help="print the inline completion at a cursor"
    )
    complete.add_argument("path", type=Path)
    complete.add_argument("--line", type=int, required=True, help="the cursor's line (1-based)")
    complete.add_argument(
        "--col", type=int, default=0, help="the cursor's column (1-based; default: line end)"
    )

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


def _lines(lines: str | None) -> core.LineSpan | None:
    if lines is None:
        return None
    start, _, end = lines.partition("-")
    if not (start.isdigit() and (end or start).isdigit()):
        raise GlmError(f"--lines takes A-B with whole line numbers, not '{lines}'.")
    span = core.LineSpan(int(start), int(end or start))
    if not 1 <= span.start <= span.end:
        raise GlmError(f"--lines {lines} is not a range of lines that starts at 1 or later.")
    return span


def _read_target(path: Path) -> tuple[Path, str]:
    if not path.is_file():
        raise GlmError(f"{path} is not a file.")
    root = core.find_root(path.resolve())
    return root, path.resolve().relative_to(root).as_posix()


async def _run(assistant: core.Assistant, events: AsyncIterator[core.Event]) -> list[core.Event]:
    """Drain an operation, closing the assistant after; a failure is raised as its sentence."""
    try:
        seen = [event async for event in events]
    finally:
        await assistant.aclose()
    for event in seen:
        if isinstance(event, core.Failed):
            raise GlmError(event.message, detail=event.detail)
    return seen


async def _edit(args: argparse.Namespace) -> int:
    root, rel = _read_target(args.path)
    lines = _lines(args.lines)
    assistant = core.Assistant(_settings(), approve=_approval(args.yes))
    events = await _run(
        assistant, assistant.edit(core.EditRequest(root, rel, args.instruction, lines))
    )
    for event in events:
        if isinstance(event, core.Notice):
            print(f"glm-lsp: {event.message}", file=sys.stderr)
        elif isinstance(event, core.ProposedChange):
            if event.failed:
                raise GlmError(core.partial_message(event.failed, "nothing was written or shown"))
            if not args.apply:
                sys.stdout.write(event.diff)
                continue
            changes = core.rebased_on_disk(root, event.changes)  # the user may have saved meanwhile
            sys.stdout.write(core.unified_diff_many(changes))
            core.write_changes(root, changes)
        elif isinstance(event, core.UsageReport):
            print(f"glm-lsp: {event.usage.describe()}", file=sys.stderr)
    return 0


def _approval(yes: bool) -> Callable[[core.McpCall], Awaitable[core.Decision]]:
    """Whether an MCP tool off its allow list may run: yes with --yes, else ask on the
    terminal; with no terminal to ask, no (the model is told, and the edit goes on)."""

    async def approve(call: core.McpCall) -> core.Decision:
        if yes:
            return "once"
        if not sys.stdin.isatty():
            print(
                f"glm-lsp: {call.name} was not run: it is not on the server's allow list and "
                "there is no terminal to ask (pass --yes to allow MCP tools).",
                file=sys.stderr,
            )
            return "deny"
        question = f"glm-lsp: run MCP tool {call.name} {call.arguments}? [y]es/[a]lways/[N]o "
        import asyncio

        answer = await asyncio.to_thread(_ask_terminal, question)
        choices: dict[str, core.Decision] = {"y": "once", "yes": "once", "a": "always"}
        return choices.get(answer, "deny")

    return approve


def _ask_terminal(question: str) -> str:
    print(question, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower()


async def _index(args: argparse.Namespace) -> int:
    root = core.find_root(args.path.resolve())
    assistant = core.Assistant(_settings())
    try:
        stats = await assistant.index(root)
    finally:
        await assistant.aclose()
    print(f"root        {root}")
    print(f"files       {stats.files}")
    print(f"parsed      {stats.parsed}")
    print(f"cache hits  {stats.cache_hits}")
    print(f"time        {stats.seconds:.2f} s")
    for language, count in sorted(stats.symbols_by_language.items(), key=lambda kv: -kv[1]):
        print(f"  {language:12} {count} symbols")
    return 0


async def _complete(args: argparse.Namespace) -> int:
    """The suggestion ghost text would show at the cursor; usage goes to stderr."""
    root, rel = _read_target(args.path)
    text = (root / rel).read_text(encoding="utf-8")
    lines = text.split("\n")
    if not 1 <= args.line <= len(lines):
        raise GlmError(f"--line {args.line} is not a line of {rel} (1 to {len(lines)}).")
    line = lines[args.line - 1]
    column = len(line) if args.col == 0 else args.col - 1
    if not 0 <= column <= len(line):
        raise GlmError(
            f"--col {args.col} is not a column of line {args.line} (1 to {len(line) + 1})."
        )
    from glm_lsp.completion import CompletionRequest  # only this command needs it

    assistant = core.Assistant(_settings())
    try:
        await assistant.index(root)
        request = CompletionRequest(root, rel, text, args.line - 1, column)
        outcome = await assistant.completions.complete(request)
    finally:
        await assistant.aclose()
    if outcome.notice:
        print(f"glm-lsp: {outcome.notice}", file=sys.stderr)
    print(outcome.text)
    print(f"glm-lsp: {assistant.completions.stats.usage.describe()}", file=sys.stderr)
    return 0


def _context(args: argparse.Namespace) -> int:
    name, _, lines = args.target.partition(":")
    root, rel = _read_target(Path(name))
    request = core.ContextRequest(root, rel, args.instruction, _lines(lines or None), args.budget)
    with core.context_now(_settings(), request) as ready:
        if ready.rules is not None and (ready.rules.files or ready.rules.dropped):
            _print_rules(ready.rules)
        for section in ready.context.sections:
            print(f"=== {section.key}: {section.tokens} tokens ===")
            print(section.text)
        print(f"=== total: {ready.context.tokens} of {ready.budget} tokens ===")
        sys.stdout.flush()  # the context is out before the caches are saved
    return 0


def _print_rules(rules: core.ProjectRules) -> None:
    """The project rules, which travel in the system message, not in the context."""
    paths = ", ".join(rule.path for rule in rules.files) or "none fit"
    print(f"=== rules (system message): {paths} ===")
    if rules.dropped:
        print(f"(left out by rules_max_chars: {', '.join(rules.dropped)})")
    print(rules.render())


async def _ask(args: argparse.Namespace) -> int:
    path_text = None
    if args.file is not None:
        if not args.file.is_file():
            raise GlmError(f"{args.file} is not a file.")
        if core.is_secret_path(args.file.name):
            raise GlmError(f"{args.file} looks like a secret file; it is never sent to a provider.")
        path_text = core.redact_secrets(args.file.read_text(encoding="utf-8", errors="replace"))[0]
    request = core.AskRequest(args.text, str(args.file) if args.file else None, path_text)
    assistant = core.Assistant(_settings())
    shown: list[str] = []
    try:
        async for event in assistant.ask(request):
            if isinstance(event, core.Failed):
                raise GlmError(event.message, detail=event.detail)
            kind = "content" if isinstance(event, core.Text) else "reasoning"
            if isinstance(event, core.Text) or (
                isinstance(event, core.Reasoning) and args.show_reasoning
            ):
                if shown and shown[-1] != kind:
                    sys.stdout.write("\n\n")
                shown.append(kind)
                sys.stdout.write(event.text)
                sys.stdout.flush()
    finally:
        await assistant.aclose()
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
    assistant = core.Assistant(settings)
    try:
        assistant.model(settings)  # a missing key fails here, before anything is printed
        url, model = assistant.endpoint()
        print(f"{'request url':20} {url}")
        print(f"{'model id':20} {model}")
        check = await assistant.check_provider()
    finally:
        await assistant.aclose()
    print(f"{'prompt cache':20} {_cache_line(check)}")
    answer = check.answer.strip()[:80]
    print(f"provider answered in {check.seconds:.1f} s: {answer!r}")
    return 0


def _cache_line(check: core.ProviderCheck) -> str:
    """Whether the provider's usage tells cached prompt tokens apart, from the check."""
    if check.cache_reported:
        return (
            f"the provider reports cached tokens ({check.usage.cached_tokens} of "
            f"{check.usage.prompt_tokens} in this check)"
        )
    return "the provider does not report cached tokens; usage counts every prompt token in full"


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


async def _acp() -> int:
    from glm_lsp.acp.agent import serve

    await serve(_settings())
    return 0


def _exit_now(code: int) -> NoReturn:
    """End a one-shot command without tearing the interpreter down (freeing the index and
    the reference graph object by object took 30-50 ms of a 0.3 s target). For the same
    reason `glm-lsp context` runs without the cyclic garbage collector: its passes over
    what the imports and the caches made were 5-8 % of the command's time, and the
    memory it could give back goes with the process a moment later. Safe because
    everything the command writes is complete by now: the symbol cache's transactions are
    committed (SQLite, WAL), the listing, verdicts and graph caches are written whole and
    renamed into place, and the threads still running (git questions nobody waits for,
    the queries' compilation) write nothing. Output is flushed first."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    # numpy (the ranking) multiplies no matrices: one BLAS thread starts 30-50 ms sooner
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args = _parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if args.verbose:
        logging.getLogger("glm_lsp").setLevel(logging.DEBUG)
    elif args.command not in (None, "serve", "acp"):  # the editor's log keeps warnings
        logging.getLogger().setLevel(logging.CRITICAL + 1)  # stderr: the one sentence only
    install_redaction()
    try:
        if args.command in (None, "serve"):
            return _serve(args if args.command else argparse.Namespace(tcp=None))
        if args.command == "context":
            gc.disable()  # see `_exit_now`: nothing is freed before the exit, so no GC passes
            _exit_now(_context(args))
        import asyncio  # here: the one-shot context above needs no event loop

        if args.command == "acp":
            return asyncio.run(_acp())
        if args.command == "edit":
            return asyncio.run(_edit(args))
        if args.command == "ask":
            return asyncio.run(_ask(args))
        if args.command == "index":
            return asyncio.run(_index(args))
        if args.command == "complete":
            return asyncio.run(_complete(args))
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
