-- The server commands that need no window of their own: :GlmApplyDiff, :GlmCancel and
-- :GlmUsage.
local client = require('glm.client')

local M = {}

--- The diff to apply: register `register` if given, else the current buffer when it
--- is a diff, else the unnamed register.
local function diff_text(register)
  if register ~= nil and register ~= '' then
    return vim.fn.getreg(register), 'register ' .. register
  end
  if vim.bo.filetype == 'diff' then
    return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n') .. '\n', 'this buffer'
  end
  return vim.fn.getreg('"'), 'the unnamed register'
end

--- glm.applyDiff: apply a unified diff (paths relative to the workspace root) to the
--- workspace; open buffers change through the server's workspace/applyEdit.
function M.apply_diff(register)
  local diff, from = diff_text(register)
  if vim.trim(diff) == '' then
    client.notify(from .. ' holds no diff', vim.log.levels.ERROR)
    return
  end
  client.execute('glm.applyDiff', { diff = diff }, function(result)
    if result and result.applied then
      client.notify('applied the diff from ' .. from)
    end -- a refusal is reported by the server
  end)
end

--- glm.cancel: stop `task`, or every running task when task is nil or ''.
function M.cancel(task)
  local arg = (task and task ~= '') and { task = task } or vim.empty_dict()
  client.execute('glm.cancel', arg, function(result)
    local ids = result and result.cancelled or {}
    client.notify(#ids == 0 and 'nothing to cancel' or 'cancelled ' .. table.concat(ids, ', '))
  end)
end

--- glm.usage: tokens and cost of this server session, and of each task.
function M.usage()
  client.execute('glm.usage', vim.empty_dict(), function(result)
    local lines = { 'usage: ' .. tostring(result.text) }
    for _, task in ipairs(result.tasks or {}) do
      local title = task.title or task.what or ''
      table.insert(lines, ('%s %s (%s): %s'):format(task.task, title, task.state or '', task.text or ''))
    end
    if result.completion and result.completion.requests > 0 then
      table.insert(lines, result.completion.text) -- inline completion, counted apart
    end
    client.notify(table.concat(lines, '\n'))
  end)
end

return M
