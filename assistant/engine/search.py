"""Greedy and beam search in numpy over any step function (runtime side, backend independent).

A backend provides a :class:`Stepper`: it runs the encoder once, then returns the
next-token logits for a batch of decoder rows, keeping its own KV cache. Search decides
tokens, stops finished rows, and reorders the cache for beams.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.engine.types import GenerationConfig

_GATE = threading.local()


def set_step_gate(gate: Callable[[], None] | None) -> None:
    """Give this thread's searches a gate, called before every decoder step (None: none).

    The batcher's bulk lane sets one that waits while interactive work runs, so a bulk
    batch already under way yields the cores step by step, not only between batches."""
    _GATE.fn = gate


def step_gate() -> None:
    """Wait at this thread's gate, if it has one (the search loops call it before each
    decoder step; another generator's own loop may call it too)."""
    gate = getattr(_GATE, "fn", None)
    if gate is not None:
        gate()


class Stepper(Protocol):
    """One prepared batch of encoder outputs plus a decoder KV cache."""

    def step(self, tokens: np.ndarray) -> np.ndarray:
        """Feed ``tokens`` (``(rows,)`` int64) and return float32 logits ``(rows, vocab)``."""
        ...

    def reorder(self, rows: np.ndarray) -> None:
        """Keep cache rows ``rows`` (beam search): row ``i`` becomes old row ``rows[i]``."""
        ...

    def keep(self, rows: np.ndarray) -> None:
        """Drop every row not in ``rows`` (finished ones); later steps get fewer rows."""
        ...


@dataclass
class Sequence:
    """One finished search result: token ids (EOS included if produced) and its score."""

    tokens: list[int]
    score: float


def ban_repeated_ngrams(
    logits: np.ndarray, generated: np.ndarray, size: int, start_id: int
) -> None:
    """Set to -inf, in place, every token that would repeat an n-gram of ``size`` tokens.

    ``generated`` holds each row's tokens so far; the decoder start token is put in front
    of them, as in the input ids transformers' ``no_repeat_ngram_size`` looks at.
    """
    start = np.full((len(generated), 1), start_id, dtype=np.int64)
    history = np.concatenate([start, generated], axis=1)
    length = history.shape[1]
    if size <= 0 or length < size - 1:
        return
    for row in range(len(history)):
        seq = history[row].tolist()
        prefix = seq[length - size + 1 :] if size > 1 else []
        banned = [
            seq[i + size - 1] for i in range(length - size + 1) if seq[i : i + size - 1] == prefix
        ]
        if banned:
            logits[row, banned] = -np.inf


def _score(sum_logprob: float, length: int, length_penalty: float) -> float:
    return float(sum_logprob / max(length, 1) ** length_penalty)


def greedy_search(
    stepper: Stepper, batch: int, config: GenerationConfig, start_id: int, eos_id: int
) -> list[Sequence]:
    """Pick the most likely token at every step, for ``batch`` rows at once.

    Rows that emit EOS stop; once at least an eighth of the rows in flight are done they
    are dropped from the batch (``stepper.keep``), so a batch costs what its live rows
    cost. The loop ends when all rows are done or after ``config.max_new_tokens``
    steps. EOS is masked out before ``min_new_tokens``.
    """
    tokens = np.full(batch, start_id, dtype=np.int64)
    live = np.arange(batch)  # original row of each row in flight
    done = np.zeros(batch, dtype=bool)  # per row in flight
    sum_logprob = np.zeros(batch, dtype=np.float64)
    lengths = np.zeros(batch, dtype=np.int64)
    out = np.zeros((batch, config.max_new_tokens), dtype=np.int64)
    for t in range(config.max_new_tokens):
        step_gate()
        logits = stepper.step(tokens)
        if t < config.min_new_tokens:
            logits[:, eos_id] = -np.inf
        if config.no_repeat_ngram_size:
            ban_repeated_ngrams(logits, out[live, :t], config.no_repeat_ngram_size, start_id)
        tokens = logits.argmax(axis=-1).astype(np.int64)
        # log p(token) = logit - logsumexp(logits), computed only for the chosen token
        top = logits.max(axis=-1)
        chosen = logits[np.arange(len(tokens)), tokens]
        logprob = chosen - top - np.log(np.exp(logits - top[:, None]).sum(axis=-1))
        rows = live[~done]
        sum_logprob[rows] += logprob[~done]
        lengths[rows] += 1
        out[rows, t] = tokens[~done]
        done |= tokens == eos_id
        if done.all():
            break
        if done.sum() * 8 >= len(done):
            keep = np.flatnonzero(~done)
            stepper.keep(keep)
            live, tokens, done = live[keep], tokens[keep], done[keep]
    return [
        Sequence(out[i, : lengths[i]].tolist(), _score(sum_logprob[i], lengths[i], 1.0))
        for i in range(batch)
    ]


@dataclass
class _Hypotheses:
    """Finished beams of one prompt (keeps the ``num_beams`` best)."""

    num_beams: int
    length_penalty: float
    items: list[Sequence] = field(default_factory=list)
    done: bool = False

    def add(self, tokens: list[int], sum_logprob: float) -> None:
        self.items.append(Sequence(tokens, _score(sum_logprob, len(tokens), self.length_penalty)))
        self.items.sort(key=lambda s: s.score, reverse=True)
        del self.items[self.num_beams :]

    def worst(self) -> float:
        return self.items[-1].score if len(self.items) >= self.num_beams else -np.inf


