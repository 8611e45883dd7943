"""Interleaved A/B of an edit's update + re-rank in a warm engine: an older checkout's
server/ against this one, each in its own processes and cache, alternating, so that a
loaded machine slows both alike.

    python bench/ab_edit_update.py OLD_CHECKOUT REPO FILE [FILE ...] [--rounds 3] [--edit call]
    e.g. git worktree add /tmp/old 5f20ea2
         .venv/bin/python bench/ab_edit_update.py /tmp/old /tmp/mypy mypy/checker.py

Each run starts a warm engine (refresh, a first 1K map focused on FILE, the tags query
compiled), then appends a line to FILE six times, 50 ms apart, timing
`ContextEngine.update([FILE])` plus a re-rank each time; the file is restored afterwards.
The line is a comment (`--edit comment`, no reference moves) or a call of a function
defined in another file, a new one each time (`--edit call`, the file's edges move).
Prints per run "old new" as the median of edits 2-6 (ms) and the first edit, then the
medians of the ratios.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
EDITS = 6


def inner(root: Path, rel: str, edit: str) -> None:
    from glm_lsp.context import tags
    from glm_lsp.context.budget import TokenCounter
    from glm_lsp.context.engine import ContextEngine
    from glm_lsp.context.rank import Focus, seeds_for

    engine = ContextEngine(root)
    engine.refresh()
    focus = Focus(current=rel)
    engine.repo_map(1024, focus, TokenCounter("bench"))
    language = tags.language_for(rel)
    if language is not None:
        tags.available(language)
    path = root / rel
    old = path.read_bytes()
    callees = sorted(
        name
        for name, files in engine.graph.definers.items()
        if len(name) >= 8 and name.isidentifier() and rel not in files
    )[:EDITS]
    times = []
    try:
        for k in range(EDITS):
            line = f"{callees[k]}()\n" if edit == "call" else f"# one-line edit {k}\n"
            path.write_bytes(old + line.encode())
            started = time.perf_counter()
            engine.update([rel])
            engine.graph.rank(seeds_for(engine.graph, focus))
            times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    finally:
        path.write_bytes(old)
        engine.update([rel])
        engine.save_caches()
    print(f"{statistics.median(times[1:]):.1f} {times[0]:.1f}")


def run(side: str, old: Path, cache: Path, root: Path, rel: str, edit: str) -> tuple[float, float]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache / side))
    env["PYTHONPATH"] = str(old / "server" if side == "old" else HERE.parent.parent / "server")
    out = subprocess.run(
        [sys.executable, str(HERE), "--inner", str(root), rel, edit],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main(argv: list[str]) -> None:
    options = {"--rounds": "3", "--edit": "comment"}
    for name in list(options):
        if name in argv:
            at = argv.index(name)
            options[name] = argv[at + 1]
            del argv[at : at + 2]
    rounds, edit = int(options["--rounds"]), options["--edit"]
    old, root, files = Path(argv[0]), Path(argv[1]), argv[2:]
    ratios, firsts = [], []
    with tempfile.TemporaryDirectory() as cache:
        for rel in files:
            for side in ("old", "new"):
                run(side, old, Path(cache), root, rel, edit)  # warms each side's cache
            for _ in range(rounds):
                (o, o_first), (n, n_first) = (
                    run(side, old, Path(cache), root, rel, edit) for side in ("old", "new")
                )
                print(f"{rel}: old {o:.1f} new {n:.1f} ms (first edit {o_first:.1f} {n_first:.1f})")
                ratios.append(n / o)
                firsts.append(n_first / o_first)
    print(
        f"new/old per pair: edits 2-{EDITS} {statistics.median(ratios):.2f}, "
        f"first edit {statistics.median(firsts):.2f}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        inner(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        main(sys.argv[1:])
