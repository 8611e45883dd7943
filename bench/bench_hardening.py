"""The fuzzers and the soak of issue 13, run longer than CI runs them.

    .venv/bin/python bench/bench_hardening.py [--frames N] [--tools N] [--replies N]
                                              [--rounds N] [--write]

The three fuzzers are the test suite's own (tests/e2e/test_lsp_frames.py,
tests/unit/test_tools_hostile.py, tests/unit/test_provider_replies_fuzz.py) with more cases:
each asserts 0 crashes, 0 unanswered requests and 0 escapes, so a pass is those counts.
The soak (tests/e2e/test_soak.py) runs more rounds and reports what it saw. `--write`
replaces this script's section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
sys.path[:0] = [str(TESTS), str(TESTS / "e2e"), str(ROOT / "server")]

from test_soak import SoakResult, make_workspace, soak  # noqa: E402

from provider_server import ProviderServer  # noqa: E402

HEADING = "## Hardening: fuzzers and soak (`bench/bench_hardening.py`)"
FUZZERS = {
    "LSP frames and params against the real server process": (
        "tests/e2e/test_lsp_frames.py::test_random_frames_never_crash_or_silence_the_server",
        "GLM_FUZZ_FRAME_CASES",
    ),
    "random tool calls against the agent's tools": (
        "tests/unit/test_tools_hostile.py::test_random_tool_calls_never_escape_the_workspace",
        "GLM_FUZZ_TOOL_CASES",
    ),
    "random provider replies against the provider client over HTTP": (
        "tests/unit/test_provider_replies_fuzz.py",
        "GLM_FUZZ_REPLY_CASES",
    ),
}


def run_fuzzer(test: str, variable: str, cases: int) -> tuple[bool, float]:
    """Run one fuzzer test with `cases`; whether it passed, and how long it took."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=ROOT,
        env={**os.environ, variable: str(cases)},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stdout[-3000:], file=sys.stderr)
    return result.returncode == 0, time.monotonic() - started


async def run_soak(rounds: int) -> tuple[SoakResult, float]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder, ProviderServer("hyperstack") as provider:
        result = await soak(provider, make_workspace(Path(folder) / "ws"), rounds)
    return result, time.monotonic() - started


def report(args: argparse.Namespace) -> str:
    counts = {"frames": args.frames, "tools": args.tools, "replies": args.replies}
    lines = [HEADING, "", "| fuzzer | cases | crashes | unanswered | escapes | result | time |"]
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for (title, (test, variable)), cases in zip(FUZZERS.items(), counts.values(), strict=True):
        passed, seconds = run_fuzzer(test, variable, cases)
        zero = "0" if passed else "see log"
        verdict = "pass" if passed else "**FAIL**"
        lines.append(
            f"| {title} | {cases} | {zero} | {zero} | {zero} | {verdict} | {seconds:.0f} s |"
        )
        print(lines[-1], flush=True)
    result, seconds = asyncio.run(run_soak(args.rounds))
    lines += [
        "",
        f"Soak: {args.rounds} rounds of {result.tasks // max(args.rounds, 1)} concurrent edit "
        f"tasks (one cancelled per round) under didChange storms: {result.tasks} tasks, "
        f"{result.cancelled} cancelled, {result.changes} didChange, {result.applied} edits "
        f"applied (rebased onto the typing), {result.refused} refused as stale, "
        f"**{result.lost} lost edits**, server memory growth after the first round "
        f"{result.rss_growth_kb / 1024:.1f} MB; {seconds:.0f} s.",
        "",
        "Command: `.venv/bin/python bench/bench_hardening.py "
        f"--frames {args.frames} --tools {args.tools} --replies {args.replies} "
        f"--rounds {args.rounds} --write`. CI runs the same tests with 400 frames, "
        "3,000 tool calls, 150 replies and 3 soak rounds.",
    ]
    print("\n".join(lines[-5:]))
    return "\n".join(lines) + "\n"


def write(section: str) -> None:
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8")
    start = text.find(HEADING)
    if start >= 0:
        end = text.find("\n## ", start + len(HEADING))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=5000)
    parser.add_argument("--tools", type=int, default=30000)
    parser.add_argument("--replies", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    section = report(args)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
