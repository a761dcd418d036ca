--- The user commands: act on the fixloop diagnostic under the cursor through the server's
--- `workspace/executeCommand` commands, or show the server's figures.

local M = {}

local WARN, INFO, ERROR = vim.log.levels.WARN, vim.log.levels.INFO, vim.log.levels.ERROR

local function say(message, level)
  vim.notify('fixloop: ' .. message, level or INFO)
end

--- `client:request()` on 0.11; the 0.10 client has no method form.
local function request(client, method, params, handler, bufnr)
  if vim.fn.has('nvim-0.11') == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

---@param client vim.lsp.Client
---@param command string
local function offers(client, command)
  local provider = client.server_capabilities.executeCommandProvider
  return type(provider) == 'table' and vim.list_contains(provider.commands or {}, command)
end

--- Run one of the server's commands; `done` gets its result.
---@param client vim.lsp.Client
---@param bufnr integer
---@param command string
---@param arguments any[]?
---@param done fun(result: any)
local function execute(client, bufnr, command, arguments, done)
  if not offers(client, command) then
    say(
      ('this server (fixloop %s) does not offer `%s`; a newer fixloop does'):format(
        client.server_info and client.server_info.version or '?',
        command
      ),
      WARN
    )
    return
  end
  request(client, 'workspace/executeCommand', { command = command, arguments = arguments }, function(err, result)
    if err then
      say(('`%s` failed: %s'):format(command, err.message or vim.inspect(err)), ERROR)
    else
      done(result)
    end
  end, bufnr)
end

---@class fixloop.Finding
---@field client vim.lsp.Client
---@field id string the server's id for the diagnostic (`data.fixloop`)
---@field diagnostic vim.Diagnostic

--- The fixloop diagnostic under the cursor: the one covering the cursor's column, else the
--- first one on the cursor's line.
---@param bufnr integer
---@return fixloop.Finding?
function M.finding_at_cursor(bufnr)
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  row = row - 1
  local first ---@type fixloop.Finding?
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = bufnr, name = 'fixloop' })) do
    local namespace = vim.lsp.diagnostic.get_namespace(client.id)
    for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = row, namespace = namespace })) do
      local lsp = d.user_data and d.user_data.lsp
      local id = lsp and type(lsp.data) == 'table' and lsp.data.fixloop
      if type(id) == 'string' then
        local found = { client = client, id = id, diagnostic = d }
        if col >= d.col and (col < d.end_col or (d.end_lnum or row) > row) then
          return found
        end
        first = first or found
      end
    end
  end
  return first
end

local function name_of(finding)
  local d = finding.diagnostic
  return d.code and tostring(d.code) or d.message
end

--- Run `command` for the diagnostic under the cursor; `report` words the result.
---@param command string
---@param report fun(result: any, name: string): string, integer?
local function on_finding(command, report)
  local bufnr = vim.api.nvim_get_current_buf()
  if #vim.lsp.get_clients({ bufnr = bufnr, name = 'fixloop' }) == 0 then
    say('no fixloop server is attached to this buffer (see :checkhealth fixloop)', WARN)
    return
  end
  local finding = M.finding_at_cursor(bufnr)
  if not finding then
    say('no fixloop diagnostic under the cursor', WARN)
    return
  end
  local args = { vim.uri_from_bufnr(bufnr), finding.id }
  execute(finding.client, bufnr, command, args, function(result)
    say(report(result, name_of(finding)))
  end)
end

function M.escalate()
  on_finding('fixloop.escalate', function(ok, name)
    if ok == false then
      return ('%s was not escalated (the server says why: no frontier model, the budget, or it is gone)'):format(name), WARN
    end
    return ('escalating %s to the frontier model'):format(name)
  end)
end

function M.cancel()
  on_finding('fixloop.cancel', function(ok, name)
    if ok then
      return ('stopped fixing %s (:FixloopRetry starts again)'):format(name)
    end
    return ('%s has no loop running'):format(name), WARN
  end)
end

function M.retry()
  on_finding('fixloop.retry', function(ok, name)
    if ok then
      return ('fixing %s again'):format(name)
    end
    return ('%s is not tracked any more; it is checked again after the next edit'):format(name), WARN
  end)
end

---@param stats table the server's `fixloop.stats` result
local function stats_text(stats)
  local function n(key)
    return tonumber(stats[key]) or 0
  end
  return ('%d loops finished, %d fixed, %d attempts; $%.4f spent of $%.2f today'):format(
    n('loops'),
    n('fixed'),
    n('attempts'),
    n('usd_spent'),
    n('usd_budget')
  )
end

function M.stats()
  local bufnr = vim.api.nvim_get_current_buf()
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = 'fixloop' })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = 'fixloop' })
  end
  if #clients == 0 then
    say('no fixloop server is running (open a Python file; see :checkhealth fixloop)', WARN)
    return
  end
  for _, client in ipairs(clients) do
    execute(client, bufnr, 'fixloop.stats', nil, function(stats)
      local where = #clients > 1 and (' (%s)'):format(client.root_dir or client.id) or ''
      say(stats_text(type(stats) == 'table' and stats or {}) .. where)
    end)
  end
end

--- Define :FixloopEscalate, :FixloopCancel, :FixloopRetry and :FixloopStats.
function M.create()
  local define = vim.api.nvim_create_user_command
  define('FixloopEscalate', M.escalate, { desc = 'fixloop: escalate the diagnostic under the cursor' })
  define('FixloopCancel', M.cancel, { desc = 'fixloop: stop fixing the diagnostic under the cursor' })
  define('FixloopRetry', M.retry, { desc = 'fixloop: fix the diagnostic under the cursor again' })
  define('FixloopStats', M.stats, { desc = "fixloop: show the server's loop and budget figures" })
end

return M
