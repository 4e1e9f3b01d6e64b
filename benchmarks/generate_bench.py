"""Benchmark ``docgen generate``: throughput (cold and warm cache), structural correctness,
and write safety on a real package with its own test suite.

Throughput: a copy of an installed package (default ``networkx``) has the docstrings of
two out of three documented public functions removed (deterministically) so about
``--target`` functions are undocumented while the rest still document the package for
retrieval (the in-repo situation). The copy is indexed (timed separately), then the
pipeline drafts every missing docstring twice: with an empty output cache (cold) and again
(warm: every result cached, the model is never loaded). Structural correctness: for every
drafted docstring, the documented parameters must equal the signature's, in order.
Faithfulness (issue #12): how many drafts the faithfulness check repaired, and how many
false statements remain in what is shown (``benchmarks/faithfulness_audit.py``; target 0).
Parameter descriptions (issue #12 item 2): how many came from each source (``override``,
``callee``, ``wrapper``, ``same-class``, ``neighbour``, ``neutral``, ``empty``).

Write safety (``--write-check``): a copy of ``mpmath`` gets ``docgen generate --write
--update-stale``; every file must still parse and mpmath's own tests must pass as before.

Usage::

    .venv/bin/python benchmarks/generate_bench.py            # embedded model if shipped
    .venv/bin/python benchmarks/generate_bench.py --model tiny --json

Prints a table and, with ``--json``, one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine
from faithfulness_audit import audit

from assistant.bulk import document_paths
from assistant.pipeline import DocPipeline, PipelineSettings
from assistant.styles import find_params, signature_parameters
from indexer.coverage import CheckOptions, counts
from indexer.parser import parse_source


def _package_dir(name: str) -> Path:
    module = importlib.import_module(name)
    return Path(module.__file__).resolve().parent


def _strip_docstring(source: bytes, symbol) -> bytes:
    """Remove a function's docstring statement (its whole lines), or make it ``pass``."""
    doc, body = symbol.doc_span, symbol.body_span
    line_start = source.rfind(b"\n", 0, doc.start_byte) + 1
    line_end = source.find(b"\n", doc.end_byte)
    line_end = len(source) if line_end < 0 else line_end + 1
    if source[line_start : doc.start_byte].strip() or source[doc.end_byte : line_end].strip():
        return source  # shares its line with code: leave it
    if body is not None and body.end_byte <= doc.end_byte:
        indent = source[line_start : doc.start_byte]
        return source[:line_start] + indent + b"pass\n" + source[line_end:]
    return source[:line_start] + source[line_end:]


