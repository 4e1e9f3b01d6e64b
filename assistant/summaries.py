"""Summary choice and cleaning: pick the best drafted summary and strip what the evidence
does not support.

The model writes only the one-sentence summary. This module:

1. gathers candidates (the model's beams, the retrieved neighbours' summaries adapted to
   this symbol's name, the name as a sentence) and keeps the one the learned ranker
   (:mod:`assistant.ranker`) predicts closest to a human summary (:func:`choose_summary`);
2. removes words that name identifiers existing nowhere in the code or the context
   (``foo_bar``, ``fooBar``, ``a.b``, ```x```), reporting them as ``flagged``;
3. gives the result a confidence in 0..1.

The docstring's structure (parameters, returns, raises) is taken from the code alone by
:mod:`assistant.styles.build`; parameter prose comes from :mod:`assistant.lexicon`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from assistant.borrowing import can_describe
from assistant.corpus import CorpusHit
from assistant.prompt import first_sentence
from assistant.ranker import (
    Candidate,
    Ranker,
    adapt_summary,
    agreement,
    default_ranker,
    made_plural,
)
from assistant.ranker import features as ranker_features
from indexer.symbols import Symbol

_WORD = re.compile(
    r"<?https?://[^\s>]+>?|``[^`]+``|`[^`]+`|\*\w+\*|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?|\S"
)
_SPLIT_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_STOP = set(
    "a an the of for to in on at by with from and or not no is are be been it its this that "
    "these those as if when whether which who into over under than then there their all any "
    "each every some given new current other one two given returns return given".split()
)
_DOC_WORDS = set(
    "return returns get gets set sets create creates build builds make makes compute computes "
    "check checks find finds load loads save saves read reads write writes update updates add "
    "adds remove removes convert converts parse parses run runs handle handles initialize "
    "initializes value values list lists number object objects instance string strings true "
    "false none result results whether given specified provided new data item items name names "
    "method function class module default optional".split()
)
_CONNECTORS = {"the", "a", "an", "of", "for", "to", "in", "with", "from", "by", "and", "or"}
_DETERMINERS = {"the", "a", "an", "given", "specified", "provided", "each", "all"}
_CONNECTORS |= _DETERMINERS | {"via", "using", "on", "at", "into"}
_NEEDS_OBJECT = set("like unlike as than around about over onto per against within through".split())
_NEEDS_OBJECT |= set("across between inside toward so that if when whether because unless".split())
_NEEDS_OBJECT |= {"until", "while"} | (_CONNECTORS - _DETERMINERS - {"and", "or"})
"""Words that cannot stand without what follows them: an identifier removed right after
one leaves a broken sentence ("Like ``is_valid_args`` for the given signature spec" ->
"Like for the given signature spec"; "Register *target_type* so :meth:`glom()` will know
..." -> "Register so will know ...")."""
_TRAILING = re.compile(
    r"\s+(?:" + "|".join(sorted(_CONNECTORS | _NEEDS_OBJECT)) + r")(?=[.!?]?$)", re.IGNORECASE
)
"""A word left dangling at the end of a summary once an identifier after it is removed."""


def split_identifier(name: str) -> list[str]:
    """Split ``get_userName2`` into ``['get', 'user', 'name', '2']`` (lowercased)."""
    parts = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        parts += [p.lower() for p in _SPLIT_CAMEL.findall(chunk)]
    return parts


@dataclass(slots=True)
class Vocabulary:
    """What the code and the evidence name: full identifiers and their lowercase words."""

    identifiers: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Vocabulary:
        """Collect identifiers and words from code and evidence texts."""
        vocab = cls()
        for text in texts:
            for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text or ""):
                vocab.identifiers.add(token.lower())
                vocab.words.update(split_identifier(token))
        return vocab

    def knows_identifier(self, token: str) -> bool:
        """Whether an identifier-like token (``a.b``, ``foo_bar``, ```x```) is grounded."""
        bare = token.strip("`*").removesuffix("()").strip()
        parts = [p for p in re.split(r"[^A-Za-z0-9_]+", bare) if p]
        return bool(parts) and all(p.lower() in self.identifiers for p in parts)


