-- The plugin's options and the LSP client configuration built from them.
-- Both the 0.11 path (lsp/glm.lua + vim.lsp.enable) and the 0.10 path (vim.lsp.start)
-- use client_config(), so the two cannot drift apart.
local M = {}

M.defaults = {
  -- How to start the server; `glm-lsp` must be on $PATH (or give an absolute path).
  cmd = { 'glm-lsp', 'serve' },
  -- Server settings (provider, model, apiKey, reasoningEffort, ...). Sent as
  -- initializationOptions and as the answer to workspace/configuration, section "glm".
  settings = {},
  -- nil attaches to every file type: the server edits any text.
  filetypes = nil,
  -- The workspace root is the nearest folder holding one of these, else the cwd.
  root_markers = { '.git' },
  -- Keys in the preview window; false disables one. The hunk keys act on the hunk under
  -- the cursor; revise asks for feedback to send back to the model.
  keymaps = {
    accept = { 'a' },
    reject = { 'r', 'q' },
    accept_hunk = { 's' },
    reject_hunk = { 'x' },
    revise = { 'R' },
  },
  -- Inline completion (ghost text), shown when the server's setting is on:
  -- settings = { completion = { enabled = true } }. The keys work in Insert mode while a
  -- suggestion is shown and type themselves otherwise, so accept = '<Tab>' is fine too;
  -- false disables one.
  completion = {
    accept = '<M-l>',
    accept_word = '<M-w>',
    dismiss = '<C-]>',
    highlight = 'Comment',
  },
  -- Ex commands that open the preview and chat windows.
  preview_split = 'belowright split',
  chat_split = 'botright vsplit',
}

M.options = vim.deepcopy(M.defaults)

--- Replace the options with defaults + opts (so calling setup twice does not accumulate).
function M.set(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
end

--- The settings object; an empty Lua table would be sent as a JSON array.
function M.settings()
  local settings = M.options.settings or {}
  return next(settings) and vim.deepcopy(settings) or vim.empty_dict()
end

--- The workspace root of a buffer: a marker's folder, else the current directory, so
--- a file outside any repository still gets a server (and glm.applyDiff a root).
function M.root(bufnr)
  return vim.fs.root(bufnr, M.options.root_markers) or vim.fn.getcwd()
end

--- The server's custom notifications. Modules are required lazily so that starting
--- the client loads no UI code.
local handlers = {
  ['$/glm/preview'] = function(_, params)
    require('glm.edit').show(params)
  end,
  ['$/glm/chat'] = function(_, params)
    require('glm.chat').on_notification(params)
  end,
  ['$/glm/task'] = function(_, params)
    require('glm.tasks').update(params)
  end,
  -- The server's messages ("GLM: ...") go through vim.notify with our prefix, so they
  -- reach notification plugins like the plugin's own messages do.
  ['window/showMessage'] = function(_, params)
    local levels = { vim.log.levels.ERROR, vim.log.levels.WARN, vim.log.levels.INFO }
    local text = (params.message or ''):gsub('^GLM: ', '')
    require('glm.client').notify(text, levels[params.type] or vim.log.levels.DEBUG)
  end,
}

--- The configuration for vim.lsp.config / vim.lsp.start.
function M.client_config()
  local settings = M.settings()
  return {
    name = 'glm',
    cmd = M.options.cmd,
    filetypes = M.options.filetypes,
    root_dir = function(bufnr, on_dir)
      on_dir(M.root(bufnr))
    end,
    init_options = settings,
    settings = { glm = settings },
    handlers = handlers,
  }
end

return M
