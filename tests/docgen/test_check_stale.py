"""``docgen check --stale``/``--select``/``--ignore``: the drift gate's output and exit
codes, and ``docgen generate --stale-only --write`` fixing what it can."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import cli
from tests.conftest import write_tree

DRIFTED = '''"""Orders."""


def ship(order, carrier):
    """Ship an order.

    Args:
        order: The order.
        courier: Who carries it.
    """
    carrier.take(order)


def total(prices):
    """Add prices up.

    Args:
        prices: The prices.

    Raises:
        KeyError: Never, in fact.
    """
    return sum(prices)


def cancel(order):
    """Cancel an order.

    Args:
        order: The order.

    Returns:
        The cancelled order, it turns out.
    """
    order.cancel()
'''
CLEAN = '''"""Clean."""


def f(a):
    """F.

    Args:
        a: A.
    """
    print(a)
'''


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    root = write_tree(
        tmp_path / "repo",
        {"pyproject.toml": "[tool.docgen]\n", "app/orders.py": DRIFTED, "app/clean.py": CLEAN},
    )
    monkeypatch.chdir(root)
    return root


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_check_without_stale_ignores_drift(repo: Path) -> None:
    assert _run("check", "app").exit_code == 0


def test_stale_findings_print_with_codes_and_fail(repo: Path) -> None:
    result = _run("check", "--stale", "app")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": DG" in line]
    assert lines == [
        "app/orders.py:4:5: DG105 ship: documents `courier`, renamed `carrier` in the signature",
        "app/orders.py:14:5: DG111 total: returns a value its docstring's sections do not document",
        "app/orders.py:26:5: DG110 cancel: documents Returns, but it returns no value",
    ]
    assert "drift: 3 findings in 2 files (DG105 1, DG110 1, DG111 1); 2 fixable" in result.output
    assert _run("check", "--stale", "app/clean.py").exit_code == 0


def test_select_and_ignore_prefixes(repo: Path) -> None:
    result = _run("check", "--select", "DG11", "app")  # --select implies --stale
    assert result.exit_code == 1
    assert "DG105" not in result.output and "DG110" in result.output
    result = _run("check", "--select", "DG1", "--ignore", "DG105,DG11", "app", "-q")
    assert result.exit_code == 1 and "(DG120 1)" in result.output  # DG120 only when selected
    assert _run("check", "--stale", "--ignore", "DG1", "app").exit_code == 0
    result = _run("check", "--select", "DG001", "app")
    assert result.exit_code == 0  # everything has a docstring
    result = _run("check", "--select", "DG9", "app")
    assert result.exit_code == 2 and "unknown finding code 'DG9'" in result.output


def test_json_carries_the_findings(repo: Path) -> None:
    result = _run("check", "--stale", "--format", "json", "app")
    data = json.loads(result.output)
    assert result.exit_code == 1
    assert data["finding_counts"] == {"DG105": 1, "DG110": 1, "DG111": 1}
    assert data["findings"][0] == {
        "code": "DG105",
        "message": "ship: documents `courier`, renamed `carrier` in the signature",
        "path": "app/orders.py",
        "line": 4,
        "column": 5,
        "qualname": "ship",
        "fixable": True,
    }


def test_generate_fixes_what_it_can_and_names_the_rest(repo: Path, generate) -> None:
    code, _, err = generate("--stale-only", "--write", "app")
    assert code == 1  # an update was refused: it needs a person
    assert "app/orders.py: cancel: DG110 cannot be fixed automatically" in err
    text = (repo / "app/orders.py").read_text()
    assert "        carrier: Who carries it.\n" in text
    assert "    Returns:\n        The result.\n" in text
    assert "The cancelled order, it turns out." in text  # a person decides what is right
    after = _run("check", "--stale", "app")
    assert [line for line in after.output.splitlines() if ": DG" in line] == [
        "app/orders.py:29:5: DG110 cancel: documents Returns, but it returns no value"
    ]


def test_tool_docgen_sets_the_gate(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.docgen]\nselect = ["DG11"]\n')
    result = _run("check", "app")
    assert result.exit_code == 1
    assert "DG110" in result.output and "DG105" not in result.output
    (repo / "pyproject.toml").write_text("[tool.docgen]\nstale = true\n")
    assert "DG105" in _run("check", "app").output