def is_identifier_like(token: str) -> bool:
    """Whether a token of prose names code rather than being an English word."""
    if token.startswith("`") and token.endswith("`") and len(token) > 2:
        return True
    if re.fullmatch(r"\*\w+\*", token):  # reST emphasis, how docstrings name parameters
        return True
    core = token.removesuffix("()")
    if not re.fullmatch(r"[A-Za-z_][\w.]*", core) or core.endswith("."):
        return False
    return (
        "_" in core.strip("_")
        or core.startswith("_")
        or token.endswith("()")
        or bool(re.search(r"[a-z][A-Z]", core))
        or bool(re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", core))
    )


def remove_invented(summary: str, vocab: Vocabulary) -> tuple[str, list[str]]:
    """Remove identifier-like words that exist nowhere in the code or the evidence.

    Returns:
        The cleaned summary (empty when a removed word was the object of a preposition
        or of "like" inside the sentence: what is left is broken) and the removed words.
    """
    flagged: list[str] = []
    kept: list[str] = []
    dropped = dangling = broken = False
    for token in _WORD.findall(summary):
        if is_identifier_like(token) and not vocab.knows_identifier(token):
            flagged.append(token)
            if len(kept) >= 3 and kept[-1] == kept[-3] == ":" and kept[-2].isalpha():
                del kept[-3:]  # its reST role: ":class:`Name`"
            while kept and kept[-1].lower() in _DETERMINERS:
                kept.pop()
            dangling = bool(kept) and kept[-1].lower() in _NEEDS_OBJECT
            dropped = True
            continue
        if dropped and token.lower() in ("and", "or", ","):
            continue
        # "Like <removed> for the spec": the sentence goes on without the object (at its
        # end, the dangling word is trimmed below: "... from the cache via <removed>.")
        broken = broken or (dropped and dangling and token[:1].isalpha())
        dropped = False
        kept.append(token)
    if not flagged:
        return summary, []
    if broken:  # what is left does not say anything true
        return "", flagged
    text = " ".join(kept)
    text = re.sub(r"\s+([.,;:!?)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"([,;:])\s*(?=[.!?]|$)", "", text)
    while _TRAILING.search(text):
        text = _TRAILING.sub("", text)
    return text.strip(), flagged


_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_CLOSERS = {right: left for left, right in _PAIRS.items()}


def _unmatched_brackets(text: str) -> set[int]:
    """Positions of the brackets of ``text`` that no bracket of the same kind closes (or
    opens), matched across words: "(in seconds)" is one balanced aside."""
    stack: list[tuple[str, int]] = []
    unmatched: set[int] = set()
    for i, char in enumerate(text):
        if char in _PAIRS:
            stack.append((char, i))
        elif char in _CLOSERS:
            if stack and stack[-1][0] == _CLOSERS[char]:
                stack.pop()
            else:
                unmatched.add(i)
    return unmatched | {i for _, i in stack}


def tidy(text: str) -> str:
    """Drop unbalanced brackets (model noise, not prose) and tokens without a letter or
    digit; a balanced parenthesis of several words stays."""
    unmatched = _unmatched_brackets(text)
    text = "".join(c for i, c in enumerate(text) if i not in unmatched)
    return " ".join(t for t in text.split() if any(c.isalnum() for c in t))


def normalize_summary(text: str) -> str:
    """One sentence, first letter capitalised, ending with a period."""
    text = tidy(text)
    text = first_sentence(text) or " ".join(text.split())
    text = text.strip().strip("\"'")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if text[-1] not in ".!?":
        text += "."
    return text


NAME_CONFIDENCE = 0.1
"""The confidence of a summary that is the name as a sentence and nothing more."""


def name_summary(symbol: Symbol) -> str:
    """A summary made from the name alone (``get_user_name`` -> ``Get user name.``)."""
    words = split_identifier(symbol.name) or [symbol.kind]
    return normalize_summary(" ".join(words))


def support(summary: str, vocab: Vocabulary) -> float:
    """Share of the summary's content words found in the code or evidence (1.0 if none)."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", summary)]
    content = [w for w in words if len(w) > 2 and w not in _STOP and w not in _DOC_WORDS]
    if not content:
        return 0.5
    return sum(1 for w in content if w in vocab.words) / len(content)


def _repetition(summary: str) -> float:
    """Share of repeated word trigrams (0 for none), plus any word used over 3 times."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", summary)]
    if len(words) < 3:
        return 0.0 if words else 1.0
    trigrams = list(zip(words, words[1:], words[2:], strict=False))
    repeated = 1.0 - len(set(trigrams)) / len(trigrams)
    top = Counter(words).most_common(1)[0][1]
    return repeated + max(0.0, (top - 3) / len(words))


