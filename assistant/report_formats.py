"""``docgen check --format json|markdown|junit|sarif``: one :class:`Outcome`, four readers.

- JSON: the coverage summary plus ``findings`` and ``ignored`` (fields may be added, never
  removed or renamed).
- Markdown: a summary line, a table per file (findings by code) with totals, then every
  finding; for pull-request comments and documentation sites.
- JUnit XML: one test case per finding (a failure when findings fail the check, else
  skipped), one per silenced finding (skipped) and one for the coverage threshold
  (baselined findings are only counted, in the JSON and Markdown reports); for CI
  systems that show test reports.
- SARIF 2.1.0: see :mod:`assistant.sarif`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from assistant.findings_report import Outcome, as_dict, location
from assistant.sarif import to_sarif

FORMATS = ("text", "json", "markdown", "sarif", "junit")


def render(
    outcome: Outcome,
    output_format: str,
    summary: dict[str, Any],
    show_ignored: bool = False,
    root: Path | None = None,
) -> str:
    """The report in ``output_format`` (not ``text``, which the CLI prints line by line).

    Args:
        outcome: The check's result.
        output_format: ``json``, ``markdown``, ``sarif`` or ``junit``.
        summary: The coverage report's JSON form (``CoverageReport.to_dict()``).
        show_ignored: Markdown also lists the silenced findings (the other formats always
            carry them).
        root: The repository root (SARIF reads lines there to count columns in UTF-16).
    """
    if output_format == "json":
        return to_json(outcome, summary)
    if output_format == "markdown":
        return to_markdown(outcome, show_ignored)
    if output_format == "sarif":
        return json.dumps(to_sarif(outcome, root), indent=2)
    if output_format == "junit":
        return to_junit(outcome)
    raise ValueError(f"unknown format {output_format!r}")


def to_json(outcome: Outcome, summary: dict[str, Any]) -> str:
    """The coverage summary with the findings, the silenced ones and the verdict."""
    data = dict(summary)
    data["passed"] = outcome.passed
    data["findings"] = [as_dict(finding) for finding in outcome.findings]
    counts: dict[str, int] = {}
    for finding in outcome.findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    data["finding_counts"] = dict(sorted(counts.items()))
    data["ignored"] = [dict(as_dict(item.finding), by=item.by) for item in outcome.ignored]
    if outcome.baseline is not None:
        data["baseline"] = {"file": outcome.baseline, "known": outcome.known}
    if outcome.changed_since is not None:
        data["changed_since"] = {
            "ref": outcome.changed_since,
            "outside": outcome.outside_change,
        }
    return json.dumps(data, indent=2)


def summary_line(outcome: Outcome) -> str:
    """``docstring coverage 75.0% (3/4) in 2 files; fail-under 80: FAILED``."""
    verdict = "PASSED" if outcome.passed else "FAILED"
    return (
        f"docstring coverage {outcome.coverage:.1f}% ({outcome.documented}/{outcome.total}) "
        f"in {outcome.files} files; fail-under {outcome.fail_under:g}: {verdict}"
    )


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{_cell(text)}{pad}{fence}"


def to_markdown(outcome: Outcome, show_ignored: bool = False) -> str:
    """A Markdown report: summary, per-file table with totals, the findings."""
    lines = ["## docgen check", ""]
    verdict = "**PASSED**" if outcome.passed else "**FAILED**"
    lines.append(
        f"Docstring coverage **{outcome.coverage:.1f}%** ({outcome.documented} of "
        f"{outcome.total} documented) in {outcome.files} files; fail-under "
        f"{outcome.fail_under:g}: {verdict}. {outcome.tally()}."
    )
    lines.append("")
    per_file: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in outcome.findings:
        per_file[finding.path][finding.code] += 1
    ignored_per_file: Counter[str] = Counter(item.finding.path for item in outcome.ignored)
    if per_file or ignored_per_file:
        codes = sorted({code for counter in per_file.values() for code in counter})
        lines.append("| file | " + " | ".join(codes + ["findings", "ignored"]) + " |")
        lines.append("|---|" + "---:|" * (len(codes) + 2))
        for path in sorted(set(per_file) | set(ignored_per_file)):
            counter = per_file.get(path, Counter())
            cells = [str(counter.get(code, 0)) for code in codes]
            cells += [str(sum(counter.values())), str(ignored_per_file.get(path, 0))]
            lines.append(f"| {_code(path)} | " + " | ".join(cells) + " |")
        totals = [str(sum(c.get(code, 0) for c in per_file.values())) for code in codes]
        totals += [str(len(outcome.findings)), str(len(outcome.ignored))]
        lines.append("| **total** | " + " | ".join(f"**{t}**" for t in totals) + " |")
        lines.append("")
    if outcome.findings:
        lines += ["| location | code | message |", "|---|---|---|"]
        for finding in outcome.findings:
            lines.append(
                f"| {_code(location(finding))} | {finding.code} | {_cell(finding.message)} |"
            )
        lines.append("")
    if show_ignored and outcome.ignored:
        lines += ["Ignored:", "", "| location | code | message | by |", "|---|---|---|---|"]
        for item in outcome.ignored:
            finding = item.finding
            lines.append(
                f"| {_code(location(finding))} | {finding.code} | {_cell(finding.message)} "
                f"| {_cell(item.by)} |"
            )
        lines.append("")
    return "\n".join(lines)


def to_junit(outcome: Outcome) -> str:
    """JUnit XML: a test case per finding and one for the coverage threshold."""
    suite = ET.Element("testsuite", name="docgen check")
    failures = skipped = 0
    coverage = ET.SubElement(
        suite, "testcase", classname="docgen.coverage", name=f"fail-under {outcome.fail_under:g}"
    )
    if not outcome.coverage_passed:
        failures += 1
        ET.SubElement(
            coverage,
            "failure",
            message=f"coverage {outcome.coverage:.1f}% is below {outcome.fail_under:g}",
            type="coverage",
        )
    for finding in outcome.findings:
        case = _case(suite, finding)
        if outcome.gate_findings:
            failures += 1
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
            failure.text = f"{location(finding)} {finding.code} {finding.message}"
        else:
            skipped += 1
            ET.SubElement(case, "skipped", message=f"reported, not gating: {finding.message}")
    for item in outcome.ignored:
        skipped += 1
        ET.SubElement(_case(suite, item.finding), "skipped", message=f"docgen: {item.by}")
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    root = ET.Element("testsuites", name="docgen")
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, suite.get(name, "0"))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _case(suite: ET.Element, finding) -> ET.Element:
    return ET.SubElement(
        suite,
        "testcase",
        classname=finding.path,
        name=f"{finding.code} {finding.qualname} (line {finding.line})",
        file=finding.path,
        line=str(finding.line),
    )
