"""Smoothed sentence BLEU-4 as in CodeXGLUE code-to-text (CodeT5's ``smooth_bleu.py``).

Both sides are lowercased and split into word and punctuation tokens
(``splitPuncts``), normalised like the NIST script (``normalize``), scored per sentence
with +1 smoothing for n >= 2, the shortest-reference brevity penalty, and averaged over
sentences x100. Kept faithful to the reference so scores compare with published ones.
"""

from __future__ import annotations

import math
import re
import sys
import xml.sax.saxutils
from collections.abc import Sequence

_NORMALIZE1 = [(re.compile("<skipped>"), ""), (re.compile(r"-\n"), ""), (re.compile(r"\n"), " ")]
_NORMALIZE2 = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]
_SPLIT = re.compile(r"[\w]+|[^\s\w]")
_TINY = sys.float_info.min


def split_puncts(line: str) -> str:
    """CodeXGLUE's ``splitPuncts``: words and single punctuation marks, space-joined."""
    return " ".join(_SPLIT.findall(line))


def _normalize(text: str) -> list[str]:
    for pattern, repl in _NORMALIZE1:
        text = pattern.sub(repl, text)
    text = xml.sax.saxutils.unescape(text, {"&quot;": '"'})
    text = f" {text} ".lower()
    for pattern, repl in _NORMALIZE2:
        text = pattern.sub(repl, text)
    return text.split()


def _ngrams(words: list[str], n: int = 4) -> dict[tuple[str, ...], int]:
    counts: dict[tuple[str, ...], int] = {}
    for k in range(1, n + 1):
        for i in range(len(words) - k + 1):
            gram = tuple(words[i : i + k])
            counts[gram] = counts.get(gram, 0) + 1
    return counts


def sentence_bleu(references: Sequence[str], candidate: str, n: int = 4) -> float:
    """Smoothed BLEU-4 of one candidate (0..1), inputs already lowercased/split.

    Args:
        references: Reference sentences.
        candidate: The hypothesis.
        n: Maximum n-gram order.

    Returns:
        BLEU in 0..1.
    """
    refs = [_normalize(r) for r in references]
    max_counts: dict[tuple[str, ...], int] = {}
    for ref in refs:
        for gram, count in _ngrams(ref, n).items():
            max_counts[gram] = max(max_counts.get(gram, 0), count)
    test = _normalize(candidate)
    reflen = min(len(r) for r in refs) if refs else 0
    guess = [max(len(test) - k + 1, 0) for k in range(1, n + 1)]
    correct = [0] * n
    for gram, count in _ngrams(test, n).items():
        correct[len(gram) - 1] += min(max_counts.get(gram, 0), count)
    logbleu = 0.0
    for k in range(n):
        smooth = 1 if k > 0 else 0
        logbleu += math.log(correct[k] + smooth + _TINY) - math.log(guess[k] + smooth + _TINY)
    logbleu /= n
    brevity = min(0.0, 1 - (reflen + 1) / (len(test) + 1))
    return math.exp(logbleu + brevity)


def smoothed_bleu4(references: Sequence[str], predictions: Sequence[str]) -> float:
    """Corpus score: mean sentence smoothed BLEU-4 x100 (the CodeXGLUE number).

    Args:
        references: One gold summary per example.
        predictions: One predicted summary per example, same order.

    Returns:
        The score in 0..100 (0 for empty input).
    """
    if len(references) != len(predictions):
        raise ValueError("references and predictions differ in length")
    if not references:
        return 0.0
    total = 0.0
    for ref, pred in zip(references, predictions, strict=True):
        gold = split_puncts(ref.strip().lower())
        hyp = split_puncts(pred.strip().lower())
        total += sentence_bleu([gold], hyp)
    return 100.0 * total / len(references)