def cut_loops(text: str) -> str:
    """Drop immediate repeats of a word run: ``a list of x list of x lists`` keeps one run
    and the tail (``a list of x lists``); ``the the`` becomes ``the``."""
    words = text.split()
    key = [w.lower().strip(".,;:") for w in words]
    for size in range(1, 8):
        for start in range(len(words) - 2 * size + 1):
            run = key[start : start + size]
            end = start + size
            while key[end : end + size] == run:
                end += size
            if end > start + size:
                return cut_loops(" ".join(words[: start + size] + words[end:]))
    return text


@dataclass(slots=True)
class Refined:
    """The chosen summary, its confidence and what was removed from it."""

    summary: str
    confidence: float
    flagged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raises: dict[str, str] | None = None
    """Exception -> description from the code (see
    :func:`assistant.styles.build.raise_descriptions`), cached
    with the summary so a cache hit needs no ``ast`` parse."""
    evidence: list[str] = field(default_factory=list)
    """The evidence texts whose identifiers the docstring may name (see
    :func:`assistant.faithfulness.grounding_texts`); set per run, not cached."""
    provenance: tuple[str, str] = ("model", "")
    """Where the summary came from, ``(source, detail)`` (see :func:`provenance_of`):
    ``("model", "")``, ``("repo-neighbour", qualname)``, ``("corpus", package)`` or
    ``("name", "")``; cached with the summary."""


def choose_summary(
    candidates: list[tuple[str, float]],
    vocab: Vocabulary,
    symbol: Symbol,
    similar: list[tuple[str, ...]] | None = None,
    ranker: Ranker | None = None,
    grounded: Vocabulary | None = None,
    corpus: list[CorpusHit] | None = None,
) -> Refined:
    """Pick the best summary among the model's, the neighbours' and the name's; clean it.

    Candidates: the model's beams ``(text, length-normalised log-probability)``, the
    summaries of the retrieved similar symbols ``similar`` (``(name, summary[, qualname[,
    similarity[, kind]]])``, most similar first; see
    :func:`assistant.prompt.named_neighbours`) adapted to this symbol's name
    (:func:`~assistant.ranker.adapt_summary`), and the name as a sentence. Each is
    cleaned (loops cut, invented identifiers removed), then scored
    by the learned :class:`~assistant.ranker.Ranker` (a score on the sentence BLEU-4
    scale) minus penalties for removed identifiers (12.5 each) and repetition. The
    confidence is the winner's predicted sentence BLEU-4
    (:meth:`~assistant.ranker.Ranker.expected_bleu`) less the same penalties, / 50,
    clipped to 0..1 (calibrated in MODEL_CARD.md, "Calibration").
    Candidates of fewer than two words are skipped; if none is left, the name is used
    with confidence 0.1. The result's :attr:`Refined.provenance` names the winner.

    ``grounded``: the identifiers a summary may name (default ``vocab``); the pipeline
    passes the code and the evidence *about* it, without the similar symbols' summaries
    (which describe other code).

    ``corpus``: the symbol's neighbours in the shipped cold-start corpus
    (:mod:`assistant.corpus`), adapted like ``similar``; when the repository offers a
    neighbour too, a corpus candidate always scores below the best of them.
    """
    ranker = ranker or default_ranker()
    best: Refined | None = None
    best_score = -math.inf
    pool = candidate_pool(candidates, vocab, symbol, similar, ranker.openers, grounded, corpus)
    scored = [(c, flagged, v, candidate_score(ranker, c, flagged, v)) for c, flagged, v in pool]
    repo_best = max((s for c, _, _, s in scored if c.source == "neighbour"), default=None)
    for candidate, flagged, vector, score in scored:
        if candidate.source == "corpus" and repo_best is not None:
            score = min(score, repo_best - 1e-6)  # same-repository evidence first
        if score > best_score:
            notes = [f"removed unsupported identifier(s): {', '.join(flagged)}"] if flagged else []
            if candidate.source in _SOURCE_NOTES:
                notes.append(_SOURCE_NOTES[candidate.source])
            best_score = score
            penalty = ranker.predict(vector) - candidate_score(ranker, candidate, flagged, vector)
            expected = ranker.expected_bleu(vector) - penalty
            confidence = min(1.0, max(0.0, expected / 50.0))
            best = Refined(candidate.text, confidence, flagged, notes)
            best.provenance = provenance_of(candidate)
    if best is None:
        return Refined(
            name_summary(symbol),
            NAME_CONFIDENCE,
            [],
            ["the model gave no usable summary; this one is made from the name"],
            provenance=("name", ""),
        )
    return best


