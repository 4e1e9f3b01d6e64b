"""``search_symbols``: name matches, then the nearest symbols by meaning.

The index's FAISS vectors cover documented symbols (every symbol with ``embed-all``);
the undocumented ones without a vector are embedded here, from the same text the indexer
would embed (:func:`indexer.embed.embedding_text`), once per version of their file, and
searched beside FAISS, so a search finds undocumented code by meaning too.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.mcp_server.confine import OutsideRoot, confine
from indexer.symbols import Symbol

if TYPE_CHECKING:
    from indexer.embed import Embedder
    from indexer.store import IndexStore

MAX_EMBEDDED_HERE = 5000
"""At most this many undocumented symbols are embedded by the server; beyond that, a note
suggests ``embed-all = true`` (the index then holds their vectors)."""

Key = tuple[str, str, int]


class SymbolSearch:
    """Name and semantic search over one repository's index.

    Args:
        root: Repository root.
        max_file_bytes: Larger files are not read to embed their undocumented symbols.
    """

    def __init__(self, root: Path, max_file_bytes: int) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self._lock = threading.Lock()
        self._symbols: tuple[Any, list[Symbol]] | None = None
        self._vectors: dict[tuple[Key, str | None], np.ndarray] = {}
        self._embedding = threading.Lock()

    def _generation(self) -> tuple:
        found = []
        for name in ("index.sqlite", "index.sqlite-wal", "vectors.faiss"):
            try:
                stat = (self.root / ".docgen" / name).stat()
                found.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                found.append(None)
        return tuple(found)

    def symbols(self, store: IndexStore) -> list[Symbol]:
        """Every symbol of the index, read again when the index's files change."""
        generation = self._generation()
        with self._lock:
            if self._symbols is not None and self._symbols[0] == generation:
                return self._symbols[1]
        symbols = store.symbols()
        with self._lock:
            self._symbols = (generation, symbols)
        return symbols

    def by_name(self, store: IndexStore, query: str) -> list[tuple[Symbol, float]]:
        """Symbols whose qualname is, holds, or holds every word of ``query``."""
        lowered = query.lower()
        words = [w for w in re.split(r"[^0-9a-z]+", lowered) if w]
        found = []
        for symbol in self.symbols(store):
            name = symbol.qualname.lower()
            if lowered in (name, symbol.name.lower()):
                found.append((symbol, 1.0))
            elif lowered in name:
                found.append((symbol, 0.9))
            elif words and all(w in name for w in words):
                found.append((symbol, 0.8))
        return found

    def by_meaning(
        self, store: IndexStore, embedder: Embedder, query: str, k: int, notes: list[str]
    ) -> list[tuple[Symbol, float]]:
        """The ``k`` symbols nearest to ``query``: FAISS, and the undocumented symbols the
        index holds no vector for."""
        vector = embedder.encode([query])[0]
        hits = list(store.search(vector, k))
        with self._embedding:  # one embedding pass at a time
            extra, matrix = self._undocumented(store, embedder, notes)
        if extra:
            scores = matrix @ vector
            best = np.argsort(-scores)[:k]
            hits += [(extra[i], float(scores[i])) for i in best]
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def _undocumented(
        self, store: IndexStore, embedder: Embedder, notes: list[str]
    ) -> tuple[list[Symbol], np.ndarray]:
        from indexer.embed import embedding_text
        from indexer.parser import SkipFile, read_source_file
        from indexer.store import content_hash
        from indexer.text import symbol_source

        hashes = store.files()
        wanted = [
            s
            for s in self.symbols(store)
            if not s.docstring
            and (sid := store.symbol_id(s)) is not None
            and store.vector(sid) is None
        ]
        if len(wanted) > MAX_EMBEDDED_HERE:
            notes.append(
                f"{len(wanted)} undocumented symbols have no vector; the first "
                f"{MAX_EMBEDDED_HERE} are searched by meaning (set `embed-all = true` in "
                "[tool.docgen] and run `docgen index` to search them all)"
            )
            wanted = wanted[:MAX_EMBEDDED_HERE]
        symbols, vectors, texts, todo = [], [], [], []
        sources: dict[str, bytes | None] = {}
        for symbol in wanted:
            key = ((symbol.path, symbol.qualname, symbol.span.start_byte), hashes.get(symbol.path))
            if key in self._vectors:
                symbols.append(symbol)
                vectors.append(self._vectors[key])
                continue
            if symbol.path not in sources:
                try:  # only bytes the index holds: the spans are theirs
                    data = read_source_file(
                        confine(self.root, symbol.path)[1], self.max_file_bytes
                    ).data
                    sources[symbol.path] = data if content_hash(data) == key[1] else None
                except (OutsideRoot, SkipFile, OSError):
                    sources[symbol.path] = None
            source = sources[symbol.path]
            if source is not None:
                texts.append(embedding_text(symbol, symbol_source(source, symbol)))
                todo.append((symbol, key))
        if texts:
            for (symbol, key), vector in zip(todo, embedder.encode(texts), strict=True):
                self._vectors[key] = vector
                symbols.append(symbol)
                vectors.append(vector)
        if not symbols:
            return [], np.zeros((0, 0), np.float32)
        return symbols, np.vstack(vectors)
