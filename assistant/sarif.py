"""SARIF 2.1.0 for ``docgen check --format sarif`` (GitHub code scanning, editors).

One run of the tool ``docgen`` whose driver lists a rule per code found; a result per
finding with its rule, level, message and location (``artifactLocation.uri`` relative to
the repository root, under ``uriBaseId`` ``%SRCROOT%``; 1-based ``startLine`` and
``startColumn`` in UTF-16 code units, SARIF's default ``columnKind``: the parser counts
bytes of UTF-8, so a line with non-ASCII text before the name is read back from the root to
convert; without a root, or when the file cannot be read, the byte count is kept).
Findings silenced by ``# docgen: ignore`` are kept with an ``inSource`` suppression (code
scanning shows them as dismissed, not as alerts). Each result carries a
``partialFingerprints`` entry built from the baseline key (path, qualified name, code,
message), so an alert follows its function when lines move.

Plain dicts: the object-model packages on PyPI for SARIF are unmaintained and pull in
serialisers, while the format needs no more than this.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assistant.findings_report import RULE_TITLES, FindingLike, Outcome
from indexer.extras import DISTRIBUTION

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
FINGERPRINT = "docgenFindingKey/v1"


def _version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0"


def _rule(code: str) -> dict[str, Any]:
    title = RULE_TITLES.get(code, f"docgen {code}")
    return {
        "id": code,
        "name": "".join(word.capitalize() for word in title.split()),
        "shortDescription": {"text": title},
        "defaultConfiguration": {"level": "warning"},
    }


def _fingerprint(finding: FindingLike) -> str:
    text = "\0".join((finding.path, finding.qualname, finding.code, finding.message))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


Columns = Callable[[FindingLike], int]
"""The 1-based SARIF column of a finding."""


def utf16_columns(root: Path | None) -> Columns:
    """Columns in UTF-16 code units, converted from the parser's UTF-8 byte columns by
    reading each finding's line under ``root`` (each file read once; confined to the root:
    a path that leaves it keeps its byte column)."""
    lines: dict[str, list[bytes] | None] = {}
    base = root.resolve() if root is not None else None

    def column(finding: FindingLike) -> int:
        col = max(1, int(finding.column))
        if base is None or col == 1:
            return col
        if finding.path not in lines:
            lines[finding.path] = _lines(base, finding.path)
        text = lines[finding.path]
        line = int(finding.line)
        if text is None or not 1 <= line <= len(text):
            return col
        head = text[line - 1][: col - 1]
        if head.isascii():
            return col
        units = len(head.decode("utf-8", "replace").encode("utf-16-le")) // 2
        return units + 1

    return column


def _lines(base: Path, rel: str) -> list[bytes] | None:
    try:
        path = (base / rel).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            return None
        return path.read_bytes().splitlines()
    except (OSError, ValueError):
        return None


def _result(
    finding: FindingLike, level: str, rules: list[str], column: Columns | None = None
) -> dict[str, Any]:
    return {
        "ruleId": finding.code,
        "ruleIndex": rules.index(finding.code),
        "level": level,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": quote(finding.path, safe="/"),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {
                        "startLine": max(1, int(finding.line)),
                        "startColumn": column(finding)
                        if column is not None
                        else max(1, int(finding.column)),
                    },
                },
                "logicalLocations": [{"fullyQualifiedName": finding.qualname}],
            }
        ],
        "partialFingerprints": {FINGERPRINT: _fingerprint(finding)},
    }


def to_sarif(outcome: Outcome, root: Path | None = None) -> dict[str, Any]:
    """The SARIF log of ``outcome`` (``root``: the repository, to count columns in UTF-16
    code units; see :func:`utf16_columns`)."""
    column = utf16_columns(root)
    rules = sorted(
        {f.code for f in outcome.findings} | {item.finding.code for item in outcome.ignored}
    )
    level = "error" if outcome.gate_findings else "warning"
    results = [_result(finding, level, rules, column) for finding in outcome.findings]
    for item in outcome.ignored:
        result = _result(item.finding, "note", rules, column)
        result["suppressions"] = [{"kind": "inSource", "justification": f"docgen: {item.by}"}]
        results.append(result)
    return {
        "$schema": SCHEMA_URI,
        "version": VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "docgen",
                        "version": _version(),
                        "rules": [_rule(code) for code in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "repository root"}}},
                "results": results,
            }
        ],
    }
