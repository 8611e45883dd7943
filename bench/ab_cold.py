"""Interleaved A/B of the cold start against the single-core floor: each round runs the
floor (tree-sitter parse + the grammar wheel's tags query, one process) and then every
checkout's glm-lsp cold start (construct + index + first 1K map, empty caches), each in
a fresh process, the checkouts' order rotating from round to round. A machine that
slows down or speeds up during the run moves the floor and the checkouts alike, so the
per-round ratios say more than a single run of `bench_context.py`.

    python bench/ab_cold.py REPO FOCUS ROUNDS NAME=CHECKOUT [NAME=CHECKOUT ...]
    e.g. git worktree add /tmp/old 5f20ea2
         .venv/bin/python bench/ab_cold.py /tmp/ansible lib/ansible/cli/doc.py 7 \\
             old=/tmp/old new=.

Each side runs `bench_context.py` of its own checkout (its worker processes), so the
floor is the same code in every round. Prints each round's times and ratios, then the
medians: of the times, and of the per-round ratios to the floor.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def run(checkout: str, job: dict[str, object], env: dict[str, str]) -> float:
    """One side's process; the seconds of its cold start (`first_map` lap)."""
    with tempfile.TemporaryDirectory(prefix="glm-ab-cold-") as tmp:
        job_file, out_file = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job_file.write_text(json.dumps({**job, "tags_out": f"{tmp}/tags.json"}))
        subprocess.run(
            [sys.executable, f"{checkout}/bench/bench_context.py", str(job_file), str(out_file)],
            env={**os.environ, "PYTHONHASHSEED": "0", "XDG_CACHE_HOME": f"{tmp}/cache", **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        return float(json.loads(out_file.read_text())["laps"]["first_map"])


def main() -> None:
    if len(sys.argv) < 5:
        raise SystemExit(__doc__)
    repo, focus, rounds = str(Path(sys.argv[1]).resolve()), sys.argv[2], int(sys.argv[3])
    checkouts = dict(arg.split("=", 1) for arg in sys.argv[4:])
    names = list(checkouts)
    floor_job = {"side": "floor", "repo": repo, "phase": "cold", "edit_file": focus}
    glm_job = {
        "side": "glm",
        "repo": repo,
        "phase": "cold",
        "focus": focus,
        "focus_line": 1,
        "focus_idents": [],
        "edit_file": focus,
        "first_budget": 1024,
        "budgets": [1024],
        "quality_budgets": [],
        "samples": [],
    }
    times: dict[str, list[float]] = {"floor": [], **{name: [] for name in names}}
    for round_ in range(rounds):
        times["floor"].append(run(checkouts[names[0]], floor_job, {}))
        turn = round_ % len(names)
        for name in names[turn:] + names[:turn]:
            times[name].append(run(checkouts[name], glm_job, {}))
        floor = times["floor"][-1]
        print(
            f"round {round_ + 1}: floor {floor:.3f} s, "
            + ", ".join(f"{n} {times[n][-1]:.3f} s = {times[n][-1] / floor:.2f}x" for n in names),
            flush=True,
        )
    floor = statistics.median(times["floor"])
    print(f"medians of {rounds} rounds: floor {floor:.3f} s")
    for name in names:
        ratios = [mine / base for mine, base in zip(times[name], times["floor"], strict=True)]
        print(
            f"  {name}: {statistics.median(times[name]):.3f} s, "
            f"per-round ratio median {statistics.median(ratios):.2f}x "
            f"(range {min(ratios):.2f}-{max(ratios):.2f})"
        )


if __name__ == "__main__":
    main()
