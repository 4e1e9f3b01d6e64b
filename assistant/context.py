"""Context retrieval: the evidence the drafting model sees for one symbol.

For a target symbol this gathers, from its file and the repository index:

- **callees**: the definitions it calls, with their summaries. A call is resolved, in this
  order, to a method of the same class (``self.x``/``cls.x``), a definition of the same
  file, a definition reached through the file's imports, and finally any documented
  definition of the repository with that bare name (``assistant.prompt.callee_key``), the
  way the training data was built. Only documented definitions give evidence.
- **enclosing scope**: the enclosing class's name and summary, the module's summary.
- **similar**: the ``top_k`` most similar *documented* symbols of the repository (FAISS
  over ``indexer.embed.embedding_text``), the symbol itself excluded.

The prompt is built only through ``assistant.prompt.build_prompt`` so run time matches
training. Token budget: ``max_context_tokens`` is turned into a character budget at
:data:`CHARS_PER_TOKEN`; when the prompt would exceed it, ``build_prompt`` truncates in its
documented order: module summary, callees (last first), similar symbols beyond the most
similar one (last first), the class line, the most similar symbol, then the end of the code.

Retrieval degrades, never fails: without an index (or with a broken one) the similar
symbols are missing and a note says so; file-local evidence still works. The index itself
is reached through :class:`assistant.index_handle.IndexHandle`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.cache import ResultCache, digest
from assistant.prompt import (
    CALLEES_K,
    PROMPT_VERSION,
    Evidence,
    build_prompt,
    callee_key,
    first_sentence,
)
from assistant.summaries import Vocabulary
from indexer.symbols import ParsedFile, Symbol

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
"""Characters per token assumed when turning ``max_context_tokens`` into a budget."""


@dataclass(slots=True)
class Target:
    """One symbol to document, with the file it was parsed from.

    Attributes:
        path: Repository-relative path.
        source: The file's bytes the symbol was parsed from.
        parsed: The parse of ``source``.
        symbol: The symbol.
        code: The symbol's code without its docstring.
    """

    path: str
    source: bytes
    parsed: ParsedFile
    symbol: Symbol
    code: str


@dataclass(slots=True)
class Context:
    """What was retrieved for one target.

    Attributes:
        evidence: The evidence in the model's format.
        prompt: The model input.
        texts: The code and evidence texts (the vocabulary is built from them).
        context_hash: Digest of the prompt (part of the cache key).
        notes: What could not be retrieved.
    """

    evidence: Evidence
    prompt: str
    texts: list[str]
    context_hash: str
    notes: list[str] = field(default_factory=list)

    @property
    def vocabulary(self) -> Vocabulary:
        """Identifiers and words of the code and evidence (built on demand: cache hits
        never need it)."""
        return Vocabulary.from_texts(self.texts)


def _summary(symbol: Symbol | None) -> str | None:
    if symbol is None or not symbol.docstring:
        return None
    return first_sentence(symbol.docstring) or None


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


def _as_symbol(hit: Any) -> Symbol | None:
    """Accept the store's search/find results in their plain shapes."""
    if isinstance(hit, Symbol):
        return hit
    if isinstance(hit, tuple | list) and hit:
        return _as_symbol(hit[0])
    found = getattr(hit, "symbol", None)
    return found if isinstance(found, Symbol) else None


