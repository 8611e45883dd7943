-- :checkhealth glm — is Neovim new enough, is the server installed, does it have an
-- API key and does the provider answer. The key itself is never shown.
local config = require('glm.config')

local M = {}

-- Settings that `glm-lsp doctor` can also take from the environment, so that it
-- checks what setup{} configured and not only the shell's variables.
local ENV = {
  provider = 'GLM_PROVIDER',
  model = 'GLM_MODEL',
  baseUrl = 'GLM_BASE_URL',
  base_url = 'GLM_BASE_URL',
  apiKey = 'GLM_API_KEY',
  api_key = 'GLM_API_KEY',
}

--- The configured command without its "serve", to run the CLI's other commands.
local function cli()
  local base = vim.deepcopy(config.options.cmd)
  if base[#base] == 'serve' then
    table.remove(base)
  end
  return base
end

--- Secrets that must not reach the report, should any output contain one.
local function secrets()
  local found = {}
  local settings = config.options.settings or {}
  for _, value in ipairs({ settings.apiKey, settings.api_key }) do
    table.insert(found, value)
  end
  for name, value in pairs(vim.fn.environ()) do
    if name:match('_KEY$') or name:match('_TOKEN$') then
      table.insert(found, value)
    end
  end
  return found
end

local function redact(text)
  for _, secret in ipairs(secrets()) do
    if type(secret) == 'string' and #secret >= 4 then
      text = text:gsub(vim.pesc(secret), '[REDACTED]')
    end
  end
  return text
end

--- Run the CLI with `args`; returns {code, stdout, stderr} with secrets redacted.
local function run(args, timeout_ms)
  local env = {}
  for key, value in pairs(config.options.settings or {}) do
    if ENV[key] and type(value) == 'string' and value ~= '' then
      env[ENV[key]] = value
    end
  end
  local cmd = vim.list_extend(cli(), args)
  local ok, result = pcall(function()
    return vim.system(cmd, { text = true, env = env, timeout = timeout_ms }):wait()
  end)
  if not ok then
    return { code = -1, stdout = '', stderr = tostring(result) }
  end
  return { code = result.code, stdout = redact(result.stdout or ''), stderr = redact(result.stderr or '') }
end

--- The first line of the CLI's error sentence, without its "glm-lsp: " prefix.
local function sentence(text)
  return (vim.trim(text):gsub('^glm%-lsp: ', ''):match('[^\n]*'))
end

local function check_neovim()
  local v = vim.version()
  local version = ('%d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.10') == 1 then
    vim.health.ok('Neovim ' .. version)
  else
    vim.health.error('Neovim ' .. version .. ': glm needs 0.10 or newer')
  end
end

--- Returns true when the server runs.
local function check_server()
  local base = cli()
  local path = vim.fn.exepath(base[1])
  if path == '' then
    vim.health.error(('server command not found: %s'):format(base[1]), {
      'install it: pip install glm-lsp (or pipx install glm-lsp)',
      "or point setup{ cmd = { '/path/to/glm-lsp', 'serve' } } at it",
    })
    return false
  end
  local version = run({ '--version' }, 10000)
  if version.code ~= 0 then
    vim.health.error(('%s --version failed: %s'):format(table.concat(base, ' '), sentence(version.stderr)))
    return false
  end
  vim.health.ok(('server found: %s (%s)'):format(path, vim.trim(version.stdout)))
  return true
end

--- `glm-lsp doctor` prints the settings (the key only as set/unset), then sends the
--- provider one tiny request.
local function check_doctor()
  local doctor = run({ 'doctor' }, 30000)
  local rows, answered = {}, nil
  for line in doctor.stdout:gmatch('[^\n]+') do
    local name, value = line:match('^(%S.-)%s%s+(%S.*)$') -- "name<padding>value"
    if name then
      rows[name] = value
    end
    if line:match('^problem: ') then
      vim.health.warn(line)
    end
    answered = line:match('^provider (answered.*)') or answered
  end
  local model = rows['model id'] or rows.model or '?'
  local url = rows['request url']
  local where = url and (', URL: ' .. url) or ''
  vim.health.info(('provider: %s, model: %s%s'):format(rows.provider or '?', model, where))
  if rows.api_key == 'set' then
    vim.health.ok('API key: set')
  elseif rows.api_key == 'unset' then
    vim.health.error('API key: not set', { sentence(doctor.stderr) })
    return
  end
  if doctor.code == 0 then
    vim.health.ok(('provider %s (glm-lsp doctor sent one tiny request)'):format(answered or 'answered'))
  elseif doctor.code == 124 then
    vim.health.warn('glm-lsp doctor did not finish within 30 s')
  else
    vim.health.error('glm-lsp doctor: ' .. sentence(doctor.stderr))
  end
end

local function check_clients()
  local clients = vim.lsp.get_clients({ name = 'glm' })
  if #clients == 0 then
    vim.health.info('no glm client is running (call setup{} and open a file)')
  end
  for _, c in ipairs(clients) do
    vim.health.ok(('client %d running, root %s'):format(c.id, c.root_dir or '(none)'))
  end
end

function M.check()
  vim.health.start('glm')
  check_neovim()
  if check_server() then
    check_doctor()
  end
  check_clients()
end

return M
