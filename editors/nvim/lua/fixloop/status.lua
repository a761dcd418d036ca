--- What the server last said about its loops (`fixloop/status`) and its progress
--- (`$/progress`, seen as `LspProgress`), per client, for the statusline and the health check.

---@class fixloop.Status
---@field running integer loops running now
---@field queued integer loops waiting for a free slot
---@field fixes integer verified fixes ready to apply
---@field usd_spent number money spent today, all tiers
---@field usd_budget number today's cap

local M = {}

---@type table<integer, fixloop.Status> the last status per client id
local statuses = {}
---@type table<integer, table<string|integer, string>> running progress messages per client id
local progress = {}

local function refresh(client_id, status)
  vim.api.nvim_exec_autocmds('User', {
    pattern = 'FixloopStatus',
    modeline = false,
    data = { client_id = client_id, status = status },
  })
  vim.cmd.redrawstatus({ bang = true })
end

--- Handlers for the config table: the server's `fixloop/status` notification.
M.handlers = {
  ---@param result fixloop.Status
  ['fixloop/status'] = function(_, result, ctx)
    if type(result) ~= 'table' then
      return
    end
    statuses[ctx.client_id] = result
    refresh(ctx.client_id, result)
  end,
}

--- The last status a client received, or nil before the first one.
---@param client_id integer
---@return fixloop.Status?
function M.get(client_id)
  return statuses[client_id]
end

local function live_clients(bufnr)
  local clients = vim.lsp.get_clients({ bufnr = bufnr, name = 'fixloop' })
  for id in pairs(statuses) do
    if not vim.lsp.get_client_by_id(id) then
      statuses[id], progress[id] = nil, nil
    end
  end
  return clients
end

---@param usd number
local function money(usd)
  if usd > 0 and usd < 0.01 then
    return '<$0.01'
  end
  return ('$%.2f'):format(usd)
end

--- The statusline text for a buffer's fixloop servers; '' when none has reported yet.
---@param bufnr? integer default: the current buffer
---@return string
function M.line(bufnr)
  local total, seen, busy = { running = 0, queued = 0, fixes = 0, usd_spent = 0, usd_budget = 0 }, false, nil
  for _, client in ipairs(live_clients(bufnr or vim.api.nvim_get_current_buf())) do
    local status = statuses[client.id]
    if status then
      seen = true
      for key in pairs(total) do
        total[key] = total[key] + (tonumber(status[key]) or 0)
      end
    end
    for _, message in pairs(progress[client.id] or {}) do
      busy = message
    end
  end
  if not seen then
    return ''
  end
  local parts = {}
  if total.running > 0 then
    parts[#parts + 1] = ('%d running'):format(total.running)
  end
  if total.queued > 0 then
    parts[#parts + 1] = ('%d queued'):format(total.queued)
  end
  if total.fixes > 0 then
    parts[#parts + 1] = ('%d %s ready'):format(total.fixes, total.fixes == 1 and 'fix' or 'fixes')
  end
  if busy then
    parts[#parts + 1] = busy
  end
  parts[#parts + 1] = ('%s/%s'):format(money(total.usd_spent), money(total.usd_budget))
  return 'fixloop: ' .. table.concat(parts, ' · ')
end

--- Keep the latest message of each running `$/progress` from fixloop servers.
function M.watch_progress()
  vim.api.nvim_create_autocmd('LspProgress', {
    group = vim.api.nvim_create_augroup('fixloop.progress', { clear = true }),
    callback = function(ev)
      local client = vim.lsp.get_client_by_id(ev.data.client_id)
      local params = ev.data.params or {}
      local value = params.value
      if not client or client.name ~= 'fixloop' or type(value) ~= 'table' then
        return
      end
      local mine = progress[client.id] or {}
      progress[client.id] = mine
      if value.kind == 'end' then
        mine[params.token] = nil
      else
        local text = value.message or value.title or mine[params.token]
        if text and value.percentage then
          text = ('%s (%d%%)'):format(text, value.percentage)
        end
        mine[params.token] = text
      end
      refresh(client.id, statuses[client.id])
    end,
  })
end

return M
