"""Provenance (issue #12 item 5): every record says where its summary came from, in the
JSON record, through the cache, and for every kind of candidate (corpus ones included)."""

from __future__ import annotations

from pathlib import Path

from assistant.prompt import named_neighbours
from assistant.ranker import FEATURES, Candidate, Ranker
from assistant.summaries import (
    PROVENANCE_SOURCES,
    Vocabulary,
    choose_summary,
    provenance_of,
)
from indexer.parser import parse_source

REL = "inventory/models.py"


def _document(pipeline, root: Path, qualname: str):
    source = (root / REL).read_bytes()
    symbol = next(s for s in parse_source(source, REL).symbols if s.qualname == qualname)
    return pipeline.document_symbol(REL, source, symbol)


def test_a_winning_neighbour_is_named_in_the_record(indexed_repo: Path, make_pipeline) -> None:
    # remove_stock's nearest documented sibling is add_stock: its summary, adapted to the
    # name ("Remove ... from the warehouse."), beats the tiny random model's beams
    result = _document(make_pipeline(indexed_repo), indexed_repo, "Warehouse.remove_stock")
    assert result.summary.startswith("Remove"), result.summary
    assert result.provenance == ("repo-neighbour", "Warehouse.add_stock")
    record = result.to_json()
    assert record["provenance"] == {"source": "repo-neighbour", "detail": "Warehouse.add_stock"}


def test_a_cached_result_keeps_its_provenance(indexed_repo: Path, make_pipeline) -> None:
    first = _document(make_pipeline(indexed_repo), indexed_repo, "Warehouse.remove_stock")
    again = _document(make_pipeline(indexed_repo), indexed_repo, "Warehouse.remove_stock")
    assert again.cached and not first.cached
    assert again.provenance == first.provenance == ("repo-neighbour", "Warehouse.add_stock")


def test_a_cache_entry_without_provenance_is_drafted_again(
    indexed_repo: Path, make_pipeline
) -> None:
    pipeline = make_pipeline(indexed_repo)
    _document(pipeline, indexed_repo, "Warehouse.remove_stock")
    store = pipeline.cache._cache
    stripped = 0
    for key in list(store):
        value = store[key]
        if isinstance(value, dict) and "provenance" in value:
            store[key] = {k: v for k, v in value.items() if k != "provenance"}  # an old entry
            stripped += 1
    assert stripped
    again = _document(make_pipeline(indexed_repo), indexed_repo, "Warehouse.remove_stock")
    assert not again.cached
    assert again.provenance == ("repo-neighbour", "Warehouse.add_stock")


def test_without_an_index_the_record_says_model_or_name(sample_repo: Path, make_pipeline) -> None:
    result = _document(make_pipeline(sample_repo), sample_repo, "Warehouse.remove_stock")
    assert result.provenance in {("model", ""), ("name", "")}
    assert result.to_json()["provenance"]["source"] in PROVENANCE_SOURCES


def test_stale_updates_keep_the_existing_summary(sample_repo: Path, make_pipeline) -> None:
    from assistant.pipeline import find_stale

    source = b'def f(a, b):\n    """Add two numbers.\n\n    Args:\n        a: One.\n    """\n'
    parsed = parse_source(source, "m.py")
    (finding,) = find_stale(parsed, "google")
    symbol = next(s for s in parsed.symbols if s.qualname == "f")
    result, _ = make_pipeline(sample_repo).stale_result("m.py", source, symbol, finding)
    assert result.to_json()["provenance"] == {"source": "existing", "detail": ""}


def _symbol(name: str):
    symbols = parse_source(f"def {name}(x):\n    return x\n".encode(), "m.py").symbols
    return next(s for s in symbols if s.name == name)


def _weights(winner: int) -> list[float]:
    """Ranker weights under which only feature ``winner`` (see ranker.FEATURES) counts."""
    return [30.0 if i == winner else 0.0 for i in range(len(FEATURES))]


def test_neighbour_detail_is_its_qualname_when_retrieval_named_it() -> None:
    ranker = Ranker(_weights(2))  # the nearest neighbour wins
    vocab = Vocabulary.from_texts(["def remove_stock(x): return x"])
    similar = [("add_stock", "Add units of stock.", "Warehouse.add_stock")]
    chosen = choose_summary([], vocab, _symbol("remove_stock"), similar, ranker)
    assert chosen.summary == "Remove units of stock."
    assert chosen.provenance == ("repo-neighbour", "Warehouse.add_stock")
    bare = choose_summary([], vocab, _symbol("remove_stock"), [similar[0][:2]], ranker)
    assert bare.provenance == ("repo-neighbour", "add_stock")  # unnamed: its bare name


def test_name_and_model_winners() -> None:
    vocab = Vocabulary.from_texts(["def remove_stock(x): return x"])
    name_wins = Ranker(_weights(0))
    chosen = choose_summary(
        [("Take it away.", -0.1)], vocab, _symbol("remove_stock"), [], name_wins
    )
    assert chosen.provenance == ("name", "")
    model_wins = Ranker(_weights(1))
    chosen = choose_summary(
        [("Take it away.", -0.1)], vocab, _symbol("remove_stock"), [], model_wins
    )
    assert chosen.provenance == ("model", "") and chosen.summary == "Take it away."


def test_every_candidate_source_maps_to_a_record_source() -> None:
    # the corpus candidates (issue 12 item 3) carry their package as the detail
    assert provenance_of(Candidate("Parse it.", "corpus", detail="attrs")) == ("corpus", "attrs")
    assert provenance_of(Candidate("Parse it.", "neighbour", detail="A.b")) == (
        "repo-neighbour",
        "A.b",
    )
    assert provenance_of(Candidate("Parse it.", "model")) == ("model", "")
    assert provenance_of(Candidate("Parse it.", "name")) == ("name", "")


def test_named_neighbours_pairs_names_only_when_they_line_up() -> None:
    from assistant.prompt import Evidence

    evidence = Evidence(similar=[("a", "A."), ("b", "B.")], similar_qualnames=["X.a", "X.b"])
    assert named_neighbours(evidence) == [("a", "A.", "X.a"), ("b", "B.", "X.b")]
    assert named_neighbours(Evidence(similar=[("a", "A.")])) == [("a", "A.")]
