"""Whether a related symbol's parameter description fits ours (issue #12 item 2): the
parameter is the same kind of value (:func:`compatible`), the text does not speak of the
lending function's own action (:func:`names_the_donor`), a corpus text passes the stricter
corpus rules (:func:`corpus_fits`); and the lenders and choices themselves
(:class:`Lender`, :class:`Described`). Used by :mod:`assistant.param_describer` and
:mod:`assistant.paramevidence`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.styles import detect_docstring_style
from assistant.styles import find_params as find_doc_params
from assistant.styles.build import fits
from assistant.summaries import split_identifier
from indexer.symbols import Parameter, Symbol

if TYPE_CHECKING:
    from assistant.corpus import CorpusHit
    from assistant.faithfulness import CodeFacts


def names_the_donor(text: str, donor: str, own: str, param: str = "") -> bool:
    """Whether a borrowed description speaks of the lending function's own action: it holds
    a word of the lender's name (or a form of it: ``removed`` for ``remove``) that the
    target's name lacks. ``remove_transition``'s "The trigger of the transition to be
    removed." is false for ``trigger_event``; ``get_state``'s "Name of the state." is fine
    for ``set_state``. Words of the parameter's own name (``param``) never count."""
    mine = set(split_identifier(own)) | set(split_identifier(param))
    theirs = [w for w in set(split_identifier(donor)) - mine if len(w) >= 3]
    if not theirs:
        return False
    words = set(split_identifier(text))
    return any(_form_of(word, w) for word in words for w in theirs)


def _form_of(word: str, base: str) -> bool:
    """``removed``/``removes``/``removal`` of ``remove``, ``adds``/``added`` of ``add``
    (not ``address``), ``transitions`` of ``transition``."""
    if len(base) <= 3:
        doubled = base + base[-1]
        return word in (base, base + "s", base + "ed", base + "ing", base + "er") or word in (
            doubled + "ed",
            doubled + "ing",
        )
    stem = base[:-1] if base.endswith("e") else base
    return word.startswith(stem) and len(word) - len(stem) <= 4


def _norm_type(text: str | None) -> str:
    out = "".join((text or "").split()).strip("\"'")
    return re.sub(r"(?<![\w.])(?:typing|t|collections\.abc)\.", "", out)


def compatible(ours: Parameter, theirs: Parameter) -> bool:
    """Whether ``theirs`` (a related symbol's parameter of the same name) is the same kind
    of value as ``ours``: same kind of star, annotations that agree (or one missing), both
    required or both defaulting to the same value."""
    from assistant.defaults import same_value

    stars = {"var_positional": 1, "var_keyword": 2}
    if stars.get(ours.kind, 0) != stars.get(theirs.kind, 0):
        return False
    if ours.annotation and theirs.annotation:
        if _norm_type(ours.annotation) != _norm_type(theirs.annotation):
            return False
    if (ours.default is None) != (theirs.default is None):
        return False
    if ours.default is not None and theirs.default is not None:
        return same_value(theirs.default, ours.default)
    return True


_NONE = re.compile(r"\bNone\b")
_NONE_TYPES = re.compile(r"\b(?:None|Optional|Any|object)\b")


def may_be_none(param: Parameter) -> bool:
    """Whether the code lets ``param`` be ``None``: its default is ``None`` or its
    annotation admits it (``X | None``, ``Optional[X]``, ``Any``)."""
    if param.default is not None and param.default.strip() == "None":
        return True
    return bool(param.annotation and _NONE_TYPES.search(param.annotation))


def corpus_fits(text: str, param: Parameter, facts: CodeFacts | None) -> str | None:
    """A corpus description as it may describe ``param`` (:func:`fits`, identifiers
    checked against the code and its repository evidence), or None: also refused when it
    speaks of ``None`` ("If None, ...") for a parameter the code does not let be ``None``,
    or when there are no code facts to check it against."""
    if facts is None or not text:
        return None
    if _NONE.search(text) and not may_be_none(param):
        return None
    return fits(text, param, facts)


def corpus_parameter(hit: CorpusHit, name: str) -> Parameter | None:
    """The corpus function's parameter ``name`` as its code has it (kind, annotation,
    default), or None when the corpus does not know it."""
    row = hit.signatures.get(name)
    if not isinstance(row, list | tuple) or len(row) != 3:
        return None
    kind, annotation, default = row
    if not isinstance(kind, str):
        return None
    as_text = lambda v: None if v is None else str(v)  # noqa: E731
    return Parameter(name, kind, as_text(annotation), as_text(default))


def documented_params(symbol: Symbol) -> dict[str, str]:
    """The parameter descriptions ``symbol``'s own docstring gives, by bare name."""
    text = symbol.docstring
    style = detect_docstring_style(text) if text else None
    block = find_doc_params(text, style) if text and style else None
    return {e.bare_name: e.description for e in (block.entries if block else []) if e.description}


@dataclass(slots=True)
class Lender:
    """A related documented symbol and which of the target's parameters it may describe."""

    source: str
    symbol: Symbol | None
    params: set[str] | None = None  # None: any parameter of the same name
    detail: str = ""
    hit: CorpusHit | None = None  # a corpus neighbour (then ``symbol`` is None)


@dataclass(slots=True)
class Described:
    """Where one parameter's description came from."""

    source: str
    detail: str
    text: str
