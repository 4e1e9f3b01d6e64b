"""The describer of one target's parameters (issue #12 item 2): each parameter's
description borrowed from the first related symbol whose parameter fits
(:mod:`assistant.param_fit`), in :data:`ORDER`, found through a
:class:`~assistant.paramevidence.ParamEvidence`; else a neutral line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.param_fit import (
    Described,
    Lender,
    compatible,
    corpus_fits,
    corpus_parameter,
    documented_params,
    names_the_donor,
)
from assistant.styles.build import fits, neutral_param_description
from assistant.summaries import split_identifier
from assistant.target import Target
from indexer.symbols import Parameter

if TYPE_CHECKING:
    from assistant.faithfulness import CodeFacts

ORDER = ("class", "override", "callee", "wrapper", "same-class", "neighbour", "corpus")
"""The order sources are tried in: ``class`` is the class docstring of an ``__init__``
(counted as ``same-class``)."""

_LOOSE = frozenset({"same-class", "neighbour", "corpus"})
"""Lenders related by place or likeness only: their descriptions may speak of what the
lending function does (a callee, a wrapper or an overridden method does what ours does)."""


@dataclass
class ParamDescriber:
    """Describes the parameters of one target from its related symbols (lazily, in
    :data:`SOURCES` order); ``chosen`` records where each description came from."""

    evidence: Any  # the ParamEvidence that finds the related symbols
    target: Target
    style: str
    facts: CodeFacts | None = None
    chosen: dict[str, Described] = field(default_factory=dict)
    _lenders: dict[str, list[Lender]] = field(default_factory=dict)

    def __call__(self, param: Parameter) -> str:
        from assistant.faithfulness import ParamFact

        bare = param.name.lstrip("*")
        for step in ORDER:
            for lender in self._lenders_for(step):
                if lender.params is not None and bare not in lender.params:
                    continue
                try:
                    text = self._borrow(param, lender)
                except Exception:  # noqa: BLE001 - an unreadable lender lends nothing
                    text = None
                if text:
                    self.chosen[bare] = Described(lender.source, lender.detail, text)
                    return text
        fact = ParamFact(bare, param.kind, param.default, param.annotation)
        text = neutral_param_description(fact, self.style)
        self.chosen[bare] = Described("neutral" if text else "empty", "", text)
        return text

    def returned(self) -> str | None:
        """The Returns text of the callee the target passes its value through from
        (:func:`assistant.returnevidence.callee_returns`), or None."""
        from assistant.returnevidence import callee_returns

        try:
            return callee_returns(self.evidence.resolve_call, self.target)
        except Exception:  # noqa: BLE001 - unreadable evidence says nothing
            return None

    def _lenders_for(self, source: str) -> list[Lender]:
        if source not in self._lenders:
            finder = {
                "class": self.evidence.own_class,
                "override": self.evidence.overridden,
                "callee": self.evidence.callees,
                "wrapper": self.evidence.wrappers,
                "same-class": self.evidence.same_class,
                "neighbour": self.evidence.neighbours,
                "corpus": self.evidence.corpus_neighbours,
            }[source]
            try:
                self._lenders[source] = list(finder(self.target))
            except Exception:  # noqa: BLE001 - evidence degrades to a neutral line
                self._lenders[source] = []
        return self._lenders[source]

    def _borrow(self, param: Parameter, lender: Lender) -> str | None:
        bare = param.name.lstrip("*")
        if lender.hit is not None:
            theirs_here = corpus_parameter(lender.hit, bare)
            if theirs_here is None or not compatible(param, theirs_here):
                return None
            text = lender.hit.params.get(bare, "")
            donor = lender.hit.name.rpartition(".")[2]
            if names_the_donor(text, donor, self.target.symbol.name, bare):
                return None
            return corpus_fits(text, param, self.facts)
        if lender.symbol is None or lender.symbol is self.target.symbol:
            return None
        own = self.target.symbol
        if lender.symbol.kind == "class":  # a class docstring documents its constructor only
            is_own = own.name == "__init__" and lender.symbol.qualname == own.parent
            theirs: Parameter | None = param if is_own and lender.symbol.path == own.path else None
        else:
            theirs = next((p for p in lender.symbol.parameters if p.name.lstrip("*") == bare), None)
        if theirs is None or not compatible(param, theirs):
            return None
        text = documented_params(lender.symbol).get(bare)
        loose = lender.source in _LOOSE and lender.symbol.kind != "class"  # not its own class
        if text and loose and names_the_donor(text, lender.symbol.name, own.name, bare):
            return None
        if text and lender.source == "same-class" and self._left_out_by_namesakes(lender, bare):
            return None
        return fits(text, param, self.facts) if text else None

    def _left_out_by_namesakes(self, lender: Lender, bare: str) -> bool:
        """Whether a sibling whose name starts with another word than the target's
        (``is_state`` for ``remove_model``) lends a parameter that a documented method of
        the target's own name in another class (``AsyncMachine.remove_model``) leaves
        undescribed. Over the dataset's training split such a sibling's line agrees with
        the function's own (token F1 >= 0.5) in 74.8 % of 4,551 pairs (validation 88.8 %
        of 98), against 82.0 % (98.0 %) where no such method exists and 90.8 % (94.9 %)
        where it describes the parameter (BENCHMARKS.md, "Ranker and evidence:
        pass-through Returns, ...")."""
        own = self.target.symbol
        if lender.symbol is None or lender.symbol.kind != "method" or not own.parent:
            return False  # a class docstring documents its own constructor
        if split_identifier(lender.symbol.name)[:1] == split_identifier(own.name)[:1]:
            return False
        namesakes = [
            s
            for s in self.evidence.resolver.documented_methods(own.name)
            if s.parent != own.parent or s.path != own.path
        ]
        return bool(namesakes) and all(bare not in documented_params(s) for s in namesakes)
