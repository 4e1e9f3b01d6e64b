"""The cold-start corpus: file format, queries, degradation, candidates and their rank."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.corpus import (
    CorpusHit,
    default_corpus_path,
    load_corpus,
    read_corpus,
    write_corpus,
)
from assistant.ranker import FEATURES, Ranker
from assistant.summaries import Vocabulary, candidate_pool, choose_summary
from indexer.symbols import Span, Symbol

ENTRIES = [
    ("pkg-a", "add_item", "Add an item to the cart.", {"item": "The item to add."}),
    ("pkg-a", "clear_cart", "Remove every item of the cart.", {}),
    ("pkg-b", "parse_date", "Parse an ISO date string.", {"text": "The date as text."}),
    ("pkg-b", "load_config", "Read the configuration file.", {"path": "Where it is."}),
    ("pkg-c", "send_mail", "Send an e-mail message.", {}),
]


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def build_corpus(path: Path, vectors: np.ndarray, entries=ENTRIES) -> Path:
    import faiss

    index = faiss.IndexFlatL2(vectors.shape[1])
    index.add(vectors)
    write_corpus(path, index, list(entries), {"split": "train"})
    return path


@pytest.fixture
def small_corpus(tmp_path: Path) -> tuple[Path, np.ndarray]:
    vectors = _unit(np.random.default_rng(0).normal(size=(len(ENTRIES), 16)))
    return build_corpus(tmp_path / "corpus.npz", vectors), vectors


def test_a_written_corpus_loads_and_returns_the_nearest_entries(small_corpus) -> None:
    path, vectors = small_corpus
    corpus = read_corpus(path)
    assert len(corpus) == len(ENTRIES) and corpus.dim == 16
    assert corpus.entry(2) == ENTRIES[2]
    query = _unit(vectors[[2, 4]] + 0.05)
    hits = corpus.search(query, k=2)
    assert [h.name for h in hits[0]][:1] == ["parse_date"]
    assert [h.name for h in hits[1]][:1] == ["send_mail"]
    first = hits[0][0]
    assert first.package == "pkg-b" and first.params == {"text": "The date as text."}
    assert 0.9 < first.similarity <= 1.0 and hits[0][0].similarity >= hits[0][1].similarity
    assert CorpusHit.from_list(first.to_list()) == first


def test_the_file_has_no_pickle(small_corpus) -> None:
    path, _ = small_corpus
    with np.load(path, allow_pickle=False) as data:  # raises on object arrays
        assert {data[name].dtype.kind for name in data.files} <= {"i", "u"}


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a zip at all"),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: p.unlink(),
    ],
    ids=["garbage", "truncated", "missing"],
)
def test_a_corrupt_or_missing_file_degrades_to_no_corpus_with_one_note(small_corpus, damage):
    path, _ = small_corpus
    damage(path)
    corpus, note = load_corpus(path)
    assert corpus is None
    assert note is not None and "cold-start corpus unavailable" in note and "\n" not in note


def test_a_corpus_with_a_damaged_vector_index_is_refused(tmp_path: Path, small_corpus) -> None:
    path, _ = small_corpus
    with np.load(path, allow_pickle=False) as data:
        parts = {name: data[name] for name in data.files}
    parts["index"] = parts["index"][:40]
    bad = tmp_path / "bad.npz"
    np.savez(bad, **parts)
    corpus, note = load_corpus(bad)
    assert corpus is None and "damaged" in note


def test_the_shipped_corpus_loads_and_holds_training_packages_only() -> None:
    import json
    import lzma

    corpus, note = load_corpus(default_corpus_path())
    assert note is None and corpus is not None and len(corpus) > 1000
    assert corpus.info["split"] == "train"
    dataset = Path("/work/data/dataset/examples.jsonl.xz")
    if dataset.is_file():  # the build machine: no held-out package is in the corpus
        heldout = set()
        with lzma.open(dataset, "rt") as handle:
            for line in handle:
                record = json.loads(line)
                if record["split"] != "train":
                    heldout.add(record["package"])
        assert heldout and not heldout & set(corpus.packages)


def _symbol(name: str) -> Symbol:
    zero = Span(0, 0, 0, 0, 0, 0)
    return Symbol("m.py", "python", name, name, "function", zero)


def test_corpus_neighbours_are_candidates_adapted_to_the_name_with_their_package() -> None:
    hit = CorpusHit("pkg-a", "add_item", "Add an item to the cart.", {}, 0.8)
    vocab = Vocabulary.from_texts(["def remove_item(cart, item): cart.pop(item)"])
    pool = candidate_pool([], vocab, _symbol("remove_item"), [], None, None, [hit])
    corpus = [c for c, _, _ in pool if c.source == "corpus"]
    assert len(corpus) == 1
    assert corpus[0].text == "Remove an item from the cart."
    assert corpus[0].detail == "pkg-a" and corpus[0].similarity == 0.8
    vector = dict(zip(FEATURES, pool[0][2], strict=True))
    assert vector["is_corpus"] == 1.0 and vector["corpus_sim"] == pytest.approx(0.8)


def _corpus_loving_ranker() -> Ranker:
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("is_corpus")] = 100.0
    weights[FEATURES.index("bias")] = 1.0
    return Ranker(weights)


def test_corpus_candidates_rank_below_same_repository_neighbours() -> None:
    ranker = _corpus_loving_ranker()
    hit = CorpusHit("pkg-a", "add_item", "Add an item to the cart.", {}, 0.9)
    vocab = Vocabulary.from_texts(["def add_item(cart, item): cart.append(item)"])
    symbol = _symbol("add_item")
    alone = choose_summary([], vocab, symbol, [], ranker, None, [hit])
    assert alone.summary == "Add an item to the cart."  # no repo neighbour: the corpus wins
    assert any("corpus" in note for note in alone.notes)
    similar = [("add_entry", "Add an entry to the ledger.")]
    both = choose_summary([], vocab, symbol, similar, ranker, None, [hit])
    assert both.summary == "Add an item to the ledger."  # the repository's neighbour first


def _target(root: Path, rel: str, qualname: str):
    from assistant.target import Target
    from indexer.parser import parse_source
    from indexer.text import symbol_source

    source = (root / rel).read_bytes()
    parsed = parse_source(source, rel)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    return Target(rel, source, parsed, symbol, symbol_source(source, symbol))


def _pipeline(root: Path, tmp_path: Path, generator, corpus):
    from assistant.pipeline import DocPipeline, PipelineSettings

    settings = PipelineSettings(cache_dir=tmp_path / "results", update_index=False, num_beams=2)
    return DocPipeline(root, settings, generator=generator, corpus=corpus)


def test_retrieval_queries_the_corpus_with_the_index_vector(
    indexed_repo: Path, tmp_path: Path, generator
) -> None:
    from indexer.embed import embedding_text, shared_embedder

    target = _target(indexed_repo, "inventory/models.py", "Warehouse.remove_stock")
    embedder = shared_embedder(None, "auto")
    own = embedder.encode([embedding_text(target.symbol, target.code)])[0]
    others = _unit(np.random.default_rng(1).normal(size=(len(ENTRIES) - 1, len(own))))
    vectors = np.vstack([others[:2], own[None, :], others[2:]]).astype(np.float32)
    path = build_corpus(tmp_path / "c.npz", vectors)
    pipeline = _pipeline(indexed_repo, tmp_path, generator, path)
    try:
        context = pipeline.retriever.contexts([target])[0]
        assert context.corpus[0].name == "parse_date"  # the entry holding its own vector
        assert context.corpus[0].similarity > 0.99
        assert len(context.corpus) == 3
        again = pipeline.retriever.contexts([target])[0]  # from the context cache
        assert again.corpus == context.corpus and again.context_hash == context.context_hash
        assert not any("corpus" in note for note in pipeline.notes())
    finally:
        pipeline.close()


@pytest.mark.parametrize("kind", ["missing", "corrupt"])
def test_the_pipeline_drafts_without_a_broken_corpus_and_says_so_once(
    indexed_repo: Path, tmp_path: Path, generator, kind: str
) -> None:
    path = tmp_path / "corpus.npz"
    if kind == "corrupt":
        path.write_bytes(b"PK\x03\x04 broken")
    pipeline = _pipeline(indexed_repo, tmp_path, generator, path)
    try:
        for qualname in ("Warehouse.remove_stock", "Warehouse.transfer_to"):
            target = _target(indexed_repo, "inventory/models.py", qualname)
            result = pipeline.document_targets([target])[0]
            assert result.summary
        notes = [n for n in pipeline.notes() if "corpus" in n]
        assert len(notes) == 1 and "drafting without it" in notes[0]
    finally:
        pipeline.close()
