"""``docgen generate``: draft missing (and optionally stale) docstrings over paths.

A thin layer over :func:`assistant.bulk.document_paths`: validate the option combination,
build one settings object (``[tool.docgen]`` of the repository's pyproject.toml, then the
flags), run, print, return the exit code:

- 0: done (without ``--write`` nothing is ever modified);
- 1: an edit was refused (it would not parse), a file changed during the run, a file
  could not be processed, or the model could not be loaded;
- 2: usage or configuration error.

stdout carries only the requested output (text listing, ``--diff`` or ``--format json``
lines); progress and the closing summary go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported when a command runs, so ``docgen --help`` stays quick
    from assistant.bulk import BulkReport
    from assistant.pipeline import PipelineSettings

_ROOT_MARKERS = (".docgen", "pyproject.toml", ".git")


def find_root(paths: list[Path]) -> Path:
    """Return the repository root for ``paths``: the nearest folder at or above the first
    path holding ``.docgen/``, ``pyproject.toml`` or ``.git`` (else that folder)."""
    first = (paths[0] if paths else Path.cwd()).resolve()
    start = first if first.is_dir() else first.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            return folder
    return start


def _settings(root: Path, overrides: dict) -> PipelineSettings:
    from assistant.pipeline import PipelineSettings
    from indexer.config import ConfigError, load_tool_config

    pyproject = root / "pyproject.toml"
    try:
        table = load_tool_config(pyproject if pyproject.is_file() else None)
        table.update({key: value for key, value in overrides.items() if value is not None})
        return PipelineSettings.from_tool_config(table)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


class _Bar:
    """A rich progress bar on stderr, one task per stage (silent when not a terminal)."""

    def __init__(self, enabled: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = Console(stderr=True)
        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not (enabled and console.is_terminal),
        )
        self.tasks: dict[str, int] = {}

    def __call__(self, stage: str, advance: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], advance=advance, total=total)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _summary_line(report: BulkReport, write: bool, diff: bool) -> str:
    counts = report.counts
    parts = [
        f"{counts['missing']} missing drafted ({counts['cached']} cached)",
        f"{counts['stale']} stale updated",
        f"{counts['files']} files in {report.seconds:.1f}s",
    ]
    if counts["skipped"]:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items()))
        parts.append(f"skipped: {reasons}")
    if write:
        parts.append(f"{counts['written']} files written")
    elif not diff:
        parts.append("nothing written (use --diff to review, --write to apply)")
    if counts["low_confidence"]:
        parts.append(f"{counts['low_confidence']} below min-confidence")
    return "docgen: " + "; ".join(parts)


@click.command(name="generate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--update-stale", is_flag=True, help="Also update stale docstrings' parameters.")
@click.option("--stale-only", is_flag=True, help="Only update stale docstrings; draft nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--write", is_flag=True, help="Apply the edits to the files (atomically).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object per symbol per line (fields: README, 'JSON records').",
)
@click.option(
    "--style",
    type=click.Choice(["auto", "google", "numpy", "sphinx", "pep257"]),
    default=None,
    help="Python docstring style (default: the repository's majority).",
)
@click.option("--model", default=None, help="T5 folder or hub id (default: embedded model).")
@click.option("--backend", type=click.Choice(["onnx", "pytorch"]), default=None)
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the output cache.")
@click.option("--min-confidence", type=click.FloatRange(0.0, 1.0), default=None)
@click.option("--threads", type=click.IntRange(min=1), default=None)
@click.option("--beams", type=click.IntRange(min=1), default=None, help="Beam width.")
@click.option("--no-index", is_flag=True, help="Do not update the index first.")
@click.option("--root", type=click.Path(path_type=Path, file_okay=False), default=None)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar, no summary line.")
def generate(
    paths: tuple[Path, ...],
    update_stale: bool,
    stale_only: bool,
    show_diff: bool,
    write: bool,
    fmt: str,
    style: str | None,
    model: str | None,
    backend: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    min_confidence: float | None,
    threads: int | None,
    beams: int | None,
    no_index: bool,
    root: Path | None,
    quiet: bool,
) -> int:
    """Draft missing docstrings for PATHS (default: the current folder).

    Nothing is written without --write; --diff shows what would change.
    """
    if show_diff and write:
        raise click.UsageError("--diff shows the edits without writing; use one of --diff, --write")
    if show_diff and fmt == "json":
        raise click.UsageError("--diff and --format json both use stdout; choose one")
    if stale_only and update_stale:
        raise click.UsageError("--stale-only already implies --update-stale")
    targets = list(paths) or [Path.cwd()]
    for path in targets:
        if not path.exists():
            raise click.BadParameter(f"{path} does not exist", param_hint="PATHS")
    root = (root or find_root(targets)).resolve()
    overrides = {
        "style": style,
        "model": model,
        "backend": backend,
        "cache_dir": str(cache_dir) if cache_dir else None,
        "use_cache": False if no_cache else None,
        "min_confidence": min_confidence,
        "threads": threads,
        "num_beams": beams,
        "update_index": False if no_index else None,
    }
    settings = _settings(root, overrides)
    mode = "stale" if stale_only else "all" if update_stale else "missing"
    return _run(root, settings, targets, mode, write, show_diff, fmt, quiet)


def _run(
    root: Path,
    settings: PipelineSettings,
    targets: list[Path],
    mode: str,
    write: bool,
    show_diff: bool,
    fmt: str,
    quiet: bool,
) -> int:
    from assistant.bulk import document_paths
    from assistant.pipeline import DocPipeline, EngineError, RankerError

    pipeline = DocPipeline(root, settings)
    try:
        with _Bar(not quiet) as bar:
            report = document_paths(
                pipeline, targets, mode=mode, write=write, diff=show_diff, progress=bar
            )
    except (EngineError, RankerError) as exc:
        click.echo(f"docgen: cannot draft: {exc}", err=True)
        return 1
    finally:
        pipeline.close()
    if fmt == "json":
        for result in report.results:
            click.echo(json.dumps(result.to_json(), ensure_ascii=False))
    elif show_diff:
        sys.stdout.write(report.diff)
    else:
        _print_text(report)
    for line in [*report.refused, *report.changed, *report.errors]:
        click.echo(f"docgen: {line}", err=True)
    if not quiet:
        for note in report.notes:
            click.echo(f"docgen: note: {note}", err=True)
        click.echo(_summary_line(report, write, show_diff), err=True)
    return report.exit_code


def _print_text(report: BulkReport) -> None:
    for result in report.results:
        flags = ", cached" if result.cached else ""
        what = "update" if result.action == "update" else "draft"
        click.echo(
            f"{result.path}:{result.line}: {what} {result.kind} {result.qualname} "
            f"(confidence {result.confidence:.2f}{flags})"
        )
        for line in result.docstring.splitlines():
            click.echo(f"    {line}".rstrip())
