"""The FAISS side of the index: an ``IndexIDMap2`` over inner product, keyed by symbol id.

Read and written with ``faiss.read_index`` / ``faiss.write_index`` (no pickle); writes go to
a temp file that replaces the old one atomically. faiss is imported only when called.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np


def read(path: Path, dim: int | None = None) -> tuple[Any | None, str | None]:
    """Return ``(index, None)``, ``(None, None)`` when there is no file, or
    ``(None, problem)`` when the file is no id-mapped inner-product index (of ``dim``)."""
    import faiss

    if not path.is_file():
        return None, None
    try:
        index = faiss.read_index(str(path))
        index = index if hasattr(index, "id_map") else faiss.downcast_index(index)
    except RuntimeError as exc:  # not a FAISS file (FAISS reads its own format, no pickle)
        return None, f"unreadable ({str(exc).splitlines()[0][:200] if str(exc) else 'error'})"
    if not hasattr(index, "id_map") or index.metric_type != faiss.METRIC_INNER_PRODUCT:
        return None, f"an index of another kind ({type(index).__name__})"
    if dim is not None and index.d != dim:
        return None, f"vectors of dimension {index.d}, the database holds {dim}"
    return index, None


def write(index: Any, path: Path) -> None:
    """Save atomically; on failure (a full disk) the previous file stays and OSError rises."""
    import faiss

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        faiss.write_index(index, str(tmp))
        os.replace(tmp, path)
    except (RuntimeError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise OSError(f"cannot write {path}: {exc}") from exc


def ids(index: Any) -> set[int]:
    """The symbol ids held by ``index``."""
    import faiss

    return set(faiss.vector_to_array(index.id_map).tolist())


def add(index: Any | None, rows: list[tuple[int, bytes]]) -> Any | None:
    """Add ``(id, float32 bytes)`` rows, creating the index on the first row."""
    import faiss

    if not rows:
        return index
    rows = [(row_id, blob) for row_id, blob in rows if isinstance(blob, bytes)]
    if not rows:
        return index
    matrix = np.stack([np.frombuffer(blob, np.float32) for _, blob in rows])
    if index is None:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(matrix.shape[1]))
    index.add_with_ids(matrix, np.array([row_id for row_id, _ in rows], dtype=np.int64))
    return index


def remove(index: Any, stale: set[int]) -> None:
    """Remove ids from ``index``."""
    index.remove_ids(np.fromiter(stale, dtype=np.int64))
