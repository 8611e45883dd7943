-- :GlmChat: one Markdown buffer, "glm://chat", where questions and the streamed answers
-- ($/glm/chat) accumulate. Each question continues the server-side session of the one
-- before (the server keeps its history); :GlmChat! starts a new session.
--
-- An answer is written as blocks: the model's reasoning as a "> " quote (folded), one
-- "- tool: ..." line per tool call, then the answer text.
local client = require('glm.client')
local config = require('glm.config')
local tasks = require('glm.tasks')

local M = {}

M.session = nil -- the session id the next question continues

local state = {
  buf = nil, -- the chat buffer
  source = nil, -- the last file buffer a question came from (its file gives context)
  busy = false, -- an answer is streaming
  waiting = false, -- glm.chat was sent; its session id has not come back yet
  early = {}, -- notifications that arrived before that id
  task = nil, -- the answering task
  kind = nil, -- the kind of the block being written
  answered = false, -- content arrived for this answer
}

local PREFIX = { reasoning = '> ', content = '', tool = '- tool: ', error = '**error:** ' }

local function buffer()
  if state.buf and vim.api.nvim_buf_is_valid(state.buf) then
    return state.buf
  end
  local buf = vim.api.nvim_create_buf(true, true)
  vim.api.nvim_buf_set_name(buf, 'glm://chat')
  vim.bo[buf].filetype = 'markdown'
  state.buf = buf
  return buf
end

--- Show the chat buffer (reusing a window that shows it) and return its window.
local function open()
  local buf = buffer()
  local win = vim.fn.win_findbuf(buf)[1]
  if win then
    return win
  end
  local from = vim.api.nvim_get_current_win()
  vim.cmd(config.options.chat_split)
  win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, buf)
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  -- Reasoning (the quoted lines) folds away; zo opens it.
  vim.wo[win].foldmethod = 'expr'
  vim.wo[win].foldexpr = [[getline(v:lnum)=~'^>'?1:0]]
  vim.wo[win].foldlevel = 0
  vim.api.nvim_set_current_win(from) -- keep typing where you were
  return win
end

--- Append lines; the windows whose cursor was on the last line follow the text.
local function append(lines, join_first)
  local buf = buffer()
  local count = vim.api.nvim_buf_line_count(buf)
  local following = {}
  for _, win in ipairs(vim.fn.win_findbuf(buf)) do
    if vim.api.nvim_win_get_cursor(win)[1] == count then
      table.insert(following, win)
    end
  end
  if join_first then -- continue the last line
    local last = vim.api.nvim_buf_get_lines(buf, count - 1, count, false)[1]
    vim.api.nvim_buf_set_lines(buf, count - 1, count, false, { last .. lines[1] })
    lines = vim.list_slice(lines, 2)
  end
  vim.api.nvim_buf_set_lines(buf, count, count, false, lines)
  for _, win in ipairs(following) do
    vim.api.nvim_win_set_cursor(win, { vim.api.nvim_buf_line_count(buf), 0 })
  end
end

--- Write streamed text of `kind`: a new block when the kind changes, else continue it.
local function write(kind, text)
  local prefix = PREFIX[kind] or ''
  local pieces = vim.split(text, '\n', { plain = true })
  for i = 2, #pieces do
    pieces[i] = prefix .. pieces[i]
  end
  if kind == state.kind and kind ~= 'tool' then
    append(pieces, true)
  else
    pieces[1] = prefix .. pieces[1]
    table.insert(pieces, 1, '') -- an empty line between blocks (tool lines stay together)
    append(kind == 'tool' and state.kind == 'tool' and vim.list_slice(pieces, 2) or pieces)
  end
  state.kind = kind
end

local function finish()
  state.busy, state.waiting, state.task, state.kind, state.early = false, false, nil, nil, {}
end

--- Render one $/glm/chat notification {session, task, kind, text} of our answer.
local function render(params)
  if params.kind == 'done' then
    if not state.answered then -- nothing streamed (a provider without streaming)
      write('content', params.text or '')
    end
    finish()
  elseif params.kind == 'error' then
    write('error', params.text or '')
    finish()
  elseif PREFIX[params.kind] and params.text then
    state.answered = state.answered or params.kind == 'content'
    write(params.kind, params.text)
  end
end

--- $/glm/chat: render it if it belongs to the answer being streamed.
function M.on_notification(params)
  if state.waiting then -- a new session's id is not known yet: keep it for later
    table.insert(state.early, params)
  elseif state.busy and params.session == M.session then
    render(params)
  end
end

--- The buffer whose file gives the question its context: the current one, unless that
--- is the chat itself or has no glm client.
local function source_buffer()
  local buf = vim.api.nvim_get_current_buf()
  if buf ~= state.buf and client.get(buf, true) then
    state.source = buf
  end
  if state.source and vim.api.nvim_buf_is_valid(state.source) then
    return state.source
  end
end

--- The glm.chat argument for `message`, with the file (and `lines`) it is about.
local function chat_argument(message, lines)
  local arg = { message = message, session = M.session }
  local src = source_buffer()
  if src then
    arg.uri = vim.uri_from_bufnr(src)
    if lines and src == vim.api.nvim_get_current_buf() then
      arg.range = {
        start = { line = lines[1] - 1, character = 0 },
        ['end'] = { line = lines[2], character = 0 },
      }
    end
  end
  return arg, src
end

--- glm.chat answered {task, session}: remember the session, replay what came early.
local function started(result)
  M.session, state.task, state.waiting = result.session, result.task, false
  local early = state.early
  state.early = {}
  for _, params in ipairs(early) do
    M.on_notification(params)
  end
  -- A cancelled or failed task may send no chat notification; end the answer anyway.
  tasks.on_end(result.task, function(ended)
    if state.busy and state.task == ended.task then
      if ended.state == 'cancelled' then
        write('error', 'cancelled')
      end
      finish()
    end
  end)
end

--- Whether an answer is streaming (for statuslines, and tests that wait for it).
function M.streaming()
  return state.busy
end

--- Ask `message` (the current session, or a new one when opts.new); opts.lines
--- ({first, last}) sends those lines of the current buffer as the selection.
function M.send(message, opts)
  opts = opts or {}
  if state.busy and (message ~= '' or opts.new) then
    client.notify('an answer is still streaming; wait for it or :GlmCancel', vim.log.levels.WARN)
    return
  end
  if opts.new then
    M.session = nil
    vim.api.nvim_buf_set_lines(buffer(), 0, -1, false, {})
  end
  if message == '' then
    open()
    vim.ui.input({ prompt = 'GLM chat: ' }, function(input)
      if input and input ~= '' then
        M.send(input, { lines = opts.lines })
      end
    end)
    return
  end
  local arg, src = chat_argument(message, opts.lines)
  local function failed(err)
    write('error', tostring(err.message))
    finish()
  end
  if not client.execute('glm.chat', arg, started, src, failed) then
    return
  end
  state.busy, state.waiting, state.answered, state.kind = true, M.session == nil, false, nil
  local header = { '## You', '' }
  vim.list_extend(header, vim.split(message, '\n', { plain = true }))
  vim.list_extend(header, { '', '## GLM' })
  local buf = buffer()
  local empty = vim.api.nvim_buf_line_count(buf) == 1 and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1] == ''
  if empty then
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, header)
  else
    append(vim.list_extend({ '' }, header))
  end
  open()
end

return M
