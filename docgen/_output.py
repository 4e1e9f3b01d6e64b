"""What the commands print on stderr: notes, warnings, errors, summaries, skipped files.

One rich console on stderr, in colour on a terminal; plain text (no escape codes at all)
when stderr is not a terminal or ``NO_COLOR`` is set (https://no-color.org). Every line
starts with ``docgen:`` so it reads well inside a pre-commit hook's output. rich is
imported on first use, so ``docgen --help`` stays quick.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import Console

_STYLES = {"note": "cyan", "warning": "yellow", "error": "bold red", "skipped": "dim"}


def console() -> Console:
    """A console on stderr (the current ``sys.stderr``, so captured streams work)."""
    from rich.console import Console

    no_color = os.environ.get("NO_COLOR", "") != ""
    return Console(stderr=True, highlight=False, color_system=None if no_color else "auto")


def exclude_option(command):
    """Add ``--exclude PATTERN`` (repeatable), the patterns ``index``, ``check`` and
    ``generate`` add to ``[tool.docgen] exclude``."""
    return click.option(
        "--exclude",
        multiple=True,
        metavar="PATTERN",
        help="Gitignore-style pattern to skip (repeatable; adds to [tool.docgen]).",
    )(command)


def refuse_quiet_verbose(quiet: bool, verbose: bool) -> None:
    """Raise a usage error (exit 2) when both ``-q`` and ``-v`` are given."""
    if quiet and verbose:
        raise click.UsageError("-q and -v contradict each other; choose one")


def say(message: str, kind: str | None = None) -> None:
    """Print ``docgen: [kind: ]message`` on stderr, the kind in its colour."""
    from rich.text import Text

    text = Text("docgen: ", style="bold")
    if kind in ("note", "warning", "error"):
        text.append(f"{kind}: ", style=_STYLES[kind])
    text.append(message, style=_STYLES.get(kind or "", ""))
    console().print(text, soft_wrap=True)


def skipped(paths: Iterable[tuple[str, str]]) -> None:
    """Name each skipped file with its reason (``-v``)."""
    for rel, reason in paths:
        say(f"skipped {rel}: {reason}", "skipped")


class Refused(click.ClickException):
    """A usage problem shown as one line, ``docgen: <what and what to do>``; exit status 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # click's hook
        say(self.format_message(), "error")


class ConfigProblem(Refused):
    """pyproject.toml cannot be used (exit status 2)."""


def quiet_library_logs() -> None:
    """Keep the core's warning log records off stderr during a command.

    The pipeline logs each note (no index, cache discarded...) as a warning and also
    returns it in its report, which the command prints; without a handler Python's
    last-resort handler would print every note a second time, ``-q`` or not. Errors still
    reach stderr.
    """
    for name in ("assistant", "indexer"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, _ErrorsOnly) for h in logger.handlers):
            logger.addHandler(_ErrorsOnly())


class _ErrorsOnly(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        say(record.getMessage(), "error")
