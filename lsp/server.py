"""The docgen language server: state, lifecycle, options, stats. Features live in
:mod:`lsp.hover`, :mod:`lsp.actions`, :mod:`lsp.diagnostics` and :mod:`lsp.workspace`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from lsp import actions, hover, workspace
from lsp.common import request
from lsp.documents import uri_to_path
from lsp.drafting import Drafter
from lsp.live_index import WorkspaceIndex
from lsp.options import COMMAND_STATS, ServerOptions, options_to_json, parse_options
from lsp.protocol import DocgenProtocol
from lsp.stats import LatencyStats

logger = logging.getLogger(__name__)

STATS_FILE_INTERVAL_S = 2.0


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("docgen")
    except Exception:  # noqa: BLE001 - running from a source tree
        return "0+unknown"


class DocgenServer(LanguageServer):
    """pygls server holding docgen's per-session state."""

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
        self.drafter = Drafter(None, self.stats)
        self.model_pool = ThreadPoolExecutor(
            max_workers=min(8, (os.cpu_count() or 2) * 2), thread_name_prefix="docgen-model"
        )
        self.pending_messages: list[str] = []
        self.background: set[asyncio.Task[Any]] = set()
        self.debounce: dict[str, asyncio.TimerHandle] = {}
        """Pending re-parse of each edited document (see :mod:`lsp.workspace`)."""

    def set_root(self, root: Path | None) -> None:
        """Point the index and the drafter at the workspace root."""
        self.index.close()
        self.index = WorkspaceIndex(root)
        self.drafter.root = root

    def apply_options(self, raw: Any, *, base: ServerOptions | None = None) -> list[str]:
        """Adopt options from client JSON; return messages about rejected values."""
        self.options, errors = parse_options(raw, base or self.options)
        self.drafter.configure(self.options)
        return errors

    def warn(self, message: str) -> None:
        """Show ``message`` to the user (window/showMessage, warning)."""
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=message)
        )

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
        return snapshot

    def write_stats_file(self) -> None:
        """Write the stats file, if one was asked for (errors are logged, not raised)."""
        if self.stats_file is None:
            return
        try:
            self.stats.write(self.stats_file, {"rss_mb": _rss_mb()})
        except OSError as exc:
            logger.warning("cannot write stats file %s: %s", self.stats_file, exc)

    def shutdown_state(self) -> None:
        """Release threads, the model and the index; write stats one last time."""
        for task in list(self.background):
            task.cancel()
        self.write_stats_file()
        self.index.close()
        self.drafter.close()
        self.model_pool.shutdown(wait=False, cancel_futures=True)


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


def create_server(stats_file: Path | None = None) -> DocgenServer:
    """Build the server with every feature registered."""
    server = DocgenServer(stats_file)
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.EXIT)(exit_now)
    server.command(COMMAND_STATS)(stats_command)
    hover.register(server)
    actions.register(server)
    workspace.register(server)
    return server


def initialize(ls: DocgenServer, params: types.InitializeParams) -> None:
    """Pick the workspace root and read ``initializationOptions``."""
    root = None
    if params.workspace_folders:
        root = uri_to_path(params.workspace_folders[0].uri)
    elif params.root_uri:
        root = uri_to_path(params.root_uri)
    elif params.root_path:
        root = Path(params.root_path)
    ls.set_root(root if root is not None and root.is_dir() else None)
    ls.pending_messages.extend(ls.apply_options(params.initialization_options))


async def initialized(ls: DocgenServer, params: types.InitializedParams) -> None:
    """Report rejected options, start the stats file writer and background indexing."""
    for message in ls.pending_messages:
        ls.warn(message)
    ls.pending_messages.clear()
    if ls.stats_file is not None:
        ls.spawn(stats_file_loop(ls))
    await workspace.on_initialized(ls)


def shutdown(ls: DocgenServer, params: Any) -> None:
    """Release resources before exit."""
    ls.shutdown_state()


def exit_now(ls: DocgenServer, params: Any) -> None:
    """Exit at once, without waiting for a background index job to finish.

    Index writes are SQLite transactions plus atomic file replacements, so stopping
    mid-update leaves an index that loads; the next update completes it.
    """
    ls.shutdown_state()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0 if ls.protocol._shutdown else 1)


@request(f"workspace/executeCommand:{COMMAND_STATS}")
async def stats_command(ls: DocgenServer, *args: Any) -> dict[str, Any]:
    """``docgen.stats``: latency percentiles per request type and model call."""
    return ls.stats_payload()


async def stats_file_loop(ls: DocgenServer) -> None:
    """Rewrite the stats file every few seconds while the server runs."""
    while True:
        await asyncio.sleep(STATS_FILE_INTERVAL_S)
        await asyncio.get_running_loop().run_in_executor(None, ls.write_stats_file)


def serve(tcp: tuple[str, int] | None = None, stats_file: Path | None = None) -> None:
    """Run the server on stdio, or on TCP when ``tcp`` is ``(host, port)``."""
    server = create_server(stats_file)
    if tcp is None:
        server.start_io()
    else:
        server.start_tcp(*tcp)
    server.write_stats_file()
