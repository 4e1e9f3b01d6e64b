"""``docgen mcp``: a click wrapper over :func:`assistant.mcp_server.server.run`.

The server needs the ``mcp`` extra; without it the command prints one line saying how to
install it and exits 1. Settings come from the root's ``[tool.docgen]`` (or ``--config``),
as for ``docgen generate``; ``--model`` wins.
"""

from __future__ import annotations

from pathlib import Path

import click

from docgen._config import read_tool_config, warn_about_config
from docgen._output import ConfigProblem, quiet_library_logs, say
from docgen._paths import absolute, root_for
from indexer.extras import missing_extra

MISSING_EXTRA = missing_extra("the MCP server", "mcp")


@click.command("mcp")
@click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Repository root (default: the nearest folder above the working directory holding "
    ".docgen/, pyproject.toml or .git).",
)
@click.option(
    "--http",
    "http_port",
    type=click.IntRange(1, 65535),
    default=None,
    metavar="PORT",
    help="Serve streamable HTTP on 127.0.0.1:PORT instead of stdio.",
)
@click.option(
    "--allow-write",
    is_flag=True,
    help="Let apply_docstring write docstrings into the files (default: read-only).",
)
@click.option("--model", default=None, help="T5 folder or hub id (default: embedded model).")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="pyproject.toml with a [tool.docgen] table (default: the repository root's).",
)
def mcp(
    root: Path | None, http_port: int | None, allow_write: bool, model: str | None, config
) -> int:
    """Serve docgen's tools to MCP clients (coding agents) over stdio.

    Tools: search_symbols, get_documentation, list_undocumented, check, draft_docstring,
    apply_docstring (only with --allow-write). The model loads on the first tool that
    needs it.
    """
    try:
        import mcp.server.mcpserver  # noqa: F401 - only to tell whether the extra is there
    except ModuleNotFoundError as exc:
        if (exc.name or "mcp").split(".")[0] != "mcp":
            raise
        say(MISSING_EXTRA)
        return 1
    from assistant.mcp_server.server import run
    from assistant.mcp_server.service import DocService
    from assistant.pipeline import PipelineSettings
    from indexer.config import ConfigError
    from indexer.coverage import counting_options

    root = absolute(root) if root is not None else root_for([Path.cwd()])
    pyproject = root / "pyproject.toml"
    if config is not None:
        table = read_tool_config(config, explicit=True)
    else:
        table = read_tool_config(pyproject if pyproject.is_file() else None)
    warn_about_config(table)
    if model is not None:
        table["model"] = model
    try:
        settings = PipelineSettings.from_tool_config(table)
        options = counting_options(table)
    except ConfigError as exc:
        raise ConfigProblem(f"{config or pyproject}: {exc}") from exc
    options.fail_under = float(table.get("fail_under") or 0.0)
    options.exclude = list(settings.exclude)
    options.max_file_bytes = settings.max_file_bytes
    quiet_library_logs()
    service = DocService(root.resolve(), settings, options, allow_write=allow_write)
    try:
        run(service, http_port)
    except KeyboardInterrupt:
        pass
    return 0
