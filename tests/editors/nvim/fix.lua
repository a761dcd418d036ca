-- The main path: start fixloop (FIXLOOP_TEST_START = enable | setup | legacy), open a broken
-- file, wait for the diagnostic and the verified fix, check the statusline, apply the fix
-- through vim.lsp.buf.code_action, write. pytest compares the file on disk.
require('harness').run(function(H)
  local start = vim.env.FIXLOOP_TEST_START
  if start == 'enable' then
    vim.lsp.enable('fixloop') -- lsp/fixloop.lua as shipped: `fixloop serve` from $PATH
  elseif start == 'setup' then
    require('fixloop').setup({ cmd = H.cmd, settings = { budget = { parallel = 1 } } })
  elseif start == 'legacy' then
    -- What setup() runs on Neovim 0.10 (FileType + vim.lsp.start), here on 0.11.
    local fixloop_config = require('fixloop.config')
    local config = assert(fixloop_config.resolve({ cmd = H.cmd }))
    require('fixloop.legacy').enable(fixloop_config.server_config(config))
  else
    error('FIXLOOP_TEST_START must be enable, setup or legacy, got ' .. tostring(start))
  end
  vim.o.statusline = "%{v:lua.require'fixloop'.status()}"
  -- plugin/fixloop.lua gives the commands whichever way the server starts.
  for _, name in ipairs({ 'FixloopEscalate', 'FixloopCancel', 'FixloopRetry', 'FixloopStats' }) do
    H.assert_eq(vim.fn.exists(':' .. name), 2, ':' .. name .. ' exists')
  end

  vim.cmd.edit(vim.fn.fnameescape(H.file))
  local bufnr = vim.api.nvim_get_current_buf()
  local client = H.client(bufnr)
  H.assert_eq(client.root_dir, H.root, 'root_dir (from root_markers)')
  H.assert_eq(client.offset_encoding, 'utf-8', 'the negotiated position encoding')

  local d = H.diagnostic(bufnr, 'F821')
  H.assert_eq(d.source, 'ruff', 'source')
  H.assert_eq(d.message, 'Undefined name `pathlib`', 'message')
  local line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, true)[1]
  -- Non-ASCII text comes first on the line: the column is right only in utf-8 bytes.
  H.assert_eq(d.col, line:find('pathlib', 1, true) - 1, 'column of the flagged name')
  H.assert_eq(d.end_col, d.col + #'pathlib', 'end column of the flagged name')

  H.status(client, function(s)
    return s.fixes >= 1
  end, 'a fixloop/status with a fix ready')
  local bar = vim.api.nvim_eval_statusline(vim.o.statusline, {}).str
  if not bar:match('^fixloop: 1 fix ready · [<$][%d.$]+/%$2%.00$') then
    error('statusline: ' .. vim.inspect(bar))
  end

  H.apply_fix(bufnr, d)
  vim.cmd.write()
end)
