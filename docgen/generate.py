"""``docgen generate``: draft missing (and optionally stale) docstrings over paths.

A thin layer over :func:`assistant.bulk.document_paths`: validate the option combination,
find the repository root from the paths as given (:mod:`docgen._paths`; a path whose real
location is outside it is skipped and named), build one settings object (``[tool.docgen]``
of the repository's pyproject.toml or ``--config``, then the flags), run, print, return the
exit code:

- 0: done (without ``--write`` nothing is ever modified); with ``--check``: nothing would
  change;
- 1: ``--check`` found files that would change, an edit was refused (it would not parse), a
  file changed during the run, a file could not be processed, or the model could not be
  loaded;
- 2: usage or configuration error (a PATH or ``--root`` that does not exist, a malformed
  pyproject.toml, contradicting options).

stdout carries only the requested output (text listing, ``--diff``, ``--check``'s list of
files or ``--format json`` lines, each printed and flushed as soon as its record is final,
so a consumer reads them while the run goes on); progress (a live bar with drafts/s on a
terminal), notes, warnings and the closing summary go to stderr. ``-q`` leaves only errors
on stderr; ``-v`` names every skipped file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from docgen._config import read_tool_config, refuse_outside, warn_about_config
from docgen._output import (
    ConfigProblem,
    console,
    exclude_option,
    quiet_library_logs,
    refuse_quiet_verbose,
    say,
    skipped,
)
from docgen._paths import absolute, root_for

if TYPE_CHECKING:  # imported when a command runs, so ``docgen --help`` stays quick
    from assistant.bulk import BulkReport
    from assistant.pipeline import DocResult, PipelineSettings


def settings_for(
    root: Path, overrides: dict, config: Path | None, exclude: tuple[str, ...], quiet: bool
) -> PipelineSettings:
    from assistant.pipeline import PipelineSettings
    from indexer.config import ConfigError

    pyproject = root / "pyproject.toml"
    if config is not None:
        table = read_tool_config(config, explicit=True)
    else:
        table = read_tool_config(pyproject if pyproject.is_file() else None)
    if not quiet:
        warn_about_config(table)
    if exclude:  # added to the file's patterns, as on `docgen check`
        existing = table.get("exclude", [])
        if isinstance(existing, str):
            existing = [existing]
        if isinstance(existing, list):
            table["exclude"] = list(dict.fromkeys([*existing, *exclude]))
    table.update({key: value for key, value in overrides.items() if value is not None})
    try:
        return PipelineSettings.from_tool_config(table)
    except ConfigError as exc:
        where = config or pyproject
        raise ConfigProblem(f"{where}: {exc}") from exc


class DraftBar:
    """A rich progress bar on stderr, one task per stage, with its rate (drafts/s while
    drafting); silent when stderr is not a terminal."""

    def __init__(self, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TimeElapsedColumn,
        )
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task) -> Text:  # type: ignore[no-untyped-def]
                speed = task.finished_speed or task.speed
                unit = _UNITS.get(str(task.description), "files")
                return Text(f"{speed:.1f} {unit}/s" if speed else "", "progress.data.speed")

        stderr = console()
        self.progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            Rate(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            disable=not (enabled and stderr.is_terminal),
        )
        self.tasks: dict[str, int] = {}

    def __call__(self, stage: str, advance: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], advance=advance, total=total)

    def __enter__(self) -> DraftBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


_UNITS = {"draft": "drafts", "parse": "files", "write": "files"}


def _summary_line(report: BulkReport, output: str, would_change: list[str]) -> str:
    counts = report.counts
    parts = [
        f"{counts['missing']} missing drafted ({counts['cached']} cached)",
        f"{counts['stale']} stale updated",
        f"{counts['files']} files in {report.seconds:.1f}s",
    ]
    if counts["skipped"]:
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items()))
        parts.append(f"skipped: {reasons}")
    if output == "write":
        parts.append(f"{counts['written']} files written")
    elif output == "check":
        parts.append(f"{len(would_change)} files would change (nothing written)")
    elif output != "diff":
        parts.append("nothing written (use --diff to review, --write to apply)")
    if counts["low_confidence"]:
        parts.append(report.low_confidence_message(output in ("write", "check")))
    return "; ".join(parts)


def drafting_options(command):
    """Add the options that say how drafts are made, shared by ``generate`` and ``batch``:
    ``--style``, ``--model``, ``--backend``, ``--cache-dir``, ``--no-cache``,
    ``--min-confidence``, ``--threads`` and ``--beams``."""
    options = [
        click.option(
            "--style",
            type=click.Choice(["auto", "google", "numpy", "sphinx", "pep257"]),
            default=None,
            help="Python docstring style (default: the repository's majority).",
        ),
        click.option(
            "--model", default=None, help="T5 folder or hub id (default: embedded model)."
        ),
        click.option(
            "--backend",
            type=click.Choice(["onnx", "pytorch"]),
            default=None,
            help="Run the model with ONNX Runtime (default) or PyTorch.",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help="Folder of the output cache (default: the user cache dir, or $DOCGEN_CACHE_DIR).",
        ),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the output cache."),
        click.option(
            "--min-confidence",
            type=click.FloatRange(0.0, 1.0),
            default=None,
            help="Write no draft below this confidence, 0..1 (default: the calibrated floor, "
            "0.6; 0 writes every draft). Listings, --diff and JSON records show every draft.",
        ),
        click.option(
            "--threads",
            type=click.IntRange(min=1),
            default=None,
            help="CPU threads for the model (default: ONNX Runtime's choice).",
        ),
        click.option("--beams", type=click.IntRange(min=1), default=None, help="Beam width."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def drafting_overrides(
    style: str | None,
    model: str | None,
    backend: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    min_confidence: float | None,
    threads: int | None,
    beams: int | None,
    no_index: bool,
) -> dict:
    """The ``PipelineSettings`` overrides of :func:`drafting_options` and ``--no-index``
    (None: not given, ``[tool.docgen]`` or the default applies)."""
    return {
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


def bulk_mode(stale_only: bool, update_stale: bool) -> str:
    """The bulk run's mode (``assistant.bulk.MODES``) from ``--stale-only``/``--update-stale``."""
    return "stale" if stale_only else "all" if update_stale else "missing"


