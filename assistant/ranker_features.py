"""The candidates of the ranker (:mod:`assistant.ranker`) and their features.

Each candidate summary (:class:`Candidate`) of refinement's pool is described by a few
numbers computed from the code, the name, the retrieved evidence and the rest of the pool
(:func:`features`, in the order of :data:`FEATURES`): its source and rank, how its name
relates to the symbol's (:func:`relation`, :func:`private_for_public`), how well it agrees
with the other candidates, and for borrowed summaries how similar the lender's code is to
the symbol's: ``corpus_sim`` (with its knee, :data:`CORPUS_SIM_KNEE`) for corpus entries,
``neighbour_sim`` and ``neighbour_sim_high`` (the retrieval cosine, and its part above
:data:`NEIGHBOUR_SIM_KNEE`) for repository neighbours. The last two inform the confidence
only (:data:`CONFIDENCE_ONLY`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

FEATURES = (
    "is_name",
    "is_model",
    "neighbour_1",
    "neighbour_2",
    "neighbour_3plus",
    "name_jaccard",
    "same_first_word",
    "name_cover",
    "support",
    "length",
    "model_prob",
    "is_corpus",
    "corpus_sim",
    "corpus_sim_high",
    "corpus_same_name",
    "agree_neighbours",
    "agree_model",
    "agree_corpus",
    "adapted",
    "same_name",
    "name_phrase",
    "class_copy",
    "other_owner",
    "unrelated_owner",
    "unadapted_difference",
    "private_neighbour",
    "private_same_name",
    "neighbour_sim",
    "neighbour_sim_high",
    "kind_class_call",
    "kind_function_method",
    "bias",
)
"""Feature names, in the order of :meth:`Ranker.weights` (see :func:`features`)."""


TRAIN_CALIBRATED = (
    "private_neighbour",
    "private_same_name",
    "kind_class_call",
    "kind_function_method",
)
"""Features whose *confidence* weights are fitted on the training split's pools (see
:func:`assistant.workshop.training.ranker_fit.train_residual_weights`): the validation
packages hold too few such candidates (24 same-named private/public pairs) to fit them,
and a neighbour of another kind than the symbol's is overestimated there by 3-9 sentence
BLEU (BENCHMARKS.md, "Tried as a user would on three small repositories")."""

KIND_FEATURES = ("kind_class_call", "kind_function_method")
"""A neighbour of another kind: a class and a function or method, or a function and a
method (known when retrieval gave the neighbour's kind: :attr:`Candidate.kind`)."""

UNUSED = ("neighbour_sim", "neighbour_sim_high")
"""Features held at zero in both weight vectors: the neighbour's retrieval cosine ordered
the confidence better on the validation packages but lowered the acceptable share at the
0.6 floor (70.1 % -> 68.3 %: MODEL_CARD.md, "Confidence with the neighbour's similarity")."""

CONFIDENCE_ONLY = ("neighbour_sim", "neighbour_sim_high", *KIND_FEATURES)
"""Features whose *choice* weights are held at zero when fitting (only the confidence
weights use them): on the validation packages, 2-fold by package, letting the choice use a
neighbour's retrieval cosine lost 0.0-0.2 in-repo BLEU in every form tried, while the
confidence predicted the chosen summary's BLEU better with it (BENCHMARKS.md, "Ranker:
the neighbour's retrieval similarity")."""

NEIGHBOUR_SIM_KNEE = 0.8
"""Above this cosine a repository neighbour's adapted summary gets better fast
(validation packages, sentence BLEU-4 of neighbour candidates: 16.3 at 0.6-0.7, 24.4 at
0.7-0.8, 35.8 at 0.8-0.9, 55.1 above 0.9), so ``neighbour_sim_high`` is the cosine above it."""

CORPUS_SIM_KNEE = 0.7
"""Above this cosine a corpus neighbour's summary gets better fast (validation packages,
sentence BLEU-4 of adapted corpus summaries: 10.8 at 0.6-0.7, 14.3 at 0.7-0.8, 23.8 at
0.8-0.9; the name sentence: 13.4), so ``corpus_sim_high`` is the similarity above it."""


@dataclass(slots=True)
class Candidate:
    """One candidate summary and where it came from.

    Attributes:
        text: The summary.
        source: ``model``, ``neighbour``, ``corpus`` or ``name``.
        rank: Position among the candidates of its source (0 = best / most similar).
        model_score: Length-normalised log-probability (model candidates only).
        other_words: Name words of the symbol a ``neighbour`` or ``corpus`` candidate
            came from.
        detail: Where it came from: a neighbour's qualname, a corpus entry's package.
        similarity: Cosine similarity of a ``corpus`` or ``neighbour`` candidate's code to
            this symbol's, as retrieval scored it (0.0 when unknown).
        original: A ``neighbour`` or ``corpus`` candidate's summary before
            :func:`adapt_summary` (``adapted`` feature: whether adaptation changed it).
        named: Whether ``detail`` is a neighbour's qualified name as retrieval gave it
            (:func:`relation` needs it), not a bare name.
        kind: A ``neighbour`` candidate's symbol kind (``function``, ``method``,
            ``class``), empty when unknown.
    """

    text: str
    source: str
    rank: int = 0
    model_score: float = 0.0
    other_words: tuple[str, ...] = ()
    detail: str = ""
    similarity: float = 0.0
    original: str = ""
    named: bool = False
    kind: str = ""


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def looks_like_class(name: str) -> bool:
    """Whether a bare name is spelt as a class (``Flatten``, ``AnyOf``; not ``GROUP``,
    ``get_state`` or ``_Private_thing``)."""
    bare = name.lstrip("_")
    return bool(bare) and bare[0].isupper() and any(c.islower() for c in bare) and "_" not in bare


def _owner_words(owner: str) -> set[str]:
    last = owner.rpartition(".")[2]
    return {w.lower() for w in re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", last)}


def relation(
    candidate: Candidate, target_qualname: str, target_kind: str
) -> tuple[bool, bool, bool]:
    """How a ``neighbour`` candidate's symbol relates to the target, ``(class_copy,
    other_owner, unrelated_owner)``: it is a class while the target is a function or
    method (``Iter.first`` <- ``First``: the class's sentence describes the object built,
    not the call); it is the method of the same name on another class or module level
    (``other_owner``); and that owner shares no word with the target's
    (``unrelated_owner``: ``Event.add_callback`` <- ``State.add_callback``, ``flatten`` <-
    ``Iter.flatten``; a related owner such as ``AsyncState`` for ``State`` is usually a
    subclass overriding the method). Known only when retrieval named the neighbour (its
    qualname in :attr:`Candidate.detail`)."""
    if candidate.source != "neighbour" or not candidate.named:
        return False, False, False
    owner, _, name = candidate.detail.rpartition(".")
    mine_owner, _, mine = target_qualname.rpartition(".")
    target_is_class = target_kind == "class" or looks_like_class(mine)
    class_copy = looks_like_class(name) and not target_is_class
    other_owner = bool(mine) and name == mine and owner != mine_owner
    unrelated = other_owner and not _owner_words(owner) & _owner_words(mine_owner)
    return class_copy, other_owner, unrelated


def private_for_public(candidate: Candidate, target_qualname: str) -> bool:
    """Whether a ``neighbour`` candidate is a private symbol's (``_trigger``) borrowed for
    a public one (``trigger``): a private helper's sentence speaks of its own narrower job
    ("Internal trigger function called by the Machine"). Over the dataset's training split
    a same-named private neighbour of a public symbol scores 34.0 sentence BLEU-4 against
    its summary, a public one 56.7 (793 / 26,351 pairs; BENCHMARKS "Ranker: number
    agreement ...")."""
    if candidate.source != "neighbour" or not target_qualname:
        return False
    theirs = candidate.detail.rpartition(".")[2]
    mine = target_qualname.rpartition(".")[2]
    private = theirs.startswith("_") and not theirs.startswith("__")
    return private and not mine.startswith("_")


def features(
    candidate: Candidate,
    name_words: list[str],
    text_words: list[str],
    support: float,
    agree: tuple[float, float, float] = (0.0, 0.0, 0.0),
    target_qualname: str = "",
    target_kind: str = "function",
) -> np.ndarray:
    """The feature vector of a candidate (order of :data:`FEATURES`).

    Args:
        candidate: The candidate (its text already cleaned by refinement).
        name_words: This symbol's name split into lowercase words.
        text_words: The candidate's text split the same way.
        support: Share of the candidate's content words found in the code or evidence.
        agree: The candidate's :func:`agreement` with the rest of its pool.
        target_qualname: This symbol's qualified name (``Event.add_callback``).
        target_kind: This symbol's kind (``function``, ``method``, ``class``).
    """
    own = set(name_words)
    is_neighbour = candidate.source == "neighbour"
    is_corpus = candidate.source == "corpus"
    borrowed = is_neighbour or is_corpus
    other = set(candidate.other_words)
    jaccard = len(own & other) / max(1, len(own | other)) if borrowed else 0.0
    same_first = float(
        borrowed and bool(name_words) and candidate.other_words[:1] == tuple(name_words[:1])
    )
    prob = float(np.exp(min(0.0, candidate.model_score))) if candidate.source == "model" else 0.0
    adapted = borrowed and _words(candidate.text) != _words(candidate.original or candidate.text)
    phrase = " ".join(name_words)
    same_name = borrowed and bool(name_words) and candidate.other_words == tuple(name_words)
    class_copy, other_owner, unrelated_owner = relation(candidate, target_qualname, target_kind)
    private = private_for_public(candidate, target_qualname)
    neighbour_sim = candidate.similarity if is_neighbour else 0.0
    kinds = {candidate.kind, target_kind} if is_neighbour and candidate.kind else set()
    return np.array(
        [
            candidate.source == "name",
            candidate.source == "model",
            is_neighbour and candidate.rank == 0,
            is_neighbour and candidate.rank == 1,
            is_neighbour and candidate.rank >= 2,
            jaccard,
            same_first,
            len(own & set(text_words)) / max(1, len(own)),
            support,
            min(len(candidate.text.split()), 20) / 20,
            prob,
            is_corpus,
            candidate.similarity if is_corpus else 0.0,
            max(0.0, candidate.similarity - CORPUS_SIM_KNEE) if is_corpus else 0.0,
            is_corpus and bool(name_words) and candidate.other_words == tuple(name_words),
            *agree,
            adapted,
            same_name,
            bool(phrase) and f" {phrase} " in f" {' '.join(text_words)} ",
            class_copy,
            other_owner,
            unrelated_owner,
            borrowed and not same_name and not adapted,  # the names differ, the text does not
            private,
            private and same_name,  # "_trigger" for "trigger": the same words, a helper's job
            neighbour_sim,
            max(0.0, neighbour_sim - NEIGHBOUR_SIM_KNEE),
            "class" in kinds and bool(kinds & {"function", "method"}),
            kinds == {"function", "method"},
            1.0,
        ],
        dtype=np.float64,
    )
