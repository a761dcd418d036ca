-- Shared by the Lua test scripts: what pytest passes in, waiting under deadlines, recorded
-- notifications, and an exit status pytest can read (0 = pass, `cquit 1` = fail).
local H = {}

H.notes = {} ---@type {msg: string, level: integer}[]

--- What pytest passes in: the file to open (its folder is the workspace) and the server argv.
local function read_env()
  H.file = vim.env.FIXLOOP_TEST_FILE or error('FIXLOOP_TEST_FILE is not set')
  H.root = vim.fs.dirname(H.file)
  H.cmd = vim.json.decode(vim.env.FIXLOOP_TEST_CMD or error('FIXLOOP_TEST_CMD is not set'))
end

local started = vim.uv.hrtime()

--- A line on stderr, stamped with the seconds since the script started.
function H.log(text)
  io.stderr:write(('[%6.2f] %s\n'):format((vim.uv.hrtime() - started) / 1e9, text))
  io.stderr:flush()
end

-- Notifications are how the commands talk to the user: keep them for the asserts.
vim.notify = function(msg, level)
  table.insert(H.notes, { msg = msg, level = level or vim.log.levels.INFO })
  H.log(('notify[%s]: %s'):format(level or vim.log.levels.INFO, msg))
end

--- Wait until `cond()` is true, or fail naming `what`.
function H.wait(what, ms, cond)
  if not vim.wait(ms, cond, 20) then
    error(('timed out after %d ms waiting for %s'):format(ms, what), 2)
  end
  H.log('got ' .. what)
end

--- Wait for a notification matching `pattern` (a Lua pattern) and return it.
function H.note(pattern, ms)
  local found
  H.wait(('a notification matching %q'):format(pattern), ms or 5000, function()
    for _, note in ipairs(H.notes) do
      if note.msg:match(pattern) then
        found = note
        return true
      end
    end
  end)
  return found
end

function H.client(bufnr)
  local client
  -- Generous: on a loaded machine the server's imports alone can take seconds.
  H.wait('the fixloop client', 30000, function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = 'fixloop' })[1]
    return client ~= nil and client.initialized
  end)
  return client
end

--- The first diagnostic with this code, once published.
function H.diagnostic(bufnr, code)
  local found
  H.wait('a ' .. code .. ' diagnostic', 20000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == code then
        found = d
        return true
      end
    end
  end)
  return found
end

function H.status(client, pred, what)
  H.wait(what, 30000, function()
    local status = require('fixloop.status').get(client.id)
    return status ~= nil and pred(status)
  end)
end

--- The server's code actions for a diagnostic, asked directly (for inspection only).
function H.actions(client, bufnr, diagnostic)
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = { diagnostic.user_data.lsp }, only = { 'quickfix' } }
  local reply = client:request_sync('textDocument/codeAction', params, 5000, bufnr)
  return reply and reply.result or {}
end

--- Apply the verified fix the way a user does, and wait for the buffer to change.
function H.apply_fix(bufnr, diagnostic)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
  local tick = vim.b[bufnr].changedtick
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      return action.isPreferred == true and action.title:match('^fixloop: ') ~= nil
    end,
  })
  H.wait('the fix to change the buffer', 5000, function()
    return vim.b[bufnr].changedtick ~= tick
  end)
end

function H.assert_eq(got, want, what)
  if got ~= want then
    error(('%s: got %s, want %s'):format(what, vim.inspect(got), vim.inspect(want)), 2)
  end
end

--- Run the test body (it gets the harness); exit 0 when it passes, 1 (with the traceback)
--- when it fails or overruns `deadline_ms`.
function H.run(body, deadline_ms)
  vim.defer_fn(function()
    H.log(('FAIL: the test overran its %d ms deadline'):format(deadline_ms or 75000))
    vim.cmd('cquit 1')
  end, deadline_ms or 75000)
  local ok, err = xpcall(function()
    read_env()
    body(H)
  end, debug.traceback)
  if ok then
    H.log('PASS')
    vim.cmd('qall!')
  else
    H.log('FAIL: ' .. tostring(err))
    vim.cmd('cquit 1')
  end
end

return H
