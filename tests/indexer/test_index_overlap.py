"""A first index keeps the process busy: the next batch of files is read and parsed while
the current one is embedded (issue #14 item 6). Observed without timing: the embedder,
the real shipped one, waits inside its first call until the parser has read a file of the
second batch; an indexer that parses only after embedding would never get there."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

import indexer.index as index_module
from indexer.embed import shared_embedder
from indexer.index import IndexConfig, update_index
from indexer.store import IndexStore
from tests.conftest import write_tree


class WaitingEmbedder:
    """The shipped embedder; its first ``encode`` waits for the second batch's parse."""

    def __init__(self, second_batch_read: threading.Event) -> None:
        self.inner = shared_embedder()
        self.model_id = self.inner.model_id
        self.second_batch_read = second_batch_read
        self.overlapped: list[bool] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        if not self.overlapped:
            self.overlapped.append(self.second_batch_read.wait(timeout=60))
        return self.inner.encode(texts)


def test_parsing_overlaps_embedding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(
        tmp_path / "repo",
        {
            f"m{n}.py": f'def f{n}(x):\n    """Return x plus {n}."""\n    return x + {n}\n'
            for n in range(4)
        },
    )
    second_batch_read = threading.Event()
    real_read = index_module.read_source

    def read_source(path, limit):
        if Path(path).name in ("m2.py", "m3.py"):  # batch_files=2: the second batch
            second_batch_read.set()
        return real_read(path, limit)

    monkeypatch.setattr(index_module, "read_source", read_source)
    embedder = WaitingEmbedder(second_batch_read)
    summary = update_index(root, IndexConfig(batch_files=2), embedder=embedder)
    assert embedder.overlapped == [True]
    assert (summary.parsed, summary.embedded, summary.vectors) == (4, 4, 4)
    with IndexStore.open(root) as store:  # every file's vectors landed with its symbols
        assert all(record.embedded for record in store.file_records().values())


def test_overlap_keeps_progress_in_order(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {f"p{n}.py": f"X{n} = {n}\n" for n in range(5)})
    seen: list[tuple[int, int, str]] = []
    update_index(root, IndexConfig(batch_files=2, embed=False), progress=lambda *a: seen.append(a))
    assert [done for done, _total, _rel in seen] == [1, 2, 3, 4, 5]
    assert {total for _done, total, _rel in seen} == {5}
    assert [rel for *_, rel in seen] == [f"p{n}.py" for n in range(5)]
