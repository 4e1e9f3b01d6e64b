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
import os
import sys


def _unshadow() -> None:
    """Take the current folder off ``sys.path`` (``python -m docgen``, ``python -c`` put it
    first), so a user's folder named ``assistant``, ``indexer``, ``lsp`` (or ``click``...)
    cannot replace our packages; kept when it is where this package itself lives (a
    source checkout). The console script never had it; the index worker runs with ``-P``.
    """
    cwd = os.getcwd()
    if os.path.dirname(os.path.dirname(os.path.abspath(__file__))) == cwd:
        return
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != cwd]


_unshadow()

import click  # noqa: E402 - after the sys.path fix above

# command name -> (module in this package, attribute holding the click command or group)
_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "index": ("index", "index"),
    "check": ("check", "check"),
    "badge": ("badge", "badge"),
    "generate": ("generate", "generate"),
    "model": ("model_cmds", "model"),
    "dataset": ("dataset", "dataset"),
    "serve": ("serve", "serve"),
    "mcp": ("mcp_cmd", "mcp"),
    "stats": ("stats_cmd", "stats"),
    "batch": ("batch", "batch"),
}


# command name -> its one-line help in `docgen --help`, so listing the commands imports none
# of their modules (serve's alone pulls in the language server: seconds); a command missing
# here is imported for its help instead
_SHORT_HELP: dict[str, str] = {
    "index": "Index PATH into PATH/.docgen/ (incremental, by content hash).",
    "check": "List undocumented public symbols and the coverage (no model).",
    "badge": "Write an SVG badge with the docstring coverage of PATHS.",
    "generate": "Draft missing or stale docstrings (--diff, --write, --check).",
    "model": "Export and inspect the drafting model (T5).",
    "dataset": "Build and inspect the training dataset of the drafting model.",
    "serve": "Run the docgen language server (stdio, or --tcp HOST:PORT).",
    "mcp": "Serve docgen's tools to MCP clients (coding agents) over stdio.",
    "stats": "Show a language server stats file (latency, tiers, caches).",
    "batch": "Document the repositories a manifest lists (local pool or Ray).",
}


class _LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in _SHORT_HELP and name not in self.commands:
                rows.append((name, _SHORT_HELP[name]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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
@click.version_option(package_name="docgen-assistant", prog_name="docgen")
def cli() -> None:
    """docgen: retrieval-augmented documentation for your code, offline."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (usage errors exit 2)."""
    from indexer.extras import MissingExtra

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
    except MissingExtra as exc:  # an optional dependency: one line naming the extra
        click.echo(f"docgen: {exc}", err=True)
        return 1
    return int(result or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
