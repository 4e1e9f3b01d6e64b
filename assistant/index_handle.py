"""The repository's index as the pipeline reads it: opened lazily, one store per thread,
reopened when the index changes on disk; a missing index is a note, never an error."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.symbols import ParsedFile

if TYPE_CHECKING:  # heavy to import: only the types are needed here
    from indexer.embed import Embedder
    from indexer.index import IndexConfig, IndexSummary
    from indexer.store import IndexStore

log = logging.getLogger(__name__)


def index_config(root: Path, notes: list[str]) -> IndexConfig:
    """The repository's ``indexer.index.IndexConfig`` from its ``[tool.docgen]``."""
    from indexer.config import ConfigError, load_tool_config
    from indexer.index import IndexConfig

    pyproject = root / "pyproject.toml"
    try:
        return IndexConfig.from_tool_config(
            load_tool_config(pyproject if pyproject.is_file() else None)
        )
    except ConfigError as exc:
        notes.append(f"{exc}; using default index settings")
        return IndexConfig()


class IndexHandle:
    """The repository index as the pipeline uses it: opened lazily, one store per thread.

    SQLite connections cannot cross threads, and the language server drafts from worker
    threads, so each thread opens its own :class:`indexer.store.IndexStore`. A missing or
    unusable index is a note, never an error.

    Args:
        root: Repository root.
        config: ``indexer.index.IndexConfig`` (excludes, embedding model); None: defaults.
        store: A ready store to use in every thread (tests); None opens ``root/.docgen``.
        embedder: A ready embedder; None uses the index's configured (shared) one.
    """

    def __init__(
        self,
        root: Path,
        config: IndexConfig | None = None,
        store: IndexStore | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self._fixed_store = store
        self._embedder = embedder
        self._local = threading.local()
        self._opened: list[IndexStore] = []
        self._lock = threading.Lock()
        self.notes: list[str] = []

    def _stamp(self, store: IndexStore) -> tuple[int | None, int]:
        """What changes when someone else writes the index: SQLite's ``data_version`` (it
        moves on commits by other connections) and the FAISS file's time."""
        try:
            version = store.db.execute("PRAGMA data_version").fetchone()[0]
        except Exception:  # noqa: BLE001 - a broken connection reads as changed
            version = None
        try:
            vectors = (self.root / ".docgen" / "vectors.faiss").stat().st_mtime_ns
        except OSError:
            vectors = 0
        return version, vectors

    def generation(self) -> tuple[int | None, int] | None:
        """A value that changes when the index changes (None: no index)."""
        if self.store() is None:
            return None
        return getattr(self._local, "stamp", None)

    def store(self) -> IndexStore | None:
        """Return this thread's open store, or None without a usable index.

        The store is reopened when the index changed on disk (another process or the
        language server updated it), so FAISS and SQLite reads stay current; an index that
        appears later is picked up.
        """
        if self._fixed_store is not None:
            return self._fixed_store
        local = self._local
        store = getattr(local, "store", None)
        if store is not None:
            if self._stamp(store) == local.stamp:
                return store
            with self._lock:
                if store in self._opened:
                    self._opened.remove(store)
            store.close()
            local.store = None
        if not (self.root / ".docgen" / "index.sqlite").is_file():
            self._note(
                f"no index at {self.root / '.docgen'}: drafting without similar symbols "
                f"(run `docgen index {self.root}`)"
            )
            return None
        failed = getattr(local, "failed", None)
        if failed is not None and failed == self._file_stamp():
            return None  # the same unusable index as last time
        try:
            from indexer.store import IndexStore

            store = IndexStore.open(self.root)
        except Exception as exc:  # noqa: BLE001 - drafting works without the index
            self._note(f"index unavailable ({exc}); drafting without similar symbols")
            local.failed = self._file_stamp()
            return None
        local.store, local.stamp, local.failed = store, self._stamp(store), None
        with self._lock:
            self._opened.append(store)
        self.notes = [n for n in self.notes if "no index at" not in n]
        return store

    def _file_stamp(self) -> tuple[int, ...]:
        folder = self.root / ".docgen"
        stamps = []
        for name in ("index.sqlite", "index.sqlite-wal"):
            try:
                stamps.append((folder / name).stat().st_mtime_ns)
            except OSError:
                stamps.append(0)
        return tuple(stamps)

    def embedder(self) -> Embedder:
        """Return the embedder matching the index's vectors."""
        if self._embedder is None:
            from indexer.embed import shared_embedder

            model = getattr(self.config, "embedding_model", None)
            backend = getattr(self.config, "embedding_backend", "auto")
            self._embedder = shared_embedder(model, backend)
        return self._embedder

    def indexed_files(self) -> IndexedFiles:
        """This thread's index, for reading the parses of files it holds unchanged."""
        return IndexedFiles(self.store())

    def update(self) -> IndexSummary:
        """Bring the index up to date (``indexer.index.update_index``); reopen stores."""
        from indexer.index import update_index

        self.close()
        return update_index(self.root, self.config, None, self._embedder)

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)
            log.warning(message)

    def close(self) -> None:
        """Close every store opened by any thread (they reopen on next use)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for store in opened:
            try:
                store.close()
            except Exception:  # noqa: BLE001 - closing from another thread may fail
                pass
        self._local = threading.local()


class IndexedFiles:
    """The symbols of files the index holds unchanged (same content hash), read instead of
    parsed again: the index stores exactly what the parser returns for those bytes.

    The file hashes are read once, when this is made (one bulk run's view of the index).

    Args:
        store: The open store, or None without an index (every file is then parsed).
    """

    def __init__(self, store: IndexStore | None) -> None:
        self.store = store
        try:
            self.hashes = self.store.files() if self.store is not None else {}
        except Exception:  # noqa: BLE001 - fall back to parsing
            self.hashes = {}

    def parse(self, rel: str, source: bytes) -> ParsedFile | None:
        """Return the indexed parse of ``source`` at ``rel``, or None if the index does not
        hold these exact bytes (the caller parses them)."""
        from indexer.index import content_hash

        if self.store is None or self.hashes.get(rel) != content_hash(source):
            return None
        try:
            symbols = self.store.symbols(rel)
            imports = self.store.imports(rel)
        except Exception:  # noqa: BLE001
            return None
        if not symbols or symbols[0].kind != "module":
            return None
        module = symbols[0]
        return ParsedFile(rel, module.language, symbols, module.has_errors, [], imports)
