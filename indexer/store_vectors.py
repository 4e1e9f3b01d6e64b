"""The FAISS side of the index: ``vectors.faiss`` kept in line with the vectors stored in
SQLite (the authority), loaded once per store and rebuilt from SQLite when it is missing,
broken, of the wrong kind or stale (see :mod:`indexer.vectors` for the file itself).

A damaged file is one plain note (:data:`DAMAGED`), never a Python warning with paths and
FAISS' own error text. The size and time of the file last written or checked are kept in
the ``meta`` table (``vectors_stamp``), so an update notices a file changed behind its
back (truncated, replaced) without reading it every run.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from indexer import vectors
from indexer.store_sql import chunks, meta

if TYPE_CHECKING:  # pragma: no cover
    import faiss

DAMAGED = "index vectors were damaged and have been rebuilt"


class VectorFile:
    """The FAISS index of one store's vectors (ids are symbol ids).

    Args:
        db: The store's SQLite connection.
        path: The ``vectors.faiss`` file.
        notes: The store's notes: a damaged file adds :data:`DAMAGED` (once).
    """

    def __init__(self, db: sqlite3.Connection, path: Path, notes: list[str]) -> None:
        self.db = db
        self.path = path
        self.notes = notes
        self._faiss: faiss.Index | None = None

    def index(self) -> faiss.Index | None:
        """Return the FAISS index (loaded on first use), None when no vector is stored."""
        if self._faiss is None:
            index = self._read()
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
        index = self._read()
        stored = self._stored_ids()
        missing = stored
        if index is not None:
            present = vectors.ids(index)
            stale, missing = present - stored, stored - present
            if not stale and not missing:
                self._faiss = index
                self._stamp()
                return index.ntotal
            if stale:
                vectors.remove(index, stale)
        index = self._add_from_db(index, sorted(missing))
        if index is None:
            self.drop()
            self._stamp()
            return 0
        vectors.write(index, self.path)
        self._faiss = index
        self._stamp()
        return index.ntotal

    def changed(self) -> bool:
        """Whether the file differs (size, time, presence) from when it was last synced."""
        return meta(self.db, "vectors_stamp") != self._file_stamp()

    def drop(self) -> None:
        """Forget the loaded index and delete the file (every vector is gone)."""
        self._faiss = None
        self.path.unlink(missing_ok=True)

    def recorded_size(self) -> int | None:
        """The byte length of a vector as recorded when vectors were written."""
        value = meta(self.db, "vector_bytes")
        return int(value) if value and value.isdigit() else None

    def blob_size(self) -> int | None:
        """The byte length of a stored vector: as recorded, else the most common one (None
        without vectors)."""
        recorded = self.recorded_size()
        if recorded:
            return recorded
        row = self.db.execute(
            "SELECT length(vector) FROM symbols WHERE typeof(vector) = 'blob'"
            " GROUP BY length(vector) ORDER BY count(*) DESC, length(vector) LIMIT 1"
        ).fetchone()
        return None if row is None or row[0] % 4 else int(row[0])

    def _read(self) -> faiss.Index | None:
        size = self.blob_size()
        index, problem = vectors.read(self.path, None if size is None else size // 4)
        if problem and DAMAGED not in self.notes:
            self.notes.append(DAMAGED)
        return index

    def _stored_ids(self) -> set[int]:
        query = "SELECT id FROM symbols WHERE typeof(vector) = 'blob' AND length(vector) = ?"
        return {int(row[0]) for row in self.db.execute(query, (self.blob_size() or -1,))}

    def _add_from_db(self, index: faiss.Index | None, ids: list[int]) -> faiss.Index | None:
        for chunk in chunks(ids, 2000):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT id, vector FROM symbols WHERE id IN ({marks})"
            index = vectors.add(index, self.db.execute(query, chunk).fetchall())
        return index

    def _file_stamp(self) -> str:
        try:
            stat = self.path.stat()
        except OSError:
            return "missing"
        return f"{stat.st_size}:{stat.st_mtime_ns}"

    def _stamp(self) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('vectors_stamp', ?)", (self._file_stamp(),)
        )