class ContextRetriever:
    """Builds :class:`Context` for targets from their files and the repository index.

    Args:
        root: Repository root (holding ``.docgen/``).
        store: Callable returning an open ``indexer.store.IndexStore`` for the calling
            thread, or None when there is no usable index (no similar symbols then).
        embedder: Callable returning the ``indexer.embed.Embedder`` the index was built
            with (only needed for code the index has no vector for).
        cache: Where embeddings of edited code are cached (None: not cached).
        top_k: Similar symbols to retrieve.
        max_context_tokens: Prompt budget in tokens.
        generation: Callable returning a value that changes when the index changes
            (what was read from it is then forgotten).
    """

    def __init__(
        self,
        root: Path,
        store: Callable[[], Any] | None = None,
        embedder: Callable[[], Any] | None = None,
        cache: ResultCache | None = None,
        top_k: int = 3,
        max_context_tokens: int = 400,
        generation: Callable[[], Any] | None = None,
    ) -> None:
        self.root = root
        self._store = store or (lambda: None)
        self._embedder = embedder
        self.cache = cache
        self.top_k = top_k
        self.max_chars = max(200, max_context_tokens * CHARS_PER_TOKEN)
        self.notes: list[str] = []
        self._names: dict[str, Symbol] | None = None
        self._found: dict[str, Symbol | None] = {}
        self._hashes: dict[str, str] | None = None
        self._fingerprint: str | None = None
        self.embed_seconds = 0.0
        """Time spent embedding code the index has no vector for (undocumented symbols)."""
        self.embedded = 0
        self._generation = generation or (lambda: None)
        self._seen_generation: Any = None

    def reset(self) -> None:
        """Forget what was read from the index (call after the index changed)."""
        self._names = None
        self._found = {}
        self._hashes = None
        self._fingerprint = None

    @property
    def store(self) -> Any:
        """The calling thread's index store, or None."""
        return self._store()

    # --- embeddings ---------------------------------------------------------------------

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

    def _indexed_vector(self, store: Any, target: Target) -> tuple[np.ndarray | None, int | None]:
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

    def _similar(self, targets: list[Target]) -> list[list[tuple[str, str]]]:
        """Return the similar documented symbols of each target."""
        empty: list[list[tuple[str, str]]] = [[] for _ in targets]
        store = self.store
        if store is None or not targets or self.top_k <= 0:
            return empty
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
            return [
                self._search(store, t, v, symbol_id)
                for t, v, (_, symbol_id) in zip(targets, vectors, found, strict=True)
            ]
        except Exception as exc:  # noqa: BLE001 - retrieval degrades, never fails
            self._note(f"similar symbols unavailable ({exc}); drafting without them")
            return empty

    def _search(
        self, store: Any, target: Target, vector: np.ndarray | None, symbol_id: int | None
    ) -> list[tuple[str, str]]:
        if vector is None:
            return []
        exclude = {symbol_id} if symbol_id is not None else set()
        hits = store.search(vector, self.top_k + 1, documented_only=True, exclude=exclude)
        pairs = []
        for hit in hits:
            symbol = _as_symbol(hit)
            if symbol is None:
                continue
            if symbol.path == target.path and symbol.qualname == target.symbol.qualname:
                continue
            summary = _summary(symbol)
            if summary:
                pairs.append((symbol.name, summary))
        return pairs[: self.top_k]

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)
            log.warning(message)

    # --- callees and scope --------------------------------------------------------------

    def documented_by_name(self) -> dict[str, Symbol]:
        """Documented definitions of the index by bare name (first in path order)."""
        if self._names is None:
            names: dict[str, Symbol] = {}
            store = self.store
            try:
                for symbol in store.symbols() if store is not None else []:
                    if symbol.docstring and symbol.kind != "module":
                        names.setdefault(symbol.name, symbol)
            except Exception as exc:  # noqa: BLE001
                self._note(f"index lookup failed ({exc})")
            self._names = names
        return self._names

    def _find_dotted(self, dotted: str) -> Symbol | None:
        """Resolve ``pkg.mod.func`` / ``pkg.mod.Class.method`` to an indexed definition."""
        from indexer.text import module_name

        if dotted in self._found:
            return self._found[dotted]
        found = None
        store = self.store
        parts = dotted.split(".")
        try:
            for cut in range(len(parts) - 1, 0, -1):
                module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
                for symbol in store.find(qualname) if store is not None else []:
                    if symbol.docstring and module_name(symbol.path) == module:
                        found = symbol
                        break
                if found is not None:
                    break
        except Exception as exc:  # noqa: BLE001
            self._note(f"index lookup failed ({exc})")
        self._found[dotted] = found
        return found

    def _resolve(self, call: str, target: Target, local: dict[str, Symbol]) -> Symbol | None:
        symbol = target.symbol
        head, _, rest = call.partition(".")
        key = callee_key(call)
        if head in ("self", "cls") and rest and symbol.parent:
            found = local.get(f"{symbol.parent}.{key}")
            if found is not None:
                return found
        if call in local:
            return local[call]
        imported = target.parsed.imports.get(head)
        if imported:
            found = self._find_dotted(f"{imported}.{rest}" if rest else imported)
            if found is not None:
                return found
        if key in local:
            return local[key]
        return self.documented_by_name().get(key)

    def callees(self, target: Target) -> list[tuple[str, str]]:
        """Return ``(name, summary)`` of the documented definitions the target calls."""
        local = {s.qualname: s for s in target.parsed.symbols if s.kind != "module"}
        pairs: list[tuple[str, str]] = []
        seen: set[str] = set()
        for call in target.symbol.calls:
            key = callee_key(call)
            if not key or key in seen or key == target.symbol.name:
                continue
            seen.add(key)
            summary = _summary(self._resolve(call, target, local))
            if summary:
                pairs.append((key, summary))
            if len(pairs) >= CALLEES_K:
                break
        return pairs

    def scope(self, target: Target) -> tuple[str | None, str | None, str | None]:
        """Return (class name, class summary, module summary) around the target."""
        symbols = {s.qualname: s for s in target.parsed.symbols}
        module = target.parsed.symbols[0] if target.parsed.symbols else None
        module_summary = (
            _summary(module) if module is not None and module.kind == "module" else None
        )
        parent = symbols.get(target.symbol.parent or "")
        if parent is not None and parent.kind == "class":
            return parent.name, _summary(parent), module_summary
        return None, None, module_summary

    # --- all together -------------------------------------------------------------------

    def index_fingerprint(self) -> str:
        """Digest of what the index holds (its files' hashes and embedding model)."""
        if self._fingerprint is None:
            store = self.store
            if store is None:
                self._fingerprint = "no-index"
            else:
                try:
                    self._fingerprint = digest(store.model_id, sorted(store.files().items()))
                except Exception as exc:  # noqa: BLE001
                    self._note(f"index unreadable ({exc})")
                    self._fingerprint = "unreadable"
        return self._fingerprint

    def _context_keys(self, targets: list[Target]) -> list[str]:
        """Cache keys of contexts: retrieval is deterministic given the file, the symbol,
        the index content and the settings, so a repeat run skips FAISS and SQLite."""
        index = self.index_fingerprint()
        files: dict[int, str] = {}
        keys = []
        for t in targets:
            if id(t.source) not in files:
                files[id(t.source)] = hashlib.sha256(t.source).hexdigest()
            file_hash = files[id(t.source)]
            where = (t.path, t.symbol.qualname, t.symbol.span.start_byte)
            keys.append(digest("context", PROMPT_VERSION, index, file_hash, where, self.top_k))
        return keys

    def contexts(self, targets: list[Target]) -> list[Context]:
        """Return the context of each target (similar symbols embedded in one batch)."""
        generation = self._generation()
        if generation != self._seen_generation:
            self.reset()
            self._seen_generation = generation
        keys = self._context_keys(targets) if self.cache is not None else []
        out: list[Context | None] = [None] * len(targets)
        for i, key in enumerate(keys):
            out[i] = _cached_context(self.cache.get(key), self.max_chars)  # type: ignore[union-attr]
        todo = [i for i, found in enumerate(out) if found is None]
        similar = self._similar([targets[i] for i in todo])
        for i, near in zip(todo, similar, strict=True):
            target = targets[i]
            class_name, class_summary, module_summary = self.scope(target)
            evidence = Evidence(
                near, self.callees(target), class_name, class_summary, module_summary
            )
            context = _context(target.code, evidence, self.max_chars, list(self.notes))
            out[i] = context
            if keys and not self.notes:  # never cache a degraded retrieval
                entry = {"code": target.code, "evidence": asdict(evidence)}
                entry.update(prompt=context.prompt, max_chars=self.max_chars)
                self.cache.set(keys[i], entry)  # type: ignore[union-attr]
        return [c for c in out if c is not None]


