"""Index the workspace in a child process: ``python -m lsp.index_worker ROOT [PATH...]``.

The language server runs every index job here rather than in its own process, so that
the embedding model (torch) and the parsing work never compete with the server's event
loop for the GIL (hover stays fast while indexing) and their memory goes back to the
system when the job ends. Killing the child at any moment is safe: the index is written
in transactions and atomic replacements.

Protocol: one JSON object per line on stdout: ``{"progress": [done, total, path]}``
while files are read, then ``{"summary": {...}}``; errors go to stderr with exit code 1.
Without paths the whole workspace is indexed; with paths only those files are updated
(deleted ones are removed from the index).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from indexer.index import IndexConfig, IndexSummary

logger = logging.getLogger(__name__)


def index_config(root: Path) -> IndexConfig:
    """Return the ``IndexConfig`` from ``[tool.docgen]`` (defaults when unreadable)."""
    from indexer.config import find_pyproject, load_tool_config
    from indexer.index import IndexConfig

    try:
        return IndexConfig.from_tool_config(load_tool_config(find_pyproject(root)))
    except Exception as exc:  # noqa: BLE001 - a bad [tool.docgen] must not stop indexing
        print(f"ignoring [tool.docgen]: {exc}", file=sys.stderr)
        return IndexConfig()


def summary_dict(result: IndexSummary) -> dict[str, Any]:
    """The JSON-ready fields of an ``IndexSummary``."""
    return {
        "files": result.files,
        "parsed": result.parsed,
        "unchanged": result.unchanged,
        "deleted": result.deleted,
        "symbols": result.symbols,
        "skipped": sum(result.skipped.values()),
        "warnings": list(result.warnings)[:20],
        "seconds": round(result.seconds, 2),
    }


def summary_line(data: dict[str, Any]) -> str:
    """One human line from :func:`summary_dict` output."""
    text = (
        f"{data['files']} files ({data['parsed']} parsed, {data['unchanged']} unchanged, "
        f"{data['deleted']} removed), {data['symbols']} symbols"
    )
    if data.get("skipped"):
        text += f", {data['skipped']} skipped"
    return f"{text} in {data['seconds']:.1f} s"


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Run one index job; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m lsp.index_worker")
    parser.add_argument("root", type=Path)
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    root = args.root.resolve()
    if not root.is_dir():
        print(f"not a folder: {root}", file=sys.stderr)
        return 1
    from indexer.index import update_index, update_paths

    def progress(done: int, total: int, path: str) -> None:
        _emit({"progress": [done, total, str(path)]})

    config = index_config(root)
    try:
        if args.paths:
            result = update_paths(root, args.paths, config, progress)
        else:
            result = update_index(root, config, progress)
    except Exception as exc:  # noqa: BLE001 - reported to the server, which shows it
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    _emit({"summary": summary_dict(result)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
