"""Embeddings with the shipped all-MiniLM-L6-v2 and the FAISS side of the store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.embed import (
    MODEL_ID_SUFFIX,
    Embedder,
    EmbedderError,
    embedding_text,
    shared_embedder,
)
from indexer.index import IndexConfig, update_index
from indexer.parser import parse_source, symbol_source
from indexer.store import VECTORS_NAME, IndexStore
from tests.conftest import write_tree

ALL = IndexConfig(embed_all=True)
FILES = {
    "geo/circle.py": '''
def circle_area(radius):
    """Return the area of a circle."""
    return 3.14159 * radius * radius
''',
    "geo/square.py": """
def square_area(side):
    return side * side
""",
    "net/http.py": '''
def fetch_url(url, timeout=10):
    """Download a web page over HTTP."""
    import urllib.request
    return urllib.request.urlopen(url, timeout=timeout).read()
''',
}


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


@pytest.fixture
def repo(tmp_path: Path, embedder: Embedder) -> Path:
    root = tmp_path / "repo"
    write_tree(root, {rel: text.lstrip() for rel, text in FILES.items()})
    update_index(root, ALL, embedder=embedder)
    return root


def test_default_model_loads_offline_and_normalises(embedder):
    vectors = embedder.encode(["def add(a, b): return a + b", "import os"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384) and embedder.dim == 384
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # the path chosen for this CPU (the shipped int8 file unless OpenVINO and the fp32
    # weights are installed: tests/indexer/test_embed_choice.py) names its vectors
    assert embedder.model_id == "all-MiniLM-L6-v2" + MODEL_ID_SUFFIX.get(embedder.backend, "")
    assert embedder.encode([]).shape == (0, 384)


def test_embedding_text_is_header_plus_code():
    source = FILES["geo/circle.py"].lstrip().encode()
    symbol = parse_source(source, "geo/circle.py").symbols[1]
    text = embedding_text(symbol, symbol_source(source, symbol))
    assert text.startswith("python function circle_area\ndef circle_area(radius):")
    assert "Return the area" not in text
    assert len(embedding_text(symbol, "x" * 10_000)) == 1000


def test_search_finds_the_similar_symbol(repo, embedder):
    with IndexStore.open(repo) as store:
        query = embedder.encode(["python function rectangle_area\ndef rect(w, h): return w * h"])
        hits = store.search(query[0], 2)
        assert hits[0][0].qualname == "square_area"
        assert hits[0][1] >= hits[1][1]
        documented = store.search(query[0], 2, documented_only=True)
        assert all(symbol.docstring for symbol, _ in documented)
        assert documented[0][0].qualname == "circle_area"
        own = store.symbol_id(hits[0][0])
        assert store.search(query[0], 1, exclude={own})[0][0].qualname != "square_area"
        assert store.vector(own).shape == (384,)


def test_deleted_files_leave_faiss(repo, embedder):
    (repo / "net" / "http.py").unlink()
    summary = update_index(repo, ALL, embedder=embedder)
    assert summary.deleted == 1 and summary.vectors == 4
    with IndexStore.open(repo) as store:
        hits = store.search(embedder.encode(["download web page"])[0], 10)
        assert len(hits) == 4 and all(s.path != "net/http.py" for s, _ in hits)


def test_stale_faiss_file_is_detected_and_repaired(repo, embedder):
    """The state a kill between the SQLite commit and the FAISS write leaves behind."""
    vectors = repo / ".docgen" / VECTORS_NAME
    old = repo / "old.faiss"
    shutil.copy(vectors, old)
    (repo / "geo" / "square.py").write_text("def cube(side):\n    return side ** 3\n")
    update_index(repo, ALL, embedder=embedder)
    shutil.copy(old, vectors)  # FAISS file from before the update
    with IndexStore.open(repo) as store:
        hits = store.search(embedder.encode(["def cube(s): return s ** 3"])[0], 6)
        names = [s.qualname for s, _ in hits]
        assert "cube" in names and "square_area" not in names
    vectors.write_bytes(b"garbage")
    with IndexStore.open(repo, create=True) as store:
        assert store.sync_vectors() == 6
        assert store.notes == ["index vectors were damaged and have been rebuilt"]


def test_model_change_re_embeds(repo, embedder):
    with IndexStore.open(repo) as store:
        assert store.set_model("another-model") is True
        assert store.search(embedder.encode(["x"])[0], 3) == []
    summary = update_index(repo, ALL, embedder=embedder)
    assert summary.parsed == 3 and summary.embedded == 6
    note = (
        f"embedding model changed (another-model -> {embedder.model_id}): "
        "re-embedding every file once"
    )
    assert summary.warnings.count(note) == 1
    assert not any("re-embedding" in w for w in update_index(repo, ALL, embedder=embedder).warnings)


def test_unknown_model_is_a_clear_error(tmp_path):
    embedder = Embedder(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbedderError, match="docgen never downloads"):
        embedder.encode(["x"])
    with pytest.raises(EmbedderError, match="unknown embedding backend"):
        Embedder(backend="tpu")


def test_unchanged_symbol_texts_reuse_their_vectors(repo, embedder):
    path = repo / "geo" / "circle.py"
    path.write_text(path.read_text() + "\n\ndef circle_perimeter(r):\n    return 6.28 * r\n")
    summary = update_index(repo, ALL, embedder=embedder)
    # the module text and the new function are new; circle_area's vector is reused
    assert (summary.parsed, summary.embedded, summary.reused) == (1, 2, 1)
    with IndexStore.open(repo) as store:
        (area,) = store.find("circle_area")
        again = embedder.encode([embedding_text(area, symbol_source(path.read_bytes(), area))])
        # the stored vector is this text's: int8 activations are scaled per batch, so the
        # vector encoded alone differs slightly from the one encoded among its batch-mates
        assert float(store.vector(store.symbol_id(area)) @ again[0]) >= 0.97


@pytest.mark.parametrize(
    ("backend", "min_cosine"),
    [("onnx", 0.9999), ("onnx-int8", 0.97)],
)
def test_onnx_backends_agree_with_torch(backend, min_cosine):
    texts = [
        "python function add\ndef add(a, b):\n    return a + b",
        "python class Cache\nclass Cache:\n    def get(self, key):\n        return self.d[key]",
        "python function read\ndef read(path):\n    return open(path).read()",
    ]
    reference = Embedder(backend="torch").encode(texts)
    other = Embedder(backend=backend).encode(texts)
    assert (reference * other).sum(axis=1).min() >= min_cosine


def test_default_scope_embeds_documented_symbols_only(repo, embedder):
    summary = update_index(repo, IndexConfig(), embedder=embedder)
    assert any("re-embedding" in w for w in summary.warnings)
    assert (summary.vectors, summary.embedded, summary.reused) == (2, 2, 0)
    with IndexStore.open(repo) as store:
        (square,) = store.find("square_area")
        assert store.vector(store.symbol_id(square)) is None
        (circle,) = store.find("circle_area")
        assert store.vector(store.symbol_id(circle)) is not None
        hits = store.search(embedder.encode(["def rect(w, h): return w * h"])[0], 5)
        assert {s.qualname for s, _ in hits} == {"circle_area", "fetch_url"}


def test_default_embedder_runs_without_torch(tmp_path):
    code = (
        "import sys\n"
        "from indexer.embed import Embedder\n"
        "embedder = Embedder()\n"
        "vectors = embedder.encode(['def f(x): return x'])\n"
        "print(type(embedder._model).__name__, vectors.shape,"
        " [m for m in ('torch', 'transformers') if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "OnnxSentenceEncoder (1, 384) []" in done.stdout


def test_unloadable_model_still_indexes_symbols(tmp_path, embedder):
    root = tmp_path / "repo"
    (root / "m.py").parent.mkdir(parents=True)
    (root / "m.py").write_text('def f():\n    """Doc."""\n')
    broken = IndexConfig(embedding_model=str(tmp_path / "no-model"), embedding_backend="torch")
    summary = update_index(root, broken)
    assert summary.symbols == 2 and summary.vectors == 0
    assert any("without embeddings" in warning for warning in summary.warnings)
    with IndexStore.open(root) as store:
        assert store.find("f") and not store.file_records()["m.py"].embedded
    fixed = update_index(root, IndexConfig(), embedder=embedder)  # embeds what was missing
    assert fixed.parsed == 1 and fixed.vectors == 1
