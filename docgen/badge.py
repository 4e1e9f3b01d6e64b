"""``docgen badge``: an SVG badge with the docstring coverage, for a README or docs site.

Coverage is measured exactly as ``docgen check`` measures it (same ``[tool.docgen]``
counting rules, excludes and ``# docgen: ignore`` directives). The colour follows
interrogate's scale: 95% and up bright green, 90 green, 75 yellow-green, 60 yellow,
40 orange, below that red. The badge is drawn by anybadge and written atomically, never
through a link that leads out of the repository.
"""

from __future__ import annotations

from pathlib import Path

import click

from assistant.safe_output import OutsideRoot, write_inside
from docgen._config import config_option, project_root, refuse_outside, retarget
from docgen._output import Refused, exclude_option, say
from docgen.check import _FLAGS, _as_list, _flag_options
from indexer.coverage import CheckOptions, check_paths

DEFAULT_OUTPUT = "docs/docstring-coverage.svg"
COLOUR_SCALE = (
    (95.0, "#4c1"),  # brightgreen
    (90.0, "#97ca00"),  # green
    (75.0, "#a4a61d"),  # yellowgreen
    (60.0, "#dfb317"),  # yellow
    (40.0, "#fe7d37"),  # orange
    (0.0, "#e05d44"),  # red
)


def colour(coverage: float) -> str:
    """The badge colour of a coverage percentage."""
    return next(hex_ for floor, hex_ in COLOUR_SCALE if coverage >= floor)


def percent(coverage: float) -> str:
    """``87.5%``, ``100%``: one decimal, none when it is zero."""
    text = f"{coverage:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def badge_svg(coverage: float, label: str = "docstrings") -> str:
    """The SVG text of a coverage badge."""
    import anybadge

    return anybadge.Badge(label, percent(coverage), default_color=colour(coverage)).badge_svg_text


@click.command("badge")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help=f"Where to write the SVG (default: {DEFAULT_OUTPUT} in the repository; - for stdout).",
)
@click.option("--label", default="docstrings", show_default=True, help="The badge's left text.")
@exclude_option
@_flag_options
@config_option
@click.pass_context
def badge(ctx: click.Context, paths, output, label, exclude, **flags) -> None:
    """Write an SVG badge with the docstring coverage of PATHS (default: the current folder)."""
    table = retarget(ctx, paths)
    output = ctx.params["output"]  # a repository's own config may not set it (LOCATION_KEYS)
    root = project_root(ctx, paths)
    flags = {name: ctx.params[name] for name in _FLAGS}
    patterns = list(dict.fromkeys([*_as_list(table.get("exclude")), *exclude]))
    options = CheckOptions(exclude=patterns, **flags)
    if "max_file_bytes" in table:
        options.max_file_bytes = int(table["max_file_bytes"])
    targets = refuse_outside(paths, root, announce=True) if paths else [Path.cwd()]
    report = check_paths(targets, options, root=root)
    svg = badge_svg(report.coverage, label)
    if output == "-":
        click.echo(svg, nl=False)
        return
    target = Path(output) if output is not None else root / DEFAULT_OUTPUT
    try:
        write_inside(root, target, svg.encode("utf-8"))
    except OutsideRoot as exc:
        raise Refused(str(exc)) from exc
    except OSError as exc:
        say(f"cannot write {target}: {exc.strerror or exc}", "error")
        ctx.exit(1)
    say(f"wrote {target} (docstring coverage {percent(report.coverage)})", "note")
