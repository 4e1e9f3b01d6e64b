"""Extract (code, summary) records from one package with the project's own indexer.

Each documented function, method or class becomes a record: its code without the
docstring, the first sentence of its docstring, and what the evidence builder needs
later (calls, enclosing class and its summary, module summary, the text to embed).
Records whose summary fails :func:`assistant.borrowing.summary_ok` are dropped here (run-time
retrieval lends only such summaries too).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from assistant.borrowing import summary_ok
from assistant.prompt import callee_key, first_sentence, normalize_space
from assistant.workshop.dataset.sources import Source, iter_python_files

MAX_CODE_CHARS = 1600
"""Stored code is whitespace-collapsed and cut to this many characters."""
MAX_RAW_CODE_CHARS = 6000
"""The unnormalised code kept until embedding (``embedding_text`` reads it), then dropped."""
MIN_CODE_CHARS = 40
"""Shorter code (``def f(): pass``) carries too little signal and is dropped."""


def harvest_source(source: Source, max_files: int, max_records: int) -> dict[str, Any]:
    """Parse one package and return its records and counts.

    Runs in a worker process; imports the indexer lazily.

    Args:
        source: The package.
        max_files: Cap on library files read.
        max_records: Cap on records kept (a deterministic sample by name when over).

    Returns:
        ``{"package": name, "records": [...], "counts": Counter-like dict}``.
    """
    from indexer.parser import parse_source, symbol_source

    counts: Counter[str] = Counter()
    records: list[dict[str, Any]] = []
    try:
        files = list(iter_python_files(source, max_files))
    except Exception as exc:  # noqa: BLE001 - a broken archive is a counted skip
        return {
            "package": source.name,
            "records": [],
            "counts": {"unreadable": 1},
            "error": str(exc),
        }
    for path, data in files:
        counts["files"] += 1
        try:
            parsed = parse_source(data, path, "python")
        except Exception:  # noqa: BLE001 - tree-sitter failures are skips, not crashes
            counts["parse_errors"] += 1
            continue
        module = parsed.symbols[0] if parsed.symbols else None
        module_summary = first_sentence(module.docstring) if module else ""
        classes = {
            s.qualname: first_sentence(s.docstring) for s in parsed.symbols if s.kind == "class"
        }
        for symbol in parsed.symbols[1:]:
            counts["symbols"] += 1
            if not symbol.docstring:
                continue
            counts["documented"] += 1
            summary = first_sentence(symbol.docstring)
            if not summary_ok(summary):
                counts["bad_summary"] += 1
                continue
            try:
                raw_code = symbol_source(data, symbol, strip_docstring=True)
            except Exception:  # noqa: BLE001
                counts["source_errors"] += 1
                continue
            code = normalize_space(raw_code)
            if len(code) < MIN_CODE_CHARS:
                counts["short_code"] += 1
                continue
            parent_class = symbol.parent if symbol.parent in classes else None
            records.append(
                {
                    "package": source.name,
                    "path": path,
                    "qualname": symbol.qualname,
                    "name": symbol.name,
                    "kind": symbol.kind,
                    "code": code[:MAX_CODE_CHARS],
                    "summary": summary,
                    "calls": list(dict.fromkeys(callee_key(c) for c in symbol.calls))[:20],
                    "class_name": parent_class.rsplit(".", 1)[-1] if parent_class else None,
                    "class_summary": classes.get(parent_class) or None if parent_class else None,
                    "module_summary": module_summary or None,
                    "symbol": symbol.to_dict(),
                    "raw_code": raw_code[:MAX_RAW_CODE_CHARS],
                }
            )
    if len(records) > max_records:
        counts["capped"] += len(records) - max_records
        from assistant.workshop.dataset.sources import stable_hash

        records.sort(key=lambda r: stable_hash(r["path"] + ":" + r["qualname"]))
        records = records[:max_records]
    counts["records"] = len(records)
    return {"package": source.name, "records": records, "counts": dict(counts)}
