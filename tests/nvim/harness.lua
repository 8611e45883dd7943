-- Runs one test in a bare headless Neovim (-u NONE): loads the plugin from editors/nvim,
-- calls require('glm').setup() with the options the test gives, runs the test's body
-- (a Lua file) and writes what it recorded as JSON. The body gets the global `T`.
--
-- Environment: GLM_TEST_PLUGIN (editors/nvim), GLM_TEST_SETUP (JSON options; with
-- "no_setup": true setup() is not called), GLM_TEST_BODY, GLM_TEST_OUT, GLM_TEST_SIGNALS (a folder the test
-- creates files in when something happened outside Neovim, and the body, with T.tell,
-- when something happened inside it), GLM_TEST_CMD (the server command as JSON, for
-- bodies that call setup() themselves).
T = { out = { notifications = {} }, cmd = vim.json.decode(os.getenv('GLM_TEST_CMD')) }

vim.opt.runtimepath:prepend(os.getenv('GLM_TEST_PLUGIN'))
vim.cmd('filetype on') -- with -u NONE nothing sets FileType, and no client would start
vim.cmd('runtime! plugin/glm.lua') -- -u NONE loads no plugins
vim.notify = function(message, level)
  table.insert(T.out.notifications, { message = message, level = level or vim.log.levels.INFO })
end

--- Wait (up to `ms`, default 8 s) until predicate() is true; fail the test otherwise.
function T.wait(predicate, what, ms)
  if not vim.wait(ms or 8000, predicate, 20) then
    error('timed out waiting for ' .. what, 2)
  end
end

--- Wait for the test process to create the file `name` in the signals folder.
function T.signal(name)
  local path = os.getenv('GLM_TEST_SIGNALS') .. '/' .. name
  T.wait(function()
    return vim.uv.fs_stat(path) ~= nil
  end, 'signal ' .. name)
end

--- Create the file `name` in the signals folder, for the test process to wait on.
function T.tell(name)
  vim.fn.writefile({}, os.getenv('GLM_TEST_SIGNALS') .. '/' .. name)
end

function T.lines(buf)
  return vim.api.nvim_buf_get_lines(buf or 0, 0, -1, false)
end

function T.text(buf)
  return table.concat(T.lines(buf), '\n') .. '\n'
end

--- Edit `path` and wait until the glm client attached to it is initialized.
function T.open(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  T.wait(function()
    local client = vim.lsp.get_clients({ bufnr = buf, name = 'glm' })[1]
    return client ~= nil and client.initialized
  end, 'the glm client to attach', 15000)
  return buf
end

local setup = vim.json.decode(os.getenv('GLM_TEST_SETUP') or '{}')
local ok, err = xpcall(function()
  if not setup.no_setup then
    require('glm').setup(setup)
  end
  dofile(os.getenv('GLM_TEST_BODY'))
end, debug.traceback)
if not ok then
  T.out.error = err
end
vim.fn.writefile({ vim.json.encode(T.out) }, os.getenv('GLM_TEST_OUT'))
vim.cmd('qa!')
