"""The library API (DocPipeline) on the sample repository with a tiny random T5."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assistant.bulk import document_paths
from assistant.edits import apply_edits
from assistant.pipeline import find_stale
from assistant.styles import find_params, signature_parameters
from assistant.target import Target
from indexer.parser import parse_source
from indexer.text import symbol_source
from tests.conftest import write_tree

MODELS = "inventory/models.py"


def _symbol(root: Path, rel: str, qualname: str):
    source = (root / rel).read_bytes()
    parsed = parse_source(source, rel)
    return source, parsed, next(s for s in parsed.symbols if s.qualname == qualname)


def test_document_symbol_and_insert_it(sample_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(sample_repo)
    source, _, symbol = _symbol(sample_repo, MODELS, "Warehouse.low_stock")
    result = pipeline.document_symbol(MODELS, source, symbol)
    assert (result.path, result.qualname, result.kind, result.line) == (
        MODELS,
        "Warehouse.low_stock",
        "method",
        symbol.line,
    )
    assert result.style == "google"  # the sample repository's majority
    assert 0.0 <= result.confidence <= 1.0 and result.cached is False
    assert result.summary and result.docstring.startswith(result.summary)
    block = find_params(result.docstring, "google")
    assert block is not None and [e.bare_name for e in block.entries] == ["threshold"]
    assert "Returns:" in result.docstring
    edit = pipeline.plan_insertion(MODELS, source, symbol, result)
    edited = apply_edits(source, [edit])
    tree = ast.parse(edited)
    method = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "low_stock"
    )
    assert ast.get_docstring(method) == result.docstring


class _RefusingGenerator:
    """Same model id as the tiny model, but any model call fails the test."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.max_input_tokens = 512

    def generate(self, prompts, config=None):
        raise AssertionError("a cache hit must not touch the model")


def test_cache_hits_never_touch_the_model(sample_repo: Path, make_pipeline, generator) -> None:
    source, _, symbol = _symbol(sample_repo, MODELS, "Warehouse.transfer_to")
    first = make_pipeline(sample_repo).document_symbol(MODELS, source, symbol)
    second = make_pipeline(sample_repo, gen=_RefusingGenerator(generator.model_id))
    again = second.document_symbol(MODELS, source, symbol)
    assert (again.cached, first.cached) == (True, False)
    assert (again.summary, again.docstring, again.confidence) == (
        first.summary,
        first.docstring,
        first.confidence,
    )
    # a change to the code is a different key: the model is needed again
    changed = source.replace(b"other.add_stock(sku, quantity)", b"other.add_stock(sku, 2)")
    with pytest.raises(AssertionError, match="must not touch"):
        second.document_symbol(MODELS, changed, symbol)


