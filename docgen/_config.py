"""``[tool.docgen]`` as click defaults: an eager ``--config`` option fills the command's
``default_map`` (interrogate style), so file settings are defaults and flags win."""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.core import ParameterSource

import indexer.config
from docgen._output import ConfigProblem, say
from docgen._paths import absolute, find_root, is_outside, outside_message
from indexer.config import ConfigError, load_tool_config


def read_tool_config(pyproject: Path | None, explicit: bool = False) -> dict:
    """``[tool.docgen]`` of ``pyproject``, a problem with it reported as such.

    Raises:
        click.BadParameter: An explicit ``--config`` file cannot be read (exit status 2).
        ConfigProblem: The pyproject.toml found on the way cannot be read (exit status 2),
            with what to do next.
    """
    try:
        return load_tool_config(pyproject, trusted=explicit)  # --config FILE: the user's own
    except ConfigError as exc:
        if explicit:
            raise click.BadParameter(str(exc), param_hint="--config") from exc
        raise ConfigProblem(f"{exc}; fix it or pass --config FILE") from exc


def warn_about_config(table: dict) -> None:
    """Print, once per run on stderr, each key of ``table`` that is ignored: the locations a
    repository may not choose (``ToolConfig.warnings``) and unknown keys."""
    ctx = click.get_current_context(silent=True)
    shown: set[str] = ctx.find_root().meta.setdefault("docgen.warned", set()) if ctx else set()
    dropped = getattr(table, "warnings", [])
    for warning in [*dropped, *indexer.config.unknown_key_warnings(table)]:
        if warning not in shown:
            shown.add(warning)
            say(warning, "warning")


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` as given (:func:`find_root`'s
    rule: no symlink inside a project is entered)."""
    folder = find_root(start, markers=("pyproject.toml",))
    return None if folder is None else folder / "pyproject.toml"


def _load(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    pyproject = Path(value) if value else find_pyproject(Path.cwd())
    try:
        table = read_tool_config(pyproject, explicit=value is not None)
    except click.BadParameter as exc:
        exc.ctx = ctx
        raise
    names = {param.name for param in ctx.command.params}
    defaults = {key: value for key, value in table.items() if key in names}
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    ctx.meta["docgen.pyproject"] = pyproject
    ctx.meta["docgen.tool_config"] = table
    ctx.meta["docgen.config_explicit"] = value is not None
    return value


def config_for(ctx: click.Context, folder: Path) -> dict:
    """``[tool.docgen]`` for work on ``folder``: the ``--config`` file when given, else the
    pyproject.toml nearest above ``folder``.

    Raises:
        ConfigProblem: That pyproject.toml cannot be read.
    """
    if ctx.meta.get("docgen.config_explicit"):
        return dict(ctx.meta.get("docgen.tool_config", {}))
    return read_tool_config(find_pyproject(folder))


def retarget(ctx: click.Context, paths: tuple[str, ...]) -> dict:
    """Use the ``[tool.docgen]`` of the project that holds ``paths``.

    The eager ``--config`` callback only knows the working directory. When the paths lie
    in another project (``docgen check ../other-repo``), that project's pyproject.toml
    (nearest above the paths' common folder) replaces it: every parameter not given on
    the command line takes its value from there, as ``docgen index`` and ``generate`` do.
    An explicit ``--config`` is kept.

    Returns:
        The ``[tool.docgen]`` table in use.

    Raises:
        ConfigProblem: That pyproject.toml cannot be read.
    """
    table = ctx.meta.get("docgen.tool_config", {})
    if ctx.meta.get("docgen.config_explicit") or not paths:
        return table
    common = Path(os.path.commonpath([absolute(p) for p in paths]))  # links not followed
    pyproject = find_pyproject(common)
    if pyproject is None or pyproject == ctx.meta.get("docgen.pyproject"):
        return table
    table = read_tool_config(pyproject)
    ctx.meta["docgen.pyproject"] = pyproject
    ctx.meta["docgen.tool_config"] = table
    from_defaults = (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP)
    for param in ctx.command.params:
        given = param.name not in ctx.params or (
            ctx.get_parameter_source(param.name) not in from_defaults
        )
        if given:
            continue
        if param.name in table:
            ctx.params[param.name] = param.type_cast_value(ctx, table[param.name])
        elif ctx.get_parameter_source(param.name) == ParameterSource.DEFAULT_MAP:
            default = param.get_default(ctx)  # the working directory's value no longer applies
            empty = () if getattr(param, "multiple", False) else None
            ctx.params[param.name] = (
                empty if default is None else param.type_cast_value(ctx, default)
            )
    return table


def config_option(command):
    """Add ``--config FILE``: the pyproject.toml to read (default: nearest to the cwd)."""
    return click.option(
        "--config",
        type=click.Path(dir_okay=False, exists=True),
        is_eager=True,
        expose_value=False,
        callback=_load,
        help="pyproject.toml with a [tool.docgen] table (default: nearest above the cwd).",
    )(command)


def project_root(ctx: click.Context, paths: tuple[str, ...] = ()) -> Path:
    """The folder of the pyproject.toml in use, else the working directory; widened to
    the paths' common folder when they lie outside it.

    Paths count as given, symlinks not followed (:mod:`docgen._paths`): a link inside the
    project that points elsewhere stays inside the root here and is refused by
    :func:`refuse_outside`.
    """
    pyproject = ctx.meta.get("docgen.pyproject")
    root = absolute(Path(pyproject).parent) if pyproject else absolute(Path.cwd())
    targets = [absolute(p) for p in paths]
    if targets and not all(t == root or root in t.parents for t in targets):
        common = Path(os.path.commonpath(targets))
        root = common if common.is_dir() else common.parent
    return root


def refuse_outside(paths, root: Path, announce: bool = True) -> list:
    """``paths`` without those whose real location is outside ``root``; each one dropped is
    named on stderr (``docgen: skipped PATH: points outside the repository``) unless not
    ``announce``."""
    kept = []
    for path in paths:
        if is_outside(path, root):
            if announce:
                say(outside_message(path), "skipped")
        else:
            kept.append(path)
    return kept
