"""Similar documented symbols: nearest neighbours among the index's FAISS vectors (over
``indexer.embed.embedding_text``), embedding only code the index has no vector for."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.borrowing import kinds_can_share, summary_ok
from assistant.cache import ResultCache, digest
from assistant.callees import summary_of
from assistant.target import Target
from indexer.symbols import Symbol

if TYPE_CHECKING:  # heavy to import: only the types are needed here
    from indexer.embed import Embedder
    from indexer.store import IndexStore

_FAISS_THREADS_SET = False


def _single_threaded_faiss() -> None:
    """One query against a flat index of a few thousand vectors takes ~0.3 ms on one
    thread but ~20 ms with OpenMP's threads on a busy 2-core machine (measured): search
    single-threaded."""
    global _FAISS_THREADS_SET
    if not _FAISS_THREADS_SET:
        import faiss

        faiss.omp_set_num_threads(1)
        _FAISS_THREADS_SET = True


RETRIEVAL_VERSION = 4
"""Bumped when which neighbours retrieval returns changes (part of the context cache's
keys; 2: no module neighbours for a class or callable, and the reverse; 3: only summaries
the dataset would keep; 4: each neighbour's kind)."""

_KIND_SEARCH_FACTOR = 3
"""How many more neighbours :meth:`SimilarSymbols.find` reads than it keeps, so that
``top_k`` remain after those of another kind are left out."""

Neighbour = tuple[str, str, str, float, str]
"""A similar documented symbol: ``(name, summary, qualname, similarity, kind)``."""


def _score_of(hit: Any) -> float:
    """The similarity of a store search result ``(symbol, score)`` (0.0 when it has none)."""
    if isinstance(hit, tuple | list) and len(hit) >= 2 and isinstance(hit[1], int | float):
        return float(hit[1])
    return 0.0


def _as_symbol(hit: Any) -> Symbol | None:
    """Accept the store's search/find results in their plain shapes."""
    if isinstance(hit, Symbol):
        return hit
    if isinstance(hit, tuple | list) and hit:
        return _as_symbol(hit[0])
    found = getattr(hit, "symbol", None)
    return found if isinstance(found, Symbol) else None


class SimilarSymbols:
    """Finds the ``top_k`` most similar documented symbols of each target, itself excluded.

    A target whose file the index holds unchanged uses the index's own vector; others are
    embedded (in one batch, vectors cached in ``cache``). Failures become a note and no
    neighbours: retrieval degrades, never fails.

    Args:
        store: Callable returning the calling thread's open store, or None.
        embedder: Callable returning the embedder the index was built with (None: code
            the index has no vector for gets no neighbours).
        cache: Where embeddings of edited code are cached (None: not cached).
        top_k: Similar symbols to retrieve.
        note: Called with a message when the search fails.
    """

    def __init__(
        self,
        store: Callable[[], IndexStore | None],
        embedder: Callable[[], Embedder] | None,
        cache: ResultCache | None,
        top_k: int,
        note: Callable[[str], None],
    ) -> None:
        self._store = store
        self._embedder = embedder
        self.cache = cache
        self.top_k = top_k
        self._note = note
        self._hashes: dict[str, str] | None = None
        self.embed_seconds = 0.0
        """Time spent embedding code the index has no vector for (undocumented symbols)."""
        self.embedded = 0

    def reset(self) -> None:
        """Forget the index's file hashes (call after the index changed)."""
        self._hashes = None

    def _embed(self, texts: list[str]) -> list[np.ndarray | None]:
        """Embed texts, reusing cached vectors (one batched call for the rest)."""
        if self._embedder is None:
            return [None] * len(texts)
        embedder = self._embedder()
        model = str(getattr(embedder, "model_id", "embedder"))
        keys = [digest("embedding", model, text) for text in texts]
        vectors: list[np.ndarray | None] = [None] * len(texts)
        missing = []
        for i, key in enumerate(keys):
            hit = self.cache.get(key) if self.cache is not None else None
            if hit and isinstance(hit.get("v"), str):
                vectors[i] = np.frombuffer(base64.b64decode(hit["v"]), dtype=np.float32)
            else:
                missing.append(i)
        if missing:
            started = time.perf_counter()
            encoded = np.asarray(embedder.encode([texts[i] for i in missing]))
            self.embed_seconds += time.perf_counter() - started
            self.embedded += len(missing)
            for i, vector in zip(missing, encoded, strict=True):
                vector = np.asarray(vector, dtype=np.float32)
                vectors[i] = vector
                if self.cache is not None:
                    self.cache.set(keys[i], {"v": base64.b64encode(vector.tobytes()).decode()})
        return vectors

    def _indexed_vector(
        self, store: IndexStore, target: Target
    ) -> tuple[np.ndarray | None, int | None]:
        """The index's own vector and id for the target, if the file is unchanged."""
        from indexer.index import content_hash

        if self._hashes is None:
            self._hashes = store.files()
        if self._hashes.get(target.path) != content_hash(target.source):
            return None, None
        symbol_id = store.symbol_id(target.symbol)
        if symbol_id is None:
            return None, None
        return store.vector(symbol_id), symbol_id

    def find(self, targets: list[Target]) -> list[list[Neighbour]]:
        """Return the similar documented symbols of each target as ``(name, summary,
        qualname, similarity, kind)`` (the qualified name is for the result's provenance,
        the similarity, the inner product of the normalised code vectors, and the kind for
        the ranker)."""
        return self.find_with_vectors(targets)[0]

    def find_with_vectors(
        self, targets: list[Target]
    ) -> tuple[list[list[Neighbour]], list[np.ndarray | None]]:
        """:meth:`find`, and each target's code vector (None where there is none: no
        index, or retrieval failed), for other searches in the same space (the corpus)."""
        empty: list[list[Neighbour]] = [[] for _ in targets]
        store = self._store()
        if store is None or not targets or self.top_k <= 0:
            return empty, [None] * len(targets)
        try:
            from indexer.embed import embedding_text

            _single_threaded_faiss()
            found = [self._indexed_vector(store, t) for t in targets]
            todo = [i for i, (vector, _) in enumerate(found) if vector is None]
            vectors = [vector for vector, _ in found]
            if todo:
                texts = [embedding_text(targets[i].symbol, targets[i].code) for i in todo]
                for i, vector in zip(todo, self._embed(texts), strict=True):
                    vectors[i] = vector
            pairs = [
                self._search(store, t, v, symbol_id)
                for t, v, (_, symbol_id) in zip(targets, vectors, found, strict=True)
            ]
            return pairs, vectors
        except Exception as exc:  # noqa: BLE001 - retrieval degrades, never fails
            self._note(f"similar symbols unavailable ({exc}); drafting without them")
            return empty, [None] * len(targets)

    def model_id(self) -> str | None:
        """The embedding model of the index's vectors (None: no index or unreadable)."""
        store = self._store()
        try:
            return store.model_id if store is not None else None
        except Exception:  # noqa: BLE001 - an unreadable index has no usable vectors
            return None

    def scored(self, target: Target) -> list[tuple[Symbol, float]]:
        """The ``top_k`` most similar documented symbols of ``target`` with their
        similarity (best first; [] without an index or when the search fails)."""
        store = self._store()
        if store is None or self.top_k <= 0:
            return []
        try:
            from indexer.embed import embedding_text

            _single_threaded_faiss()
            vector, symbol_id = self._indexed_vector(store, target)
            if vector is None:
                vector = self._embed([embedding_text(target.symbol, target.code)])[0]
            if vector is None:
                return []
            exclude = {symbol_id} if symbol_id is not None else set()
            hits = store.search(vector, self.top_k + 1, documented_only=True, exclude=exclude)
        except Exception as exc:  # noqa: BLE001 - retrieval degrades, never fails
            self._note(f"similar symbols unavailable ({exc}); drafting without them")
            return []
        out = []
        for symbol, score in hits:
            if symbol.path == target.path and symbol.qualname == target.symbol.qualname:
                continue
            out.append((symbol, float(score)))
        return out[: self.top_k]

    def _search(
        self, store: IndexStore, target: Target, vector: np.ndarray | None, symbol_id: int | None
    ) -> list[Neighbour]:
        if vector is None:
            return []
        exclude = {symbol_id} if symbol_id is not None else set()
        # symbols of another kind lend nothing (assistant.borrowing): look further for k
        wanted = _KIND_SEARCH_FACTOR * (self.top_k + 1)
        hits = store.search(vector, wanted, documented_only=True, exclude=exclude)
        pairs = []
        for hit in hits:
            symbol = _as_symbol(hit)
            if symbol is None or not kinds_can_share(target.symbol.kind, symbol.kind):
                continue
            if symbol.path == target.path and symbol.qualname == target.symbol.qualname:
                continue
            summary = summary_of(symbol)
            if summary and summary_ok(summary):
                pairs.append((symbol.name, summary, symbol.qualname, _score_of(hit), symbol.kind))
        return pairs[: self.top_k]
