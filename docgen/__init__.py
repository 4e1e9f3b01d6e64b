"""The ``docgen`` command line, the composition root: a thin click layer that wires the product.

It stands above everything else (README, "Architecture"): its commands call the language
server (:mod:`lsp`), bulk runs (:mod:`assistant.bulk`), the pipeline core, the indexer and,
for ``docgen model train/eval`` and ``docgen dataset``, the model workshop
(:mod:`assistant.workshop`); nothing imports this package back. Each subcommand lives in its
own module here and is registered below; click is imported only in this package. Subcommand
modules keep heavy imports (torch, transformers, faiss, the model engine) inside the command
functions so that ``docgen check`` stays fast.
"""

from __future__ import annotations

import importlib
import sys

import click

# command name -> (module in this package, attribute holding the click command or group)
_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "index": ("index", "index"),
    "check": ("check", "check"),
    "generate": ("generate", "generate"),
    "model": ("model_cmds", "model"),
    "dataset": ("dataset", "dataset"),
    "serve": ("serve", "serve"),
    "batch": ("batch", "batch"),
}


class _LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_available()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in _SUBCOMMANDS:
            return command
        module_name, attribute = _SUBCOMMANDS[cmd_name]
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                return None
            raise
        return getattr(module, attribute)


def _available() -> list[str]:
    from importlib.util import find_spec

    return [
        name
        for name, (module_name, _attribute) in _SUBCOMMANDS.items()
        if find_spec(f"{__name__}.{module_name}") is not None
    ]


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docgen", prog_name="docgen")
def cli() -> None:
    """docgen: retrieval-augmented documentation for your code, offline."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (usage errors exit 2)."""
    try:
        result = cli.main(args=argv, prog_name="docgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
