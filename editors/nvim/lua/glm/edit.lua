-- :GlmEdit and its preview. The server computes the edit and sends it back as a diff
-- ($/glm/preview); the diff opens in a split whose keys accept or reject it. Accepting
-- asks the server to apply it (glm.accept -> workspace/applyEdit), so it lands as one
-- ordinary, undoable change pinned to the buffer version it was computed from.
-- The hunk under the cursor can be taken or turned down alone (glm.accept / glm.reject
-- with its id), and :GlmRevise sends the user's words back to the same task, which
-- proposes a new preview.
local client = require('glm.client')
local config = require('glm.config')

local M = {}

M.latest = nil -- token of the newest preview, for :GlmAccept outside the preview window

--- Ask for an edit of `lines` ({first, last}, 1-based) of the current buffer, or of
--- the whole file when lines is nil.
function M.start(instruction, lines)
  local bufnr = vim.api.nvim_get_current_buf()
  if instruction == '' then
    vim.ui.input({ prompt = 'GLM edit: ' }, function(input)
      if input and input ~= '' then
        vim.api.nvim_buf_call(bufnr, function()
          M.start(input, lines)
        end)
      end
    end)
    return
  end
  if not client.get(bufnr, true) then
    client.notify('no glm client attached to this buffer; see :checkhealth glm', vim.log.levels.ERROR)
    return
  end
  local arg = {
    uri = vim.uri_from_bufnr(bufnr),
    instruction = instruction,
    preview = true,
    show = false, -- the plugin renders the preview itself
  }
  if lines then
    -- Whole lines: from the start of the first to the start of the line after the last.
    arg.range = {
      start = { line = lines[1] - 1, character = 0 },
      ['end'] = { line = lines[2], character = 0 },
    }
  end
  -- Neovim shows LSP progress only where a statusline asks for it, so say it started.
  client.execute('glm.edit', arg, function(result)
    client.notify(('%s: asking GLM (:GlmCancel stops it)'):format(result.task))
  end, bufnr)
end

--- The keys configured for `action` ("accept" or "reject") as a list.
local function keys_for(action)
  local keys = (config.options.keymaps or {})[action]
  return type(keys) == 'string' and { keys } or keys or {}
end

local ACTIONS = {
  accept = 'accept this edit',
  reject = 'reject this edit',
  accept_hunk = 'accept the hunk under the cursor',
  reject_hunk = 'reject the hunk under the cursor',
  revise = 'send feedback to the model',
}
local HINTS = { accept_hunk = 'accept hunk', reject_hunk = 'reject hunk' }

--- Buffer-local keys of the preview, and a winbar that names them.
local function set_keymaps(buf)
  local hints = {}
  for _, action in ipairs({ 'accept', 'reject', 'accept_hunk', 'reject_hunk', 'revise' }) do
    for _, key in ipairs(keys_for(action)) do
      vim.keymap.set('n', key, M[action], { buffer = buf, desc = 'glm: ' .. ACTIONS[action] })
      table.insert(hints, key .. ' ' .. (HINTS[action] or action))
    end
  end
  return table.concat(hints, ', ')
end

local marks = vim.api.nvim_create_namespace('glm_preview_hunks')

--- $/glm/preview {task, token, diff, summary, files}: show the diff in a split.
function M.show(params)
  local buf = vim.api.nvim_create_buf(false, true)
  local lines = vim.split(params.diff or '', '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.api.nvim_buf_set_name(buf, 'glm://preview/' .. params.token)
  vim.b[buf].glm_preview_token = params.token
  vim.b[buf].glm_preview_hunks = params.hunks or {}
  vim.bo[buf].modifiable = false
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].filetype = 'diff'
  local hints = set_keymaps(buf)
  vim.cmd(config.options.preview_split)
  vim.api.nvim_win_set_buf(0, buf)
  -- The summary is the model's own words: one line, and '%' is not a statusline item.
  local summary = type(params.summary) == 'string' and params.summary or ''
  summary = vim.split(summary, '\n', { plain = true })[1]:gsub('%%', '%%%%')
  vim.wo.winbar = ('GLM: %s  [%s]'):format(summary, hints)
  M.latest = params.token
