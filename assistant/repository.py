"""The repository as the pipeline sees it: its index (opened per thread, reopened when it
changes) and its conventions (docstring style and parameter prose), learned once."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from assistant.cache import ResultCache, digest
from assistant.lexicon import ParamLexicon
from assistant.styles import detect_repo_style

log = logging.getLogger(__name__)

SCAN_VERSION = 1
"""Bumped when what the scan learns changes; part of its cache key."""


def index_config(root: Path, notes: list[str]) -> Any:
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


def scan_conventions(
    root: Path, settings: Any, index: IndexHandle, retriever: Any, cache: ResultCache
) -> tuple[str, ParamLexicon]:
    """Return the repository's majority style and its parameter descriptions.

    Read from the index's documented symbols (cached, keyed by the index's content), or,
    without an index, by parsing up to 5,000 docstrings of the repository.
    """
    key = None
    if index.store() is not None:
        key = digest("scan", SCAN_VERSION, retriever.index_fingerprint())
        hit = cache.get(key)
        if hit is not None and isinstance(hit.get("lexicon"), dict):
            return str(hit["style"]), ParamLexicon.from_dict(hit["lexicon"])
    lexicon = ParamLexicon()
    docstrings = list(_docstrings(root, settings, index, retriever))
    for text in docstrings:
        lexicon.add_docstring(text)
    style = detect_repo_style(docstrings)
    if key is not None:
        cache.set(key, {"style": style, "lexicon": lexicon.to_dict()})
    return style, lexicon


def _docstrings(root: Path, settings: Any, index: IndexHandle, retriever: Any, limit: int = 5000):
    """Docstrings of Python definitions: from the index, else by parsing the repo."""
    if index.store() is not None:
        documented = retriever.documented_by_name()
        if documented:
            yield from (s.docstring for s in documented.values() if s.language == "python")
            return
    from indexer.parser import SkipFile, parse_file
    from indexer.walker import WalkOptions, walk

    found = 0
    options = WalkOptions(settings.exclude, settings.max_file_bytes, True, ["python"])
    for path in walk(root, options).files.values():
        try:
            parsed = parse_file(path, root, settings.max_file_bytes)
        except (SkipFile, OSError):
            continue
        for symbol in parsed.symbols:
            if symbol.docstring and symbol.kind != "module":
                found += 1
                yield symbol.docstring
        if found >= limit:
            return


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

    def __init__(self, root: Path, config: Any = None, store: Any = None, embedder: Any = None):
        self.root = root
        self.config = config
        self._fixed_store = store
        self._embedder = embedder
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()
        self.notes: list[str] = []

    def _stamp(self, store: Any) -> tuple[Any, int]:
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

    def generation(self) -> Any:
        """A value that changes when the index changes (None: no index)."""
        if self.store() is None:
            return None
        return getattr(self._local, "stamp", None)

    def store(self) -> Any:
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

    def embedder(self) -> Any:
        """Return the embedder matching the index's vectors."""
        if self._embedder is None:
            from indexer.embed import shared_embedder

            model = getattr(self.config, "embedding_model", None)
            backend = getattr(self.config, "embedding_backend", "auto")
            self._embedder = shared_embedder(model, backend)
        return self._embedder

    def update(self) -> Any:
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
