"""``docgen generate`` honours ``# docgen: ignore`` as ``docgen check`` does: a definition
whose missing docstring (DG001) or whose drift codes are silenced is left as it is."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import write_tree

SOURCE = '''"""Shop."""


def keep_out(order):  # docgen: ignore[DG001]
    return order.total


def drafted(order):
    return order.total * 2


def anything_goes(order, carrier):  # docgen: ignore
    return order


def ship(order, carrier):  # docgen: ignore[DG1]
    """Ship an order.

    Args:
        order: The order.
        courier: Who carries it.
    """
    carrier.take(order)


def cancel(order, reason):
    """Cancel an order.

    Args:
        order: The order.
        why: Why.
    """
    order.cancel(reason)
'''


def test_silenced_definitions_are_not_drafted(tmp_path: Path, generate) -> None:
    root = write_tree(tmp_path / "repo", {"shop.py": SOURCE})
    code, out, err = generate(str(root), "--format", "json")
    assert code == 0, err
    names = [json.loads(line)["qualname"] for line in out.splitlines() if line.strip()]
    assert names == ["drafted"]


def test_silenced_drift_is_not_updated(tmp_path: Path, generate) -> None:
    root = write_tree(tmp_path / "repo", {"shop.py": SOURCE})
    code, _, err = generate(str(root), "--write", "--stale-only")
    assert code == 0, err
    text = (root / "shop.py").read_text()
    assert "courier: Who carries it." in text  # silenced: DG1xx of ship
    assert "why: Why." not in text and "reason:" in text  # not silenced: cancel is updated
    assert "def keep_out(order):  # docgen: ignore[DG001]\n    return" in text


def test_ignore_file_silences_every_definition(tmp_path: Path, generate) -> None:
    body = "# docgen: ignore-file[DG001]\n" + SOURCE
    root = write_tree(tmp_path / "repo", {"shop.py": body})
    code, out, err = generate(str(root), "--format", "json")
    assert code == 0, err
    assert [line for line in out.splitlines() if line.strip()] == []
