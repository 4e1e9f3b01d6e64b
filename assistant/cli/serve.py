"""``docgen serve``: run the language server (stdio by default)."""

from __future__ import annotations

import logging
from pathlib import Path

import click


def _parse_tcp(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise click.BadParameter("expected HOST:PORT, e.g. 127.0.0.1:2087")
    return host, int(port)


@click.command()
@click.option(
    "--tcp",
    metavar="HOST:PORT",
    callback=_parse_tcp,
    help="Listen on TCP instead of stdio.",
)
@click.option(
    "--stats-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keep latency percentiles (p50/p95/p99 per request type and model call) "
    "in this JSON file, rewritten every few seconds and at exit.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the server log here (default: stderr, warnings only).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def serve(
    tcp: tuple[str, int] | None, stats_file: Path | None, log_file: Path | None, verbose: bool
) -> None:
    """Run the docgen language server (hover, code actions, diagnostics).

    Editors start it over stdio: configure the command `docgen serve`.
    """
    level = logging.DEBUG if verbose else logging.WARNING
    if log_file is not None:
        logging.basicConfig(filename=log_file, level=level if verbose else logging.INFO)
    else:
        logging.basicConfig(level=level)
    from lsp.server import serve as run_server

    run_server(tcp=tcp, stats_file=stats_file)
