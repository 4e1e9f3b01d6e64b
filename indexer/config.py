"""Reading ``[tool.docgen]`` from pyproject.toml.

Settings in the file are defaults; command-line flags and LSP options win over them.
Only this module touches pyproject.toml, so every entry point reads it the same way.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """pyproject.toml exists but cannot be read or has a malformed ``[tool.docgen]``."""


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest pyproject.toml at or above ``start`` (a file or folder)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_tool_config(pyproject: Path | None) -> dict[str, Any]:
    """Return the ``[tool.docgen]`` table of ``pyproject`` (empty when absent).

    Keys are normalised to snake_case (``fail-under`` -> ``fail_under``).

    Raises:
        ConfigError: The file is not valid TOML or the table is not a table.
    """
    if pyproject is None:
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot read [tool.docgen]: {exc}") from exc
    table = data.get("tool", {}).get("docgen", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.docgen] must be a table")
    return {str(key).replace("-", "_"): value for key, value in table.items()}
