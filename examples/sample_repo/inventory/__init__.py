"""Inventory tracking for a small shop: items, stock levels and prices."""

from inventory.models import Item, Warehouse
from inventory.pricing import apply_discount, price_with_tax

__all__ = ["Item", "Warehouse", "apply_discount", "price_with_tax"]
