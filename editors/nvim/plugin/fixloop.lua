-- fixloop's commands and progress tracking, whichever way the server is started
-- (vim.lsp.enable('fixloop') or require('fixloop').setup()).
if vim.g.loaded_fixloop or vim.fn.has('nvim-0.10') == 0 then
  return
end
vim.g.loaded_fixloop = 1

require('fixloop.commands').create()
require('fixloop.status').watch_progress()
