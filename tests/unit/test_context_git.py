"""The git modules against real temporary repositories (fixed identities and dates)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glm_lsp.context import githistory, gitinfo, gitrun
from glm_lsp.context.githistory import BlameGroup
from glm_lsp.context.gitinfo import StatusEntry

DATE = "2026-01-02T10:00:00+00:00"


class Repo:
    """A temp repository driven through the git CLI, with commits at chosen dates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test")
        self.git("config", "user.email", "test@example.invalid")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> str:
        proc = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env={**os.environ, **(env or {})},
            input=stdin,
            capture_output=True,
            check=True,
        )
        return proc.stdout.decode("utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))

    def commit(self, message: str, *, author: str = "Alice", date: str = DATE) -> str:
        env = {
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.invalid",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """The developer's ~/.gitconfig (signing, hooks, default branch) must not leak in."""
    config = tmp_path_factory.mktemp("gitconfig") / "config"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_DATE", DATE)
    monkeypatch.setenv("GIT_COMMITTER_DATE", DATE)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def _committed(repo: Repo, files: dict[str, str], message: str = "initial") -> str:
    for rel, text in files.items():
        repo.write(rel, text)
    return repo.commit(message)


# --- branch and HEAD -----------------------------------------------------------------


def test_branch_and_head(repo: Repo) -> None:
    sha = _committed(repo, {"a.py": "a\n", "sub/b.py": "b\n"})
    state = gitinfo.git_state(repo.root)
    assert state is not None
    assert (state.branch, state.head, state.status) == ("main", sha, [])
    assert gitrun.head(repo.root) == sha
    assert gitrun.head(repo.root / "sub") == sha  # any folder inside the work tree


def test_detached_head(repo: Repo) -> None:
    first = _committed(repo, {"a.py": "1\n"})
    _committed(repo, {"a.py": "2\n"}, "second")
    repo.git("checkout", "-q", "--detach", first)
    state = gitinfo.git_state(repo.root)
    assert state is not None
    assert state.branch == f"(detached at {first[:7]})"
    assert state.head == gitrun.head(repo.root) == first


def test_head_from_packed_refs_and_a_worktree(repo: Repo, tmp_path: Path) -> None:
    sha = _committed(repo, {"a.py": "1\n"})
    repo.git("pack-refs", "--all")
    assert not (repo.root / ".git/refs/heads/main").exists()
    assert gitrun.head(repo.root) == sha
    other = tmp_path / "worktree"
    repo.git("worktree", "add", "-q", "-b", "other", str(other))
    (other / "b.py").write_text("b\n")
    subprocess.run(["git", "add", "-A"], cwd=other, check=True)
    subprocess.run(["git", "commit", "-qm", "in worktree"], cwd=other, check=True)
    worktree_sha = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=other, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert gitrun.head(other) == worktree_sha != sha
    assert gitrun.head(repo.root) == sha
    state = gitinfo.git_state(other)
    assert state is not None and state.branch == "other"


def test_repository_without_commits(repo: Repo) -> None:
    repo.write("a.py", "a\n")
    state = gitinfo.git_state(repo.root)
    assert state is not None
    assert (state.branch, state.head) == ("main", "")
    assert state.status == [StatusEntry("a.py", "?", "?")]
    assert gitrun.head(repo.root) == ""
    assert githistory.file_history(repo.root, "a.py") == []
    assert githistory.co_change(repo.root, "a.py") == {}
    repo.git("add", "a.py")
    state = gitinfo.git_state(repo.root)
    assert state is not None and "+a" in state.staged_diff


# --- status and diffs ----------------------------------------------------------------


def test_staged_unstaged_and_untracked(repo: Repo) -> None:
    _committed(repo, {"a.py": "a = 1\n", "b.py": "b = 1\n"})
    repo.write("a.py", "a = 2\n")
    repo.git("add", "a.py")
    repo.write("b.py", "b = 2\n")
    repo.write("c.py", "c\n")
    repo.write("newdir/d.py", "d\n")
    state = gitinfo.git_state(repo.root)
    assert state is not None
    assert state.status == [
        StatusEntry("a.py", "M", " "),
        StatusEntry("b.py", " ", "M"),
        StatusEntry("c.py", "?", "?"),
        StatusEntry("newdir/", "?", "?"),
    ]
    assert state.status_text == "M  a.py\n M b.py\n?? c.py\n?? newdir/"
    assert "+a = 2" in state.staged_diff and "b.py" not in state.staged_diff
    assert "+b = 2" in state.unstaged_diff and "a.py" not in state.unstaged_diff
    assert state.staged_diff.startswith("diff --git a/a.py b/a.py\n")


def test_rename_and_unusual_names(repo: Repo) -> None:
    names = ["my file.py", "naïve.py", 'say "hi".py']  # git: tab-suffixed, raw, C-quoted
    _committed(repo, {"old.py": "x = 1\n" * 5, **{name: "n\n" for name in names}})
    (repo.root / "dir").mkdir()
    repo.git("mv", "old.py", "dir/new name.py")
    for name in names:
        repo.write(name, "changed\n")
    state = gitinfo.git_state(repo.root, max_diff_chars=0)
    assert state is not None
    assert StatusEntry("dir/new name.py", "R", " ", "old.py") in state.status
    assert state.status_text.splitlines()[0] == "R  old.py -> dir/new name.py"
    assert state.staged_diff == "(diff of 1 file omitted: dir/new name.py)\n"
    assert state.unstaged_diff == f"(diff of 3 files omitted: {', '.join(names)})\n"
    full = gitinfo.git_state(repo.root)
    assert full is not None and "rename to dir/new name.py" in full.staged_diff
    assert full.unstaged_diff.count("diff --git") == 3 and "omitted" not in full.unstaged_diff
    assert [gitinfo._chunk_path(c) for c in gitinfo._split_diff(full.unstaged_diff)] == names


def _five_changed_files(repo: Repo) -> list[str]:
    names = ["a.py", "b.py", "c.py", "d.py", "e.py"]
    _committed(repo, {name: "line\n" * 3 for name in names})
    for name in names:
        repo.write(name, "line\n" * 3 + "added\n")
    return names


def test_trimming_keeps_whole_files_and_names_the_rest(repo: Repo) -> None:
    _five_changed_files(repo)
    full = gitinfo.git_state(repo.root)
    assert full is not None
    sizes = [len("diff --git" + part) for part in full.unstaged_diff.split("diff --git")[1:]]
    assert len(sizes) == 5 and len(set(sizes)) == 1
    state = gitinfo.git_state(repo.root, max_diff_chars=2 * sizes[0] + 10)
    assert state is not None
    kept, last = state.unstaged_diff.rsplit("(", 1)
    assert "(" + last == "(diff of 3 more files omitted: c.py, d.py, e.py)\n"
    assert kept.count("diff --git") == 2 and "b/a.py" in kept and "b/b.py" in kept
    preferred = gitinfo.git_state(repo.root, max_diff_chars=2 * sizes[0] + 10, prefer={"e.py"})
    assert preferred is not None
    assert preferred.unstaged_diff.startswith("diff --git a/e.py b/e.py")
    assert preferred.unstaged_diff.endswith("(diff of 3 more files omitted: b.py, c.py, d.py)\n")


def test_staged_and_unstaged_share_the_budget(repo: Repo) -> None:
    _five_changed_files(repo)
    repo.git("add", "a.py", "b.py")
    full = gitinfo.git_state(repo.root)
    assert full is not None
    one = len(full.unstaged_diff) // 3  # every file's diff has this size
    # Unstaged may take half (1.5 files: 1 fits), staged gets the rest (2 files).
    state = gitinfo.git_state(repo.root, max_diff_chars=3 * one)
    assert state is not None
    assert state.staged_diff == full.staged_diff
    assert state.unstaged_diff.endswith("(diff of 2 more files omitted: d.py, e.py)\n")
    assert state.unstaged_diff.count("diff --git") == 1
    # Unstaged, what the user is typing now, takes what staged does not need.
    state = gitinfo.git_state(repo.root, max_diff_chars=5 * one)
    assert state is not None
    assert (state.staged_diff, state.unstaged_diff) == (full.staged_diff, full.unstaged_diff)


def test_allow_predicate_keeps_secrets_out(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    _committed(repo, {".env": "TOKEN=old\n", "app.py": "x = 1\n", "creds/key.txt": "k\n"})
    repo.write(".env", "TOKEN=stagedsecret\n")
    repo.git("add", ".env")
    repo.write(".env", "TOKEN=unstagedsecret\n")
    repo.write(".env.local", "TOKEN=untracked\n")
    repo.git("mv", "creds/key.txt", "key-moved.txt")  # a rename is judged by both paths
    repo.write("app.py", "x = 2\n")
    calls: list[tuple[str, ...]] = []
    real_git = gitinfo.git

    def recording_git(cwd: Path, *args: str, **kwargs: object) -> bytes | None:
        calls.append(args)
        return real_git(cwd, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gitinfo, "git", recording_git)

    def allow(rel: str) -> bool:
        return not rel.startswith((".env", "creds/"))

    state = gitinfo.git_state(repo.root, allow=allow)
    assert state is not None
    assert [e.path for e in state.status] == ["app.py"]
    assert "secret" not in repr(state) and "key" not in repr(state)
    assert "+x = 2" in state.unstaged_diff and state.staged_diff == ""
    assert not [a for a in calls if any(".env" in arg or "key" in arg for arg in a)]
    assert "secret" not in gitinfo.render_context(repo.root, "app.py", (1, 1), allow=allow)


def test_merge_conflict(repo: Repo) -> None:
    _committed(repo, {"a.py": "base\n"})
    repo.git("checkout", "-q", "-b", "other")
    _committed(repo, {"a.py": "theirs\n"}, "theirs")
    repo.git("checkout", "-q", "main")
    _committed(repo, {"a.py": "ours\n"}, "ours")
    with pytest.raises(subprocess.CalledProcessError):
        repo.git("merge", "-q", "other")
    state = gitinfo.git_state(repo.root)
    assert state is not None
    assert state.status == [StatusEntry("a.py", "U", "U")]
    assert state.unstaged_diff.startswith("diff --cc a.py\n")
    assert state.staged_diff == "* Unmerged path a.py\n"
    trimmed = gitinfo.git_state(repo.root, max_diff_chars=0)
    assert trimmed is not None and trimmed.unstaged_diff == "(diff of 1 file omitted: a.py)\n"


# --- history, blame, co-change -------------------------------------------------------


def test_file_history_with_stats_and_a_rename(repo: Repo) -> None:
    repo.write("parser.py", "a\nb\nc\n")
    repo.write("README.md", "r\n")
    c1 = repo.commit("Add parser", date="2026-01-02T10:00:00+01:00")
    repo.write("parser.py", "a\nB\nc\n")
    repo.write("test_parser.py", "t\n")
    c2 = repo.commit("Fix parsing of X", author="Bob", date="2026-01-03T11:00:00+00:00")
    (repo.root / "core").mkdir()
    repo.git("mv", "parser.py", "core/parser.py")
    c3 = repo.commit("Move parser", date="2026-01-04T12:00:00+00:00")
    repo.write("README.md", "r2\n")
    repo.commit("Unrelated", date="2026-01-05T12:00:00+00:00")
    history = githistory.file_history(repo.root, "core/parser.py")
    assert [(c.sha, c.subject, c.author, c.date, c.path) for c in history] == [
        (c3, "Move parser", "Alice", "2026-01-04T12:00:00+00:00", "core/parser.py"),
        (c2, "Fix parsing of X", "Bob", "2026-01-03T11:00:00+00:00", "parser.py"),
        (c1, "Add parser", "Alice", "2026-01-02T10:00:00+01:00", "parser.py"),
    ]
    assert [c.stat for c in history] == ["1 file changed", "2 files changed", "2 files changed"]
    assert [c.file_stat for c in history] == ["+0 -0", "+1 -1", "+3 -0"]
    assert history[1].short_sha == c2[: len(history[1].short_sha)]
    assert history[1].render() == (
        f"{history[1].short_sha} 2026-01-03 Bob: Fix parsing of X "
        "(this file +1 -1; 2 files changed)"
    )
    assert [c.sha for c in githistory.file_history(repo.root, "core/parser.py", limit=1)] == [c3]
    assert githistory.file_history(repo.root, "missing.py") == []


def _blame_repo(repo: Repo) -> tuple[str, str]:
    repo.write("m.py", "".join(f"line{i}\n" for i in range(1, 6)))
    first = repo.commit("First", date="2026-01-02T10:00:00+00:00")
    repo.write("m.py", "line1\nline2\nBOB3\nBOB4\nline5\n")
    second = repo.commit("Second", author="Bob", date="2026-01-05T23:30:00-02:00")
    return first[:7], second[:7]


def test_blame_groups_with_an_uncommitted_line(repo: Repo) -> None:
    first, second = _blame_repo(repo)
    repo.write("m.py", "line1\nline2\nBOB3\nBOB4\nedited5\n")
    groups = githistory.blame_summary(repo.root, "m.py", 1, 99)  # past the end: clamped
    assert githistory.render_blame(groups).splitlines() == [
        f"lines 1-2: {first} Alice 2026-01-02 'First'",
        f"lines 3-4: {second} Bob 2026-01-05 'Second'",  # the author's own date
        "line 5: not committed yet",
    ]
    assert groups[1].date == "2026-01-05T23:30:00-02:00"
    assert not groups[2].committed and groups[0].committed
    assert [g.start for g in githistory.blame_summary(repo.root, "m.py", 4, 4)] == [4]


def test_blame_looks_back_a_year_from_head_and_says_so_for_older_lines(repo: Repo) -> None:
    repo.write("m.py", "".join(f"line{i}\n" for i in range(1, 6)))
    repo.commit("Old", date="2023-03-01T10:00:00+00:00")
    repo.write("m.py", "line1\nline2\nNEW3\nline4\nline5\n")
    recent = repo.commit("Recent", author="Bob", date="2026-01-05T10:00:00+00:00")
    groups = githistory.blame_summary(repo.root, "m.py", 1, 5)
    assert githistory.render_blame(groups).splitlines() == [
        "lines 1-2: unchanged in the 365 days before HEAD",
        f"line 3: {recent[:7]} Bob 2026-01-05 'Recent'",
        "lines 4-5: unchanged in the 365 days before HEAD",
    ]
    assert [bool(g.old) for g in groups] == [True, False, True]


def test_blame_looks_back_through_the_files_last_commits_when_it_has_many(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(githistory, "BLAME_COMMITS", 3)
    repo.write("m.py", "a\nb\nc\n")
    repo.commit("Start", date="2026-01-01T10:00:00+00:00")
    repo.write("m.py", "a\nB\nc\n")
    second = repo.commit("Second", author="Bob", date="2026-01-02T10:00:00+00:00")
    repo.write("other.py", "x\n")
    repo.commit("Elsewhere", date="2026-01-03T10:00:00+00:00")
    for day, line in ((4, "c1"), (5, "c2")):
        repo.write("m.py", f"a\nB\n{line}\n")
        repo.commit(f"Change {line}", date=f"2026-01-0{day}T10:00:00+00:00")
    groups = githistory.blame_summary(repo.root, "m.py", 1, 3)
    assert githistory.render_blame(groups).splitlines()[:2] == [
        "line 1: unchanged in the file's last 3 commits",
        f"line 2: {second[:7]} Bob 2026-01-02 'Second'",  # the third commit back is in
    ]
    repo.write("m.py", "a\nB\nc3\n")
    repo.commit("Change c3", date="2026-01-06T10:00:00+00:00")  # "Second" is now 4 back
    groups = githistory.blame_summary(repo.root, "m.py", 1, 3)
    assert githistory.render_blame(groups).splitlines()[0] == (
        "lines 1-2: unchanged in the file's last 3 commits"
    )


def test_a_shallow_clones_last_commit_is_named_not_called_old(repo: Repo, tmp_path: Path) -> None:
    repo.write("m.py", "a\nb\n")
    repo.commit("Old", date="2023-03-01T10:00:00+00:00")
    repo.write("m.py", "a\nB\n")
    recent = repo.commit("Recent", author="Bob", date="2026-01-05T10:00:00+00:00")
    shallow = tmp_path / "shallow"
    url = repo.root.as_uri()
    subprocess.run(["git", "clone", "-q", "--depth", "1", url, str(shallow)], check=True)
    groups = githistory.blame_summary(shallow, "m.py", 1, 2)
    # the clone's history ends at HEAD: blame gives every line to it, which is all it knows
    assert githistory.render_blame(groups) == f"lines 1-2: {recent[:7]} Bob 2026-01-05 'Recent'"


def test_blame_of_an_unsaved_buffer(repo: Repo) -> None:
    first, second = _blame_repo(repo)
    buffer = "line1\ninserted\nline2\nBOB3\nBOB4\nline5\n"
    groups = githistory.blame_summary(repo.root, "m.py", 2, 6, text=buffer)
    assert groups == [
        BlameGroup(2, 2, "0" * 40),
        BlameGroup(3, 3, groups[1].sha, "Alice", "2026-01-02T10:00:00+00:00", "First"),
        BlameGroup(4, 5, groups[2].sha, "Bob", "2026-01-05T23:30:00-02:00", "Second"),
        BlameGroup(6, 6, groups[3].sha, "Alice", "2026-01-02T10:00:00+00:00", "First"),
    ]
    assert [g.short_sha for g in groups[1:]] == [first, second, first]
    # A last line without its newline still counts (and differs from the committed one).
    unterminated = githistory.blame_summary(repo.root, "m.py", 6, 6, text=buffer.rstrip("\n"))
    assert unterminated == [BlameGroup(6, 6, "0" * 40)]
    assert githistory.blame_summary(repo.root, "m.py", 7, 9, text=buffer) == []
    assert githistory.blame_summary(repo.root, "untracked.py", 1, 1, text="x\n") == []


def test_co_change_ranks_the_constant_companion_and_ignores_mass_commits(repo: Repo) -> None:
    for i in range(4):
        repo.write("a.py", f"{i}\n")
        repo.write("b.py", f"{i}\n")
        repo.commit(f"a and b {i}")
    repo.write("a.py", "c\n")
    repo.write("c.py", "c\n")
    repo.commit("a and c")
    repo.write("b.py", "alone\n")
    repo.commit("b alone")
    repo.write("a.py", "mass\n")
    for i in range(60):
        repo.write(f"gen/f{i}.py", "x\n")
    repo.commit("reformat everything")
    scores = githistory.co_change(repo.root, "a.py")
    assert scores == pytest.approx({"b.py": 4 / 6, "c.py": 1 / 6})
    assert list(scores) == ["b.py", "c.py"]
    assert githistory.co_change(repo.root, "a.py", max_files_per_commit=100)["gen/f0.py"] > 0
    everything = githistory.co_change_all(repo.root, ["a.py", "c.py"])
    assert everything["c.py"] == pytest.approx({"a.py": 0.5})
    cache = githistory.CoChangeCache()
    index = githistory.co_change_index(repo.root, cache=cache)
    assert index is not None and index is githistory.co_change_index(repo.root, cache=cache)
    assert index.scores_many(["a.py", "c.py"]) == pytest.approx({"b.py": 4 / 6})
    assert githistory.co_change(repo.root, "gen/f0.py") == {}
    repo.write("a.py", "moved\n")
    repo.write("c.py", "moved\n")
    repo.commit("HEAD moves")
    assert githistory.co_change_index(repo.root) is not index
    assert githistory.co_change(repo.root, "a.py")["c.py"] == pytest.approx(2 / 7)


def test_the_co_change_table_is_kept_on_disk_for_the_next_process(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for files in (("a.py", "b.py"), ("a.py", "b.py", "c.py"), ("c.py",)):
        for rel in files:
            repo.write(rel, f"{rel} {len(files)}\n")
        repo.commit("change")
    saved = tmp_path / "repo.history"
    index = githistory.co_change_index(repo.root, cache=githistory.CoChangeCache(saved))
    assert index is not None and saved.exists()

    def no_git(*args: object, **kwargs: object) -> None:
        raise AssertionError("git log ran again")

    monkeypatch.setattr(githistory, "git", no_git)
    again = githistory.co_change_index(repo.root, cache=githistory.CoChangeCache(saved))
    assert again is not None and again.commits == index.commits
    assert again.scores("a.py") == pytest.approx({"b.py": 2 / 3, "c.py": 1 / 3})

    monkeypatch.undo()
    saved.write_bytes(b"not a table")  # a damaged file is ignored, never trusted
    rebuilt = githistory.co_change_index(repo.root, cache=githistory.CoChangeCache(saved))
    assert rebuilt is not None and rebuilt.commits == index.commits
    repo.write("c.py", "moved\n")
    repo.commit("HEAD moves")  # another HEAD: the saved table is not used
    moved = githistory.co_change_index(repo.root, cache=githistory.CoChangeCache(saved))
    assert moved is not None and len(moved.commits) == 4


def _fast_import(repo: Repo, commits: int) -> None:
    """Many commits in one process: each touches 3 of 60 files; core.py always comes
    with helper.py."""
    stream: list[bytes] = []
    for n in range(commits):
        files = {f"pkg/m{(n * 7 + k) % 60}.py" for k in range(3)}
        if n % 3 == 0:
            files |= {"core.py", "helper.py"}
        message = f"commit {n}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer T <t@example.invalid> {1767348000 + n} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        for path in sorted(files):
            content = f"{path} {n}\n".encode()
            stream.append(
                b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(content), content)
            )
    repo.git("fast-import", "--quiet", stdin=b"".join(stream))


def test_co_change_over_300_commits_is_fast(repo: Repo) -> None:
    _fast_import(repo, 330)
    start = time.perf_counter()
    scores = githistory.co_change(repo.root, "core.py", commits=300)
    elapsed = time.perf_counter() - start
    assert next(iter(scores)) == "helper.py" and scores["helper.py"] > 0.9
    assert elapsed < 0.5, elapsed
    start = time.perf_counter()
    assert githistory.co_change(repo.root, "core.py", commits=300) == scores
    assert time.perf_counter() - start < 0.05
    index = githistory.co_change_index(repo.root, commits=300)
    assert index is not None and len(index.commits) == 300


def test_changed_since(repo: Repo) -> None:
    first = _committed(repo, {"a.py": "1\n", "b.py": "1\n", "old.py": "o\n"})
    repo.write("a.py", "2\n")
    repo.write("new.py", "n\n")
    repo.git("mv", "old.py", "renamed.py")
    second = repo.commit("second")
    assert gitrun.changed_since(repo.root, first, second) == [
        "a.py",
        "new.py",
        "old.py",
        "renamed.py",
    ]
    assert gitrun.changed_since(repo.root, second, second) == []
    assert gitrun.changed_since(repo.root, "--output=/tmp/x", second) == []
    assert gitrun.changed_since(repo.root, "0" * 40, second) == []


# --- rendering, failures -------------------------------------------------------------


def test_render_git_context(repo: Repo) -> None:
    _committed(repo, {"a.py": "x = 1\ny = 2\n"}, "Add a")
    repo.write("a.py", "x = 1\ny = 3\n")
    text = gitinfo.render_context(repo.root, "a.py", (1, 2), text="x = 1\ny = 4\n")
    sha = gitrun.head(repo.root)[:7]
    assert text.startswith(f"Branch: main; HEAD {sha}\n\n### Status (git status --short)\n M a.py")
    assert "### Unstaged changes\n```diff\ndiff --git a/a.py b/a.py\n" in text
    assert f"### Recent commits touching a.py\n- {sha} 2026-01-02 Alice: Add a (" in text
    blame = f"line 1: {sha} Alice 2026-01-02 'Add a'\nline 2: not committed yet"
    assert text.endswith(f"### Blame of the selection\n{blame}")
    assert gitinfo.render_git_context(None) == ""


def test_outside_a_repository_everything_is_empty(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text("a\n")
    if gitrun.toplevel(plain) is not None:
        pytest.skip("the temp directory is inside a git work tree")
    assert gitinfo.git_state(plain) is None
    assert gitrun.head(plain) == ""
    assert githistory.file_history(plain, "a.py") == []
    assert githistory.blame_summary(plain, "a.py", 1, 1) == []
    assert githistory.co_change(plain, "a.py") == {}
    assert githistory.co_change_index(plain) is None
    assert gitrun.changed_since(plain, "a" * 40, "b" * 40) == []
    assert gitinfo.render_context(plain, "a.py", (1, 1)) == ""


def test_a_broken_repository_is_empty(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    (broken / ".git").mkdir(parents=True)
    assert gitinfo.git_state(broken) is None
    assert gitrun.head(broken) == ""
    assert githistory.file_history(broken, "a.py") == []


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for git")
def test_a_hanging_or_missing_git_returns_nothing(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sha = _committed(repo, {"a.py": "a\n"})
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\nsleep 30\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    start = time.perf_counter()
    assert gitinfo.git_state(repo.root, timeout=0.3) is None
    assert githistory.blame_summary(repo.root, "a.py", 1, 1, timeout=0.3) == []
    assert time.perf_counter() - start < 5
    assert gitrun.head(repo.root) == sha  # read from .git, no process
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert gitinfo.git_state(repo.root) is None
    assert githistory.co_change(repo.root, "a.py") == {}