def prepare(package: str, target: int, work: Path, source: Path | None = None) -> tuple[Path, int]:
    """Copy ``package`` (the installed one, or the folder ``source``) into ``work/repo``
    and strip docstrings until ~``target`` are missing."""
    root = work / "repo"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(
        source or _package_dir(package),
        root / package,
        ignore=shutil.ignore_patterns("tests", "test", "__pycache__", "*.so", "*.pyd"),
    )
    (root / "pyproject.toml").write_text("[tool.docgen]\n")
    options = CheckOptions(include_module=False)
    files = sorted(root.rglob("*.py"))
    documented, missing = [], 0
    for path in files:
        parsed = parse_source(path.read_bytes(), path.relative_to(root).as_posix())
        kinds = {s.qualname: s.kind for s in parsed.symbols}
        for symbol in parsed.symbols:
            if symbol.kind in ("function", "method") and counts(symbol, kinds, options):
                if symbol.docstring and symbol.doc_span is not None:
                    documented.append((path, symbol.qualname))
                else:
                    missing += 1
    need = max(0, target - missing)
    step = max(1, len(documented) // max(1, need)) if need else 0
    chosen = set(documented[::step][:need]) if need else set()
    for path in files:
        wanted = {q for p, q in chosen if p == path}
        if not wanted:
            continue
        source = original = path.read_bytes()
        for qualname in sorted(wanted, reverse=True):
            parsed = parse_source(source, path.name)
            symbol = next((s for s in parsed.symbols if s.qualname == qualname), None)
            if symbol is not None and symbol.doc_span is not None:
                source = _strip_docstring(source, symbol)
        try:
            ast.parse(source)
        except SyntaxError:
            source = original
        path.write_bytes(source)
    return root, missing + len(chosen)


def structural_check(root: Path, results) -> tuple[int, int, list[str]]:
    """Return (docstrings whose parameters match the signature exactly, total, failures)."""
    ok = 0
    failures: list[str] = []
    parsed_files: dict[str, dict] = {}
    for result in results:
        if result.path not in parsed_files:
            parsed = parse_source((root / result.path).read_bytes(), result.path)
            # keyed by line too: a property and its setter share a qualname
            parsed_files[result.path] = {(s.qualname, s.line): s for s in parsed.symbols}
        symbol = parsed_files[result.path][(result.qualname, result.line)]
        expected = [p.name.lstrip("*") for p in signature_parameters(symbol)]
        if symbol.kind not in ("function", "method") or "property" in str(symbol.decorators):
            expected = []
        block = find_params(result.docstring, result.style)
        documented = [e.bare_name for e in block.entries] if block else []
        ok += documented == expected
        if documented != expected:
            failures.append(f"{result.path}:{result.qualname} {documented} != {expected}")
    return ok, len(results), failures


def _settings(model: str | None, cache: Path, beams: int, threads: int | None):
    return PipelineSettings(
        model=model, cache_dir=cache, num_beams=beams, update_index=False, threads=threads
    )


def throughput(args, work: Path, model: str | None) -> dict:
    from assistant.engine import load_generator
    from indexer.index import update_index

    if args.reuse and (work / "repo" / ".docgen").is_dir():
        root = work / "repo"
        undocumented = -1  # prepared by an earlier run
    else:
        root, undocumented = prepare(args.package, args.target, work)
    started = time.perf_counter()
    summary = update_index(root)
    index_s = time.perf_counter() - started
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)

    started = time.perf_counter()
    generator = load_generator(model, threads=args.threads)
    load_s = time.perf_counter() - started
    pipeline = DocPipeline(root, _settings(model, cache, args.beams, args.threads), generator)
    started = time.perf_counter()
    cold = document_paths(pipeline, [root], mode="missing")
    cold_s = time.perf_counter() - started
    cold_stats = pipeline.stats()
    model_s = cold_stats.model_seconds
    embed_s, embedded = cold_stats.embed_seconds, cold_stats.embedded
    param_sources = pipeline.param_source_counts()
    pipeline.close()

    warm_pipeline = DocPipeline(root, _settings(model, cache, args.beams, args.threads))
    started = time.perf_counter()
    warm = document_paths(warm_pipeline, [root], mode="missing")
    warm_s = time.perf_counter() - started
    model_loaded = warm_pipeline.stats().model_loaded
    warm_pipeline.close()

    ok, total, failures = structural_check(root, cold.results)
    faithful = faithfulness_check(root, cold.results, _settings(model, cache, args.beams, None))
    return {
        "package": args.package,
        "files": cold.files,
        "undocumented": undocumented,
        "indexed_symbols": summary.symbols,
        "index_s": round(index_s, 2),
        "model_load_s": round(load_s, 2),
        "drafted": len(cold.results),
        "cold_s": round(cold_s, 2),
        "cold_symbols_per_s": round(len(cold.results) / cold_s, 1),
        "cold_model_s": round(model_s, 2),
        "cold_query_embedding_s": round(embed_s, 2),
        "cold_queries_embedded": embedded,
        "cold_rest_s": round(cold_s - model_s - embed_s, 2),
        "warm_s": round(warm_s, 3),
        "warm_symbols_per_s": round(len(warm.results) / warm_s, 1),
        "warm_all_cached": all(r.cached for r in warm.results),
        "warm_loaded_model": model_loaded,
        "structural_ok": ok,
        "structural_total": total,
        "structural_pct": round(100.0 * ok / max(1, total), 2),
        "structural_failures": failures[:5],
        "mean_confidence": round(sum(r.confidence for r in cold.results) / max(1, total), 3),
        # where each drafted parameter description came from (issue #12 item 2)
        "param_sources": param_sources,
        **faithful,
    }


