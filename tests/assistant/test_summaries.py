"""Summary refinement: invented identifiers removed, loops cut, grounded candidates chosen."""

from __future__ import annotations

from assistant.summaries import (
    Vocabulary,
    choose_summary,
    is_identifier_like,
    normalize_summary,
    remove_invented,
)
from tests.assistant.samples import CODE, symbols_of_code


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
    symbols, _ = symbols_of_code()
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
    symbols, _ = symbols_of_code()
    chosen = choose_summary([("", -0.1), ("[ ]", -0.2)], Vocabulary(), symbols["numbers"])
    assert chosen.summary == "Numbers."
    assert chosen.confidence <= 0.2
    assert chosen.notes


def test_normalize_summary() -> None:
    assert (
        normalize_summary("  return the sum of a and b. Then more.") == "Return the sum of a and b."
    )
    assert normalize_summary("count items") == "Count items."


def test_loops_are_cut_and_emphasised_names_are_checked() -> None:
    from assistant.summaries import cut_loops

    looping = "Return a list of all the given list of all the given list of all the given lists."
    assert cut_loops(looping) == "Return a list of all the given lists."
    assert cut_loops("Return the the value.") == "Return the value."
    vocab = Vocabulary.from_texts(["def f(price): return price"])
    symbols, _ = symbols_of_code()
    chosen = choose_summary(
        [("Return a copy of *price* and the given *name* and *n*.", -0.3)],
        vocab,
        symbols["numbers"],
    )
    assert chosen.summary == "Return a copy of *price*."
    assert chosen.flagged == ["*name*", "*n*"]


def test_a_sentence_left_without_an_object_is_no_summary() -> None:
    """Removing an invented identifier right after a preposition or "like" inside the
    sentence leaves nothing true ("Like for the given signature spec."; before, "a copy of
    the given *name* of ... *price*" became "a copy of *price*"); at its end the dangling
    word is trimmed and the rest stays."""
    vocab = Vocabulary.from_texts(["def check_arity(n, sig): return sig", "def f(price): pass"])
    assert remove_invented("Like ``is_valid_args`` for the given signature spec.", vocab) == (
        "",
        ["``is_valid_args``"],
    )
    text, _ = remove_invented("Return a copy of the given *name* of the given *price*.", vocab)
    assert text == ""
    text, _ = remove_invented("Check the signature spec against is_valid_args.", vocab)
    assert text == "Check the signature spec."
    text, _ = remove_invented("Register sig so :meth:`~Glommer.glom()` will know it.", vocab)
    assert text == ""  # the clause lost its subject


def test_tidy_keeps_a_balanced_parenthesis_of_several_words() -> None:
    from assistant.summaries import tidy

    # each word alone is unbalanced; together they close: the human's aside stays
    assert tidy("Return the timeout (in seconds) of the pool.") == (
        "Return the timeout (in seconds) of the pool."
    )
    assert tidy("Wait (see [the docs] for details).") == "Wait (see [the docs] for details)."
    assert normalize_summary("sleep (in milliseconds") == "Sleep in milliseconds."
    assert tidy("Close the pool) now ( ] .") == "Close the pool now"
