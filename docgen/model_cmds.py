"""``docgen model``: export a T5 to ONNX (int8), show a model folder; mounts train and eval.

``train`` and ``eval`` come from the workshop's commands (:mod:`docgen.workshop_cmds`).

Exit status: 0 done (``info`` also describes a folder that is present but unusable, with
its ``status``); 1 the model could not be exported; 2 usage errors, including an ``info``
MODEL folder that does not exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from docgen._output import Refused
from docgen.workshop_cmds import evaluate, train


class _ModelError(click.ClickException):
    """A model problem, shown as ``Error: <what and what to do>`` with exit code 1."""


@click.group()
def model() -> None:
    """Export and inspect the drafting model (T5)."""


@model.command("export")
@click.argument("model_name", metavar="MODEL")
@click.option("--int8/--fp32", default=True, show_default=True, help="Quantize weights.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: the user cache dir, keyed by model and settings].",
)
@click.option("--revision", default=None, help="Hub revision (hub ids only).")
@click.option("--force", is_flag=True, help="Rebuild even if a valid export exists.")
def export(model_name: str, int8: bool, out: Path | None, revision: str | None, force: bool):
    """Export MODEL (a Hugging Face folder or hub id) to ONNX and print the folder."""
    from rich.console import Console

    from assistant.engine import EngineError, export_model

    console = Console(stderr=True)
    with console.status("exporting") as status:
        try:
            folder = export_model(
                model_name,
                out_dir=out,
                int8=int8,
                revision=revision,
                force=force,
                progress=lambda msg: status.update(msg),
            )
        except EngineError as exc:
            raise _ModelError(str(exc)) from exc
    click.echo(str(folder))


@model.command("info")
@click.argument("model_name", metavar="[MODEL]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info(model_name: str | None, as_json: bool) -> None:
    """Describe MODEL (default: the embedded model) and list cached exports."""
    from assistant.engine import EngineError
    from assistant.engine.info import describe_model

    if model_name is not None and not Path(model_name).expanduser().is_dir():
        raise Refused(
            f"model {model_name} does not exist or is not a folder; give a model folder "
            "(`docgen model export` prints one) or no MODEL for the embedded model"
        )
    try:
        details = describe_model(model_name)
    except EngineError as exc:
        raise _ModelError(str(exc)) from exc
    from indexer.embed import Embedder  # the indexer's embedding path for this CPU, and why

    details["embedder"] = Embedder().describe()
    if as_json:
        click.echo(json.dumps(details, sort_keys=True))
        return
    for key, value in details.items():
        if isinstance(value, dict):
            click.echo(f"{key}:")
            for sub, item in value.items():
                click.echo(f"  {sub}: {item}")
        elif isinstance(value, list):
            click.echo(f"{key}:" + ("" if value else " (none)"))
            for item in value:
                click.echo(f"  {item}")
        else:
            click.echo(f"{key}: {value}")


model.add_command(train)
model.add_command(evaluate)
