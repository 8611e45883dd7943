-- The server's tasks, followed through $/glm/task: which are running, and how each
-- ended. Progress itself shows through Neovim's LSP progress; this is for the plugin
-- (chat learns that its answer was cancelled) and for statuslines.
local M = {}

M.running = {} -- task id -> title
local listeners = {} -- task id -> function(params) called when the task ends

--- Call fn(params) once when `task` ends ("done", "failed" or "cancelled").
function M.on_end(task, fn)
  listeners[task] = fn
end

--- $/glm/task {task, state, title, message}
function M.update(params)
  if params.state == 'running' then
    M.running[params.task] = params.title
    return
  end
  M.running[params.task] = nil
  local listener = listeners[params.task]
  listeners[params.task] = nil
  if listener then
    listener(params)
  end
end

--- The running tasks' titles, for a statusline: "GLM: editing main.py".
function M.status()
  return table.concat(vim.tbl_values(M.running), ', ')
end

return M
