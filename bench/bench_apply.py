"""Edit-application accuracy on real commits, in the three formats models write edits in.

Run (about 2-4 minutes on 2 cores):

    GLM_BENCH_APPLY_REPO=/path/to/requests .venv/bin/python bench/bench_apply.py

Corpus: real file changes (first parent -> commit, files modified in place, both versions
at most 2,000 lines, UTF-8 text) from (a) this repository's own history and (b) a
third-party repository checked out at benchmark time, passed in GLM_BENCH_APPLY_REPO or as
the first argument. Any clone works, a bare one too; for example

    git clone --bare https://github.com/psf/requests /tmp/requests.git

(in the agent sandbox, the `fetch` tool on github:psf/requests gives a bare git directory
under /work/.mirror/). Its code is only read with git and written to a temporary
directory; nothing of it is committed here. Changes are sampled with a fixed seed, up to
--per-source (300) per repository. Left out: changes whose line-ending style flips
(CRLF<->LF), which the engine deliberately does not do; SEARCH/REPLACE proposals whose text
holds marker lines or that only change a final newline (not expressible in that format).

For each change, proposals are built the way models get edits wrong (see KINDS), in the
formats edit_file (old/new strings, `apply_edit`), SEARCH/REPLACE (a reply parsed by
`parse_search_replace`) and unified diff (`apply_patch`); the unified diffs also go to
GNU ``patch -p1`` and ``git apply --recount --ignore-whitespace`` in a temporary
directory. A positive proposal is exact when the result equals the true new file; a
refusal is a miss; any other applied result is a false apply. Negative proposals (and
positives made ambiguous by trimming, which no tool can place) must be refused; applying
one is a false apply. Prints a Markdown table (also written to --out if given).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "server"))

from glm_lsp.edits.apply import apply_edit  # noqa: E402
from glm_lsp.edits.locate import split_lf  # noqa: E402
from glm_lsp.edits.patch import apply_patch  # noqa: E402
from glm_lsp.edits.search_replace import apply_search_replace, parse_search_replace  # noqa: E402
from glm_lsp.errors import EditError  # noqa: E402

MAX_LINES = 2000
SEED = 20261122
FORMATS = ("edit_file", "search_replace", "udiff")
KINDS = {
    "exact": "exact (udiff: 3 context lines, right numbers; others: context grown until unique)",
    "file": "whole-file diff, all hunks in order",
    "wrong_numbers": "wrong @@ line numbers (off by 5-60)",
    "bare_numbers": "no @@ line numbers (bare `@@ @@`)",
    "trimmed": "trimmed context (0-1 lines each side)",
    "extra": "extra context (6-9 lines each side)",
    "whitespace": "whitespace drift in context (trailing spaces, tabs<->spaces)",
    "indent": "SEARCH and REPLACE both missing their leading indentation (the hunk dedented)",
    "first_line": "text starting after the first line's indentation (copied from mid-line)",
    "tabs": "SEARCH (context and '-' lines) in tabs where the file has spaces or the reverse; REPLACE ('+' lines) indented like the file",
    "dropped_context": "diff with one interior context line dropped",
    "multi": "diff with several mistakes at once (a wrong context line, shifted @@ numbers, whitespace stripped, a dropped context line)",
    "typo": "small drift (a typo in one context line)",
    "out_of_order": "hunks/blocks out of order (multi-hunk changes)",
    "dup_numbers": "block duplicated elsewhere, right @@ numbers",
    "crlf": "a CRLF file, the edit written with LF line ends (as models write)",
    "crlf_typo": "a CRLF file, the edit written with LF line ends and a typo in one context line",
    "bom": "a file saved with a byte-order mark, the edit written without it (the model never sees it)",
    "counts": "wrong @@ line counts (each off by 1-3), start numbers right",
    "blank_context": "blank context lines written as empty lines (their leading space dropped)",
    "neg_not_in_file": "NEGATIVE: context not in the file (a hunk of another file)",
    "neg_duplicate": "NEGATIVE: search text matches two places (block duplicated, no numbers)",
    "neg_trimmed": "NEGATIVE: trimmed context that matches several places",
    "neg_applied": "NEGATIVE: the change is already in the file (must not apply twice)",
    "line_numbers": "old_string / SEARCH copied with line numbers ('N<TAB>', 'N│ ', 'N | '; new lines numbered too, half the time)",
    "unprefixed": "diff whose context lines lost their leading space (right @@ counts)",
    "neg_rewrite": "NEGATIVE: the whole new file as a SEARCH/REPLACE block with an empty SEARCH (the prompt's way to create a file) for a file that exists",
    "neg_restated": "NEGATIVE: the replacement goes on with the 1-3 lines that follow the quote in the file (or begins with those before it)",
    "neg_elided": "NEGATIVE: the replacement stands a comment ('# ... existing code ...') where lines it keeps were",
    "no_break": "new_string without the line break its old_string ends with (not at the file's end)",
    "escaped": "the edit's text HTML-escaped ('<' as '&lt;', '&' as '&amp;', ...), as some providers return tool arguments",
    "overlap": "two nearby changes as two blocks or edits, each quoting the other's old lines as context (written against the file before either)",
    "curly_quotes": "the edit's text with typographic quotes (‘ ’ “ ”) for ' and \" (as a chat interface rewrites text)",
    "dashes": "the edit's text with typographic dashes and ellipses (– or — for --, — for ---, … for ...), as a chat interface rewrites text",
    "nbsp": "the edit's indentation in non-breaking spaces (every one, or every other as a web page writes '&nbsp; ')",
    "double_escaped": "old_string and new_string JSON-escaped twice (one line, '\\n' for each line break)",
    "diff_marked": "new_string / REPLACE written as diff lines of the quote (' ' kept, '-' old, '+' new lines; or kept lines unmarked), or as the new lines each marked '+'",
    "tabs_both": "the whole edit (SEARCH and REPLACE, every diff line) in tabs where the file has spaces or the reverse",
    "shifted_indent": "the whole edit one indentation step deeper or shallower than the file (relative indentation kept)",
    "extra_context": "one quoted (context) line the file does not have there, a line of elsewhere in the file, among, before or after the quoted lines (in a diff, beside a '+' line it may be one left unmarked)",
    "neg_left_in": "NEGATIVE: one line the quote keeps left out of old_string / SEARCH but written in the new text (once as the file has it, or a copy beside it? the edit does not say)",
}
SR_MARKER = re.compile(r"^\s*(<{5,9}\s*SEARCH|={5,9}|>{5,9}\s*REPLACE)\s*$")


@dataclass
class Change:
    """One real file change."""

    source: str
    commit: str
    path: str
    old: str
    new: str


@dataclass
class Proposal:
    """An edit proposal in one format, with the text it applies to and the right answer."""

    change: Change
    kind: str
    format: str
    start: str
    expected: str | None  # None: must be refused
    payload: object
    outcome: dict[str, str] = field(default_factory=dict)


# --- corpus --------------------------------------------------------------------------------


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], check=True, capture_output=True, text=True, errors="replace"
    ).stdout


def modified_files(repo: str, rev: str = "HEAD") -> list[tuple[str, str, str]]:
    """(parent, commit, path) for every file modified in place on the first-parent history."""
    out = git(
        repo,
        "log",
        "--first-parent",
        "--diff-merges=first-parent",
        "--no-renames",
        "--name-status",
        "--format=%x01%H %P",
        rev,
    )
    found = []
    commit = parent = ""
    for line in out.splitlines():
        if line.startswith("\x01"):
            ids = line[1:].split()
            commit, parent = ids[0], (ids[1] if len(ids) > 1 else "")
        elif line.startswith("M\t") and parent:
            found.append((parent, commit, line[2:]))
    return found


class Blobs:
    """`git cat-file --batch`: many blobs through one process."""

    def __init__(self, repo: str) -> None:
        self.process = subprocess.Popen(
            ["git", "-C", repo, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, spec: str) -> bytes | None:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(spec.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)
        return data

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait()


def text_of(data: bytes | None) -> str | None:
    if data is None or b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.count("\n") <= MAX_LINES else None


def load_changes(
    repo: str, source: str, limit: int, seed: int, rev: str = "HEAD"
) -> list[Change]:
    """Up to `limit` real changes of the history up to `rev`, sampled deterministically."""
    candidates = modified_files(repo, rev)
    random.Random(seed).shuffle(candidates)
    blobs = Blobs(repo)
    changes: list[Change] = []
    try:
        for parent, commit, path in candidates:
            old = text_of(blobs.read(f"{parent}:{path}"))
            new = text_of(blobs.read(f"{commit}:{path}")) if old is not None else None
            if old is None or new is None or lines_of(old) == lines_of(new):
                continue
            if crlf(old) != crlf(new):
                continue  # a line-ending conversion: not something a model writes as an edit
            changes.append(Change(source, commit[:12], path, old, new))
            if len(changes) >= limit:
                break
    finally:
        blobs.close()
    return changes


def crlf(text: str) -> bool:
    return text.count("\r\n") * 2 > text.count("\n")


def mixes_line_ends(change: Change) -> bool:
    """Whether the commit adds lines ended unlike most of the file (hapi's `bin/hapi`: CRLF
    lines written into an LF file). A model writes one kind of line end and the engine
    gives new lines the file's own, so such a change has no right answer to ask for."""
    usual_crlf = crlf(change.old)
    before, after = set(lines_of(change.old)), set(lines_of(change.new))
    added = [line for line in lines_of(change.new) if line not in before and line.endswith("\n")]
    if any(line.endswith("\r\n") != usual_crlf for line in added):
        return True
    # Nor one that gives the lines it rewrites the file's usual end in place of their own
    # (tinyxml2's CMakeLists.txt: two LF lines of a CRLF file rewritten in CRLF); the
    # engine gives new lines the end of those they replace.
    gone = [line for line in lines_of(change.old) if line not in after and line.endswith("\n")]
    removed = {line.endswith("\r\n") for line in gone}
    if bool(added) and len(removed) == 1 and removed != {usual_crlf}:
        return True
    # Nor one that changes only the end of a line it keeps (showdown's minified build: its
    # last line's CRLF made LF while the line above changed); the engine keeps the file's
    # end on a line the edit keeps, and a model's text cannot say otherwise.
    ended = {line.rstrip("\r\n") for line in gone}
    return any(line.rstrip("\r\n") in ended for line in added)


