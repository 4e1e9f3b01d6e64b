"""``docgen serve``: a click wrapper over :func:`lsp.server.serve` (stdio by default)."""

from __future__ import annotations

from pathlib import Path

import click

from lsp.server import parse_tcp
from lsp.server import serve as run_server


def _parse_tcp(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        return parse_tcp(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


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
    run_server(tcp=tcp, stats_file=stats_file, log_file=log_file, verbose=verbose)
