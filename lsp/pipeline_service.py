"""The server's handle on the documentation pipeline (drafting, edits, staleness).

The pipeline (:class:`assistant.pipeline.DocPipeline`) is built lazily on the first
request that needs it, from the current :class:`~lsp.options.ServerOptions`, and rebuilt
when an option it depends on changes. All calls here block: the LSP layer runs them in
worker threads, and the pipeline itself submits model work to the engine's dynamic
batcher with interactive priority. Every model call is timed into the server's
:class:`~lsp.stats.LatencyStats`. The pipeline picks up the workspace index when it
appears (its index handle reopens the store), so nothing is rebuilt after indexing.

Each draft names its request kind (``hover``, ``generate``, ``file``): the pipeline's
router picks the tier from the kind, the budgets of the options and the engine's load
(:mod:`assistant.router`). :meth:`PipelineService.warm_up` builds the pipeline and runs
one dummy generation in the background after ``initialize``; the time from
``initialize`` to the first drafted hover is kept for ``docgen.stats``.
Nothing here imports lsprotocol.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.pipeline import (
    Decision,
    DocPipeline,
    DocResult,
    EngineError,
    PipelineSettings,
    PlannedEdit,
    RankerError,
    Router,
    StaleFinding,
    check_together,
    find_stale,
)
from indexer.extras import DISTRIBUTION, MissingExtra
from indexer.symbols import ParsedFile, Symbol
from lsp.options import ServerOptions
from lsp.stats import LatencyStats

logger = logging.getLogger(__name__)

# options the pipeline depends on (changing one of them rebuilds it)
_PIPELINE_OPTIONS = (
    "corpus",
    "model",
    "style",
    "cache_path",
    "threads",
    "min_confidence",
    "accurate_model",
    "hover_budget_ms",
    "generate_budget_ms",
    "degradation",
    "encoder_cache_mb",
)

PREFETCH_MAX = 256
"""Most symbols of one opened file whose contexts are retrieved ahead of its hovers."""

# what a broken model or ranker raises while drafting (reported, then retried only after
# a configuration change); ImportError: an optional runtime dependency is missing
_MODEL_ERRORS = (ImportError, EngineError, RankerError)


class DraftingUnavailable(RuntimeError):
    """The pipeline or its model cannot be loaded; the message says what to do."""


class PipelineService:
    """Lazily built pipeline plus the calls the server makes on it."""

    def __init__(
        self,
        root: Path | None,
        stats: LatencyStats,
        interactive_busy: Callable[[], bool] | None = None,
    ) -> None:
        self.root = root
        self.stats = stats
        self.interactive_busy = interactive_busy
        """Whether an editor request is being answered (bulk drafting pauses for it)."""
        self._options = ServerOptions()
        self._pipeline: DocPipeline | None = None
        self._error: str | None = None
        self._lock = threading.Lock()
        self.initialized_at: float | None = None
        """``time.monotonic()`` of ``initialize`` (set by the lifecycle handler)."""
        self.first_hover_s: float | None = None
        """Seconds from ``initialize`` to the first hover answered with a draft."""
        self.warm_up_s: float | None = None
        self.warm_up_stages: dict[str, float] = {}
        self._told: set[str] = set()

    def configure(self, options: ServerOptions) -> None:
        """Adopt new options; the pipeline is rebuilt on next use if they matter to it."""
        with self._lock:
            changed = any(
                getattr(options, name) != getattr(self._options, name) for name in _PIPELINE_OPTIONS
            )
            self._options = options
            if changed:
                self._close_pipeline()

    @property
    def unavailable(self) -> str | None:
        """Why drafting failed with the current options (cached until they change), or
        ``None`` when it has not failed."""
        with self._lock:
            return self._error

    def pipeline(self) -> DocPipeline:
        """Return the pipeline, building it on first use.

        Raises:
            DraftingUnavailable: The pipeline or model failed to load (cached, so a
                broken model folder is reported once per configuration, not retried on
                every keystroke).
        """
        with self._lock:
            if self._pipeline is not None:
                return self._pipeline
            if self._error is not None:
                raise DraftingUnavailable(self._error)
            try:
                with self.stats.timed("pipeline:init"):
                    self._pipeline = _build_pipeline(
                        self.root or Path.cwd(), self._options, self.interactive_busy
                    )
            except Exception as exc:  # noqa: BLE001 - reported to the user, not fatal
                self._error = _explain(exc, self._options)
                logger.error("%s", self._error)
                raise DraftingUnavailable(self._error) from exc
            return self._pipeline

    def warm_up(self) -> None:
        """Build the pipeline, load the model, the index and the embedder, and run one
        dummy generation per tier (blocking: the server calls it in a worker thread,
        after ``initialize``). A failure is left for the first request to report."""
        started = time.perf_counter()
        try:
            pipeline = self.pipeline()
        except DraftingUnavailable:
            return
        self.warm_up_stages = pipeline.warm_up()
        self.warm_up_s = round(time.perf_counter() - started, 4)
        self.stats.record("warmup", self.warm_up_s)

    def draft(
        self,
        path: str,
        source: bytes,
        symbol: Symbol,
        parsed: ParsedFile | None = None,
        kind: str = "generate",
        tier: str | None = None,
        started: float | None = None,
    ) -> DocResult:
        """Draft documentation for ``symbol`` (summary, rendered docstring, confidence).

        ``parsed`` is the parse of exactly ``source`` when the caller has it (an open
        buffer), so the pipeline does not parse the file again. ``kind`` is the request
        kind the router serves (``hover``: fast; ``generate``: accurate); ``tier`` asks
        for a tier explicitly; ``started`` is the request's ``time.monotonic()`` on
        arrival (its budget counts from then; default: now).
        """
        pipeline = self.pipeline()
        try:
            begun = time.perf_counter()
            with self.stats.timed("model:draft"):
                target = pipeline.target(path, source, symbol, parsed)
                result = pipeline.document_request(target, kind, tier, started)
            self.stats.record(f"draft:{kind}:{result.tier}", time.perf_counter() - begun)
            if kind == "hover" and self.first_hover_s is None and self.initialized_at:
                self.first_hover_s = round(time.monotonic() - self.initialized_at, 4)
            return result
        except _MODEL_ERRORS as exc:
            # the model loads on first use: a broken model surfaces here
            with self._lock:
                if self._pipeline is pipeline:
                    self._error = _explain(exc, self._options)
                    self._pipeline = None
                    pipeline.close()
                message = self._error or _explain(exc, self._options)
            logger.error("%s", message)
            raise DraftingUnavailable(message) from exc

    def planned_insertion(
        self, path: str, source: bytes, symbol: Symbol, result: DocResult
    ) -> PlannedEdit:
        """The edit inserting ``result`` as ``symbol``'s docstring, to be checked with the
        file's other edits (:meth:`check_together`).

        Raises:
            EditRefused: The symbol is documented now or cannot take a docstring.
        """
        fresh, edit = self.pipeline().planned_insertion(path, source, symbol, result)
        return (fresh.qualname, result.docstring, edit)

    def check_together(
        self, path: str, source: bytes, language: str, planned: list[PlannedEdit]
    ) -> tuple[list[int], list[tuple[str | None, str]]]:
        """Check a file's planned edits as the one file they make (one parse when they
        pass); return the indices kept and the refusals (see
        :func:`assistant.pipeline.check_together`)."""
        with self.stats.timed("edits:check"):
            kept, _, refused = check_together(source, path, language, planned, strict=False)
        return kept, refused

    def planned_stale_update(
        self, path: str, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> PlannedEdit:
        """The edit replacing the stale parameter entries of ``symbol``'s docstring, to be
        checked with the file's other edits (:meth:`check_together`).

        Raises:
            EditRefused: The parameter list cannot be located.
        """
        pipeline = self.pipeline()
        with self.stats.timed("model:stale_update"):
            fresh, edit, text = pipeline.planned_stale_update(path, source, symbol, finding)
        return (fresh.qualname, text, edit)

    def quick_draft(
        self,
        path: str,
        source: bytes,
        symbol: Symbol,
        parsed: ParsedFile | None,
        kind: str,
        reason: str = "overload",
    ) -> DocResult:
        """The cheapest model-free answer (the name as a sentence; no retrieval, no model)
        for a request the server has no capacity (``overload``) or no time (``late``: its
        draft missed the budget) for now; counted as a degradation ``(reason)``. Only
        call it with the pipeline built (:attr:`built`)."""
        pipeline = self.pipeline()
        started = time.perf_counter()
        result = pipeline.quick_result(pipeline.target(path, source, symbol, parsed))
        route = pipeline.router.route(kind)
        decision = Decision(kind, result.tier, route.tier, route.budget_ms, 0.0, route.priority)
        pipeline.router.count(decision, reason)
        self.stats.record(f"draft:{kind}:{result.tier}", time.perf_counter() - started)
        return result

    def prefetch(
        self,
        path: str,
        source: bytes,
        parsed: ParsedFile,
        symbols: list[Symbol],
        between: Any = None,
    ) -> int:
        """Retrieve the contexts of an opened file's undocumented ``symbols`` ahead of
        its hovers (see :meth:`assistant.pipeline.DocPipeline.prefetch`); nothing when the
        pipeline is not built yet or drafting is unavailable. Return how many."""
        with self._lock:
            pipeline = self._pipeline
        if pipeline is None or not symbols:
            return 0
        with self.stats.timed("prefetch"):
            return pipeline.prefetch(path, source, parsed, symbols[:PREFETCH_MAX], between)

    @property
    def built(self) -> bool:
        """Whether the pipeline exists (so :meth:`quick_draft` does not build it)."""
        with self._lock:
            return self._pipeline is not None

    def budget_s(self, kind: str) -> float | None:
        """The latency budget of a request ``kind`` in seconds, when requests degrade and
        the pipeline is built and warm; else None (no budget to hold: while the model
        loads, the first requests wait for it, as the pipeline's own budgets do)."""
        with self._lock:
            pipeline = self._pipeline
        if pipeline is None or not self._options.degradation or not pipeline.warm:
            return None
        budget_ms = pipeline.router.route(kind).budget_ms
        return None if budget_ms is None else budget_ms / 1000.0

    @property
    def degrading(self) -> bool:
        """Whether the options let requests degrade."""
        return self._options.degradation

    def take_messages(self) -> list[str]:
        """What the pipeline found that the user should be told once (an accurate model
        that does not load), not told before."""
        with self._lock:
            pipeline = self._pipeline
        if pipeline is None:
            return []
        fresh = [m for m in pipeline.drafting.problems if m not in self._told]
        self._told.update(fresh)
        return fresh

    def serving_stats(self) -> dict[str, Any]:
        """Tiers, degradations, queue, batch sizes, cache hit rates, warm-up, for
        ``docgen.stats``."""
        with self._lock:
            pipeline = self._pipeline
        out: dict[str, Any] = pipeline.serving_stats() if pipeline is not None else {}
        out["warmup"] = {
            "seconds": self.warm_up_s,
            "stages": dict(self.warm_up_stages),
            "initialize_to_first_drafted_hover_s": self.first_hover_s,
        }
        return out

    def find_stale(self, parsed: ParsedFile) -> list[StaleFinding]:
        """Return the stale-docstring findings of a parsed file (no model needed)."""
        style = self._options.style if self._options.style != "auto" else "google"
        with self.stats.timed("stale:check"):
            return find_stale(parsed, style)

    def close(self) -> None:
        """Release the pipeline (model sessions, batcher threads, cache handles)."""
        with self._lock:
            self._close_pipeline()

    def _close_pipeline(self) -> None:
        pipeline, self._pipeline, self._error = self._pipeline, None, None
        if pipeline is None:
            return
        try:
            pipeline.close()
        except Exception as exc:  # noqa: BLE001 - shutting down anyway
            logger.warning("closing the pipeline failed: %s", exc)


def _build_pipeline(
    root: Path, options: ServerOptions, interactive_busy: Callable[[], bool] | None = None
) -> DocPipeline:
    settings = PipelineSettings(
        model=options.model,
        style=options.style,
        cache_dir=Path(options.cache_path) if options.cache_path else None,
        threads=options.threads,
        engine_backend=options.engine_backend,
        min_confidence=options.min_confidence,
        include_private=options.include_private,
        corpus=options.corpus and _project_corpus(root),
    )
    router = Router(degrade=options.degradation).with_budgets(
        {"hover": options.hover_budget_ms, "generate": options.generate_budget_ms}
    )
    return DocPipeline(
        root,
        settings,
        router=router,
        accurate_model=options.accurate_model,
        encoder_cache_mb=options.encoder_cache_mb,
        interactive_busy=interactive_busy,
    )


def _project_corpus(root: Path) -> bool:
    """``[tool.docgen] corpus`` of the workspace (true when unset or unreadable)."""
    from indexer.config import ConfigError, find_pyproject, load_tool_config

    try:
        return load_tool_config(find_pyproject(root)).get("corpus", True) is not False
    except ConfigError:
        return True


def _explain(exc: BaseException, options: ServerOptions) -> str:
    if isinstance(exc, MissingExtra):  # e.g. the PyTorch backend without the extra
        return f"docgen: {exc}"
    if isinstance(exc, ImportError):
        return (
            f"docgen: drafting is unavailable ({exc}); reinstall docgen with its "
            f"dependencies (pip install --force-reinstall {DISTRIBUTION})"
        )
    model = options.model or "the embedded model"
    return (
        f"docgen: cannot load {model}: {exc}. Fix or clear the 'model' setting "
        "(null uses the embedded model), then retry."
    )
