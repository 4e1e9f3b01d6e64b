"""The server's handle on the documentation pipeline (drafting, edits, staleness).

The pipeline (``assistant.pipeline.DocPipeline``) is built lazily on the first request
that needs a model, from the current :class:`~lsp.options.ServerOptions`, and rebuilt
when an option it depends on changes. All calls here block: the LSP layer runs them in
worker threads, and the pipeline itself submits model work to the engine's dynamic
batcher with interactive priority. Every model call is timed into the server's
:class:`~lsp.stats.LatencyStats`. Nothing here imports lsprotocol.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from indexer.symbols import ParsedFile, Symbol
from lsp.options import ServerOptions
from lsp.stats import LatencyStats

logger = logging.getLogger(__name__)

# options the pipeline depends on (changing one of them rebuilds it)
_PIPELINE_OPTIONS = ("model", "style", "cache_path", "threads", "min_confidence")


class DraftingUnavailable(RuntimeError):
    """The pipeline or its model cannot be loaded; the message says what to do."""


class Drafter:
    """Lazily built pipeline plus the calls the server makes on it."""

    def __init__(self, root: Path | None, stats: LatencyStats) -> None:
        self.root = root
        self.stats = stats
        self._options = ServerOptions()
        self._pipeline: Any = None
        self._error: str | None = None
        self._lock = threading.Lock()
        self._retired: list[Any] = []
        self._generator: Any = None
        """A loaded model to hand to the next pipeline (same options)."""

    def configure(self, options: ServerOptions) -> None:
        """Adopt new options; the pipeline is rebuilt on next use if they matter to it."""
        with self._lock:
            changed = any(
                getattr(options, name) != getattr(self._options, name) for name in _PIPELINE_OPTIONS
            )
            self._options = options
            if changed:
                self._close_pipeline()

    def pipeline(self) -> Any:
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
                        self.root or Path.cwd(), self._options, self._generator
                    )
            except Exception as exc:  # noqa: BLE001 - reported to the user, not fatal
                self._error = _explain(exc, self._options)
                logger.error("%s", self._error)
                raise DraftingUnavailable(self._error) from exc
            return self._pipeline

    def draft(
        self, path: str, source: bytes, symbol: Symbol, parsed: ParsedFile | None = None
    ) -> Any:
        """Draft documentation for ``symbol``: a ``DocResult`` (summary, confidence...).

        ``parsed`` is the parse of exactly ``source`` when the caller has it (an open
        buffer), so the pipeline does not parse the file again.
        """
        pipeline = self.pipeline()
        try:
            with self.stats.timed("model:draft"):
                target = pipeline.target(path, source, symbol, parsed)
                return pipeline.document_targets([target], _interactive())[0]
        except (ImportError, *_engine_error()) as exc:
            # the model loads on first use: a broken model surfaces here
            with self._lock:
                if self._pipeline is pipeline:
                    self._error = _explain(exc, self._options)
                    self._pipeline = None
                    pipeline.close()
                message = self._error or _explain(exc, self._options)
            logger.error("%s", message)
            raise DraftingUnavailable(message) from exc

    def insertion(self, path: str, source: bytes, symbol: Symbol, result: Any) -> Any:
        """Return the ``TextEdit`` inserting ``result`` as the docstring of ``symbol``."""
        return self.pipeline().plan_insertion(path, source, symbol, result)

    def stale_update(self, path: str, source: bytes, symbol: Symbol, finding: Any) -> Any:
        """Return the ``TextEdit`` replacing the stale docstring of ``symbol``."""
        pipeline = self.pipeline()
        with self.stats.timed("model:stale_update"):
            return pipeline.plan_stale_update(
                path, source, symbol, finding, priority=_interactive()
            )

    def find_stale(self, parsed: ParsedFile) -> list[Any]:
        """Return the stale-docstring findings of a parsed file (no model needed)."""
        finder = _find_stale_function()
        if finder is None:
            return []
        style = self._options.style if self._options.style != "auto" else "google"
        with self.stats.timed("stale:check"):
            return list(finder(parsed, style))

    def index_built(self) -> None:
        """The workspace index now exists: a pipeline built without one is replaced, so
        drafting gains retrieval of similar symbols. The loaded model is reused; the old
        pipeline is closed at shutdown (a draft may still be running on it)."""
        with self._lock:
            old = self._pipeline
            if old is None or getattr(old, "store", True) is not None:
                return
            self._retired.append(old)
            self._pipeline = None
            self._generator = getattr(old, "_generator", None)

    def close(self) -> None:
        """Release the pipeline (model sessions, batcher threads, cache handles)."""
        with self._lock:
            self._close_pipeline()

    def _close_pipeline(self) -> None:
        pipeline, self._pipeline, self._error = self._pipeline, None, None
        self._generator = None  # options changed: load the model they name
        for retired in self._retired:
            _close_quietly(retired)
        self._retired.clear()
        _close_quietly(pipeline)


def _close_quietly(pipeline: Any) -> None:
    close = getattr(pipeline, "close", None)
    if callable(close):
        try:
            close()
        except Exception as exc:  # noqa: BLE001 - shutting down anyway
            logger.warning("closing the pipeline failed: %s", exc)


def _build_pipeline(root: Path, options: ServerOptions, generator: Any = None) -> Any:
    from assistant.pipeline import DocPipeline, PipelineSettings

    settings = PipelineSettings(
        model=options.model,
        style=options.style,
        cache_dir=Path(options.cache_path) if options.cache_path else None,
        threads=options.threads,
        min_confidence=options.min_confidence,
        include_private=options.include_private,
    )
    return DocPipeline(root, settings, generator=generator)


def _engine_error() -> tuple[type[Exception], ...]:
    """What a broken model or ranker raises while drafting (reported, then retried only
    after a configuration change)."""
    try:
        from assistant.engine import EngineError
        from assistant.ranker import RankerError
    except ImportError:
        return (RuntimeError,)
    return (EngineError, RankerError)


def _interactive() -> Any:
    try:
        from assistant.engine import Priority

        return Priority.INTERACTIVE
    except ImportError:
        return "interactive"


def _find_stale_function() -> Any:
    try:
        from assistant.stale import find_stale
    except ImportError:
        return None
    return find_stale


def _explain(exc: BaseException, options: ServerOptions) -> str:
    if isinstance(exc, ImportError):
        return (
            f"docgen: drafting is unavailable ({exc}); reinstall docgen with its "
            "dependencies (pip install docgen)"
        )
    model = options.model or "the embedded model"
    return (
        f"docgen: cannot load {model}: {exc}. Fix or clear the 'model' setting "
        "(null uses the embedded model), then retry."
    )
