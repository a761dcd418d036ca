--- `:checkhealth fixloop`: Neovim, the server command and its version, each workspace's
--- settings file and fast model, and what the running servers last reported.

local M = {}

local health = vim.health

local function neovim()
  health.start('fixloop: Neovim')
  local v = vim.version()
  local text = ('Neovim %d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok(text .. ": vim.lsp.enable('fixloop') and require('fixloop').setup() both work")
  elseif vim.fn.has('nvim-0.10') == 1 then
    health.ok(text .. ": use require('fixloop').setup() (vim.lsp.enable needs 0.11)")
  else
    health.error(text .. ' is too old', { 'fixloop needs Neovim 0.10 or newer' })
  end
end

--- `cmd` with its `serve` replaced by `--version`, or nil when it does not end in `serve`.
local function version_argv(cmd)
  if cmd[#cmd] ~= 'serve' then
    return nil
  end
  local argv = vim.list_slice(cmd, 1, #cmd - 1)
  argv[#argv + 1] = '--version'
  return argv
end

local function server(config)
  health.start('fixloop: server')
  local cmd = config and config.cmd or require('fixloop.config').defaults.cmd
  if type(cmd) ~= 'table' then
    health.info('`cmd` is a function; its server cannot be checked from here')
    return
  end
  local path = vim.fn.exepath(cmd[1])
  if path == '' then
    health.error(('`%s` not found (cmd: %s)'):format(cmd[1], table.concat(cmd, ' ')), {
      'pip install fixloop, into a Python on $PATH',
      "or point `cmd` at it: setup({ cmd = { '/path/to/venv/bin/fixloop', 'serve' } })",
    })
    return
  end
  health.ok(('server command: %s (%s)'):format(table.concat(cmd, ' '), path))
  local argv = version_argv(cmd)
  if not argv then
    health.info('`cmd` does not end in `serve`; the server version is not checked')
    return
  end
  local ok, result = pcall(function()
    return vim.system(argv, { text = true }):wait(10000)
  end)
  if not ok then
    health.error(('`%s` could not run: %s'):format(table.concat(argv, ' '), result))
  elseif result.code ~= 0 then
    health.error(('`%s` failed (exit %s): %s'):format(
      table.concat(argv, ' '),
      result.code,
      vim.trim(result.stderr or '')
    ))
  else
    health.ok(('server version: %s'):format(vim.trim(result.stdout)))
  end
end

--- The workspace's settings file and its text: `.fixloop.toml`, else a pyproject.toml
--- with a `[tool.fixloop...]` table.
local function settings_file(root)
  for _, name in ipairs({ '.fixloop.toml', 'pyproject.toml' }) do
    local path = vim.fs.joinpath(root, name)
    local lines = vim.fn.filereadable(path) == 1 and vim.fn.readfile(path) or nil
    if lines then
      local text = table.concat(lines, '\n')
      if name == '.fixloop.toml' then
        return path, text, ''
      end
      if text:find('\n%s*%[tool%.fixloop[%].]') or text:find('^%s*%[tool%.fixloop[%].]') then
        return path, text, 'tool.fixloop.'
      end
    end
  end
end

--- `key = "value"` in the TOML table headed `[header]`, by lines: enough for a report.
local function table_value(text, header, key)
  local inside = false
  for line in (text .. '\n'):gmatch('(.-)\n') do
    local name = line:match('^%s*%[([^%]]+)%]')
    if name then
      inside = vim.trim(name) == header
    elseif inside then
      local value = line:match('^%s*' .. key .. '%s*=%s*"([^"]*)"')
        or line:match('^%s*' .. key .. "%s*=%s*'([^']*)'")
      if value then
        return value
      end
    end
  end
end

--- The user's own config file (`$FIXLOOP_CONFIG_DIR/config.toml`, else the platform's user
--- config folder, as the server finds it) and its text, if it exists.
local function user_file()
  local folder = vim.env.FIXLOOP_CONFIG_DIR
  if not folder or folder == '' then
    if vim.fn.has('mac') == 1 then
      folder = vim.fs.joinpath(vim.env.HOME or '~', 'Library', 'Application Support', 'fixloop')
    else
      local base = vim.env.XDG_CONFIG_HOME
      if not base or base == '' then
        base = vim.fs.joinpath(vim.env.HOME or '~', '.config')
      end
      folder = vim.fs.joinpath(base, 'fixloop')
    end
  end
  local path = vim.fs.joinpath(folder, 'config.toml')
  if vim.fn.filereadable(path) == 1 then
    return path, table.concat(vim.fn.readfile(path), '\n')
  end
end

local function workspace(root, config)
  health.start('fixloop: workspace ' .. root)
  local path, text, prefix = settings_file(root)
  local user_path, user_text = user_file()
  local editor_fast = config
    and config.init_options
    and type(config.init_options.models) == 'table'
    and config.init_options.models.fast
  local trusted = config and config.init_options and config.init_options.trusted == true
  if not path then
    health.info('no .fixloop.toml and no [tool.fixloop] in pyproject.toml: defaults apply')
  else
    health.ok('settings: ' .. path)
  end
  local header = prefix and prefix .. 'models.fast'
  local function value(key)
    -- Where requests and keys go: the user's own file, unless the workspace is trusted.
    local own = user_text and table_value(user_text, 'models.fast', key)
    local theirs = text and table_value(text, header, key)
    if theirs and not trusted and (key == 'base_url' or key == 'api_key_env' or key == 'protocol') then
      health.warn(('%s sets models.fast.%s, which fixloop ignores in a workspace that is not trusted'):format(path, key), {
        ('set it in %s or in setup() settings, or trust the workspace (trusted = true)'):format(
          user_path or 'your fixloop config.toml'
        ),
      })
      theirs = nil
    end
    if key == 'model' then
      return theirs or own, theirs and path or user_path
    end
    return own or theirs, own and user_path or path
  end
  local model, model_from = value('model')
  if model then
    local where = value('base_url') or '?'
    health.ok(('fast model: %s at %s (from %s)'):format(model, where, model_from))
    local key_env = value('api_key_env')
    if key_env and (vim.env[key_env] or '') == '' then
      health.warn(('%s (api_key_env) is not set in the environment Neovim gives the server'):format(key_env))
    end
  elseif type(editor_fast) == 'table' then
    health.ok(('fast model: %s (from setup() settings)'):format(tostring(editor_fast.model)))
  else
    health.warn('no fast model configured: fixloop can report diagnostics but not fix them', {
      'add a [models.fast] table to your fixloop config.toml or setup() settings (see :help fixloop-configure)',
    })
  end
end

local function running()
  health.start('fixloop: running servers')
  local clients = vim.lsp.get_clients({ name = 'fixloop' })
  if #clients == 0 then
    health.info('no fixloop server is running (open a Python file to start one)')
  end
  for _, client in ipairs(clients) do
    local info = client.server_info or {}
    health.ok(('client %d: %s %s, root %s'):format(
      client.id,
      info.name or 'fixloop',
      info.version or '',
      client.root_dir or '(none)'
    ))
    local status = require('fixloop.status').get(client.id)
    if status then
      health.info(('budget: $%.4f spent of $%.2f today (running: %d, queued: %d, fixes ready: %d)'):format(
        tonumber(status.usd_spent) or 0,
        tonumber(status.usd_budget) or 0,
        tonumber(status.running) or 0,
        tonumber(status.queued) or 0,
        tonumber(status.fixes) or 0
      ))
    else
      health.info('no fixloop/status received yet, so no budget figures')
    end
  end
  return clients
end

function M.check()
  neovim()
  local config = require('fixloop').server_config()
  server(config)
  local roots = {}
  for _, client in ipairs(running()) do
    if client.root_dir and not vim.list_contains(roots, client.root_dir) then
      roots[#roots + 1] = client.root_dir
    end
  end
  if #roots == 0 then
    roots[1] = vim.fn.getcwd()
  end
  for _, root in ipairs(roots) do
    workspace(root, config)
  end
end

return M