end

--- The preview this command is about: the current buffer's, else the newest.
local function current_token()
  return vim.b.glm_preview_token or M.latest
end

--- Close the preview window of `token` (its buffer is wiped with it).
local function close(token)
  if M.latest == token then
    M.latest = nil
  end
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.b[buf].glm_preview_token == token then
      vim.api.nvim_buf_delete(buf, { force = true })
    end
  end
end

--- Send the user's decision on the current preview (`command` with its token), then
--- close the preview; `verb` names the decision in the warning when there is none.
local function decide(command, verb)
  local token = current_token()
  if not token then
    client.notify('there is no proposed edit to ' .. verb, vim.log.levels.WARN)
    return
  end
  -- A refusal (the buffer changed meanwhile) is reported by the server itself.
  client.execute(command, { token = token }, function()
    close(token)
  end)
end

--- Apply the previewed edit through the server.
function M.accept()
  decide('glm.accept', 'accept')
end

--- Discard the previewed edit; the server forgets it.
function M.reject()
  decide('glm.reject', 'reject')
end

--- The hunk whose lines hold the cursor: the last one starting at or above it.
local function hunk_under_cursor()
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  local found = nil
  for _, hunk in ipairs(vim.b.glm_preview_hunks or {}) do
    if hunk.line <= row and (not found or hunk.line >= found.line) then
      found = hunk
    end
  end
  return found
end

--- Mark a hunk as decided (a note at its @@ line); close the preview once every hunk
--- was accepted, since nothing is left to take or revise.
local function decided(buf, token, hunk, verb)
  local state = vim.b[buf].glm_preview_decided or {}
  state[hunk.id] = verb
  vim.b[buf].glm_preview_decided = state
  vim.api.nvim_buf_set_extmark(buf, marks, hunk.line, 0, {
    id = tonumber(hunk.id),
    virt_text = { { '  [' .. verb .. ']', verb == 'accepted' and 'DiffAdd' or 'DiffDelete' } },
  })
  for _, other in ipairs(vim.b[buf].glm_preview_hunks or {}) do
    if state[other.id] ~= 'accepted' then
      return
    end
  end
  close(token)
end

--- Send glm.accept or glm.reject for the hunk under the cursor alone.
local function decide_hunk(command, verb)
  local buf, token = vim.api.nvim_get_current_buf(), vim.b.glm_preview_token
  local hunk = token and hunk_under_cursor()
  if not hunk then
    client.notify('there is no hunk of a proposed edit under the cursor', vim.log.levels.WARN)
    return
  end
  client.execute(command, { token = token, hunks = { hunk.id } }, function(result)
    if result.applied ~= false and vim.api.nvim_buf_is_valid(buf) then
      decided(buf, token, hunk, verb)
    end
  end)
end

--- Apply only the hunk under the cursor (one undoable change in the file's buffer).
function M.accept_hunk()
  decide_hunk('glm.accept', 'accepted')
end

--- Leave out the hunk under the cursor; a later revise tells the model.
function M.reject_hunk()
  decide_hunk('glm.reject', 'rejected')
end

--- Send `feedback` on the current preview back to the model: the same task goes on and
--- a new preview replaces this one.
function M.revise(feedback)
  local token = current_token()
  if not token then
    client.notify('there is no proposed edit to revise', vim.log.levels.WARN)
    return
  end
  if type(feedback) ~= 'string' or feedback == '' then
    vim.ui.input({ prompt = 'GLM feedback: ' }, function(input)
      if input and input ~= '' then
        M.revise(input)
      end
    end)
    return
  end
  local arg = { token = token, feedback = feedback, show = false }
  client.execute('glm.revise', arg, function(result)
    close(token)
    client.notify(('%s: revising (:GlmCancel stops it)'):format(result.task))
  end)
end

return M
