"""``[tool.docgen]`` as click defaults: an eager ``--config`` option fills the command's
``default_map`` (interrogate style), so file settings are defaults and flags win."""

from __future__ import annotations

import os
from pathlib import Path

import click
from click.core import ParameterSource

from indexer.config import ConfigError, find_pyproject, load_tool_config


def _load(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    pyproject = Path(value) if value else find_pyproject(Path.cwd())
    try:
        table = load_tool_config(pyproject, trusted=value is not None)  # --config: the user's
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param_hint="--config") from exc
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
        click.UsageError: That pyproject.toml cannot be read.
    """
    if ctx.meta.get("docgen.config_explicit"):
        return dict(ctx.meta.get("docgen.tool_config", {}))
    try:
        return load_tool_config(find_pyproject(folder))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


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
        click.UsageError: That pyproject.toml cannot be read.
    """
    table = ctx.meta.get("docgen.tool_config", {})
    if ctx.meta.get("docgen.config_explicit") or not paths:
        return table
    common = Path(os.path.commonpath([Path(p).resolve() for p in paths]))
    pyproject = find_pyproject(common if common.is_dir() else common.parent)
    if pyproject is None or pyproject == ctx.meta.get("docgen.pyproject"):
        return table
    try:
        table = load_tool_config(pyproject)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
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
    the paths' common folder when they lie outside it."""
    pyproject = ctx.meta.get("docgen.pyproject")
    root = Path(pyproject).resolve().parent if pyproject else Path.cwd().resolve()
    targets = [Path(p).resolve() for p in paths]
    if targets and not all(t == root or root in t.parents for t in targets):
        common = Path(os.path.commonpath(targets))
        root = common if common.is_dir() else common.parent
    return root