@click.command(name="generate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--update-stale", is_flag=True, help="Also update stale docstrings' parameters.")
@click.option("--stale-only", is_flag=True, help="Only update stale docstrings; draft nothing.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option("--write", is_flag=True, help="Apply the edits to the files (atomically).")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; list the files that would change and exit 1 if there are any "
    "(like `ruff format --check`).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object per symbol per line (fields: README, 'JSON records').",
)
@drafting_options
@click.option("--no-index", is_flag=True, help="Do not update the index first.")
@click.option(
    "--no-corpus",
    is_flag=True,
    help="Do not use the shipped cold-start corpus (summaries and parameter descriptions "
    "from the repository and the model only; [tool.docgen] corpus = false).",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Repository root (default: the nearest folder above the first PATH holding "
    ".docgen/, pyproject.toml or .git).",
)
@exclude_option
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="pyproject.toml with a [tool.docgen] table (default: the repository root's).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr: no progress, no notes.")
@click.option("-v", "--verbose", is_flag=True, help="Name every skipped file with its reason.")
def generate(
    paths: tuple[Path, ...],
    update_stale: bool,
    stale_only: bool,
    show_diff: bool,
    write: bool,
    check_only: bool,
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
    no_corpus: bool,
    root: Path | None,
    exclude: tuple[str, ...],
    config: Path | None,
    quiet: bool,
    verbose: bool,
) -> int:
    """Draft missing docstrings for PATHS (default: the current folder).

    Nothing is written without --write; --diff shows what would change, --check lists the
    files that would change. Exit status: 0 done, 1 --check found changes or a file could
    not be documented, 2 usage or configuration error.
    """
    if show_diff and write:
        raise click.UsageError("--diff shows the edits without writing; use one of --diff, --write")
    if check_only and write:
        raise click.UsageError("--check writes nothing; use one of --check, --write")
    if show_diff and fmt == "json":
        raise click.UsageError("--diff and --format json both use stdout; choose one")
    if stale_only and update_stale:
        raise click.UsageError("--stale-only already implies --update-stale")
    refuse_quiet_verbose(quiet, verbose)
    targets = list(paths) or [Path.cwd()]
    for path in targets:
        if not path.exists() and not path.is_symlink():
            raise click.BadParameter(f"{path} does not exist", param_hint="PATHS")
    root = absolute(root) if root is not None else root_for(targets)
    inside = refuse_outside(targets, root, announce=not quiet)
    overrides = drafting_overrides(
        style, model, backend, cache_dir, no_cache, min_confidence, threads, beams, no_index
    )
    overrides["corpus"] = False if no_corpus else None
    settings = settings_for(root, overrides, config, exclude, quiet)
    mode = bulk_mode(stale_only, update_stale)
    output = "write" if write else "check" if check_only else "diff" if show_diff else "list"
    return _run(root.resolve(), settings, inside, mode, output, show_diff, fmt, quiet, verbose)


def _run(
    root: Path,
    settings: PipelineSettings,
    targets: list[Path],
    mode: str,
    output: str,
    show_diff: bool,
    fmt: str,
    quiet: bool,
    verbose: bool,
) -> int:
    from assistant.bulk import document_paths
    from assistant.pipeline import DocPipeline, EngineError, RankerError

    quiet_library_logs()  # the notes come back in the report, printed once below
    write = output == "write"
    pipeline = DocPipeline(root, settings)

    def emit(result: DocResult) -> None:  # one JSON line per record, as soon as it is final
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()

    try:
        with DraftBar(not quiet) as bar:
            report = document_paths(
                pipeline,
                targets,
                mode=mode,
                write=write,
                diff=show_diff or output == "check",
                progress=bar,
                hold_back=output in ("write", "check"),
                on_result=emit if fmt == "json" else None,
            )
    except (EngineError, RankerError) as exc:
        say(f"cannot draft: {exc}", "error")
        return 1
    finally:
        pipeline.close()
    would_change = _changed_files(report.diff) if output == "check" else []
    if fmt == "json":
        pass  # printed as each record was final
    elif show_diff:
        sys.stdout.write(report.diff)
    elif output == "check":
        for rel in would_change:
            click.echo(f"would change {rel}")
    elif not (quiet and write):
        _print_text(report)
    for line in [*report.refused, *report.changed, *report.errors]:
        say(line, "error")
    if verbose:
        skipped(report.skipped_paths)
    if not quiet:
        for note in report.notes:
            say(note, "note")
        say(_summary_line(report, output, would_change))
    return max(report.exit_code, 1 if would_change else 0)


def _changed_files(diff: str) -> list[str]:
    """The files a unified diff of :func:`assistant.bulk.unified_diff` changes."""
    return [line[len("+++ b/") :] for line in diff.splitlines() if line.startswith("+++ b/")]


def _print_text(report: BulkReport) -> None:
    for result in report.results:
        flags = ", cached" if result.cached else ""
        if result.below_floor:
            flags += ", below the confidence floor"
        what = "update" if result.action == "update" else "draft"
        click.echo(
            f"{result.path}:{result.line}: {what} {result.kind} {result.qualname} "
            f"(confidence {result.confidence:.2f}{flags})"
        )
        for line in result.docstring.splitlines():
            click.echo(f"    {line}".rstrip())
