"""Drift findings: each code found where the docstring is wrong, in each style, and not
where it is right; the fixes keep the prose and leave a file that parses."""

from __future__ import annotations

import ast

import pytest

from assistant.edits import EditRefused, apply_edits
from assistant.findings import CODES, parse_codes, selected
from assistant.stale import drift_findings, find_stale, plan_stale_update
from assistant.typematch import mismatch
from indexer.parser import parse_source

# (section name) -> rendered section per style; {x} is the entry text
GOOGLE = {
    "params": "Args:\n{entries}",
    "param": "    {name}{typed}: About {bare}.",
    "returns": "Returns:\n    {type}The value.",
    "yields": "Yields:\n    The values.",
    "raises": "Raises:\n{entries}",
    "raise": "    {name}: When bad.",
    "attributes": "Attributes:\n{entries}",
    "attribute": "    {name}{typed}: About {bare}.",
}
NUMPY = {
    "params": "Parameters\n----------\n{entries}",
    "param": "{name}{typed}\n    About {bare}.",
    "returns": "Returns\n-------\n{type}\n    The value.",
    "yields": "Yields\n------\nint\n    The values.",
    "raises": "Raises\n------\n{entries}",
    "raise": "{name}\n    When bad.",
    "attributes": "Attributes\n----------\n{entries}",
    "attribute": "{name}{typed}\n    About {bare}.",
}
SPHINX = {
    "params": "{entries}",
    "param": ":param {bare}: About {bare}.{typed}",
    "returns": ":returns: The value.{type}",
    "yields": ":yields: The values.",
    "raises": "{entries}",
    "raise": ":raises {name}: When bad.",
    "attributes": "{entries}",
    "attribute": ":ivar {bare}: About {bare}.{typed}",
}
STYLES = {"google": GOOGLE, "numpy": NUMPY, "sphinx": SPHINX}


def _typed(style: str, bare: str, kind: str | None) -> str:
    if not kind:
        return ""
    if style == "google":
        return f" ({kind})"
    if style == "numpy":
        return f" : {kind}"
    return f"\n:{'vartype' if bare.startswith('@') else 'type'} {bare}: {kind}"


def docstring(
    style: str,
    params: list[tuple[str, str | None]] | None = None,
    returns: str | None = None,
    yields: bool = False,
    raises: list[str] | None = None,
    attributes: list[tuple[str, str | None]] | None = None,
) -> str:
    """A docstring in ``style`` with the given sections (in conventional order)."""
    t = STYLES[style]
    blocks = ["Do the thing.", "Hand-written prose that stays."]
    sphinx_fields = []

    def add(block: str) -> None:
        (sphinx_fields if style == "sphinx" else blocks).append(block)

    if attributes is not None:
        entries = []
        for name, kind in attributes:
            typed = _typed(style, name, kind).replace(":type", ":vartype")
            entries.append(t["attribute"].format(name=name, bare=name, typed=typed))
        add(t["attributes"].format(entries="\n".join(entries)))
    if params is not None:
        entries = []
        for name, kind in params:
            bare = name.lstrip("*")
            entries.append(t["param"].format(name=name, bare=bare, typed=_typed(style, bare, kind)))
        add(t["params"].format(entries="\n".join(entries)))
    if returns is not None:
        if style == "google":
            add(t["returns"].format(type=f"{returns}: " if returns else ""))
        elif style == "numpy":
            add(t["returns"].format(type=returns or "object"))
        else:
            add(t["returns"].format(type=f"\n:rtype: {returns}" if returns else ""))
    if yields:
        add(t["yields"])
    if raises is not None:
        add(t["raises"].format(entries="\n".join(t["raise"].format(name=n) for n in raises)))
    if sphinx_fields:
        blocks.append("\n".join(sphinx_fields))
    return "\n\n".join(blocks)


def module(signature: str, doc: str, body: str, head: str = "") -> str:
    inner = "\n".join(("    " + line) if line else "" for line in doc.split("\n"))
    body = "\n".join("    " + line for line in body.split("\n"))
    return f'{head}{signature}\n    """{inner.lstrip()}\n    """\n{body}\n'


def codes(code: str) -> list[str]:
    parsed = parse_source(code.encode(), "m.py")
    return sorted(f.code for f in drift_findings(parsed, code.encode()))


