"""The MCP ``check`` tool's drift findings honour ``# docgen: ignore`` as ``docgen check`` does
(the service in-process: no model is loaded for a check)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("mcp")

from assistant.mcp_server.service import DocService  # noqa: E402
from tests.conftest import write_tree  # noqa: E402

DRIFTED = '''"""Orders."""


def ship(order, carrier):  # docgen: ignore[DG105]
    """Ship an order.

    Args:
        order: The order.
        courier: Who carries it.

    Returns:
        The receipt.
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


def test_silenced_drift_is_left_out(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"orders.py": DRIFTED})
    found = DocService(root).check(select=["DG1"])["findings"]
    by_symbol = {(f["qualname"], f["code"]) for f in found}
    assert ("cancel", "DG105") in by_symbol
    assert ("ship", "DG105") not in by_symbol  # silenced by its directive
    assert any(name == "ship" for name, _ in by_symbol)  # not silenced: only DG105 was
    assert all(f["path"] == "orders.py" for f in found)
    assert DocService(root).check()["findings"] == []  # no drift unless asked; all documented