def faithfulness_check(root: Path, results, settings: PipelineSettings) -> dict:
    """What the faithfulness check removed from the drafts, and what is still false in what
    is shown (read back from each docstring and checked against the code: must be 0)."""
    pipeline = DocPipeline(root, settings)
    records = [{**r.to_json(), "style": r.style} for r in results]
    found = audit(pipeline, records)
    pipeline.close()
    return {
        "faithfulness_drafts_repaired": sum(1 for r in results if r.faithfulness),
        "faithfulness_statements_removed": sum(len(r.faithfulness) for r in results),
        "faithfulness_violations_shown": len(found),
        "faithfulness_examples": [f"{r['path']}:{r['qualname']}: {v}" for r, v in found[:5]]
        or [line for r in results for line in r.faithfulness][:5],
    }


def _run_tests(root: Path, package: str) -> tuple[str, set[str]]:
    """Run the package's own tests from ``root``; return (summary line, failed test ids)."""
    env = dict(os.environ, PYTHONPATH=str(root))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no"]
    command += ["-rf", "-W", "ignore", str(root / package / "tests")]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    failed = {line.split()[1] for line in lines if line.startswith("FAILED ")}
    return (lines[-1] if lines else f"rc={done.returncode}"), failed


def _counts(summary: str) -> str:
    """pytest's closing line without its timing (``1 failed, 338 passed``)."""
    return summary.split(" in ")[0]


def write_check(args, work: Path, model: str | None) -> dict:
    """generate --write --update-stale over a package with its own tests; rerun the tests."""
    package = args.write_check
    root = work / "write-check"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(
        _package_dir(package), root / package, ignore=shutil.ignore_patterns("__pycache__")
    )
    (root / "pyproject.toml").write_text('[tool.docgen]\nexclude = ["tests/"]\n')
    before, failed_before = _run_tests(root, package)
    settings = _settings(model, work / "write-cache", args.beams, args.threads)
    settings.update_index = True
    pipeline = DocPipeline(root, settings)
    report = document_paths(pipeline, [root], mode="all", write=True)
    pipeline.close()
    unparsable = []
    for path in root.rglob("*.py"):
        try:
            ast.parse(path.read_bytes())
        except SyntaxError:
            unparsable.append(str(path.relative_to(root)))
    after, failed_after = _run_tests(root, package)
    return {
        "write_package": package,
        "write_files_written": len(report.written),
        "write_docstrings": len(report.results),
        "write_refused": len(report.refused),
        "write_unparsable_files": unparsable,
        "tests_before": before,
        "tests_after": after,
        "tests_newly_failing": sorted(failed_after - failed_before),
        "tests_still_pass": _counts(before) == _counts(after) and failed_after <= failed_before,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default="networkx")
    parser.add_argument("--target", type=int, default=1000)
    parser.add_argument("--model", default=None, help="folder, 'tiny', or the embedded default")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--write-check", default="mpmath", help="package ('' to skip)")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse --work's prepared, indexed copy"
    )
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="docgen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DOCGEN_CACHE_DIR", str(work / "docgen-cache"))
    model = args.model
    if model == "tiny":
        from assistant.engine.testing import build_tiny_t5

        model = str(build_tiny_t5(work / "tiny-t5"))
    results = {
        "machine": machine(),
        "model": model or "embedded (assistant/models/docgen-t5)",
        "beams": args.beams,
    }
    results.update(throughput(args, work, model))
    if args.write_check:
        results.update(write_check(args, work, model))
    width = max(len(key) for key in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
