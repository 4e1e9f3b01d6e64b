"""Reading docgen's configuration: ``[tool.docgen]`` of pyproject.toml and the user's own
config file.

Settings in the files are defaults; command-line flags and LSP options win over them.
Only this module touches pyproject.toml, so every entry point reads it the same way.

Whose file decides what:

- The user config file (:func:`user_config_path`: ``$DOCGEN_CONFIG``, else
  ``config.toml`` in platformdirs' user config folder for ``docgen``), table ``[docgen]``
  with the same keys as ``[tool.docgen]``, is the user's own: it may set anything.
- A repository's own pyproject.toml is not trusted with :data:`LOCATION_KEYS` (where caches
  live, which models load): the ``docgen-fix`` hook runs in freshly cloned repositories,
  and a repository that chose the cache folder or an embedding model folder could plant
  files docgen then loads. Such keys are dropped with one warning each, naming the key and
  how to set it instead. Every other key of the repository wins over the user's file.
- A file the user names with ``--config FILE`` is trusted like the user's file
  (``trusted=True``).

The warnings travel on the returned table (:attr:`ToolConfig.warnings`) for the front ends
to show; :func:`unknown_key_warnings` names keys that are not settings at all.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10: the backport, the project's one TOML shim
    import tomli as tomllib


class ConfigError(ValueError):
    """pyproject.toml exists but cannot be read or has a malformed ``[tool.docgen]``."""


USER_TABLE = "docgen"
"""The table of the user config file holding the ``[tool.docgen]`` keys."""

LOCATION_KEYS: dict[str, str] = {
    "cache_dir": "pass --cache-dir or set DOCGEN_CACHE_DIR",
    "cache_path": "pass --cache-dir or set DOCGEN_CACHE_DIR",
    "model": "pass --model",
    "embedding_model": "pass --embedding-model",
    "write_baseline": "pass --write-baseline",
    "output": "pass -o/--output",
}
"""Keys naming where caches live or which models load, and the flag or environment variable
that sets each; a repository's own pyproject.toml may not set them."""

PIPELINE_KEYS = frozenset(
    {
        "model",
        "backend",
        "int8",
        "engine_backend",
        "style",
        "cache_dir",
        "cache_path",
        "cache_size",
        "use_cache",
        "max_context_tokens",
        "top_k",
        "threads",
        "min_confidence",
        "num_beams",
        "max_new_tokens",
        "no_repeat_ngram_size",
        "batch_size",
        "include_private",
        "include_magic",
        "include_nested",
        "include_init",
        "include_property_setters",
        "include_module",
        "include_stubs",
        "exclude",
        "max_file_bytes",
        "update_index",
        "corpus",
    }
)
"""``assistant.settings.PipelineSettings`` fields (and the ``cache_path`` alias); a test
keeps this in line with the dataclass, which lives above this layer."""

INDEX_KEYS = frozenset(
    {
        "exclude",
        "max_file_bytes",
        "respect_gitignore",
        "languages",
        "embed",
        "embed_all",
        "embedding_model",
        "embedding_backend",
        "batch_files",
    }
)
"""``indexer.index.IndexConfig`` fields (kept in line by the same test)."""

CHECK_KEYS = frozenset(
    {
        "include_private",
        "include_magic",
        "include_nested",
        "include_init",
        "include_property_setters",
        "include_module",
        "include_stubs",
        "fail_under",
        "exclude",
        "respect_gitignore",
        "max_file_bytes",
        "languages",
    }
)
"""``indexer.coverage.CheckOptions`` fields (kept in line by the same test)."""

CLI_KEYS = frozenset(
    {
        "output_format",
        "quiet",
        "verbose",
        "show_ignored",
        "baseline",
        "write_baseline",
        "changed_since",
        "output",
        "label",
        "stale",
        "select",
        "ignore",
    }
)
"""Options of commands that read ``[tool.docgen]`` as their defaults and are no field of
the dataclasses above (``docgen check --format`` is ``output_format``)."""

