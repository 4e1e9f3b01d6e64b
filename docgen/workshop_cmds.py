"""The workshop's commands ``docgen model train`` and ``docgen model eval``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from assistant.workshop.training.config import TrainConfig


@click.command("train")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="examples.jsonl.xz from `docgen dataset build`.",
)
@click.option(
    "--tokenizer",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Folder with tokenizer.json.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Checkpoint folder to write.",
)
@click.option(
    "--resume",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Checkpoint to continue from.",
)
@click.option("--preset", default=TrainConfig.preset, show_default=True, help="Model shape.")
@click.option(
    "--minutes", default=TrainConfig.minutes, show_default=True, help="Training time of this run."
)
@click.option(
    "--schedule-minutes",
    type=float,
    default=TrainConfig.schedule_minutes,
    help="Total training time the learning-rate schedule spans.",
)
@click.option(
    "--batch-size", default=TrainConfig.batch_size, show_default=True, help="Examples per step."
)
@click.option(
    "--max-steps",
    type=int,
    default=TrainConfig.max_steps,
    help="Stop after this many steps (default: only the time limit).",
)
@click.option("--device", default=TrainConfig.device, show_default=True, help="auto, cpu or cuda.")
@click.option(
    "--minilm",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Packed MiniLM to compute missing neighbour evidence.",
)
def train(
    data: Path,
    tokenizer: Path,
    out: Path,
    resume: Path | None,
    preset: str,
    minutes: float,
    schedule_minutes: float | None,
    batch_size: int,
    max_steps: int | None,
    device: str,
    minilm: Path | None,
) -> None:
    """Train (or continue training) the drafting T5 on a built dataset."""
    from indexer.extras import require

    for module in ("torch", "transformers"):
        require(module, "docgen model train", "train")
    from assistant.workshop.training.train import train as run_training

    config = TrainConfig(
        data=data,
        tokenizer=tokenizer,
        out=out,
        resume=resume,
        preset=preset,
        minutes=minutes,
        schedule_minutes=schedule_minutes,
        batch_size=batch_size,
        max_steps=max_steps,
        device=device,
        minilm=minilm,
    )
    result = run_training(config)
    click.echo(json.dumps(result.to_dict()))


@click.command("eval")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="examples file with neighbour evidence filled for the split.",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Model folder [default: the shipped model].",
)
@click.option(
    "--backend",
    type=click.Choice(["onnx", "pytorch"]),
    default="onnx",
    show_default=True,
    help="Run the model with ONNX Runtime or PyTorch.",
)
@click.option("--split", default="test", show_default=True, help="Which split's packages to score.")
@click.option("--limit", default=1000, show_default=True, help="Examples per situation.")
@click.option("--per-package", default=150, show_default=True, help="Examples per package at most.")
@click.option(
    "--similar-in",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Neighbour ids (e.g. checkpoints/docgen-t5/similar.json.xz).",
)
@click.option(
    "--max-new-tokens", default=32, show_default=True, help="Longest summary drafted, in tokens."
)
@click.option(
    "--num-beams", default=4, show_default=True, help="Beams (the candidates of `product`)."
)
@click.option(
    "--no-repeat-ngram-size",
    default=3,
    show_default=True,
    help="Never repeat a run of this many tokens (the pipeline's default; 0: off).",
)
@click.option("--baselines-only", is_flag=True, help="Score only the baselines (no model).")
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the report as JSON here.",
)
def evaluate(
    data: Path,
    model_dir: Path | None,
    backend: str,
    split: str,
    limit: int,
    per_package: int,
    similar_in: Path | None,
    max_new_tokens: int,
    num_beams: int,
    no_repeat_ngram_size: int,
    baselines_only: bool,
    json_out: Path | None,
) -> None:
    """Smoothed BLEU-4 of the model, the product and baselines, in-repo and cold, on held-out
    packages (`product`: what `docgen generate` writes, refinement's pick among the beams,
    the neighbours' adapted summaries and the name)."""
    from rich.console import Console
    from rich.table import Table

    from assistant.workshop.evaluation.evaluate import evaluate_model
    from assistant.workshop.training.data import apply_similar, load_examples

    records = load_examples(data)
    if similar_in is not None:
        apply_similar(records, similar_in)
    if not any(r["split"] == split and r.get("similar") is not None for r in records):
        raise click.UsageError(
            f"no {split} record of {data} has neighbour evidence; run "
            "`python -m assistant.workshop.dataset.neighbours` on it first"
        )
    draft = None
    if not baselines_only:
        from assistant.draft import Drafter, candidates_config
        from assistant.engine import load_generator

        config = candidates_config(num_beams, max_new_tokens, no_repeat_ngram_size)
        draft = Drafter(load_generator(model_dir, backend=backend), config).draft

    report = evaluate_model(
        records, None, split=split, limit=limit, per_package=per_package, draft=draft
    )
    table = Table(title=f"smoothed BLEU-4 on {split} packages ({len(report.packages)})")
    table.add_column("system")
    for situation in report.scores:
        table.add_column(f"{situation} (n={report.counts[situation]})", justify="right")
    systems = sorted({s for scores in report.scores.values() for s in scores})
    for system in systems:
        table.add_row(system, *[f"{report.scores[s].get(system, 0):.2f}" for s in report.scores])
    Console().print(table)
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_dict(), indent=1))
