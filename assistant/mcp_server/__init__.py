"""docgen as an MCP server: a front end over the core, for coding agents.

A client of the pipeline like the language server and bulk runs (README, "Architecture"):
:mod:`.service` does the work over :mod:`assistant.pipeline`, :mod:`assistant.edits` and
the indexer (it imports no MCP), :mod:`.search` finds symbols by name and meaning,
:mod:`.confine` keeps every path a client names inside the repository root, and
:mod:`.server` declares the tools and resources with the ``mcp`` SDK, which does all of the
transport. Only :mod:`.server` needs the ``mcp`` extra.
"""
