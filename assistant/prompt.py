"""The model input format shared by training and run time.

The drafting model sees one string per symbol, built by :func:`build_prompt` from the
symbol's code (docstring removed) and :class:`Evidence` retrieved from the same package.
Training examples are built with exactly these functions (``assistant.workshop.dataset``), so any
change here changes what the shipped model expects: bump :data:`PROMPT_VERSION` then.

How run time must compute the evidence (the dataset builder does the same):

* ``similar``: the :data:`SIMILAR_K` most similar *documented* symbols of the same package
  (all-MiniLM-L6-v2 cosine over ``indexer.embed.embedding_text``), the symbol itself
  excluded, most similar first, as ``(bare name, first_sentence(docstring))``.
* ``callees``: names in ``Symbol.calls`` resolved by :func:`callee_key` against the
  documented symbols of the package (first match per key, in call order), at most
  :data:`CALLEES_K`, as ``(bare name, summary)``.
* ``class_name`` / ``class_summary``: the enclosing class of a method and its summary.
* ``module_summary``: the summary of the module docstring, if any.

Layout (one line each, empty parts omitted)::

    similar: name1 => summary1 | name2 => summary2
    calls: f => summary | g => summary
    class: Name => summary
    module: summary
    code: def f(x): return x + 1
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PROMPT_VERSION = 1
"""Version of the layout below; the shipped model's config records the one it was trained on."""

SIMILAR_K = 3
"""How many similar documented symbols run time retrieves and the prompt keeps."""

CALLEES_K = 4
"""How many callee summaries the prompt keeps."""

MAX_SUMMARY_CHARS = 160
"""Each evidence summary is cut to this many characters."""

DEFAULT_MAX_CHARS = 1600
"""Default prompt budget in characters (about 400-500 tokens of the shipped tokenizer)."""

EVIDENCE_SHARE = 0.5
"""Evidence may take at most this share of ``max_chars``; the code gets the rest."""

_WS = re.compile(r"\s+")
_SIGNATURE_LINE = re.compile(r"^[\w.]+\(.*\)(\s*->\s*.*)?$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9`'\"(\[])|(?<=[.!?])$")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "approx.", "resp.", "Eq.", "Fig.")


@dataclass(slots=True)
class Evidence:
    """Same-package context retrieved for one symbol.

    Attributes:
        similar: ``(name, summary)`` of similar documented symbols, most similar first.
        callees: ``(name, summary)`` of documented symbols this one calls, in call order.
        class_name: Name of the enclosing class for methods, else ``None``.
        class_summary: Summary of the enclosing class, if documented.
        module_summary: Summary of the module docstring, if any.
        similar_qualnames: The qualified names of ``similar``, same order (empty when
            unknown, as in the dataset); only for the record's provenance, never in the
            prompt.
        similar_scores: The retrieval similarity (cosine of the code vectors) of each of
            ``similar``, same order (empty when unknown); a ranker feature, never in the
            prompt.
        similar_kinds: The symbol kind of each of ``similar``, same order (empty when
            unknown); a ranker feature, never in the prompt.
    """

    similar: list[tuple[str, str]] = field(default_factory=list)
    callees: list[tuple[str, str]] = field(default_factory=list)
    class_name: str | None = None
    class_summary: str | None = None
    module_summary: str | None = None
    similar_qualnames: list[str] = field(default_factory=list)
    similar_scores: list[float] = field(default_factory=list)
    similar_kinds: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """Return True when there is no evidence at all (the cold situation)."""
        return not (
            self.similar
            or self.callees
            or self.class_name
            or self.class_summary
            or self.module_summary
        )


def normalize_space(text: str) -> str:
    """Collapse every run of whitespace (newlines and indentation included) to one space."""
    return _WS.sub(" ", text).strip()


def callee_key(call: str) -> str:
    """Return the name a call is resolved by: its last dotted part (``self.x.run`` -> ``run``)."""
    return call.rsplit(".", 1)[-1].strip()


