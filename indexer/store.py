"""The on-disk index under ``<repo>/.docgen/``: SQLite for symbols, FAISS for vectors.

- ``index.sqlite`` holds everything authoritative in one database: ``meta`` (format
  version, embedding model id and scope), ``files`` (content hash per path) and ``symbols``
  (each symbol as JSON via :meth:`Symbol.to_dict`, a compact outline for coverage checks,
  its embedding-text hash and, when embedded, its vector as float32 bytes). Every update
  of a batch of files is one SQLite transaction, so a process killed at any moment leaves
  the previous or the next consistent state.
- ``vectors.faiss`` is an ``IndexIDMap2`` over inner product whose ids are symbol ids. It is
  derived data (see :mod:`indexer.vectors`): written with ``faiss.write_index`` to a temp
  file then ``os.replace``, and checked against the SQLite ids on load; a stale or broken
  file is rebuilt from SQLite.

No pickle anywhere: rows are JSON text and float32 bytes, and a row that is neither is
skipped by the readers (and re-indexed by the next update, see
:func:`IndexStore.damaged_paths`). A corrupt, foreign or future-version index is rebuilt
with a note (when opened for writing) or reported with :class:`IndexUnavailable`
(read-only).

Nothing is read or written through a link: a ``.docgen`` that is a symbolic link (or not a
folder), and any symbolic link (or hard-linked database file) inside it, make a read-only
open fail and an open for writing remove the link itself (never its target) and rebuild
the index in place. Notes for the user are plain lines in :attr:`IndexStore.notes`.

This module opens the index and reads and writes its rows (:class:`IndexStore`); the SQLite
plumbing (schema, transactions) is :mod:`indexer.store_sql`, the upkeep of the FAISS file
:mod:`indexer.store_vectors`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import warnings
from pathlib import Path

import numpy as np

from indexer.store_folder import planted_links, remove_link, write_gitignore
from indexer.store_sql import SCHEMA, Transaction, chunks, meta
from indexer.store_vectors import VectorFile
from indexer.symbols import ParsedFile, Symbol, SymbolOutline

log = logging.getLogger(__name__)

FORMAT_VERSION = 4  # 4: outlines carry is_overload/is_stub
INDEX_DIR = ".docgen"
DB_NAME = "index.sqlite"
VECTORS_NAME = "vectors.faiss"


def content_hash(data: bytes) -> str:
    """Return the content hash files are keyed by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class IndexUnavailable(RuntimeError):
    """No usable index: missing, corrupt or from another docgen version."""


class IndexWarning(UserWarning):
    """The index was rebuilt (corrupt or other format version)."""


class FileRecord:
    """One indexed file: what changed-detection and consumers need."""

    __slots__ = ("path", "hash", "size", "mtime_ns", "embedded")

    def __init__(self, path: str, hash: str, size: int, mtime_ns: int, embedded: bool):
        self.path, self.hash, self.size = path, hash, size
        self.mtime_ns, self.embedded = mtime_ns, embedded


_DAMAGED = """
    SELECT path FROM symbols WHERE {only} (
        CASE WHEN typeof(data) = 'text' AND json_valid(data)
            THEN json_type(data) != 'object'
                OR json_type(data, '$.qualname') IS NOT 'text'
                OR json_type(data, '$.span') IS NOT 'object'
            ELSE 1 END
        OR CASE WHEN typeof(outline) = 'text' AND json_valid(outline)
            THEN json_type(outline) != 'array' ELSE 1 END
        OR (vector IS NOT NULL AND (typeof(vector) != 'blob' OR length(vector) != ?)))
    UNION
    SELECT path FROM files WHERE {only} (
        NOT (typeof(imports) = 'text' AND json_valid(imports))
        OR NOT (typeof(error_lines) = 'text' AND json_valid(error_lines)))
"""
"""Rows :meth:`IndexStore.damaged_paths` cannot read back (``{only}``: a path filter)."""


