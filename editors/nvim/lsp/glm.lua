-- The glm language server for Neovim 0.11's vim.lsp.config / vim.lsp.enable.
-- It is built from the options given to require('glm').setup{} (or the defaults),
-- so `vim.lsp.enable('glm')` alone also works; vim.lsp.config('glm', {...}) overrides it.
return require('glm.config').client_config()