def first_sentence(docstring: str | None) -> str:
    """Return the summary sentence of a docstring: the training target and ``summary`` field.

    The first paragraph is taken (a leading paragraph that is only a call signature such as
    ``f(a, b) -> int``, common in C-extension docs, is skipped), whitespace is collapsed, and
    it is cut after the first sentence end (``.``, ``!``, ``?`` followed by a capital, digit
    or quote, or the end), ignoring common abbreviations such as ``e.g.``.

    Args:
        docstring: The cleaned docstring, or None.

    Returns:
        The first sentence, or an empty string when there is none.
    """
    if not docstring:
        return ""
    paragraphs = [p for p in re.split(r"\n\s*\n", docstring.strip()) if p.strip()]
    while len(paragraphs) > 1 and _SIGNATURE_LINE.match(normalize_space(paragraphs[0])):
        paragraphs.pop(0)
    if not paragraphs:
        return ""
    text = normalize_space(paragraphs[0])
    masked = text
    for abbr in _ABBREVIATIONS:
        masked = masked.replace(abbr, abbr.replace(".", "\x00"))
    match = _SENTENCE_END.search(masked)
    if match:
        text = text[: match.start()].rstrip()
    return text.strip()


def _clip(text: str, limit: int) -> str:
    text = normalize_space(text)
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 3)].rstrip() + "..."


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return " | ".join(f"{name} => {_clip(summary, MAX_SUMMARY_CHARS)}" for name, summary in pairs)


def _evidence_lines(ev: Evidence, n_similar: int, n_callees: int, keep: set[str]) -> list[str]:
    lines = []
    if n_similar:
        lines.append("similar: " + _pairs(ev.similar[:n_similar]))
    if n_callees:
        lines.append("calls: " + _pairs(ev.callees[:n_callees]))
    if ev.class_name and "class" in keep:
        summary = _clip(ev.class_summary or "", MAX_SUMMARY_CHARS)
        lines.append(
            f"class: {ev.class_name} => {summary}" if summary else f"class: {ev.class_name}"
        )
    if ev.module_summary and "module" in keep:
        lines.append("module: " + _clip(ev.module_summary, MAX_SUMMARY_CHARS))
    return lines


def _fit_evidence(ev: Evidence, budget: int) -> list[str]:
    """Drop evidence in the documented truncation order until it fits ``budget`` chars."""
    n_similar = min(len(ev.similar), SIMILAR_K)
    n_callees = min(len(ev.callees), CALLEES_K)
    keep = {"class", "module"}
    while True:
        lines = _evidence_lines(ev, n_similar, n_callees, keep)
        if sum(len(line) + 1 for line in lines) <= budget:
            return lines
        if "module" in keep:
            keep.discard("module")
        elif n_callees:
            n_callees -= 1
        elif n_similar > 1:
            n_similar -= 1
        elif "class" in keep:
            keep.discard("class")
        elif n_similar:
            n_similar -= 1
        else:
            return []


def build_prompt(
    code: str, evidence: Evidence | None = None, max_chars: int = DEFAULT_MAX_CHARS
) -> str:
    """Build the model input for one symbol.

    Truncation order when the prompt would exceed ``max_chars``: the evidence is first
    limited to :data:`EVIDENCE_SHARE` of the budget by dropping, in this order, the module
    summary, callees (last first), similar symbols beyond the most similar one (last
    first), the class line, and finally the most similar symbol; then the code (whitespace
    collapsed) is cut at its end to the remaining budget, keeping the signature and the
    start of the body.

    Args:
        code: Source of the symbol without its docstring.
        evidence: Retrieved same-package context; None or empty for the cold situation.
        max_chars: Character budget of the whole prompt.

    Returns:
        The prompt string.
    """
    evidence = evidence or Evidence()
    lines = _fit_evidence(evidence, int(max_chars * EVIDENCE_SHARE))
    used = sum(len(line) + 1 for line in lines)
    code_budget = max(0, max_chars - used - len("code: "))
    lines.append("code: " + normalize_space(code)[:code_budget])
    return "\n".join(lines)


def named_neighbours(evidence: object) -> list[tuple[str, ...]]:
    """``evidence.similar`` as ``(name, summary, qualname[, similarity[, kind]])`` when
    retrieval named each neighbour (:attr:`assistant.prompt.Evidence.similar_qualnames`),
    with its similarity and kind where it gave them (0.0 for a similarity not given beside
    a kind), else as it is."""
    similar = list(getattr(evidence, "similar", []))
    qualnames = list(getattr(evidence, "similar_qualnames", []))
    if len(qualnames) != len(similar):
        return similar
    scores = list(getattr(evidence, "similar_scores", []))
    kinds = list(getattr(evidence, "similar_kinds", []))
    scored, kinded = len(scores) == len(similar), len(kinds) == len(similar)
    rows = []
    for i, (pair, name) in enumerate(zip(similar, qualnames, strict=True)):
        row = (*pair, name)
        if kinded:  # the similarity's place is kept before the kind
            row += (float(scores[i]) if scored else 0.0, str(kinds[i]))
        elif scored:
            row += (float(scores[i]),)
        rows.append(row)
    return rows
