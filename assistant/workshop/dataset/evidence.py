"""Same-package evidence for training and evaluation examples, computed as run time does.

For each record of a package: the :data:`~assistant.prompt.SIMILAR_K` most similar
documented records (cosine of all-MiniLM-L6-v2 embeddings of ``embedding_text``) and the
callees resolved by name (:func:`~assistant.prompt.callee_key`). Candidates in the
record's own *fold* are excluded: the in-repo evaluation removes the docstrings of one
fold (20% of a package) at a time, so training sees the same situation.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from assistant.borrowing import kinds_can_share
from assistant.prompt import CALLEES_K, SIMILAR_K, Evidence

FOLDS = 5
"""Each package's records are split into this many folds (one fold = 20% undocumented)."""


def neighbour_ids(records: list[dict[str, Any]], vectors: np.ndarray | None) -> None:
    """Fill ``similar`` and ``callees`` (lists of record ids) on a package's records in place.

    Args:
        records: All records of one package, each with ``id``, ``fold``, ``name``, ``calls``.
        vectors: L2-normalised embeddings, one row per record, or None when the package
            was not embedded (``similar`` is then None: unknown, not empty).
    """
    folds = np.array([r["fold"] for r in records])
    if vectors is not None and len(records) > 1:
        sims = vectors.astype(np.float32) @ vectors.astype(np.float32).T
        sims[folds[:, None] == folds[None, :]] = -np.inf
        # as run-time retrieval: a symbol of another kind lends nothing (assistant.borrowing)
        kinds = [r.get("kind", "function") for r in records]
        share = np.array([[kinds_can_share(a, b) for b in kinds] for a in kinds])
        sims[~share] = -np.inf
        k = min(SIMILAR_K, len(records) - 1)
        top = np.argsort(-sims, axis=1)[:, :k]
        for i, record in enumerate(records):
            record["similar"] = [records[j]["id"] for j in top[i] if np.isfinite(sims[i, j])]
    else:
        for record in records:
            record["similar"] = [] if vectors is not None else None
    by_name: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_name.setdefault(record["name"], []).append(record)
    for record in records:
        callees = []
        for key in record["calls"]:
            match = next(
                (c for c in by_name.get(key, []) if c["fold"] != record["fold"]),
                None,
            )
            if match is not None and match["id"] not in callees:
                callees.append(match["id"])
            if len(callees) == CALLEES_K:
                break
        record["callees"] = callees


def evidence_for(record: dict[str, Any], by_id: dict[int, dict[str, Any]], mode: str) -> Evidence:
    """Build the :class:`Evidence` of a record.

    Args:
        record: The example.
        by_id: All records by id (for neighbour and callee summaries).
        mode: ``full`` (in-repo), ``nosimilar`` (no retrieval, still callees/class/module)
            or ``cold`` (a package without any docstrings: only the class name is known).

    Returns:
        The evidence.
    """
    if mode == "cold":
        return Evidence(class_name=record.get("class_name"))
    similar = []
    if mode == "full":
        similar = [(by_id[i]["name"], by_id[i]["summary"]) for i in record.get("similar") or []]
    return Evidence(
        similar=similar,
        callees=[(by_id[i]["name"], by_id[i]["summary"]) for i in record.get("callees") or []],
        class_name=record.get("class_name"),
        class_summary=record.get("class_summary"),
        module_summary=record.get("module_summary"),
    )


def sample_mode(rng: random.Random, has_similar: bool, cold_share: float = 0.3) -> str:
    """Draw the evidence situation of one training example.

    ``cold_share`` of the examples are cold; of the rest, those of embedded packages get
    full evidence (90%) or no retrieval (10%), the others no retrieval.
    """
    if rng.random() < cold_share:
        return "cold"
    if has_similar and rng.random() < 0.9:
        return "full"
    return "nosimilar"
