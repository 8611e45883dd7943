-- Inline completion: the server's suggestion at the cursor as virtual text (ghost text).
--
-- Off unless the server's `completion.enabled` setting is on (each suggestion is a paid
-- request): the server then advertises textDocument/inlineCompletion, and this module
-- asks for a suggestion on each change in Insert mode. The server waits for a pause in
-- typing (completion.debounce_ms), so nothing is debounced here; a newer keystroke
-- cancels the request in flight ($/cancelRequest), and an answer for an older buffer
-- state or another cursor is dropped. On Neovim 0.12+, vim.lsp.inline_completion shows
-- the suggestions instead, and the keys below call it.
local config = require('glm.config')
local client_mod = require('glm.client')

local M = {}

local METHOD = 'textDocument/inlineCompletion'
local ns = vim.api.nvim_create_namespace('glm.completion')
local group = vim.api.nvim_create_augroup('glm.completion', { clear = true })

-- The suggestion on screen, per buffer: { row, col, text, tick, mark }; and the request
-- in flight, per buffer: { client, id }.
local shown = {}
local pending = {}

local function builtin()
  return vim.lsp.inline_completion ~= nil and vim.lsp.inline_completion.get ~= nil
end

local has_011 = vim.fn.has('nvim-0.11') == 1

--- The glm client of `bufnr` if it offers inline completion (statically or registered).
local function glm_client(bufnr)
  local client = client_mod.get(bufnr, true)
  if not client then
    return nil
  end
  local where = has_011 and bufnr or { bufnr = bufnr } -- 0.10 took a table
  local supports = client_mod.call(client, 'supports_method', METHOD, where)
  return supports and client or nil
end

