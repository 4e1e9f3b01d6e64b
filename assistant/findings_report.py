"""Findings of ``docgen check`` and what becomes of them: silenced, known, outside the change.

A finding is anything with ``code``, ``message``, ``path`` (relative to the root, ``/``
separators), ``line``, ``column`` (1-based) and ``qualname``: an
:class:`assistant.findings.Finding` (the drift checker's, and :class:`MissingDocstring`
here), read by those attribute names only. :func:`missing_findings` turns coverage's
missing docstrings into findings with code ``DG001``.

:func:`sort_out` applies, in this order, the ``# docgen: ignore`` directives (silenced
findings are counted and kept aside, never failures), the ``--changed-since`` scope and the
``--baseline``; what is left is :attr:`Outcome.findings`. :mod:`assistant.report_formats`
renders an :class:`Outcome` as JSON, Markdown, SARIF or JUnit XML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.findings import Finding

MISSING_CODE = "DG001"

RULE_TITLES = {MISSING_CODE: "Missing docstring"}
"""Short titles of the finding codes (other codes are described by their code)."""


class FindingLike(Protocol):
    """What this module reads of a finding."""

    code: str
    message: str
    path: str
    line: int
    column: int
    qualname: str


@dataclass(frozen=True)
class MissingDocstring(Finding):
    """A ``DG001`` finding, with the symbol's kind (``function``, ``class``...)."""

    kind: str = ""


def missing_findings(missing: Iterable[Any]) -> list[MissingDocstring]:
    """``DG001`` findings from coverage's missing docstrings (``indexer.coverage.Missing``)."""
    return [
        MissingDocstring(
            MISSING_CODE,
            f"{item.kind} {item.qualname} has no docstring",
            item.path,
            item.line,
            item.col,
            item.qualname,
            False,
            kind=item.kind,
        )
        for item in missing
    ]


def as_dict(finding: FindingLike) -> dict[str, Any]:
    """The JSON form of a finding."""
    return {
        "code": finding.code,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "qualname": finding.qualname,
        "fixable": bool(getattr(finding, "fixable", False)),
    }


def location(finding: FindingLike) -> str:
    """``path:line:col``."""
    return f"{finding.path}:{finding.line}:{finding.column}"


def sort_key(finding: FindingLike) -> tuple:
    """Order of findings in every report: by file, position, code."""
    return (finding.path, finding.line, finding.column, finding.code, finding.message)


@dataclass
class Ignored:
    """A silenced finding and the directive that silenced it (e.g. ``ignore (line 4)``)."""

    finding: FindingLike
    by: str


@dataclass
class Outcome:
    """The result of a check, ready to report.

    Attributes:
        findings: Findings left after suppressions, ``--changed-since`` and the baseline.
        ignored: Findings silenced by ``# docgen: ignore`` directives.
        known: How many findings the baseline holds (not failures).
        outside_change: How many findings lie outside the definitions changed since the
            ``--changed-since`` ref (not failures).
        gate_findings: Every finding in :attr:`findings` fails the check (a baseline or
            ``--changed-since`` was given, or a check that fails on its findings ran);
            else only coverage below ``fail_under`` fails it.
        coverage: Documented share in percent; with :attr:`documented`, :attr:`total`,
            :attr:`files`, :attr:`fail_under` and :attr:`coverage_passed` from coverage.
        baseline: The baseline file used, if any; ``changed_since``: the ref, if any.
        gated: Which codes fail the check when findings gate it (``--select``/``--ignore``);
            ``None``: every code.
    """

    findings: list[FindingLike] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    known: int = 0
    outside_change: int = 0
    gate_findings: bool = False
    coverage: float = 100.0
    documented: int = 0
    total: int = 0
    files: int = 0
    fail_under: float = 0.0
    coverage_passed: bool = True
    baseline: str | None = None
    changed_since: str | None = None
    gated: Callable[[str], bool] | None = None

    @property
    def passed(self) -> bool:
        """Coverage is high enough and, when findings gate, none (of the gated codes) is
        left."""
        if not self.gate_findings:
            return self.coverage_passed
        left = [f for f in self.findings if self.gated is None or self.gated(f.code)]
        return self.coverage_passed and not left

    def tally(self) -> str:
        """``3 findings, 2 ignored, 1 in the baseline``: what became of the findings."""
        parts = [f"{len(self.findings)} finding{'' if len(self.findings) == 1 else 's'}"]
        parts.append(f"{len(self.ignored)} ignored")
        if self.baseline is not None:
            parts.append(f"{self.known} in the baseline")
        if self.changed_since is not None:
            parts.append(f"{self.outside_change} outside the changes since {self.changed_since}")
        return ", ".join(parts)


Silencer = Callable[[FindingLike], "str | None"]
"""Returns the directive that silences a finding (described), or ``None``."""


def sort_out(
    findings: Iterable[FindingLike],
    silenced_by: Silencer | None = None,
    in_change: Callable[[FindingLike], bool] | None = None,
    baseline: Mapping[tuple, int] | None = None,
    key: Callable[[FindingLike], tuple] | None = None,
) -> tuple[list[FindingLike], list[Ignored], int, int]:
    """Split findings into those left, the silenced ones and the counts set aside.

    Args:
        findings: Everything the checks found (silenced ones included).
        silenced_by: See :data:`Silencer`.
        in_change: Whether a finding lies in a definition changed since the ref.
        baseline: Baseline key -> how many such findings it holds.
        key: The baseline key of a finding.

    Returns:
        The findings left, the silenced ones, how many the baseline held, how many lay
        outside the change.
    """
    left: list[FindingLike] = []
    ignored: list[Ignored] = []
    outside = known = 0
    budget = dict(baseline or {})
    for finding in sorted(findings, key=sort_key):
        by = silenced_by(finding) if silenced_by is not None else None
        if by is not None:
            ignored.append(Ignored(finding, by))
            continue
        if in_change is not None and not in_change(finding):
            outside += 1
            continue
        if key is not None and budget:
            k = key(finding)
            if budget.get(k, 0) > 0:
                budget[k] -= 1
                known += 1
                continue
        left.append(finding)
    return left, ignored, known, outside
