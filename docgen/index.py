"""``docgen index``: build or update the repository index under ``.docgen/``.

Exit status: 0 indexed; 1 the index could not be updated (embedder, disk, a store that
cannot be opened), files already indexed are kept; 2 usage or configuration errors,
including a PATH that leads out of its repository through a symlink.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from docgen._config import config_for, config_option, warn_about_config
from docgen._output import Refused, console, exclude_option, refuse_quiet_verbose, say, skipped
from docgen._paths import absolute, find_root, is_outside
from indexer.config import ConfigError

if TYPE_CHECKING:  # imported when the command runs, so ``docgen --help`` stays quick
    from indexer.index import IndexConfig, IndexSummary


@click.command("index")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@exclude_option
@click.option(
    "--max-file-bytes",
    type=click.IntRange(1),
    default=None,
    help="Skip larger files (default 1,000,000).",
)
@click.option("--embed/--no-embed", default=None, help="Compute embeddings (default: yes).")
@click.option(
    "--embedding-model",
    default=None,
    metavar="ID_OR_FOLDER",
    help="Sentence-transformers folder or offline id (default: all-MiniLM-L6-v2).",
)
@click.option(
    "--embedding-backend",
    type=click.Choice(
        ["auto", "torch", "onnx", "onnx-int8", "openvino-fp32", "openvino-bf16"]
    ),  # indexer.embed.BACKENDS (a test keeps them equal; not imported: --help stays quick)
    default=None,
    help="Embedding backend (default: auto, the fastest correct path for this CPU).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no warnings (errors only).")
@click.option("-v", "--verbose", is_flag=True, help="Name every skipped file with its reason.")
@config_option
@click.pass_context
def index(ctx: click.Context, path, exclude, quiet, verbose, **overrides) -> None:
    """Index PATH (default: the current folder): parse, embed, store in PATH/.docgen/.

    Only files whose content changed since the last run are parsed and embedded again;
    deleted files are dropped. Settings come from [tool.docgen]; flags win.
    """
    from indexer.embed import EmbedderError
    from indexer.index import IndexConfig, update_index
    from indexer.store import IndexUnavailable

    refuse_quiet_verbose(quiet, verbose)
    root = _root(path)
    table = config_for(ctx, root)
    if not quiet:
        warn_about_config(table)
    try:
        config = IndexConfig.from_tool_config(table)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    config.exclude = list(dict.fromkeys([*config.exclude, *exclude]))
    for key, value in overrides.items():
        if value is not None:
            setattr(config, key, value)
    try:
        summary = _run(root, config, quiet, update_index)
    except (EmbedderError, IndexUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder...
        raise click.ClickException(
            f"index update failed: {exc}. Files already indexed are kept; "
            "run `docgen index` again once the problem is fixed."
        ) from exc
    _print_summary(root, summary, quiet)
    if verbose:
        skipped(summary.skipped_paths)


def _root(path: str | None) -> Path:
    """PATH as given (links not followed), refused when it leads out of its repository."""
    root = absolute(path or ".")
    repository = find_root(root)
    if repository is not None and is_outside(root, repository):
        raise Refused(
            f"skipped {path}: points outside the repository {repository}; "
            "to index the folder it links to, name that folder itself"
        )
    return root


def _run(
    root: Path,
    config: IndexConfig,
    quiet: bool,
    update_index: Callable[..., IndexSummary],
) -> IndexSummary:
    if quiet:
        return update_index(root, config)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", style="dim"),
    )
    with Progress(*columns, console=console(), transient=True) as progress:
        task = progress.add_task("scanning", total=None)

        def report(done: int, total: int, rel: str) -> None:
            progress.update(task, completed=done, total=total, description=rel[-60:])

        return update_index(root, config, progress=report)


def _print_summary(root: Path, summary: IndexSummary, quiet: bool) -> None:
    click.echo(
        f"indexed {root}: {summary.files} files ({summary.parsed} parsed, "
        f"{summary.unchanged} unchanged, {summary.deleted} removed), "
        f"{summary.symbols} symbols ({summary.symbols_indexed} new, "
        f"{summary.embedded} embedded) in {summary.seconds:.1f} s"
    )
    if summary.files_with_errors:
        click.echo(f"{summary.files_with_errors} files have syntax errors (indexed what parsed)")
    if summary.skipped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in summary.skipped.most_common())
        click.echo(f"skipped: {reasons}")
    if not quiet:
        for warning in summary.warnings:
            say(warning, "warning")