KNOWN_KEYS = PIPELINE_KEYS | INDEX_KEYS | CHECK_KEYS | CLI_KEYS
"""Every valid ``[tool.docgen]`` key (snake_case)."""


class ToolConfig(dict):
    """A ``[tool.docgen]`` table as read (snake_case keys), with what the front ends must
    tell the user about it.

    Attributes:
        warnings: One line per dropped key (see :data:`LOCATION_KEYS`).
    """

    def __init__(self, values: dict[str, Any] | None = None, warnings: list[str] | None = None):
        super().__init__(values or {})
        self.warnings: list[str] = list(warnings or [])


def user_config_path() -> Path:
    """Return the user config file: ``$DOCGEN_CONFIG``, else ``config.toml`` in the user
    config folder (platformdirs)."""
    override = os.environ.get("DOCGEN_CONFIG")
    if override:
        return Path(os.path.expanduser(override))
    from platformdirs import user_config_dir

    return Path(user_config_dir("docgen")) / "config.toml"


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest pyproject.toml at or above ``start`` (a file or folder)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def load_user_config() -> dict[str, Any]:
    """Return the ``[docgen]`` table of the user config file (empty when there is none).

    Raises:
        ConfigError: The file is not valid TOML or ``[docgen]`` is not a table.
    """
    path = user_config_path()
    if not path.is_file():
        return {}
    return _read_table(path, (USER_TABLE,))


def load_tool_config(pyproject: Path | None, *, trusted: bool = False) -> ToolConfig:
    """Return the configuration for a project: the user config file's ``[docgen]`` under
    the ``[tool.docgen]`` table of ``pyproject``.

    Keys are normalised to snake_case (``fail-under`` -> ``fail_under``).

    Args:
        pyproject: The project's pyproject.toml (None: the user's settings only).
        trusted: The user named this file (``--config``): it may set every key. Otherwise
            :data:`LOCATION_KEYS` in it are dropped, one warning each.

    Raises:
        ConfigError: A file is not valid TOML or its table is not a table.
    """
    values = load_user_config()
    warnings: list[str] = []
    if pyproject is not None:
        table = _read_table(pyproject, ("tool", "docgen"))
        for key in list(table):
            if key in LOCATION_KEYS and not trusted:
                del table[key]
                warnings.append(_dropped(pyproject, key))
        values.update(table)
    return ToolConfig(values, warnings)


def unknown_key_warnings(table: dict[str, Any]) -> list[str]:
    """Return one line per key of a ``[tool.docgen]`` table that is no setting, naming the
    closest valid key when one is close (``fail-undr`` -> ``fail-under``)."""
    valid = sorted(key.replace("_", "-") for key in KNOWN_KEYS)
    found = []
    for key in table:
        name = str(key).replace("_", "-")
        if name.replace("-", "_") in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        found.append(f"unknown [tool.docgen] key '{name}'{hint}")
    return found


def _dropped(pyproject: Path, key: str) -> str:
    name = key.replace("_", "-")
    return (
        f"ignoring '{name}' in [tool.docgen] of {pyproject}: a repository's own config may "
        f"not choose where caches live, which models load or which files docgen writes; "
        f"{LOCATION_KEYS[key]}, or set "
        f"{name} under [docgen] in your user config file {user_config_path()}"
    )


_TOML_WHERE = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$")


def _read_table(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    """The table at ``keys`` of the TOML file ``path`` (snake_case keys; empty if absent)."""
    label = "[" + ".".join(keys) + "]"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read {label}: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_WHERE.search(message)
        detail = _TOML_WHERE.sub("", message)
        place = f" at {where.group(1)}" if where else ""
        raise ConfigError(f"{path} is not valid TOML{place}: {detail}") from exc
    table: Any = data
    for key in keys:
        table = table.get(key, {}) if isinstance(table, dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {label} must be a table")
    return {str(key).replace("-", "_"): value for key, value in table.items()}
