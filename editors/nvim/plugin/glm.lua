-- User commands of glm. Each loads its module only when run; the language server
-- itself starts once you call require('glm').setup() (see :help glm).
if vim.g.loaded_glm then
  return
end
vim.g.loaded_glm = true

local function command(name, run, opts)
  vim.api.nvim_create_user_command(name, run, opts)
end

--- {first, last} when the command was given a range (:'<,'>Glm...), else nil.
local function lines(opts)
  return opts.range > 0 and { opts.line1, opts.line2 } or nil
end

command('GlmEdit', function(opts)
  require('glm').edit(opts.args, lines(opts))
end, { nargs = '*', range = true, desc = 'GLM: edit the range (or the whole file) as instructed' })

command('GlmAccept', function()
  require('glm').accept()
end, { nargs = 0, desc = 'GLM: apply the previewed edit' })

command('GlmReject', function()
  require('glm').reject()
end, { nargs = 0, desc = 'GLM: discard the previewed edit' })

command('GlmRevise', function(opts)
  require('glm').revise(opts.args)
end, { nargs = '*', desc = 'GLM: send feedback on the previewed edit back to the model' })

command('GlmChat', function(opts)
  require('glm').chat(opts.args, { new = opts.bang, lines = lines(opts) })
end, { nargs = '*', bang = true, range = true, desc = 'GLM: ask in the chat (! starts a new one)' })

command('GlmApplyDiff', function(opts)
  require('glm').apply_diff(opts.args)
end, { nargs = '?', desc = 'GLM: apply the diff in this buffer or in a register' })

command('GlmCancel', function(opts)
  require('glm').cancel(opts.args)
end, {
  nargs = '?',
  desc = 'GLM: cancel a running task (all without an argument)',
  complete = function()
    return vim.tbl_keys(require('glm.tasks').running)
  end,
})

command('GlmUsage', function()
  require('glm').usage()
end, { nargs = 0, desc = 'GLM: tokens and cost of this session' })
