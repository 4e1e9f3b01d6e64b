"""A sentence written for one kind of symbol, or for the code a test tests, is false of the
other: never borrowed, and refused by the faithfulness check (the cases are colorama's,
drafted at the default floor before these rules)."""

from __future__ import annotations

import pytest

from assistant.borrowing import crosses_tests, is_test, speaks_of_another_kind
from assistant.faithfulness import check_model, code_facts, make_faithful, neutral_description
from assistant.styles import DocModel
from assistant.summaries import Vocabulary, candidate_pool
from indexer.parser import parse_source
from indexer.symbols import Span, Symbol
from indexer.text import symbol_source

ZERO = Span(0, 0, 0, 0, 0, 0)
MODULE_SENTENCE = "This module generates ANSI character codes to printing colors to terminals."


def _symbol(qualname: str, kind: str) -> Symbol:
    return Symbol("colorama/ansi.py", "python", qualname, qualname.rpartition(".")[2], kind, ZERO)


@pytest.mark.parametrize(
    ("text", "kind", "word"),
    [
        (MODULE_SENTENCE, "class", "module"),
        (MODULE_SENTENCE, "function", "module"),
        (MODULE_SENTENCE, "module", None),
        ("This class holds the cursor codes.", "function", "class"),
        ("This class holds the cursor codes.", "method", "class"),
        ("This class holds the cursor codes.", "class", None),
        ("This function returns the code.", "class", "function"),
        ("This function returns the code.", "method", None),
        ("This method returns the code.", "function", None),
        ("Fix the console. This script must run first.", "function", "script"),
        ("Note: this module is deprecated.", "class", "module"),
        # not the sentence's subject: about the owner or the file, true of a member
        ("Return the name of this class.", "method", None),
        ("Return the logger of this module.", "function", None),
        # words several kinds can be are not read
        ("This decorator caches the result.", "class", None),
        ("This object wraps a stream.", "function", None),
        ("This classes the input.", "function", None),
        # a modifier, a possessive: not the subject's kind (the dataset's own summaries)
        ("This class method should be overridden by the subclasses.", "method", None),
        ("This module's data layout specification, as a string.", "method", None),
        ("This module-level helper reads the file.", "class", None),
    ],
)
def test_a_sentence_naming_its_subjects_kind(text: str, kind: str, word: str | None) -> None:
    assert speaks_of_another_kind(text, kind) == word


def test_a_constructor_may_speak_of_its_class() -> None:
    text = "This class loads the signer library."
    assert speaks_of_another_kind(text, "method", "__init__") is None
    assert speaks_of_another_kind(text, "method", "load") == "class"


@pytest.mark.parametrize(
    ("name", "test"),
    [
        ("test_write", True),
        ("testWrite", True),
        ("test", False),  # a predicate as often as a test (altair's expr.test)
        ("write_test", True),
        ("TestAnsi", True),
        ("AnsiToWin32Test", True),
        ("AnsiTests", True),
        ("WinTermTestCase", True),
        ("AnsiToWin32", False),
        ("testify", False),
        ("contest", False),
        ("Testament", False),
        ("LATEST", False),
        ("attest", False),
    ],
)
def test_test_names(name: str, test: bool) -> None:
    assert is_test(name) is test


def test_a_test_and_the_code_it_tests_lend_each_other_nothing() -> None:
    assert crosses_tests("AnsiToWin32Test", "AnsiToWin32")
    assert crosses_tests("write", "test_write")
    assert not crosses_tests("test_read", "test_write")
    assert not crosses_tests("write", "read")


def test_such_neighbours_are_no_candidates() -> None:
    similar = [
        ("ansi", MODULE_SENTENCE, "colorama.ansi"),
        ("AnsiToWin32", "Implements a 'write()' method that strips ANSI codes.", "AnsiToWin32"),
        ("AnsiBack", "Background colour codes of the terminal.", "AnsiBack"),
    ]
    pool = candidate_pool([], Vocabulary(), _symbol("AnsiFore", "class"), similar)
    assert [c.detail for c, _, _ in pool if c.source == "neighbour"] == [
        "AnsiToWin32",
        "AnsiBack",
    ]
    pool = candidate_pool([], Vocabulary(), _symbol("AnsiToWin32Test", "class"), similar)
    assert [c.detail for c, _, _ in pool if c.source == "neighbour"] == []


def test_the_faithfulness_check_refuses_another_kinds_sentence() -> None:
    """Whoever wrote it (the model too): the summary becomes the name's sentence."""
    code = "class AnsiFore:\n    BLACK = 30\n    RED = 31\n"
    symbol = next(s for s in parse_source(code.encode(), "a.py", "python").symbols)
    facts = code_facts(symbol, symbol_source(code.encode(), symbol))
    doc = DocModel(summary=MODULE_SENTENCE, symbol_name="AnsiFore", kind="class")
    assert [(v.rule, v.where) for v in check_model(doc, facts, False)] == [("kind", "summary")]
    for style in ("google", "numpy", "sphinx", "pep257"):
        out = make_faithful(doc, style, "python", facts, neutral_description)
        assert "module" not in out.text and out.fixes
    same = DocModel(summary="This class holds the codes.", symbol_name="AnsiFore", kind="class")
    assert check_model(same, facts, False) == []
    assert make_faithful(same, "google", "python", facts, neutral_description).fixes == []
