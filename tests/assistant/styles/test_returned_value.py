"""The Returns line of an unannotated function says what the code's return statements
show (a list, a bool...) instead of the filler "The result.", and nothing it cannot see."""

from __future__ import annotations

import pytest

from assistant.faithfulness import code_facts, make_faithful
from assistant.lexicon import ParamLexicon
from assistant.styles import render
from assistant.styles.build import build_doc_model, returned_kind
from indexer.parser import parse_source
from indexer.text import symbol_source


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("res = []\nfor s in xs:\n    res.append(s)\nreturn res", ("list", False)),
        ("if not xs:\n    return []\nreturn [x for x in xs if x]", ("list", False)),
        ("return {k: 1 for k in xs}", ("dict", False)),
        ("return (1, 2)", ("tuple", False)),
        ("return f'{xs}'", ("str", False)),
        ("if xs:\n    return True\nreturn isinstance(xs, int)", ("bool", False)),
        ("return x in xs", ("bool", False)),
        ("return not xs", ("bool", False)),
        ("return len(xs)", ("int", False)),
        ("if xs is None:\n    return None\nreturn [1]", ("list", True)),
        ("if not xs:\n    return\nreturn [1]", ("list", True)),  # a bare return is None
    ],
)
def test_the_kind_of_value_the_return_statements_show(body: str, kind: str) -> None:
    code = "def f(xs, x=None):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    assert returned_kind(code) == kind


@pytest.mark.parametrize(
    "body",
    [
        "return self._process(func)",  # a call: its value is not seen here
        "if xs:\n    return [1]",  # runs off its end (None) when xs is empty
        "for x in xs:\n    if x:\n        return True",  # None after the loop
        "if xs:\n    return []\nreturn xs",  # a list or the parameter: two kinds
        "return a == b",  # == may be overloaded (numpy, SQLAlchemy): not always a bool
        "res = []\nres = build(res)\nreturn res",  # reassigned to something unknown
        "def inner():\n    return []\nreturn inner",  # a nested function's return is not ours
        "return None",
        "len = 3\nreturn len(xs)",  # a local shadowing the builtin
    ],
)
def test_nothing_is_claimed_where_the_code_does_not_show_it(body: str) -> None:
    code = "def f(xs, a=1, b=2):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    assert returned_kind(code) is None


def test_the_rendered_returns_line_names_the_kind_not_filler() -> None:
    source = (
        b"def get_states(self, states):\n    res = []\n"
        b"    for s in states:\n        res.append(s)\n    return res\n"
    )
    parsed = parse_source(source, "m.py")
    (symbol,) = [s for s in parsed.symbols if s.name == "get_states"]
    code = symbol_source(source, symbol)
    doc = build_doc_model(symbol, "Get states.", code, "google", ParamLexicon().describe)
    assert doc.returns is not None and doc.returns.description == "A list."
    assert "The result." not in render(doc, "google")
    # and it passes the faithfulness gate unchanged (no identifier the code lacks)
    facts = code_facts(symbol, code)
    checked = make_faithful(doc, "google", "python", facts, lambda fact: "")
    assert checked.doc.returns is not None and checked.doc.returns.description == "A list."
    # an annotation still says it, as before
    source = b"def n(self) -> int:\n    return self._n\n"
    parsed = parse_source(source, "m.py")
    (symbol,) = [s for s in parsed.symbols if s.name == "n"]
    doc = build_doc_model(symbol, "N.", source.decode(), "google", ParamLexicon().describe)
    assert doc.returns is not None and doc.returns.description == "The result of type ``int``."


def test_a_boolean_or_none_reads_as_one_list() -> None:
    source = b"def has(xs, x):\n    if xs is None:\n        return None\n    return x in xs\n"
    parsed = parse_source(source, "m.py")
    (symbol,) = [s for s in parsed.symbols if s.name == "has"]
    doc = build_doc_model(
        symbol, "Check.", symbol_source(source, symbol), "google", ParamLexicon().describe
    )
    assert doc.returns is not None and doc.returns.description == "True, False or None."
