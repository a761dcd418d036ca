--- Neovim 0.10, which has no `vim.lsp.enable()`: start the server on FileType with
--- `vim.lsp.start()`, finding the root from the config's `root_markers` as 0.11 does.

local M = {}

--- Start `server` (a config from `fixloop.config.server_config`) for every buffer of its
--- filetypes, those open now included.
---@param server table
function M.enable(server)
  local function start(bufnr)
    if vim.bo[bufnr].buftype ~= '' or not vim.list_contains(server.filetypes, vim.bo[bufnr].filetype) then
      return
    end
    local config = vim.deepcopy(server)
    config.filetypes, config.root_markers = nil, nil
    local file = vim.api.nvim_buf_get_name(bufnr)
    config.root_dir = vim.fs.root(bufnr, server.root_markers) or vim.fs.dirname(file)
    -- vim.lsp.start() reuses the client with the same name and root.
    vim.lsp.start(config, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('fixloop.start', { clear = true }),
    pattern = server.filetypes,
    callback = function(args)
      start(args.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      start(bufnr)
    end
  end
end

return M