def test_corrupt_cache_is_discarded_with_a_warning(
    sample_repo: Path, make_pipeline, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "results"
    source, _, symbol = _symbol(sample_repo, MODELS, "Item.display_name")
    first = make_pipeline(sample_repo, cache_dir=cache_dir)
    first.document_symbol(MODELS, source, symbol)
    first.close()
    (cache_dir / "cache.db").write_bytes(b"\x00not a database\x00" * 500)
    pipeline = make_pipeline(sample_repo, cache_dir=cache_dir)
    assert any("corrupt cache" in w for w in pipeline.cache.warnings)
    result = pipeline.document_symbol(MODELS, source, symbol)
    assert result.cached is False and result.summary
    assert pipeline.document_symbol(MODELS, source, symbol).cached is True


def test_retrieval_without_an_index_uses_the_file(sample_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(sample_repo)
    rel = "inventory/pricing.py"
    source, parsed, symbol = _symbol(sample_repo, rel, "cart_total")
    (context,) = pipeline.retriever.contexts(
        [Target(rel, source, parsed, symbol, symbol_source(source, symbol))]
    )
    names = [name for name, _ in context.evidence.callees]
    assert "price_with_tax" in names
    assert context.evidence.module_summary == "Prices, taxes and discounts."
    assert context.evidence.similar == []
    assert any("no index" in note for note in pipeline.index.notes)
    assert "price_with_tax =>" in context.prompt and "code: def cart_total" in context.prompt


def test_notes_and_stats_are_public(sample_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(sample_repo)
    assert pipeline.stats().model_calls == 0 and pipeline.loaded_generator is not None
    source, _, symbol = _symbol(sample_repo, MODELS, "Warehouse.low_stock")
    pipeline.document_symbol(MODELS, source, symbol)
    notes = pipeline.notes()
    assert any("no index" in note for note in notes) and len(notes) == len(set(notes))
    stats = pipeline.stats()
    assert stats.model_loaded and stats.model_seconds > 0.0


def test_structure_matches_every_signature(sample_repo: Path, make_pipeline) -> None:
    pipeline = make_pipeline(sample_repo)
    report = document_paths(pipeline, [sample_repo], mode="missing")
    assert report.results and report.exit_code == 0
    for result in report.results:
        _, _, symbol = _symbol(sample_repo, result.path, result.qualname)
        expected = [p.name.lstrip("*") for p in signature_parameters(symbol)]
        block = find_params(result.docstring, "google")
        documented = [e.bare_name for e in block.entries] if block else []
        assert documented == expected, result.qualname


def test_generate_fills_what_check_reports(sample_repo: Path, make_pipeline) -> None:
    from indexer.coverage import CheckOptions, check_paths

    missing = {
        (m.path, m.qualname)
        for m in check_paths([sample_repo], CheckOptions(), sample_repo).missing
    }
    pipeline = make_pipeline(sample_repo)
    report = document_paths(pipeline, [sample_repo], mode="missing", write=True)
    assert {(r.path, r.qualname) for r in report.results} == missing
    assert sorted(report.written) == sorted({path for path, _ in missing})
    assert check_paths([sample_repo], CheckOptions(), sample_repo).missing == []
    for path in sample_repo.rglob("*.py"):
        ast.parse(path.read_bytes())


def test_generate_honours_the_counting_options_check_uses(tmp_path: Path, make_pipeline) -> None:
    from indexer.coverage import CheckOptions, check_paths

    root = write_tree(
        tmp_path / "repo",
        {
            "shapes.py": '"""Shapes."""\n\n\nclass Box:\n    """A box."""\n\n'
            '    @property\n    def size(self):\n        """The size."""\n'
            "        return self._size\n\n"
            "    @size.setter\n    def size(self, value):\n        self._size = value\n"
        },
    )
    options = CheckOptions(include_property_setters=True)
    missing = {(m.path, m.qualname) for m in check_paths([root], options, root).missing}
    assert missing == {("shapes.py", "Box.size")}  # the setter
    without = document_paths(make_pipeline(root), [root], mode="missing")
    assert without.results == []  # setters are not drafted by default, as check does not count them
    pipeline = make_pipeline(root, include_property_setters=True)
    report = document_paths(pipeline, [root], mode="missing")
    assert {(r.path, r.qualname) for r in report.results} == missing


def test_stale_update_through_the_api(sample_repo: Path, make_pipeline) -> None:
    rel = "inventory/pricing.py"
    source, parsed, symbol = _symbol(sample_repo, rel, "apply_discount")
    (finding,) = find_stale(parsed, source)
    assert finding.renamed == [("discount", "percent")]
    edit = make_pipeline(sample_repo).plan_stale_update(rel, source, symbol, finding)
    edited = apply_edits(source, [edit])
    assert b"        percent: Discount in percent.\n" in edited
    assert edited.replace(b"percent: Discount", b"discount: Discount") == source
    assert find_stale(parse_source(edited, rel)) == []


def test_a_file_changed_during_the_run_is_replanned_not_clobbered(
    sample_repo: Path, make_pipeline
) -> None:
    target = sample_repo / "inventory" / "reports.py"
    marker = "    # edited by someone else meanwhile\n"

    def someone_edits(stage: str, advance: int, total: int) -> None:
        if stage == "write" and advance == 0:  # after reading, before writing
            text = target.read_text().replace("    lines = [", marker + "    lines = [")
            target.write_text(text)

    report = document_paths(
        make_pipeline(sample_repo), [target], write=True, progress=someone_edits
    )
    assert report.written == ["inventory/reports.py"] and report.exit_code == 0
    text = target.read_text()
    assert marker in text
    tree = ast.parse(text)
    documented = {
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and ast.get_docstring(n)
    }
    assert documented == {"format_stock_report", "merge_warehouses", "restock_plan"}


def test_a_file_deleted_during_the_run_is_reported(sample_repo: Path, make_pipeline) -> None:
    target = sample_repo / "inventory" / "reports.py"

    def someone_deletes(stage: str, advance: int, total: int) -> None:
        if stage == "write" and advance == 0:
            target.unlink()

    report = document_paths(
        make_pipeline(sample_repo), [target], write=True, progress=someone_deletes
    )
    assert report.written == [] and report.exit_code == 1
    assert "inventory/reports.py" in report.changed[0]
    assert not target.exists()


def test_concurrent_interactive_requests_share_the_batcher(
    sample_repo: Path, make_pipeline
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    pipeline = make_pipeline(sample_repo)
    names = ["Item.display_name", "Warehouse.remove_stock", "Warehouse.low_stock"]
    names.append("Warehouse.transfer_to")
    work = [_symbol(sample_repo, MODELS, name) for name in names]
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda item: pipeline.document_symbol(MODELS, item[0], item[2]), work)
        )
    assert [r.qualname for r in results] == names
    assert pipeline.stats().interactive_batches >= 1


BAD_INPUT = {
    "shapes.py": (
        "from typing import overload\n\n\n"
        "@overload\ndef conv(x: int) -> int: ...\n\n\n"
        "@overload\ndef conv(x: str) -> str: ...\n\n\n"
        "def conv(x):\n    return x\n\n\n"
        "square = lambda x: x * x\n\n\n"
        "def one(x): return x\n\n\n"
        "def outer(a):\n    def inner(b):\n        return b\n    return inner(a)\n\n\n"
        "class Box:\n    @property\n    def size(self):\n        return 1\n\n"
        "    @size.setter\n    def size(self, value):\n        pass\n\n\n"
        "def größe(länge: int) -> int:\n    return länge\n"
    ).encode(),
    "crlf_tabs.py": b"class T:\r\n\tdef run(self, n):\r\n\t\treturn n\r\n",
    "empty.py": b"",
    "latin1.py": "def f():\n    return 'caf\xe9'\n".encode("latin-1"),
    "binary.py": b"\x00\x01\x02def f(): pass\n",
}


def test_bad_input_is_normal_input(tmp_path: Path, make_pipeline) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for name, data in BAD_INPUT.items():
        (root / name).write_bytes(data)
    report = document_paths(make_pipeline(root), [root], mode="missing", write=True)
    assert report.exit_code == 0, report.refused + report.errors
    drafted = {(r.path, r.qualname) for r in report.results}
    assert drafted == {
        ("shapes.py", "conv"),
        ("shapes.py", "one"),
        ("shapes.py", "outer"),
        ("shapes.py", "Box"),
        ("shapes.py", "Box.size"),
        ("shapes.py", "größe"),
        ("crlf_tabs.py", "T"),
        ("crlf_tabs.py", "T.run"),
    }
    assert report.skipped == {"not UTF-8": 1, "binary": 1}
    assert (root / "latin1.py").read_bytes() == BAD_INPUT["latin1.py"]
    for name in ("shapes.py", "crlf_tabs.py"):
        ast.parse((root / name).read_bytes())
    crlf = (root / "crlf_tabs.py").read_bytes()
    assert b"\n" not in crlf.replace(b"\r\n", b"") and b'\t\t"""' in crlf
    assert (root / "shapes.py").read_text().count('"""') == 2 * 6


def test_an_existing_docstring_is_never_replaced(sample_repo: Path, make_pipeline) -> None:
    from assistant.edits import EditRefused

    pipeline = make_pipeline(sample_repo)
    source, _, symbol = _symbol(sample_repo, MODELS, "Warehouse.count")
    result = pipeline.document_symbol(MODELS, source, symbol)
    with pytest.raises(EditRefused, match="has a docstring now"):
        pipeline.plan_insertion(MODELS, source, symbol, result)
