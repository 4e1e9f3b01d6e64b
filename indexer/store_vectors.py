"""The FAISS side of the index: ``vectors.faiss`` kept in line with the vectors stored in
SQLite (the authority), loaded once per store and rebuilt from SQLite when it is missing,
broken or stale (see :mod:`indexer.vectors` for the file itself)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import vectors
from indexer.store_sql import chunks

if TYPE_CHECKING:  # pragma: no cover
    import faiss


class VectorFile:
    """The FAISS index of one store's vectors (ids are symbol ids).

    Args:
        db: The store's SQLite connection.
        path: The ``vectors.faiss`` file.
        warning: Warning category for a file that had to be rebuilt.
    """

    def __init__(self, db: sqlite3.Connection, path: Path, warning: type[Warning]) -> None:
        self.db = db
        self.path = path
        self.warning = warning
        self._faiss: faiss.Index | None = None

    def index(self) -> faiss.Index | None:
        """Return the FAISS index (loaded on first use), None when no vector is stored."""
        if self._faiss is None:
            index = vectors.read(self.path, self.warning)
            stored = self._stored_ids()
            if index is None or vectors.ids(index) != stored:
                # missing, broken, or a run was killed between SQLite and FAISS
                index = self._add_from_db(None, sorted(stored))
            self._faiss = index
        return self._faiss

    def sync(self) -> int:
        """Bring the file in line with the vectors in SQLite and save it atomically.

        Returns:
            The number of vectors in the saved index.
        """
        index = vectors.read(self.path, self.warning)
        stored = self._stored_ids()
        missing = stored
        if index is not None:
            present = vectors.ids(index)
            stale, missing = present - stored, stored - present
            if not stale and not missing:
                self._faiss = index
                return index.ntotal
            if stale:
                vectors.remove(index, stale)
        index = self._add_from_db(index, sorted(missing))
        if index is None:
            self.drop()
            return 0
        vectors.write(index, self.path)
        self._faiss = index
        return index.ntotal

    def drop(self) -> None:
        """Forget the loaded index and delete the file (every vector is gone)."""
        self._faiss = None
        self.path.unlink(missing_ok=True)

    def _stored_ids(self) -> set[int]:
        query = "SELECT id FROM symbols WHERE vector IS NOT NULL"
        return {int(row[0]) for row in self.db.execute(query)}

    def _add_from_db(self, index: faiss.Index | None, ids: list[int]) -> faiss.Index | None:
        for chunk in chunks(ids, 2000):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, vector FROM symbols WHERE id IN ({marks})"
            index = vectors.add(index, self.db.execute(query, chunk).fetchall())
        return index