def lines_of(text: str) -> list[str]:
    """Lines with their ends, split after LF only (as git does; `str.splitlines` also
    splits at form feeds, which execa's tests hold inside template strings)."""
    return split_lf(text)


# --- hunks ---------------------------------------------------------------------------------


@dataclass
class Hunk:
    """A hunk: 0-based start in the old lines and (tag, line-with-end) pairs."""

    start: int
    lines: list[tuple[str, str]]
    replace_with: str | None = None  # a REPLACE written apart from the quoted lines

    def old(self) -> str:
        return "".join(line for tag, line in self.lines if tag != "+")

    def new(self) -> str:
        if self.replace_with is not None:
            return self.replace_with
        return "".join(line for tag, line in self.lines if tag != "-")

    def old_lines(self) -> list[str]:
        return [line for tag, line in self.lines if tag != "+"]


@dataclass
class Core:
    """A real hunk's changed region: old lines i1..i2 become new lines j1..j2."""

    i1: int
    i2: int
    j1: int
    j2: int
    lines: list[tuple[str, str]]


def cores(a: list[str], b: list[str]) -> list[Core]:
    """The hunks git would show (3 lines of context), without their outer context."""
    found = []
    for group in SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(3):
        ops = [op for op in group]
        while ops and ops[0][0] == "equal":
            ops.pop(0)
        while ops and ops[-1][0] == "equal":
            ops.pop()
        lines: list[tuple[str, str]] = []
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                lines += [(" ", line) for line in a[i1:i2]]
            else:
                lines += [("-", line) for line in a[i1:i2]] + [("+", line) for line in b[j1:j2]]
        found.append(Core(ops[0][1], ops[-1][2], ops[0][3], ops[-1][4], lines))
    return found


def with_context(a: list[str], core: Core, before: int, after: int) -> Hunk:
    first = max(0, core.i1 - before)
    lines = [(" ", line) for line in a[first : core.i1]] + core.lines
    lines += [(" ", line) for line in a[core.i2 : core.i2 + after]]
    return Hunk(first, lines)


def single_expected(a: list[str], b: list[str], core: Core) -> str:
    return "".join(a[: core.i1] + b[core.j1 : core.j2] + a[core.i2 :])


def render(path: str, hunks: list[Hunk], numbers: str = "right", delta: int = 0) -> str:
    """A unified diff of `hunks` (in the given order; numbers computed for file order)."""
    shift = {}
    offset = 0
    for hunk in sorted(hunks, key=lambda h: h.start):
        shift[id(hunk)] = offset
        offset += sum(t == "+" for t, _ in hunk.lines) - sum(t == "-" for t, _ in hunk.lines)
    out = [f"--- a/{path}\n", f"+++ b/{path}\n"]
    for hunk in hunks:
        old_n = sum(t != "+" for t, _ in hunk.lines)
        new_n = sum(t != "-" for t, _ in hunk.lines)
        old_s = hunk.start + (1 if old_n else 0)
        new_s = hunk.start + shift[id(hunk)] + (1 if new_n else 0)
        if numbers == "bare":
            out.append("@@ @@\n")
        else:
            out.append(f"@@ -{max(old_s + delta, 0)},{old_n} +{max(new_s + delta, 0)},{new_n} @@\n")
        for tag, line in hunk.lines:
            out.append(
                tag + line
                if line.endswith("\n")
                else f"{tag}{line}\n\\ No newline at end of file\n"
            )
    return "".join(out)


def same_end(hunk: Hunk) -> bool:
    """Whether both sides of a hunk end alike (with a line break or without)."""
    return hunk.old().endswith("\n") == hunk.new().endswith("\n")


def block(path: str, search: str, replace: str) -> str:
    def ended(text: str) -> str:
        return text if not text or text.endswith("\n") else text + "\n"

    return f"{path}\n```\n<<<<<<< SEARCH\n{ended(search)}=======\n{ended(replace)}>>>>>>> REPLACE\n```\n"


def occurrences(text: str, needle: str) -> int:
    count, index = 0, text.find(needle)
    while index != -1 and needle:
        count += 1
        index = text.find(needle, index + 1)
    return count


def line_occurrences(lines: list[str], wanted: list[str]) -> int:
    return len(line_places(lines, wanted))


def line_places(lines: list[str], wanted: list[str]) -> list[int]:
    """Where `wanted` stands in `lines`, line ends aside."""
    if not wanted:
        return []
    last = len(lines) - len(wanted)
    first = max(last, 0) if ends_file(wanted) else 0
    wanted = [w.rstrip("\r\n") for w in wanted]
    contents = [line.rstrip("\r\n") for line in lines]
    return [
        i
        for i in range(first, last + 1)
        if contents[i] == wanted[0] and contents[i : i + len(wanted)] == wanted
    ]


def ends_file(quoted: list[str]) -> bool:
    """Whether quoted lines stand only at the file's end: their last has no line break (a
    diff's `\\ No newline at end of file`)."""
    return bool(quoted) and not quoted[-1].endswith("\n")


# --- drifts (applied to line contents, line ends kept) -------------------------------------


def map_content(line: str, change: Callable[[str], str]) -> str:
    end = line[len(line.rstrip("\r\n")) :]
    return change(line.rstrip("\r\n")) + end


def whitespace_drift(line: str, rng: random.Random, first: bool) -> str:
    def change(text: str) -> str:
        if first and text.startswith("\t"):
            return text.replace("\t", "    ", 1)
        if first and text.startswith("    "):
            return "\t" + text[4:]
        return text + rng.choice(["  ", " ", "\t"])

    return map_content(line, change)


