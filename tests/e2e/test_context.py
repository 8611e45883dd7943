"""The context engine through the CLI: what reaches the provider, and in what order."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers import make_repo, run_cli
from provider_server import ProviderServer, Turn

FAKE_VALUE = "Zq8" + "xW2" + "vR9kLm4Pt7Yb3Nc6Hd1Jf5Gs0Qa"  # built at run time: no key literal


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def commit(root: Path, files: dict[str, str], message: str) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def sent(server: ProviderServer) -> str:
    return json.dumps([r.body for r in server.requests])


def test_secrets_and_ignored_files_never_reach_the_provider(
    provider_server, tmp_path: Path
) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            ".gitignore": "build/\n",
            "app/main.py": "from app.settings import API_KEY\n\n\ndef run():\n    return API_KEY\n",
            "app/settings.py": f'API_KEY = "{FAKE_VALUE}"\nDEBUG = True\n',
            "notes.txt": "see settings\n",
        },
    )
    (repo / ".env").write_text(f"TOKEN={FAKE_VALUE}-env\n")
    (repo / "server.pem").write_text("pem-marker-contents\n")
    (repo / "build").mkdir()
    (repo / "build/out.py").write_text("ignored_marker = 1\n")
    server: ProviderServer = provider_server("hyperstack")
    server.script(
        Turn(tool_calls=[("read_file", {"path": ".env"})]),
        Turn(tool_calls=[("read_file", {"path": "build/out.py"})]),
        Turn(tool_calls=[("read_file", {"path": "app/settings.py"})]),
        Turn(content="Nothing to change."),
    )
    result = run_cli(["edit", "app/main.py", "-i", "use the key"], server.env(), cwd=repo)
    assert result.returncode == 0, result.stderr
    everything = sent(server)
    for marker in (FAKE_VALUE, "pem-marker-contents", "ignored_marker"):
        assert marker not in everything
    assert 'API_KEY = \\"[REDACTED]\\"' in everything  # the line stays, its value does not
    answers = [r.body["messages"][-1]["content"] for r in server.requests[1:3]]
    assert answers == [
        "Error: path .env is off limits (a secret file); it cannot be read or changed.",
        "Error: path build/out.py is off limits (ignored by .gitignore); it cannot be read or "
        "changed.",
    ]


def test_co_change_pulls_in_the_file_that_changes_together(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {f"pkg/mod{i}.py": f"def f{i}():\n    return {i}\n" for i in range(12)}
        | {"pkg/api.py": "def handler():\n    return 1\n", "pkg/schema.py": "FIELDS = []\n"},
    )
    for n in range(6):  # api.py and schema.py always change together, nothing else does
        commit(
            repo,
            {
                "pkg/api.py": f"def handler():\n    return {n}\n",
                "pkg/schema.py": f"FIELDS = [{n}]\n",
            },
            f"change {n}",
        )
        commit(repo, {f"pkg/mod{n}.py": f"def f{n}():\n    return -{n}\n"}, f"other {n}")
    result = run_cli(["context", "pkg/api.py", "--budget", "4000"], {}, cwd=repo)
    assert result.returncode == 0, result.stderr
    related = [line for line in result.stdout.splitlines() if line.startswith("## Related file:")]
    assert related[0] == "## Related file: pkg/schema.py"


def test_two_requests_share_most_of_their_prompt(provider_server, tmp_path: Path) -> None:
    files = {f"lib/part{i}.py": f"def part{i}(x):\n    return x + {i}\n" for i in range(30)}
    main = "".join(f"from lib.part{i} import part{i}\n" for i in range(30))
    main += "\n\ndef total(x):\n" + "".join(f"    x = part{i}(x)\n" for i in range(30))
    main += "    return x\n\n\ndef double(y):\n    return y * 2\n"
    repo = make_repo(tmp_path / "repo", files | {"app.py": main})
    server: ProviderServer = provider_server("cloudflare")
    server.script(Turn(content="No change."), Turn(content="No change."))
    first = run_cli(["edit", "app.py", "--lines", "33-34", "-i", "rename x"], server.env(), repo)
    second = run_cli(
        ["edit", "app.py", "--lines", "68-69", "-i", "add a docstring"], server.env(), repo
    )
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    a, b = (json.dumps(r.body["messages"]) for r in server.requests)
    shared = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    # Everything before the request's own sections is shared: the first request's scope
    # calls thirty functions whose definitions the second one's does not need.
    assert shared >= a.index("## Definitions used here")
    assert shared >= 0.8 * min(len(a), len(b))


def test_index_and_context_commands(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "a.py": "def alpha():\n    return beta()\n",
            "b.py": "def beta():\n    return 2\n",
            "web/app.ts": "export function start(): number { return 1; }\n",
        },
    )
    first = run_cli(["index", "."], {}, cwd=repo)
    assert first.returncode == 0, first.stderr
    assert "files       3" in first.stdout and "parsed      3" in first.stdout
    assert "python" in first.stdout and "typescript" in first.stdout
    again = run_cli(["index"], {}, cwd=repo)
    assert "parsed      0" in again.stdout and "cache hits  3" in again.stdout
    config = tmp_path / "config.toml"  # wait for git however loaded the machine is
    config.write_text("git_wait = 60\n")
    shown = run_cli(
        ["context", "a.py:1-2", "--budget", "2000", "-i", "inline beta"],
        {"GLM_CONFIG_FILE": str(config)},
        repo,
    )
    assert shown.returncode == 0, shown.stderr
    headers = [line for line in shown.stdout.splitlines() if line.startswith("=== ")]
    assert [h.split(":")[0] for h in headers] == [
        "=== repo_map",
        "=== related",
        "=== git",
        "=== current",
        "=== definitions",
        "=== selection",
        "=== instruction",
        "=== total",
    ]
    total = int(headers[-1].split()[2])
    assert 0 < total <= 2000
    assert "b.py lines 1-2:" in shown.stdout  # beta's definition, from the other file


def test_the_context_of_a_def_line_holds_what_the_function_calls(tmp_path: Path) -> None:
    """`glm-lsp context FILE:LINE` with the cursor on a `def`: the callees' definitions
    from other files are shown, though none is named on that line."""
    helpers = {f"lib/mod{i}.py": f"def unrelated_{i}(x):\n    return x\n" for i in range(20)}
    repo = make_repo(
        tmp_path / "repo",
        helpers
        | {
            "lib/pricing.py": (
                "def apply_discount(total, rate):\n"
                '    """Take `rate` off `total`."""\n'
                "    return total * (1 - rate)\n"
            ),
            "lib/audit.py": "def record_sale(amount):\n    print(amount)\n",
            "shop.py": (
                "from lib.audit import record_sale\n"
                "from lib.pricing import apply_discount\n\n\n"
                "def checkout(cart):\n"
                "    total = sum(cart)\n"
                "    total = apply_discount(total, 0.1)\n"
                "    record_sale(total)\n"
                "    return total\n"
            ),
        },
    )
    shown = run_cli(["context", "shop.py:5", "--budget", "1024"], {}, cwd=repo)
    assert shown.returncode == 0, shown.stderr
    definitions = shown.stdout.split("=== definitions")[1].split("=== selection")[0]
    assert "def apply_discount(total, rate):" in definitions
    assert '"""Take `rate` off `total`."""' in definitions
    assert "def record_sale(amount):" in definitions
    total = int(shown.stdout.rsplit("=== total: ", 1)[1].split()[0])
    assert total <= 1024
