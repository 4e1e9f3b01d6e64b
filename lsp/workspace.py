"""Document sync, background indexing with work-done progress, configuration changes.

After ``initialized`` the workspace is indexed in the background (``$/progress`` with
the title ``docgen: indexing``). The index then follows the editor: edits re-parse the
buffer after a short quiet period (debounce) and refresh its diagnostics; saves and
watched-file events re-index just those files on disk.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path
from typing import Any

from lsprotocol import types

from indexer.coverage import missing_docstrings
from indexer.symbols import Symbol
from lsp import diagnostics
from lsp.documents import DocumentError, resolved_roots, uri_to_path
from lsp.live_index import Buffer
from lsp.options import COMMAND_INDEX_WORKSPACE, PROGRESS_TITLE
from lsp.requests import buffer_for, request
from lsp.state import DocgenServer

logger = logging.getLogger(__name__)

DEBOUNCE_S = 0.3
REPORT_EVERY_S = 0.2
WATCH_GLOB = "**/*.{py,pyi,js,jsx,mjs,cjs,ts,tsx,mts,cts,go,java,rs}"


def register(server: DocgenServer) -> None:
    """Register document sync, watched files, configuration and the index command."""
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(did_save)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)(did_change_workspace_folders)
    server.command(COMMAND_INDEX_WORKSPACE)(index_workspace_command)


async def on_initialized(ls: DocgenServer) -> None:
    """Watch source files and start background indexing (unless disabled)."""
    await _watch_files(ls)
    if ls.options.index_on_startup and ls.index.root is not None:
        ls.spawn(index_workspace(ls))


def did_open(ls: DocgenServer, params: types.DidOpenTextDocumentParams) -> None:
    """Parse the new document, publish its diagnostics, and retrieve the contexts of its
    undocumented symbols in the background (their hovers then find them ready)."""
    uri = params.text_document.uri
    with ls.stats.timed("didOpen"):  # on the event loop: requests queue behind it
        diagnostics.publish(ls, uri)
    if not ls.pipeline_service.built:
        return
    try:
        _, buffer = buffer_for(ls, uri)
    except DocumentError:
        return
    if buffer.parsed is None:
        return
    symbols = [
        s for s in missing_docstrings(buffer.parsed, ls.counting_options()) if s.kind != "module"
    ]
    if symbols:
        ls.prefetch_pool.submit(_prefetch, ls, buffer, symbols)


def _prefetch(ls: DocgenServer, buffer: Buffer, symbols: list[Symbol]) -> None:
    """Retrieve ahead, a chunk at a time, waiting while editor requests are answered."""
    try:
        ls.pipeline_service.prefetch(
            buffer.path,
            buffer.source,
            buffer.parsed,
            symbols,
            lambda: ls.activity.yield_to(PREFETCH_YIELD_S),
        )
    except Exception as exc:  # noqa: BLE001 - only a head start: the hover retrieves itself
        logger.info("retrieval ahead of hovers failed for %s: %s", buffer.path, exc)


PREFETCH_YIELD_S = 0.5
"""Longest a chunk of retrieval ahead waits for interactive requests to finish."""


def did_change(ls: DocgenServer, params: types.DidChangeTextDocumentParams) -> None:
    """Re-parse and re-check the document once edits pause for :data:`DEBOUNCE_S`."""
    uri = params.text_document.uri
    pending = ls.debounce.pop(uri, None)
    if pending is not None:
        pending.cancel()
    loop = asyncio.get_running_loop()
    ls.debounce[uri] = loop.call_later(DEBOUNCE_S, _settled, ls, uri)


def _settled(ls: DocgenServer, uri: str) -> None:
    ls.debounce.pop(uri, None)
    if uri in ls.workspace.text_documents:
        diagnostics.publish(ls, uri)


def did_save(ls: DocgenServer, params: types.DidSaveTextDocumentParams) -> None:
    """Re-index the saved file and publish fresh diagnostics; a saved pyproject.toml
    reloads the ``[tool.docgen]`` rules of every open document's diagnostics."""
    uri = params.text_document.uri
    path = uri_to_path(uri)
    refresh = [uri]
    if path is not None and path.name == "pyproject.toml":
        for message in ls.reload_project_config():
            ls.warn(message)
        refresh = list(ls.workspace.text_documents)
    for each in refresh:
        diagnostics.publish(ls, each)
    if path is not None:
        ls.spawn(_update_index(ls, [path]))


