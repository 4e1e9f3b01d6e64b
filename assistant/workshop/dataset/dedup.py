"""Exact and near-duplicate removal of code (MinHash LSH from datasketch).

Records are visited in the order given and the first of each duplicate group is kept,
so callers put held-out packages first: a function copied between packages then never
leaks from the training split into the test split.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.85
"""Estimated Jaccard similarity of token 3-shingles above which code is a near-duplicate."""

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+|\S")


def _shingles(code: str, size: int = 3) -> set[bytes]:
    tokens = _TOKEN.findall(code)
    if len(tokens) < size:
        return {" ".join(tokens).encode()}
    return {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}


def deduplicate(records: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Drop exact and near-duplicate code, keeping the first occurrence.

    Args:
        records: Records with a ``code`` field (whitespace already normalised).

    Returns:
        The kept records in order, and counts ``{"exact": n, "near": n}`` of dropped ones.
    """
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    seen: set[bytes] = set()
    kept: list[dict[str, Any]] = []
    dropped = {"exact": 0, "near": 0}
    for record in records:
        digest = hashlib.blake2b(record["code"].encode(), digest_size=16).digest()
        if digest in seen:
            dropped["exact"] += 1
            continue
        seen.add(digest)
        mh = MinHash(num_perm=NUM_PERM)
        mh.update_batch(list(_shingles(record["code"])))
        if lsh.query(mh):
            dropped["near"] += 1
            continue
        lsh.insert(str(len(kept)), mh, check_duplication=False)
        kept.append(record)
    return kept, dropped
