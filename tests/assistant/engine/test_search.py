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
