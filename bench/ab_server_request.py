"""Interleaved A/B of a language server's first request about a new spot: an older
checkout's server/ against this one, each in its own processes and cache, alternating.

    python bench/ab_server_request.py OLD_CHECKOUT REPO [--spots 20] [--seed 7] [--rounds 3]
    e.g. git worktree add /tmp/old 5f20ea2
         .venv/bin/python bench/ab_server_request.py /tmp/old /tmp/ansible

Each run makes a warm engine as the server does (`for_settings(serving=True)`: requests
take the git answers that are ready and never wait), then asks for a 4K context about each
of `--spots` seeded (file, line) spots of different Python files, one after another, each
preceded by the refresh a request does. Prints per run "old new" medians of the whole
request, and of its refresh and assembly, then the median ratio over the runs.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def inner(root: Path, spots: int, seed: int) -> None:
    from glm_lsp.config import load_settings
    from glm_lsp.context.budget import TokenCounter
    from glm_lsp.context.engine import ContextEngine, ContextRequest

    settings, _ = load_settings()
    engine = ContextEngine.for_settings(root, settings, serving=True)
    engine.refresh()
    rng = random.Random(seed)
    files = sorted(f for f in engine.index.files() if f.endswith(".py"))
    chosen = []
    for rel in rng.sample(files, min(spots, len(files))):
        lines = (root / rel).read_text(errors="replace").count("\n") or 1
        chosen.append((rel, rng.randrange(1, lines + 1)))
    counter = TokenCounter.load(settings.provider)
    refresh, assemble, total = [], [], []
    for rel, line in chosen:
        started = time.perf_counter()
        engine.refresh()
        refreshed = time.perf_counter()
        engine.assemble(ContextRequest(rel, "", (line, line)), 4096, counter)
        done = time.perf_counter()
        refresh.append(refreshed - started)
        assemble.append(done - refreshed)
        total.append(done - started)
    print(json.dumps([1000 * statistics.median(x) for x in (total, refresh, assemble)]))


def run(side: str, old: Path, cache: Path, root: Path, spots: int, seed: int) -> list[float]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache / side))
    env["PYTHONPATH"] = str(old / "server" if side == "old" else HERE.parent.parent / "server")
    out = subprocess.run(
        [sys.executable, str(HERE), "--inner", str(root), str(spots), str(seed)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return list(json.loads(out))


def main(argv: list[str]) -> None:
    options = {"--spots": 20, "--seed": 7, "--rounds": 3}
    for name in list(options):
        if name in argv:
            at = argv.index(name)
            options[name] = int(argv[at + 1])
            del argv[at : at + 2]
    old, root = Path(argv[0]), Path(argv[1])
    args = (root, options["--spots"], options["--seed"])
    ratios = []
    with tempfile.TemporaryDirectory() as cache:
        for side in ("old", "new"):
            run(side, old, Path(cache), *args)  # warms each side's cache
        for _ in range(options["--rounds"]):
            o, n = (run(side, old, Path(cache), *args) for side in ("old", "new"))
            print(
                f"old {o[0]:.0f} ms (refresh {o[1]:.0f}, assembly {o[2]:.0f}), "
                f"new {n[0]:.0f} ms (refresh {n[1]:.0f}, assembly {n[2]:.0f})"
            )
            ratios.append(n[0] / o[0])
    print(f"new/old per pair: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--inner"]:
        inner(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main(sys.argv[1:])
