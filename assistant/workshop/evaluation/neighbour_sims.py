"""The retrieval cosine of each dataset record's neighbours, as run-time retrieval has it.

At run time :class:`assistant.similar.SimilarSymbols` finds a symbol's repository
neighbours by the inner product of L2-normalised MiniLM vectors of
``indexer.embed.embedding_text`` and hands each neighbour's score to the ranker
(:attr:`assistant.prompt.Evidence.similar_scores`). The dataset keeps the neighbours' ids
only (``similar.json.xz``), so the scripts that fit and score the ranker
(:mod:`assistant.workshop.training.ranker_fit`, ``benchmarks/model_quality.py``) embed the
records' and their neighbours' ``etext`` (the same text the index embeds) with the shipped
embedder and keep the cosines in a JSON file (``--sims-cache``, work data, not in git):
reruns embed nothing, and a record's entry is used only while its neighbours are the ones
it was computed for. A missing, corrupt or unreadable cache file is one message and is
computed again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

Encode = Callable[[list[str]], np.ndarray]

FORMAT = "docgen-neighbour-sims-1"


def shipped_encoder() -> tuple[str, Encode]:
    """``(model id, encode)`` of the shipped int8 embedder (the index's default path)."""
    from indexer.embed import Embedder

    embedder = Embedder(None, "onnx-int8")
    return str(getattr(embedder, "model_id", "embedder")), embedder.encode


def neighbour_similarities(
    records: list[dict[str, Any]], by_id: dict[int, dict[str, Any]], encode: Encode
) -> dict[int, list[float]]:
    """Each record's cosine to each of its ``similar`` neighbours (same order), embedding
    every distinct ``etext`` once."""
    wanted = [r for r in records if r.get("similar")]
    ids = sorted({r["id"] for r in wanted} | {n for r in wanted for n in r["similar"]})
    if not ids:
        return {}
    order = sorted(ids, key=lambda i: len(by_id[i]["etext"]))  # similar lengths batch well
    vectors = np.asarray(encode([by_id[i]["etext"] for i in order]), dtype=np.float32)
    row = {i: k for k, i in enumerate(order)}
    return {
        r["id"]: [float(vectors[row[r["id"]]] @ vectors[row[n]]) for n in r["similar"]]
        for r in wanted
    }


def _read(cache: Path, model: str, say: Callable[[str], None]) -> dict[str, Any]:
    """The cache's entries for ``model`` ({} when missing, unreadable or another model's)."""
    if not cache.is_file():
        return {}
    try:
        stored = json.loads(cache.read_text(encoding="utf-8"))
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            raise ValueError("not a neighbour-similarity cache")
        if stored.get("model") != model:
            return {}
        entries = stored["sims"]
        if not isinstance(entries, dict):
            raise ValueError("malformed entries")
        return entries
    except (OSError, ValueError, KeyError, TypeError) as exc:
        say(f"similarity cache {cache} is unreadable ({exc}); computing the similarities again")
        return {}


def cached_similarities(
    records: list[dict[str, Any]],
    by_id: dict[int, dict[str, Any]],
    cache: Path | None,
    encoder: Callable[[], tuple[str, Encode]] = shipped_encoder,
    say: Callable[[str], None] = print,
) -> dict[int, list[float]]:
    """:func:`neighbour_similarities` of ``records``, kept in ``cache`` (keyed by record id
    with the neighbour ids they were computed for; other records' entries are kept): only
    records it lacks are embedded, and the embedder is loaded only then. Values are rounded
    to 6 digits, as kept, so a first run and its reruns see the same numbers."""
    model: str | None = None
    encode: Encode | None = None
    entries: dict[str, Any] = {}
    if cache is not None and cache.is_file():
        # the model id is the cache's key: read it without loading the embedder when we can
        model, encode = encoder()
        entries = _read(cache, model, say)
    out: dict[int, list[float]] = {}
    todo = []
    for record in records:
        if not record.get("similar"):
            continue
        hit = entries.get(str(record["id"]))
        if (
            isinstance(hit, list)
            and len(hit) == len(record["similar"])
            and all(isinstance(p, list) and len(p) == 2 for p in hit)
            and [p[0] for p in hit] == list(record["similar"])
        ):
            out[record["id"]] = [float(p[1]) for p in hit]
        else:
            todo.append(record)
    if not todo:
        return out
    if cache is not None and not cache.is_file():
        say(f"similarity cache {cache} not found; embedding the neighbours of {len(todo)} records")
    if encode is None or model is None:
        model, encode = encoder()
    fresh = neighbour_similarities(todo, by_id, encode)
    fresh = {i: [round(s, 6) for s in row] for i, row in fresh.items()}  # as the cache keeps them
    out.update(fresh)
    if cache is not None:
        for record in todo:
            pairs = zip(record["similar"], fresh[record["id"]], strict=True)
            entries[str(record["id"])] = [[n, s] for n, s in pairs]
        tmp = cache.with_name(cache.name + ".tmp")
        payload = {"format": FORMAT, "model": model, "sims": entries}
        tmp.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(tmp, cache)
    return out


def apply_similarities(records: list[dict[str, Any]], sims: dict[int, list[float]]) -> None:
    """Set each record's ``similar_scores`` (read by
    :func:`assistant.workshop.evaluation.evaluate.record_context`) where known."""
    for record in records:
        found = sims.get(record["id"])
        if found is not None and len(found) == len(record.get("similar") or []):
            record["similar_scores"] = list(found)
