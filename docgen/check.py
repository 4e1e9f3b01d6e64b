"""``docgen check``: docstring coverage without loading any model.

Exit status: 0 when coverage is at or above ``fail-under``, 1 below, 2 on usage or
configuration errors. Without any ``fail-under`` (flag or ``[tool.docgen]``) the check
passes at any coverage, and the text output says so on stderr: the ``docgen-check``
pre-commit hook shows that warning (the hook is ``verbose``), so a repository does not run
a check that can never fail without knowing it.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from assistant.findings import selected
from docgen._config import (
    config_option,
    project_root,
    refuse_outside,
    retarget,
    warn_about_config,
)
from docgen._output import exclude_option, refuse_quiet_verbose, say, skipped
from docgen.check_drift import drift_notes, drift_options, run_drift, wanted
from docgen.check_report import finish, gating, report_options
from indexer.coverage import CheckOptions, check_paths

SUGGESTED_FAIL_UNDER = 80
NO_THRESHOLD = (
    "no fail-under is configured, so this check passes at any coverage; "
    f"set `fail-under = {SUGGESTED_FAIL_UNDER}` in [tool.docgen] (or the coverage you have now, "
    "raised over time) or pass --fail-under"
)

_FLAGS = {
    "include_private": "_private names",
    "include_magic": "dunder methods other than __init__",
    "include_nested": "functions and classes nested in functions",
    "include_init": "__init__ methods",
    "include_property_setters": "property setters and deleters",
    "include_module": "module docstrings",
    "include_stubs": "stubs (.pyi files, functions whose body is only ...)",
}


def _flag_options(command):
    for name, what in reversed(_FLAGS.items()):
        flag = name.replace("_", "-")
        default = name == "include_module"
        command = click.option(
            f"--{flag}/--no-{flag}", name, default=default, help=f"Count {what}."
        )(command)
    return command


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    default=0.0,
    show_default=True,
    help="Exit 1 when coverage (%) is below this.",
)
@report_options
@exclude_option
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line (and errors).")
@click.option("-v", "--verbose", is_flag=True, help="Name every skipped file with its reason.")
@_flag_options
@drift_options
@config_option
@click.pass_context
def check(ctx: click.Context, paths, fail_under, exclude, quiet, verbose, **flags) -> None:
    """Report public symbols without docstrings in PATHS (default: the current folder).

    Each missing docstring (code DG001) prints as `path:line:col kind qualname`. With
    --stale (or --select/--ignore) docstrings are also checked against their code: each
    finding prints as `path:line:col: CODE message`. Exit status: 0 when coverage is at or
    above --fail-under and no selected finding is left, 1 otherwise (with --stale,
    --baseline or --changed-since every finding left fails), 2 on usage errors. Settings
    come from
    [tool.docgen] in pyproject.toml; flags win.
    """
    refuse_quiet_verbose(quiet, verbose)
    table = retarget(ctx, paths)
    if not quiet:
        warn_about_config(table)
    fail_under, exclude = ctx.params["fail_under"], ctx.params["exclude"]
    flags = {name: ctx.params[name] for name in _FLAGS}
    root = project_root(ctx, paths)
    patterns = list(dict.fromkeys([*_as_list(table.get("exclude")), *exclude]))
    options = CheckOptions(fail_under=fail_under, exclude=patterns, **flags)
    if "max_file_bytes" in table:
        options.max_file_bytes = int(table["max_file_bytes"])
    targets = refuse_outside(paths, root, announce=not quiet) if paths else [Path.cwd()]
    report = check_paths(targets, options, root=root)
    drift_on, select, ignore = wanted(ctx.params)
    drift = None
    if drift_on:
        drift = run_drift(
            targets,
            root,
            patterns,
            table.get("max_file_bytes"),
            select,
            ignore,
            str(table.get("style", "google")),
        )
    if verbose:
        skipped(report.skipped_paths)
    text = ctx.params["output_format"] == "text"
    gated = gating(ctx.params) or drift_on
    if text and not quiet and not gated and _no_threshold(ctx, table):
        say(NO_THRESHOLD, "warning")  # for people; the other formats carry fail_under
    finish(
        ctx,
        report,
        root,
        ctx.params,
        quiet=quiet,
        extra=drift.findings if drift is not None else (),
        gate_findings=drift_on,
        gated=(lambda code: selected(code, select, ignore)) if drift_on else None,
        notes=drift_notes(drift) if drift is not None else (),
    )


def _no_threshold(ctx: click.Context, table: dict) -> bool:
    given = ctx.get_parameter_source("fail_under") not in (ParameterSource.DEFAULT, None)
    return not given and "fail_under" not in table


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]
