-- glm: Neovim client of the glm-lsp language server (the GLM-5.2 model in the editor).
--
--   require('glm').setup({ settings = { provider = 'hyperstack' } })
--
-- setup() starts the server for the buffers it applies to; the user commands
-- (plugin/glm.lua) and the functions below talk to it. See :help glm.
local config = require('glm.config')
local client = require('glm.client')

local M = {}

--- Start glm-lsp for every file buffer on Neovim 0.10, where vim.lsp.enable is missing.
local function start_on_filetype()
  local function start(bufnr)
    local cfg = config.client_config()
    local ft = vim.bo[bufnr].filetype
    if vim.bo[bufnr].buftype ~= '' or ft == '' then
      return -- only real files, as vim.lsp.enable does on 0.11
    end
    if cfg.filetypes and not vim.tbl_contains(cfg.filetypes, ft) then
      return
    end
    cfg.root_dir = config.root(bufnr)
    vim.lsp.start(cfg, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('glm', { clear = true }),
    callback = function(args)
      start(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do -- buffers opened before setup()
    if vim.api.nvim_buf_is_loaded(bufnr) then
      start(bufnr)
    end
  end
end

--- Give running clients the new settings: they answer workspace/configuration from
--- client.settings, and the server asks again on didChangeConfiguration.
local function push_settings()
  local settings = config.settings()
  for _, c in ipairs(vim.lsp.get_clients({ name = 'glm' })) do
    c.settings = { glm = settings }
    client.call(c, 'notify', 'workspace/didChangeConfiguration', { settings = { glm = settings } })
  end
end

--- Configure the plugin and start the server where it applies. Calling it again
--- replaces the options (it does not add to them).
function M.setup(opts)
  if vim.fn.has('nvim-0.10') == 0 then
    client.notify('Neovim 0.10 or newer is needed', vim.log.levels.ERROR)
    return
  end
  config.set(opts)
  vim.api.nvim_create_autocmd('LspAttach', {
    group = vim.api.nvim_create_augroup('glm.attach', { clear = true }),
    callback = function(args)
      local c = vim.lsp.get_client_by_id(args.data.client_id)
      if c and c.name == 'glm' then
        require('glm.completion').attach(c, args.buf)
      end
    end,
  })
  if vim.lsp.enable then
    -- lsp/glm.lua builds the config from the options; enabling again makes Neovim
    -- read it afresh.
    vim.lsp.enable('glm')
  else
    start_on_filetype()
  end
  push_settings()
end

-- The Lua API behind the user commands, for mappings of your own.
function M.edit(instruction, lines)
  require('glm.edit').start(instruction or '', lines)
end

function M.accept()
  require('glm.edit').accept()
end

function M.reject()
  require('glm.edit').reject()
end

--- :GlmRevise {feedback}: send feedback on the current preview back to the model.
function M.revise(feedback)
  require('glm.edit').revise(feedback)
end

function M.chat(message, opts)
  require('glm.chat').send(message or '', opts)
end

function M.apply_diff(register)
  require('glm.commands').apply_diff(register)
end

function M.cancel(task)
  require('glm.commands').cancel(task)
end

function M.usage()
  require('glm.commands').usage()
end

--- Inline completion: accept the suggestion shown (or its next word); false if none.
function M.accept_suggestion()
  return require('glm.completion').accept()
end

function M.accept_suggestion_word()
  return require('glm.completion').accept_word()
end

--- The running tasks' titles, for a statusline.
function M.status()
  return require('glm.tasks').status()
end

return M