def candidate_score(
    ranker: Ranker, candidate: Candidate, flagged: list[str], vector: np.ndarray
) -> float:
    """What :func:`choose_summary` ranks a cleaned candidate of :func:`candidate_pool` by:
    the ranker's score (sentence BLEU-4 scale), less 12.5 per removed identifier and 50 x
    the repetition of its words."""
    return ranker.predict(vector) - 12.5 * len(flagged) - 50.0 * _repetition(candidate.text)


PROVENANCE_SOURCES = ("model", "repo-neighbour", "corpus", "name")
"""The ``source`` values of a record's provenance (README, "JSON records")."""


def provenance_of(candidate: Candidate) -> tuple[str, str]:
    """A chosen candidate's provenance ``(source, detail)`` as records show it.

    ``neighbour`` (a same-repository symbol, detail its qualified name) reads
    ``repo-neighbour``; ``model``, ``corpus`` (detail: the corpus entry's package) and
    ``name`` keep their names. A source this version does not know is passed through, so
    a new kind of candidate is never mislabelled as another.
    """
    source = {"neighbour": "repo-neighbour"}.get(candidate.source, candidate.source)
    return source, candidate.detail


def candidate_pool(
    candidates: list[tuple[str, float]],
    vocab: Vocabulary,
    symbol: Symbol,
    similar: list[tuple[str, ...]] | None = None,
    openers: frozenset[str] | None = None,
    grounded: Vocabulary | None = None,
    corpus: list[CorpusHit] | None = None,
) -> list[tuple[Candidate, list[str], np.ndarray]]:
    """The cleaned candidates of :func:`choose_summary` with their removed identifiers and
    ranker feature vectors (also what :mod:`assistant.workshop.training.ranker_fit` learns from).
    ``openers``: see :func:`~assistant.ranker.adapt_summary`; ``grounded``: identifiers a
    summary may name (default ``vocab``); ``corpus``: cold-start corpus neighbours, most
    similar first (``Candidate(source="corpus", detail=package)``); ``similar``: ``(name,
    summary[, qualname[, similarity[, kind]]])`` of the repository neighbours, most similar
    first (:func:`assistant.prompt.named_neighbours`). A borrowed summary that names the
    symbol itself, or cannot describe it (:func:`assistant.borrowing.can_describe`), is no
    candidate; one adapted from a
    singular name to a plural one makes a plural parameter's noun plural too
    (:func:`plural_parameters`)."""
    name_words = split_identifier(symbol.name)
    pool = [Candidate(text, "model", i, score) for i, (text, score) in enumerate(candidates)]
    for i, (other, summary, *where) in enumerate(similar or []):
        if not can_describe(summary, other, symbol):
            continue  # "Extends Event.trigger by ...": another symbol, described through ours
        other_words = split_identifier(other)
        adapted = adapt_summary(summary, other_words, name_words, openers)
        if adapted is not None:
            adapted = fix_preposition(summary, adapted)
            adapted = plural_parameters(adapted, other_words, name_words, symbol)
            detail = where[0] if where else other  # its qualname when retrieval named it
            candidate = Candidate(adapted, "neighbour", i, 0.0, tuple(other_words), detail)
            candidate.original, candidate.named = summary, bool(where)
            candidate.similarity = float(where[1]) if len(where) > 1 else 0.0
            candidate.kind = str(where[2]) if len(where) > 2 else ""
            pool.append(candidate)
    for i, hit in enumerate(corpus or []):
        if not can_describe(hit.summary, hit.name, symbol):
            continue
        other_words = split_identifier(hit.name)
        adapted = adapt_summary(hit.summary, other_words, name_words, openers)
        if adapted is not None:
            adapted = fix_preposition(hit.summary, adapted)
            adapted = plural_parameters(adapted, other_words, name_words, symbol)
            words = tuple(other_words)
            candidate = Candidate(adapted, "corpus", i, 0.0, words, hit.package, hit.similarity)
            candidate.original = hit.summary
            pool.append(candidate)
    pool.append(Candidate(name_summary(symbol), "name"))
    kept: list[tuple[Candidate, list[str]]] = []
    for candidate in pool:
        summary = normalize_summary(cut_loops(tidy(candidate.text)))
        if not summary:
            continue
        cleaned, flagged = remove_invented(summary, grounded or vocab)
        cleaned = normalize_summary(cut_loops(cleaned)) if cleaned.strip(" .") else ""
        if sum(1 for word in cleaned.split() if any(c.isalpha() for c in word)) < 2:
            continue
        candidate.text = cleaned
        kept.append((candidate, flagged))
    agree = agreement([c.text for c, _ in kept], [c.source for c, _ in kept])
    out = []
    for (candidate, flagged), together in zip(kept, agree, strict=True):
        words = split_identifier(candidate.text)
        vector = ranker_features(
            candidate,
            name_words,
            words,
            support(candidate.text, vocab),
            together,
            symbol.qualname,
            symbol.kind,
        )
        out.append((candidate, flagged, vector))
    return out


