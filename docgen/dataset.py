"""``docgen dataset``: build the drafting model's training data from local code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_STDLIB = (
    Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
)


@click.group()
def dataset() -> None:
    """Build and inspect the training dataset of the drafting model."""


@dataset.command("build")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Output folder (caches make a rerun resume).",
)
@click.option("--stdlib/--no-stdlib", default=True, help="Harvest the Python standard library.")
@click.option(
    "--stdlib-path",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help=f"Standard library folder [default: {DEFAULT_STDLIB}].",
)
@click.option(
    "--archives",
    "folders",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of wheels/sdists, searched recursively (repeatable).",
)
@click.option("--max-packages", default=1200, show_default=True, help="Packages harvested.")
@click.option("--max-files", default=300, show_default=True, help="Python files per package.")
@click.option("--max-records", default=1500, show_default=True, help="Examples per package.")
@click.option("--workers", default=2, show_default=True, help="Parser processes.")
def build(
    out: Path,
    stdlib: bool,
    stdlib_path: Path | None,
    folders: tuple[Path, ...],
    max_packages: int,
    max_files: int,
    max_records: int,
    workers: int,
) -> None:
    """Harvest (code, summary) pairs, filter, dedup, split by package, add callee evidence.

    Similar-symbol evidence needs all-MiniLM embeddings: fill it afterwards with
    ``python -m assistant.workshop.dataset.neighbours`` or ``train.py --minilm`` (on a GPU).
    """
    from rich.progress import Progress

    from indexer.extras import require

    require("datasketch", "docgen dataset build", "train")
    from assistant.workshop.dataset.build import BuildConfig, build_dataset

    if not stdlib and not folders:
        raise click.UsageError("nothing to harvest: give --archives DIR or keep --stdlib")
    config = BuildConfig(
        out=out,
        stdlib=(stdlib_path or DEFAULT_STDLIB) if stdlib else None,
        folders=list(folders),
        max_packages=max_packages,
        max_files=max_files,
        max_records=max_records,
        workers=workers,
    )
    if config.stdlib is not None and not config.stdlib.is_dir():
        raise click.UsageError(f"standard library not found at {config.stdlib}; use --stdlib-path")
    with Progress(transient=False) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        manifest = build_dataset(config, progress)
    used = sum(1 for p in manifest["packages"] if p.get("used"))
    click.echo(f"examples per split: {manifest['examples']}")
    click.echo(f"packages used: {used}; duplicates dropped: {manifest['dedup_dropped']}")
    click.echo(f"wrote {out / 'examples.jsonl.gz'} and {out / 'manifest.json'}")
