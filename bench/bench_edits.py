"""How long turning a model's change into editor edits and a diff takes on a large file.

Run: .venv/bin/python bench/bench_edits.py
A 20,000-line Python file with 20 scattered one-line changes (some lines with emoji): the
median of 21 runs of minimal_changes (UTF-16) and of unified_diff, in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "server"))

from glm_lsp.edits.diff import unified_diff  # noqa: E402
from glm_lsp.edits.textedits import apply_changes, minimal_changes  # noqa: E402

LINES = 20_000
CHANGES = 20
RUNS = 21


def sample() -> tuple[str, str]:
    lines = [f"    value_{i} = compute({i}, 'text 😀 {i}')\n" for i in range(LINES)]
    old = "".join(lines)
    for k in range(CHANGES):
        n = (k * 997) % LINES
        lines[n] = lines[n].replace("compute", "compute_fast")
    return old, "".join(lines)


def median_ms(fn: object, *args: object) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn(*args)  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    old, new = sample()
    changes = minimal_changes(old, new, "utf-16")
    assert apply_changes(old, changes, "utf-16") == new and len(changes) == CHANGES
    print(f"file: {LINES} lines, {len(old.encode()) / 1e6:.2f} MB, {CHANGES} changed lines")
    print(f"minimal_changes utf-16: {median_ms(minimal_changes, old, new, 'utf-16'):.1f} ms median")
    print(f"unified_diff:           {median_ms(unified_diff, 'a.py', old, new):.1f} ms median")


if __name__ == "__main__":
    main()
