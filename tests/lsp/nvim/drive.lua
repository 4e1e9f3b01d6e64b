-- Drive the docgen language server from Neovim's built-in LSP client, headless.
-- Inputs (environment): DOCGEN_NVIM_PYTHON, DOCGEN_NVIM_ROOT, DOCGEN_NVIM_FILE,
-- DOCGEN_NVIM_OPTIONS (JSON initializationOptions), DOCGEN_NVIM_OUT (result JSON path).
-- Steps: open the file, wait for diagnostics, hover a documented and an undocumented
-- function, run the "Generate docstring" code action through vim.lsp.buf.code_action()
-- (resolve + apply by Neovim itself), save the buffer, write what happened as JSON.

local env = vim.env
local out = { steps = {} }

local function finish(ok, message)
  out.ok = ok
  out.message = message
  local handle = io.open(env.DOCGEN_NVIM_OUT, "w")
  handle:write(vim.fn.json_encode(out))
  handle:close()
  vim.cmd("qall!")
end

local function check(condition, message)
  if not condition then
    finish(false, message)
    error(message)
  end
end

local function find_line(pattern)
  for index, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    if line:find(pattern, 1, true) then
      return index - 1
    end
  end
  return nil
end

local function hover_text(line, character)
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(),
    position = { line = line, character = character },
  }
  local responses = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 60000)
  for _, response in pairs(responses or {}) do
    if response.error then
      return "ERROR: " .. vim.inspect(response.error)
    end
    if response.result and response.result.contents then
      return response.result.contents.value
    end
  end
  return nil
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(env.DOCGEN_NVIM_FILE))
  local client_id = vim.lsp.start_client({
    name = "docgen",
    cmd = { env.DOCGEN_NVIM_PYTHON, "-m", "lsp" },
    root_dir = env.DOCGEN_NVIM_ROOT,
    init_options = vim.fn.json_decode(env.DOCGEN_NVIM_OPTIONS),
  })
  check(client_id ~= nil, "could not start the server")
  vim.lsp.buf_attach_client(0, client_id)
  check(vim.wait(30000, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized
  end, 50), "the server did not initialize")
  table.insert(out.steps, "initialized")

  check(vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50),
    "no diagnostics arrived")
  out.diagnostics = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    table.insert(out.diagnostics, { lnum = diagnostic.lnum, message = diagnostic.message })
  end

  local documented = find_line("def price_with_tax")
  out.hover_documented = hover_text(documented, 6)
  local undocumented = find_line("def cart_total")
  out.hover_undocumented = hover_text(undocumented, 6)

  -- pick "Generate docstring for cart_total" where a user would choose from a menu
  vim.ui.select = function(items, opts, on_choice)
    out.menu = {}
    local chosen = nil
    for _, item in ipairs(items) do
      local title = opts.format_item(item)
      table.insert(out.menu, title)
      if title == "Generate docstring for cart_total" then
        chosen = item
      end
    end
    on_choice(chosen)
  end
  vim.api.nvim_win_set_cursor(0, { undocumented + 1, 6 })
  local before = vim.api.nvim_buf_line_count(0)
  vim.lsp.buf.code_action()
  check(vim.wait(60000, function() return vim.api.nvim_buf_line_count(0) > before end, 50),
    "the code action did not change the buffer")
  vim.cmd("write")
  out.lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
end)

if ok then
  finish(true, "done")
else
  finish(false, tostring(err))
end
