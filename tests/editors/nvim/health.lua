-- setup()'s option checks; :checkhealth fixloop with a running server; the help tags of
-- doc/fixloop.txt.
require('harness').run(function(H)
  -- Bad options: an error naming the option, and nothing starts.
  require('fixloop').setup({ trusty = true })
  H.assert_eq(H.note('unknown option `trusty`').level, vim.log.levels.ERROR, 'unknown option')
  require('fixloop').setup({ trusted = 'yes' })
  H.note('`trusted` must be true or false')
  require('fixloop').setup({ cmd = 'fixloop serve' })
  H.note('`cmd` must be a non%-empty list of strings')

  -- An empty section would go out as a JSON array, which the server refuses: it is left out.
  require('fixloop').setup({
    cmd = H.cmd,
    settings = { budget = {}, editor = { debounce = 0.05 } },
    trusted = true, -- sent beside the settings: the server must not complain about it
  })
  vim.cmd.edit(vim.fn.fnameescape(H.file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client = H.client(bufnr)
  H.status(client, function(s)
    return s.fixes >= 1
  end, 'a fixloop/status')

  local messages = vim.fn.execute('messages')
  if messages:find('LSP[fixloop]', 1, true) then
    error('the server complained:' .. messages)
  end

  vim.cmd('checkhealth fixloop')
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  H.log(report)
  local function expect(text)
    if not report:find(text, 1, true) then
      error(('the health report lacks %q'):format(text))
    end
  end
  expect('server version: fixloop ' .. vim.env.FIXLOOP_TEST_VERSION)
  expect('Neovim 0.11.4')
  expect('settings: ' .. H.root .. '/.fixloop.toml')
  expect('fast model: scripted-fast at http://127.0.0.1:')
  expect('budget: $')
  expect('of $2.00 today (running: 0, queued: 0, fixes ready: 1)')
  if report:find('ERROR') then
    error('the health report has an ERROR')
  end

  local docs = vim.env.FIXLOOP_TEST_DOCS
  vim.cmd.helptags(vim.fn.fnameescape(docs .. '/doc'))
  vim.opt.runtimepath:prepend(docs)
  for _, tag in ipairs({ 'fixloop', ':FixloopEscalate', 'fixloop-statusline' }) do
    vim.cmd.help(tag)
    H.assert_eq(vim.fs.basename(vim.api.nvim_buf_get_name(0)), 'fixloop.txt', ':help ' .. tag)
  end
end)