--- Remove the suggestion of `bufnr` from the screen.
function M.clear(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_clear_namespace(bufnr, ns, 0, -1)
  shown[bufnr] = nil
end

local function cancel(bufnr)
  local request = pending[bufnr]
  pending[bufnr] = nil
  if request then
    client_mod.call(request.client, 'cancel_request', request.id)
  end
end

--- Draw `text` at (row, col): its first line inline after the cursor, the rest below.
local function draw(bufnr, row, col, text)
  M.clear(bufnr)
  local lines = vim.split(text, '\n', { plain = true })
  local hl = config.options.completion.highlight
  local opts = {
    virt_text = { { lines[1], hl } },
    virt_text_pos = 'inline',
    hl_mode = 'combine',
  }
  if #lines > 1 then
    opts.virt_lines = vim.tbl_map(function(line)
      return { { line, hl } }
    end, vim.list_slice(lines, 2))
  end
  local mark = vim.api.nvim_buf_set_extmark(bufnr, ns, row, col, opts)
  shown[bufnr] = {
    row = row,
    col = col,
    text = text,
    tick = vim.api.nvim_buf_get_changedtick(bufnr),
    mark = mark,
  }
end

--- The cursor as (0-based row, byte column).
local function cursor()
  local pos = vim.api.nvim_win_get_cursor(0)
  return pos[1] - 1, pos[2]
end

--- Ask for a suggestion at the cursor (Insert mode, after a change).
function M.request(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  cancel(bufnr)
  local client = glm_client(bufnr)
  if not client then
    return
  end
  local row, col = cursor()
  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  params.context = { triggerKind = 2 } -- Automatic: the server waits for a pause in typing
  local ok, id = client_mod.call(client, 'request', METHOD, params, function(err, result)
    if pending[bufnr] and pending[bufnr].tick == tick then
      pending[bufnr] = nil
    end
    if err or not result or not vim.api.nvim_buf_is_valid(bufnr) then
      return
    end
    local now_row, now_col = cursor()
    local stale = vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
      or now_row ~= row
      or now_col ~= col
      or vim.api.nvim_get_current_buf() ~= bufnr
      or not vim.fn.mode():match('^i')
    local items = result.items or result
    if stale or not items[1] or (items[1].insertText or '') == '' then
      return
    end
    local text = items[1].insertText
    if type(text) == 'table' then
      text = text.value or ''
    end
    draw(bufnr, row, col, text)
  end, bufnr)
  if ok and id then
    pending[bufnr] = { client = client, id = id, tick = tick }
  end
end

--- Insert `text` at the suggestion's place and put the cursor after it.
local function insert(bufnr, state, text)
  local lines = vim.split(text, '\n', { plain = true })
  vim.api.nvim_buf_set_text(bufnr, state.row, state.col, state.row, state.col, lines)
  local row = state.row + #lines - 1
  local col = (#lines == 1 and state.col or 0) + #lines[#lines]
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  return row, col
end

--- Whether a suggestion is on screen in the current buffer.
function M.visible()
  if builtin() then
    return false -- the built-in keeps its own; `accept` asks it
  end
  local state = shown[vim.api.nvim_get_current_buf()]
  return state ~= nil
end

--- Accept the whole suggestion; false when there was none.
function M.accept()
  if builtin() then
    return vim.lsp.inline_completion.get() or false
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local state = shown[bufnr]
  if not state then
    return false
  end
  M.clear(bufnr)
  cancel(bufnr)
  insert(bufnr, state, state.text)
  return true
end

--- Accept the suggestion's next word (with the spaces before it); the rest stays shown.
function M.accept_word()
  local bufnr = vim.api.nvim_get_current_buf()
  local state = shown[bufnr]
  if builtin() or not state then
    return false
  end
  local word = state.text:match('^%s*[%w_]+') or state.text:match('^%s*[^%w_%s]+') or state.text
  local rest = state.text:sub(#word + 1)
  M.clear(bufnr)
  cancel(bufnr)
  local row, col = insert(bufnr, state, word)
  if rest ~= '' then
    draw(bufnr, row, col, rest) -- its tick is now the buffer's: no new request for it
  end
  return true
end

local function on_change(args)
  local state = shown[args.buf]
  if state and state.tick == vim.api.nvim_buf_get_changedtick(args.buf) then
    return -- our own insertion of a word: the rest is already shown
  end
  M.clear(args.buf)
  M.request(args.buf)
end

local function leave(args)
  cancel(args.buf)
  M.clear(args.buf)
end

--- Map a key in Insert mode: `run` when a suggestion is there, else the key itself.
local function map(bufnr, lhs, run, desc)
  if not lhs or lhs == '' then
    return
  end
  vim.keymap.set('i', lhs, function()
    if not run() then
      vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(lhs, true, false, true), 'n', false)
    end
  end, { buffer = bufnr, desc = desc })
end

--- Start inline completion in `bufnr` (called when the glm client attaches).
function M.attach(client, bufnr)
  local opts = config.options.completion
  if not builtin() and not glm_client(bufnr) then
    return -- the server's completion.enabled setting is off
  end
  if builtin() then
    vim.lsp.inline_completion.enable(true, { bufnr = bufnr, client_id = client.id })
  else
    vim.api.nvim_clear_autocmds({ group = group, buffer = bufnr })
    local function on(events, callback)
      vim.api.nvim_create_autocmd(events, { group = group, buffer = bufnr, callback = callback })
    end
    on('TextChangedI', on_change)
    on({ 'InsertLeave', 'BufLeave' }, leave)
    on('CursorMovedI', function(args)
      local state = shown[args.buf]
      local row, col = cursor()
      local same_text = state and state.tick == vim.api.nvim_buf_get_changedtick(args.buf)
      if same_text and (row ~= state.row or col ~= state.col) then
        M.clear(args.buf) -- moved away without typing
      end
    end)
  end
  map(bufnr, opts.accept, M.accept, 'GLM: accept the suggestion')
  map(bufnr, opts.accept_word, M.accept_word, 'GLM: accept the next word of the suggestion')
  map(bufnr, opts.dismiss, function()
    local had = shown[bufnr] ~= nil
    M.clear(bufnr)
    return had
  end, 'GLM: dismiss the suggestion')
end

return M
