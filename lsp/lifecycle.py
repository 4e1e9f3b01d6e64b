"""Session lifecycle: initialize (workspace root, options), initialized (with the
background warm-up), shutdown, exit, and the ``docgen.stats`` command with its stats-file
writer."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types

from lsp import workspace
from lsp.documents import resolved_roots, uri_to_path
from lsp.options import COMMAND_STATS
from lsp.requests import in_thread, request
from lsp.state import DocgenServer

logger = logging.getLogger(__name__)

STATS_FILE_INTERVAL_S = 2.0


def register(server: DocgenServer) -> None:
    """Register the lifecycle handlers and the stats command on ``server``."""
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.EXIT)(exit_now)
    server.command(COMMAND_STATS)(stats_command)


def initialize(ls: DocgenServer, params: types.InitializeParams) -> None:
    """Pick the workspace folders (the first is the index root) and read
    ``initializationOptions``.

    The folders are the client's ``workspaceFolders``; without them ``rootUri`` (or the
    deprecated ``rootPath``); with none of these, only open documents are served.
    """
    ls.pipeline_service.initialized_at = time.monotonic()
    folders = workspace_folders(params.workspace_folders)
    if not folders and params.root_uri:
        folders = workspace_folders([types.WorkspaceFolder(uri=params.root_uri, name="root")])
    if not folders and params.root_path:
        folders = [Path(params.root_path)]
    ls.workspace_roots = resolved_roots(folders)
    root = next((folder for folder in folders if folder.is_dir()), None)
    ls.pending_messages.extend(ls.set_root(root))
    ls.pending_messages.extend(ls.apply_options(params.initialization_options))


def workspace_folders(folders: list[types.WorkspaceFolder] | None) -> list[Path]:
    """The local paths of ``folders`` (folders that are not ``file:`` URIs are left out)."""
    return [path for folder in folders or [] if (path := uri_to_path(folder.uri)) is not None]


async def initialized(ls: DocgenServer, params: types.InitializedParams) -> None:
    """Report rejected options, start the stats file writer and background indexing."""
    for message in ls.pending_messages:
        ls.warn(message)
    ls.pending_messages.clear()
    if ls.stats_file is not None:
        ls.spawn(stats_file_loop(ls))
    if ls.options.warm_up:
        ls.spawn(warm_up(ls))
    await workspace.on_initialized(ls)


async def warm_up(ls: DocgenServer) -> None:
    """Load the model, the index and the embedder and draft once, in a worker thread:
    initialize is answered at once, and the first hover finds everything loaded."""
    try:
        await in_thread(ls, ls.pipeline_service.warm_up)
    except Exception as exc:  # noqa: BLE001 - the first request reports a broken model
        logger.warning("docgen: warm-up failed: %s", exc)


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
    """``docgen.stats``: latency percentiles per request type, model call and tier;
    queue depth, batch sizes, degradations, cache hit rates, warm-up."""
    return ls.stats_payload()


async def stats_file_loop(ls: DocgenServer) -> None:
    """Rewrite the stats file every few seconds while the server runs."""
    while True:
        await asyncio.sleep(STATS_FILE_INTERVAL_S)
        await asyncio.get_running_loop().run_in_executor(None, ls.write_stats_file)
