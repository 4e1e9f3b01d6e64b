"""Drafting: prompts in, candidate summaries out, through the T5 engine.

Bulk runs hand the generator batches of prompts; interactive callers (the language
server) go through the engine's dynamic batcher, which groups concurrent requests and puts
interactive ones before bulk ones. Both return, per prompt, the beam hypotheses as
``(text, score)`` pairs for refinement to choose from.

:class:`Drafting` holds the drafters of every tier (:mod:`assistant.router`): the fast
one on the main model, the accurate one on the main model with more beams or on a
separate ``accurate_model``, their batchers and the encoder cache they share; it is the
router's :class:`~assistant.router.Load` (how long a tier would take now).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Any

from assistant.engine import DynamicBatcher, GenerationConfig, Priority, TextGenerator
from assistant.router import ACCURATE, FAST, FAST_BEAMS, FAST_MAX_NEW_TOKENS, MODEL_FREE

if TYPE_CHECKING:
    from assistant.settings import PipelineSettings

Candidates = list[tuple[str, float]]

CONCURRENT_BACKENDS = frozenset({"onnx"})
"""Backends whose ``generate`` may run on two threads at once (onnxruntime sessions are
thread-safe; each call has its own decoder state): their batcher runs bulk batches on a
lane of their own, so an interactive draft never waits for one."""

log = logging.getLogger(__name__)


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
        wait_s: float | None = None,
    ) -> list[Candidates]:
        """Return the candidates of each prompt, in order.

        Args:
            prompts: Model inputs (from ``assistant.prompt.build_prompt``).
            priority: ``assistant.engine.Priority`` for the batcher (interactive calls).
            progress: Called with the number of prompts finished after each batch.
            wait_s: How long batched answers may take once queued: a prompt not
                answered by then is cancelled (if still queued) and gets no candidates,
                ``[]`` (the caller answers without the model).
        """
        if not prompts:
            return []
        started = time.perf_counter()
        deadline = None if wait_s is None else time.monotonic() + wait_s
        try:
            return self._draft(prompts, priority, progress, deadline)
        finally:
            self.seconds += time.perf_counter() - started

    def _draft(
        self,
        prompts: list[str],
        priority: Priority | None,
        progress: Callable[[int], None] | None,
        deadline: float | None,
    ) -> list[Candidates]:
        if self.batcher is not None and priority is not None:
            futures = [self.batcher.submit(p, self.config, priority=priority) for p in prompts]
            try:
                results = [_answer(f, deadline) for f in futures]
            except BaseException:
                for future in futures:  # a cancelled request leaves nothing queued
                    future.cancel()
                raise
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


def _answer(future: Future, deadline: float | None) -> Candidates:
    """The candidates of one batched request, or ``[]`` when the deadline passed first."""
    timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
    try:
        return _pairs(future.result(timeout))
    except (FutureTimeout, CancelledError):
        future.cancel()
        return []


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


class Drafting:
    """The drafters of the tiers, built on first use, and the engine's load.

    Args:
        settings: The pipeline's settings (model, beams, lengths, threads).
        generator: A ready main generator (tests, benchmarks), or None to load it.
        accurate_model: A separate T5 (folder or hub id) for the accurate tier, loaded
            through :func:`assistant.engine.load_generator` (never remote code); None:
            the accurate tier is the main model with ``settings.num_beams`` beams.
        encoder_cache_mb: Size of the encoder cache of interactive drafting (0: none).
        interactive_busy: The front end's "answering an editor request now" signal, for
            the batchers' bulk lanes (see :class:`assistant.engine.DynamicBatcher`).

    Attributes:
        problems: What the user should know (an accurate model that does not load), once.
        unavailable: Tiers that cannot run (the router skips them).
    """

    def __init__(
        self,
        settings: PipelineSettings,
        generator: TextGenerator | None = None,
        accurate_model: str | None = None,
        encoder_cache_mb: float = 64.0,
        interactive_busy: Callable[[], bool] | None = None,
    ) -> None:
        self.settings = settings
        self.interactive_busy = interactive_busy
        self._generator = generator
        self._injected = generator
        self._accurate: TextGenerator | None = None
        self.accurate_model = accurate_model
        self.encoder_cache_mb = encoder_cache_mb
        self.encoder_cache: Any = None
        self._installed: list[Any] = []  # generators given our encoder cache
        self._batchers: dict[int, DynamicBatcher] = {}  # by id(generator)
        self._drafters: dict[tuple[str, bool], Drafter] = {}
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self.problems: list[str] = []
        self.unavailable: set[str] = set()

    # --- models -------------------------------------------------------------------------

    @property
    def loaded_generator(self) -> TextGenerator | None:
        """The main generator if loaded (or injected); never loads."""
        return self._generator

    @property
    def generator(self) -> TextGenerator:
        """The main generator, loaded on first use."""
        with self._load_lock:
            if self._generator is None:
                from assistant.engine import load_generator

                s = self.settings
                self._generator = load_generator(
                    s.model, s.backend, s.int8, s.threads, engine_backend=s.engine_backend
                )
            return self._generator

    def generator_for(self, tier: str) -> TextGenerator:
        """The generator of ``tier``: the accurate model when one is configured and loads;
        otherwise the main one. A configured accurate model that does not load is
        reported once (:attr:`problems`) and the accurate tier becomes unavailable."""
        if tier != ACCURATE or not self.accurate_model or ACCURATE in self.unavailable:
            return self.generator
        with self._load_lock:
            if self._accurate is None and ACCURATE not in self.unavailable:
                from assistant.engine import load_generator

                s = self.settings
                try:
                    self._accurate = load_generator(
                        self.accurate_model,
                        s.backend,
                        s.int8,
                        s.threads,
                        engine_backend=s.engine_backend,
                    )
                except Exception as exc:  # noqa: BLE001 - the fast tier still answers
                    self.unavailable.add(ACCURATE)
                    message = (
                        f"docgen: the accurate model {self.accurate_model} cannot be loaded "
                        f"({exc}); drafts come from the fast tier. Fix or clear the "
                        "accurate model setting."
                    )
                    self.problems.append(message)
                    log.error("%s", message)
            if self._accurate is not None:
                return self._accurate
        return self.generator

    def model_name(self, tier: str) -> str:
        """Which model a tier's drafts come from (for results and stats)."""
        if tier == MODEL_FREE:
            return ""
        if tier == ACCURATE and self.accurate_model and ACCURATE not in self.unavailable:
            return str(self.accurate_model)
        if self.settings.model:
            return str(self.settings.model)
        if self._injected is not None:  # tests and benchmarks hand in their own
            return str(getattr(self._injected, "model_id", "model"))
        return "docgen-t5"

    def config(self, tier: str) -> GenerationConfig:
        """The generation settings of a model tier."""
        s = self.settings
        if tier == FAST:
            beams = min(FAST_BEAMS, s.num_beams)
            tokens = min(FAST_MAX_NEW_TOKENS, s.max_new_tokens)
        else:
            beams, tokens = s.num_beams, s.max_new_tokens
        return GenerationConfig(
            max_new_tokens=tokens,
            num_beams=beams,
            num_return_sequences=beams,
            no_repeat_ngram_size=s.no_repeat_ngram_size,
        )

    # --- drafting -----------------------------------------------------------------------

    def drafter(self, tier: str, interactive: bool) -> Drafter:
        """The drafter of ``tier``; interactive ones submit through the model's batcher."""
        generator = self.generator_for(tier)
        if tier == ACCURATE and ACCURATE in self.unavailable:
            tier = FAST
        with self._lock:
            drafter = self._drafters.get((tier, interactive))
            if drafter is not None and drafter.generator is generator:
                return drafter
            batcher = self._batcher(generator) if interactive else None
            drafter = Drafter(generator, self.config(tier), self.settings.batch_size, batcher)
            self._drafters[(tier, interactive)] = drafter
            return drafter

    def _batcher(self, generator: TextGenerator) -> DynamicBatcher:
        batcher = self._batchers.get(id(generator))
        if batcher is None:
            self._install_encoder_cache(generator)
            batcher = DynamicBatcher(
                generator,
                max_batch_size=self.settings.batch_size,
                max_wait_ms=5,
                bulk_lane=getattr(generator, "backend", None) in CONCURRENT_BACKENDS,
                interactive_busy=self.interactive_busy,
            )
            self._batchers[id(generator)] = batcher
        return batcher

    def _install_encoder_cache(self, generator: Any) -> None:
        """Give an ONNX generator the shared encoder cache (unless it has one)."""
        if self.encoder_cache_mb <= 0 or getattr(generator, "encoder_cache", False) is not None:
            return
        from assistant.engine.encoder_cache import EncoderCache

        if self.encoder_cache is None:
            self.encoder_cache = EncoderCache(self.encoder_cache_mb)
        generator.encoder_cache = self.encoder_cache
        self._installed.append(generator)

    def draft(
        self,
        tier: str,
        prompts: list[str],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
        wait_s: float | None = None,
    ) -> tuple[str, list[Candidates]]:
        """Draft ``prompts`` on ``tier``; return the tier that ran (an unavailable
        accurate tier runs as fast) and each prompt's candidates (``[]``: none came)."""
        if tier == MODEL_FREE:
            return tier, [[] for _ in prompts]
        drafter = self.drafter(tier, interactive=priority is not None)
        if tier == ACCURATE and ACCURATE in self.unavailable:
            tier = FAST
        return tier, drafter.draft(prompts, priority, progress, wait_s)

    def estimate_wait(self, tier: str, priority: int) -> float:
        """Seconds a ``tier`` request would wait now (the router's load); 0 before the
        model's batcher exists."""
        if tier == MODEL_FREE:
            return 0.0
        generator = self._accurate if tier == ACCURATE and self._accurate else self._generator
        batcher = self._batchers.get(id(generator)) if generator is not None else None
        if batcher is None:
            return 0.0
        return batcher.estimate_wait(self.config(tier), Priority(priority))

    # --- reporting ----------------------------------------------------------------------

    @property
    def calls(self) -> int:
        """Direct ``generate`` calls of bulk drafting."""
        return sum(d.calls for d in list(self._drafters.values()))

    @property
    def seconds(self) -> float:
        """Wall time spent waiting for the model."""
        return sum(d.seconds for d in list(self._drafters.values()))

    @property
    def batches_run(self) -> int:
        """Batches the dynamic batchers ran."""
        return sum(b.batches_run for b in list(self._batchers.values()))

    def load(self) -> dict[str, Any]:
        """Queue depth, batch-size histogram and per-item costs of the batchers, and the
        encoder cache's counters."""
        queue: dict[str, Any] = {"queue_depth": 0, "batches": 0, "batch_sizes": {}}
        for batcher in list(self._batchers.values()):
            state = batcher.load()
            queue["queue_depth"] += state["queue_depth"]
            queue["batches"] += state["batches"]
            for size, n in state["batch_sizes"].items():
                queue["batch_sizes"][size] = queue["batch_sizes"].get(size, 0) + n
            queue.setdefault("item_cost_ms", {}).update(state["item_cost_ms"])
        cache = self.encoder_cache.stats() if self.encoder_cache is not None else None
        return {"batcher": queue, "encoder_cache": cache}

    def close(self) -> None:
        """Stop the batchers; take our encoder cache off the generators again."""
        with self._lock:
            batchers, self._batchers = list(self._batchers.values()), {}
            self._drafters.clear()
        for batcher in batchers:
            batcher.close()
        for generator in self._installed:
            generator.encoder_cache = None
        self._installed.clear()
