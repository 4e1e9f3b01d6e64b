"""What the server does once per file rather than once per request (no timing: the
work is counted)."""

from __future__ import annotations

from pathlib import Path

import indexer.parser
from indexer.parser import parse_source

MODELS = "inventory/models.py"


def test_edits_planned_on_the_same_bytes_parse_them_once(
    sample_repo: Path, make_pipeline, monkeypatch
) -> None:
    pipeline = make_pipeline(sample_repo)
    source = (sample_repo / MODELS).read_bytes()
    parsed = parse_source(source, MODELS)
    undocumented = [s for s in parsed.symbols if not s.docstring and s.kind != "class"][:2]
    assert len(undocumented) == 2
    results = [pipeline.document_symbol(MODELS, source, s) for s in undocumented]
    real = indexer.parser.parse_source
    parses_of_the_original = []

    def counting(data, *args, **kwargs):
        if data == source:
            parses_of_the_original.append(1)
        return real(data, *args, **kwargs)

    monkeypatch.setattr(indexer.parser, "parse_source", counting)
    edits = [
        pipeline.plan_insertion(MODELS, source, symbol, result)
        for symbol, result in zip(undocumented, results, strict=True)
    ]
    assert len(edits) == 2 and edits[0] != edits[1]
    assert len(parses_of_the_original) == 1  # the second edit reuses the first's parse


def test_a_prefetched_file_s_requests_retrieve_nothing_more(
    tmp_path: Path, make_pipeline, cache_root
) -> None:
    import shutil

    from indexer.index import update_index
    from tests.conftest import SAMPLE

    root = tmp_path / "sample_repo"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    update_index(root)
    pipeline = make_pipeline(root)
    source = (root / MODELS).read_bytes()
    parsed = parse_source(source, MODELS)
    undocumented = [s for s in parsed.symbols if not s.docstring and s.kind != "module"]
    assert undocumented
    steps = []
    assert pipeline.prefetch(MODELS, source, parsed, undocumented, lambda: steps.append(1), 1)
    assert len(steps) == len(undocumented)  # the caller's hook ran before every chunk
    searched = []
    find = pipeline.retriever.similar_symbols.find_with_vectors

    def counting(targets):
        searched.extend(targets)
        return find(targets)

    pipeline.retriever.similar_symbols.find_with_vectors = counting
    target = pipeline.target(MODELS, source, undocumented[0], parsed)
    result = pipeline.document_request(target, "hover")
    assert result.summary and searched == []  # its retrieval came from the prefetch
