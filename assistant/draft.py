"""Drafting: prompts in, candidate summaries out, through the T5 engine.

Bulk runs hand the generator batches of prompts; interactive callers (the language
server) go through the engine's dynamic batcher, which groups concurrent requests and puts
interactive ones before bulk ones. Both return, per prompt, the beam hypotheses as
``(text, score)`` pairs for refinement to choose from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from assistant.engine import DynamicBatcher, GenerationConfig, Priority, TextGenerator

Candidates = list[tuple[str, float]]


def candidates_config(
    num_beams: int, max_new_tokens: int, no_repeat_ngram_size: int = 0
) -> GenerationConfig:
    """Generation settings whose output is refinement's input: every beam is returned."""
    return GenerationConfig(
        max_new_tokens=max_new_tokens,
        num_beams=num_beams,
        num_return_sequences=num_beams,
        no_repeat_ngram_size=no_repeat_ngram_size,
    )


class Drafter:
    """Drafts candidate summaries with a generator (and optionally its batcher).

    Args:
        generator: A ``TextGenerator``.
        config: Generation settings (beams, lengths).
        batch_size: Prompts per ``generate`` call in bulk runs.
        batcher: An ``assistant.engine.DynamicBatcher`` over ``generator`` for
            interactive calls; None calls the generator directly.
    """

    def __init__(
        self,
        generator: TextGenerator,
        config: GenerationConfig,
        batch_size: int = 16,
        batcher: DynamicBatcher | None = None,
    ) -> None:
        self.generator = generator
        self.config = config
        self.batch_size = max(1, batch_size)
        self.batcher = batcher
        self.calls = 0
        self.seconds = 0.0
        """Wall time spent waiting for the model (for benchmarks and stats)."""

    def draft(
        self,
        prompts: list[str],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Candidates]:
        """Return the candidates of each prompt, in order.

        Args:
            prompts: Model inputs (from ``assistant.prompt.build_prompt``).
            priority: ``assistant.engine.Priority`` for the batcher (interactive calls).
            progress: Called with the number of prompts finished after each batch.
        """
        if not prompts:
            return []
        started = time.perf_counter()
        try:
            return self._draft(prompts, priority, progress)
        finally:
            self.seconds += time.perf_counter() - started

    def _draft(
        self, prompts: list[str], priority: Priority | None, progress: Callable[[int], None] | None
    ) -> list[Candidates]:
        if self.batcher is not None and priority is not None:
            futures = [self.batcher.submit(p, self.config, priority=priority) for p in prompts]
            results = [_pairs(f.result()) for f in futures]
            if progress:
                progress(len(prompts))
            return results
        out: list[Candidates] = []
        for start in range(0, len(prompts), self.batch_size):
            chunk = prompts[start : start + self.batch_size]
            self.calls += 1
            out.extend(_pairs(hyps) for hyps in self.generator.generate(chunk, self.config))
            if progress:
                progress(len(chunk))
        return out


def _pairs(hypotheses: Any) -> Candidates:
    """Hypotheses (objects with ``text``/``score``, or a single one) -> (text, score)."""
    if not isinstance(hypotheses, list | tuple):
        hypotheses = [hypotheses]
    pairs = []
    for hyp in hypotheses:
        if isinstance(hyp, str):
            pairs.append((hyp, 0.0))
        else:
            pairs.append((str(getattr(hyp, "text", "")), float(getattr(hyp, "score", 0.0))))
    return pairs
