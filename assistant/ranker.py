"""The learned candidate ranker of grounded refinement.

Refinement chooses a symbol's summary among three kinds of candidates:

* the model's beam hypotheses (``model``);
* the summaries of the most similar documented symbols of the repository, adapted to this
  symbol's name (``neighbour``): ``add_prompt`` "Add a prompt to the server." becomes
  "Remove a prompt to the server." for ``remove_prompt`` (:func:`adapt_summary`);
* the symbol's name as a sentence (``name``): ``get_user_name`` -> "Get user name.".

Each candidate is described by a few features computed from the code, the name and the
retrieved evidence and the rest of the pool (how well a candidate agrees with the other
candidates, :func:`agreement`) only (:data:`FEATURES`). A linear score fitted on held-out
examples of the dataset (:mod:`assistant.workshop.training.ranker_fit`, to maximise the
expected sentence BLEU-4 of the choice within each pool, on the BLEU scale) picks the
candidate; a second weight vector predicts the chosen candidate's sentence BLEU-4 for the
confidence (:meth:`Ranker.expected_bleu`). The weights are data
(``assistant/data/ranker.json``), refit whenever the drafting model changes, since the
``model_prob`` weight depends on how well calibrated the model is.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

from assistant.ranker_features import (
    CONFIDENCE_ONLY,
    CORPUS_SIM_KNEE,
    FEATURES,
    KIND_FEATURES,
    NEIGHBOUR_SIM_KNEE,
    TRAIN_CALIBRATED,
    Candidate,
    _words,
    features,
    looks_like_class,
    private_for_public,
    relation,
)

__all__ = [
    "CONFIDENCE_ONLY",
    "KIND_FEATURES",
    "CORPUS_SIM_KNEE",
    "FEATURES",
    "NEIGHBOUR_SIM_KNEE",
    "SOURCES",
    "TRAIN_CALIBRATED",
    "Candidate",
    "Ranker",
    "RankerError",
    "adapt_summary",
    "agreement",
    "default_ranker",
    "features",
    "looks_like_class",
    "made_plural",
    "overlap",
    "private_for_public",
    "relation",
]

SOURCES = ("model", "neighbour", "corpus", "name")


def overlap(a: list[str], b: list[str]) -> float:
    """Agreement of two word lists in 0..1: the mean of their unigram and bigram F1 (a
    cheap stand-in for sentence BLEU between two candidates)."""

    def f1(x: list, y: list) -> float:
        if not x or not y:
            return 0.0
        common = sum((Counter(x) & Counter(y)).values())
        return 2 * common / (len(x) + len(y))

    pairs_a = list(zip(a, a[1:], strict=False))
    pairs_b = list(zip(b, b[1:], strict=False))
    return 0.5 * (f1(a, b) + f1(pairs_a, pairs_b))


def agreement(texts: list[str], sources: list[str]) -> list[tuple[float, float, float]]:
    """Each candidate's mean :func:`overlap` with the *other* candidates of each source,
    ``(neighbours, model beams, corpus)``: a summary the neighbours and the beams agree on
    is more likely the human one (minimum-Bayes-risk style)."""
    words = [_words(t) for t in texts]
    groups = [
        [i for i, s in enumerate(sources) if s == kind] for kind in ("neighbour", "model", "corpus")
    ]
    out = []
    for i in range(len(texts)):
        row = []
        for group in groups:
            others = [overlap(words[i], words[j]) for j in group if j != i]
            row.append(sum(others) / len(others) if others else 0.0)
        out.append((row[0], row[1], row[2]))
    return out


_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|_+")


def _swap_parts(token: str, mapping: dict[str, str]) -> str:
    """Swap the name's words inside one identifier of a summary: with ``all_of`` ->
    ``any_of``, ``AllOf`` becomes ``AnyOf`` and ``all_of_them`` ``any_of_them``; a token
    that is not made of such parts, or names none of the swapped words, is kept."""
    parts = _PART.findall(token)
    if len(parts) < 2 or "".join(parts) != token:
        return token
    swapped = [mapping.get(part.lower()) for part in parts]
    if not any(swapped):
        return token
    out = []
    for part, new in zip(parts, swapped, strict=True):
        if new is None:
            out.append(part)
        elif part.isupper() and len(part) > 1:
            out.append(new.upper())
        else:
            out.append(new[:1].upper() + new[1:] if part[:1].isupper() else new)
    return "".join(out)


def adapt_summary(
    summary: str,
    source_words: list[str],
    target_words: list[str],
    openers: frozenset[str] | set[str] | None = None,
) -> str | None:
    """Rewrite a neighbour's summary for this symbol by swapping the words their names differ in.

    When both names have the same number of words, each differing word of the neighbour's
    name (and its plural/third-person ``s`` form) is replaced by this symbol's word at the
    same position, keeping capitalisation: ``add_prompt`` -> ``remove_prompt`` turns "Adds
    a prompt." into "Removes a prompt."; the same words inside an identifier of the
    summary are swapped too (``all_of`` -> ``any_of`` turns ``AllOf`` into ``AnyOf``), a
    word already plural is not pluralised again, a word made plural loses the article of its
    noun phrase and any "single" in it (``add_transition`` -> ``add_transitions``: "Add a
    transition" -> "Add transitions", "with a new private entry" -> "with new private
    entries"), a capitalised word inside the sentence is a class's name and keeps its number
    while its head noun takes the plural ("the State instance" -> "the State instances"), and
    a word made singular gains an article after the opening verb or a preposition ("Adds
    substates" -> "Adds a substate"), not after a modifier. Names of different
    lengths leave the summary unchanged. If a swap would change the summary's first word
    into one that is not a usual summary opener (``openers``, e.g. ``add_stock`` ->
    ``low_stock`` would start "Low ..."), the neighbour does not fit and None is returned.
    """
    if not source_words or len(source_words) != len(target_words):
        return summary
    mapping = {a: b for a, b in zip(source_words, target_words, strict=True) if a != b}
    if not mapping:
        return summary
    out: list[str] = []
    noun_pending = False  # a class name kept singular: its head noun takes the plural
    for token in re.findall(r"\w+|\W+", summary):
        low = token.lower()
        if noun_pending and re.match(r"\w", token):
            noun_pending = False
            if low in _HEAD_NOUNS:
                _drop_article(out)
                out.append(token + "s")
                continue
        new = mapping.get(low)
        if new is None and low.endswith("s") and low[:-1] in mapping:
            plural = mapping[low[:-1]]
            new = plural if plural.endswith("s") else plural + "s"
        if new is None:
            out.append(_swap_parts(token, mapping))
            continue
        if openers is not None and not any(t.strip() for t in out) and new not in openers:
            return None
        capital = token[:1].isupper()
        first = not any(t.strip() for t in out)
        if capital and not first and (made_plural(low, new) or made_plural(new, low)):
            out.append(token)  # "the State instance": a class's name, not a count
            noun_pending = made_plural(low, new)
            continue
        before = out[-2].lower() if len(out) >= 2 and out[-1] == " " else ""
        opener = len(out) == 2 and before.isalpha() and before not in _DETERMINERS  # "Adds"
        if made_plural(low, new):
            if _drop_article(out):  # "a transition" -> "transitions", not "a transitions"
                capital = capital or not any(t.strip() for t in out)
        elif made_plural(new, low) and (opener or before in _PREPOSITIONS):
            out.append("an " if new[:1].lower() in "aeiou" else "a ")  # "Add a transition"
        out.append(new[:1].upper() + new[1:] if capital else new)
    return "".join(out)


_HEAD_NOUNS = frozenset("instance object item entry element record node value".split())
"""Nouns a class name qualifies ("the State instance"): they take the plural the name has."""

_PREPOSITIONS = frozenset(
    "to for from with in on at by into onto as about over under per via against".split()
)
"""Words after which a noun made singular takes an article ("for keys" -> "for a key");
after a modifier it does not ("index entries" -> "index entry", not "index an entry")."""

_PHRASE_BREAKS = frozenset(
    "the this that these those each every its their his her our your my any no some all both "
    "many several few which what whose of to in on at by with from for into onto over under "
    "as and or but than is are was were be been has have had do does not".split()
)


def _drop_article(out: list[str]) -> bool:
    """Drop the ``a``/``an`` opening the noun phrase that ends ``out`` (up to three
    modifiers before the noun: "a new private entry"), with a "single" among them, as the
    noun becomes plural; a determiner or preposition ends the phrase first ("a list of")."""
    text = "".join(out)
    for found in reversed(list(re.finditer(r"(?:^|(?<=\s))[Aa]n?\s+", text))):
        chunks = text[found.end() :].split()
        if len(chunks) > 3 or any(
            c.lower() in _PHRASE_BREAKS or re.search(r"[,;()!?]", c) for c in chunks
        ):
            return False
        tail = re.sub(r"(?i)\bsingle\s+", "", text[found.end() :])
        out[:] = [text[: found.start()] + tail]
        return True
    return False


_DETERMINERS = frozenset(
    "a an the this that these those each every its their his her our your my one any no "
    "some all both many several few which what whose of".split()
)


def made_plural(old: str, new: str) -> bool:
    """A singular word swapped for its plural (``transition`` -> ``transitions``,
    ``entry`` -> ``entries``, ``box`` -> ``boxes``)."""
    if not new.endswith("s") or old.endswith("s"):
        return False
    return new in (old + "s", old + "es") or (old.endswith("y") and new == old[:-1] + "ies")


class RankerError(ValueError):
    """The ranker weights file is missing or malformed."""


class Ranker:
    """A linear model over :data:`FEATURES` scoring candidates on a sentence BLEU-4 scale.

    Args:
        weights: One weight per feature, in the order of :data:`FEATURES`: the choice
            (the highest score wins).
        info: Where the weights came from (model, data, scores), kept for reports.
        openers: Usual first words of human summaries (see :func:`adapt_summary`).
        confidence_weights: Weights predicting the chosen candidate's sentence BLEU-4
            (:meth:`expected_bleu`); default: ``weights``.
    """

    def __init__(
        self,
        weights: list[float],
        info: dict | None = None,
        openers: list[str] | None = None,
        confidence_weights: list[float] | None = None,
    ) -> None:
        if len(weights) != len(FEATURES):
            raise RankerError(f"expected {len(FEATURES)} weights, got {len(weights)}")
        if confidence_weights is not None and len(confidence_weights) != len(FEATURES):
            raise RankerError(
                f"expected {len(FEATURES)} confidence weights, got {len(confidence_weights)}"
            )
        self.weights = np.asarray(weights, dtype=np.float64)
        self.confidence_weights = (
            self.weights
            if confidence_weights is None
            else np.asarray(confidence_weights, dtype=np.float64)
        )
        """Predict the chosen candidate's sentence BLEU-4 (the confidence x 50); the
        choice weights only order a pool. Default: the choice weights."""
        self.info = info or {}
        self.openers = frozenset(openers) if openers else None
        """Usual first words of human summaries (see :func:`adapt_summary`); None: any."""

    def predict(self, vector: np.ndarray) -> float:
        """Predicted sentence BLEU-4 (0-100) of a candidate's feature vector."""
        return float(vector @ self.weights)

    def expected_bleu(self, vector: np.ndarray) -> float:
        """Predicted sentence BLEU-4 (0-100) of a *chosen* candidate (the confidence)."""
        return float(vector @ self.confidence_weights)

    def to_json(self) -> str:
        """Serialise as JSON (feature names, weights, provenance)."""
        return json.dumps(
            {
                "features": list(FEATURES),
                "weights": [round(float(w), 6) for w in self.weights],
                "confidence_weights": [round(float(w), 6) for w in self.confidence_weights],
                "info": self.info,
                "openers": sorted(self.openers or ()),
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, origin: str = "ranker weights") -> Ranker:
        """Parse :meth:`to_json` output; the feature names must match this version."""
        try:
            data = json.loads(text)
            names, weights = data["features"], [float(w) for w in data["weights"]]
            confidence = data.get("confidence_weights")
            confidence = None if confidence is None else [float(w) for w in confidence]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise RankerError(f"{origin} is not a valid ranker file ({exc})") from exc
        if list(names) != list(FEATURES):
            raise RankerError(
                f"{origin} was fitted for features {names}, this version uses {list(FEATURES)}; "
                "refit it with `python -m assistant.workshop.training.ranker_fit`"
            )
        openers = data.get("openers") or None
        if openers is not None and not all(isinstance(w, str) for w in openers):
            raise RankerError(f"{origin} has a malformed openers list")
        return cls(weights, data.get("info") or {}, openers, confidence)

    @classmethod
    def load(cls, path: Path | None = None) -> Ranker:
        """Load weights from ``path`` (default: the packaged ``assistant/data/ranker.json``)."""
        if path is None:
            resource = resources.files("assistant") / "data" / "ranker.json"
            try:
                return cls.from_json(resource.read_text(encoding="utf-8"), str(resource))
            except OSError as exc:
                raise RankerError(
                    f"{resource} is missing ({exc}); reinstall docgen or refit it with "
                    "`python -m assistant.workshop.training.ranker_fit`"
                ) from exc
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise RankerError(f"cannot read ranker weights {path} ({exc})") from exc
        return cls.from_json(text, str(path))

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        targets: np.ndarray,
        info: dict | None = None,
        openers: list[str] | None = None,
    ) -> Ranker:
        """Least-squares fit of the weights to observed sentence BLEU-4 scores."""
        if len(vectors) == 0:
            raise RankerError("no training candidates")
        weights, *_ = np.linalg.lstsq(np.asarray(vectors), np.asarray(targets), rcond=None)
        return cls([float(w) for w in weights], info, openers)


_DEFAULT: Ranker | None = None


def default_ranker() -> Ranker:
    """The packaged ranker, loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Ranker.load()
    return _DEFAULT
