"""Data model for items and the warehouses that stock them."""

from __future__ import annotations

from dataclasses import dataclass, field


class OutOfStockError(Exception):
    """Raised when more units are requested than a warehouse holds."""


@dataclass
class Item:
    """A product that can be stocked and sold.

    Attributes:
        sku: Stock keeping unit, unique per product.
        name: Human-readable product name.
        unit_price: Price of one unit in cents.
    """

    sku: str
    name: str
    unit_price: int

    def total_price(self, quantity: int) -> int:
        """Return the price of ``quantity`` units in cents.

        Args:
            quantity: Number of units.

        Returns:
            The total price in cents.
        """
        return self.unit_price * quantity

    def display_name(self):
        return f"{self.name} ({self.sku})"


@dataclass
class Warehouse:
    """A place that holds stock of many items."""

    name: str
    stock: dict[str, int] = field(default_factory=dict)

    def add_stock(self, sku: str, quantity: int = 1) -> None:
        """Add ``quantity`` units of ``sku`` to the warehouse.

        Args:
            sku: The item's stock keeping unit.
            quantity: Number of units to add.

        Raises:
            ValueError: If quantity is negative.
        """
        if quantity < 0:
            raise ValueError("quantity must be non-negative")
        self.stock[sku] = self.stock.get(sku, 0) + quantity

    def remove_stock(self, sku: str, quantity: int = 1) -> int:
        available = self.stock.get(sku, 0)
        if quantity > available:
            raise OutOfStockError(f"only {available} units of {sku} left")
        self.stock[sku] = available - quantity
        return self.stock[sku]

    def count(self, sku: str) -> int:
        """Return how many units of ``sku`` are in stock."""
        return self.stock.get(sku, 0)

    def low_stock(self, threshold: int = 5) -> list[str]:
        return sorted(sku for sku, units in self.stock.items() if units < threshold)

    def transfer_to(self, other: Warehouse, sku: str, quantity: int) -> None:
        self.remove_stock(sku, quantity)
        other.add_stock(sku, quantity)