def typo(line: str, rng: random.Random) -> str:
    def change(text: str) -> str:
        spots = [k for k, char in enumerate(text) if char.isalnum()]
        spot = spots[len(spots) // 2 + rng.randrange(-2, 3)]
        return text[:spot] + text[spot + 1 :]

    return map_content(line, change)


def common_indent(lines: list[str]) -> str:
    indents = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    if not indents:
        return ""
    prefix = indents[0]
    for indent in indents[1:]:
        while not indent.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


def dedent(line: str, prefix: str) -> str:
    """The line without `prefix`; whitespace-only lines stay (no indentation to recover)."""
    return line[len(prefix) :] if line.startswith(prefix) and line.strip() else line


def drift_hunk(hunk: Hunk, kind: str, rng: random.Random) -> Hunk | None:
    """The hunk with a model's drift in its context lines (None if it has no room for it)."""
    context = [k for k, (tag, line) in enumerate(hunk.lines) if tag == " " and line.strip()]
    lines = list(hunk.lines)
    if kind == "whitespace":
        if not context:
            return None
        picked = rng.sample(context, min(2, len(context)))
        for n, k in enumerate(picked):
            lines[k] = (" ", whitespace_drift(lines[k][1], rng, n == 0))
        if _drifted_into_new_lines(hunk.lines[picked[0]][1], lines[picked[0]][1], hunk):
            return None
    elif kind == "typo":
        long = [
            k
            for k in context
            if len(lines[k][1].strip()) >= 12 and sum(c.isalnum() for c in lines[k][1]) >= 6
        ]
        if not long:
            return None
        k = rng.choice(long)
        lines[k] = (" ", typo(lines[k][1], rng))
    elif kind == "indent":
        prefix = common_indent([line for _, line in lines])
        if not prefix:
            return None
        lines = [(tag, dedent(line, prefix)) for tag, line in lines]
    return Hunk(hunk.start, lines)


def _drifted_into_new_lines(line: str, drifted: str, hunk: Hunk) -> bool:
    """Whether a quoted line's tab drifted to spaces (or the reverse) in the character the
    commit's own new lines are indented with, against the file's: the quote's slip and
    the author's mixed indentation then read alike, and the file's character, which the
    engine gives new lines after such a slip, is not the commit's (strip-ansi's tests in
    tabs, a test added in four spaces, H218)."""
    if indentation(line)[:1] == indentation(drifted)[:1]:
        return False
    char = indentation(drifted)[:1]
    return any(tag == "+" and indentation(text)[:1] == char for tag, text in hunk.lines)


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def tab_style(lines: list[str]) -> bool:
    """Whether most indented lines start with a tab."""
    indents = [indentation(line) for line in lines if line.strip() and indentation(line)]
    return sum(indent.startswith("\t") for indent in indents) * 2 > len(indents)


def space_unit(lines: list[str]) -> int | None:
    """The file's indentation step in spaces: 4 or 2 when most indentation is a multiple of it."""
    indents = [indentation(line) for line in lines if line.strip()]
    widths = [len(indent) for indent in indents if indent and "\t" not in indent]
    for unit in (4, 2):
        if sum(width % unit == 0 for width in widths) * 10 >= len(widths) * 9:
            return unit
    return None


def swap_tabs(line: str, tabs: bool, unit: int) -> str:
    """The line with its indentation written in the other style (a model's mistake)."""

    def change(text: str) -> str:
        indent = indentation(text)
        if tabs:
            return indent.replace("\t", "    ") + text[len(indent) :]
        levels, rest = divmod(len(indent.expandtabs(unit)), unit)
        return "\t" * levels + " " * rest + text[len(indent) :]

    return map_content(line, change)


def tabs_hunk(hunk: Hunk, file_lines: list[str]) -> Hunk | None:
    """Context and removed lines in the other indentation style; added lines as the file has them."""
    tabs, unit = tab_style(file_lines), space_unit(file_lines)
    if unit is None:
        return None
    other = " " if tabs else "\t"
    if any(tag == "+" and indentation(line).startswith(other) for tag, line in hunk.lines):
        return None  # the commit's own added lines are in the other style: no "like the file"
    lines = [(tag, line if tag == "+" else swap_tabs(line, tabs, unit)) for tag, line in hunk.lines]
    return Hunk(hunk.start, lines) if lines != hunk.lines else None


def first_line_cut(hunk: Hunk) -> tuple[str, str] | None:
    """(old, new) copied from just after the first line's indentation, as from an editor view."""
    old, new = hunk.old(), hunk.new()
    indent = indentation(old)
    if not indent or not new.startswith(indent):
        return None
    return old[len(indent) :], new[len(indent) :]


def drop_context(hunk: Hunk, rng: random.Random) -> tuple[Hunk, bool] | None:
    """The hunk without one interior context line (old lines on both sides), and whether
    the diff as written leaves its result unsaid, so that it must be refused.

    It is unsaid when the left-out line could be one whose absence leaves added lines
    right where it was (on which side of it they go is not said), or one between two
    removed lines (whether it goes too is not said). An equal neighbour that dropping gives
    the same diff is such a line as much as the one dropped: "" beside "" reads either way.
    """
    tags = [tag for tag, _ in hunk.lines]
    interior = [
        k
        for k in range(len(tags))
        if tags[k] == " "
        and any(t != "+" for t in tags[:k])
        and any(t != "+" for t in tags[k + 1 :])
    ]
    if not interior:
        return None
    k = rng.choice(interior)
    lines = hunk.lines[:k] + hunk.lines[k + 1 :]
    readings = [j for j in interior if hunk.lines[:j] + hunk.lines[j + 1 :] == lines]
    unsaid = any(
        unsaid_side(lines, j, hunk.lines[j][1]) or between_removed(lines, j) for j in readings
    )
    return Hunk(hunk.start, lines), unsaid


def read_as(
    a: list[str], cut: Hunk, expected: str, unsaid: bool, numbered: bool = True
) -> str | None:
    """What a mistaken hunk must give: nothing when its result is unsaid, except when it
    quotes the file exactly (once, or where its right @@ numbers say; with right numbers,
    at one place overlapping the lines they name): then it is no mistake at all (two blank
    lines of three are still the file's lines; two of three equal lines above the new ones
    are the file's two last, one line past the @@ start) and means what it says. A copy
    farther off is another place (utfcpp's README repeats a paragraph 25 lines up)."""
    old = cut.old_lines()
    places = line_places(a, old)
    exact = a[cut.start : cut.start + len(old)] == old
    at = cut.start if exact and (numbered or len(places) == 1) else None
    if at is None and numbered and len(places) == 1 and abs(places[0] - cut.start) < len(old):
        at = places[0]
    if at is not None:
        new = [line for tag, line in cut.lines if tag != "-"]
        return "".join(a[:at] + new + a[at + len(old) :])
    if not numbered and places_as_written(a, old) > 1:
        return None  # without right numbers, nothing tells its places apart
    return None if unsaid else expected


ALIKE = 0.75  # a misquoted line is at least this like the line it stands for (difflib ratio)


def places_as_written(a: list[str], old: list[str]) -> int:
    """The places where the quoted lines stand up to trailing whitespace, one of them
    misquoted at most (alike the file's line) and one file line left out between two of
    them at most, that read them best (the misquote most alike): where a reader of the
    hunk alone could put it. (A History.md hunk that kept a blank line and a `====`
    underline, its version line misquoted and then left out, stands at every release.)"""
    keys = [line.rstrip() for line in a]  # (the kind strips trailing whitespace only)
    wanted = [line.rstrip() for line in old]
    size = len(wanted)
    if size < 2:
        return 0
    pinned = ends_file(old)
    best: dict[int, float] = {}
    for start in range(len(keys) - size + 1):
        if keys[start] != wanted[0] and wanted[1] not in keys[start + 1 : start + 3]:
            continue  # (its first line or, that one misquoted, its second is there)
        for gap in range(size):  # gap 0: no line left out; else left out before line `gap`
            if gap and start + size >= len(keys):
                continue
            if pinned and start + size + (1 if gap else 0) != len(keys):
                continue
            window = keys[start : start + size + (1 if gap else 0)]
            if gap:
                window = window[:gap] + window[gap + 1 :]
            misses = [k for k in range(size) if window[k] != wanted[k]]
            if len(misses) > 1:
                continue
            ratio = min(
                [SequenceMatcher(None, window[k], wanted[k]).ratio() for k in misses] or [1.0]
            )
            if ratio >= ALIKE:
                best[start] = max(best.get(start, 0.0), ratio)
    top = max(best.values(), default=0.0)
    starts = sorted(start for start, ratio in best.items() if ratio == top)
    # (readings a line apart are one place read with or without the line above it)
    return sum(1 for k, start in enumerate(starts) if k == 0 or start - starts[k - 1] > 1)


def between_removed(lines: list[tuple[str, str]], k: int) -> bool:
    """Whether position `k` lies between two removed lines: a line left out there may have
    been kept or removed with them, and the diff does not say which."""
    return 0 < k < len(lines) and lines[k - 1][0] == "-" and lines[k][0] == "-"


def unsaid_side(lines: list[tuple[str, str]], k: int, dropped: str) -> bool:
    """Whether added lines touch position `k` (between two old lines, context or removed),
    and putting the dropped line before or after them gives different text: the diff as
    written says nothing of which, since either way it only left out one line."""
    tags = [tag for tag, _ in lines]
    low = k
    while low > 0 and tags[low - 1] == "+":
        low -= 1
    high = k
    while high < len(tags) and tags[high] == "+":
        high += 1
    if low == high:
        return False
    added = [line for _, line in lines[low:high]]
    return [dropped, *added] != [*added, dropped]


def strip_trailing(hunk: Hunk) -> Hunk:
    """Trailing whitespace stripped from the quoted (context and removed) lines."""
    return Hunk(
        hunk.start,
        [(tag, line if tag == "+" else map_content(line, str.rstrip)) for tag, line in hunk.lines],
    )


def several_mistakes(hunk: Hunk, rng: random.Random) -> tuple[Hunk, bool] | None:
    """A typo'd context line, trailing whitespace stripped from every line and, every other
    time, a dropped context line; and whether the drop left added lines' side unsaid."""
    drifted = drift_hunk(hunk, "typo", rng)
    if drifted is None:
        return None
    mangled = strip_trailing(drifted)
    if rng.random() < 0.5:
        dropped = drop_context(mangled, rng)
        if dropped is not None:
            return dropped
    return mangled, False


# --- proposals -----------------------------------------------------------------------------


def unique_hunk(a: list[str], core: Core, text: str, least: int = 3) -> Hunk | None:
    """The core with context grown (from `least` lines) until its old text is unique."""
    for size in range(least, 16):
        hunk = with_context(a, core, size, size)
        if hunk.old() and occurrences(text, hunk.old()) == 1:
            return hunk
    return None


def string_proposals(
    change: Change, core: Core, foreign: Hunk | None, rng: random.Random
) -> Iterator[tuple[str, str, str | None, Hunk]]:
    """(kind, start text, expected, hunk) for the edit_file and SEARCH/REPLACE formats."""
    a, b = lines_of(change.old), lines_of(change.new)
    expected = single_expected(a, b, core)
    base = unique_hunk(a, core, change.old)
    if base is not None:
        yield "exact", change.old, expected, base
        size = (len(base.lines) - len(core.lines)) // 2
        yield (
            "extra",
            change.old,
            expected,
            with_context(a, core, size + rng.randint(3, 6), size + rng.randint(3, 6)),
        )
        for kind in ("whitespace", "indent", "typo"):
            drifted = drift_hunk(base, kind, rng)
            if drifted is not None:
                yield kind, change.old, expected, drifted
        tabbed = tabs_hunk(base, a)
        if tabbed is not None:
            tabbed.replace_with = base.new()  # REPLACE written like the file
            yield "tabs", change.old, expected, tabbed
        if change.old.endswith("\n") and core.i2 < len(a):
            yield "neg_duplicate", change.old + base.old(), None, base
        yield "neg_applied", expected, None, base
    trimmed = with_context(a, core, rng.randint(0, 1), rng.randint(0, 1))
    if not trimmed.old():
        trimmed = with_context(a, core, 1, 1)
    if trimmed.old():
        unique = occurrences(change.old, trimmed.old()) == 1
        yield (
            ("trimmed" if unique else "neg_trimmed"),
            change.old,
            expected if unique else None,
            trimmed,
        )
    if foreign is not None:
        yield "neg_not_in_file", change.old, None, foreign


def diff_proposals(
    change: Change, core: Core, foreign: Hunk | None, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str]]:
    """(kind, start text, expected, diff) for the unified-diff format."""
    a, b = lines_of(change.old), lines_of(change.new)
    expected = single_expected(a, b, core)
    hunk = with_context(a, core, 3, 3)
    unique = line_occurrences(a, hunk.old_lines()) == 1
    p = change.path
    yield "exact", change.old, expected, render(p, [hunk])
    delta = rng.choice([-1, 1]) * rng.randint(5, 60)
    # Numbers that name another copy's first line exactly are a right diff of that copy:
    # the other way they name none (H211: off by 38 where a copy stood 38 lines up).
    copies = line_places(a, hunk.old_lines())
    if hunk.start + delta in copies:
        delta = -delta
    # A hunk without old lines (an empty file's) goes where its old @@ start says; clamped
    # at 0, that start is still the right one.
    right_start = not hunk.old_lines() and max(hunk.start + delta, 0) == hunk.start
    said = expected if unique or right_start else None
    if hunk.start + delta not in copies:
        yield "wrong_numbers", change.old, said, render(p, [hunk], delta=delta)
    yield "bare_numbers", change.old, expected if unique else None, render(p, [hunk], "bare")
    trimmed = with_context(a, core, rng.randint(0, 1), rng.randint(0, 1))
    yield "trimmed", change.old, expected, render(p, [trimmed])
    yield (
        "extra",
        change.old,
        expected,
        render(p, [with_context(a, core, rng.randint(6, 9), rng.randint(6, 9))]),
    )
    for kind in ("whitespace", "indent", "typo"):
        drifted = drift_hunk(hunk, kind, rng)
        if drifted is not None:
            yield kind, change.old, expected, render(p, [drifted])
    tabbed = tabs_hunk(hunk, a)
    if tabbed is not None:
        yield "tabs", change.old, expected, render(p, [tabbed])
    dropped = drop_context(hunk, rng)
    if dropped is not None:
        cut, unsaid = dropped
        yield "dropped_context", change.old, read_as(a, cut, expected, unsaid), render(p, [cut])
    mangled = several_mistakes(hunk, rng)
    if mangled is not None:
        shifted = rng.choice([-1, 1]) * rng.randint(3, 40)
        cut, unsaid = mangled
        yield (
            "multi",
            change.old,
            read_as(a, cut, expected, unsaid or not unique, numbered=False),
            render(p, [cut], delta=shifted),
        )
    yield "neg_applied", expected, None, render(p, [hunk])
    if hunk.old() and change.old.endswith("\n") and core.i2 < len(a):
        dup = change.old + hunk.old()  # the block again at the end; the change stays in place
        yield "dup_numbers", dup, expected + hunk.old(), render(p, [hunk])
        yield "neg_duplicate", dup, None, render(p, [hunk], "bare")
    if foreign is not None:
        yield "neg_not_in_file", change.old, None, render(p, [foreign])


