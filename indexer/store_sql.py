"""SQLite plumbing of the index database: its schema, meta rows, transactions and chunked
``IN (...)`` queries (see :mod:`indexer.store` for what the tables hold)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

_T = TypeVar("_T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, hash TEXT NOT NULL, size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL, language TEXT NOT NULL, error_lines TEXT NOT NULL,
    imports TEXT NOT NULL, embedded INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS symbols (
    id INTEGER PRIMARY KEY AUTOINCREMENT, path TEXT NOT NULL, qualname TEXT NOT NULL,
    kind TEXT NOT NULL, start_byte INTEGER NOT NULL, documented INTEGER NOT NULL,
    data TEXT NOT NULL, vector BLOB, text_hash TEXT, outline TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS symbols_path ON symbols(path);
CREATE INDEX IF NOT EXISTS symbols_qualname ON symbols(qualname);
CREATE INDEX IF NOT EXISTS symbols_text_hash ON symbols(text_hash);
"""
"""The tables: ``meta`` (key/value), ``files`` (one row per indexed file) and ``symbols``."""


class Transaction:
    """One ``BEGIN IMMEDIATE`` transaction: committed on success, rolled back on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: Any, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def meta(db: sqlite3.Connection, key: str) -> str | None:
    """Return the ``meta`` value of ``key``, or None when it is not set."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def chunks(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """Yield ``items`` in lists of at most ``size`` (SQLite limits bound parameters)."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
