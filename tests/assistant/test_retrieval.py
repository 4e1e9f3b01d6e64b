"""Context retrieval over a real index (tree-sitter + all-MiniLM-L6-v2 + FAISS)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.target import Target
from indexer.parser import parse_source
from indexer.text import symbol_source


def _context(pipeline, root: Path, rel: str, qualname: str):
    source = (root / rel).read_bytes()
    parsed = parse_source(source, rel)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    target = Target(rel, source, parsed, symbol, symbol_source(source, symbol))
    return pipeline.retriever.contexts([target])[0]


def test_similar_symbols_come_from_the_index(indexed_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(indexed_repo)
    context = _context(pipeline, indexed_repo, "inventory/models.py", "Warehouse.remove_stock")
    similar = dict(context.evidence.similar)
    assert 1 <= len(similar) <= pipeline.settings.top_k
    assert "remove_stock" not in similar  # never itself
    assert all(summary for summary in similar.values())
    assert "add_stock" in similar  # its documented sibling is the nearest neighbour
    assert context.evidence.class_name == "Warehouse"
    assert context.evidence.class_summary == "A place that holds stock of many items."
    assert context.evidence.module_summary.startswith("Data model for items")
    assert pipeline.index.notes == []


def test_callees_resolve_through_imports_and_self(indexed_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(indexed_repo)
    merge = _context(pipeline, indexed_repo, "inventory/reports.py", "restock_plan")
    callees = dict(merge.evidence.callees)
    # warehouse.count / warehouse.low_stock: resolved by bare name against the index
    assert callees.get("count") == "Return how many units of ``sku`` are in stock."
    transfer = _context(pipeline, indexed_repo, "inventory/models.py", "Warehouse.transfer_to")
    callees = dict(transfer.evidence.callees)
    assert callees["add_stock"] == "Add ``quantity`` units of ``sku`` to the warehouse."
    report = _context(pipeline, indexed_repo, "inventory/reports.py", "format_stock_report")
    assert "count" in dict(report.evidence.callees)


def test_the_prompt_respects_the_token_budget(indexed_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(indexed_repo, max_context_tokens=60)
    context = _context(pipeline, indexed_repo, "inventory/models.py", "Warehouse.transfer_to")
    assert len(context.prompt) <= 60 * 4
    assert "code: def transfer_to" in context.prompt
    assert "module:" not in context.prompt  # dropped first in the truncation order


def test_an_index_that_appears_later_is_used(
    indexed_repo: Path, tmp_path: Path, make_pipeline
) -> None:
    root = tmp_path / "late"
    shutil.copytree(indexed_repo, root, ignore=shutil.ignore_patterns(".docgen"))
    pipeline = make_pipeline(root)
    before = _context(pipeline, root, "inventory/models.py", "Warehouse.remove_stock")
    assert before.evidence.similar == [] and pipeline.store is None
    shutil.copytree(indexed_repo / ".docgen", root / ".docgen")  # e.g. the LSP indexed it
    after = _context(pipeline, root, "inventory/models.py", "Warehouse.remove_stock")
    assert after.evidence.similar and pipeline.store is not None
    assert not any("no index" in note for note in pipeline.index.notes)


def test_each_neighbours_similarity_reaches_the_ranker(indexed_repo: Path, make_pipeline) -> None:
    from assistant.prompt import named_neighbours
    from assistant.ranker import FEATURES, NEIGHBOUR_SIM_KNEE
    from assistant.summaries import candidate_pool

    pipeline = make_pipeline(indexed_repo)
    context = _context(pipeline, indexed_repo, "inventory/models.py", "Warehouse.remove_stock")
    scores = context.evidence.similar_scores
    assert len(scores) == len(context.evidence.similar) >= 2
    assert scores == sorted(scores, reverse=True) and 0.0 < scores[-1] <= scores[0] <= 1.0 + 1e-6
    assert scores[0] > scores[-1]  # the sample's neighbours are not all equally near
    similar = named_neighbours(context.evidence)  # what refinement hands the pool
    assert [row[3] for row in similar] == scores
    parsed = parse_source((indexed_repo / "inventory/models.py").read_bytes(), "models.py")
    symbol = next(s for s in parsed.symbols if s.qualname == "Warehouse.remove_stock")
    pool = candidate_pool([], context.vocabulary, symbol, similar)
    sim, high = FEATURES.index("neighbour_sim"), FEATURES.index("neighbour_sim_high")
    rows = {c.rank: v for c, _, v in pool if c.source == "neighbour"}
    assert len(rows) >= 2
    nearest, farthest = min(rows), max(rows)
    assert rows[nearest][sim] > rows[farthest][sim]  # the nearer neighbour's feature is higher
    assert rows[nearest][sim] == scores[nearest]
    for rank, vector in rows.items():
        assert vector[high] == pytest.approx(max(0.0, scores[rank] - NEIGHBOUR_SIM_KNEE))
    assert all(v[sim] == 0.0 and v[high] == 0.0 for c, _, v in pool if c.source != "neighbour")


def test_a_cached_context_keeps_the_similarities(indexed_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(indexed_repo)
    first = _context(pipeline, indexed_repo, "inventory/models.py", "Warehouse.remove_stock")
    again = _context(pipeline, indexed_repo, "inventory/models.py", "Warehouse.remove_stock")
    assert first.evidence.similar_scores and again.evidence.similar_scores == pytest.approx(
        first.evidence.similar_scores
    )
