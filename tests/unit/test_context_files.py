"""Which files the context engine may read and send (glm_lsp.context.files, .ignore).

Real git repositories and real folders in temp dirs; the same tree is listed through git
and through the plain folder walk, and both must agree with git's own rules.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from glm_lsp.context import ignore
from glm_lsp.context.content import BINARY, GENERATED
from glm_lsp.context.files import (
    IGNORED_BY_GIT,
    IGNORED_BY_GLM,
    LINK_OUTSIDE,
    OUTSIDE,
    SECRET,
    UNDER_GIT_DIR,
    FilePolicy,
    exclusion_reason,
    list_files,
)

Files = Mapping[str, str | bytes]


@pytest.fixture(autouse=True)
def no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's global excludes file must not change what these tests see."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def write(root: Path, files: Files) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return root


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def make_repo(root: Path, committed: Files, untracked: Files | None = None) -> Path:
    """A git repository with `committed` in its first commit and `untracked` left on disk."""
    write(root, committed)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.invalid")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial", "--allow-empty")
    return write(root, untracked or {})


# --- git's view -----------------------------------------------------------------------------


def test_tracked_and_untracked_not_ignored_files(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo",
        {"src/app.py": "print(1)\n", "README.md": "# app\n", ".gitignore": "build/\n*.log\n"},
        {"new.py": "x = 1\n", "build/out.js": "x\n", "debug.log": "log\n"},
    )
    assert list_files(root) == [".gitignore", "README.md", "new.py", "src/app.py"]
    assert exclusion_reason(root, "build/out.js") == IGNORED_BY_GIT
    assert exclusion_reason(root, "debug.log") == IGNORED_BY_GIT
    assert exclusion_reason(root, "new.py") is None
    assert exclusion_reason(root, "src/app.py") is None


def test_deleted_tracked_file_is_dropped(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"keep.py": "1\n", "gone.py": "2\n"})
    (root / "gone.py").unlink()
    assert list_files(root) == ["keep.py"]


def test_tracked_file_stays_listed_when_its_pattern_is_ignored_later(tmp_path: Path) -> None:
    # git's rule: ignore patterns only apply to untracked files.
    root = make_repo(tmp_path / "repo", {"vendor/lib.js": "x\n"})
    write(root, {".gitignore": "vendor/\n", "vendor/new.js": "y\n"})
    assert list_files(root) == [".gitignore", "vendor/lib.js"]
    assert exclusion_reason(root, "vendor/lib.js") is None
    assert exclusion_reason(root, "vendor/new.js") == IGNORED_BY_GIT


def test_root_below_the_repository_top(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".gitignore": "*.tmp\n", "pkg/a.py": "a\n"})
    write(repo, {"pkg/b.tmp": "b\n", "pkg/c.py": "c\n", "other.py": "o\n"})
    assert list_files(repo / "pkg") == ["a.py", "c.py"]
    assert exclusion_reason(repo / "pkg", "b.tmp") == IGNORED_BY_GIT
    assert exclusion_reason(repo / "pkg", "c.py") is None


def test_exclusion_reason_sees_ignore_files_change(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"src/a.py": "a\n"}, {"notes.txt": "n\n"})
    assert "notes.txt" in list_files(root)  # warms the per-root cache
    assert exclusion_reason(root, "notes.txt") is None
    write(root, {".gitignore": "notes.txt\n"})
    assert exclusion_reason(root, "notes.txt") == IGNORED_BY_GIT
    write(root, {"src/scratch.py": "s\n"})
    assert exclusion_reason(root, "src/scratch.py") is None
    write(root, {"src/.gitignore": "scratch.py\n"})
    assert exclusion_reason(root, "src/scratch.py") == IGNORED_BY_GIT
    (root / ".git" / "info").mkdir(exist_ok=True)
    write(root, {"other.txt": "o\n", ".git/info/exclude": "other.txt\n"})
    assert exclusion_reason(root, "other.txt") == IGNORED_BY_GIT


# --- the same rules with and without git ---------------------------------------------------

GITIGNORE = """\
# a comment, then patterns of every kind
*.log
!important.log
build/
!build/keep.txt
/root_only.txt
docs/**/draft-*.md
**/cache/
temp?.txt
[ab].cfg
\\#hash.txt
trailing.txt   \n\
sub/anchored.txt
"""

TREE: dict[str, str] = {
    ".gitignore": GITIGNORE,
    "important.log": "kept by negation\n",
    "app.log": "ignored\n",
    "build/out.js": "ignored folder\n",
    "build/keep.txt": "a folder once excluded cannot be re-entered\n",
    "root_only.txt": "anchored\n",
    "sub/root_only.txt": "not at the root\n",
    "docs/draft-0.md": "** matches zero folders\n",
    "docs/a/b/draft-1.md": "and several\n",
    "docs/final.md": "kept\n",
    "x/cache/y.txt": "folder pattern at any depth\n",
    "cache.txt": "a file, not the folder\n",
    "temp1.txt": "? is one character\n",
    "temp12.txt": "kept\n",
    "a.cfg": "class\n",
    "c.cfg": "kept\n",
    "#hash.txt": "escaped #\n",
    "trailing.txt": "trailing spaces trimmed\n",
    "sub/anchored.txt": "a middle slash anchors\n",
    "other/sub/anchored.txt": "kept\n",
    "logs/.gitignore": "!keep.log\n/local.txt\n",
    "logs/keep.log": "deeper file re-includes\n",
    "logs/x.log": "ignored\n",
    "logs/local.txt": "anchored to logs/\n",
    "logs/deeper/local.txt": "kept\n",
    "src/main.py": "print('hi')\n",
}

EXPECTED = [
    ".gitignore",
    "c.cfg",
    "cache.txt",
    "docs/final.md",
    "important.log",
    "logs/.gitignore",
    "logs/deeper/local.txt",
    "logs/keep.log",
    "other/sub/anchored.txt",
    "src/main.py",
    "sub/root_only.txt",
    "temp12.txt",
]


def test_git_and_the_folder_walk_agree_with_gitignore_semantics(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {}, TREE)
    through_git = list_files(root)
    reasons_git = {rel: exclusion_reason(root, rel) for rel in TREE}
    shutil.rmtree(root / ".git")
    through_walk = list_files(root)
    reasons_walk = {rel: exclusion_reason(root, rel) for rel in TREE}
    assert through_git == EXPECTED
    assert through_walk == EXPECTED
    assert reasons_git == reasons_walk
    assert {rel for rel, reason in reasons_walk.items() if reason is None} == set(EXPECTED)
    assert set(reasons_walk.values()) == {None, IGNORED_BY_GIT}


def test_folder_walk_skips_git_folders_and_files(tmp_path: Path) -> None:
    root = write(
        tmp_path / "plain",
        {
            "a.py": "a\n",
            ".git/config": "[core]\n",
            "nested/.git/HEAD": "ref: refs/heads/main\n",
            "nested/b.py": "b\n",
            "worktree/.git": "gitdir: /elsewhere\n",
            "worktree/c.py": "c\n",
        },
    )
    assert list_files(root) == ["a.py", "nested/b.py", "worktree/c.py"]
    assert exclusion_reason(root, ".git/config") == UNDER_GIT_DIR
    assert exclusion_reason(root, "nested/.git/HEAD") == UNDER_GIT_DIR


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("*.py", "a/b/c.py", False, True),
        ("*.py", "c.pyc", False, None),
        ("/top.py", "top.py", False, True),
        ("/top.py", "a/top.py", False, None),
        ("a/b", "a/b", False, True),
        ("a/b", "x/a/b", False, None),
        ("build/", "build", True, True),
        ("build/", "build", False, None),
        ("**/x", "x", False, True),
        ("**/x", "a/b/x", False, True),
        ("a/**", "a/b/c", False, True),
        ("a/**", "a", True, None),
        ("a/**/b", "a/b", False, True),
        ("a/**/b", "a/x/y/b", False, True),
        ("f?o", "foo", False, True),
        ("f?o", "f/o", False, None),
        ("[!a]x", "bx", False, True),
        ("[!a]x", "ax", False, None),
        ("[a-c]x", "cx", False, True),
        ("!*.md", "a.md", False, False),
        ("\\!bang", "!bang", False, True),
        ("space\\ ", "space ", False, True),
        ("**.txt", "a/b.txt", False, True),
        ("[unclosed", "[unclosed", False, True),
    ],
)
def test_single_ignore_patterns(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    assert ignore.parse(pattern).decide(path, is_dir) == expected


# --- .glmignore ----------------------------------------------------------------------------


def test_glmignore_adds_exclusions_and_never_re_includes(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            ".gitignore": "*.log\n",
            ".glmignore": "docs/\n*.sql\n!keep.sql\n!debug.log\n",
            "docs/guide.md": "g\n",
            "data/dump.sql": "d\n",
            "keep.sql": "k\n",
            "src/app.py": "a\n",
        },
        {"debug.log": "ignored by git, and .glmignore cannot bring it back\n"},
    )
    assert list_files(root) == [".gitignore", ".glmignore", "keep.sql", "src/app.py"]
    assert exclusion_reason(root, "docs/guide.md") == IGNORED_BY_GLM
    assert exclusion_reason(root, "data/dump.sql") == IGNORED_BY_GLM
    assert exclusion_reason(root, "debug.log") == IGNORED_BY_GIT
    write(root, {".glmignore": "src/\n"})  # edits are picked up
    assert list_files(root) == [
        ".gitignore",
        ".glmignore",
        "data/dump.sql",
        "docs/guide.md",
        "keep.sql",
    ]
    assert exclusion_reason(root, "src/app.py") == IGNORED_BY_GLM


def test_glmignore_in_a_plain_folder(tmp_path: Path) -> None:
    root = write(tmp_path / "plain", {".glmignore": "fixtures/\n", "fixtures/a.json": "{}\n"})
    write(root, {"main.py": "m\n"})
    assert list_files(root) == [".glmignore", "main.py"]
    assert exclusion_reason(root, "fixtures/a.json") == IGNORED_BY_GLM


# --- secrets, binaries, size, generated ----------------------------------------------------


def test_secret_files_are_dropped_even_when_tracked(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path / "repo",
        {
            ".env": "TOKEN=1\n",
            ".env.production": "TOKEN=2\n",
            ".env.example": "TOKEN=\n",
            "config/credentials.json": "{}\n",
            "certs/server.pem": "pem\n",
            "certs/server.key": "key\n",
            "id_rsa": "key\n",
            "id_rsa.pub": "ssh-ed25519 AAAA fake\n",
            ".npmrc": "//registry/:_authToken=x\n",
            ".aws/credentials": "[default]\n",
            "infra/terraform.tfstate": "{}\n",
            "src/app.py": "a\n",
        },
    )
    assert list_files(root) == [".env.example", "id_rsa.pub", "src/app.py"]
    for rel in (".env", "config/credentials.json", "certs/server.pem", ".npmrc", "id_rsa"):
        assert exclusion_reason(root, rel) == SECRET, rel
    assert exclusion_reason(root, "new/.env.local") == SECRET  # judged by name before it exists


def test_binary_large_and_generated_files_are_dropped(tmp_path: Path) -> None:
    minified = "var a=1;" * 700  # 5,600 characters on one line
    root = make_repo(
        tmp_path / "repo",
        {
            "logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            "data.txt": b"text with a \x00 byte\n",
            "big.txt": "x" * 2000,
            "app.min.js": "a\n",
            "app.js.map": "{}\n",
            "package-lock.json": "{}\n",
            "yarn.lock": "# yarn\n",
            "Cargo.lock": "# cargo\n",
            "poetry.lock": "# poetry\n",
            "api.pb.go": "// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api\n",
            "schema.js": "/**\n * @generated by relay\n */\nexport {}\n",
            "marker_later.py": "x = 1\n" * 20 + "# DO NOT EDIT this block by hand\n",
            "bundle.js": minified,
            "short_line.txt": "y" * 900,
            "unicode.md": "Grüße, 世界\n",
            "src/app.py": "print(1)\n",
        },
    )
    policy = FilePolicy(max_bytes=1000)
    assert list_files(root, policy) == [
        "marker_later.py",
        "short_line.txt",
        "src/app.py",
        "unicode.md",
    ]
    reasons = {
        "logo.png": BINARY,
        "data.txt": BINARY,
        "big.txt": "larger than 1,000 bytes",
        "app.min.js": GENERATED,
        "app.js.map": GENERATED,
        "package-lock.json": GENERATED,
        "Cargo.lock": GENERATED,
        "api.pb.go": GENERATED,
        "schema.js": GENERATED,
        "bundle.js": "larger than 1,000 bytes",
    }
    for rel, reason in reasons.items():
        assert exclusion_reason(root, rel, policy) == reason, rel
    assert exclusion_reason(root, "bundle.js") == GENERATED  # default limit: minified
    assert "big.txt" in list_files(root)  # the default limit is 1,000,000 bytes


# --- symlinks and paths ---------------------------------------------------------------------


@pytest.mark.parametrize("with_git", [True, False], ids=["git", "walk"])
def test_symlinks_are_judged_by_where_they_lead(tmp_path: Path, with_git: bool) -> None:
    outside = write(tmp_path / "outside", {"secret.py": "s\n", "dir/x.py": "x\n"})
    root = tmp_path / "repo"
    write(root, {"inside.py": "i\n", ".env": "T=1\n", ".gitignore": "build/\n"})
    write(root, {"build/local.cfg": "ignored\n"})
    (root / "link_inside.py").symlink_to("inside.py")
    (root / "to_ignored.cfg").symlink_to("build/local.cfg")
    (root / "link_out.py").symlink_to(outside / "secret.py")
    (root / "link_dir").symlink_to(outside / "dir")
    (root / "config.txt").symlink_to(".env")
    (root / "dangling.py").symlink_to("missing.py")
    if with_git:
        make_repo(root, {})
    assert list_files(root) == [".gitignore", "inside.py", "link_inside.py"]
    assert exclusion_reason(root, "to_ignored.cfg") == IGNORED_BY_GIT
    assert exclusion_reason(root, "link_out.py") == LINK_OUTSIDE
    assert exclusion_reason(root, "link_dir") == LINK_OUTSIDE
    assert exclusion_reason(root, "link_dir/x.py") == LINK_OUTSIDE
    assert exclusion_reason(root, "config.txt") == SECRET
    assert exclusion_reason(root, "link_inside.py") is None


def test_tracked_folder_replaced_by_a_symlink_is_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"util.py": "elsewhere\n"})
    root = make_repo(tmp_path / "repo", {"lib/util.py": "u\n", "main.py": "m\n"})
    shutil.rmtree(root / "lib")
    (root / "lib").symlink_to(outside)
    assert list_files(root) == ["main.py"]
    assert exclusion_reason(root, "lib/util.py") == LINK_OUTSIDE


def test_paths_are_confined_to_the_workspace(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"src/a.py": "a\n"})
    assert exclusion_reason(root, "../elsewhere.py") == OUTSIDE
    assert exclusion_reason(root, "src/../../elsewhere.py") == OUTSIDE
    assert exclusion_reason(root, "/etc/hostname") == OUTSIDE
    assert exclusion_reason(root, str(root / "src" / "a.py")) is None
    assert exclusion_reason(root, "./src//a.py") is None
    assert exclusion_reason(root, ".git/config") == UNDER_GIT_DIR
    assert exclusion_reason(root, "") is None
    assert exclusion_reason(root, "src") is None
    assert exclusion_reason(root, "src/not_yet.py") is None


def test_root_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        list_files(tmp_path / "missing")
    with pytest.raises(NotADirectoryError):
        exclusion_reason(write(tmp_path, {"f.txt": "x"}) / "f.txt", "a")


def test_a_new_process_recalls_content_verdicts_instead_of_reading_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from glm_lsp.context import files as files_module

    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", "b.txt": "text\n"})
    (repo / "blob.bin").write_bytes(b"\0\1\2")
    saved = tmp_path / "verdicts"
    before = files_module.FileStates(repo.resolve())
    first = list_files(repo, state=before)
    files_module.remember_verdicts(before, saved)
    after = files_module.FileStates(repo.resolve())  # as in a new process
    sampled: list[str] = []
    original = files_module._sample_reason

    def counting(path: str, size: int) -> str | None:
        sampled.append(path)
        return original(path, size)

    monkeypatch.setattr(files_module, "_sample_reason", counting)
    files_module.recall_verdicts(after, saved)
    assert list_files(repo, state=after) == first and "blob.bin" not in first
    assert sampled == []
    (repo / "a.py").write_text("x = 2  # changed\n")
    assert list_files(repo, state=after) == first
    assert [Path(p).name for p in sampled] == ["a.py"]  # only the changed file is read again


def test_a_listing_reads_only_the_files_it_is_told_to_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold start reads the first bytes of the files the index parses; the others are
    judged when the whole file set is first needed, with the same verdicts."""
    from glm_lsp.context import files as files_module

    repo = make_repo(
        tmp_path / "repo",
        {
            "a.py": "x = 1\n",
            "bad.py": b"x = 1\n\x00\x01",
            "gen.py": "# Code generated by a tool. DO NOT EDIT.\nx = 1\n",
            "notes.txt": "text\n",
            "data.txt": b"text with a \x00 byte\n",
        },
    )
    sampled: list[str] = []
    original = files_module._sample_reason

    def counting(path: str, size: int) -> str | None:
        sampled.append(Path(path).name)
        return original(path, size)

    monkeypatch.setattr(files_module, "_sample_reason", counting)
    state = files_module.FileStates(repo.resolve())
    kept, pending = files_module.list_sampled(
        repo, FilePolicy(), state, lambda rel: rel.endswith(".py")
    )
    assert kept == ["a.py"] and pending == ["data.txt", "notes.txt"]
    assert sorted(sampled) == ["a.py", "bad.py", "gen.py"]
    assert files_module.judge(repo, FilePolicy(), state, pending) == ["notes.txt"]
    assert sorted(kept + ["notes.txt"]) == list_files(repo)
    sampled.clear()
    again = files_module.list_sampled(repo, FilePolicy(), state, lambda rel: False)
    assert again == ([], ["a.py", "bad.py", "data.txt", "gen.py", "notes.txt"])
    judged = files_module.judge(repo, FilePolicy(), state, again[1])
    assert judged == ["a.py", "notes.txt"] and sampled == []  # verdicts remembered


