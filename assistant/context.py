"""Context retrieval: the evidence the drafting model sees for one symbol, and its cache.

For a target symbol this gathers, from its file and the repository index:

- **callees**: the documented definitions it calls, with their summaries
  (:mod:`assistant.callees`, which documents the resolution order).
- **enclosing scope**: the enclosing class's name and summary, the module's summary.
- **similar**: the ``top_k`` most similar *documented* symbols of the repository (FAISS
  over ``indexer.embed.embedding_text``, :mod:`assistant.similar`), the symbol itself
  excluded, each with its similarity (``Evidence.similar_scores``: a ranker feature, not
  part of the prompt).
- **corpus**: the ``corpus_k`` nearest functions of the shipped cold-start corpus
  (:mod:`assistant.corpus`) by the same code vector; candidates and evidence for
  refinement, not part of the prompt (the model was trained on same-package evidence).
  Only when the index's vectors are all-MiniLM-L6-v2 (the corpus's space); a missing or
  corrupt corpus file is one note and no corpus.

The prompt is built only through ``assistant.prompt.build_prompt`` so run time matches
training. Token budget: ``max_context_tokens`` is turned into a character budget at
:data:`CHARS_PER_TOKEN`; when the prompt would exceed it, ``build_prompt`` truncates in its
documented order: module summary, callees (last first), similar symbols beyond the most
similar one (last first), the class line, the most similar symbol, then the end of the code.

Retrieval is deterministic given the file, the symbol, the index's content and the
settings, so whole contexts are cached. Retrieval degrades, never fails: without an index
(or with a broken one) the similar symbols are missing and a note says so; file-local
evidence still works. The index itself is reached through
:class:`assistant.index_handle.IndexHandle`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cache import ResultCache, digest
from assistant.callees import CalleeResolver, scope
from assistant.corpus import (
    CORPUS_MODEL,
    Corpus,
    CorpusHit,
    corpus_texts,
    default_corpus,
    load_corpus,
)
from assistant.prompt import PROMPT_VERSION, Evidence, build_prompt
from assistant.similar import RETRIEVAL_VERSION, SimilarSymbols
from assistant.summaries import Vocabulary
from assistant.target import Target
from indexer.symbols import Symbol

if TYPE_CHECKING:  # heavy to import: only the types are needed here
    from indexer.embed import Embedder
    from indexer.store import IndexStore

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
"""Characters per token assumed when turning ``max_context_tokens`` into a budget."""


@dataclass(slots=True)
class Context:
    """What was retrieved for one target.

    Attributes:
        evidence: The evidence in the model's format.
        prompt: The model input.
        texts: The code and evidence texts (the vocabulary is built from them).
        context_hash: Digest of the prompt and the corpus neighbours (part of the cache key).
        notes: What could not be retrieved.
        corpus: The nearest cold-start corpus entries, most similar first.
    """

    evidence: Evidence
    prompt: str
    texts: list[str]
    context_hash: str
    notes: list[str] = field(default_factory=list)
    corpus: list[CorpusHit] = field(default_factory=list)

    @property
    def vocabulary(self) -> Vocabulary:
        """Identifiers and words of the code and evidence (built on demand: cache hits
        never need it)."""
        return Vocabulary.from_texts(self.texts)


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
        corpus: The cold-start corpus: ``"default"`` loads the shipped one on first
            use, a path loads that file, None disables it.
        corpus_k: Corpus neighbours retrieved per symbol.
    """

    def __init__(
        self,
        root: Path,
        store: Callable[[], IndexStore | None] | None = None,
        embedder: Callable[[], Embedder] | None = None,
        cache: ResultCache | None = None,
        top_k: int = 3,
        max_context_tokens: int = 400,
        generation: Callable[[], Any] | None = None,
        corpus: Corpus | Path | str | None = "default",
        corpus_k: int = 3,
    ) -> None:
        self.root = root
        self._store = store or (lambda: None)
        self.cache = cache
        self.top_k = top_k
        self.max_chars = max(200, max_context_tokens * CHARS_PER_TOKEN)
        self.notes: list[str] = []
        self.similar_symbols = SimilarSymbols(self._store, embedder, cache, top_k, self._note)
        self.callee_resolver = CalleeResolver(self._store, self._note)
        self._fingerprint: str | None = None
        self._generation = generation or (lambda: None)
        self._seen_generation: Any = None
        self._corpus = corpus
        self.corpus_k = corpus_k
        self._quiet_notes: set[str] = set()
        """Notes about a lasting state (no corpus) that do not make retrieval degraded."""

    def _follow_index(self) -> None:
        """Forget what was read from the index if it changed since."""
        generation = self._generation()
        if generation != self._seen_generation:
            self.reset()
            self._seen_generation = generation

    def warm(self) -> None:
        """Read what retrieval reads from the index once (the server's warm-up), so the
        first requests find it read."""
        self._follow_index()
        self.callee_resolver.warm()

    def reset(self) -> None:
        """Forget what was read from the index (call after the index changed)."""
        self.callee_resolver.reset()
        self.similar_symbols.reset()
        self._fingerprint = None

    @property
    def store(self) -> IndexStore | None:
        """The calling thread's index store, or None."""
        return self._store()

    @property
    def embed_seconds(self) -> float:
        """Time spent embedding code the index has no vector for (undocumented symbols)."""
        return self.similar_symbols.embed_seconds

    @property
    def embedded(self) -> int:
        """How many texts were embedded because the index had no vector for them."""
        return self.similar_symbols.embedded

    def documented_by_name(self) -> dict[str, Symbol]:
        """Documented definitions of the index by bare name (first in path order)."""
        return self.callee_resolver.documented_by_name()

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)
            log.warning(message)

    @property
    def corpus(self) -> Corpus | None:
        """The cold-start corpus, loaded on first use (None: disabled or unusable)."""
        if isinstance(self._corpus, str | Path):
            if self._corpus == "default":
                self._corpus, note = default_corpus()
            else:
                self._corpus, note = load_corpus(Path(self._corpus))
            if note:
                self._quiet_notes.add(note)
                self._note(note)
        return self._corpus

    def _corpus_hits(self, vectors: list[Any]) -> list[list[CorpusHit]]:
        """Corpus neighbours of each code vector (none without a vector or a corpus)."""
        empty: list[list[CorpusHit]] = [[] for _ in vectors]
        found = [i for i, v in enumerate(vectors) if v is not None]
        if not found or self.corpus_k <= 0 or self.corpus is None:
            return empty
        model = self.similar_symbols.model_id()
        if (model or "").split("#")[0] != CORPUS_MODEL:
            note = (
                f"cold-start corpus not used: the index's embedding model is {model}, "
                f"not {CORPUS_MODEL}"
            )
            self._quiet_notes.add(note)
            self._note(note)
            return empty
        import numpy as np

        try:
            hits = self.corpus.search(np.stack([vectors[i] for i in found]), self.corpus_k)
        except Exception as exc:  # noqa: BLE001 - a broken corpus degrades to none
            note = f"cold-start corpus unavailable ({exc}); drafting without it"
            self._corpus = None
            self._quiet_notes.add(note)
            self._note(note)
            return empty
        for i, row in zip(found, hits, strict=True):
            empty[i] = row
        return empty

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
        corpus = (self.corpus.fingerprint if self.corpus else "no-corpus", self.corpus_k)
        files: dict[int, str] = {}
        keys = []
        for t in targets:
            if id(t.source) not in files:
                files[id(t.source)] = hashlib.sha256(t.source).hexdigest()
            file_hash = files[id(t.source)]
            where = (t.path, t.symbol.qualname, t.symbol.span.start_byte)
            keys.append(
                digest(
                    "context",
                    PROMPT_VERSION,
                    RETRIEVAL_VERSION,
                    index,
                    file_hash,
                    where,
                    self.top_k,
                    corpus,
                )
            )
        return keys

    def contexts(self, targets: list[Target]) -> list[Context]:
        """Return the context of each target (similar symbols embedded in one batch)."""
        self._follow_index()
        keys = self._context_keys(targets) if self.cache is not None else []
        out: list[Context | None] = [None] * len(targets)
        for i, key in enumerate(keys):
            out[i] = _cached_context(self.cache.get(key), self.max_chars)  # type: ignore[union-attr]
        todo = [i for i, found in enumerate(out) if found is None]
        similar, vectors = self.similar_symbols.find_with_vectors([targets[i] for i in todo])
        corpus = self._corpus_hits(vectors)
        for i, near, hits in zip(todo, similar, corpus, strict=True):
            target = targets[i]
            class_name, class_summary, module_summary = scope(target)
            callees = self.callee_resolver.callees(target)
            pairs = [(row[0], row[1]) for row in near]
            evidence = Evidence(pairs, callees, class_name, class_summary, module_summary)
            evidence.similar_qualnames = [row[2] for row in near]
            evidence.similar_scores = [row[3] for row in near]
            evidence.similar_kinds = [row[4] for row in near]
            context = _context(target.code, evidence, self.max_chars, list(self.notes), None, hits)
            out[i] = context
            degraded = [n for n in self.notes if n not in self._quiet_notes]
            if keys and not degraded:  # never cache a degraded retrieval
                entry = {"code": target.code, "evidence": asdict(evidence)}
                entry["corpus"] = [hit.to_list() for hit in hits]
                entry.update(prompt=context.prompt, max_chars=self.max_chars)
                self.cache.set(keys[i], entry)  # type: ignore[union-attr]
        return [c for c in out if c is not None]


