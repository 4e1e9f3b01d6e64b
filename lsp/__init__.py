"""The docgen language server (pygls): :mod:`lsp.server` builds and runs it; see README.md."""
