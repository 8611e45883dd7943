"""Aider's side of bench/bench_context.py: runs in Aider's own venv, one phase per process.

Usage (bench_context.py does this): bench/.venv-aider/bin/python bench/aider_side.py JOB.json OUT.json

Aider is driven the way its coder drives it (aider/coders/base_coder.py, get_repo_map):
chat_files = the file in focus, other_files = every other tracked file, mentioned_idents =
the identifiers given, mentioned_fnames = tracked files whose stem matches one of them
(get_ident_filename_matches). The model is "gpt-4o", used only to count tokens (offline:
litellm's bundled tokenizer; the model-price download fails at once and is not needed).
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from context_common import (  # noqa: E402
    Clock,
    append_line,
    git_files,
    is_hit,
    load_job,
    quiet_stdout,
    restore,
    write_result,
)


def ident_filename_matches(idents: set[str], rel_files: list[str]) -> set[str]:
    """Aider's Coder.get_ident_filename_matches."""
    by_stem: dict[str, set[str]] = defaultdict(set)
    for fname in rel_files:
        stem = Path(fname).stem.lower()
        if len(stem) >= 5:
            by_stem[stem].add(fname)
    matches: set[str] = set()
    for ident in idents:
        if len(ident) >= 5:
            matches.update(by_stem[ident.lower()])
    return matches


def main() -> None:
    job, out = load_job()
    quiet_stdout()
    root = Path(job["repo"])
    os.chdir(root)
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    clock = Clock()
    with clock("import"):
        from aider.io import InputOutput
        from aider.models import Model
        from aider.repomap import RepoMap

        model = Model("gpt-4o")
        io = InputOutput(pretty=False, yes=True, fancy_input=False)
    result: dict = {"side": "aider", "phase": job["phase"]}

    rel_files: list[str] = []

    def repo_map(rm: RepoMap, budget: int, current: str, idents: set[str], force: bool) -> str:
        rm.max_map_tokens = budget
        chat = [str(root / current)]
        other = [str(root / f) for f in rel_files if f != current]
        return (
            rm.get_repo_map(
                chat,
                other,
                mentioned_fnames=ident_filename_matches(idents, rel_files),
                mentioned_idents=idents,
                force_refresh=force,
            )
            or ""
        )

    focus, idents = job["focus"], set(job["focus_idents"])
    with clock("first_map"):
        rel_files = git_files(root)
        rm = RepoMap(map_tokens=job["first_budget"], root=str(root), main_model=model, io=io)
        first = repo_map(rm, job["first_budget"], focus, idents, force=False)
    result["first_map_chars"] = len(first)
    result["first_map_tokens"] = model.token_count(first)
    result["first_map_head"] = first[:1500]

    if job["phase"] == "warm":
        renders: dict[str, float] = {}
        for budget in job["budgets"]:
            started = time.perf_counter()
            text = repo_map(rm, budget, focus, idents, force=True)
            renders[str(budget)] = time.perf_counter() - started
            result.setdefault("render_tokens", {})[str(budget)] = model.token_count(text)
        result["render_s"] = renders
        path = root / job["edit_file"]
        old = append_line(path)
        try:
            with clock("incremental"):
                text = repo_map(rm, job["first_budget"], focus, idents, force=True)
        finally:
            restore(path, old)
        result["incremental_map_chars"] = len(text)

    if job["phase"] == "quality":
        # Same output, less waiting: an in-memory copy of the warm tag cache (get_tags still
        # checks every file's mtime against it).
        rm.TAGS_CACHE = {key: rm.TAGS_CACHE[key] for key in rm.TAGS_CACHE}
        # ...and one ranking per sample for its budgets: get_ranked_tags does not depend on
        # the budget, and get_ranked_tags_map_uncached does not modify what it returns.
        ranked = rm.get_ranked_tags
        memo: dict = {}

        def ranked_once(chat, other, fnames, idents, progress=None):  # type: ignore[no-untyped-def]
            key = (tuple(sorted(chat)), frozenset(fnames), frozenset(idents))
            if key not in memo:
                memo.clear()
                memo[key] = ranked(chat, other, fnames, idents, progress=progress)
            return memo[key]

        rm.get_ranked_tags = ranked_once
        paths = set(rel_files)
        hits: dict[str, list[int]] = {str(b): [] for b in job["quality_budgets"]}
        sizes: dict[str, list[int]] = {str(b): [] for b in job["quality_budgets"]}
        times: dict[str, list[float]] = {}
        started = time.perf_counter()
        for sample in job["samples"]:
            for budget in job["quality_budgets"]:
                t0 = time.perf_counter()
                text = repo_map(rm, budget, sample["caller"], set(sample["idents"]), force=True)
                times.setdefault(str(budget), []).append(time.perf_counter() - t0)
                hit = is_hit(text, paths, sample["def_file"], sample["def_text"], sample["callee"])
                hits[str(budget)].append(int(hit))
                sizes[str(budget)].append(len(text))
        result["quality_s"] = time.perf_counter() - started
        result["hits"] = hits
        result["map_chars"] = sizes
        result["times_s"] = times

    write_result(out, result, clock)


if __name__ == "__main__":
    main()