def _context(
    code: str,
    evidence: Evidence,
    max_chars: int,
    notes: list[str],
    prompt: str | None = None,
    corpus: list[CorpusHit] | None = None,
) -> Context:
    prompt = prompt if prompt is not None else build_prompt(code, evidence, max_chars)
    corpus = corpus or []
    texts = evidence_texts(code, evidence) + corpus_texts(corpus)
    rows = [hit.to_list() for hit in corpus]
    scores = [round(float(s), 4) for s in evidence.similar_scores]  # the ranker reads them
    fingerprint = digest("context", prompt, rows, scores, list(evidence.similar_kinds))
    return Context(evidence, prompt, texts, fingerprint, notes, corpus)


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
        if any(f"similar_{part}" not in raw for part in ("qualnames", "scores", "kinds")):
            return None  # cached before provenance / scores / kinds: retrieve again
        evidence = Evidence(
            [tuple(pair) for pair in raw["similar"]],  # type: ignore[misc]
            [tuple(pair) for pair in raw["callees"]],  # type: ignore[misc]
            raw["class_name"],
            raw["class_summary"],
            raw["module_summary"],
            [str(name) for name in raw["similar_qualnames"]],
            [float(score) for score in raw["similar_scores"]],
            [str(kind) for kind in raw["similar_kinds"]],
        )
        prompt = hit.get("prompt") if hit.get("max_chars") == max_chars else None
        corpus = [CorpusHit.from_list(row) for row in hit.get("corpus", [])]
        return _context(str(hit["code"]), evidence, max_chars, [], prompt, corpus)
    except (KeyError, TypeError, ValueError):
        return None
