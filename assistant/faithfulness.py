"""The faithfulness check: a drafted docstring never states something false about the code.

Every docstring the pipeline renders passes through :func:`make_faithful` before anyone
sees it (the CLI's records, ``--write``, the language server's hover and code actions):

- every documented parameter exists in the signature, with the code's kind (``*args``,
  ``**kwargs``; "optional" and "keyword-only" only where the code says so);
- every stated default ("Defaults to X", "default: X", numpy's "optional, default X",
  PEP 257's "(default X)") equals the code's default, compared as Python values when both
  are literals (``"Reading..."`` equals ``'Reading...'``, ``.5`` equals ``0.5``) and as
  normalised syntax trees otherwise; a required parameter states no default;
- every documented exception is raised in the function's own body (``raise X``,
  ``raise X(...)``, or a re-raise inside ``except X``);
- Returns only for a function that returns a value (a stub's annotation counts), Yields
  only for a generator, and a stated type equals the annotation;
- no identifier in the prose (````code```` spans, ``snake_case``, ``CamelCase`` with an
  inner capital, dotted names) that is not in the code, the signature or the evidence;
- no sentence that calls its subject by another kind than the symbol's ("This module
  ..." for a class: :func:`assistant.borrowing.speaks_of_another_kind`).

A draft that fails is repaired: the false sentence, entry or section is dropped from the
:class:`~assistant.styles.docmodel.DocModel` and the docstring rendered again, and the
rendered text is read back and checked once more (a renderer's own mistake is caught
there); what cannot be repaired is reduced to the summary. Each repair is reported.

The facts come from :mod:`assistant.codefacts`, the reading of stated defaults from
:mod:`assistant.defaults`, the reading of rendered text from :mod:`assistant.readback`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from assistant.borrowing import speaks_of_another_kind
from assistant.codefacts import CodeFacts, ParamFact, code_facts, yielded_type
from assistant.defaults import (
    SENTENCE,
    TYPE_DEFAULT,
    clean_value,
    is_prose,
    same_value,
    stated_defaults,
    strip_default_claims,
)
from assistant.styles.docmodel import DocModel, ParamDoc, ValueDoc
from assistant.summaries import (
    _WORD,
    Vocabulary,
    is_identifier_like,
    normalize_summary,
    remove_invented,
    split_identifier,
)
from indexer.symbols import Symbol

__all__ = [
    "FAITHFULNESS_VERSION",
    "CodeFacts",
    "Faithful",
    "ParamFact",
    "Violation",
    "check_model",
    "check_rendered",
    "code_facts",
    "grounding_texts",
    "make_faithful",
    "neutral_description",
    "repair_model",
    "is_prose",
    "same_value",
    "stated_defaults",
    "strip_default_claims",
    "ungrounded",
    "yielded_type",
]

_ABBREVIATIONS = re.compile(r"^(?:e\.g|i\.e|etc|vs|cf)$", re.IGNORECASE)


@dataclass(slots=True)
class Violation:
    """One false statement: the rule it breaks, where, and why."""

    rule: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _drop_sentences(text: str, bad: Callable[[str], bool]) -> str:
    return " ".join(s for s in SENTENCE.split(text.strip()) if s and not bad(s)).strip()


# --- identifiers ------------------------------------------------------------------------

_STRING = re.compile(r"\"[^\"]*\"|'[^']*'")


def ungrounded(text: str, facts: CodeFacts) -> list[str]:
    """Identifier-like tokens of prose that name nothing in the code or the evidence."""
    out = []
    for token in _WORD.findall(text or ""):
        if not is_identifier_like(token) or _ABBREVIATIONS.match(token.strip("`*")):
            continue
        if not _grounded(token, facts):
            out.append(token)
    return out


def _grounded(token: str, facts: CodeFacts) -> bool:
    inner = token.strip("`*").removesuffix("()").strip()
    for literal in _STRING.findall(inner):
        if literal[1:-1] and literal[1:-1] not in facts.code:
            return False
    names = re.findall(r"[A-Za-z_]\w*", _STRING.sub(" ", inner))
    return all(name.lower() in facts.known for name in names)


# --- the check --------------------------------------------------------------------------


def _param_violations(param: ParamDoc, facts: CodeFacts) -> list[Violation]:
    bare = param.bare_name
    where = f"parameter {param.name}"
    fact = facts.params.get(bare)
    if fact is None:
        return [Violation("param-exists", where, "the signature has no such parameter")]
    out = []
    stars = len(param.name) - len(bare)
    want = {"var_positional": 1, "var_keyword": 2}.get(fact.kind, 0)
    if stars and stars != want:
        out.append(Violation("param-kind", where, f"documented as {param.name}, code: {fact.kind}"))
    text = f"{param.description} {param.type or ''}"
    required = fact.default is None and fact.kind not in ("var_positional", "var_keyword")
    optional_claim = re.search(r"\boptional\b", param.type or "", re.IGNORECASE) or re.search(
        r"\(optional\)|^optional\b[.,:;]?", param.description.strip(), re.IGNORECASE
    )
    if required and optional_claim:
        out.append(Violation("param-kind", where, "called optional, but it is required"))
    if re.search(r"\bkeyword[- ]only\b", text, re.IGNORECASE) and fact.kind != "keyword_only":
        out.append(Violation("param-kind", where, "called keyword-only, but it is not"))
    claims = stated_defaults(param.description)
    type_default = TYPE_DEFAULT.search(param.type or "")
    if type_default:
        claims.append((type_default.group(1), -1, -1))
    for raw, _, _ in claims:
        value = clean_value(raw)
        if required:
            out.append(Violation("default", where, f"states default {value!r}; it is required"))
        elif fact.default is None:
            out.append(Violation("default", where, f"states default {value!r}; it has none"))
        elif is_prose(raw):
            continue  # "Defaults to autodetection." explains a default; it states no value
        elif not same_value(value, fact.default):
            out.append(
                Violation("default", where, f"states default {value!r}; code: {fact.default}")
            )
    for token in ungrounded(param.description, facts):
        out.append(Violation("identifier", where, f"{token} is not in the code or evidence"))
    return out


def _value_violations(doc: DocModel, facts: CodeFacts) -> list[Violation]:
    out = []
    if doc.returns is not None:
        if facts.yields:
            out.append(Violation("returns", "Returns", "a generator yields, it does not return"))
        elif not facts.returns_value:
            out.append(Violation("returns", "Returns", "the code returns no value"))
        elif doc.returns.type and not _same_type(doc.returns.type, facts.annotation):
            out.append(Violation("type", "Returns", f"type {doc.returns.type} != annotation"))
    if doc.yields is not None:
        if not facts.yields:
            out.append(Violation("yields", "Yields", "the code does not yield"))
        elif doc.yields.type and not (
            _same_type(doc.yields.type, yielded_type(facts.annotation))
            or _same_type(doc.yields.type, facts.annotation)
        ):
            out.append(Violation("type", "Yields", f"type {doc.yields.type} != annotation"))
    for section, value in (("Returns", doc.returns), ("Yields", doc.yields)):
        for token in ungrounded(value.description if value else "", facts):
            out.append(Violation("identifier", section, f"{token} is not in the code or evidence"))
    return out


def _same_type(stated: str, annotation: str | None) -> bool:
    if not annotation:
        return False
    norm = lambda t: "".join(t.split()).strip("\"'")  # noqa: E731
    return norm(stated) == norm(annotation)


def check_model(doc: DocModel, facts: CodeFacts, function: bool = True) -> list[Violation]:
    """Every false statement of ``doc`` (see the module's rules)."""
    out = [
        Violation("identifier", "summary", f"{t} is not in the code or evidence")
        for t in ungrounded(doc.summary, facts)
    ]
    out += [
        Violation("identifier", "description", f"{t} is not in the code or evidence")
        for t in ungrounded(doc.description, facts)
    ]
    for where, text in (("summary", doc.summary), ("description", doc.description)):
        word = speaks_of_another_kind(text, doc.kind, doc.symbol_name)
        if word:
            out.append(Violation("kind", where, f'"This {word}" does not describe a {doc.kind}'))
    if not function:
        return out
    for param in doc.params:
        out += _param_violations(param, facts)
    out += _value_violations(doc, facts)
    for item in doc.raises:
        where = f"Raises {item.name}"
        if item.name not in facts.raises:
            out.append(Violation("raises", where, "the body never raises it"))
        for token in ungrounded(item.description, facts):
            out.append(Violation("identifier", where, f"{token} is not in the code or evidence"))
    return out


def repair_model(doc: DocModel, facts: CodeFacts, neutral: Callable[[ParamFact], str]) -> DocModel:
    """A copy of ``doc`` with every false statement dropped (descriptions left empty are
    replaced by ``neutral`` ones made from the parameter's name and annotation)."""
    doc = replace(doc, params=list(doc.params), raises=list(doc.raises))
    vocab = Vocabulary(identifiers=set(facts.known))
    summary, _ = remove_invented(doc.summary, vocab)
    summary = normalize_summary(summary) if summary.strip(" .") else ""
    if len(summary.split()) < 2 or ungrounded(summary, facts):
        summary = ""
    doc.summary = summary or doc.summary

    def false_of_it(text: str) -> bool:
        return bool(ungrounded(text, facts)) or bool(
            speaks_of_another_kind(text, doc.kind, doc.symbol_name)
        )

    if false_of_it(doc.summary):
        doc.summary = _name_only(doc)
    doc.description = _drop_sentences(doc.description, false_of_it)
    params = []
    for param in doc.params:
        fact = facts.params.get(param.bare_name)
        if fact is None:
            continue
        prefix = {"var_positional": "*", "var_keyword": "**"}.get(fact.kind, "")
        param = replace(param, name=prefix + fact.name if param.name != fact.name else param.name)
        if not _param_violations(param, facts):
            params.append(param)
            continue
        param.type = fact.annotation if param.type else None
        text = strip_default_claims(param.description)
        text = _drop_sentences(
            text,
            lambda s: (
                bool(ungrounded(s, facts))
                or bool(re.search(r"\bkeyword[- ]only\b|\(optional\)|^optional\b", s, re.I))
            ),
        )
        param.description = text or neutral(fact)
        if _param_violations(param, facts):
            param.description = neutral(fact)
        params.append(param)
    doc.params = params
    if doc.returns is not None and (facts.yields or not facts.returns_value):
        doc.returns = None
    if doc.yields is not None and not facts.yields:
        doc.yields = None
    for attr, want in (("returns", facts.annotation), ("yields", yielded_type(facts.annotation))):
        value: ValueDoc | None = getattr(doc, attr)
        if value is None:
            continue
        if value.type and not (
            _same_type(value.type, want) or _same_type(value.type, facts.annotation)
        ):
            value = replace(value, type=want)
        if ungrounded(value.description, facts):
            value = replace(
                value,
                description=_drop_sentences(
                    value.description, lambda s: bool(ungrounded(s, facts))
                ),
            )
        setattr(doc, attr, value)
    doc.raises = [
        replace(
            item,
            description=_drop_sentences(item.description, lambda s: bool(ungrounded(s, facts))),
        )
        for item in doc.raises
        if item.name in facts.raises
    ]
    return doc


def _name_only(doc: DocModel) -> str:
    return normalize_summary(" ".join(split_identifier(doc.symbol_name) or [doc.kind]))


# --- check, repair, render --------------------------------------------------------------


@dataclass(slots=True)
class Faithful:
    """A docstring that passed the check, and what the check changed to get there.

    Attributes:
        text: The rendered docstring.
        doc: The doc model it was rendered from.
        fixes: One line per false statement removed (empty: the draft was faithful).
        named: Whether the summary had to be replaced by the name as a sentence (what the
            draft's confidence and provenance described is gone).
    """

    text: str
    doc: DocModel
    fixes: list[str] = field(default_factory=list)
    named: bool = False


def make_faithful(
    doc: DocModel,
    style: str,
    language: str,
    facts: CodeFacts,
    neutral: Callable[[ParamFact], str],
) -> Faithful:
    """Render ``doc`` in ``style`` with nothing false about the code.

    The doc model is checked and repaired (:func:`check_model`, :func:`repair_model`),
    rendered, and the rendered text read back (:func:`assistant.readback.read_back`) and
    checked again; text that still fails is reduced to its summary, and a summary that
    still fails to the name as a sentence. ``neutral`` describes a parameter whose
    description had to go.
    """
    from assistant.readback import read_back
    from assistant.styles import render

    function = doc.kind in ("function", "method")
    drafted, name = doc.summary, _name_only(doc)
    fixes = [str(v) for v in check_model(doc, facts, function)]
    if fixes:
        doc = repair_model(doc, facts, neutral)
    text = render(doc, style, language)
    for attempt in ("summary", "name"):
        late = check_model(replace(read_back(text, style), kind=doc.kind), facts, function)
        if style == "godoc":  # its summary is rewritten in the third person
            late = [v for v in late if v.where != "summary"] + check_model(
                DocModel(summary=doc.summary, kind=doc.kind), facts, False
            )
        if not late:
            break
        fixes += [f"{v} (in the rendered text)" for v in late]
        summary = doc.summary if attempt == "summary" else _name_only(doc)
        doc = DocModel(summary=summary, symbol_name=doc.symbol_name, kind=doc.kind)
        text = render(doc, style, language)
    named = doc.summary == name and drafted != name
    return Faithful(text, doc, list(dict.fromkeys(fixes)), named)


FAITHFULNESS_VERSION = 2
"""Bumped when the check or the drafting fixes behind it change results (cache key part)."""


def grounding_texts(evidence: object) -> list[str]:
    """The evidence texts whose identifiers a docstring may name besides the code's.

    The callees (names and summaries), the enclosing class and module, and the similar
    symbols' *names*: a similar symbol's summary describes other code, so an identifier
    found only there (``quantity`` of ``Item.total_price`` in a summary of
    ``cheapest_items``) is not grounded. ``evidence``: an :class:`assistant.prompt.Evidence`.
    """
    texts = [name for name, _ in getattr(evidence, "similar", [])]
    texts += [f"{name} {summary}" for name, summary in getattr(evidence, "callees", [])]
    for attr in ("class_name", "class_summary", "module_summary"):
        texts.append(getattr(evidence, attr, None) or "")
    return [t for t in texts if t]


def neutral_description(param: ParamFact) -> str:
    """A parameter description that claims nothing: from its kind, or its name."""
    if param.kind == "var_positional":
        return "Additional positional arguments."
    if param.kind == "var_keyword":
        return "Additional keyword arguments."
    words = split_identifier(param.name) or [param.name]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def check_rendered(
    text: str, style: str, symbol: Symbol, code: str, evidence: Iterable[str] = ()
) -> list[Violation]:
    """The false statements of a rendered docstring ``text`` of ``symbol`` (read back from
    the text, so it checks any docstring, whoever rendered it)."""
    from assistant.readback import read_back

    facts = code_facts(symbol, code, evidence)
    doc = read_back(text, style)
    if style == "godoc":
        doc.params, doc.returns, doc.yields, doc.raises = [], None, None, []
    return check_model(doc, facts, symbol.kind in ("function", "method"))
