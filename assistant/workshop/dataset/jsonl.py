"""Compressed JSON-lines files of the dataset (xz or gzip by suffix), written atomically."""

from __future__ import annotations

import gzip
import json
import lzma
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXAMPLES_FILE = "examples.jsonl.xz"
MAX_STORED_RAW_CHARS = 2400
"""Raw code kept per example; the prompt's code is derived from it (see ``load_examples``)."""


def _open(path: Path, mode: str):
    name = str(path)
    if name.endswith(".xz"):
        return lzma.open(path, mode, encoding="utf-8")
    if name.endswith(".gz"):
        return gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write rows as (xz/gz-compressed by suffix) JSON lines atomically."""
    tmp = path.with_name(path.name + ".tmp" + "".join(path.suffixes[-1:]))
    with _open(tmp, "wt") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the rows of a (compressed) JSON-lines file."""
    with _open(path, "rt") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
