"""Grounded refinement: invented identifiers removed, structure only from the code."""

from __future__ import annotations

import pytest

from assistant.lexicon import ParamLexicon
from assistant.styles import render
from assistant.styles.build import build_doc_model
from assistant.summaries import (
    Vocabulary,
    choose_summary,
    is_identifier_like,
    normalize_summary,
    remove_invented,
)
from indexer.parser import parse_source
from indexer.text import symbol_source

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


def _symbols():
    parsed = parse_source(CODE.encode(), "pkg/store.py")
    return {s.qualname: s for s in parsed.symbols}, CODE.encode()


def _model(qualname: str, style: str = "google", lexicon: ParamLexicon | None = None):
    symbols, source = _symbols()
    symbol = symbols[qualname]
    lexicon = lexicon or ParamLexicon()
    return build_doc_model(
        symbol, "Do it.", symbol_source(source, symbol), style, lexicon.describe
    ), symbol


def test_invented_identifier_is_removed_and_flagged() -> None:
    vocab = Vocabulary.from_texts(["def fetch(self, key): return self.backend.get(key)"])
    text, flagged = remove_invented(
        "Fetch the record for key from self.backend via load_cache.", vocab
    )
    assert flagged == ["load_cache"]
    assert "load_cache" not in text
    assert "self.backend" in text
    text, flagged = remove_invented("Read `missing_name` and fooBar using get().", vocab)
    assert flagged == ["`missing_name`", "fooBar"]
    assert text == "Read using get()."


def test_plain_words_are_not_identifiers() -> None:
    for word in ("Return", "the", "value", "e.g.", "U.S.", "end."):
        assert not is_identifier_like(word), word
    for word in ("foo_bar", "fooBar", "a.b", "`x`", "run()", "_private"):
        assert is_identifier_like(word), word


def test_choose_summary_prefers_grounded_candidates() -> None:
    symbols, _ = _symbols()
    vocab = Vocabulary.from_texts([CODE])
    chosen = choose_summary(
        [
            ("fetch the value via frobnicate_widget", -0.05),  # most likely, but invents
            ("fetch the value for key from the backend", -0.4),
        ],
        vocab,
        symbols["Store.fetch"],
    )
    assert chosen.summary == "Fetch the value for key from the backend."
    assert chosen.flagged == []
    assert 0.0 <= chosen.confidence <= 1.0


def test_choose_summary_falls_back_to_the_name_with_low_confidence() -> None:
    symbols, _ = _symbols()
    chosen = choose_summary([("", -0.1), ("[ ]", -0.2)], Vocabulary(), symbols["numbers"])
    assert chosen.summary == "Numbers."
    assert chosen.confidence <= 0.2
    assert chosen.notes


def test_normalize_summary() -> None:
    assert (
        normalize_summary("  return the sum of a and b. Then more.") == "Return the sum of a and b."
    )
    assert normalize_summary("count items") == "Count items."


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
    symbols, source = _symbols()
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


def test_loops_are_cut_and_emphasised_names_are_checked() -> None:
    from assistant.summaries import cut_loops

    looping = "Return a list of all the given list of all the given list of all the given lists."
    assert cut_loops(looping) == "Return a list of all the given lists."
    assert cut_loops("Return the the value.") == "Return the value."
    vocab = Vocabulary.from_texts(["def f(price): return price"])
    symbols, _ = _symbols()
    chosen = choose_summary(
        [("Return a copy of the given *name* of the given *n* and *price*.", -0.3)],
        vocab,
        symbols["numbers"],
    )
    assert chosen.summary == "Return a copy of *price*."
    assert chosen.flagged == ["*name*", "*n*"]
