"""Prices, taxes and discounts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from inventory.models import Item

DEFAULT_TAX_RATE = 0.2


def price_with_tax(price: int, rate: float = DEFAULT_TAX_RATE) -> int:
    """Return ``price`` with tax added, rounded to the nearest cent.

    Args:
        price: Net price in cents.
        rate: Tax rate as a fraction.

    Returns:
        The gross price in cents.
    """
    return round(price * (1 + rate))


def apply_discount(price: int, percent: float) -> int:
    """Return the price after a discount.

    Args:
        price: Price in cents.
        discount: Discount in percent.

    Returns:
        The discounted price in cents.
    """
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    return round(price * (100 - percent) / 100)


def cart_total(items: Iterable[tuple[Item, int]], rate: float = DEFAULT_TAX_RATE) -> int:
    net = sum(item.total_price(quantity) for item, quantity in items)
    return price_with_tax(net, rate)


def cheapest_items(items: list[Item], limit: int = 3) -> list[Item]:
    return sorted(items, key=lambda item: item.unit_price)[:limit]


def iter_price_changes(old: dict[str, int], new: dict[str, int]) -> Iterator[tuple[str, int]]:
    for sku, price in new.items():
        if sku in old and old[sku] != price:
            yield sku, price - old[sku]
