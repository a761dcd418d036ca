--- fixloop for Neovim: verified fixes for Python diagnostics, as ordinary code actions.
---
--- Neovim 0.11: with this directory on 'runtimepath', `vim.lsp.enable('fixloop')` is enough
--- (the config is `lsp/fixloop.lua`). `require('fixloop').setup(opts)` works on 0.10 and 0.11
--- and takes options (see `fixloop.config` and `:help fixloop-setup`).

local M = {}

local function version_text()
  local v = vim.version()
  return ('%d.%d.%d'):format(v.major, v.minor, v.patch)
end

--- Start fixloop for Python buffers, with `opts` merged over the defaults.
---@param opts? fixloop.Opts
function M.setup(opts)
  if vim.fn.has('nvim-0.10') == 0 then
    vim.notify(
      ('fixloop: needs Neovim 0.10 or newer, this is %s; not starting'):format(version_text()),
      vim.log.levels.WARN
    )
    return
  end
  local config, problem = require('fixloop.config').resolve(opts)
  if not config then
    vim.notify(problem, vim.log.levels.ERROR)
    return
  end
  if vim.fn.executable(config.cmd[1]) == 0 then
    vim.notify(
      ('fixloop: `%s` is not executable; install fixloop or set `cmd` (see :checkhealth fixloop)'):format(
        config.cmd[1]
      ),
      vim.log.levels.WARN
    )
  end
  require('fixloop.commands').create()
  local server = require('fixloop.config').server_config(config)
  M._server = server
  if vim.fn.has('nvim-0.11') == 1 then
    vim.lsp.config('fixloop', server)
    vim.lsp.enable('fixloop')
  else
    require('fixloop.legacy').enable(server)
  end
end

--- The statusline component: loops running, fixes ready, money spent of the day's budget,
--- for the current buffer's fixloop server; '' until the server has reported.
--- E.g. `vim.o.statusline = "%f %= %{v:lua.require'fixloop'.status()}"`.
---@param bufnr? integer
---@return string
function M.status(bufnr)
  return require('fixloop.status').line(bufnr)
end

--- The server config in use: from setup(), else 0.11's resolved `vim.lsp.config.fixloop`.
---@return table?
function M.server_config()
  if M._server then
    return M._server
  end
  if vim.fn.has('nvim-0.11') == 1 then
    return vim.lsp.config.fixloop
  end
end

return M
