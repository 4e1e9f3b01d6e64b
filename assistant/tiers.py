"""Tiered documenting: how the pipeline answers a request on the tier the router chose.

:class:`TieredDocumenting` is the part of :class:`assistant.pipeline.DocPipeline` that
turns targets into refined summaries: retrieval (also ahead of requests, for an opened
file), the output cache looked up per tier, drafting on the chosen tier with the
request's deadline, and the model-free answers (the retrieved candidates, or the name
alone when the server is too busy for more). It is a mixin over the pipeline's state
(``router``, ``drafting``, ``retriever``, ``cache``, ``stages``, ...); front ends reach
it only through :mod:`assistant.pipeline`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from assistant.cache import result_key
from assistant.engine import Priority
from assistant.faithfulness import FAITHFULNESS_VERSION, grounding_texts
from assistant.fingerprint import text_sha
from assistant.prompt import named_neighbours
from assistant.results import DocResult
from assistant.router import ACCURATE, FAST, MODEL_FREE, TIERS, Decision
from assistant.styles.build import raise_descriptions
from assistant.summaries import (
    NAME_CONFIDENCE,
    Refined,
    Vocabulary,
    choose_summary,
    name_summary,
)
from assistant.target import Target
from indexer.symbols import ParsedFile, Symbol

PREFETCH_CHUNK = 8
"""Contexts retrieved (and code embedded) together by :meth:`TieredDocumenting.prefetch`."""

RENDER_RESERVE_MS = 25.0
"""What a budgeted request keeps of its budget for choosing and rendering the summary
once drafting is over (so the answer, not just the draft, comes within the budget)."""


class TieredDocumenting:
    """Requests on tiers, bulk drafting, retrieval ahead (mixed into ``DocPipeline``)."""

    def prefetch(
        self,
        path: str,
        source: bytes,
        parsed: ParsedFile,
        symbols: list[Symbol],
        between: Callable[[], object] | None = None,
        chunk: int = PREFETCH_CHUNK,
    ) -> int:
        """Retrieve the context of ``symbols`` of a file ahead of the requests that will
        want it (a file opened in the editor: its hovers then find their retrieval in
        the cache), a chunk at a time, embedding each chunk in one batch; ``between`` is
        called before each chunk (the server waits there while editor requests are
        answered). Return how many contexts were retrieved. No model call."""
        targets = [self.target(path, source, symbol, parsed) for symbol in symbols]
        done = 0
        for start in range(0, len(targets), max(1, chunk)):
            if between is not None:
                between()
            part = targets[start : start + chunk]
            with self.stages.timed("prefetch:retrieve"):
                self.retriever.contexts(part)
            done += len(part)
        return done

    def document_request(
        self, target: Target, kind: str, tier: str | None = None, started: float | None = None
    ) -> DocResult:
        """Answer one editor request of ``kind`` for ``target`` on the tier the router
        chooses (``tier``: ask for that one, e.g. the accurate draft after a fast hover).

        A request with a budget is held to it from ``started`` (its ``time.monotonic()``
        when it reached the front end; default now) to its answer: a model answer that
        has not come by the budget less :data:`RENDER_RESERVE_MS` (left for choosing and
        rendering) is given up (cancelled if still queued) and the request answered from
        what is ready, without the model, counted as a degradation ``(deadline)``; the
        router's estimate of the wait must fit in what the retrieval still to come (the
        median of this kind's recent retrievals) leaves of the budget. The
        first request (or the warm-up) loads the model and the embedder: until one has
        been answered, the budget counts from when the prompt is queued.
        """
        warm = self._warm  # before the first answer the model and embedder load: not held
        started = time.monotonic() if started is None or not warm else started
        elapsed_ms = max(0.0, (time.monotonic() - started) * 1000.0)
        # retrieval comes before the model: the wait must fit in what it leaves
        retrieval_ms = self.stages.recent(f"{kind}:retrieve") * 1000.0 if warm else 0.0
        decision = self.router.decide(kind, tier, elapsed_ms + retrieval_ms)
        if decision.tier != MODEL_FREE:  # loading the model is not the engine's load
            self.drafting.drafter(decision.tier, interactive=True)
        deadline = wait_s = None
        if self.router.degrade and decision.budget_ms is not None:
            budget_s = decision.budget_ms / 1000.0
            if warm:
                deadline = started + max(budget_s / 2, budget_s - RENDER_RESERVE_MS / 1000.0)
            else:  # counted from when the prompt was queued
                wait_s = budget_s
        priority = Priority(decision.priority)
        drafted = self.tiered_summaries(
            [target], priority, None, decision.tier, wait_s, deadline, kind
        )
        self._warm = True
        refined, cached, used = drafted[0]
        with self.stages.timed(f"{kind}:render"):
            result = self.result_for(target, (refined, cached), used)
        if TIERS.index(result.tier) > TIERS.index(decision.tier):  # deadline, broken model
            reason = "deadline" if result.tier == MODEL_FREE else "unavailable"
            self.router.count(Decision(kind, result.tier, decision.tier, None, 0.0, 0), reason)
        return result

    def document_targets(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
        tier: str = ACCURATE,
    ) -> list[DocResult]:
        """Draft the documentation of many targets (model calls batched).

        Args:
            targets: What to document.
            priority: Batcher priority; None calls the generator directly in batches.
            progress: Called with the number of targets finished, as they finish.
            tier: The tier that drafts (:data:`assistant.router.TIERS`).
        """
        return self._document(targets, priority, progress, tier, None)

    def _document(self, targets, priority, progress, tier, wait_s) -> list[DocResult]:
        drafted = self.tiered_summaries(targets, priority, progress, tier, wait_s)
        return [
            self.result_for(t, (refined, cached), used)
            for t, (refined, cached, used) in zip(targets, drafted, strict=True)
        ]

    def summaries(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[tuple[Refined, bool]]:
        """Return each target's refined summary (accurate tier) and whether it came from
        the cache."""
        drafted = self.tiered_summaries(targets, priority, progress)
        return [(refined, cached) for refined, cached, _ in drafted]

    def tiered_summaries(
        self,
        targets: list[Target],
        priority: Priority | None = None,
        progress: Callable[[int], None] | None = None,
        tier: str = ACCURATE,
        wait_s: float | None = None,
        deadline: float | None = None,
        kind: str | None = None,
    ) -> list[tuple[Refined, bool, str]]:
        """Return each target's refined summary, whether it came from the cache, and the
        tier that produced it.

        The cache key holds the tier: a fast draft is never served as an accurate one,
        but a cached accurate draft answers a fast (or model-free) request. A model-free
        answer is not cached (it costs nothing). Prompts the model has not answered
        ``wait_s`` seconds after they were queued, or by ``deadline`` (a
        ``time.monotonic()`` value), are answered model-free. ``kind`` names the
        request kind in the stage timings (default ``bulk``).
        """
        # no lock: retrieval is safe on many threads (each has its own index store), and
        # one request's embedding must not hold up the others' (measured: hovers queued
        # here behind the file-wide action's retrieval)
        stage = kind or "bulk"
        with self.stages.timed(f"{stage}:retrieve"):
            contexts = self.retriever.contexts(targets)
        looking = time.perf_counter()
        self.param_evidence.saw_corpus(targets, [c.corpus for c in contexts])
        settings = {**self.settings.output_settings(), "faithfulness": FAITHFULNESS_VERSION}
        lookups = TIERS[: TIERS.index(tier) + 1] if tier != MODEL_FREE else (ACCURATE, FAST)
        out: list[tuple[Refined, bool, str] | None] = [None] * len(targets)
        misses: list[int] = []
        keys: list[dict[str, str]] = []
        for i, (target, ctx) in enumerate(zip(targets, contexts, strict=True)):
            style = self.style_for(target.symbol.language)
            # the prompt names neighbours by bare name; the provenance names their qualnames
            where = {**settings, "neighbours": ctx.evidence.similar_qualnames}
            code = text_sha(target.code)
            keys.append(
                {
                    t: result_key(
                        self.model_fingerprint(t),
                        code,
                        ctx.context_hash,
                        style,
                        {
                            **where,
                            "tier": t,
                        },
                    )  # fmt: skip
                    for t in lookups
                    if t != MODEL_FREE
                }
            )
            for t in lookups:
                hit = self.cache.get(keys[i][t]) if t in keys[i] else None
                if hit is not None and "summary" in hit and "provenance" in hit:
                    cached = _refined_from(hit)
                    cached.evidence = grounding_texts(ctx.evidence)
                    out[i] = (cached, True, t)
                    break
            else:
                misses.append(i)
        self.stages.record(f"{stage}:lookup", time.perf_counter() - looking)
        if progress and len(misses) < len(targets):
            progress(len(targets) - len(misses))
        if misses:
            prompts = [contexts[i].prompt for i in misses]
            if deadline is not None:  # what is left of the request's budget now
                left = max(0.0, deadline - time.monotonic())
                wait_s = left if wait_s is None else min(wait_s, left)
            with self.stages.timed(f"{stage}:model:{tier}"):
                used, candidates = self.drafting.draft(tier, prompts, priority, progress, wait_s)
            choosing = time.perf_counter()
            for i, cands in zip(misses, candidates, strict=True):
                item_tier = used if cands or used == MODEL_FREE else MODEL_FREE
                refined = self._refine(targets[i], contexts[i], cands)
                if item_tier != MODEL_FREE and item_tier in keys[i]:
                    self.cache.set(keys[i][item_tier], {**asdict(refined), "evidence": []})
                refined.evidence = grounding_texts(contexts[i].evidence)
                out[i] = (refined, False, item_tier)
            self.stages.record(f"{stage}:choose", time.perf_counter() - choosing)
        return [item for item in out if item is not None]

    def _refine(self, target: Target, context: Any, cands: list[tuple[str, float]]) -> Refined:
        """Choose and clean one summary among the model's candidates (none: the model-free
        ones: neighbours adapted to the name, the corpus, the name as a sentence)."""
        evidence = grounding_texts(context.evidence)
        grounded = Vocabulary.from_texts([target.code, target.symbol.qualname, *evidence])
        vocab, similar = context.vocabulary, named_neighbours(context.evidence)
        refined = choose_summary(
            cands, vocab, target.symbol, similar, None, grounded, context.corpus
        )
        refined.notes = [*refined.notes, *context.notes]
        if target.symbol.language == "python" and target.symbol.raises:
            refined.raises = raise_descriptions(target.code)
        return refined

    def quick_result(self, target: Target) -> DocResult:
        """The cheapest answer: the name as a sentence, neutral parameter entries, no
        retrieval, no model (model-free; for a server too busy for anything else)."""
        refined = Refined(
            name_summary(target.symbol),
            NAME_CONFIDENCE,
            [],
            ["made from the name alone: the server was too busy to look further"],
            provenance=("name", ""),
        )
        return self.result_for(target, (refined, False), MODEL_FREE, evidence=False)


def _refined_from(hit: dict[str, Any]) -> Refined:
    return Refined(
        str(hit["summary"]),
        float(hit.get("confidence", 0.0)),
        list(hit.get("flagged", [])),
        list(hit.get("notes", [])),
        hit.get("raises") if isinstance(hit.get("raises"), dict) else None,
        provenance=_provenance_from(hit.get("provenance")),
    )


def _provenance_from(value: Any) -> tuple[str, str]:
    """A cached provenance (JSON has no tuples: a 2-item list) or ``("model", "")``."""
    if isinstance(value, list | tuple) and len(value) == 2:
        return str(value[0]), str(value[1])
    return ("model", "")
