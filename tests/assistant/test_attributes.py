"""Class attributes: drafted into an Attributes section in each style, and checked
(DG201 documented but gone, DG202 public but undocumented) on dataclasses, attrs-style
and plain classes, by reading the code (never importing it)."""

from __future__ import annotations

import ast

import pytest

from assistant.codefacts import class_facts
from assistant.edits import apply_edits
from assistant.stale import drift_findings, find_stale, plan_stale_update
from assistant.styles import render
from assistant.styles.build import build_doc_model
from indexer.parser import parse_source

DATACLASS = """@dataclass
class Point:
    x: int
    y: "float" = 0.0
    _cache: dict = field(default_factory=dict)
    ORIGIN: ClassVar[str] = "o"
"""
ATTRS = """@attr.s
class Point:
    x = attr.ib()
    y = attr.ib(default=0)
    _z = attr.ib()
"""
DEFINE = """@define
class Point:
    x: int
    y: int = 0
"""
PLAIN = """class Point:
    kind = "point"

    def __init__(self, x: int, y=0):
        self.x = x
        self.y: float = y
        self._hidden = None

    def move(self):
        self.moved = True
"""


@pytest.mark.parametrize(
    "code, names",
    [
        (DATACLASS, ["x", "y", "ORIGIN"]),
        (ATTRS, ["x", "y"]),
        (DEFINE, ["x", "y"]),
        (PLAIN, ["x", "y"]),
    ],
)
def test_public_attributes_are_read_from_the_code(code: str, names: list[str]) -> None:
    facts = class_facts(code)
    assert [a.name for a in facts.public] == names


def _class(code: str):
    parsed = parse_source(code.encode(), "m.py")
    return next(s for s in parsed.symbols if s.kind == "class")


def test_drafts_render_attributes_in_each_style() -> None:
    symbol = _class(PLAIN)
    rendered = {
        style: render(build_doc_model(symbol, "A point.", PLAIN, style, lambda p: ""), style)
        for style in ("google", "numpy", "sphinx")
    }
    assert rendered["google"] == (
        "A point.\n\nAttributes:\n    x: The ``x`` attribute.\n    y (float): The ``y`` attribute."
    )
    assert rendered["numpy"] == (
        "A point.\n\nAttributes\n----------\nx\n    The ``x`` attribute.\ny : float"
    )
    assert rendered["sphinx"] == (
        "A point.\n\n:ivar x: The ``x`` attribute.\n:ivar y: The ``y`` attribute.\n"
        ":vartype y: float"
    )
    # the description never says more than the code: no invented facts
    assert "coordinate" not in " ".join(rendered.values())


def _with_doc(code: str, doc: str) -> str:
    head, rest = code.split(":\n", 1)
    inner = "\n".join(("    " + line) if line else "" for line in doc.split("\n"))
    return f'{head}:\n    """{inner.lstrip()}\n    """\n\n{rest}'


DOCS = {
    "google": "A point.\n\nAttributes:\n    x (int): Across.\n    gone: Removed long ago.",
    "numpy": "A point.\n\nAttributes\n----------\nx : int\n    Across.\ngone : str\n    Removed.",
    "sphinx": "A point.\n\n:ivar x: Across.\n:vartype x: int\n:ivar gone: Removed.",
}


@pytest.mark.parametrize("style", DOCS)
@pytest.mark.parametrize("code", [DATACLASS, ATTRS, PLAIN], ids=["dataclass", "attrs", "plain"])
def test_attribute_drift_is_found_and_fixed(style: str, code: str) -> None:
    source = _with_doc(code, DOCS[style]).encode()
    parsed = parse_source(source, "m.py")
    found = sorted((f.code, f.message.split(": ", 1)[1]) for f in drift_findings(parsed, source))
    assert ("DG201", "documents attribute `gone`, which the class does not define") in found
    assert ("DG202", "attribute `y` is not in the Attributes section") in found
    (finding,) = find_stale(parsed, "google", source)
    symbol = next(s for s in parsed.symbols if s.kind == "class")
    edit, _ = plan_stale_update(source, symbol, finding, lambda p: "")
    fixed = apply_edits(source, [edit]).decode()
    ast.parse(fixed)
    assert "Across." in fixed and "gone" not in fixed
    assert "``y`` attribute" in fixed or "    y : float\n" in fixed  # NumPy: the type says it
    assert drift_findings(parse_source(fixed.encode(), "m.py"), fixed.encode()) == []


def test_attributes_are_checked_only_under_an_attributes_section() -> None:
    source = _with_doc(PLAIN, "A point.\n\nArgs:\n    x: Across.").encode()
    assert drift_findings(parse_source(source, "m.py"), source) == []


def test_an_attribute_of_a_base_class_elsewhere_is_not_called_gone() -> None:
    code = _with_doc("class Child(Base):\n    z: int\n", DOCS["google"].replace("gone", "z"))
    source = code.encode()
    codes = [f.code for f in drift_findings(parse_source(source, "m.py"), source)]
    assert "DG201" not in codes
    local = "class Base:\n    def __init__(self):\n        self.gone = 1\n\n\n" + _with_doc(
        "class Child(Base):\n    x: int\n", DOCS["google"]
    )
    assert drift_findings(parse_source(local.encode(), "m.py"), local.encode()) == []
