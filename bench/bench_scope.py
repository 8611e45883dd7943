"""Does the context hold what the cursor's function calls? glm-lsp's context beside Aider's map.

Run (20-40 minutes for three large repositories on 2 shared cores):

    python3 -m venv bench/.venv-aider && bench/.venv-aider/bin/pip install -r bench/requirements-aider.txt
    .venv/bin/pip install tiktoken   # the cl100k check, bench only
    .venv/bin/python bench/bench_scope.py --repos /tmp/mypy,/tmp/ansible,/tmp/flask

Each repository is a git work tree checked out at benchmark time (never part of this project;
here: the search tool's `fetch`, then `git clone` into /tmp).

Tasks. Call sites come from the floor's tags (the grammar wheel's own TAGS_QUERY, not glm-lsp's
queries): a `reference.call` whose callee is defined exactly once in the repository, in another
file than the caller, and is not the name of a builtin or of a builtin type's method, inside a
function, method or class definition whose name line is not the call's line. One site per
(caller, callee) pair; sampled with a fixed seed. Each site gives two tasks:

* hard: the cursor on the name line of the innermost definition enclosing the call ("document
  this function", "add error handling here"): the callee's name is not on the cursor line;
* easy: the cursor on the call line.

glm-lsp gets what `glm-lsp context FILE:LINE --budget N` builds (ContextEngine.assemble with the
line as the selection, no instruction); Aider gets its repo map with the caller as the chat file
and the identifiers of the cursor line as mentioned identifiers (what its coder derives from a
message quoting that line). A hit is the callee's `def`/`class` line shown in its own file's
section of the output (bench/context_common.is_hit). Every glm-lsp context is also counted
with cl100k (tiktoken; its data file comes from litellm in Aider's venv, offline), to check
that none exceeds its budget by more than 3 %.

Options: --samples N per repository (default 100), --budgets 1024,4096,16384, --sides
glm,aider,timing (timing: a warm engine's time per request, and `glm-lsp context` from process
start), --json OUT (raw figures, with every miss), --report A.json,B.json (report runs
together, e.g. one per side).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_context import (  # noqa: E402
    IDENT,
    KEYWORDS,
    _floor_tags,
    call_sites,
    floor_files,
    merge_quality,
    run_parallel,
    run_side,
)
from context_common import git_files, is_hit, load_job, quiet_stdout, write_result  # noqa: E402

SEED = 20261202
BUDGETS = [1024, 4096, 16384]
SCOPE_KINDS = ("definition.function", "definition.method", "definition.class")
MODES = ("hard", "easy")
GIT_WAIT = 0.25  # what ContextEngine.for_settings gives a one-shot command (git_wait)


# --- choosing the tasks -------------------------------------------------------------------


def enclosing_def(tags: list, line: int) -> tuple[str, int] | None:
    """(name, name line) of the innermost function/method/class around `line`, from the
    floor's (kind, name, line, end_line) tags; None at module level or on the def line."""
    around = [t for t in tags if t[0] in SCOPE_KINDS and t[2] <= line <= t[3]]
    if not around:
        return None
    kind, name, def_line, end = min(around, key=lambda t: (t[3] - t[2], -t[2]))
    return None if def_line == line else (name, def_line)