def beam_search(
    stepper: Stepper, batch: int, config: GenerationConfig, start_id: int, eos_id: int
) -> list[list[Sequence]]:
    """Beam search with ``config.num_beams`` beams per prompt.

    The stepper must hold ``batch * num_beams`` rows (each prompt repeated ``num_beams``
    times, prompt-major). Each step keeps the best ``num_beams`` continuations of every
    prompt out of the top ``2 * num_beams`` candidates; a candidate ending in EOS becomes
    a finished hypothesis. A prompt is done when it has ``num_beams`` finished hypotheses
    and no running beam can beat the worst of them at the current length.

    Returns:
        Per prompt, ``num_return_sequences`` sequences, best first.
    """
    k, lp = config.num_beams, config.length_penalty
    scores = np.zeros((batch, k), dtype=np.float64)
    scores[:, 1:] = -1e9  # all beams start identical: expand only the first one
    tokens = np.full(batch * k, start_id, dtype=np.int64)
    history = np.zeros((batch * k, 0), dtype=np.int64)
    hyps = [_Hypotheses(k, lp) for _ in range(batch)]
    for t in range(config.max_new_tokens):
        step_gate()
        logits = stepper.step(tokens).astype(np.float32)
        # the log-softmax's normaliser over the whole vocabulary; the bans then apply to
        # the log-probabilities (not renormalised)
        normaliser = log_normaliser(logits)
        if t < config.min_new_tokens:
            logits[:, eos_id] = -np.inf
        if config.no_repeat_ngram_size:
            ban_repeated_ngrams(logits, history, config.no_repeat_ngram_size, start_id)
        cand, top, cand_tokens = best_continuations(logits, normaliser, scores, k)
        rows, next_tokens, next_scores = _select_beams(
            cand, top, cand_tokens, hyps, history, cand.shape[1] // k, t + 1, k, eos_id
        )
        scores = next_scores.reshape(batch, k)
        stepper.reorder(rows)
        history = np.concatenate([history[rows], next_tokens[:, None]], axis=1)
        tokens = next_tokens
        if all(h.done for h in hyps):
            break
    for b, h in enumerate(hyps):
        if not h.done:
            for j in range(k):
                h.add(history[b * k + j].tolist(), float(scores[b, j]))
    return [h.items[: config.num_return_sequences] for h in hyps]


def log_normaliser(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's log-softmax normaliser as ``(peak, log_norm)``: a token's log-probability
    is ``(logit - peak) - log_norm``, rounded as a whole-row log-softmax rounds it."""
    peak = logits.max(axis=-1, keepdims=True)
    return peak, np.log(np.exp(logits - peak).sum(axis=-1, keepdims=True))


def best_continuations(
    logits: np.ndarray,
    normaliser: tuple[np.ndarray, np.ndarray],
    scores: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each prompt's best ``2k`` continuations of its ``k`` beams (``logits``: ``(batch *
    k, vocab)``, prompt-major; ``scores``: ``(batch, k)`` beam scores so far).

    They are among each beam's best ``2k`` tokens, so those are taken per row first and
    the choice made among ``k x 2k`` scores, not ``k x vocabulary``. Returns ``cand``
    ``(batch, k * width)`` (the candidates' scores, beam-major, ``width = min(2k,
    vocab)``), ``top`` ``(batch, width)`` (indices of the best ones in ``cand``, in no
    order) and the candidates' tokens, shaped like ``cand``.
    """
    peak, log_norm = normaliser
    batch = scores.shape[0]
    width = min(2 * k, logits.shape[-1])
    row_tokens = np.argpartition(logits, -width, axis=1)[:, -width:]
    logprobs = (np.take_along_axis(logits, row_tokens, axis=1) - peak) - log_norm
    cand = (scores.reshape(-1, 1) + logprobs).reshape(batch, k * width)
    top = np.argpartition(-cand, width - 1, axis=1)[:, :width]
    return cand, top, row_tokens.reshape(batch, k * width)


def _select_beams(cand, top, cand_tokens, hyps, history, width, length, k, eos_id):
    """Choose the next ``k`` beams of every prompt; record EOS candidates as finished.
    ``cand[b]`` holds ``width`` candidates per beam (beam-major), ``cand_tokens[b]`` their
    tokens, ``top[b]`` the indices of the best ones."""
    batch = len(hyps)
    rows = np.zeros(batch * k, dtype=np.int64)
    next_tokens = np.zeros(batch * k, dtype=np.int64)
    next_scores = np.full(batch * k, -1e9, dtype=np.float64)
    for b, h in enumerate(hyps):
        base = b * k
        rows[base : base + k] = base  # done prompts keep a dummy beam
        if h.done:
            continue
        order = top[b][np.argsort(-cand[b, top[b]], kind="stable")]
        filled = 0
        for rank, idx in enumerate(order):
            beam, token = int(idx) // width, int(cand_tokens[b, idx])
            score = float(cand[b, idx])
            if token == eos_id:
                if rank < k and score > -1e8:
                    h.add([*history[base + beam].tolist(), eos_id], score)
                continue
            rows[base + filled], next_tokens[base + filled] = base + beam, token
            next_scores[base + filled] = score
            filled += 1
            if filled == k:
                break
        best_running = next_scores[base] / length**h.length_penalty
        h.done = len(h.items) >= k and h.worst() >= best_running
    return rows, next_tokens, next_scores