CASES = [
    # code, signature, docstring sections, body; "good" is the same symbol documented right
    ("DG101", "def f(a):", dict(params=[("a", None), ("b", None), ("c", None)]), "print(a)"),
    ("DG102", "def f(a, b, c):", dict(params=[("a", None)]), "print(a, b, c)"),
    ("DG103", "def f(a, b):", dict(params=[("b", None), ("a", None)]), "print(a, b)"),
    ("DG105", "def f(a, new):", dict(params=[("a", None), ("old", None)]), "print(a, new)"),
    ("DG110", "def f(a):", dict(params=[("a", None)], returns=""), "print(a)"),
    ("DG111", "def f(a):", dict(params=[("a", None)]), "return a"),
    ("DG112", "def f(a):", dict(params=[("a", None)], returns=""), "yield a"),
    ("DG113", "def f(a):", dict(params=[("a", None)], yields=True), "print(a)"),
    ("DG114", "def f(a):", dict(params=[("a", None)]), "yield a"),
    ("DG120", "def f(a):", dict(params=[("a", None)], raises=["KeyError"]), "print(a)"),
    (
        "DG121",
        "def f(a):",
        dict(params=[("a", None)], raises=["KeyError"]),
        "if a:\n    raise KeyError(a)\nraise ValueError('bad')",
    ),
    ("DG130", "def f(a: int):", dict(params=[("a", "str")]), "print(a)"),
    ("DG131", "def f(a) -> int:", dict(params=[("a", None)], returns="str"), "return a"),
]
GOOD = {
    "DG101": ("def f(a):", dict(params=[("a", None)]), "print(a)"),
    "DG102": ("def f(a, b, c):", dict(params=[("a", None), ("b", None), ("c", None)]), "print(a)"),
    "DG103": ("def f(a, b):", dict(params=[("a", None), ("b", None)]), "print(a, b)"),
    "DG105": ("def f(a, new):", dict(params=[("a", None), ("new", None)]), "print(a, new)"),
    "DG110": ("def f(a):", dict(params=[("a", None)], returns=""), "return a"),
    "DG111": ("def f(a):", dict(params=[("a", None)], returns=""), "return a"),
    "DG112": ("def f(a):", dict(params=[("a", None)], yields=True), "yield a"),
    "DG113": ("def f(a):", dict(params=[("a", None)], yields=True), "yield a"),
    "DG114": ("def f(a):", dict(params=[("a", None)], yields=True), "yield a"),
    "DG120": ("def f(a):", dict(params=[("a", None)], raises=["KeyError"]), "raise KeyError(a)"),
    "DG121": (
        "def f(a):",
        dict(params=[("a", None)], raises=["KeyError", "ValueError"]),
        "if a:\n    raise KeyError(a)\nraise ValueError('bad')",
    ),
    "DG130": ("def f(a: Optional[int]):", dict(params=[("a", "int | None")]), "print(a)"),
    "DG131": (
        "def f(a) -> List[str]:",
        dict(params=[("a", None)], returns="list[str]"),
        "return a",
    ),
}


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_each_code_is_found_in_each_style(style: str, case) -> None:
    code, signature, sections, body = case
    assert code in codes(module(signature, docstring(style, **sections), body))
    signature, sections, body = GOOD[code]
    assert code not in codes(module(signature, docstring(style, **sections), body))


@pytest.mark.parametrize("style", ["google", "numpy"])
def test_star_names_follow_the_style(style: str) -> None:
    bad = module("def f(*args, **kw):", docstring(style, [("args", None), ("kw", None)]), "...")
    assert codes(bad).count("DG104") == 2
    good = module("def f(*args, **kw):", docstring(style, [("*args", None), ("**kw", None)]), "...")
    assert "DG104" not in codes(good)
    sphinx = module("def f(*args):", docstring("sphinx", [("args", None)]), "...")
    assert "DG104" not in codes(sphinx)  # Sphinx documents ``*args`` as ``:param args:``


