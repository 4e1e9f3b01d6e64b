"""The reporting half of ``docgen check``: formats, suppressions, baselines, ``--changed-since``.

:func:`report_options` adds the options; :func:`finish` turns the coverage report (and the
findings of other checks, passed as ``extra``) into the output and the exit status.

Exit status: 1 when coverage is below ``fail-under`` or, when findings gate the check (a
``--baseline``, ``--write-baseline`` or ``--changed-since`` was given, or the caller says
so), when any finding is left; 2 for a baseline that is missing or unreadable, a target
outside the repository, and ``--changed-since`` outside a git work tree or with an
unknown ref.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.core import ParameterSource

from assistant import baseline as baselines
from assistant.changed import ChangedScope, GitProblem
from assistant.findings_report import (
    MISSING_CODE,
    FindingLike,
    Ignored,
    Outcome,
    location,
    missing_findings,
    sort_key,
    sort_out,
)
from assistant.report_formats import FORMATS, render, summary_line
from assistant.safe_output import OutsideRoot, inside
from docgen._output import Refused, say


def report_options(command):
    """Add ``--format``, ``--show-ignored``, ``--baseline``, ``--write-baseline`` and
    ``--changed-since`` to a click command."""
    options = [
        click.option(
            "--format",
            "output_format",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help="Output format: text, json, markdown (PR comments), sarif (code scanning), "
            "junit (CI test reports).",
        ),
        click.option(
            "--show-ignored",
            is_flag=True,
            help="Also list findings silenced by '# docgen: ignore' comments.",
        ),
        click.option(
            "--baseline",
            "baseline",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Fail only on findings not in this baseline file.",
        ),
        click.option(
            "--write-baseline",
            "write_baseline",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write today's findings to this baseline file, then check against it.",
        ),
        click.option(
            "--changed-since",
            "changed_since",
            metavar="REF",
            help="Gate only definitions changed since this git ref (branch, tag, commit).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


_GATES = ("baseline", "write_baseline", "changed_since")


def gating(params: dict) -> bool:
    """Whether the options make every remaining finding a failure."""
    return any(params.get(name) for name in _GATES)


def finish(
    ctx: click.Context,
    report,
    root: Path,
    params: dict,
    *,
    quiet: bool = False,
    extra: list[FindingLike] | tuple = (),
    gate_findings: bool = False,
    gated: Callable[[str], bool] | None = None,
    notes: Callable[[list[FindingLike]], list[tuple[str, bool]]] | tuple = (),
) -> None:
    """Print the report in the chosen format and exit with the check's status.

    Args:
        ctx: The command's context (for the exit).
        report: The ``indexer.coverage.CoverageReport``.
        root: The repository root.
        params: The command's parameters (those of :func:`report_options` are read).
        quiet: Print only the summary line (text format).
        extra: Findings of other checks (drift), silenced here by the same directives.
        gate_findings: Their findings fail the check even without a baseline.
        gated: Which codes fail the check when findings gate it (``--select``/``--ignore``);
            ``None``: every code.
        notes: Lines to print after the summary (text format), from the findings left;
            each ``(line, to_stderr)``.
    """
    params = dict(params)
    for name in ("baseline", "write_baseline"):  # from [tool.docgen]: relative to the root
        value = params.get(name)
        if value is not None and not Path(value).is_absolute() and _from_config(ctx, name):
            params[name] = root / value
    outcome = _outcome(report, root, params, list(extra), gate_findings or gating(params))
    outcome.gated = gated
    output_format = params.get("output_format", "text")
    if output_format != "text":
        shown = params.get("show_ignored", False)
        text = render(outcome, output_format, report.to_dict(), shown, root)
        click.echo(text.rstrip("\n"))
        ctx.exit(0 if outcome.passed else 1)
    if not quiet:
        for finding in outcome.findings:
            click.echo(text_line(finding))
        if params.get("show_ignored"):
            for item in outcome.ignored:
                click.echo(f"{text_line(item.finding)} (ignored: {item.by})")
    line = summary_line(outcome)
    if outcome.ignored or outcome.gate_findings:
        line += f"; {outcome.tally()}"
    click.echo(line)
    for note, to_stderr in notes(outcome.findings) if callable(notes) else ():
        click.echo(note, err=to_stderr)
    if report.skipped:
        click.echo("skipped: " + ", ".join(f"{n} {r}" for r, n in report.skipped.items()))
    if report.files_with_errors and not quiet:
        click.echo(f"syntax errors (partly checked): {', '.join(report.files_with_errors)}")
    ctx.exit(0 if outcome.passed else 1)


def _from_config(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source not in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def text_line(finding: FindingLike) -> str:
    """How a finding prints: ``path:line:col kind qualname`` for a missing docstring (as
    ``docgen check`` always printed them), else ``path:line:col: CODE message``."""
    kind = getattr(finding, "kind", None)
    if finding.code == MISSING_CODE and kind:
        return f"{location(finding)} {kind} {finding.qualname}"
    return f"{location(finding)}: {finding.code} {finding.message}"


def _outcome(report, root: Path, params: dict, extra: list, gate: bool) -> Outcome:
    def silenced_by(finding: FindingLike) -> str | None:
        rules = report.suppressions.get(finding.path)
        rule = rules.rule_for(finding.code, finding.qualname, finding.line) if rules else None
        return rule.describe() if rule is not None else None

    findings = missing_findings(report.missing) + extra
    pre = [Ignored(f, silenced_by(f) or "ignore") for f in missing_findings(report.ignored)]
    known_keys = None
    written = params.get("write_baseline")
    if written is not None:
        kept = sort_out(findings, silenced_by)[0]
        _check_inside(root, written, "--write-baseline")
        try:
            count = baselines.write(root, written, kept)
        except OutsideRoot as exc:
            raise Refused(str(exc)) from exc
        except OSError as exc:
            raise Refused(f"cannot write the baseline {written}: {exc.strerror or exc}") from exc
        say(f"wrote {count} findings to the baseline {written}", "note")
        known_keys = baselines.read(written)
    baseline_file = params.get("baseline")
    if baseline_file is not None and written is None:
        _check_inside(root, baseline_file, "--baseline")
        try:
            known_keys = baselines.read(baseline_file)
        except baselines.BaselineError as exc:
            raise Refused(str(exc)) from exc
    scope = None
    ref = params.get("changed_since")
    if ref is not None:
        try:
            scope = ChangedScope.since(root, ref)
        except GitProblem as exc:
            raise Refused(str(exc)) from exc
    left, ignored, known, outside = sort_out(
        findings,
        silenced_by,
        scope.covers if scope is not None else None,
        known_keys,
        baselines.key,
    )
    shown = written if written is not None else baseline_file
    return Outcome(
        findings=left,
        ignored=sorted(pre + ignored, key=lambda item: sort_key(item.finding)),
        known=known,
        outside_change=outside,
        gate_findings=gate,
        coverage=report.coverage,
        documented=report.documented,
        total=report.total,
        files=report.files,
        fail_under=report.fail_under,
        coverage_passed=report.passed,
        baseline=str(shown) if shown is not None else None,
        changed_since=ref,
    )


def _check_inside(root: Path, path: Path, option: str) -> None:
    if not inside(root, Path.cwd() / path):
        raise Refused(f"{option} {path}: points outside the repository {root}")
