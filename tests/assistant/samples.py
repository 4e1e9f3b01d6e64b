"""Source shared by the summary and doc-model tests: a class and functions with every kind of
parameter, a raise, a property, a generator and a function returning None."""

from __future__ import annotations

from indexer.parser import parse_source

CODE = '''
import os


class Store:
    """Keeps records."""

    def fetch(self, key: str, *, default=None, **options) -> dict:
        if not key:
            raise KeyError("key must not be empty")
        return self.backend.get(key, default)

    @staticmethod
    def build(path, /, mode="r", *extra):
        if mode not in ("r", "w"):
            raise ValueError(mode)
        return os.open(path, mode)

    @property
    def size(self) -> int:
        return len(self.backend)

    def __init__(self, backend):
        self.backend = backend


def numbers(limit: int):
    n = 0
    while n < limit:
        yield n
        n += 1


def nothing(x) -> None:
    print(x)
'''


def symbols_of_code():
    """The symbols of :data:`CODE` by qualname, and its bytes."""
    parsed = parse_source(CODE.encode(), "pkg/store.py")
    return {s.qualname: s for s in parsed.symbols}, CODE.encode()
