"""Count the false statements about the code in drafted docstrings (issue #12 item 1).

Every docstring is read back from its text and checked against the symbol's code and the
evidence the pipeline retrieved for it (:func:`assistant.faithfulness.check_rendered`):
parameters that do not exist or have another kind, stated defaults that differ from the
code's, raises the body never raises, Returns/Yields the code does not return/yield,
identifiers found nowhere. Two ways::

    # draft every missing docstring of REPO now (fresh cache) and audit what is shown,
    # next to what the check found and removed on the way
    .venv/bin/python benchmarks/faithfulness_audit.py examples/sample_repo

    # audit records an earlier docgen wrote (``docgen generate --format json``)
    .venv/bin/python benchmarks/faithfulness_audit.py examples/sample_repo --records out.jsonl

Prints one line per violation and a summary (with, for fresh drafts, how many parameter
descriptions came from each source: ``override``, ``callee``, ``wrapper``, ``same-class``,
``neighbour``, ``neutral``, ``empty``); ``--json`` adds one JSON object on the last
line. Exit 0 when nothing shown is false, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from assistant.bulk import document_paths
from assistant.faithfulness import check_rendered, grounding_texts
from assistant.pipeline import DocPipeline, PipelineSettings
from assistant.styles import detect_docstring_style
from assistant.target import Target
from indexer.parser import parse_source
from indexer.symbols import ParsedFile
from indexer.text import symbol_source


def audit(pipeline: DocPipeline, records: list[dict]) -> list[tuple[dict, str]]:
    """Every violation of the records' docstrings, as (record, violation) pairs."""
    found: list[tuple[dict, str]] = []
    parsed: dict[str, dict] = {}
    sources: dict[str, bytes] = {}
    parsed_files: dict[str, ParsedFile] = {}
    for record in records:
        rel = record["path"]
        if rel not in parsed:
            sources[rel] = (pipeline.root / rel).read_bytes()
            parsed_files[rel] = parse_source(sources[rel], rel)
            parsed[rel] = {(s.qualname, s.line): s for s in parsed_files[rel].symbols}
        symbol = parsed[rel].get((record["qualname"], record["line"]))
        if symbol is None:
            found.append((record, "symbol not found in the file"))
            continue
        # not pipeline.target(): it re-finds by qualname, and overloads share one
        target = Target(
            rel, sources[rel], parsed_files[rel], symbol, symbol_source(sources[rel], symbol)
        )
        context = pipeline.retriever.contexts([target])[0]
        style = record.get("style") or pipeline.style_for(symbol.language)
        if symbol.language == "python":
            style = detect_docstring_style(record["docstring"]) or style
        for violation in check_rendered(
            record["docstring"],
            style,
            target.symbol,
            target.code,
            grounding_texts(context.evidence),
        ):
            found.append((record, str(violation)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--records", type=Path, help="JSON lines of docgen generate")
    parser.add_argument("--model", default=None, help="model folder, 'tiny', or the default")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--beams", type=int, default=None, help="beams (default: settings')")
    parser.add_argument(
        "--show-fixes", action="store_true", help="print what the check removed from each draft"
    )
    args = parser.parse_args(argv)
    root = args.repo.resolve()
    with tempfile.TemporaryDirectory(prefix="docgen-audit-") as tmp:
        model = args.model
        if model == "tiny":
            from assistant.engine.testing import build_tiny_t5

            model = str(build_tiny_t5(Path(tmp) / "tiny-t5"))
        settings = PipelineSettings(model=model, cache_dir=Path(tmp) / "cache")
        if args.beams:
            settings.num_beams = args.beams
        pipeline = DocPipeline(root, settings)
        fixed = 0
        fixes: Counter[str] = Counter()
        if args.records:
            lines = args.records.read_text().splitlines()
            records = [json.loads(line) for line in lines if line.strip()]
        else:
            report = document_paths(pipeline, [root], mode="missing")
            records = []
            for result in report.results:
                records.append({**result.to_json(), "style": result.style})
                fixed += bool(result.faithfulness)
                fixes.update(line.split(":", 1)[0] for line in result.faithfulness)
                for line in result.faithfulness if args.show_fixes else []:
                    print(f"fixed {result.path}:{result.line} {result.qualname}: {line}")
        param_sources = pipeline.param_source_counts()
        found = audit(pipeline, records)
        pipeline.close()
    for record, violation in found:
        print(f"{record['path']}:{record['line']} {record['qualname']}: {violation}")
    summary = {
        "repo": str(args.repo),
        "docstrings": len(records),
        "violations_shown": len(found),
        "docstrings_with_violations_shown": len({(r["path"], r["line"]) for r, _ in found}),
    }
    if not args.records:
        summary["drafts_repaired_by_the_check"] = fixed
        summary["statements_removed_by_the_check"] = sum(fixes.values())
        # where each parameter description came from (issue #12 item 2)
        summary["param_sources"] = param_sources
    print(", ".join(f"{key}: {value}" for key, value in summary.items()))
    if args.json:
        print(json.dumps(summary))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
