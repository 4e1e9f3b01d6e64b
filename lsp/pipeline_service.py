"""The server's handle on the documentation pipeline (drafting, edits, staleness).

The pipeline (:class:`assistant.pipeline.DocPipeline`) is built lazily on the first
request that needs it, from the current :class:`~lsp.options.ServerOptions`, and rebuilt
when an option it depends on changes. All calls here block: the LSP layer runs them in
worker threads, and the pipeline itself submits model work to the engine's dynamic
batcher with interactive priority. Every model call is timed into the server's
:class:`~lsp.stats.LatencyStats`. The pipeline picks up the workspace index when it
appears (its index handle reopens the store), so nothing is rebuilt after indexing.
Nothing here imports lsprotocol.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.pipeline import (
    DocPipeline,
    DocResult,
    EngineError,
    PipelineSettings,
    Priority,
    RankerError,
    StaleFinding,
    TextEdit,
    find_stale,
)
from indexer.extras import DISTRIBUTION, MissingExtra
from indexer.symbols import ParsedFile, Symbol
from lsp.options import ServerOptions
from lsp.stats import LatencyStats

logger = logging.getLogger(__name__)

# options the pipeline depends on (changing one of them rebuilds it)
_PIPELINE_OPTIONS = ("model", "style", "cache_path", "threads", "min_confidence", "corpus")

# what a broken model or ranker raises while drafting (reported, then retried only after
# a configuration change); ImportError: an optional runtime dependency is missing
_MODEL_ERRORS = (ImportError, EngineError, RankerError)


class DraftingUnavailable(RuntimeError):
    """The pipeline or its model cannot be loaded; the message says what to do."""


class PipelineService:
    """Lazily built pipeline plus the calls the server makes on it."""

    def __init__(self, root: Path | None, stats: LatencyStats) -> None:
        self.root = root
        self.stats = stats
        self._options = ServerOptions()
        self._pipeline: DocPipeline | None = None
        self._error: str | None = None
        self._lock = threading.Lock()

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
                    self._pipeline = _build_pipeline(self.root or Path.cwd(), self._options)
            except Exception as exc:  # noqa: BLE001 - reported to the user, not fatal
                self._error = _explain(exc, self._options)
                logger.error("%s", self._error)
                raise DraftingUnavailable(self._error) from exc
            return self._pipeline

    def draft(
        self, path: str, source: bytes, symbol: Symbol, parsed: ParsedFile | None = None
    ) -> DocResult:
        """Draft documentation for ``symbol`` (summary, rendered docstring, confidence).

        ``parsed`` is the parse of exactly ``source`` when the caller has it (an open
        buffer), so the pipeline does not parse the file again.
        """
        pipeline = self.pipeline()
        try:
            with self.stats.timed("model:draft"):
                target = pipeline.target(path, source, symbol, parsed)
                return pipeline.document_targets([target], Priority.INTERACTIVE)[0]
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

    def insertion(self, path: str, source: bytes, symbol: Symbol, result: DocResult) -> TextEdit:
        """Return the edit inserting ``result`` as the docstring of ``symbol``.

        Raises:
            EditRefused: The edit would damage the file or the symbol is documented now.
        """
        return self.pipeline().plan_insertion(path, source, symbol, result)

    def stale_update(
        self, path: str, source: bytes, symbol: Symbol, finding: StaleFinding
    ) -> TextEdit:
        """Return the edit replacing the stale parameter entries of ``symbol``'s docstring.

        Raises:
            EditRefused: The parameter list cannot be located or the edit would damage
                the file.
        """
        pipeline = self.pipeline()
        with self.stats.timed("model:stale_update"):
            return pipeline.plan_stale_update(
                path, source, symbol, finding, priority=Priority.INTERACTIVE
            )

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


def _build_pipeline(root: Path, options: ServerOptions) -> DocPipeline:
    settings = PipelineSettings(
        model=options.model,
        style=options.style,
        cache_dir=Path(options.cache_path) if options.cache_path else None,
        threads=options.threads,
        min_confidence=options.min_confidence,
        include_private=options.include_private,
        corpus=options.corpus and _project_corpus(root),
    )
    return DocPipeline(root, settings)


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