def multi_proposals(
    change: Change, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """(kind, start, expected, format, payload) for whole-file and out-of-order proposals."""
    a, b = lines_of(change.old), lines_of(change.new)
    found = cores(a, b)
    hunks = [with_context(a, core, 3, 3) for core in found]
    yield "file", change.old, change.new, "udiff", render(change.path, hunks)
    if len(found) < 2:
        return
    yield "out_of_order", change.old, change.new, "udiff", render(change.path, hunks[::-1])
    blocks = []
    for k, core in enumerate(found):
        hunk = unique_hunk(a, core, change.old)
        low = found[k - 1].i2 if k else 0
        high = found[k + 1].i1 if k + 1 < len(found) else len(a)
        if hunk is None or hunk.start < low or hunk.start + len(hunk.old_lines()) > high:
            return
        if any(SR_MARKER.match(line) for _, line in hunk.lines):
            return  # the text holds SEARCH/REPLACE markers: not expressible in that format
        if hunk.old().rstrip("\r\n") == hunk.new().rstrip("\r\n") or not same_end(hunk):
            return  # a final newline changes: not expressible in that format
        blocks.append(block(change.path, hunk.old(), hunk.new()))
    yield "out_of_order", change.old, change.new, "search_replace", "".join(blocks[::-1])


def later_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """(kind, start, expected, format, payload) for the kinds added in round 9: a CRLF file
    edited in LF (as it is, and with a typo), wrong @@ counts, blank context lines written
    as empty lines."""
    a, b = lines_of(change.old), lines_of(change.new)
    expected = single_expected(a, b, core)
    p = change.path
    hunk = with_context(a, core, 3, 3)
    if "\r" not in change.old and "\r" not in change.new:
        made = list(crlf_proposals(change, core, hunk, expected, rng))  # (draws either way)
        if "\n" in change.old:  # a file without a line break has no line-ending style
            yield from made
    if hunk.old_lines():
        yield "counts", change.old, expected, "udiff", miscount(render(p, [hunk]), rng)
    diff = render(p, [hunk])
    bare = "".join("\n" if line == " \n" else line for line in diff.splitlines(keepends=True))
    if bare != diff:
        yield "blank_context", change.old, expected, "udiff", bare


# Comment leaders by file extension, and what lazy models write in place of code they keep
# (phrasings seen in model output; the engine's own marker pattern was not consulted).
LEADERS = {
    **dict.fromkeys(".py .rb .sh .bash .yml .yaml .toml .pl .r .cfg .ini .mk".split(), ("#", "")),
    **dict.fromkeys(".js .jsx .ts .tsx .mjs .cjs .go .rs .java .cs .kt .swift".split(), ("//", "")),
    **dict.fromkeys(".c .h .cc .cpp .hpp .scala .php".split(), ("//", "")),
    **dict.fromkeys(".html .htm .xml .vue .svelte .md".split(), ("<!--", " -->")),
    **dict.fromkeys(".css .scss .less".split(), ("/*", " */")),
    **dict.fromkeys(".lua .sql .hs".split(), ("--", "")),
}
LAZY = (
    "... existing code ...",
    "... rest of the function unchanged ...",
    "...",
    "Rest of the code remains the same",
    "(unchanged)",
    "... other code ...",
    "existing implementation",
    "same as before",
    "...snip...",
    "… keep the rest as is",
)


def elided_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The NEGATIVE kind added in round 10: the change with a run of two or more kept
    lines written as one lazy comment in the replacement (the lines stay in the SEARCH,
    the old_string and the hunk's '-' lines), which applied as written deletes them."""
    leader = LEADERS.get(os.path.splitext(change.path)[1].lower())
    a = lines_of(change.old)
    base = unique_hunk(a, core, change.old)
    if leader is None or base is None:
        return
    runs, start = [], None
    for k, (tag, _) in enumerate([*base.lines, ("+", "")]):
        if tag == " " and start is None:
            start = k
        elif tag != " " and start is not None:
            if sum(1 for _, line in base.lines[start:k] if line.strip()) >= 2:
                runs.append((start, k))
            start = None
    if not runs:
        return
    first, end = rng.choice(runs)
    run = base.lines[first:end]
    model = next(line for _, line in run if line.strip())
    ending = "\r\n" if model.endswith("\r\n") else "\n"
    marker = f"{indentation(model)}{leader[0]} {rng.choice(LAZY)}{leader[1]}{ending}"
    lazy = Hunk(base.start, [*base.lines[:first], ("+", marker), *base.lines[end:]])
    old, new = base.old(), lazy.new()
    yield "neg_elided", change.old, None, "edit_file", (old, new)
    if same_end(base) and not any(SR_MARKER.match(line) for _, line in base.lines):
        yield "neg_elided", change.old, None, "search_replace", block(change.path, old, new)
    cut = [*base.lines[:first], *[("-", line) for _, line in run], ("+", marker), *base.lines[end:]]
    yield "neg_elided", change.old, None, "udiff", render(change.path, [Hunk(base.start, cut)])


def numbered_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The kind added in round 10: the quoted lines copied with the numbers read_file
    ("12<TAB>") or the context's outlines ("   12│ ") show, from where they stand."""
    a, b = lines_of(change.old), lines_of(change.new)
    base = unique_hunk(a, core, change.old)
    if base is None or not base.old():
        return
    style = rng.choice(("{}\t", "{:>5}│ ", "{:>3} | "))

    def numbered(text: str) -> str:
        lines = split_lf(text)
        return "".join(style.format(base.start + 1 + k) + line for k, line in enumerate(lines))

    old = numbered(base.old())
    new = numbered(base.new()) if rng.random() < 0.5 else base.new()
    expected = single_expected(a, b, core)
    yield "line_numbers", change.old, expected, "edit_file", (old, new)
    hunk = with_context(a, core, 3, 3)
    if any(tag == " " and line.strip() for tag, line in hunk.lines):
        cut = [(tag, line) if tag != " " or not line.strip() else ("", line) for tag, line in hunk.lines]
        yield "unprefixed", change.old, expected, "udiff", render(change.path, [Hunk(hunk.start, cut)])
    if change.old.strip() and not any(SR_MARKER.match(line) for line in b):
        yield "neg_rewrite", change.old, None, "search_replace", block(change.path, "", change.new)
    if same_end(base) and base.old().rstrip("\r\n") != base.new().rstrip("\r\n"):
        if not any(SR_MARKER.match(line) for _, line in base.lines):
            yield "line_numbers", change.old, expected, "search_replace", block(change.path, old, new)


def restated_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The NEGATIVE kind added in round 10: the replacement also writes the 1-3 file lines
    that follow the quoted ones (or, half the time, precede them), as if they were quoted;
    applied, those lines stand twice."""
    a = lines_of(change.old)
    base = unique_hunk(a, core, change.old)
    if base is None or not base.old():
        return
    k, end = rng.randint(1, 3), base.start + len(base.old_lines())
    if rng.random() < 0.5:
        around, old, new = a[end : end + k], base.old(), base.new() + "".join(a[end : end + k])
    else:
        around = a[max(base.start - k, 0) : base.start]
        old, new = base.old(), "".join(around) + base.new()
    if not around or not any(sum(c.isalnum() for c in line) >= 4 for line in around):
        return
    if not new.endswith("\n") or not old.endswith("\n"):
        return
    yield "neg_restated", change.old, None, "edit_file", (old, new)
    if not any(SR_MARKER.match(line) for line in split_lf(old + new)):
        yield "neg_restated", change.old, None, "search_replace", block(change.path, old, new)


def round11_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The kinds added in round 11: a new_string that lost its final line break, the edit
    HTML-escaped or with typographic quotes, and two nearby changes written as blocks that
    quote each other's old lines."""
    a, b = lines_of(change.old), lines_of(change.new)
    base = unique_hunk(a, core, change.old)
    expected = single_expected(a, b, core)
    if base is not None and base.old().endswith("\n") and base.new().strip():
        ends_file = base.start + len(base.old_lines()) >= len(a)
        blank_last = split_lf(base.new())[-1].strip() == ""  # cut, a blank line goes
        if base.new().endswith("\n") and not ends_file and not blank_last:
            cut = base.new()[: -2 if base.new().endswith("\r\n") else -1]
            yield "no_break", change.old, expected, "edit_file", (base.old(), cut)
    mangles = (("escaped", r"[<>&\"]", html_escape), ("curly_quotes", r"['\"]", curly))
    for kind, wanted, mangle in mangles:
        if base is not None and re.search(wanted, base.old() + base.new()):
            yield from mangled_proposals(change, core, base, expected, kind, mangle)
    halves = overlapping(a, core, rng)
    if halves is None:
        return
    yield "overlap", change.old, expected, "edit_file", [(h.old(), h.new()) for h in halves]
    texts = [line for h in halves for _, line in h.lines]
    if all(same_end(h) for h in halves) and not any(SR_MARKER.match(line) for line in texts):
        if all(h.old().rstrip("\r\n") != h.new().rstrip("\r\n") for h in halves):
            reply = "".join(block(change.path, h.old(), h.new()) for h in halves)
            yield "overlap", change.old, expected, "search_replace", reply
    yield "overlap", change.old, expected, "udiff", render(change.path, halves)


def round12_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The kinds added in round 12: the new text written as diff lines, and the edit with
    typographic dashes and ellipses."""
    a, b = lines_of(change.old), lines_of(change.new)
    expected = single_expected(a, b, core)
    em_for_two = rng.random() < 0.5  # '--' as an em dash (macOS, Word), else as an en dash
    alternate = rng.random() < 0.5  # a web page's "&nbsp; &nbsp;", else every space
    base = unique_hunk(a, core, change.old)
    if base is not None and re.search(r"--|\.\.\.", base.old() + base.new()):
        mangle = functools.partial(dashes, em_for_two=em_for_two)
        yield from mangled_proposals(change, core, base, expected, "dashes", mangle)
    if base is not None and re.search(r"^  ", base.old() + base.new(), re.M):
        mangle = functools.partial(nbsp_indented, alternate=alternate)
        yield from mangled_proposals(change, core, base, expected, "nbsp", mangle)
    if base is not None:
        twice = (json.dumps(base.old())[1:-1], json.dumps(base.new())[1:-1])
        yield "double_escaped", change.old, expected, "edit_file", twice
    base = unique_hunk(a, core, change.old, least=rng.choice((0, 1, 2)))
    if base is None or not base.old().strip() or not base.new().strip():
        return
    if not all(line.endswith("\n") for _, line in base.lines):
        return  # a last line without its break would glue two diff lines into one
    blank = rng.choice(("", " "))  # a blank context line written with its space or without
    diff = "".join((blank if tag == " " and not line.strip() else tag) + line for tag, line in base.lines)
    plus = "".join("+" + line for line in split_lf(base.new()))
    bare = "".join(("" if tag == " " else tag) + line for tag, line in base.lines)  # kept unmarked
    for new in (diff, plus, bare) if any(tag == "+" for tag, _ in base.lines) else (diff, plus):
        yield "diff_marked", change.old, expected, "edit_file", (base.old(), new)
        if same_end(base) and not any(SR_MARKER.match(line) for line in split_lf(base.old() + new)):
            yield "diff_marked", change.old, expected, "search_replace", block(change.path, base.old(), new)


def round22_proposals(
    change: Change, core: Core
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The kinds added in round 22: the whole edit re-indented, every line alike, in the
    file's other indentation style or one step off its depth (as a model that quotes code
    from memory writes it). A quote that the re-indenting makes one of the file's own
    texts says something else, and is left out."""
    a = lines_of(change.old)
    expected = single_expected(a, lines_of(change.new), core)
    base = unique_hunk(a, core, change.old)
    tabs, unit = tab_style(a), space_unit(a)
    if base is None or unit is None:
        return
    hunk = with_context(a, core, 3, 3)
    quoted = [line for _, line in base.lines + hunk.lines if line.strip()]
    swap = functools.partial(swap_tabs, tabs=tabs, unit=unit)
    step = "\t" if tabs else " " * unit
    if all(line.startswith(step) for line in quoted):
        shift = functools.partial(dedent, prefix=step)
    else:
        shift = functools.partial(indent_by, prefix=step)
    back = functools.partial(unswap_tabs, tabs=tabs, unit=unit)
    # (a line the swap cannot give back, as `\t\t        ` read as four tabs' worth of
    # spaces, says nothing of which of the file's two ways the new line is in)
    sayable = all(back(swap(line)) == line for _, line in base.lines + hunk.lines)
    for kind, change_line in (("tabs_both", swap), ("shifted_indent", shift)):
        mangle = functools.partial(each_line, change=change_line)
        if mangle(base.old()) == base.old() or occurrences(change.old, mangle(base.old())):
            continue
        if kind == "shifted_indent" or sayable:
            yield from mangled_proposals(change, core, base, expected, kind, mangle)


def unswap_tabs(line: str, tabs: bool, unit: int) -> str:
    """The line `swap_tabs` wrote, in the file's style again."""
    if tabs:
        return swap_tabs(line, False, 4)

    def change(text: str) -> str:
        indent = indentation(text)
        return indent.replace("\t", " " * unit) + text[len(indent) :]

    return map_content(line, change)


def extra_line(a: list[str], hunk: Hunk, rng: random.Random) -> tuple[Hunk, bool] | None:
    """The hunk with a context line the file does not have there, among its lines or
    before or after them: a line of elsewhere in the file, as a model misremembers one;
    and whether it stands beside a '+' line."""
    tags = [tag for tag, _ in hunk.lines]
    span = range(hunk.start, hunk.start + len(hunk.old_lines()))
    others = [
        line
        for number, line in enumerate(a)
        if number not in span and len(line.strip()) >= 8 and line.endswith("\n")
    ]
    if not tags or not others:
        return None
    k = rng.randint(0, len(tags))
    beside_new = "+" in tags[max(k - 1, 0) : k + 1]
    lines = hunk.lines[:k] + [(" ", rng.choice(others))] + hunk.lines[k:]
    return Hunk(hunk.start, lines), beside_new


def each_line(text: str, change: Callable[[str], str]) -> str:
    return "".join(change(line) for line in split_lf(text))


def indent_by(line: str, prefix: str) -> str:
    return prefix + line if line.strip() else line


def nbsp_indented(text: str, alternate: bool) -> str:
    """Indentation spaces made non-breaking, as text copied from a web page has them."""

    def web(match: re.Match[str]) -> str:
        run = match[0]
        if not alternate:
            return "\u00a0" * len(run)
        return "".join("\u00a0" if k % 2 == 0 else " " for k in range(len(run)))

    return re.sub(r"^ +", web, text, flags=re.M)


def dashes(text: str, em_for_two: bool) -> str:
    """'---' and '--' made dashes, '...' an ellipsis, as typographers of chat interfaces do."""
    text = re.sub(r"(?<!-)---(?!-)", "\u2014", text)
    text = re.sub(r"(?<!-)--(?!-)", "\u2014" if em_for_two else "\u2013", text)
    return re.sub(r"(?<!\.)\.\.\.(?!\.)", "\u2026", text)


def mangled_proposals(
    change: Change, core: Core, base: Hunk, expected: str, kind: str, mangle: Callable[[str], str]
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The edit of `base` (and its 3-line diff) in the three formats, its text mangled."""
    old, new = mangle(base.old()), mangle(base.new())
    yield kind, change.old, expected, "edit_file", (old, new)
    if same_end(base) and not any(SR_MARKER.match(line) for line in split_lf(old + new)):
        if base.old().rstrip("\r\n") != base.new().rstrip("\r\n"):
            yield kind, change.old, expected, "search_replace", block(change.path, old, new)
    hunk = with_context(lines_of(change.old), core, 3, 3)
    hunk = Hunk(hunk.start, [(tag, mangle(line)) for tag, line in hunk.lines])  # not its headers
    yield kind, change.old, expected, "udiff", render(change.path, [hunk])


def curly(text: str) -> str:
    """Straight quotes made typographic: opening after a space or bracket, closing elsewhere."""
    text = re.sub(r"(^|[\s(\[{=])\"", "\\1“", text, flags=re.M)
    text = re.sub(r"(^|[\s(\[{=])'", "\\1‘", text, flags=re.M)
    return text.replace('"', "”").replace("'", "’")


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def overlapping(a: list[str], core: Core, rng: random.Random) -> list[Hunk] | None:
    """The core split at an unchanged run of 1-2 lines into two hunks of 3 context lines,
    each showing the other half's old lines as context; None when the core has no such run
    or a half's quote is not unique."""
    tags = [tag for tag, _ in core.lines]
    splits = []
    k = 0
    while k < len(tags):
        if tags[k] == " ":
            end = k
            while end < len(tags) and tags[end] == " ":
                end += 1
            if 0 < k and end < len(tags) and end - k <= 2:
                splits.append((k, end))
            k = end
        else:
            k += 1
    if not splits:
        return None
    cut, rejoin = rng.choice(splits)
    text = "".join(a)
    halves = []
    for keep in (range(0, cut), range(rejoin, len(tags))):
        lines = [(" ", line) for line in a[max(0, core.i1 - 3) : core.i1]]
        for k, (tag, line) in enumerate(core.lines):
            if tag == " " or k in keep:
                lines.append((tag, line))
            elif tag == "-":
                lines.append((" ", line))
        lines += [(" ", line) for line in a[core.i2 : core.i2 + 3]]
        changed = [k for k, (tag, _) in enumerate(lines) if tag != " "]
        lines = lines[max(0, changed[0] - 3) : changed[-1] + 4]
        start = max(0, core.i1 - 3) + (max(0, changed[0] - 3))
        hunk = Hunk(start, lines)
        if not hunk.old() or occurrences(text, hunk.old()) != 1:
            return None
        halves.append(hunk)
    return halves


def crlf_proposals(
    change: Change, core: Core, hunk: Hunk, expected: str, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The CRLF kinds of `later_proposals`: the file in CRLF, the edit written in LF."""
    a, p = lines_of(change.old), change.path
    start, wanted = to_crlf(change.old), to_crlf(expected)
    base = unique_hunk(a, core, change.old)
    if base is not None and base.old() != base.new():
        yield "crlf", start, wanted, "edit_file", (base.old(), base.new())
        sayable = base.old().rstrip("\n") != base.new().rstrip("\n") and same_end(base)
        if sayable and not any(SR_MARKER.match(line) for _, line in base.lines):
            yield "crlf", start, wanted, "search_replace", block(p, base.old(), base.new())
    yield "crlf", start, wanted, "udiff", render(p, [hunk])
    typoed = drift_hunk(base, "typo", rng) if base is not None else None
    if typoed is not None and typoed.old() != typoed.new():
        yield "crlf_typo", start, wanted, "edit_file", (typoed.old(), typoed.new())
        sayable = typoed.old().rstrip("\n") != typoed.new().rstrip("\n") and same_end(typoed)
        if sayable and not any(SR_MARKER.match(line) for _, line in typoed.lines):
            reply = block(p, typoed.old(), typoed.new())
            yield "crlf_typo", start, wanted, "search_replace", reply
    typoed = drift_hunk(hunk, "typo", rng)
    if typoed is not None:
        yield "crlf_typo", start, wanted, "udiff", render(p, [typoed])


def to_crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def miscount(diff: str, rng: random.Random) -> str:
    """The diff with each count of its @@ line off by 1-3 (up or down, never below 0)."""

    def wrong(match: re.Match[str]) -> str:
        counts = [int(match[2]), int(match[4])]
        for k, count in enumerate(counts):
            move = rng.randint(1, 3)
            counts[k] = count - move if move <= count and rng.random() < 0.5 else count + move
        return f"@@ -{match[1]},{counts[0]} +{match[3]},{counts[1]} @@"

    return re.sub(r"^@@ -(\d+),(\d+) \+(\d+),(\d+) @@", wrong, diff, flags=re.M)


def build(changes: list[Change], seed: int) -> list[Proposal]:
    proposals: list[Proposal] = []
    for number, change in enumerate(changes):
        if mixes_line_ends(change):
            continue  # (skipped here, not when sampling, so other changes keep their draws)
        rng = random.Random(f"{seed}:{change.source}:{number}")
        a, b = lines_of(change.old), lines_of(change.new)
        found = cores(a, b)
        core = rng.choice(found)
        foreign = pick_foreign(changes, number, change, rng)
        for kind, start, expected, hunk in string_proposals(change, core, foreign, rng):
            if hunk.old() == hunk.new():
                continue  # a drift that erased the change (an indentation-only commit, dedented)
            proposals.append(
                Proposal(change, kind, "edit_file", start, expected, (hunk.old(), hunk.new()))
            )
            # a block always ends its lines: a final newline added or taken is unsayable
            sayable = hunk.old().rstrip("\r\n") != hunk.new().rstrip("\r\n") and same_end(hunk)
            if sayable and not any(SR_MARKER.match(line) for _, line in hunk.lines):
                reply = block(change.path, hunk.old(), hunk.new())
                if kind in ("trimmed", "neg_trimmed"):  # a SEARCH matches whole lines only
                    unique = line_occurrences(a, hunk.old_lines()) == 1
                    kind = "trimmed" if unique else "neg_trimmed"
                    expected = single_expected(a, b, core) if unique else None
                proposals.append(Proposal(change, kind, "search_replace", start, expected, reply))
        base = unique_hunk(a, core, change.old)
        cut = first_line_cut(base) if base is not None else None
        if cut is not None and cut[0] != cut[1]:
            expected = single_expected(a, b, core)
            proposals.append(Proposal(change, "first_line", "edit_file", change.old, expected, cut))
        for kind, start, expected, diff in diff_proposals(change, core, foreign, rng):
            proposals.append(Proposal(change, kind, "udiff", start, expected, diff))
        for kind, start, expected, fmt, payload in multi_proposals(change, rng):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        # Kinds added in round 9 draw from a generator of their own, so that the proposals
        # of the earlier kinds (and their rows in earlier rounds) stay as they were.
        later = random.Random(f"{seed}:{change.source}:{number}:later")
        for kind, start, expected, fmt, payload in later_proposals(change, core, later):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        lazy = random.Random(f"{seed}:{change.source}:{number}:elided")  # round 10
        for kind, start, expected, fmt, payload in elided_proposals(change, core, lazy):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        again = random.Random(f"{seed}:{change.source}:{number}:restated")  # round 10
        for kind, start, expected, fmt, payload in restated_proposals(change, core, again):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        numbers = random.Random(f"{seed}:{change.source}:{number}:numbered")  # round 10
        for kind, start, expected, fmt, payload in numbered_proposals(change, core, numbers):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        eleventh = random.Random(f"{seed}:{change.source}:{number}:round11")
        for kind, start, expected, fmt, payload in round11_proposals(change, core, eleventh):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        twelfth = random.Random(f"{seed}:{change.source}:{number}:round12")
        for kind, start, expected, fmt, payload in round12_proposals(change, core, twelfth):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        for kind, start, expected, fmt, payload in round22_proposals(change, core):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        extra = random.Random(f"{seed}:{change.source}:{number}:round22")
        found = extra_line(a, with_context(a, core, 3, 3), extra)
        if found is not None and not line_occurrences(a, found[0].old_lines()):
            hunk, beside_new = found  # (beside a '+' line, it may be one left unmarked)
            expected = None if beside_new else single_expected(a, b, core)
            diff = render(change.path, [hunk])
            proposals.append(Proposal(change, "extra_context", "udiff", change.old, expected, diff))
        base = unique_hunk(a, core, change.old)
        found = extra_line(a, base, extra) if base is not None else None
        if found is not None and not occurrences(change.old, found[0].old()):
            hunk, expected = found[0], single_expected(a, b, core)  # (quoted, so not new)
            old, new = hunk.old(), hunk.new()
            proposals.append(Proposal(change, "extra_context", "edit_file", change.old, expected, (old, new)))
            if same_end(hunk) and not any(SR_MARKER.match(line) for line in split_lf(old + new)):
                reply = block(change.path, old, new)
                proposals.append(Proposal(change, "extra_context", "search_replace", change.old, expected, reply))
        left = random.Random(f"{seed}:{change.source}:{number}:round35")
        for kind, start, expected, fmt, payload in left_in_proposals(change, core, left):
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
        for kind, start, expected, fmt, payload in bom_proposals(change, core):  # round 50
            proposals.append(Proposal(change, kind, fmt, start, expected, payload))
    return proposals


def bom_proposals(
    change: Change, core: Core
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The kind added in round 50: the file saved with a byte-order mark, as Windows
    editors save UTF-8, and the edit written without it, since the model never sees it.
    Edits of the first lines are the ones it can break: the mark stands before line 1."""
    mark = "\ufeff"
    if not change.old or change.old.startswith(mark) or change.new.startswith(mark):
        return
    a, b = lines_of(change.old), lines_of(change.new)
    start, wanted = mark + change.old, mark + single_expected(a, b, core)
    base = unique_hunk(a, core, change.old)
    if base is not None and base.old() != base.new():
        yield "bom", start, wanted, "edit_file", (base.old(), base.new())
        sayable = base.old().rstrip("\n") != base.new().rstrip("\n") and same_end(base)
        if sayable and not any(SR_MARKER.match(line) for _, line in base.lines):
            yield "bom", start, wanted, "search_replace", block(change.path, base.old(), base.new())
    yield "bom", start, wanted, "udiff", render(change.path, [with_context(a, core, 3, 3)])


def left_in_proposals(
    change: Change, core: Core, rng: random.Random
) -> Iterator[tuple[str, str, str | None, str, object]]:
    """The NEGATIVE kind added in round 35: a context line between the first and last
    quoted lines left out of the quote but kept in the new text. The model either forgot
    it in its quote (the file should have it once) or adds a copy (twice); applied, one of
    the two readings is a guess (ansible's `splitter.py` got the line twice)."""
    a = lines_of(change.old)
    hunk = with_context(a, core, 3, 3)
    inner = [k for k, (tag, _) in enumerate(hunk.lines[1:-1], 1) if tag == " "]
    if not inner:
        return
    k = rng.choice(inner)
    if any(tag == "-" and line == hunk.lines[k][1] for tag, line in hunk.lines):
        return  # (the left-out line then reads as that removed line kept: scrapy's blank lines)
    cut = Hunk(hunk.start, list(hunk.lines))
    cut.lines[k] = ("+", hunk.lines[k][1])
    old, new = cut.old(), cut.new()
    if not old.strip() or line_occurrences(a, cut.old_lines()):
        return  # (a quote that stands as written is an edit of its own)
    yield "neg_left_in", change.old, None, "edit_file", (old, new)
    if same_end(cut) and not any(SR_MARKER.match(line) for line in split_lf(old + new)):
        yield "neg_left_in", change.old, None, "search_replace", block(change.path, old, new)


def pick_foreign(
    changes: list[Change], number: int, change: Change, rng: random.Random
) -> Hunk | None:
    """A real hunk of another file whose lines are mostly absent from this one."""
    present = {line.strip() for line in lines_of(change.old)}
    for _ in range(20):
        other = changes[rng.randrange(len(changes))]
        if other is change or other.path == change.path:
            continue
        oa = lines_of(other.old)
        hunk = with_context(oa, rng.choice(cores(oa, lines_of(other.new))), 3, 3)
        meaningful = [line.strip() for line in hunk.old_lines() if line.strip()]
        if len(meaningful) >= 2 and sum(line in present for line in meaningful) * 2 < len(
            meaningful
        ):
            return hunk
    return None


# --- running -------------------------------------------------------------------------------


def one_file(path: str, text: str) -> Callable[[str], str | None]:
    """The `files` callable of a workspace holding one file."""
    return lambda name: text if name == path else None


def run_ours(proposal: Proposal) -> str | None:
    """The text our engine produces, or None when it refuses."""
    path = proposal.change.path
    try:
        if proposal.format == "edit_file" and isinstance(proposal.payload, list):
            result = proposal.start  # edits made one after the other, as the agent does
            for old, new in proposal.payload:
                result = apply_edit(result, old, new, path=path, before=proposal.start)
            return result
        if proposal.format == "edit_file":
            old, new = proposal.payload  # type: ignore[misc]
            return apply_edit(proposal.start, old, new, path=path)
        if proposal.format == "search_replace":
            text: str | None = proposal.start
            known = path.__eq__  # the workspace of this run: the one file
            for parsed in parse_search_replace(str(proposal.payload), known=known):
                text = apply_search_replace(text, parsed, proposal.start)
            return text
        results = apply_patch(one_file(path, proposal.start), str(proposal.payload))
        return results[0].new if results else proposal.start
    except EditError:
        return None


def run_tool(proposal: Proposal, tool: str, workdir: Path) -> str | None:
    """The text GNU patch or git apply produces in a scratch directory, None when unchanged."""
    target = workdir / proposal.change.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(proposal.start.encode())
    diff = workdir / "proposal.diff"
    diff.write_bytes(str(proposal.payload).encode())
    command = (
        [
            "patch",
            "-p1",
            "--batch",
            "--forward",
            "--no-backup-if-mismatch",
            "-r",
            "-",
            "-s",
            "-i",
            str(diff),
        ]
        if tool == "patch"
        else ["git", "apply", "--recount", "--ignore-whitespace", str(diff)]
    )
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(workdir.parent)}
    done = subprocess.run(command, cwd=workdir, capture_output=True, env=env, timeout=60)
    after = target.read_bytes().decode("utf-8", "replace") if target.exists() else ""
    return after if done.returncode == 0 or after != proposal.start else None


def classify(proposal: Proposal, result: str | None) -> str:
    if result is None:
        return "refused"
    if proposal.expected is None:
        return "false"
    if result == proposal.expected:
        return "exact"
    # A SEARCH/REPLACE block's text always ends with a line break, so on a file without a
    # final one the format cannot say whether to add it: that difference alone is not wrong.
    unsayable = proposal.format == "search_replace" and not proposal.start.endswith("\n")
    return (
        "exact"
        if unsayable and result.rstrip("\r\n") == proposal.expected.rstrip("\r\n")
        else "false"
    )


def run_tools(proposals: list[Proposal], corpus: Path) -> None:
    diffs = [p for p in proposals if p.format == "udiff"]

    def one(item: tuple[int, Proposal]) -> None:
        number, proposal = item
        for tool in ("patch", "git"):
            workdir = corpus / f"{tool}-{number:05d}"
            workdir.mkdir()
            proposal.outcome[tool] = classify(proposal, run_tool(proposal, tool, workdir))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, enumerate(diffs)))


# --- report --------------------------------------------------------------------------------


def cell(items: list[Proposal], side: str) -> str:
    items = [p for p in items if side in p.outcome]
    if not items:
        return "–"
    total = len(items)
    false = sum(p.outcome[side] == "false" for p in items)
    negative = items[0].expected is None
    good = sum(p.outcome[side] == ("refused" if negative else "exact") for p in items)
    text = f"{good}/{total} ({100 * good / total:.1f}%)"
    return text + (f", **{false} false**" if false else "")


def table(proposals: list[Proposal]) -> str:
    groups: dict[tuple[str, str, bool], list[Proposal]] = defaultdict(list)
    for p in proposals:
        groups[(p.kind, p.format, p.expected is None)].append(p)
    header = (
        "| kind | edit_file | SEARCH/REPLACE | unified diff: glm-lsp | GNU patch | git apply |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
    )
    rows = []
    for kind, words in KINDS.items():
        for negative in (False, True):
            parts = {fmt: groups.get((kind, fmt, negative), []) for fmt in FORMATS}
            if not any(parts.values()):
                continue
            label = (
                words
                if kind.startswith("neg_") or not negative
                else f"{words} — ambiguous as written, must refuse"
            )
            rows.append(
                f"| {label} | {cell(parts['edit_file'], 'ours')} | {cell(parts['search_replace'], 'ours')} "
                f"| {cell(parts['udiff'], 'ours')} | {cell(parts['udiff'], 'patch')} | {cell(parts['udiff'], 'git')} |"
            )
    return header + "\n".join(rows) + "\n"


def totals(proposals: list[Proposal]) -> str:
    lines = []
    for side, formats in (("ours", FORMATS), ("patch", ("udiff",)), ("git", ("udiff",))):
        chosen = [p for p in proposals if p.format in formats and side in p.outcome]
        pos = [p for p in chosen if p.expected is not None]
        false = sum(p.outcome[side] == "false" for p in chosen)
        exact = sum(p.outcome[side] == "exact" for p in pos)
        name = {
            "ours": "glm-lsp (all formats)",
            "patch": "GNU patch (udiff)",
            "git": "git apply (udiff)",
        }[side]
        lines.append(
            f"- {name}: {exact}/{len(pos)} positives exact ({100 * exact / max(len(pos), 1):.2f}%), "
            f"{false} false applies in {len(chosen)} proposals"
        )
    return "\n".join(lines) + "\n"


def source_name(repo: str) -> str:
    """A short name for a repository path (a mirror's owner+name, or the folder's name)."""
    path = Path(repo).resolve()
    return path.parent.name if path.name in ("repo", ".git") else path.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "repos", nargs="*", default=os.environ.get("GLM_BENCH_APPLY_REPO", "").split()
    )
    parser.add_argument("--per-source", type=int, default=300)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-tools", action="store_true", help="skip GNU patch and git apply")
    parser.add_argument("--out", help="also write the Markdown report here")
    parser.add_argument("--failures", type=int, default=5, help="print this many misses per kind")
    parser.add_argument("--kinds", help="only these kinds, comma-separated (see KINDS)")
    parser.add_argument("--formats", help="only these formats, comma-separated (see FORMATS)")
    parser.add_argument(
        "--self-rev",
        default="HEAD",
        help="read this repository's history up to this commit (commits made while tuning "
        "would otherwise change its sample)",
    )
    args = parser.parse_args()
    sources = [("glm-lsp", str(ROOT))] + [(source_name(repo), repo) for repo in args.repos]
    started = time.perf_counter()
    changes = []
    for name, repo in sources:
        rev = args.self_rev if repo == str(ROOT) else "HEAD"
        loaded = load_changes(repo, name, args.per_source, args.seed, rev)
        head = git(repo, "rev-parse", rev).strip()
        print(f"{name}: {repo} at {head}: {len(loaded)} changes")
        changes += loaded
    proposals = build(changes, args.seed)
    if args.kinds:
        wanted = set(args.kinds.split(","))
        proposals = [p for p in proposals if p.kind in wanted]
    if args.formats:
        proposals = [p for p in proposals if p.format in args.formats.split(",")]
    print(f"{len(proposals)} proposals from {len(changes)} changes")
    ours_started = time.perf_counter()
    spent: dict[tuple[str, str], float] = defaultdict(float)
    longest = (0.0, "")
    for proposal in proposals:
        one_started = time.perf_counter()
        proposal.outcome["ours"] = classify(proposal, run_ours(proposal))
        one = time.perf_counter() - one_started
        spent[(proposal.kind, proposal.format)] += one
        change = proposal.change
        where = f"{proposal.kind}/{proposal.format} {change.source} {change.commit[:12]} {change.path}"
        longest = max(longest, (one, where))
    ours_seconds = time.perf_counter() - ours_started
    slowest = sorted(spent.items(), key=lambda item: -item[1])[:5]
    print("slowest kinds:", ", ".join(f"{k}/{f} {t:.1f}s" for (k, f), t in slowest))
    print(f"slowest proposal: {longest[0]:.2f}s, {longest[1]}")
    with tempfile.TemporaryDirectory(prefix="glm-bench-apply-") as scratch:
        corpus = Path(scratch) / "corpus"
        corpus.mkdir()
        dump_corpus(proposals, corpus)
        if not args.no_tools:
            run_tools(proposals, corpus)
    report = table(proposals) + "\n" + totals(proposals)
    report += f"\nglm-lsp engine time: {ours_seconds:.1f} s for {len(proposals)} proposals; whole run {time.perf_counter() - started:.0f} s\n"
    print(report)
    show_failures(proposals, args.failures)
    if args.out:
        Path(args.out).write_text(report)


