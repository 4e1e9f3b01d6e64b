"""Text reports about stock levels."""

from __future__ import annotations

from inventory.models import Warehouse


def format_stock_report(warehouse: Warehouse) -> str:
    lines = [f"Stock report for {warehouse.name}"]
    for sku in sorted(warehouse.stock):
        lines.append(f"{sku}: {warehouse.count(sku)}")
    return "\n".join(lines)


def merge_warehouses(first: Warehouse, second: Warehouse, name: str) -> Warehouse:
    """Combine the stock of two warehouses into a new one.

    Args:
        first: The first warehouse.
        second: The second warehouse.
        name: Name of the merged warehouse.

    Returns:
        A new warehouse holding the stock of both.
    """
    merged = Warehouse(name)
    for source in (first, second):
        for sku, units in source.stock.items():
            merged.add_stock(sku, units)
    return merged


def restock_plan(warehouse: Warehouse, target: int = 10) -> dict[str, int]:
    return {sku: target - warehouse.count(sku) for sku in warehouse.low_stock(target)}
