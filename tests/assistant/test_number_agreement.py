"""Adaptation keeps number agreement when a neighbour's name differs from ours in number
(``add_substate`` -> ``add_substates``): articles, "single", class names, parameters."""

from __future__ import annotations

from assistant.ranker import adapt_summary
from assistant.summaries import Vocabulary, candidate_pool, split_identifier
from indexer.symbols import Parameter, Span, Symbol


def _pair(one: str, many: str) -> tuple[list[str], list[str]]:
    return split_identifier(one), split_identifier(many)


def test_an_article_before_modifiers_goes_when_the_noun_becomes_plural() -> None:
    one, many = _pair("add_dict_entry", "add_dict_entries")
    assert adapt_summary("Update the dictionary with a new private entry.", one, many) == (
        "Update the dictionary with new private entries."
    )
    # a preposition ends the noun phrase: that article belongs to another noun
    assert adapt_summary("Add a list of entry.", one, many) == "Add a list of entries."


def test_single_goes_when_the_noun_becomes_plural() -> None:
    one, many = _pair("call_tool", "call_tools")
    assert adapt_summary("Call a single tool on the server.", one, many) == (
        "Call tools on the server."
    )


def test_a_class_name_is_not_pluralised_its_noun_is() -> None:
    one, many = _pair("get_state", "get_states")
    assert adapt_summary("Return the State instance with the passed name.", one, many) == (
        "Return the State instances with the passed name."
    )
    one, many = _pair("get_revision", "get_revisions")
    assert adapt_summary("Return a :class:`.Revision` object.", one, many) == (
        "Return :class:`.Revision` objects."
    )
    # the first word is the sentence's, not a class's
    assert adapt_summary("States of the machine.", *_pair("get_states", "get_state")) == (
        "State of the machine."
    )


def _method(name: str, *params: str) -> Symbol:
    zero = Span(0, 0, 0, 0, 0, 0)
    parameters = [Parameter("self"), *(Parameter(p) for p in params)]
    return Symbol(
        "m.py", "python", f"NestedState.{name}", name, "method", zero, parameters=parameters
    )


def test_the_parameter_a_plural_name_takes_is_made_plural_too() -> None:
    symbol = _method("add_substates", "states")
    similar = [("add_substate", "Adds a state as a substate.", "NestedState.add_substate")]
    pool = candidate_pool([], Vocabulary(), symbol, similar)
    texts = [c.text for c, _, _ in pool if c.source == "neighbour"]
    assert texts == ["Adds states as substates."]
    # the same sentence for a name that takes one state keeps it
    symbol = _method("add_substates", "state")
    pool = candidate_pool([], Vocabulary(), symbol, similar)
    assert [c.text for c, _, _ in pool if c.source == "neighbour"] == ["Adds a state as substates."]


def test_a_noun_made_singular_gets_an_article_only_after_a_verb_or_preposition() -> None:
    many, one = _pair("add_substates", "add_substate")
    assert adapt_summary("Adds substates.", many, one) == "Adds a substate."
    assert adapt_summary("Runs it for substates.", many, one) == "Runs it for a substate."
    # after a modifier or a determiner the article would break the phrase
    assert adapt_summary("The nested substates.", many, one) == "The nested substate."
    assert adapt_summary("Substates of the machine.", many, one) == "Substate of the machine."
    many, one = _pair("months", "month")
    assert adapt_summary("The months of the duration.", many, one) == "The month of the duration."
