"""Every regular expression of the server against long runs of one character.

    .venv/bin/python bench/bench_regex.py [--short 2000] [--long 8000] [--limit 5]

A pattern that backtracks without bound turns one odd line (a ruler of slashes, a header
padded with spaces, a minified file) into a request that never gets its reply; serde's
79-slash ruler did that to the typographic-dash check. Each compiled pattern found in the
`glm_lsp` modules (module globals and the attributes of module-level objects) is searched
in a prefix (none, a comment mark, a diff header, a fence, a secret's start, ...), then a
run of one character, then a character that ends any match. A pattern whose time grows
more than 8-fold when the run grows 4-fold, or that takes over `--limit` seconds, is
reported with whether a match anchored at the start grows too; the exit status is the
number reported. A pattern used only with `match` or `fullmatch` on short strings may be
reported for its search: read it where it is used.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

import glm_lsp  # noqa: E402

RUNS = [" ", "\t", "/", "#", "-", "a", "=", "1", "*", ".", "<", ">", "`", "\\", "_", "@",
        "\n", "a ", "- ", "/ ", '"', "'", ":", "A"]  # fmt: skip
PREFIXES = ["", "// ", "# ", "@@", "```", "```a", "<<<<<<< SEARCH", "-----BEGIN ", "key=",
            '"', "AKIA", "sk-", "http://"]  # fmt: skip
GROWTH = 8.0  # time ratio for a 4-fold longer run that counts as worse than linear


class _TooLong(Exception):
    pass


def patterns() -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    """Every compiled pattern of the glm_lsp modules (`__main__` would run the CLI)."""
    for found in pkgutil.walk_packages(glm_lsp.__path__, "glm_lsp."):
        if found.name.endswith("__main__"):
            continue
        module = importlib.import_module(found.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{found.name}.{name}", value
            elif not isinstance(value, type) and hasattr(value, "__dict__"):
                for attribute, inner in vars(value).items():
                    if isinstance(inner, re.Pattern):
                        yield f"{found.name}.{name}.{attribute}", inner


def seconds(pattern: re.Pattern[str] | re.Pattern[bytes], text: str, anchored: bool) -> float:
    """The fastest of two searches (or matches at the start, `anchored`) of `text`."""
    subject = text.encode() if isinstance(pattern.pattern, bytes) else text
    find = getattr(pattern, "match" if anchored else "search")
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        find(subject)
        best = min(best, time.perf_counter() - started)
    return best


def _grows(pattern: re.Pattern[str] | re.Pattern[bytes], short: str, long: str, anchored: bool,
           limit: float) -> float | None:  # fmt: skip
    """Seconds on `long` when they grow worse than linear from `short`, else None."""
    a, b = seconds(pattern, short, anchored), seconds(pattern, long, anchored)
    return b if b > limit or (b > 0.01 and b / max(a, 1e-6) > GROWTH) else None


def _alarm(*_: object) -> None:
    raise _TooLong


def worst(
    pattern: re.Pattern[str] | re.Pattern[bytes], short: int, long: int, limit: float
) -> tuple[float, str] | None:
    """The slowest growing input for `pattern` (seconds on the long run, its description,
    and whether a match anchored at the start grows too), or None when every input stays
    about linear."""
    found: tuple[float, str] | None = None
    signal.signal(signal.SIGALRM, _alarm)
    for prefix in PREFIXES:
        for run in RUNS:
            what = f"{prefix!r} + {run!r} x {long}"
            a, b = prefix + run * short + "!", prefix + run * long + "!"
            signal.alarm(int(4 * limit) + 1)
            try:
                grown = _grows(pattern, a, b, False, limit)
                if grown is not None and (found is None or grown > found[0]):
                    anchored = _grows(pattern, a, b, True, limit)
                    found = (grown, f"{what} (anchored: {'the same' if anchored else 'linear'})")
            except _TooLong:
                return (float("inf"), what)
            finally:
                signal.alarm(0)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", type=int, default=2000)
    parser.add_argument("--long", type=int, default=8000)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds for one search")
    args = parser.parse_args()
    found = dict(patterns())
    reported = 0
    for name, pattern in sorted(found.items()):
        bad = worst(pattern, args.short, args.long, args.limit)
        if bad is not None:
            reported += 1
            print(f"{name}: {bad[0]:.3f} s on {bad[1]}")
    print(f"{len(found)} patterns, {reported} worse than linear on a {args.long}-character run")
    return reported


if __name__ == "__main__":
    sys.exit(main())