def dump_corpus(proposals: list[Proposal], corpus: Path) -> None:
    """The proposals as JSON lines in the scratch corpus directory (for inspection while running)."""
    with (corpus / "proposals.jsonl").open("w") as out:
        for p in proposals:
            out.write(
                json.dumps(
                    {
                        "source": p.change.source,
                        "commit": p.change.commit,
                        "path": p.change.path,
                        "kind": p.kind,
                        "format": p.format,
                        "payload": p.payload,
                    }
                )
                + "\n"
            )


def show_failures(proposals: list[Proposal], limit: int) -> None:
    shown: dict[tuple[str, str], int] = defaultdict(int)
    for p in sorted(proposals, key=lambda p: p.outcome["ours"] != "false"):  # false first
        outcome = p.outcome["ours"]
        bad = outcome == "false" or (outcome == "refused" and p.expected is not None)
        if not bad or shown[(p.kind, p.format)] >= limit:
            continue
        shown[(p.kind, p.format)] += 1
        print(
            f"--- {outcome}: {p.kind}/{p.format} {p.change.source} {p.change.commit} {p.change.path}"
        )
        try:
            if p.format == "edit_file":
                text = p.start
                for old, new in p.payload if isinstance(p.payload, list) else [p.payload]:
                    print("OLD:\n" + old + "NEW:\n" + new)
                    text = apply_edit(text, old, new, path=p.change.path)
            elif p.format == "udiff":
                print(p.payload)
                apply_patch(one_file(p.change.path, p.start), str(p.payload))
            else:
                print(p.payload)
        except EditError as error:
            print("ERROR:", error.message[:1500])


if __name__ == "__main__":
    main()
