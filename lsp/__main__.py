"""``python -m lsp``: run the docgen language server on stdio (``--tcp HOST:PORT``)."""

from __future__ import annotations

import sys

from assistant.cli.serve import serve

if __name__ == "__main__":
    sys.exit(serve.main(prog_name="python -m lsp"))
