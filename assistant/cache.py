"""The output cache: drafted results on disk (diskcache), so a repeat run never drafts twice.

Keys are SHA-256 digests of everything a result depends on: the model id and version, the
code's hash, the retrieved context's hash, the style and the settings that change output
(:func:`result_key`). Keys and values are zlib-compressed JSON through
:class:`assistant.cache_disk.SafeJSONDisk`, which never writes or reads a pickle:
diskcache's own ``JSONDisk`` would still ``pickle.load`` a row stored in pickle mode, so a
planted ``cache.db`` could run code; here such a row is a corrupt cache. The cache is
bounded (``size_limit`` bytes, least-recently-stored entries evicted).

A cache that cannot be opened or read (corrupt SQLite file, unreadable folder) is set
aside with a warning and a fresh one is used; if even that fails the pipeline runs
uncached. A cache problem is never fatal.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
import zlib
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
"""Bumped when cached values change shape; part of every key."""

DEFAULT_SIZE_LIMIT = 256 * 1024 * 1024

_CACHE_ERRORS = (sqlite3.Error, OSError, ValueError, zlib.error, EOFError)
"""What a damaged cache raises: SQLite errors, missing value files, bad JSON or zlib data,
and ``UnsafeCacheEntry`` (a pickle where JSON belongs, :mod:`assistant.cache_disk`)."""


def default_cache_dir() -> Path:
    """Return the cache folder for drafted results: ``$DOCGEN_CACHE_DIR`` or the per-user
    cache folder (platformdirs), like the engine's exports."""
    override = os.environ.get("DOCGEN_CACHE_DIR")
    if override:
        return Path(override) / f"results-v{CACHE_FORMAT}"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("docgen", appauthor=False)) / f"results-v{CACHE_FORMAT}"


def digest(*parts: Any) -> str:
    """Return a stable SHA-256 hex digest of JSON-serialisable parts."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def result_key(
    model: str, code_hash: str, context_hash: str, style: str, settings: dict[str, Any]
) -> str:
    """Return the cache key of one drafted result."""
    return digest("result", CACHE_FORMAT, model, code_hash, context_hash, style, settings)


class ResultCache:
    """A bounded on-disk JSON cache that survives its own corruption.

    Args:
        directory: Cache folder (created). None disables the cache.
        size_limit: Upper bound on the cache's size in bytes.
    """

    def __init__(self, directory: Path | None, size_limit: int = DEFAULT_SIZE_LIMIT) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.size_limit = int(size_limit)
        self.warnings: list[str] = []
        self.hits = 0
        self.misses = 0
        self._cache = self._open() if self.directory is not None else None

    @property
    def enabled(self) -> bool:
        """Whether results are being cached."""
        return self._cache is not None

    def _open(self):
        import diskcache

        from assistant.cache_disk import SafeJSONDisk

        assert self.directory is not None
        for attempt in range(2):
            try:
                cache = diskcache.Cache(
                    str(self.directory),
                    disk=SafeJSONDisk,
                    size_limit=self.size_limit,
                    eviction_policy="least-recently-stored",
                )
                cache.get("__probe__")  # touches the database: a corrupt file fails here
                return cache
            except _CACHE_ERRORS as exc:
                if attempt:
                    self._warn(f"cache disabled: {self.directory} cannot be used ({exc})")
                    return None
                self._discard(exc)
        return None

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        log.warning(message)

    def _discard(self, exc: BaseException) -> None:
        """Move a corrupt cache folder aside (then delete it) so a fresh one can start."""
        assert self.directory is not None
        self._warn(f"discarding corrupt cache at {self.directory} ({exc}); starting empty")
        aside = self.directory.with_name(f"{self.directory.name}.corrupt-{time.time_ns()}")
        try:
            if self.directory.exists():
                self.directory.rename(aside)
                shutil.rmtree(aside, ignore_errors=True)
        except OSError:
            shutil.rmtree(self.directory, ignore_errors=True)

    def _recover(self, exc: BaseException) -> None:
        try:
            if self._cache is not None:
                self._cache.close()
        except Exception:  # noqa: BLE001 - a broken cache may fail to close too
            pass
        self._discard(exc)
        self._cache = self._open()

    def get(self, key: str) -> dict[str, Any] | None:
        """Return the cached value for ``key`` or None (a corrupt entry counts as a miss)."""
        if self._cache is None:
            return None
        try:
            value = self._cache.get(key)
        except (*_CACHE_ERRORS, TypeError) as exc:  # TypeError: a row of the wrong type
            self._recover(exc)
            value = None
        if isinstance(value, dict):
            self.hits += 1
            return value
        self.misses += 1
        return None

    def set(self, key: str, value: dict[str, Any]) -> None:
        """Store ``value`` (JSON-serialisable) under ``key``; failures only warn."""
        if self._cache is None:
            return
        try:
            self._cache.set(key, value)
        except _CACHE_ERRORS as exc:
            self._recover(exc)

    def clear(self) -> None:
        """Remove every entry."""
        if self._cache is not None:
            self._cache.clear()

    def close(self) -> None:
        """Close the underlying database."""
        if self._cache is not None:
            self._cache.close()

    def __len__(self) -> int:
        return len(self._cache) if self._cache is not None else 0
