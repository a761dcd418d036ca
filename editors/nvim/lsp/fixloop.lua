--- fixloop: a language server that turns diagnostics into verified fixes (Python,
--- TypeScript/JavaScript, C/C++, Rust, Go).
---
--- Install the server (`pip install fixloop`; `fixloop` must be on $PATH, or override `cmd`),
--- configure a model in `.fixloop.toml` (or `[tool.fixloop]` in pyproject.toml), put this
--- directory (editors/nvim) on 'runtimepath', then:
---
--- ```lua
--- vim.lsp.enable('fixloop')
--- ```
---
--- Editor settings take the keys of `.fixloop.toml`:
---
--- ```lua
--- vim.lsp.config('fixloop', {
---   init_options = { budget = { parallel = 2 } },
---   settings = { fixloop = { budget = { parallel = 2 } } },
--- })
--- ```
---
--- Or use `require('fixloop').setup({ settings = { budget = { parallel = 2 } } })`.

local defaults = require('fixloop.config').defaults

---@type vim.lsp.Config
return {
  cmd = vim.deepcopy(defaults.cmd),
  filetypes = vim.deepcopy(defaults.filetypes),
  root_markers = vim.deepcopy(defaults.root_markers),
  handlers = require('fixloop.status').handlers,
}
