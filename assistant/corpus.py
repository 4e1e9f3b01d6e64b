"""The shipped cold-start corpus: documented functions of permissively licensed open-source
packages (the dataset's training split), retrieved by code similarity when the repository
itself has no (or too few) documented neighbours.

Each entry holds the function's package, bare name, summary and parameter descriptions;
its all-MiniLM-L6-v2 vector (over ``indexer.embed.embedding_text``, the text the index
embeds) lives in a FAISS product-quantized index. At run time the corpus neighbours of a
symbol become candidate summaries (``Candidate(source="corpus", detail=package)``, adapted
to the name like same-repository neighbours and ranked below them when both exist) and
evidence. Built by :mod:`assistant.workshop.dataset.corpus_build`; attribution in
``assistant/data/NOTICE-corpus``.

File format (``.npz``, read with ``allow_pickle=False``; no pickle anywhere):

* ``format``: ``[CORPUS_FORMAT]``;
* ``index``: the serialised FAISS index (uint8), vectors L2-normalised, L2 metric;
* ``blob`` / ``offsets``: entry ``i`` is the UTF-8 JSON ``[package_no, name, summary,
  {param: description}, {param: [kind, annotation, default]}]`` at
  ``blob[offsets[i]:offsets[i + 1]]`` (the last item, the described parameters' signatures
  in the code, may be missing: files written before it; such descriptions are never
  borrowed, see :mod:`assistant.paramevidence`);
* ``info``: UTF-8 JSON with ``packages`` (names, indexed by ``package_no``) and build facts.

A missing or corrupt file degrades to no corpus with one message (:func:`load_corpus`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

CORPUS_FORMAT = 1
CORPUS_FILE = "corpus.npz"
CORPUS_MODEL = "all-MiniLM-L6-v2"
"""The embedding model of the shipped vectors: a repository indexed with another model
cannot query it (its vectors live in another space)."""


class CorpusError(ValueError):
    """The corpus file is missing or malformed."""


@dataclass(frozen=True, slots=True)
class CorpusHit:
    """One corpus neighbour of a symbol."""

    package: str
    name: str
    summary: str
    params: dict[str, str] = field(default_factory=dict)
    similarity: float = 0.0
    """Cosine similarity to the symbol's code (approximate: the vectors are quantized)."""
    signatures: dict[str, list[Any]] = field(default_factory=dict)
    """``{param: [kind, annotation, default]}`` of the described parameters, as the corpus
    function's code has them (empty: unknown)."""

    def to_list(self) -> list[Any]:
        """JSON-ready form (for the context cache)."""
        row = [self.package, self.name, self.summary, dict(self.params), self.similarity]
        return [*row, {k: list(v) for k, v in self.signatures.items()}]

    @classmethod
    def from_list(cls, row: list[Any]) -> CorpusHit:
        """Inverse of :meth:`to_list` (a row cached without signatures has none)."""
        package, name, summary, params, similarity = row[:5]
        signatures = {str(k): list(v) for k, v in (row[5] if len(row) > 5 else {}).items()}
        return cls(
            str(package), str(name), str(summary), dict(params), float(similarity), signatures
        )


class Corpus:
    """A loaded corpus: the FAISS index and the entries' texts."""

    def __init__(self, index: Any, blob: bytes, offsets: np.ndarray, info: dict[str, Any]):
        if len(offsets) != index.ntotal + 1:
            raise CorpusError(f"{index.ntotal} vectors but {len(offsets) - 1} entries")
        self.index = index
        self._blob = blob
        self._offsets = offsets
        self.info = info
        self.packages: list[str] = list(info.get("packages", []))
        self._lock = threading.Lock()
        self.fingerprint = hashlib.sha256(
            blob[:4096] + json.dumps(info, sort_keys=True).encode()
        ).hexdigest()[:16]
        """Identifies the corpus (part of context cache keys)."""

    def __len__(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.index.d)

    def entry(self, i: int) -> tuple[str, str, str, dict[str, str]]:
        """Entry ``i`` as ``(package, name, summary, params)``."""
        return self._entry(i)[:4]  # type: ignore[return-value]

    def _entry(self, i: int) -> tuple[str, str, str, dict[str, str], dict[str, list[Any]]]:
        raw = self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]
        row = json.loads(raw.decode("utf-8"))
        package_no, name, summary, params = row[:4]
        signatures = row[4] if len(row) > 4 and isinstance(row[4], dict) else {}
        return self.packages[package_no], name, summary, params, signatures

    def signatures(self, i: int) -> dict[str, list[Any]]:
        """Entry ``i``'s described parameters as its code has them: ``{param: [kind,
        annotation, default]}`` (empty in a file written without them)."""
        return self._entry(i)[4]

    def search(self, vectors: np.ndarray, k: int = 3) -> list[list[CorpusHit]]:
        """The ``k`` nearest entries of each (L2-normalised) vector, most similar first."""
        vectors = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
        if len(vectors) == 0 or k <= 0 or len(self) == 0:
            return [[] for _ in vectors]
        if vectors.shape[1] != self.dim:
            raise CorpusError(f"query vectors have {vectors.shape[1]} dimensions, not {self.dim}")
        with self._lock:  # FAISS indexes are not thread-safe for concurrent search setup
            distances, ids = self.index.search(vectors, min(k, len(self)))
        out = []
        for row_d, row_i in zip(distances, ids, strict=True):
            hits = []
            for distance, i in zip(row_d, row_i, strict=True):
                if i < 0:
                    continue
                package, name, summary, params, signatures = self._entry(int(i))
                similarity = round(float(1.0 - distance / 2.0), 4)
                hits.append(CorpusHit(package, name, summary, params, similarity, signatures))
            out.append(hits)
        return out