def did_close(ls: DocgenServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget the buffer and clear its diagnostics."""
    uri = params.text_document.uri
    pending = ls.debounce.pop(uri, None)
    if pending is not None:
        pending.cancel()
    ls.index.forget(uri)
    diagnostics.clear(ls, uri)


def did_change_watched_files(ls: DocgenServer, params: types.DidChangeWatchedFilesParams) -> None:
    """Re-index created, changed and deleted files."""
    paths = [p for change in params.changes if (p := uri_to_path(change.uri)) is not None]
    if paths:
        ls.spawn(_update_index(ls, paths))


def did_change_configuration(ls: DocgenServer, params: types.DidChangeConfigurationParams) -> None:
    """Adopt changed settings; report invalid values; refresh open documents."""
    for message in ls.apply_options(params.settings):
        ls.warn(message)
    for uri in list(ls.workspace.text_documents):
        diagnostics.publish(ls, uri)


def did_change_workspace_folders(
    ls: DocgenServer, params: types.DidChangeWorkspaceFoldersParams
) -> None:
    """Serve the folders the client has now (pygls has updated its list before this).

    The index stays on the first folder it was given; a session that started without
    one indexes the first folder added."""
    folders = [p for f in ls.workspace.folders.values() if (p := uri_to_path(f.uri)) is not None]
    if not folders and ls.workspace.root_uri and (root := uri_to_path(ls.workspace.root_uri)):
        folders = [root]
    ls.workspace_roots = resolved_roots(folders)
    if ls.index.root is None:
        root = next((folder for folder in folders if folder.is_dir()), None)
        if root is not None:
            for message in ls.set_root(root):
                ls.warn(message)


@request(f"workspace/executeCommand:{COMMAND_INDEX_WORKSPACE}")
async def index_workspace_command(ls: DocgenServer, *args: Any) -> dict[str, Any]:
    """``docgen.indexWorkspace``: (re)index the workspace now, with progress."""
    summary = await index_workspace(ls)
    return {"summary": summary}


async def index_workspace(ls: DocgenServer) -> str:
    """Index the workspace on the index worker, reporting work-done progress."""
    token = f"docgen-index-{uuid.uuid4().hex[:8]}"
    progress = ls.work_done_progress
    caps = ls.client_capabilities.window
    if caps is not None and caps.work_done_progress:
        try:
            await progress.create_async(token)
        except Exception:  # noqa: BLE001 - the client refused: index without progress
            token = None
    else:
        token = None
    if token is not None:
        progress.begin(
            token,
            types.WorkDoneProgressBegin(title=PROGRESS_TITLE, percentage=0, cancellable=False),
        )
    loop = asyncio.get_running_loop()
    last = [0.0]

    def report(message: str, percentage: int | None) -> None:
        now = time.monotonic()
        if token is None or now - last[0] < REPORT_EVERY_S:
            return
        last[0] = now
        value = types.WorkDoneProgressReport(message=message, percentage=percentage)
        loop.call_soon_threadsafe(progress.report, token, value)

    start = time.perf_counter()
    try:
        summary = await asyncio.wrap_future(ls.index.index_all(report))
    except Exception as exc:  # noqa: BLE001 - reported to the user, the server goes on
        summary = (
            f"docgen: indexing failed: {exc}. Hover and diagnostics still work; "
            "fix the cause, then run the command docgen.indexWorkspace."
        )
        ls.warn(summary)
        ls.stats.record("index:workspace", time.perf_counter() - start, error=True)
    else:
        ls.stats.record("index:workspace", time.perf_counter() - start)
    if token is not None:
        progress.end(token, types.WorkDoneProgressEnd(message=summary))
    return summary


async def _update_index(ls: DocgenServer, paths: list[Path]) -> None:
    start = time.perf_counter()
    try:
        await asyncio.wrap_future(ls.index.update(paths))
    except Exception as exc:  # noqa: BLE001 - keep serving; say what happened
        ls.stats.record("index:update", time.perf_counter() - start, error=True)
        ls.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Warning, message=f"docgen: index update failed: {exc}"
            )
        )
    else:
        ls.stats.record("index:update", time.perf_counter() - start)


async def _watch_files(ls: DocgenServer) -> None:
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps else None
    if not (watched and watched.dynamic_registration):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=WATCH_GLOB)]
    )
    registration = types.Registration(
        id=f"docgen-watch-{uuid.uuid4().hex[:8]}",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception:  # noqa: BLE001 - not fatal: saves still update the index
        pass
