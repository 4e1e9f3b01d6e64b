"""``python -m lsp``: run the docgen language server (the options of ``docgen serve``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lsp.server import parse_tcp, serve


def _tcp(value: str) -> tuple[str, int]:
    try:
        return parse_tcp(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _file(value: str) -> Path:
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value!r} is a directory")
    return path


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until the client disconnects; return 0."""
    parser = argparse.ArgumentParser(
        prog="python -m lsp",
        description="Run the docgen language server (hover, code actions, diagnostics).",
    )
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", type=_tcp, help="Listen on TCP instead of stdio."
    )
    parser.add_argument(
        "--stats-file",
        metavar="FILE",
        type=_file,
        help="Keep latency percentiles (p50/p95/p99 per request type and model call) "
        "in this JSON file, rewritten every few seconds and at exit.",
    )
    parser.add_argument(
        "--log-file",
        metavar="FILE",
        type=_file,
        help="Write the server log here (default: stderr, warnings only).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="Log at debug level.")
    args = parser.parse_args(argv)
    serve(tcp=args.tcp, stats_file=args.stats_file, log_file=args.log_file, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