def default_corpus_path() -> Path:
    """The packaged corpus file (``assistant/data/corpus.npz``)."""
    return Path(str(resources.files("assistant") / "data" / CORPUS_FILE))


def read_corpus(path: Path) -> Corpus:
    """Load a corpus file.

    Raises:
        CorpusError: The file is missing, truncated, not a corpus or of another format.
    """
    import faiss

    try:
        with np.load(path, allow_pickle=False) as data:
            fmt = int(data["format"][0])
            if fmt != CORPUS_FORMAT:
                raise CorpusError(f"format {fmt}, this version reads {CORPUS_FORMAT}")
            index_bytes = np.ascontiguousarray(data["index"], dtype=np.uint8)
            blob = data["blob"].astype(np.uint8).tobytes()
            offsets = np.asarray(data["offsets"], dtype=np.int64)
            info = json.loads(data["info"].astype(np.uint8).tobytes().decode("utf-8"))
    except CorpusError:
        raise
    except FileNotFoundError as exc:
        raise CorpusError(f"{path} is missing") from exc
    except Exception as exc:  # noqa: BLE001 - zip, npy and JSON errors all mean "corrupt"
        raise CorpusError(f"{path} is not a readable corpus ({type(exc).__name__}: {exc})") from exc
    if not isinstance(info, dict) or offsets.ndim != 1 or len(offsets) < 1:
        raise CorpusError(f"{path} is not a readable corpus (bad header)")
    if offsets[0] != 0 or offsets[-1] != len(blob) or np.any(np.diff(offsets) < 0):
        raise CorpusError(f"{path} is not a readable corpus (bad entry offsets)")
    try:
        index = faiss.deserialize_index(index_bytes)
    except Exception as exc:  # noqa: BLE001 - FAISS raises RuntimeError with C++ text
        raise CorpusError(f"{path} is not a readable corpus (its vector index is damaged)") from exc
    return Corpus(index, blob, offsets, info)


def load_corpus(path: Path | None = None) -> tuple[Corpus | None, str | None]:
    """Load the corpus (default: the packaged one), degrading to ``(None, note)``.

    The note is the one line the user sees when the corpus cannot be used; drafting goes
    on without it.
    """
    path = path or default_corpus_path()
    try:
        return read_corpus(path), None
    except CorpusError as exc:
        return None, (
            f"cold-start corpus unavailable ({exc}); drafting without it "
            "(reinstall docgen to restore it)"
        )
    except ImportError as exc:
        return None, f"cold-start corpus unavailable ({exc}); drafting without it"


def write_corpus(
    path: Path,
    index: Any,
    entries: list[tuple[Any, ...]],
    info: dict[str, Any] | None = None,
) -> None:
    """Write a corpus file: ``index`` (a FAISS index over the entries' vectors, in order)
    and ``entries`` ``(package, name, summary, params)`` or ``(package, name, summary,
    params, signatures)`` (see :meth:`Corpus.signatures`). Written atomically."""
    import faiss

    if index.ntotal != len(entries):
        raise CorpusError(f"{index.ntotal} vectors for {len(entries)} entries")
    packages = sorted({package for package, *_ in entries})
    number = {name: i for i, name in enumerate(packages)}
    chunks = []
    for package, *rest in entries:
        row = [number[package], *rest]
        if len(row) > 4 and not row[4]:
            row = row[:4]  # no signatures: the shorter form
        chunks.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode())
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(c) for c in chunks])
    header = {**(info or {}), "packages": packages}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(
        tmp,
        format=np.array([CORPUS_FORMAT], dtype=np.int32),
        index=faiss.serialize_index(index),
        blob=np.frombuffer(b"".join(chunks), dtype=np.uint8),
        offsets=offsets,
        info=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
    )
    tmp.replace(path)


_DEFAULT: tuple[Corpus | None, str | None] | None = None
_DEFAULT_LOCK = threading.Lock()


def default_corpus() -> tuple[Corpus | None, str | None]:
    """The packaged corpus, loaded once per process: ``(corpus, None)`` or ``(None, note)``."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = load_corpus()
        return _DEFAULT


def corpus_texts(hits: list[CorpusHit]) -> list[str]:
    """The texts corpus neighbours add to refinement's vocabulary (as similar symbols do:
    ``name summary``)."""
    return [f"{hit.name} {hit.summary}" for hit in hits]