def test_rules_that_keep_findings_true() -> None:
    # a bare re-raise need not be documented; documenting the handler's type is fine
    body = "try:\n    g(a)\nexcept OSError:\n    raise"
    assert (
        codes(module("def f(a):", docstring("google", [("a", None)], raises=["OSError"]), body))
        == []
    )
    body = "try:\n    g(a)\nexcept OSError:\n    raise\nraise ValueError(a)"
    assert codes(
        module("def f(a):", docstring("google", [("a", None)], raises=["TypeError"]), body)
    ) == [
        "DG120",
        "DG121",
    ]
    # NotImplementedError, abstract methods and stubs: no Returns/Raises findings
    doc = docstring("google", [("a", None)], returns="", raises=["KeyError"])
    assert codes(module("def f(a):", doc, "raise NotImplementedError")) == []
    # a built-in base class documents its subclasses
    doc = docstring("google", [("a", None)], raises=["OSError"])
    assert codes(module("def f(a):", doc, "raise FileNotFoundError(a)")) == []
    # "Returns: None" is true of a function that returns nothing
    doc = docstring("google", [("a", None)]) + "\n\nReturns:\n    None."
    assert codes(module("def f(a):", doc, "print(a)")) == []
    # a one-line docstring claims nothing
    assert codes('def f(a, b):\n    """Add."""\n    return a + b\n') == []
    # a docstring that hands its parameters to another one
    doc = "Same as :meth:`g`, with ``b``.\n\n:param b: The b."
    assert codes(module("def f(a, b):", doc, "return g(a) + b")) == []
    # a TypeVar annotation is not contradicted by its bound
    code = "T = TypeVar('T', bound=int)\n" + module(
        "def f(a: T):", docstring("google", [("a", "int")]), "print(a)"
    )
    assert codes(code) == []
    # context managers yield what they manage
    doc = docstring("google", [("a", None)], returns="")
    assert codes(module("@contextmanager\ndef f(a):", doc, "yield a")) == []


def test_types_are_compared_after_normalising() -> None:
    assert not mismatch("int, optional", "Optional[int]")
    assert not mismatch("List[str]", "list[str]")
    assert not mismatch("str or None", "Union[str, None]")
    assert not mismatch("list", "list[str]")
    assert not mismatch("list of str", "list[int]")  # prose is not compared
    assert not mismatch("float", "int")
    assert mismatch("str", "int")
    assert mismatch("list[int]", "List[str]")


def test_selection_is_ruff_style() -> None:
    assert selected("DG101", [], []) and not selected("DG120", [], [])
    assert not selected("DG001", [], []) and selected("DG001", ["DG0"], [])
    assert selected("DG120", ["DG1"], []) and not selected("DG201", ["DG1"], [])
    assert not selected("DG101", ["DG1"], ["DG101"]) and selected("DG101", ["DG101"], ["DG1"])
    assert not selected("DG101", [], ["DG1"]) and selected("DG202", ["ALL"], ["DG1"])
    assert parse_codes(("dg1,DG201", "DG202")) == ["DG1", "DG201", "DG202"]
    with pytest.raises(ValueError, match="unknown finding code"):
        parse_codes("DG9")
    assert all(code.startswith("DG") and len(code) == 5 for code in CODES)


def _fix(code: str) -> str:
    source = code.encode()
    parsed = parse_source(source, "m.py")
    (finding,) = find_stale(parsed, "google", source)
    symbol = next(s for s in parsed.symbols if s.qualname == finding.qualname)
    edit, _ = plan_stale_update(source, symbol, finding, lambda p: f"About {p.name}.")
    fixed = apply_edits(source, [edit]).decode()
    ast.parse(fixed)
    assert "Hand-written prose that stays." in fixed
    return fixed


FIXABLE = [c for c in CASES if CODES[c[0]][1]]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("case", FIXABLE, ids=[c[0] for c in FIXABLE])
def test_fixable_codes_are_fixed_keeping_the_prose(style: str, case) -> None:
    code, signature, sections, body = case
    fixed = _fix(module(signature, docstring(style, **sections), body))
    assert code not in codes(fixed), fixed
    assert [c for c in codes(fixed) if CODES[c][1]] == []


def test_fixes_write_what_the_code_says() -> None:
    fixed = _fix(module("def f(a: int, b):", docstring("google", [("a", "str")]), "return b"))
    assert "a (int): About a." in fixed and "b: About b." in fixed
    assert "Returns:\n        The result." in fixed
    body = "if a < 0:\n    raise KeyError(a)\nraise ValueError('bad value')"
    fixed = _fix(module("def f(a):", docstring("numpy", [("a", None)], raises=["TypeError"]), body))
    assert "KeyError\n        If ``a < 0``." in fixed and "ValueError\n        Bad value." in fixed
    assert "TypeError\n        When bad." in fixed  # DG120 is not fixed: it may be a callee's


def test_unfixable_findings_are_refused_with_their_codes() -> None:
    source = module(
        "def f(a):", docstring("sphinx", [("a", None)], returns=""), "print(a)"
    ).encode()
    parsed = parse_source(source, "m.py")
    (finding,) = find_stale(parsed, "google", source)
    assert "not fixed automatically: DG110" in finding.message
    with pytest.raises(EditRefused, match="DG110 cannot be fixed automatically"):
        plan_stale_update(source, parsed.symbols[-1], finding, lambda p: "")
