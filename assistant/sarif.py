"""SARIF 2.1.0 for ``docgen check --format sarif`` (GitHub code scanning, editors).

One run of the tool ``docgen`` whose driver lists a rule per code found; a result per
finding with its rule, level, message and location (``artifactLocation.uri`` relative to
the repository root, under ``uriBaseId`` ``%SRCROOT%``; 1-based ``startLine`` and
``startColumn``, the column counted in bytes of UTF-8 as the parser reports it, which is
SARIF's default UTF-16 count on ASCII lines). Findings silenced by ``# docgen: ignore`` are
kept with an ``inSource`` suppression (code scanning shows them as dismissed, not as
alerts). Each result carries a ``partialFingerprints`` entry built from the baseline key
(path, qualified name, code, message), so an alert follows its function when lines move.

Plain dicts: the object-model packages on PyPI for SARIF are unmaintained and pull in
serialisers, while the format needs no more than this.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
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


def _result(finding: FindingLike, level: str, rules: list[str]) -> dict[str, Any]:
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
                        "startColumn": max(1, int(finding.column)),
                    },
                },
                "logicalLocations": [{"fullyQualifiedName": finding.qualname}],
            }
        ],
        "partialFingerprints": {FINGERPRINT: _fingerprint(finding)},
    }


def to_sarif(outcome: Outcome) -> dict[str, Any]:
    """The SARIF log of ``outcome``."""
    rules = sorted(
        {f.code for f in outcome.findings} | {item.finding.code for item in outcome.ignored}
    )
    level = "error" if outcome.gate_findings else "warning"
    results = [_result(finding, level, rules) for finding in outcome.findings]
    for item in outcome.ignored:
        result = _result(item.finding, "note", rules)
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
