--- fixloop's options: the one defaults table, checking and merging user options,
--- and turning them into the config table Neovim's LSP client takes.

---@class fixloop.Settings
---Editor settings for the server: the same keys as `.fixloop.toml`
---(`models`, `budget`, `verifiers`, `gate`, `editor`), e.g. `{ budget = { parallel = 2 } }`.
---@field models? table<'fast'|'frontier', table<string, any>>
---@field budget? table<string, number|boolean>
---@field verifiers? table<string, string[]>
---@field gate? table<string, string[]>
---@field editor? table<string, number|boolean>

---@class fixloop.Opts
---@field cmd? string[] The server's argv.
---@field filetypes? string[] Buffers the server attaches to.
---@field root_markers? string[] Files or folders marking a workspace root.
---@field settings? fixloop.Settings Editor settings (the keys of `.fixloop.toml`).
---@field trusted? boolean Whether the workspace may run the commands it configures.

---@class fixloop.Config: fixloop.Opts
---@field cmd string[]
---@field filetypes string[]
---@field root_markers string[]
---@field settings fixloop.Settings
---@field trusted boolean

local M = {}

---@type fixloop.Config
M.defaults = {
  -- The server's argv. `fixloop` must be on $PATH; to run it from a virtualenv use
  -- e.g. { '/path/to/venv/bin/python', '-m', 'fixloop', 'serve' }.
  cmd = { 'fixloop', 'serve' },
  -- The filetypes of the buffers the server attaches to (the languages fixloop routes).
  filetypes = {
    'python', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact',
    'c', 'cpp', 'rust', 'go',
  },
  -- The workspace root is the nearest folder above a buffer's file holding one of these.
  root_markers = {
    '.fixloop.toml', 'pyproject.toml', 'package.json', 'Cargo.toml', 'go.mod',
    'compile_commands.json', '.git',
  },
  -- Editor settings with the same keys as `.fixloop.toml`, sent as `initializationOptions`
  -- and as the `fixloop` section of `workspace/configuration`. The workspace file wins over
  -- them, except that for every budget cap the smaller value wins. The server checks every
  -- key: a typo is reported (`window/showMessage`) and the previous settings are kept.
  settings = {},
  -- Whether the workspaces you open may run commands they configure themselves (the
  -- `[gate] tests` command). Leave false for code you have not read: the server then runs
  -- only its own verifiers and says so once.
  trusted = false,
}

---@param value any
local function is_string_list(value)
  if type(value) ~= 'table' or (next(value) ~= nil and not vim.islist(value)) then
    return false
  end
  for _, item in ipairs(value) do
    if type(item) ~= 'string' then
      return false
    end
  end
  return true
end

local CHECKS = {
  cmd = function(v)
    return is_string_list(v) and #v > 0, 'a non-empty list of strings'
  end,
  filetypes = function(v)
    return is_string_list(v), 'a list of strings'
  end,
  root_markers = function(v)
    return is_string_list(v), 'a list of strings'
  end,
  settings = function(v)
    return type(v) == 'table' and (next(v) == nil or not vim.islist(v)), 'a table'
  end,
  trusted = function(v)
    return type(v) == 'boolean', 'true or false'
  end,
}

--- The user's options merged over the defaults.
---@param opts? fixloop.Opts
---@return fixloop.Config? config nil when an option is wrong
---@return string? problem what is wrong, naming the option
function M.resolve(opts)
  opts = opts or {}
  if type(opts) ~= 'table' then
    return nil, ('fixloop.setup(): expected a table of options, got %s'):format(type(opts))
  end
  for key, value in pairs(opts) do
    local check = CHECKS[key]
    if not check then
      local known = vim.tbl_keys(CHECKS)
      table.sort(known)
      return nil,
        ('fixloop.setup(): unknown option `%s` (known: %s)'):format(key, table.concat(known, ', '))
    end
    local ok, wanted = check(value)
    if not ok then
      return nil, ('fixloop.setup(): `%s` must be %s, got %s'):format(key, wanted, vim.inspect(value))
    end
  end
  return vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
end

--- Settings as the server expects them on the wire. An empty Lua table is encoded as a
--- JSON array, which the server rightly refuses where a table is due (a section or a model
--- tier), and `vim.lsp.config()` merges away `vim.empty_dict()`; an empty section means
--- "the defaults" anyway, so empty sections and tiers are left out.
---@param settings fixloop.Settings
---@return table
function M.wire_settings(settings)
  local out = {}
  for section, value in pairs(settings) do
    if type(value) == 'table' and section == 'models' then
      local tiers = {}
      for tier, model in pairs(value) do
        if type(model) ~= 'table' or next(model) ~= nil then
          tiers[tier] = vim.deepcopy(model)
        end
      end
      value = tiers
    end
    if type(value) ~= 'table' or next(value) ~= nil then
      out[section] = vim.deepcopy(value) -- anything else: the server names what is wrong
    end
  end
  return out
end

--- The config table for `vim.lsp.config()` (0.11) or `vim.lsp.start()` (0.10).
---@param config fixloop.Config
---@return table
function M.server_config(config)
  local settings = M.wire_settings(config.settings)
  -- Trust rides beside the settings: the editor's word, never a workspace file's.
  local init_options = vim.tbl_extend('force', vim.deepcopy(settings), { trusted = config.trusted })
  return {
    name = 'fixloop',
    cmd = config.cmd,
    filetypes = config.filetypes,
    root_markers = config.root_markers,
    init_options = init_options,
    settings = { fixloop = settings },
    handlers = require('fixloop.status').handlers,
  }
end

return M
