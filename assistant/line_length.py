"""The line length a repository formats to, for text docgen writes into its files.

Read from the repository root's own configuration, first value found wins: ruff's
``.ruff.toml``, ``ruff.toml`` (top-level ``line-length``), then ``pyproject.toml``'s
``[tool.ruff]`` and ``[tool.black]`` ``line-length``; :data:`DEFAULT_LINE_LENGTH` (88, the
default of both tools) otherwise. Only a setting is read, never anything executed; a file
that is missing, not TOML, not UTF-8, too large, a folder, or a link to outside the
repository counts as no setting (never an error).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from indexer.config import tomllib

__all__ = ["DEFAULT_LINE_LENGTH", "project_line_length"]

DEFAULT_LINE_LENGTH = 88
"""ruff's and black's default."""

_MAX_CONFIG_BYTES = 1 << 20
_MAX_LINE_LENGTH = 320  # ruff's own upper bound

# (file name, table path inside it), in the order the tools' precedence implies
_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (".ruff.toml", ()),
    ("ruff.toml", ()),
    ("pyproject.toml", ("tool", "ruff")),
    ("pyproject.toml", ("tool", "black")),
)


def project_line_length(root: Path) -> int:
    """Return the line length configured for the repository at ``root`` (default 88)."""
    try:
        base = Path(root).resolve()
    except OSError:
        return DEFAULT_LINE_LENGTH
    for name, table_path in _SOURCES:
        data = _config(base, name)
        table: Any = data
        for key in table_path:
            table = table.get(key) if isinstance(table, dict) else None
        value = _line_length(table)
        if value is not None:
            return value
    return DEFAULT_LINE_LENGTH


def _line_length(table: Any) -> int | None:
    if not isinstance(table, dict):
        return None
    for key in ("line-length", "line_length"):
        value = table.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            if 0 < value <= _MAX_LINE_LENGTH:
                return value
    return None


def _config(base: Path, name: str) -> dict[str, Any]:
    """The parsed TOML file ``base/name``, or ``{}`` when it cannot be used."""
    path = base / name
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(base) or not resolved.is_file():
            return {}
        stat = resolved.stat()
    except OSError:
        return {}
    if stat.st_size > _MAX_CONFIG_BYTES:
        return {}
    return _parse(str(resolved), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _parse(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    """Parse one config file; cached per (path, mtime, size), so a changed file is re-read."""
    del mtime_ns, size  # cache key only
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_CONFIG_BYTES + 1)
        return tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError):
        return {}
