"""Building the doc model: parameters, returns, yields and raises only from the code."""

from __future__ import annotations

import pytest

from assistant.lexicon import ParamLexicon
from assistant.styles import render
from assistant.styles.build import build_doc_model
from indexer.parser import parse_source
from indexer.text import symbol_source
from tests.assistant.samples import symbols_of_code


def _model(qualname: str, style: str = "google", lexicon: ParamLexicon | None = None):
    symbols, source = symbols_of_code()
    symbol = symbols[qualname]
    lexicon = lexicon or ParamLexicon()
    return build_doc_model(
        symbol, "Do it.", symbol_source(source, symbol), style, lexicon.describe
    ), symbol


def test_parameters_come_only_from_the_signature() -> None:
    doc, _ = _model("Store.fetch")
    assert [p.name for p in doc.params] == ["key", "default", "**options"]
    doc, _ = _model("Store.build")
    assert [p.name for p in doc.params] == ["path", "mode", "*extra"]  # static: no self
    doc, _ = _model("Store.__init__")
    assert [p.name for p in doc.params] == ["backend"]
    assert doc.returns is None


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx", "pep257"])
def test_a_parameter_is_never_invented_even_when_the_summary_names_one(style: str) -> None:
    symbols, source = symbols_of_code()
    symbol = symbols["Store.fetch"]
    summary = "Fetch key using the timeout parameter."
    doc = build_doc_model(
        symbol, summary, symbol_source(source, symbol), style, ParamLexicon().describe
    )
    text = render(doc, style)
    assert "timeout" not in [p.name for p in doc.params]
    from assistant.styles import find_params

    block = find_params(text, style)
    assert block is not None
    assert [e.bare_name for e in block.entries] == ["key", "default", "options"]


def test_returns_yields_raises_from_the_code() -> None:
    doc, _ = _model("Store.fetch")
    assert doc.returns is not None and doc.yields is None
    assert [(r.name, r.description) for r in doc.raises] == [("KeyError", "If ``not key``.")]
    doc, _ = _model("Store.build")
    assert [r.name for r in doc.raises] == ["ValueError"]
    doc, _ = _model("numbers", "numpy")
    assert doc.returns is None and doc.yields is not None
    doc, _ = _model("nothing")
    assert doc.returns is None and doc.params[0].name == "x"


def test_properties_get_only_a_summary() -> None:
    doc, _ = _model("Store.size")
    assert doc.params == [] and doc.returns is None


def test_types_follow_the_style() -> None:
    doc, _ = _model("Store.fetch", "google")
    assert doc.params[0].type is None  # annotated: Google does not repeat it
    doc, _ = _model("Store.fetch", "numpy")
    assert doc.params[0].type == "str" and doc.returns is not None and doc.returns.type == "dict"


def test_parameter_descriptions_reuse_the_repository_prose() -> None:
    lexicon = ParamLexicon()
    lexicon.add_docstring("Get it.\n\nArgs:\n    key: The record's unique key.\n")
    doc, _ = _model("Store.fetch", lexicon=lexicon)
    assert doc.params[0].description == "The record's unique key."
    assert doc.params[1].description.startswith("Default.")  # made from the name


def test_rust_receivers_are_not_parameters() -> None:
    code = b"struct C;\nimpl C {\n    pub fn area(&self, k: f64) -> f64 { k }\n}\n"
    parsed = parse_source(code, "c.rs", "rust")
    symbol = next(s for s in parsed.symbols if s.name == "area")
    doc = build_doc_model(symbol, "Area.", "", "rustdoc", ParamLexicon().describe)
    assert [p.name for p in doc.params] == ["k"]
    assert "`k`" in render(doc, "rustdoc", "rust") and "self" not in render(doc, "rustdoc")


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_the_returns_line_never_restates_the_summary(style: str) -> None:
    """A summary borrowed from a neighbour can be wrong ("Get the first element..." for a
    method that returns a lazy spec); restating it as the Returns line made a second false
    claim (docs/audit.md). The value's description comes from the code only."""
    symbols, source = symbols_of_code()
    symbol = symbols["Store.fetch"]
    summary = "Get the first element of an iterable which matches key."
    doc = build_doc_model(
        symbol, summary, symbol_source(source, symbol), style, ParamLexicon().describe
    )
    assert doc.returns is not None
    assert "first element" not in doc.returns.description
    assert "first element" not in render(doc, style).split("\n", 1)[1]


def test_a_borrowed_line_without_a_full_stop_gets_one_before_its_default() -> None:
    """transitions' ``prepare`` line ends without a full stop: "... when the trigger is
    activated Defaults to ``None``." read as one sentence."""
    symbols, source = symbols_of_code()
    symbol = symbols["Store.fetch"]

    def describe(param) -> str:
        return "Value returned when the key is missing" if param.name == "default" else ""

    doc = build_doc_model(symbol, "Do it.", symbol_source(source, symbol), "google", describe)
    line = next(p.description for p in doc.params if p.name == "default")
    assert line.startswith("Value returned when the key is missing. Defaults to ``")