def tasks(root: Path, n: int) -> tuple[list[dict], int]:
    """Seeded call sites inside a definition, each with its hard and easy cursor line."""
    tags = _floor_tags(root, floor_files(root))
    sites = []
    for site in call_sites(root, tags):
        scope = enclosing_def(tags[site["caller"]], site["line"])
        if scope is not None:
            sites.append({**site, "scope": scope[0], "def_line_of_scope": scope[1]})
    chosen = random.Random(SEED).sample(sites, min(n, len(sites)))
    texts: dict[str, list[str]] = {}

    def lines_of(rel: str) -> list[str]:
        if rel not in texts:
            texts[rel] = (root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        return texts[rel]

    out = []
    for s in chosen:
        s["def_text"] = lines_of(s["def_file"])[s["def_line"]].strip()
        for mode, line in (("hard", s["def_line_of_scope"]), ("easy", s["line"])):
            words = IDENT.findall(lines_of(s["caller"])[line])
            idents = sorted({w for w in words if w not in KEYWORDS and len(w) > 1})
            out.append({**s, "mode": mode, "cursor": line, "idents": idents})
    return out, len(sites)


# --- glm-lsp's side (a process of its own) --------------------------------------------------


def cl100k():  # type: ignore[no-untyped-def]
    """tiktoken's cl100k_base, with its data file taken from litellm in Aider's venv."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ:
        found = sorted(
            BENCH.glob(
                ".venv-aider/lib/python3*/site-packages/litellm/litellm_core_utils/tokenizers"
            )
        )
        if found:
            os.environ["TIKTOKEN_CACHE_DIR"] = str(found[0])
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def worker_timing(job: dict, out: Path) -> None:
    """Within the server: a warm engine, built as the language server builds it (its
    requests never wait for git), answers a first request about a spot, and the same
    request again once git's answers are in (they are kept); `no_git_s` is the first
    request again with git's answers dropped (what a new spot costs). Each spot's git
    questions finish before the next spot (back to back, see ab_server_request.py)."""
    sys.path.insert(0, str(ROOT / "server"))
    from glm_lsp.config import Settings
    from glm_lsp.context.budget import TokenCounter
    from glm_lsp.context.engine import ContextEngine, ContextRequest

    engine = ContextEngine.for_settings(Path(job["repo"]), Settings(), serving=True)
    engine.refresh()
    counter = TokenCounter("bench")
    first, again, no_git, with_git = [], [], [], 0
    for sample in job["samples"]:
        request = ContextRequest(sample["caller"], "", (sample["cursor"] + 1,) * 2)
        started = time.perf_counter()
        engine.assemble(request, 4096, counter)
        first.append(time.perf_counter() - started)
        engine.git.wait = None  # let git finish (not timed), then the request again
        engine.assemble(request, 4096, counter)
        engine.git.wait = 0.0
        started = time.perf_counter()
        context = engine.assemble(request, 4096, counter)
        again.append(time.perf_counter() - started)
        with_git += context.section("git") is not None
        engine.git.invalidate()
        started = time.perf_counter()
        engine.assemble(request, 4096, counter)
        no_git.append(time.perf_counter() - started)
        engine.git.wait = None  # its git questions end here, not during the next first request
        engine.assemble(request, 4096, counter)
        engine.git.wait = 0.0
    result = {"first_s": first, "again_s": again, "no_git_s": no_git, "with_git": with_git}
    write_result(out, result)


def worker_glm(job: dict, out: Path) -> None:
    sys.path.insert(0, str(ROOT / "server"))
    from glm_lsp.context.budget import TokenCounter
    from glm_lsp.context.engine import ContextEngine, ContextRequest

    root = Path(job["repo"])
    encoding = cl100k()
    counter = TokenCounter("bench")  # uncalibrated: the conservative estimate
    started = time.perf_counter()
    engine = ContextEngine(root, git_wait=job.get("git_wait"))
    engine.refresh()
    result: dict = {"side": "glm", "refresh_s": time.perf_counter() - started, "samples": []}
    paths = set(git_files(root))
    for sample in job["samples"]:
        line = sample["cursor"] + 1
        request = ContextRequest(path=sample["caller"], selection=(line, line))
        row: dict = {"mode": sample["mode"], "hits": {}, "tokens": {}, "cl100k": {}, "s": {}}
        for budget in job["quality_budgets"]:
            t0 = time.perf_counter()
            context = engine.assemble(request, budget, counter)
            row["s"][str(budget)] = time.perf_counter() - t0
            text = context.render()
            hit = is_hit(text, paths, sample["def_file"], sample["def_text"], sample["callee"])
            row["hits"][str(budget)] = int(hit)
            row["tokens"][str(budget)] = context.tokens + len(context.sections) - 1
            row["cl100k"][str(budget)] = len(encoding.encode(text))
            if not hit:
                row.setdefault("sections", {})[str(budget)] = {
                    s.key: s.tokens for s in context.sections
                }
        result["samples"].append(row)
    write_result(out, result)


# --- running and reporting ----------------------------------------------------------------


def run_repo(repo: Path, args: argparse.Namespace, log: Path, tmp: Path) -> dict:
    started = time.perf_counter()
    all_tasks, n_sites = tasks(repo, args.samples)
    head = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    r: dict = {
        "repo": str(repo),
        "commit": head,
        "tracked": len(git_files(repo)),
        "n_sites": n_sites,
        "tasks": all_tasks,
        "load_before": _load(),
    }
    shards = [all_tasks[i::2] for i in range(2)]
    common = {
        "repo": str(repo),
        "quality_budgets": args.budgets,
        "first_budget": 1024,
        "focus": all_tasks[0]["caller"],
        "focus_idents": all_tasks[0]["idents"],
    }
    if "aider" in args.sides:
        for old in repo.glob(".aider.tags.cache.v*"):
            subprocess.run(["rm", "-rf", str(old)], check=True)
        warm = {**common, "side": "aider", "phase": "cold", "samples": []}
        run_side(args.aider_python, BENCH / "aider_side.py", warm, None, log)  # builds its cache
        jobs = [{**common, "side": "aider", "phase": "quality", "samples": s} for s in shards]
        runs = [(args.aider_python, BENCH / "aider_side.py", j, None, log) for j in jobs]
        r["aider"] = merge_quality(run_parallel(runs))
        print(f"  aider done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if "glm" in args.sides:
        env = {"XDG_CACHE_HOME": str(tmp / "xdg")}
        first = {**common, "side": "glm", "phase": "quality", "samples": []}
        run_side(sys.executable, Path(__file__), first, env, log)  # builds the index
        jobs = [
            {**common, "side": "glm", "phase": "quality", "samples": s, "git_wait": GIT_WAIT}
            for s in shards
        ]
        parts = run_parallel([(sys.executable, Path(__file__), j, env, log) for j in jobs])
        rows: list = []
        for i in range(len(all_tasks)):  # back into task order
            rows.append(parts[i % 2]["samples"][i // 2])
        r["glm"] = {"samples": rows, "refresh_s": [p["refresh_s"] for p in parts]}
        print(f"  glm-lsp done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if "aider" in args.sides:
        for old in repo.glob(".aider.tags.cache.v*"):
            subprocess.run(["rm", "-rf", str(old)], check=True)
    if "timing" in args.sides:
        env = {"XDG_CACHE_HOME": str(tmp / "xdg")}
        hard = [t for t in all_tasks if t["mode"] == "hard"][:20]
        warm_up = {**common, "side": "glm", "phase": "quality", "samples": []}
        run_side(sys.executable, Path(__file__), warm_up, env, log)  # a warm index, as above
        job = {**common, "side": "glm", "phase": "timing", "samples": hard}
        r["server_s"] = run_side(sys.executable, Path(__file__), job, env, log)
        r["cli_s"] = cli_times(repo, hard[:10], env)
        print(f"  timing done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    r["load_after"] = _load()
    return r


def cli_times(repo: Path, sample: list[dict], env: dict[str, str]) -> list[float]:
    """Wall time of `glm-lsp context FILE:LINE --budget 4096` from process start to exit, on
    the warm index, for a few hard-mode tasks (after one untimed run)."""
    exe = str(Path(sys.executable).with_name("glm-lsp"))
    times = []
    for i, task in enumerate([sample[0], *sample]):
        target = f"{task['caller']}:{task['cursor'] + 1}"
        started = time.perf_counter()
        subprocess.run(
            [exe, "context", target, "--budget", "4096"],
            cwd=repo,
            env={**os.environ, **env},
            capture_output=True,
            check=True,
        )
        if i:
            times.append(time.perf_counter() - started)
    return times


def aider_hits(r: dict, mode: str, budget: int) -> list[int]:
    """Aider's hit list for one mode: merge_quality concatenated the shards in order."""
    tasks_ = r["tasks"]
    order = [i for s in range(2) for i in range(s, len(tasks_), 2)]
    hits = r["aider"]["hits"][str(budget)]
    return [hits[k] for k, i in enumerate(order) if tasks_[i]["mode"] == mode]


def pct(xs: list[int]) -> str:
    return f"{sum(xs) / len(xs):.2f}" if xs else "—"


def report(results: list[dict], budgets: list[int]) -> str:
    out = []
    header = " / ".join(f"{b // 1024}K" for b in budgets)
    out += [
        f"| repository | mode | tasks | glm-lsp {header} | Aider's map {header} |",
        "| --- | --- | ---: | --- | --- |",
    ]
    over: list[float] = []
    times: list[float] = []
    for r in results:
        name = Path(r["repo"]).name
        for mode in MODES:
            rows = [s for s in r.get("glm", {}).get("samples", []) if s["mode"] == mode]
            glm = " / ".join(pct([s["hits"][str(b)] for s in rows]) for b in budgets)
            aider = (
                " / ".join(pct(aider_hits(r, mode, b)) for b in budgets) if "aider" in r else "—"
            )
            n = sum(t["mode"] == mode for t in r["tasks"])
            out.append(f"| {name} | {mode} | {n} | {glm} | {aider} |")
        for s in r.get("glm", {}).get("samples", []):
            over += [s["cl100k"][str(b)] / b for b in budgets]
            times += [s["s"][str(b)] for b in budgets]
    if over:
        over.sort()
        out += [
            "",
            f"glm-lsp context size by cl100k, as a share of its budget, over all "
            f"{len(over)} contexts: median {statistics.median(over):.2f}, 95th percentile "
            f"{over[int(0.95 * (len(over) - 1))]:.2f}, max {over[-1]:.3f}; over budget by "
            f"more than 3 %: {sum(x > 1.03 for x in over)}. Per context (warm engine, git "
            f"included): median {statistics.median(times) * 1000:.0f} ms.",
        ]
    cli = [(Path(r["repo"]).name, r["cli_s"]) for r in results if r.get("cli_s")]
    if cli:
        out += [
            "",
            "`glm-lsp context FILE:LINE --budget 4096` from process start, warm index, 10 hard "
            "tasks: "
            + "; ".join(
                f"{name} median {statistics.median(t):.2f} s (min {min(t):.2f}, max {max(t):.2f})"
                for name, t in cli
            )
            + ".",
        ]
    server = [(Path(r["repo"]).name, r["server_s"]) for r in results if r.get("server_s")]
    if server:
        out += [
            "",
            "Within the server (a warm engine, 4K, 20 hard tasks; median ms): "
            + "; ".join(
                f"{name} first request {statistics.median(t['first_s']) * 1000:.0f} "
                f"(max {max(t['first_s']) * 1000:.0f}), the same again with git's answers in "
                f"{statistics.median(t['again_s']) * 1000:.0f} (git section in "
                f"{t.get('with_git', '?')} of {len(t['again_s'])}), a new spot with git's "
                f"answers dropped {statistics.median(t['no_git_s']) * 1000:.0f}"
                for name, t in server
            )
            + ".",
        ]
    loads = [f"{Path(r['repo']).name} {r['load_before']} / {r['load_after']}" for r in results]
    out += ["", "Load average before / after each repository: " + "; ".join(loads) + "."]
    return "\n".join(out)


def merged(files: list[str]) -> list[dict]:
    """Runs of the same repositories (same seed, so the same tasks), sides combined."""
    by_repo: dict[str, dict] = {}
    for name in files:
        for r in json.loads(Path(name).read_text(encoding="utf-8")):
            by_repo.setdefault(r["repo"], {}).update(r)
    return list(by_repo.values())


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1].endswith("job.json"):  # a side's process
        job, out = load_job()
        quiet_stdout()
        (worker_timing if job["phase"] == "timing" else worker_glm)(job, out)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repos", default="", help="comma-separated git work trees")
    parser.add_argument(
        "--report",
        default="",
        help="comma-separated --json files of earlier runs (e.g. one per side) to report together",
    )
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    parser.add_argument("--sides", default="glm,aider")
    parser.add_argument("--json", default=None)
    parser.add_argument(
        "--aider-python",
        default=os.environ.get("GLM_BENCH_AIDER_PYTHON", str(BENCH / ".venv-aider/bin/python")),
    )
    args = parser.parse_args()
    args.budgets = [int(b) for b in args.budgets.split(",")]
    args.sides = set(args.sides.split(","))
    if args.report:
        print(report(merged(args.report.split(",")), args.budgets))
        return
    tmp = Path(tempfile.mkdtemp(prefix="glm-bench-scope-"))
    log = tmp / "bench.log"
    print(f"log {log}", file=sys.stderr)
    results = []
    for repo in args.repos.split(","):
        print(f"{repo}", file=sys.stderr)
        results.append(run_repo(Path(repo).resolve(), args, log, tmp))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results, args.budgets))


if __name__ == "__main__":
    main()
