"""Does re-tagging a large file from the statements an edit touched equal a full parse?

Each file gets a chain of seeded random edits (lines inserted, deleted, copied, moved,
re-indented, typed into, commented; blocks duplicated or removed; text appended), each
made to the result of the one before, as successive saves are. After every edit
`splice.retag` answers from the last version's tags and layout, and a full parse of the
new text gives the truth: a spliced answer must equal it exactly (tags and layout);
`None` (a full parse instead) is always allowed. An edit that breaks the file (a parse
error) leaves no layout, so the chain starts again from the file as it is on disk.

    .venv/bin/python bench/bench_splice.py REPO... [--edits 60] [--seed 1] [--min-bytes N]

REPO is a git work tree: its largest tracked source files (at least --min-bytes, default
what the index splices) are used, --files per language.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from glm_lsp.context import splice  # noqa: E402
from glm_lsp.context.tags import Row, language_for, parser, rows_from_tree  # noqa: E402

INSERTS = [b"x = 1", b"    y = 2", b"def zz():", b"}", b"func z() {}", b"// c", b"# end"]


def full(source: bytes, language: str) -> tuple[list[Row], splice.Layout | None]:
    tree = parser(language).parse(source)
    return rows_from_tree(tree, source, language), splice.layout_of(tree, source)


def mutate(rng: random.Random, source: bytes) -> bytes:
    lines = source.split(b"\n")
    n = len(lines)
    k = rng.randrange(n)
    kind = rng.randrange(12)
    if kind == 0:
        lines.insert(k, lines[rng.randrange(n)])
    elif kind == 1:
        del lines[k]
    elif kind == 2:
        lines[k] = lines[rng.randrange(n)]
    elif kind == 3:
        lines[k] = b"    " + lines[k]
    elif kind == 4:
        lines[k] = lines[k].lstrip()
    elif kind == 5:
        start = rng.randrange(n)
        lines[k:k] = lines[start : start + rng.randrange(1, 40)]
    elif kind == 6:
        del lines[k : k + rng.randrange(1, 30)]
    elif kind == 7:
        lines.insert(k, rng.choice([b"", b"# note", b"    # note", b"// note", b"/* x", b"*/"]))
    elif kind == 8 and lines[k]:
        at = rng.randrange(len(lines[k]))
        typed = rng.choice([b"x", b"(", b"'", b'"', b" ", b"#", b"{", b"}", b"\\"])
        lines[k] = lines[k][:at] + typed + lines[k][at + 1 :]
    elif kind == 9:
        start = rng.randrange(n)
        block = lines[start : start + rng.randrange(1, 20)]
        del lines[start : start + len(block)]
        spot = rng.randrange(len(lines) + 1)
        lines[spot:spot] = block
    else:
        lines[-1:] = [lines[-1] + rng.choice(INSERTS), b""]
    return b"\n".join(lines)


def largest(repo: Path, per_language: int, min_bytes: int) -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    by_language: dict[str, list[tuple[int, Path]]] = defaultdict(list)
    for rel in listed:
        language = language_for(rel)
        path = repo / rel
        if language and path.is_file() and (size := path.stat().st_size) >= min_bytes:
            by_language[language].append((size, path))
    return [path for found in by_language.values() for _, path in sorted(found)[-per_language:]]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("repos", nargs="+", type=Path)
    args.add_argument("--edits", type=int, default=60)
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--files", type=int, default=8, help="per language and repository")
    args.add_argument("--min-bytes", type=int, default=splice.MIN_BYTES)
    opts = args.parse_args()
    rng = random.Random(opts.seed)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    times: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for repo in opts.repos:
        for path in largest(repo, opts.files, opts.min_bytes):
            language = language_for(path.name) or ""
            source = path.read_bytes()
            rows, layout = full(source, language)
            for _ in range(opts.edits):
                if layout is None:
                    source = path.read_bytes()
                    rows, layout = full(source, language)
                    if layout is None:
                        break
                new = mutate(rng, source)
                started = time.perf_counter()
                got = splice.retag(new, language, rows, layout)
                spliced = time.perf_counter() - started
                started = time.perf_counter()
                want = full(new, language)
                whole = time.perf_counter() - started
                tally = counts[language]
                tally["edits"] += 1
                if got is not None:
                    tally["spliced"] += 1
                    times[language][0].append(spliced)
                    times[language][1].append(whole)
                    if (got[0], got[1]) != want:
                        tally["wrong"] += 1
                        print(f"WRONG: {path} (seed {opts.seed})", file=sys.stderr)
                source, (rows, layout) = new, want
    print("| language | edits | spliced | wrong | splice ms (median) | full parse ms (median) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for language, tally in sorted(counts.items()):
        fast, slow = times[language]
        print(
            f"| {language} | {tally['edits']} | {tally['spliced']} | {tally['wrong']} | "
            f"{statistics.median(fast) * 1000 if fast else 0:.1f} | "
            f"{statistics.median(slow) * 1000 if slow else 0:.1f} |"
        )


if __name__ == "__main__":
    main()
