-- The commands on a diagnostic whose loop hangs on the model: :FixloopEscalate (not offered
-- by this server: a warning), :FixloopStats, :FixloopCancel (then the server offers a retry),
-- :FixloopRetry (then the fix comes), apply, write. setup()'s settings reach the server:
-- `attempts = 2` shows in the running loop's action (the workspace file says 4; the smaller
-- budget cap wins).
require('harness').run(function(H)
  require('fixloop').setup({ cmd = H.cmd, settings = { budget = { attempts = 2 } } })
  vim.cmd.edit(vim.fn.fnameescape(H.file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client = H.client(bufnr)
  local d = H.diagnostic(bufnr, 'F821')
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })

  local function action_matching(pattern)
    local found
    H.wait(('a code action titled %q'):format(pattern), 10000, function()
      for _, action in ipairs(H.actions(client, bufnr, d)) do
        if action.title:match(pattern) then
          found = action
          return true
        end
      end
    end)
    return found
  end

  local running = action_matching('^fixloop: fixing F821… %(attempt 1 of 2%)$')
  assert(running.disabled, 'the running loop offers a disabled action')

  -- No frontier model in this workspace: the server says how to configure one, and refuses.
  vim.cmd('FixloopEscalate')
  local warning = H.note('F821 was not escalated')
  H.assert_eq(warning.level, vim.log.levels.WARN, ':FixloopEscalate level')

  vim.cmd('FixloopStats')
  H.note('^fixloop: %d+ loops finished, %d+ fixed, %d+ attempts; %$[%d.]+ spent of %$2%.00 today$')

  H.wait('the hanging request at the model', 30000, function()
    return vim.uv.fs_stat(vim.env.FIXLOOP_TEST_ARRIVED) ~= nil
  end)
  vim.cmd('FixloopCancel')
  H.note('^fixloop: stopped fixing F821')
  H.status(client, function(s)
    return s.running == 0 and s.queued == 0
  end, 'no loop running after :FixloopCancel')
  local retry = action_matching('^fixloop: retry fixing F821 %(cancelled%)$')
  H.assert_eq(retry.command.command, 'fixloop.retry', 'the retry action runs')

  vim.cmd('FixloopRetry')
  H.note('^fixloop: fixing F821 again$')
  H.status(client, function(s)
    return s.fixes >= 1
  end, 'the fix after :FixloopRetry')
  H.apply_fix(bufnr, d)
  vim.cmd.write()
end)