def _context(
    code: str, evidence: Evidence, max_chars: int, notes: list[str], prompt: str | None = None
) -> Context:
    prompt = prompt if prompt is not None else build_prompt(code, evidence, max_chars)
    return Context(
        evidence, prompt, evidence_texts(code, evidence), digest("context", prompt), notes
    )


def evidence_texts(code: str, evidence: Evidence) -> list[str]:
    """The code and evidence texts whose identifiers count as grounded in refinement."""
    texts = [code, *(f"{n} {s}" for n, s in evidence.similar)]
    texts += [f"{n} {s}" for n, s in evidence.callees]
    texts += [evidence.class_name or "", evidence.class_summary or ""]
    texts.append(evidence.module_summary or "")
    return texts


def _cached_context(hit: dict[str, Any] | None, max_chars: int) -> Context | None:
    if not hit or "evidence" not in hit:
        return None
    try:
        raw = hit["evidence"]
        evidence = Evidence(
            [tuple(pair) for pair in raw["similar"]],  # type: ignore[misc]
            [tuple(pair) for pair in raw["callees"]],  # type: ignore[misc]
            raw["class_name"],
            raw["class_summary"],
            raw["module_summary"],
        )
        prompt = hit.get("prompt") if hit.get("max_chars") == max_chars else None
        return _context(str(hit["code"]), evidence, max_chars, [], prompt)
    except (KeyError, TypeError, ValueError):
        return None
