"""A neighbour's summary that names our symbol itself describes another symbol in terms of
it (a wrapper, an override, a subclass): it is never borrowed."""

from __future__ import annotations

from assistant.borrowing import names_the_symbol
from assistant.summaries import Vocabulary, candidate_pool
from indexer.symbols import Span, Symbol

ZERO = Span(0, 0, 0, 0, 0, 0)


def _symbol(qualname: str, path: str = "transitions/core.py") -> Symbol:
    kind = "method" if "." in qualname else "function"
    return Symbol(path, "python", qualname, qualname.rpartition(".")[2], kind, ZERO)


def test_a_summary_naming_the_symbol_itself_is_about_another_symbol() -> None:
    trigger = _symbol("Event.trigger")
    assert names_the_symbol(
        "Extends transitions.core.Event.trigger by using locks/machine contexts.", trigger
    )
    assert names_the_symbol("Shortcut to :meth:`Event.trigger`.", trigger)
    assert names_the_symbol("Calls Event.trigger() and returns the result.", trigger)
    # another method of the class, or the bare name, is not the symbol
    assert not names_the_symbol("Extends Event.add_callback by locks.", trigger)
    assert not names_the_symbol("Fire the trigger of the event.", trigger)
    assert not names_the_symbol("Like LockedEvent.trigger without locks.", trigger)
    # a module function is named through its module
    dump = _symbol("dump", "dill/temp.py")
    assert names_the_symbol("Load an object that was stored with dill.temp.dump.", dump)
    assert not names_the_symbol("Load an object stored with dump.", dump)


def test_such_a_neighbour_is_not_a_candidate() -> None:
    similar = [
        (
            "trigger",
            "Extends transitions.core.Event.trigger by using locks/machine contexts.",
            "LockedEvent.trigger",
        ),
        ("add_callback", "Add a callback to the event.", "Event.add_callback"),
    ]
    pool = candidate_pool([], Vocabulary(), _symbol("Event.trigger"), similar)
    assert [c.detail for c, _, _ in pool if c.source == "neighbour"] == ["Event.add_callback"]
