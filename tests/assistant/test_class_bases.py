"""The base classes of a class, read from its statement alone (not its whole body)."""

from __future__ import annotations

import pytest

from assistant.passing import bases
from indexer.parser import parse_source

CASES = [
    (
        b"class A(B, mod.C, Generic[T]):\n    x = 1\n    def f(self): pass\n",
        "A",
        ["B", "mod.C", "Generic"],
    ),
    (
        b"@dataclass\n@other(1)\nclass A(\n    B,\n    metaclass=M,\n):  # note\n    '''Doc.'''\n",
        "A",
        ["B"],
    ),
    (b"class Outer:\n    class Inner(Base): pass\n", "Outer.Inner", ["Base"]),
    (b"class A: pass\n", "A", []),
    (b"class A(B):\r\n    x = 1\r\n", "A", ["B"]),
    (b"def f():\n    @deco\n    class Local(x.Y):\n        z = 1\n", "f.Local", ["x.Y"]),
]


@pytest.mark.parametrize(("source", "qualname", "expected"), CASES)
def test_bases_as_written(source: bytes, qualname: str, expected: list[str]) -> None:
    cls = next(s for s in parse_source(source, "m.py").symbols if s.qualname == qualname)
    assert bases(source, cls) == expected