def test_a_target_check_with_the_engines_memory_asks_git_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every edit, chat and context request checks its target file; with the engine's
    memory of the workspace that takes no git process (it used to take two per request),
    and a secret or ignored target is still refused. (A .gitignore changed moments before
    git listed the files is not vouched for: the first check then asks git.)"""
    from glm_lsp.assistant.targets import refusal
    from glm_lsp.context.engine import ContextEngine

    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", ".gitignore": "build/\n"})
    write(repo, {".env": "TOKEN=abc\n", "build/out.py": "y = 2\n"})
    past = time.time() - 60
    os.utime(repo / ".gitignore", (past, past))
    engine = ContextEngine(repo, cache_dir=tmp_path / "cache")
    engine.refresh()
    calls: list[tuple[str, ...]] = []
    real = ignore.run_git

    def counting(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
        calls.append(args)
        return real(root, *args)

    monkeypatch.setattr(ignore, "run_git", counting)
    check = engine.policy, "", engine.file_states
    assert refusal(engine.root, "a.py", *check) is None
    assert calls == []
    assert refusal(engine.root, ".env", *check) == (
        ".env is a secret file, so nothing of it is sent to the provider; to allow it, add it "
        "to the allow_paths setting (GLM_ALLOW_PATHS)."
    )
    assert "ignored by .gitignore" in (refusal(engine.root, "build/out.py", *check) or "")
