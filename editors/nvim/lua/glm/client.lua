-- Talking to the glm language server: finding its client, running its commands, and
-- reporting problems with a "[glm]" prefix.
local M = {}

--- vim.notify with the plugin's prefix, so every message says where it came from.
function M.notify(message, level)
  vim.notify('[glm] ' .. message, level or vim.log.levels.INFO)
end

--- The glm client attached to bufnr, else (unless `attached` is required) any running
--- glm client: the preview and chat buffers have none attached, but their commands
--- still go to the server.
function M.get(bufnr, attached)
  local clients = bufnr and vim.lsp.get_clients({ name = 'glm', bufnr = bufnr }) or {}
  if #clients == 0 and not attached then
    clients = vim.lsp.get_clients({ name = 'glm' })
  end
  return clients[1]
end

-- Neovim 0.11 wants method calls (client:request); 0.10 only has plain fields.
local has_011 = vim.fn.has('nvim-0.11') == 1

--- client:method(...) on 0.11, client.method(...) on 0.10.
function M.call(client, method, ...)
  if has_011 then
    return client[method](client, ...)
  end
  return client[method](...)
end

-- JSON-RPC "RequestFailed": the server already showed that failure with
-- window/showMessage, so it is not repeated.
local REQUEST_FAILED = -32803

--- Run the server command `name` with one object argument. on_result(result, client)
--- runs on success, on_error(err) on failure. Passing bufnr makes Neovim flush that
--- buffer's pending changes first, so the server sees what the user sees. Returns
--- false when there is no client.
function M.execute(name, arg, on_result, bufnr, on_error)
  local client = M.get(bufnr)
  if not client then
    M.notify('no glm client attached; see :checkhealth glm', vim.log.levels.ERROR)
    return false
  end
  local params = { command = name, arguments = { arg or vim.empty_dict() } }
  M.call(client, 'request', 'workspace/executeCommand', params, function(err, result)
    if err then
      if err.code ~= REQUEST_FAILED then
        M.notify(name .. ' failed: ' .. tostring(err.message), vim.log.levels.ERROR)
      end
      if on_error then
        on_error(err)
      end
    elseif on_result then
      on_result(result, client)
    end
  end, bufnr)
  return true
end

return M
