"""The numpy search loops on scripted logits, where the right answer is known."""

from __future__ import annotations

import numpy as np

from assistant.engine import GenerationConfig
from assistant.engine.search import beam_search, greedy_search

EOS, VOCAB = 1, 12


class Scripted:
    """Row ``r`` prefers token ``2 + r`` until its step ``stop[r]``, then EOS. Tracks which
    original row each row in flight is, so dropped rows must be handled correctly."""

    def __init__(self, stop: list[int]) -> None:
        self.stop, self.rows, self.t, self.sizes = stop, np.arange(len(stop)), 0, []

    def step(self, tokens: np.ndarray) -> np.ndarray:
        assert len(tokens) == len(self.rows)
        self.sizes.append(len(tokens))
        logits = np.zeros((len(self.rows), VOCAB), dtype=np.float32)
        for i, r in enumerate(self.rows):
            logits[i, 2 + r] = 2.0
            if self.t >= self.stop[r]:
                logits[i, EOS] = 5.0
        self.t += 1
        return logits

    def reorder(self, rows: np.ndarray) -> None:
        self.rows = self.rows[rows]

    def keep(self, rows: np.ndarray) -> None:
        self.rows = self.rows[rows]


def test_greedy_drops_finished_rows_and_keeps_each_rows_answer() -> None:
    stepper = Scripted(stop=[1, 6, 2, 9])
    out = greedy_search(stepper, 4, GenerationConfig(max_new_tokens=10), 0, EOS)
    assert [s.tokens for s in out] == [
        [2, EOS],
        [3] * 6 + [EOS],
        [4, 4, EOS],
        [5] * 9 + [EOS],
    ]
    assert stepper.sizes[0] == 4 and stepper.sizes[-1] == 1  # finished rows were dropped
    assert all(s.score < 0 for s in out)


def test_greedy_min_new_tokens_masks_eos() -> None:
    out = greedy_search(Scripted(stop=[0, 0]), 2, GenerationConfig(6, min_new_tokens=3), 0, EOS)
    assert [s.tokens for s in out] == [[2, 2, 2, EOS], [3, 3, 3, EOS]]


def test_beam_search_returns_finished_hypotheses_best_first() -> None:
    config = GenerationConfig(max_new_tokens=8, num_beams=2, num_return_sequences=2)
    stepper = Scripted(stop=[2, 2, 4, 4])  # 2 prompts x 2 beams, prompt-major
    results = beam_search(stepper, 2, config, 0, EOS)
    assert [len(r) for r in results] == [2, 2]
    assert results[0][0].tokens == [2, 2, EOS]
    assert results[1][0].tokens == [4, 4, 4, 4, EOS]
    for hyps in results:
        assert hyps[0].score >= hyps[1].score


class Seeded:
    """Logits drawn from a seed of each row's whole history, so beams that are reordered
    or dropped wrongly get other logits; ties are vanishingly rare."""

    def __init__(self, rows: int, vocab: int) -> None:
        self.vocab, self.history = vocab, [() for _ in range(rows)]

    def step(self, tokens: np.ndarray) -> np.ndarray:
        self.history = [h + (int(t),) for h, t in zip(self.history, tokens, strict=True)]
        out = np.empty((len(tokens), self.vocab), dtype=np.float32)
        for i, h in enumerate(self.history):
            seed = abs(hash(h)) % (2**32)
            out[i] = np.random.default_rng(seed).standard_normal(self.vocab) * 3
        return out

    def reorder(self, rows: np.ndarray) -> None:
        self.history = [self.history[r] for r in rows]

    def keep(self, rows: np.ndarray) -> None:
        self.reorder(rows)


def _reference_beam_search(stepper, batch, config, start_id, eos_id):
    """Beam search choosing among all k x vocabulary scores (the plain way)."""
    from assistant.engine.search import _Hypotheses, ban_repeated_ngrams

    k = config.num_beams
    scores = np.zeros((batch, k))
    scores[:, 1:] = -1e9
    tokens = np.full(batch * k, start_id, dtype=np.int64)
    history = np.zeros((batch * k, 0), dtype=np.int64)
    hyps = [_Hypotheses(k, config.length_penalty) for _ in range(batch)]
    for t in range(config.max_new_tokens):
        logits = stepper.step(tokens).astype(np.float32)
        shifted = logits - logits.max(axis=-1, keepdims=True)
        logprobs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        if t < config.min_new_tokens:
            logprobs[:, eos_id] = -np.inf
        if config.no_repeat_ngram_size:
            ban_repeated_ngrams(logprobs, history, config.no_repeat_ngram_size, start_id)
        vocab = logprobs.shape[-1]
        cand = (scores.reshape(-1, 1) + logprobs).reshape(batch, k * vocab)
        rows = np.zeros(batch * k, dtype=np.int64)
        nexts = np.zeros(batch * k, dtype=np.int64)
        new = np.full(batch * k, -1e9)
        for b, h in enumerate(hyps):
            rows[b * k : b * k + k] = b * k
            if h.done:
                continue
            order = np.argsort(-cand[b], kind="stable")[: 2 * k]
            filled = 0
            for rank, idx in enumerate(order):
                beam, token = divmod(int(idx), vocab)
                score = float(cand[b, idx])
                if token == eos_id:
                    if rank < k and score > -1e8:
                        h.add([*history[b * k + beam].tolist(), eos_id], score)
                    continue
                rows[b * k + filled], nexts[b * k + filled], new[b * k + filled] = (
                    b * k + beam, token, score
                )  # fmt: skip
                filled += 1
                if filled == k:
                    break
            h.done = len(h.items) >= k and h.worst() >= new[b * k] / (t + 1) ** h.length_penalty
        scores = new.reshape(batch, k)
        stepper.reorder(rows)
        history = np.concatenate([history[rows], nexts[:, None]], axis=1)
        tokens = nexts
        if all(h.done for h in hyps):
            break
    for b, h in enumerate(hyps):
        if not h.done:
            for j in range(k):
                h.add(history[b * k + j].tolist(), float(scores[b, j]))
    return [h.items[: config.num_return_sequences] for h in hyps]


def test_beam_search_picks_what_a_search_over_the_whole_vocabulary_picks() -> None:
    """Each step keeps each beam's best 2k tokens before choosing among the prompt's
    candidates: the same beams, tokens and scores as choosing among every token."""
    for batch, beams, vocab, extra in [
        (1, 4, 200, {}),
        (3, 2, 50, {"no_repeat_ngram_size": 2}),
        (2, 4, 5, {"min_new_tokens": 3}),  # fewer tokens than 2 x beams
        (2, 3, 80, {"length_penalty": 0.6, "no_repeat_ngram_size": 3}),
    ]:
        config = GenerationConfig(
            max_new_tokens=12, num_beams=beams, num_return_sequences=beams, **extra
        )
        ours = beam_search(Seeded(batch * beams, vocab), batch, config, 0, EOS)
        plain = _reference_beam_search(Seeded(batch * beams, vocab), batch, config, 0, EOS)
        assert [[(s.tokens, s.score) for s in r] for r in ours] == [
            [(s.tokens, s.score) for s in r] for r in plain
        ], (batch, beams, vocab, extra)
