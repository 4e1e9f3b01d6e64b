"""Composition root of the language server: build :class:`~lsp.state.DocgenServer`,
register every feature module on it, and run it (``docgen serve``, ``python -m lsp``).

The state lives in :mod:`lsp.state`; the handlers in :mod:`lsp.lifecycle`,
:mod:`lsp.hover`, :mod:`lsp.actions` and :mod:`lsp.workspace` (which publishes
:mod:`lsp.diagnostics`). Nothing imports this module but the entry points.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lsp import actions, hover, lifecycle, workspace
from lsp.state import DocgenServer


def create_server(stats_file: Path | None = None) -> DocgenServer:
    """Build the server with every feature registered."""
    server = DocgenServer(stats_file)
    lifecycle.register(server)
    hover.register(server)
    actions.register(server)
    workspace.register(server)
    return server


def parse_tcp(value: str) -> tuple[str, int]:
    """Parse ``HOST:PORT`` for ``--tcp``.

    Raises:
        ValueError: Not a host and a port in 1..65535.
    """
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("expected HOST:PORT, e.g. 127.0.0.1:2087")
    return host, int(port)


def configure_logging(log_file: Path | None = None, verbose: bool = False) -> None:
    """Log to ``log_file`` (info, or debug when ``verbose``), else to stderr (warnings,
    or debug when ``verbose``): stdout carries the protocol."""
    level = logging.DEBUG if verbose else logging.WARNING
    if log_file is not None:
        logging.basicConfig(filename=log_file, level=level if verbose else logging.INFO)
    else:
        logging.basicConfig(level=level)


def serve(
    tcp: tuple[str, int] | None = None,
    stats_file: Path | None = None,
    log_file: Path | None = None,
    verbose: bool = False,
) -> None:
    """Run the server on stdio, or on TCP when ``tcp`` is ``(host, port)``."""
    configure_logging(log_file, verbose)
    server = create_server(stats_file)
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)
    server.write_stats_file()
