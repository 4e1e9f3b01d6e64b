"""What a batch leaves in ``--out DIR`` (written by the driver only, so a retried worker never
writes anything twice)::

    DIR/summary.md, DIR/summary.json   one row per repository (coverage, drafts, findings, time)
    DIR/NAME/records.jsonl             the JSON records, as ``docgen generate --format json``
    DIR/NAME/docstrings.patch          the drafted docstrings as a ``git diff`` (``git apply``)
    DIR/NAME/check.json                the check report: coverage and DG001 findings
    DIR/.cache/NAME.json               the content key and row of the last result (JSON)

Every file is written whole (a temporary file, then a rename), and only under ``DIR``: a
name is letters, digits, ``.``, ``_`` and ``-`` (:mod:`assistant.batch.manifest`).

The check report goes through :data:`CHECK_REPORTS` (format -> writer): ``json`` here;
other formats (markdown, SARIF) register a writer of the same signature.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.safe_output import replace_file

CACHE = ".cache"
RECORDS, PATCH = "records.jsonl", "docstrings.patch"
STATUSES = ("done", "unchanged", "failed")


@dataclass
class Row:
    """One repository's line of the summary.

    Attributes:
        name: The repository's name (its output folder).
        path: Its folder.
        status: ``done``, ``unchanged`` (content key as cached: not run again) or ``failed``.
        coverage: Docstring coverage in percent before drafting (None if unknown).
        documented: Documented symbols.
        total: Symbols that need a docstring.
        drafts: Drafted docstrings (records with a new docstring).
        updates: Stale docstrings updated.
        findings: Findings of the check report.
        written: Files written into the repository (``--write`` only).
        problems: Refused edits and files that failed (``path: why``).
        error: Why the repository failed, or "".
        seconds: Time spent on it (index and draft stages).
        index_seconds: Of which the index stage (keying, indexing, the check).
        symbols: Symbols documented (records).
        url: The git URL of the manifest, or "".
    """

    name: str
    path: str
    status: str = "done"
    coverage: float | None = None
    documented: int = 0
    total: int = 0
    drafts: int = 0
    updates: int = 0
    findings: int = 0
    written: int = 0
    problems: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    index_seconds: float = 0.0
    symbols: int = 0
    url: str = ""


def findings(coverage: dict[str, Any]) -> list[dict[str, Any]]:
    """The check report's findings, in the shape ``docgen check`` findings share (DG001:
    a symbol without the docstring it needs)."""
    return [
        {
            "code": "DG001",
            "message": f"{item['kind']} {item['qualname']} has no docstring",
            "path": item["path"],
            "line": item["line"],
            "column": item["col"],
            "qualname": item["qualname"],
            "fixable": True,
        }
        for item in coverage.get("missing", [])
    ]


def _check_json(folder: Path, coverage: dict[str, Any]) -> None:
    report = {**coverage, "findings": findings(coverage)}
    write_text(folder / "check.json", json.dumps(report, indent=2, ensure_ascii=False) + "\n")


CHECK_REPORTS: dict[str, Callable[[Path, dict[str, Any]], None]] = {"json": _check_json}
"""Writers of the check report by format: ``writer(folder, coverage)`` where coverage is
``indexer.coverage.CoverageReport.to_dict()``."""


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole: a temporary file beside it, then a rename (mode
    0600: a run's outputs are the user's own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, text.encode("utf-8"), 0o600)


def write_repository(
    out: Path,
    row: Row,
    records: list[dict[str, Any]],
    patch: str,
    coverage: dict[str, Any],
    formats: tuple[str, ...] = ("json",),
) -> None:
    """Write one repository's records, patch and check report under ``out/NAME``."""
    folder = out / row.name
    lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
    write_text(folder / RECORDS, lines)
    write_text(folder / PATCH, patch)
    for fmt in formats:
        CHECK_REPORTS[fmt](folder, coverage)


def cached(out: Path, name: str) -> tuple[str, Row | None]:
    """The content key and row cached for ``name`` in ``out`` (``("", None)`` if none, or if
    its output files are gone or the cache file is unreadable)."""
    try:
        data = json.loads((out / CACHE / f"{name}.json").read_text(encoding="utf-8"))
        row = Row(**data["row"])
        key = str(data["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return "", None
    if not all((out / name / part).is_file() for part in (RECORDS, PATCH)):
        return "", None
    return key, row


def remember(out: Path, key: str, row: Row) -> None:
    """Cache ``row`` under its content key (a failed repository is never cached)."""
    text = json.dumps({"key": key, "row": asdict(row)}, indent=2, ensure_ascii=False)
    write_text(out / CACHE / f"{row.name}.json", text + "\n")


def write_summary(out: Path, rows: list[Row], seconds: float) -> None:
    """Write ``summary.json`` and ``summary.md`` over all repositories."""
    totals = {
        "repositories": len(rows),
        **{status: sum(1 for r in rows if r.status == status) for status in STATUSES},
        "drafts": sum(r.drafts for r in rows),
        "findings": sum(r.findings for r in rows),
        "seconds": round(seconds, 3),
    }
    data = {"totals": totals, "repositories": [asdict(row) for row in rows]}
    write_text(out / "summary.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    write_text(out / "summary.md", summary_markdown(rows, totals))


def summary_markdown(rows: list[Row], totals: dict[str, Any]) -> str:
    """The summary as a markdown table, one row per repository, then the totals."""
    lines = [
        "| repository | status | coverage | drafts | updates | findings | written | problems "
        "| time (s) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        coverage = "" if r.coverage is None else f"{r.coverage:.1f}% ({r.documented}/{r.total})"
        status = f"failed: {r.error}" if r.error else r.status
        status = status.replace("|", "\\|").replace("\n", " ")
        lines.append(
            f"| {r.name} | {status} | {coverage} | {r.drafts} | {r.updates} | {r.findings} "
            f"| {r.written} | {len(r.problems)} | {r.seconds:.1f} |"
        )
    lines.append("")
    lines.append(
        f"{totals['repositories']} repositories: {totals['done']} done, "
        f"{totals['unchanged']} unchanged, {totals['failed']} failed; {totals['drafts']} drafts, "
        f"{totals['findings']} findings in {totals['seconds']:.1f}s"
    )
    return "\n".join(lines) + "\n"
