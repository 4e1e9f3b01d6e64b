"""SARIF columns are UTF-16 code units (SARIF's default ``columnKind``), converted from the
parser's UTF-8 byte columns; the end-to-end check runs ``docgen check --format sarif``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from assistant.findings_report import MissingDocstring, Outcome
from assistant.sarif import to_sarif
from docgen import cli
from tests.conftest import write_tree


def _finding(path: str, line: int, column: int) -> MissingDocstring:
    return MissingDocstring("DG001", "function f has no docstring", path, line, column, "f", False)


def _column(log: dict) -> int:
    return log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"]


def test_bytes_before_the_name_become_utf16_units(tmp_path: Path) -> None:
    # before the name: 26 bytes of UTF-8, 23 UTF-16 code units (é: 2 bytes, 1 unit; the
    # clef: 4 bytes, 2 units)
    line = "/* café 𝄞 */ function total(a) { return a; }\n"
    (tmp_path / "a.js").write_text(line, encoding="utf-8")
    byte_col = len(line.split("total")[0].encode("utf-8")) + 1
    outcome = Outcome(findings=[_finding("a.js", 1, byte_col)])
    units = len(line.split("total")[0].encode("utf-16-le")) // 2
    assert _column(to_sarif(outcome, tmp_path)) == units + 1 == 24
    assert _column(to_sarif(outcome)) == byte_col == 27  # no root: the byte count is kept


def test_unreadable_or_outside_files_keep_the_byte_column(tmp_path: Path) -> None:
    outside = tmp_path / "outside.js"
    outside.write_text("/* é */ function f() {}\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link.js").symlink_to(outside)
    for path in ("missing.js", "link.js", "../outside.js"):
        assert _column(to_sarif(Outcome(findings=[_finding(path, 1, 19)]), root)) == 19


def test_check_sarif_counts_columns_in_utf16(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"shop.js": "/* ünïcode */ function total(a) {}\n"})
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "sarif"])
    log = json.loads(result.output)
    totals = [r for r in log["runs"][0]["results"] if "total" in r["message"]["text"]]
    assert totals, result.output
    region = totals[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == len("/* ünïcode */ function ") + 1
