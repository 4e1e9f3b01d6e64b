"""``docgen check --stale [--select CODES] [--ignore CODES]``: the drift gate.

The options live here (one decorator) so that :mod:`docgen.check` only calls
:func:`drift_options` and :func:`run_drift`. Codes are ruff-style prefixes (``DG1``,
``DG101``, ``ALL``); the longest matching prefix decides, and a tie goes to ``--ignore``.
Without ``--select`` every code except ``DG001`` (the coverage check's own) and ``DG120``
(see :mod:`assistant.findings`) is selected. ``--select``/``--ignore`` imply ``--stale``.
Like every option of ``docgen check`` they may be set in ``[tool.docgen]``: ``stale = true``,
``select = ["DG1"]``, ``ignore = ["DG103"]`` (lists).
"""

from __future__ import annotations

from pathlib import Path

import click

from assistant.drift_scan import DriftReport, scan
from assistant.findings import CODES, parse_codes
from indexer.walker import WalkOptions

CODES_HELP = ", ".join(CODES)


def drift_options(command):
    """Add ``--stale``, ``--select`` and ``--ignore`` to a click command."""
    command = click.option(
        "--ignore",
        "ignore",
        multiple=True,
        metavar="CODES",
        help="Finding codes (prefixes) not to report, e.g. DG103,DG2.",
    )(command)
    command = click.option(
        "--select",
        "select",
        multiple=True,
        metavar="CODES",
        help="Report only these finding codes (prefixes, ALL); implies --stale. "
        f"Codes: {CODES_HELP}.",
    )(command)
    return click.option(
        "--stale",
        is_flag=True,
        help="Also check documented symbols against their code (DG1xx, DG2xx findings); "
        "exit 1 when any remain.",
    )(command)


def wanted(params: dict) -> tuple[bool, list[str], list[str]]:
    """Whether the drift check runs, and its selected and ignored codes.

    Raises:
        click.BadParameter: An unknown code.
    """
    try:
        select = parse_codes(list(params.get("select") or ()))
        ignore = parse_codes(list(params.get("ignore") or ()))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--select/--ignore") from exc
    on = bool(params.get("stale") or select or ignore)
    return on, select, ignore


def run_drift(
    targets: list[Path],
    root: Path,
    exclude: list[str],
    max_file_bytes: int | None,
    select: list[str],
    ignore: list[str],
    style: str,
) -> DriftReport:
    """Scan ``targets`` for drift (no model)."""
    walk = WalkOptions(exclude=exclude)
    if max_file_bytes is not None:
        walk.max_file_bytes = max_file_bytes
    return scan(targets, root, walk, select, ignore, style if style != "auto" else "google")


def drift_notes(report: DriftReport):
    """What ``docgen check`` prints after its summary line when the drift check ran: the
    drift tally over the findings left (after suppressions and the baseline), and the
    files it could not check (on stderr). Returns a function of the findings left."""

    def notes(left: list) -> list[tuple[str, bool]]:
        drifted = [f for f in left if f.code != "DG001"]
        counts: dict[str, int] = {}
        for finding in sorted(drifted, key=lambda f: f.code):
            counts[finding.code] = counts.get(finding.code, 0) + 1
        line = f"drift: {len(drifted)} findings in {report.files} files"
        if counts:
            fixable = sum(1 for f in drifted if getattr(f, "fixable", False))
            tally = ", ".join(f"{code} {n}" for code, n in counts.items())
            line += f" ({tally}); {fixable} fixable with `docgen generate --stale-only --write`"
        failed = [
            (f"drift not checked in {path}: {reason}", True) for path, reason in report.failed
        ]
        return [(line, False), *failed]

    return notes
