"""``docgen batch MANIFEST``: document many repositories, locally or on a Ray cluster.

A thin layer over :func:`assistant.batch.run.run_batch`: read the manifest (format:
:mod:`assistant.batch.manifest`), build each repository's settings exactly as ``docgen
generate`` does (its ``[tool.docgen]`` or ``--config``, then the flags), pick the executor
(a local process pool, or Ray with ``--ray``), show progress, print the summary. Exit status
(README's table): 0 every repository done or unchanged; 1 a repository failed, an edit was
refused or a file could not be processed, or ``--ray`` without Ray installed; 2 usage
errors and a malformed manifest.
"""

from __future__ import annotations

from pathlib import Path

import click

from docgen._output import exclude_option, quiet_library_logs, say
from docgen.generate import (
    DraftBar,
    bulk_mode,
    drafting_options,
    drafting_overrides,
    settings_for,
)


@click.command(name="batch")
@click.argument("manifest", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Output folder: per repository records.jsonl, docstrings.patch, check.json; "
    "summary.md and summary.json.",
)
@click.option(
    "--ray",
    "ray_address",
    default=None,
    metavar="ADDRESS",
    help="Run on Ray: 'local' (a private one-machine cluster), 'auto' (the cluster of "
    "`ray start`), or a cluster address (ray://HOST:10001). Default: a local process pool.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Drafting workers (processes or Ray actors), each holding one model session.",
)
@click.option(
    "--clones",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Where the manifest's git URLs are cloned (default: the manifest's folder).",
)
@click.option("--write", is_flag=True, help="Also apply the edits to the repositories.")
@click.option("--update-stale", is_flag=True, help="Also update stale docstrings' parameters.")
@click.option("--stale-only", is_flag=True, help="Only update stale docstrings; draft nothing.")
@drafting_options
@click.option("--no-index", is_flag=True, help="Do not update the repositories' indexes.")
@exclude_option
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="pyproject.toml with a [tool.docgen] table for every repository.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def batch(
    manifest: Path,
    out: Path,
    ray_address: str | None,
    workers: int,
    clones: Path | None,
    write: bool,
    update_stale: bool,
    stale_only: bool,
    style: str | None,
    model: str | None,
    backend: str | None,
    cache_dir: Path | None,
    no_cache: bool,
    min_confidence: float | None,
    threads: int | None,
    beams: int | None,
    no_index: bool,
    exclude: tuple[str, ...],
    config: Path | None,
    quiet: bool,
) -> int:
    """Document every repository MANIFEST lists; results go to --out.

    MANIFEST lists one repository a line: a path (relative to the manifest) or a git URL
    already cloned under --clones, and optionally a name. Nothing is written into the
    repositories without --write. Repositories whose files and settings are unchanged since
    the last run into the same --out are skipped. Exit status: 0 done, 1 a repository
    failed or an edit was refused, 2 usage error or a malformed manifest.
    """
    from assistant.batch.manifest import ManifestError, read_manifest

    if stale_only and update_stale:
        raise click.UsageError("--stale-only already implies --update-stale")
    try:
        repositories = read_manifest(manifest, clones)
    except ManifestError as exc:
        for line in str(exc).splitlines():
            say(line, "error")
        return 2
    out = out.expanduser().resolve()
    inside = [r.name for r in repositories if out == r.path or r.path in out.parents]
    if inside:
        raise click.BadParameter(
            f"{out} is inside the repository {inside[0]}; choose a folder outside it",
            param_hint="--out",
        )
    overrides = drafting_overrides(
        style, model, backend, cache_dir, no_cache, min_confidence, threads, beams, no_index
    )
    mode = bulk_mode(stale_only, update_stale)
    return _run(
        repositories, overrides, config, exclude, quiet, out, mode, write, ray_address, workers
    )


def _run(repositories, overrides, config, exclude, quiet, out, mode, write, address, workers):
    from assistant.batch.executors import ClusterUnreachable, RayMissing, executor_for
    from assistant.batch.run import run_batch

    quiet_library_logs()
    try:
        executor = executor_for(address, workers)
    except RayMissing as exc:
        say(str(exc))
        return 1
    except ClusterUnreachable as exc:
        say(str(exc), "error")
        return 1
    except Exception as exc:  # noqa: BLE001 - Ray's own connection errors are many
        say(f"cannot reach the Ray cluster at {address}: {exc}", "error")
        return 1

    def repository_settings(repository):
        return settings_for(repository.path, overrides, config, exclude, True)

    try:
        with DraftBar(not quiet) as bar:
            report = run_batch(repositories, repository_settings, executor, out, mode, write, bar)
    finally:
        executor.close()
    for row in report.rows:
        if row.error:
            say(f"{row.name}: {row.error}", "error")
        for problem in row.problems:
            say(f"{row.name}: {problem}", "error")
    if not quiet:
        done = sum(1 for r in report.rows if r.status == "done")
        unchanged = sum(1 for r in report.rows if r.status == "unchanged")
        failed = sum(1 for r in report.rows if r.status == "failed")
        drafts = sum(r.drafts for r in report.rows)
        written = "" if not write else f", {sum(r.written for r in report.rows)} files written"
        say(
            f"{len(report.rows)} repositories: {done} done, {unchanged} unchanged, "
            f"{failed} failed; {drafts} drafts{written} in {report.seconds:.1f}s; "
            f"summary in {out / 'summary.md'}"
            + ("" if write else " (nothing written into the repositories; --write applies)")
        )
    return report.exit_code
