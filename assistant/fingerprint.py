"""Cache-key identities: which drafting model (id and a digest of its files), backend and
ranker produced a result, and the digest of a symbol's code."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant.ranker import default_ranker


def text_sha(text: str) -> str:
    """SHA-256 hex digest of ``text`` (lone surrogates from odd source files allowed)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def model_fingerprint(model: str, backend: str, int8: bool) -> str:
    """Identify the model and its version for cache keys, without loading it.

    For a folder, the version is a digest of its files' names, sizes and times
    (documentation such as MODEL_CARD.md left out), so a retrained model never hits old
    entries. A digest of the ranker's weights is part of it too.

    Args:
        model: The model's id: a folder path or a hub id.
        backend: ``onnx`` or ``pytorch``.
        int8: The ONNX export is quantized.
    """
    path = Path(model).expanduser()
    version = "unversioned"
    if path.is_dir():
        stats = sorted(
            (str(p.relative_to(path)), p.stat().st_size, int(p.stat().st_mtime))
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() not in (".md", ".rst")  # docs do not draft
        )
        version = text_sha(repr(stats))[:16]
    kind = f"{backend}{'-int8' if int8 else ''}"
    ranker = text_sha(default_ranker().to_json())[:12]  # a refitted ranker chooses anew
    return f"{model}@{version}#{kind}~{ranker}"
