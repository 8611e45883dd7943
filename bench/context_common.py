"""Standard-library helpers shared by the context benchmark's sides.

Imported both by bench/bench_context.py (project venv) and by bench/aider_side.py (Aider's
own venv), so it must not import anything outside the standard library.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

APPENDED_LINE = "# glm-lsp bench: one-line edit\n"


def git_files(root: Path) -> list[str]:
    """Tracked files, relative, as `git ls-files` lists them (what Aider maps)."""
    out = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z"], check=True, capture_output=True
    ).stdout
    return sorted(p for p in out.decode("utf-8", "surrogateescape").split("\0") if p)


def rss_mb() -> dict[str, float]:
    """Peak RSS of this process and of its largest waited-for child, in MB (Linux: KiB)."""
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(me, 1), "children_mb": round(kids, 1)}


def cpu_seconds() -> float:
    """User + system CPU of this process and its reaped children (a pool's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Clock:
    """Named laps: `with clock("cold"): ...` stores wall seconds under "cold" in `laps` and
    CPU seconds in `cpu` (the machine may be shared: CPU time shows what contention hides).
    Laps may nest."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._open: list[tuple[str, float, float]] = []
        self._name = ""

    def __call__(self, name: str) -> Clock:
        self._name = name
        return self

    def __enter__(self) -> Clock:
        self._open.append((self._name, time.perf_counter(), cpu_seconds()))
        return self

    def __exit__(self, *exc: object) -> None:
        name, wall, cpu = self._open.pop()
        self.laps[name] = time.perf_counter() - wall
        self.cpu[name] = cpu_seconds() - cpu


def append_line(path: Path) -> bytes:
    """Append one line to `path` (the incremental edit); returns the old bytes to restore."""
    old = path.read_bytes()
    sep = b"" if old.endswith(b"\n") or not old else b"\n"
    path.write_bytes(old + sep + APPENDED_LINE.encode())
    return old


def restore(path: Path, old: bytes) -> None:
    path.write_bytes(old)


# --- context quality -------------------------------------------------------------------

_HEADER_STRIP = " \t#`>*:|│"


def section_files(text: str, paths: set[str]) -> list[tuple[str | None, str]]:
    """(file, line) for each line of a context, `file` being the file whose section holds it.

    A section starts at an unindented line naming a known path among its first four words:
    `path:` and bare `path` (Aider's map, glm-lsp's map), `path lines 3-9:`,
    `## Related file: path`, "```path".
    """
    out: list[tuple[str | None, str]] = []
    current: str | None = None
    for line in text.splitlines():
        if line and line[0] not in " \t│":
            for word in line.split()[:4]:
                word = word.strip(_HEADER_STRIP)
                word = word[3:] if word.startswith("```") else word
                if word in paths:
                    current = word
                    break
        out.append((current, line))
    return out


def definition_head(def_text: str, name: str) -> str:
    """The definition line up to and including the name: `def foo`, `class Foo`, `async def f`."""
    at = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", def_text)
    return def_text[: at.end()].strip() if at else def_text.strip()[:60]


def is_hit(text: str, paths: set[str], def_file: str, def_text: str, name: str) -> bool:
    """Is the callee's definition line shown under its own file's section in `text`?"""
    head = definition_head(def_text, name)
    pat = re.compile(rf"(?<![\w.]){re.escape(' '.join(head.split()))}(?!\w)")
    for file, line in section_files(text, paths):
        if file == def_file and pat.search(" ".join(line.split())):
            return True
    return False


def load_job() -> tuple[dict, Path]:
    job = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    return job, Path(sys.argv[2])


def write_result(out: Path, result: dict, clock: Clock | None = None) -> None:
    if clock is not None:
        result["laps"], result["cpu"] = clock.laps, clock.cpu
    result["rss"] = rss_mb()
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")


def quiet_stdout() -> None:
    """Workers talk through files; anything a library prints goes to stderr (the log)."""
    sys.stdout.flush()
    os.dup2(2, 1)