def plural_parameters(
    text: str, other_words: list[str], name_words: list[str], symbol: Symbol
) -> str:
    """When our name is the neighbour's made plural (``add_substate`` -> ``add_substates``)
    and we take a plural parameter (``states``) but not its singular, the neighbour's "a
    state" is ours "states": "Adds a state as substates." -> "Adds states as substates."."""
    if len(other_words) != len(name_words):
        return text
    pairs = [(a, b) for a, b in zip(other_words, name_words, strict=True) if a != b]
    if not pairs or not all(made_plural(a, b) for a, b in pairs):
        return text
    names = {p.name.lstrip("*") for p in symbol.parameters}
    for name in sorted(names):
        for one in _singulars(name):
            if one not in names and len(one) >= 3:
                pattern = rf"\b(?:[Aa]n?|[Aa] single|[Oo]ne)\s+{re.escape(one)}\b"
                text = re.sub(pattern, name, text)
    return text


def _singulars(word: str) -> list[str]:
    """The singular forms a plural parameter name may have (``states``, ``entries``)."""
    if word.endswith("ies"):
        return [word[:-3] + "y"]
    if word.endswith("es"):
        return [word[:-1], word[:-2]]
    return [word[:-1]] if word.endswith("s") and not word.endswith("ss") else []


_TOWARD = {"add", "append", "insert", "push", "put", "send", "write", "attach", "save", "store"}
_TOWARD |= {"copy", "move", "upload", "register", "assign", "bind", "connect", "subscribe"}
_AWAY = {"remove", "delete", "pop", "pull", "take", "detach", "load", "read", "fetch", "get"}
_AWAY |= {"drop", "discard", "download", "unregister", "unbind", "disconnect", "unsubscribe"}
_AWAY |= {"receive", "extract", "withdraw"}


def _verb(text: str) -> str:
    word = (text.split() or [""])[0].lower().strip(".,;:")
    return word[:-1] if word.endswith("s") and word[:-1] in _TOWARD | _AWAY else word


def fix_preposition(original: str, adapted: str) -> str:
    """Keep an adapted summary's preposition true to its new verb: ``add_stock``'s "Add
    units to the warehouse." adapted to ``remove_stock`` reads "Remove units from the
    warehouse.", not "... to the warehouse."."""
    before, after = _verb(original), _verb(adapted)
    if before in _TOWARD and after in _AWAY:
        return re.sub(r"\b(?:to|into|onto)\b", "from", adapted, count=1)
    if before in _AWAY and after in _TOWARD:
        return re.sub(r"\bfrom\b", "to", adapted, count=1)
    return adapted


_SOURCE_NOTES = {
    "neighbour": "summary adapted from a similar documented symbol of the repository",
    "corpus": "summary adapted from a similar documented function of the shipped open-source "
    "corpus (see assistant/data/NOTICE-corpus)",
    "name": "summary made from the name (ranked above the model's drafts)",
}
