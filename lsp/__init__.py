"""docgen lsp package."""