class IndexStore:
    """Read and write the index of one repository. Use :meth:`open` to get one."""

    def __init__(self, root: Path, db: sqlite3.Connection) -> None:
        self.root = root
        self.folder = root / INDEX_DIR
        self.db = db
        self.notes: list[str] = []
        """Plain one-line messages about what was found and repaired (no paths)."""
        self._vectors = VectorFile(db, self.folder / VECTORS_NAME, self.notes)

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, root: Path, create: bool = False) -> IndexStore:
        """Open the index of the repository at ``root``.

        Args:
            root: Repository root.
            create: Create a missing index, and rebuild a corrupt or other-version one
                (with an :class:`IndexWarning` and a line in :attr:`notes`); remove planted
                links in ``.docgen`` (a line each). Without it such an index raises.

        Raises:
            IndexUnavailable: No usable index, or a link in the way, and ``create`` is
                false.
        """
        root = Path(root).resolve()
        folder = root / INDEX_DIR
        db_path = folder / DB_NAME
        notes: list[str] = []
        links = planted_links(folder, DB_NAME)
        if links:
            if not create:
                raise IndexUnavailable(
                    f"{links[0][1]}; docgen does not follow it: run `docgen index {root}` "
                    "to rebuild the index in place"
                )
            for path, what in links:
                remove_link(path)
                notes.append(f"{what} (not followed): removed it and rebuilt the index in place")
        if not db_path.is_file() and not create:
            raise IndexUnavailable(f"no docgen index in {root}: run `docgen index {root}`")
        try:
            store = cls._connect(root, db_path, create)
        except (sqlite3.DatabaseError, IndexUnavailable, ValueError) as exc:
            if not create:
                raise IndexUnavailable(
                    f"the docgen index in {folder} is unusable ({exc}): "
                    f"run `docgen index {root}` to rebuild it"
                ) from exc
            reason = str(exc) if isinstance(exc, IndexUnavailable) else "damaged"
            note = f"the index was unusable ({reason}) and has been rebuilt"
            log.debug("rebuilding the docgen index in %s: %s", folder, exc)
            warnings.warn(note, IndexWarning, stacklevel=2)
            notes.append(note)
            shutil.rmtree(folder, ignore_errors=True)
            store = cls._connect(root, db_path, create)
        store.notes[:0] = notes
        return store

    @classmethod
    def _connect(cls, root: Path, db_path: Path, create: bool) -> IndexStore:
        if create:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            write_gitignore(db_path.parent)
        uri = f"file:{db_path}" + ("" if create else "?mode=rw")
        db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if "meta" not in tables:
                if not create:
                    raise IndexUnavailable("it has no docgen tables")
                db.executescript(SCHEMA)
                db.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('format_version', ?)",
                    (str(FORMAT_VERSION),),
                )
            version = meta(db, "format_version")
            if version != str(FORMAT_VERSION):
                raise IndexUnavailable(
                    f"format version {version}, this docgen reads {FORMAT_VERSION}"
                )
            if {"files", "symbols"} - tables and "meta" in tables:
                raise IndexUnavailable("tables are missing")
        except BaseException:
            db.close()
            raise
        return cls(root, db)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> IndexStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading
    @property
    def model_id(self) -> str | None:
        """Id of the embedding model the stored vectors came from."""
        return meta(self.db, "model_id")

    def files(self) -> dict[str, str]:
        """Return indexed path -> content hash."""
        return dict(self.db.execute("SELECT path, hash FROM files"))

    def file_records(self) -> dict[str, FileRecord]:
        """Return indexed path -> :class:`FileRecord`."""
        rows = self.db.execute("SELECT path, hash, size, mtime_ns, embedded FROM files")
        return {row[0]: FileRecord(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows}

    def imports(self, path: str) -> dict[str, str]:
        """Return the import map of an indexed file (empty when unknown or damaged)."""
        row = self.db.execute("SELECT imports FROM files WHERE path = ?", (path,)).fetchone()
        value = _json(row[0]) if row else None
        return value if isinstance(value, dict) else {}

    def symbols(self, path: str | None = None) -> list[Symbol]:
        """Return all symbols, or those of one file, in file order (damaged rows left out)."""
        if path is None:
            rows = self.db.execute("SELECT data FROM symbols ORDER BY path, start_byte, id")
        else:
            rows = self.db.execute(
                "SELECT data FROM symbols WHERE path = ? ORDER BY start_byte, id", (path,)
            )
        return [symbol for (data,) in rows if (symbol := _symbol(data)) is not None]

    def find(self, qualname: str) -> list[Symbol]:
        """Return symbols with this qualname (or module name) across files."""
        rows = self.db.execute(
            "SELECT data FROM symbols WHERE qualname = ? ORDER BY path, start_byte", (qualname,)
        )
        return [symbol for (data,) in rows if (symbol := _symbol(data)) is not None]

    def outline(self, paths: list[str]) -> dict[str, tuple[list[SymbolOutline], bool]]:
        """Return path -> (symbol outlines in file order, file has syntax errors) for indexed
        paths: what a coverage check needs, without decoding whole symbols."""
        found: dict[str, tuple[list[SymbolOutline], bool]] = {}
        languages: dict[str, str] = {}
        for chunk in chunks(paths, 500):
            marks = ",".join("?" * len(chunk))
            for path, errors, language in self.db.execute(
                f"SELECT path, error_lines, language FROM files WHERE path IN ({marks})", chunk
            ):
                found[path] = ([], errors not in ("[]", ""))
                languages[path] = language
            for path, qualname, kind, documented, row in self.db.execute(
                f"SELECT path, qualname, kind, documented, outline FROM symbols"
                f" WHERE path IN ({marks}) ORDER BY path, start_byte, id",
                chunk,
            ):
                fields = _json(row)
                if path not in found or not isinstance(fields, list) or len(fields) != 7:
                    continue  # a damaged row: the next `docgen index` re-indexes the file
                found[path][0].append(
                    SymbolOutline.from_row(
                        path, languages[path], qualname, kind, bool(documented), fields
                    )
                )
        return found

    def symbol_id(self, symbol: Symbol) -> int | None:
        """Return the stored id of ``symbol`` (matched by path, qualname and start)."""
        row = self.db.execute(
            "SELECT id FROM symbols WHERE path = ? AND qualname = ? AND start_byte = ?",
            (symbol.path, symbol.qualname, symbol.span.start_byte),
        ).fetchone()
        return int(row[0]) if row else None

    def get(self, ids: list[int]) -> dict[int, Symbol]:
        """Return stored symbols by id (missing ids are left out)."""
        found: dict[int, Symbol] = {}
        for chunk in chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT id, data FROM symbols WHERE id IN ({marks})", chunk
            ):
                symbol = _symbol(row[1])
                if symbol is not None:
                    found[int(row[0])] = symbol
        return found

    def vector(self, symbol_id: int) -> np.ndarray | None:
        """Return the stored vector of a symbol id, if it has one (and it is whole)."""
        row = self.db.execute("SELECT vector FROM symbols WHERE id = ?", (symbol_id,)).fetchone()
        if row is None or not isinstance(row[0], bytes) or len(row[0]) % 4:
            return None
        return np.frombuffer(row[0], np.float32)

    def damaged_paths(self, paths: list[str] | None = None) -> list[str]:
        """Return the indexed files with a row that cannot be read back: a symbol whose JSON
        is broken or not a symbol, a vector of the wrong length, a file row with broken
        JSON (re-indexing those files repairs them). ``paths``: look only at these files
        (an update of some files need not read the whole index)."""
        size = self._vectors.blob_size() or -1
        if paths is None:
            rows = self.db.execute(_DAMAGED.format(only=""), (size,))
            return sorted({str(row[0]) for row in rows})
        found: set[str] = set()
        for chunk in chunks(paths, 400):
            only = f"path IN ({','.join('?' * len(chunk))}) AND"
            rows = self.db.execute(_DAMAGED.format(only=only), (*chunk, size, *chunk))
            found.update(str(row[0]) for row in rows)
        return sorted(found)

    def search(
        self,
        vector: np.ndarray,
        k: int,
        documented_only: bool = False,
        exclude: set[int] | None = None,
    ) -> list[tuple[Symbol, float]]:
        """Return up to ``k`` symbols nearest to ``vector`` (inner product, best first).

        Args:
            vector: A query embedding of the index's dimension (1-D or ``(1, dim)``).
            k: How many results.
            documented_only: Only symbols that have a docstring.
            exclude: Symbol ids to leave out (e.g. the query symbol itself).
        """
        index = self._vectors.index()
        if index is None or index.ntotal == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(np.asarray(vector, np.float32).reshape(1, -1))
        if query.shape[1] != index.d:
            raise ValueError(f"query has dimension {query.shape[1]}, the index {index.d}")
        exclude = exclude or set()
        fetch = min(index.ntotal, k + len(exclude))
        while True:
            scores, ids = index.search(query, fetch * (4 if documented_only else 1))
            wanted = [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]
            wanted = [(i, s) for i, s in wanted if i not in exclude]
            symbols = self.get([i for i, _ in wanted])
            results = [
                (symbols[i], s)
                for i, s in wanted
                if i in symbols and (not documented_only or symbols[i].docstring)
            ]
            exhausted = fetch * (4 if documented_only else 1) >= index.ntotal
            if len(results) >= k or exhausted:
                return results[:k]
            fetch *= 4

    # ---------------------------------------------------------------- writing
    def set_model(self, model_id: str, scope: str = "all") -> bool:
        """Record the embedding model and which symbols get vectors; a change of either
        drops all vectors (files are then embedded again).

        Args:
            model_id: The embedder's :attr:`~indexer.embed.Embedder.model_id`.
            scope: ``all`` symbols or only ``documented`` ones.

        Returns:
            Whether stored vectors were dropped.
        """
        current = self.model_id
        current_scope = meta(self.db, "embed_scope") or "all"
        if current == model_id and current_scope == scope:
            return False
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('model_id', ?)", (model_id,))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('embed_scope', ?)", (scope,))
            if current is None:
                return False
            self.db.execute("UPDATE symbols SET vector = NULL")
            self.db.execute("UPDATE files SET embedded = 0")
            self.db.execute("DELETE FROM meta WHERE key = 'vector_bytes'")
        self._vectors.drop()
        return True

    def transaction(self) -> Transaction:
        """Return a context manager running one ``BEGIN IMMEDIATE`` transaction."""
        return Transaction(self.db)

    def write_file(
        self,
        parsed: ParsedFile,
        record: FileRecord,
        vectors: np.ndarray | None,
        text_hashes: list[str] | None = None,
    ) -> None:
        """Replace a file's symbols (call inside :meth:`transaction`).

        Args:
            parsed: The parsed file.
            record: Its hash and stat (``embedded`` says whether ``vectors`` are given).
            vectors: One vector (or ``None``) per symbol of ``parsed``, or ``None`` when not
                embedding.
            text_hashes: Hash of each symbol's embedding text, to reuse its vector later.
        """
        self.db.execute("DELETE FROM symbols WHERE path = ?", (parsed.path,))
        rows = []
        size = None
        for position, symbol in enumerate(parsed.symbols):
            vector = None if vectors is None else vectors[position]
            blob = None if vector is None else np.asarray(vector, np.float32).tobytes()
            size = size or (None if blob is None else len(blob))
            rows.append(
                (
                    symbol.path,
                    symbol.qualname,
                    symbol.kind,
                    symbol.span.start_byte,
                    int(bool(symbol.docstring)),
                    json.dumps(symbol.to_dict(), separators=(",", ":")),
                    blob,
                    None if text_hashes is None else text_hashes[position],
                    json.dumps(SymbolOutline.of(symbol).row(), separators=(",", ":")),
                )
            )
        if size is not None and self._vectors.recorded_size() != size:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('vector_bytes', ?)", (str(size),))
        self.db.executemany(
            "INSERT INTO symbols"
            " (path, qualname, kind, start_byte, documented, data, vector, text_hash, outline)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                parsed.path,
                record.hash,
                record.size,
                record.mtime_ns,
                parsed.language,
                json.dumps(parsed.error_lines),
                json.dumps(parsed.imports, sort_keys=True),
                int(record.embedded),
            ),
        )

    def vectors_for_texts(self, text_hashes: list[str]) -> dict[str, np.ndarray]:
        """Return stored vectors by embedding-text hash (same text, same vector)."""
        found: dict[str, np.ndarray] = {}
        for chunk in chunks(sorted(set(text_hashes)), 500):
            marks = ",".join("?" * len(chunk))
            for text_hash, blob in self.db.execute(
                f"SELECT text_hash, vector FROM symbols WHERE text_hash IN ({marks})"
                " AND vector IS NOT NULL",
                chunk,
            ):
                found[text_hash] = np.frombuffer(blob, np.float32)
        return found

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new stat for an unchanged file (same content hash)."""
        self.db.execute(
            "UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path)
        )

    def delete_files(self, paths: list[str]) -> None:
        """Forget files and their symbols (call inside :meth:`transaction`)."""
        for chunk in chunks(paths, 500):
            marks = ",".join("?" * len(chunk))
            self.db.execute(f"DELETE FROM symbols WHERE path IN ({marks})", chunk)
            self.db.execute(f"DELETE FROM files WHERE path IN ({marks})", chunk)

    def vectors_changed(self) -> bool:
        """Whether ``vectors.faiss`` changed (or vanished) since it was last synced."""
        return self._vectors.changed()

    def sync_vectors(self) -> int:
        """Bring ``vectors.faiss`` in line with the vectors in SQLite and save it atomically.

        Returns:
            The number of vectors in the saved index.
        """
        return self._vectors.sync()


def _json(value: object) -> object:
    """Decode a JSON text column; None for anything else (bytes, broken JSON)."""
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _symbol(value: object) -> Symbol | None:
    """The symbol of a ``symbols.data`` value; None for a damaged row."""
    data = _json(value)
    if not isinstance(data, dict):
        return None
    try:
        return Symbol.from_dict(data)
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
