"""The indexer: walk a repository, parse it with tree-sitter, decide which symbols need a
docstring (:mod:`indexer.coverage`), embed them and keep the FAISS + SQLite index. It imports
nothing else of docgen's."""
