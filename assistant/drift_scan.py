"""Drift findings over paths, for ``docgen check --stale`` (no model, nothing imported or
run from the repository: files are read and parsed, code is read with :mod:`ast`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.findings import CODES, Finding, selected
from assistant.stale import drift_findings
from indexer.parser import SkipFile, parse_source, read_source_file
from indexer.walker import WalkOptions, select


@dataclass(slots=True)
class DriftReport:
    """The selected findings of a scan, in path and line order.

    Attributes:
        findings: The selected findings.
        files: Python files checked.
        unselected: Findings left out by ``--select``/``--ignore``.
        failed: ``(path, reason)`` of files the check could not read through.
    """

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    unselected: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Findings per code, in code order."""
        out: dict[str, int] = {}
        for code in CODES:
            n = sum(1 for f in self.findings if f.code == code)
            if n:
                out[code] = n
        return out


def scan(
    paths: Iterable[Path],
    root: Path,
    walk: WalkOptions,
    select_codes: list[str],
    ignore_codes: list[str],
    default_style: str = "google",
) -> DriftReport:
    """Check the docstrings of the Python files under ``paths`` against their code."""
    walk = WalkOptions(
        exclude=list(walk.exclude),
        max_file_bytes=walk.max_file_bytes,
        respect_gitignore=walk.respect_gitignore,
        languages=["python"],
    )
    found = select(list(paths), root, walk)
    report = DriftReport()
    for rel in sorted(found.files):
        path = found.files[rel]
        try:
            read = read_source_file(path, walk.max_file_bytes)
        except SkipFile:
            continue  # the coverage check reports skipped files
        parsed = parse_source(read.data, rel, "python")
        report.files += 1
        try:
            items = drift_findings(parsed, read.data, default_style)
        except (RecursionError, MemoryError, ValueError) as exc:
            report.failed.append((rel, f"{type(exc).__name__}: {exc}"))
            continue
        for item in items:
            if selected(item.code, select_codes, ignore_codes):
                report.findings.append(item)
            else:
                report.unselected += 1
    return report
