"""Does a context stay within its budget on any file, in any language, with any content?

Run (a few minutes per repository on 2 shared cores):

    .venv/bin/pip install tiktoken   # the cl100k count, bench only
    .venv/bin/python bench/bench_budget.py --repos /tmp/x_express,/tmp/x_gin --samples 60

bench_scope checks the budget on Python call sites; this one draws spots anywhere: a seeded
sample of every indexed file's lines (any language glm-lsp indexes), each asked at 1K, 4K and
16K tokens with the uncalibrated estimate, as `glm-lsp context FILE:LINE --budget N` does.
`--synthetic` adds a generated repository of text that tokenizes badly: CJK and emoji in
comments and strings, base64 and hex blobs, a minified line, number tables, tab-indented
Cyrillic identifiers. The whole context (`AssembledContext.render`) is counted with cl100k
and reported as a share of its budget; the target is that none exceeds 1.03.
"""

from __future__ import annotations

import argparse
import base64
import random
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "server"))
sys.path.insert(0, str(BENCH))

from bench_scope import cl100k  # noqa: E402

from glm_lsp.context.budget import TokenCounter  # noqa: E402
from glm_lsp.context.engine import ContextEngine, ContextRequest  # noqa: E402

BUDGETS = (1024, 4096, 16384)


def synthetic(root: Path, seed: int) -> None:
    """A small repository whose files are hard on a token estimate."""
    rng = random.Random(seed)
    cjk = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(4000))
    emoji = "".join(chr(rng.randrange(0x1F300, 0x1F64F)) for _ in range(600))
    blob = base64.b64encode(rng.randbytes(12000)).decode()
    files = {
        "cjk.py": "\n".join(
            f"def 函数_{i}(x):\n    # {cjk[i * 40 : i * 40 + 40]}\n    return '{cjk[i * 7 : i * 7 + 30]}'\n"
            for i in range(90)
        ),
        "emoji.js": "\n".join(
            f"export function f{i}() {{ return '{emoji[i * 6 : i * 6 + 24]}'; }}" for i in range(90)
        ),
        "blobs.py": "\n".join(
            f"KEY_{i} = '{blob[i * 120 : i * 120 + 120]}'\nHEX_{i} = 0x{rng.randbytes(24).hex()}\n"
            for i in range(90)
        ),
        "min.js": "function a(b){" + ";".join(f"b.k{i}=b.k{i - 1}*{i}" for i in range(1, 3000)) + "}\n",
        "table.py": "DATA = [\n"
        + "".join(f"    ({', '.join(str(rng.randrange(10**9)) for _ in range(8))}),\n" for _ in range(900))
        + "]\n\n\ndef lookup(i):\n    return DATA[i]\n",
        "cyr.go": "package main\n\n"
        + "\n".join(
            f"func Функция{i}(значение int) int {{\n\tif значение > {i} {{\n\t\treturn значение * {i}\n\t}}\n\treturn Функция{max(i - 1, 0)}(значение)\n}}\n"
            for i in range(120)
        ),
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


def spots(engine: ContextEngine, samples: int, seed: int) -> list[tuple[str, int]]:
    """Seeded (file, 1-based line) pairs over every indexed file's lines."""
    rng = random.Random(seed)
    files = engine.index.files()
    found = []
    for rel in rng.sample(files, min(samples, len(files))):
        lines = max(1, engine.read(rel).count("\n"))
        found.append((rel, rng.randrange(lines) + 1))
    return found


def measure(root: Path, samples: int, seed: int, encoding) -> list[tuple[str, int, int, float]]:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as cache:
        engine = ContextEngine(root, cache_dir=Path(cache), git_wait=None)
        engine.refresh()
        counter = TokenCounter("bench")  # uncalibrated: the conservative estimate
        rows = []
        for rel, line in spots(engine, samples, seed):
            for budget in BUDGETS:
                text = engine.assemble(ContextRequest(rel, "", (line, line)), budget, counter).render()
                rows.append((rel, line, budget, len(encoding.encode(text)) / budget))
        return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", default="")
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--synthetic", action="store_true")
    args = parser.parse_args()
    encoding = cl100k()
    roots = [Path(r) for r in args.repos.split(",") if r]
    with tempfile.TemporaryDirectory() as tmp:
        if args.synthetic:
            made = Path(tmp) / "synthetic"
            made.mkdir()
            synthetic(made, args.seed)
            roots.append(made)
        print("| repository | contexts | median | 95th percentile | max | over 1.03 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for root in roots:
            rows = measure(root, args.samples, args.seed, encoding)
            shares = sorted(row[3] for row in rows)
            worst = max(rows, key=lambda row: row[3])
            over = sum(share > 1.03 for share in shares)
            p95 = shares[int(0.95 * (len(shares) - 1))]
            print(
                f"| {root.name} | {len(rows)} | {statistics.median(shares):.3f} | {p95:.3f} "
                f"| {worst[3]:.3f} ({worst[0]}:{worst[1]} at {worst[2]}) | {over} |"
            )


if __name__ == "__main__":
    main()
