"""The language server's per-session state: :class:`DocgenServer`.

Feature modules (:mod:`lsp.lifecycle`, :mod:`lsp.hover`, :mod:`lsp.actions`,
:mod:`lsp.diagnostics`, :mod:`lsp.workspace`) import this module for the state they
work on; it imports none of them. :mod:`lsp.server` builds the server and registers
the features.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer

from assistant.pipeline import BULK_NICE, lower_thread_priority
from indexer.config import ConfigError, find_pyproject, load_tool_config
from indexer.coverage import CheckOptions, counting_options
from indexer.extras import DISTRIBUTION
from lsp.activity import Activity
from lsp.live_index import WorkspaceIndex
from lsp.options import ServerOptions, options_to_json, parse_options
from lsp.pipeline_service import PipelineService
from lsp.protocol import DocgenProtocol
from lsp.stats import LatencyStats
from lsp.transport import run_stdio
from lsp.unresolved import Unresolvable

logger = logging.getLogger(__name__)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version(DISTRIBUTION)
    except Exception:  # noqa: BLE001 - running from a source tree
        return "0+unknown"


class DocgenServer(LanguageServer):
    """pygls server holding docgen's per-session state."""

    def start_io(self, stdin=None, stdout=None) -> None:  # noqa: ANN001 - pygls' signature
        """Serve on stdio with docgen's reader (:mod:`lsp.transport`): one thread reads
        the pipe, instead of three executor round trips per message."""
        run_stdio(self, stdin, stdout)

    def __init__(self, stats_file: Path | None = None) -> None:
        super().__init__(
            "docgen",
            _version(),
            protocol_cls=DocgenProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.options = ServerOptions()
        self.stats = LatencyStats()
        self.stats_file = stats_file
        self.index = WorkspaceIndex(None)
        self.activity = Activity()
        """Editor requests in flight: bulk work (file-wide action, retrieval ahead,
        bulk drafting) steps aside for them."""
        activity = self.activity
        self.pipeline_service = PipelineService(None, self.stats, lambda: activity.busy)
        self.prefetch_pool = _background_pool(1, "docgen-prefetch")
        """Retrieval ahead of hovers for opened files (see :mod:`lsp.workspace`), on a
        thread the OS runs after the editor's requests."""
        self.project_counting = CheckOptions()
        """What counts as needing a docstring per the workspace's ``[tool.docgen]``."""
        self.model_pool = ThreadPoolExecutor(
            max_workers=min(8, (os.cpu_count() or 2) * 2), thread_name_prefix="docgen-model"
        )
        self.bulk_pool = _background_pool(2, "docgen-bulk")
        """The file-wide action's planning and checking (bulk work, as its drafts are in
        the batcher's bulk lane), on threads the OS runs after the editor's requests."""
        self.pending_messages: list[str] = []
        self.background: set[asyncio.Task[Any]] = set()
        self.debounce: dict[str, asyncio.TimerHandle] = {}
        """Pending re-parse of each edited document (see :mod:`lsp.workspace`)."""
        self.unresolvable = Unresolvable()
        """Code actions known to resolve to no edit (see :mod:`lsp.unresolved`)."""
        self.workspace_roots: tuple[Path, ...] = ()
        """The workspace folders, resolved: only documents under them are served (see
        :func:`lsp.documents.refusal`); none: only open documents."""
        self.error_shown = False
        """Whether this session has popped up its one message about server errors."""
        self.warnings_shown: set[str] = set()

    def set_root(self, root: Path | None) -> list[str]:
        """Point the index and the pipeline at the workspace root and read its
        ``[tool.docgen]``; return messages about a config that cannot be used."""
        self.index.close()
        self.index = WorkspaceIndex(root)
        self.pipeline_service.root = root
        return self.reload_project_config()

    def reload_project_config(self) -> list[str]:
        """Re-read the counting rules from ``[tool.docgen]`` of the workspace (as ``docgen
        check`` run at the root reads them); on error keep the defaults and say so."""
        root = self.index.root
        try:
            table = load_tool_config(find_pyproject(root)) if root is not None else {}
            self.project_counting = counting_options(table)
        except ConfigError as exc:
            self.project_counting = CheckOptions()
            return [f"docgen: {exc}; diagnostics use the default rules"]
        return [f"docgen: {warning}" for warning in getattr(table, "warnings", [])]

    def counting_options(self) -> CheckOptions:
        """The "needs a docstring" rules: ``[tool.docgen]``, where the ``includePrivate``
        setting can also turn on private names (an editor cannot tell an unset boolean
        setting from ``false``, so it never turns off what the project file turns on)."""
        base = self.project_counting
        return dataclasses.replace(
            base, include_private=base.include_private or self.options.include_private
        )

    def apply_options(self, raw: Any, *, base: ServerOptions | None = None) -> list[str]:
        """Adopt options from client JSON; return messages about rejected values."""
        self.options, errors = parse_options(raw, base or self.options)
        self.pipeline_service.configure(self.options)
        self.unresolvable.clear()
        return errors

    def warn(self, message: str) -> None:
        """Show ``message`` to the user (window/showMessage, warning) the first time; log
        it every time (a client resending the same bad settings gets one pop-up)."""
        self.log(message, types.MessageType.Warning)
        if message not in self.warnings_shown:
            self.warnings_shown.add(message)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )

    def tell(self, message: str) -> None:
        """Answer something the user just asked for with a message (showMessage, info),
        e.g. why a chosen code action changed nothing; logged too."""
        self.log(message)
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Info, message=message)
        )

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """Write ``message`` to the server log and the client's log (window/logMessage)."""
        level = logging.WARNING if kind <= types.MessageType.Warning else logging.INFO
        logger.log(level, "%s", message)
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception as exc:  # noqa: BLE001 - no transport (yet): the server log has it
            logger.debug("cannot send window/logMessage: %s", exc)

    def report_malformed(self, text: str) -> None:
        """Report a message from the client that could not be used: logged each time, and
        one pop-up per session (the first), pointing at the log."""
        self.log(f"docgen: {text}", types.MessageType.Warning)
        self._show_error_once(
            "docgen: the editor sent a message the server could not use "
            f"({_clip(text)}). Details are in the docgen log; further ones are only logged."
        )

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls' reporter of errors outside a request (read loop, notifications): answer
        invalid JSON with -32700 Parse error, log the rest, pop up at most once.

        Errors of a request are already in its response (pygls passes them too)."""
        if source is FeatureRequestError:
            return
        if isinstance(error, json.JSONDecodeError | UnicodeDecodeError):
            self.protocol._send_data(
                {
                    "jsonrpc": "2.0",
                    "id": None,
                    "error": {"code": -32700, "message": f"Parse error: {_clip(str(error))}"},
                }
            )
            self.report_malformed(f"invalid JSON: {error}")
            return
        self.log(f"docgen: error in the server: {error}", types.MessageType.Error)
        self._show_error_once(
            f"docgen: error in the server: {_clip(str(error))}. Details are in the docgen "
            "log; further errors are only logged."
        )

    def _show_error_once(self, message: str) -> None:
        if self.error_shown:
            return
        self.error_shown = True
        try:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=message)
            )
        except Exception as exc:  # noqa: BLE001
            logger.debug("cannot send window/showMessage: %s", exc)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run ``coro`` in the background, keeping a reference until it finishes."""
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
        return task

    def stats_payload(self) -> dict[str, Any]:
        """Return the stats snapshot with some context."""
        snapshot = self.stats.snapshot()
        snapshot["rss_mb"] = _rss_mb()
        snapshot["options"] = options_to_json(self.options)
        snapshot["indexing"] = self.index.indexing.is_set()
        snapshot["serving"] = self.pipeline_service.serving_stats()
        return snapshot

    def write_stats_file(self) -> None:
        """Write the stats file, if one was asked for (errors are logged, not raised)."""
        if self.stats_file is None:
            return
        try:
            serving = self.pipeline_service.serving_stats()
            self.stats.write(self.stats_file, {"rss_mb": _rss_mb(), "serving": serving})
        except OSError as exc:
            logger.warning("cannot write stats file %s: %s", self.stats_file, exc)

    def shutdown_state(self) -> None:
        """Release threads, the model and the index; write stats one last time."""
        for task in list(self.background):
            task.cancel()
        self.write_stats_file()
        self.index.close()
        self.pipeline_service.close()
        self.model_pool.shutdown(wait=False, cancel_futures=True)
        self.prefetch_pool.shutdown(wait=False, cancel_futures=True)
        self.bulk_pool.shutdown(wait=False, cancel_futures=True)


def _clip(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    try:
        import resource

        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    except Exception:  # noqa: BLE001
        return 0.0


def _background_pool(workers: int, prefix: str) -> ThreadPoolExecutor:
    """A pool for work nobody waits on now (bulk, speculative): its threads run at a
    lower OS priority (:data:`~assistant.pipeline.BULK_NICE`; Linux), so on a busy
    machine the event loop, hovers and interactive drafts get the cores first."""
    return ThreadPoolExecutor(
        workers,
        thread_name_prefix=prefix,
        initializer=lower_thread_priority,
        initargs=(BULK_NICE,),
    )
