"""The live index: parsed buffers plus the on-disk index of the workspace.

Open buffers are parsed on demand (tree-sitter takes milliseconds) and cached by
version, so hover and diagnostics never wait for indexing. The on-disk index
(``indexer.index``/``indexer.store``) is built and updated incrementally in a child
process (:mod:`lsp.index_worker`), one job at a time, so indexing never holds the
server's GIL and its embedding model never stays in the server's memory. Call sites resolve
first against open buffers (unsaved text wins), then against the index.
Nothing here imports lsprotocol.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from indexer.symbols import ParsedFile, Symbol
from indexer.text import module_name
from lsp.documents import (
    Located,
    import_targets,
    local_candidates,
    relative_path,
    uri_to_path,
)
from lsp.index_worker import summary_line

if TYPE_CHECKING:
    from indexer.store import IndexStore

logger = logging.getLogger(__name__)

ProgressFn = Callable[[str, int | None], None]
"""``progress(message, percentage)`` as indexing advances."""

_PARSE_CACHE_SIZE = 64


@dataclass(frozen=True)
class Buffer:
    """One parsed version of a document."""

    uri: str
    path: str
    """Path relative to the workspace root (or the URI for non-file documents)."""
    version: int | None
    source: bytes
    parsed: ParsedFile | None
    """``None`` when the language is not supported."""


class WorkspaceIndex:
    """Parsed buffers plus the incremental on-disk index of one workspace root."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self._buffers: OrderedDict[str, Buffer] = OrderedDict()
        self._lock = threading.RLock()
        self._store: IndexStore | None = None
        self._store_failed = False
        self._store_stale = False
        self._pending: set[Path] = set()
        self._drain: Future[str] | None = None
        self._drain_queued = False
        self._child: subprocess.Popen[str] | None = None
        self._jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docgen-index")
        self.indexing = threading.Event()
        self.last_index_summary: str | None = None

    # -- buffers -----------------------------------------------------------------
    def rel_path(self, uri: str) -> str:
        """Return the index key of ``uri``."""
        return relative_path(uri_to_path(uri), self.root, uri)

    def parse(
        self, uri: str, text: str, version: int | None, language_id: str | None = None
    ) -> Buffer:
        """Parse ``text`` of ``uri`` (cached per version and content). The language comes
        from the file name, else from the client's ``language_id`` (untitled buffers)."""
        source = text.encode("utf-8", errors="surrogateescape")
        digest = hashlib.blake2b(source, digest_size=16).digest()
        with self._lock:
            cached = self._buffers.get(uri)
            if cached is not None and cached.version == version:
                if hashlib.blake2b(cached.source, digest_size=16).digest() == digest:
                    self._buffers.move_to_end(uri)
                    return cached
        path = self.rel_path(uri)
        buffer = Buffer(uri, path, version, source, _parse(source, path, uri, language_id))
        with self._lock:
            self._buffers[uri] = buffer
            self._buffers.move_to_end(uri)
            while len(self._buffers) > _PARSE_CACHE_SIZE:
                self._buffers.popitem(last=False)
        return buffer

    def forget(self, uri: str) -> None:
        """Drop the cached parse of a closed document."""
        with self._lock:
            self._buffers.pop(uri, None)

    def buffers(self) -> list[Buffer]:
        """Return the cached buffers (most recently used last)."""
        with self._lock:
            return list(self._buffers.values())

    # -- resolution ----------------------------------------------------------------
    def resolve(self, buffer: Buffer, dotted: str, line: int) -> Located | None:
        """Resolve the name ``dotted`` used at ``line`` of ``buffer`` to its definition."""
        if buffer.parsed is None:
            return None
        local = local_candidates(buffer.parsed, dotted, line)
        if local:
            return Located(local[0], buffer.path, buffer.source, buffer.parsed)
        for target in import_targets(buffer.parsed, dotted):
            found = self._resolve_qualified(target)
            if found is not None:
                return found
        return None

    def _resolve_qualified(self, target: str) -> Located | None:
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
            for buffer in reversed(self.buffers()):
                if buffer.parsed is None or module_name(buffer.path) != module:
                    continue
                for symbol in buffer.parsed.symbols:
                    if symbol.qualname == qualname:
                        return Located(symbol, buffer.path, buffer.source, buffer.parsed)
        for symbol in self._store_find(target):
            return Located(symbol, symbol.path, self._read(symbol.path))
        return self._resolve_on_disk(target)

    def _resolve_on_disk(self, target: str) -> Located | None:
        """Parse the module file of ``target`` straight from disk (index not built yet)."""
        if self.root is None:
            return None
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            qualname = ".".join(parts[cut:])
            folder = "/".join(parts[:cut])
            for rel in (f"{folder}.py", f"{folder}/__init__.py", f"src/{folder}.py"):
                source = self._read(rel)
                if source is None:
                    continue
                parsed = _parse(source, rel, rel)
                for symbol in parsed.symbols if parsed else []:
                    if symbol.qualname == qualname:
                        return Located(symbol, rel, source, parsed)
        return None

    def _store_find(self, target: str) -> list[Symbol]:
        store = self.store()
        if store is None:
            return []
        parts = target.split(".")
        candidates = [target] + [".".join(parts[cut:]) for cut in range(1, len(parts))]
        try:
            with self._lock:
                for name in candidates:
                    found = store.find(name)
                    if isinstance(found, Symbol):
                        found = [found]
                    matches = [
                        s
                        for s in (found or [])
                        if name == target or f"{module_name(s.path)}.{s.qualname}" == target
                    ]
                    if matches:
                        return matches
        except Exception as exc:  # noqa: BLE001 - a broken index must not break hover
            logger.warning("index lookup of %s failed: %s", target, exc)
        return []

    def _read(self, rel: str) -> bytes | None:
        for buffer in self.buffers():
            if buffer.path == rel:
                return buffer.source
        if self.root is None or not _is_within(self.root / rel, self.root):
            return None  # never read through a symlink (or "..") out of the workspace
        try:
            from indexer.parser import read_source

            return read_source(self.root / rel)
        except Exception:  # noqa: BLE001 - missing, unreadable, binary or huge: unresolved
            return None

    # -- the on-disk index ----------------------------------------------------------
    def store(self) -> IndexStore | None:
        """Return the open index store, or ``None`` while there is none (yet).

        The store is opened, used and closed on the caller's thread (the event loop):
        SQLite connections stay on one thread. Index updates only mark it stale.
        """
        if self.root is None:
            return None
        with self._lock:
            if self._store_stale:
                self._store_stale = False
                old, self._store, self._store_failed = self._store, None, False
                _close_quietly(old)
            if self._store is None and not self._store_failed:
                try:
                    from indexer.store import IndexStore

                    self._store = IndexStore.open(self.root)
                except Exception as exc:  # noqa: BLE001 - missing/corrupt index: no lookups
                    logger.info("no usable index at %s yet: %s", self.root, exc)
                    self._store_failed = True
            return self._store

    def _reopen_store(self) -> None:
        with self._lock:
            self._store_stale = True

    def index_all(self, progress: ProgressFn | None = None) -> Future[str]:
        """Index the whole workspace in the background; the future holds a summary."""
        return self._jobs.submit(self._index_all, progress)

    def update(self, paths: Iterable[Path]) -> Future[str]:
        """Re-index ``paths`` (changed, created or deleted files) in the background.

        Paths queued while a job runs are merged into one job (a burst of saves costs
        one child process, not one each).
        """
        with self._lock:
            self._pending.update(paths)
            if self._drain is None or not self._drain_queued:
                self._drain_queued = True
                self._drain = self._jobs.submit(self._update_pending)
            return self._drain

    def _index_all(self, progress: ProgressFn | None) -> str:
        if self.root is None:
            return "no workspace folder: nothing to index"
        self.indexing.set()
        try:
            summary = self._run_worker([], progress)
        finally:
            self.indexing.clear()
        self._reopen_store()
        self.last_index_summary = summary
        return summary

    def _update_pending(self) -> str:
        with self._lock:
            paths, self._pending = sorted(self._pending), set()
            self._drain_queued = False  # later paths need a new job
        if self.root is None or not paths:
            return "nothing to update"
        inside = [p for p in paths if _is_within(p, self.root)]
        if not inside:
            return "no changed file inside the workspace"
        summary = self._run_worker(inside, None)
        self._reopen_store()
        return summary

    def _run_worker(self, paths: list[Path], progress: ProgressFn | None) -> str:
        """Run one job in ``python -P -m lsp.index_worker``; return its summary line.

        ``-P`` keeps the working directory off ``sys.path``: a folder in the user's
        repository named like a module the worker imports must never be imported (or run).

        Raises:
            RuntimeError: The job failed (the message carries the worker's last words).
        """
        assert self.root is not None
        command = [sys.executable, "-P", "-m", "lsp.index_worker", str(self.root), *map(str, paths)]
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as child:
            with self._lock:
                self._child = child
            errors: list[str] = []
            reader = threading.Thread(target=_tail, args=(child.stderr, errors), daemon=True)
            reader.start()
            summary: dict[str, Any] | None = None
            assert child.stdout is not None
            for line in child.stdout:
                message = _json_line(line)
                if "progress" in message and progress is not None:
                    done, total, path = message["progress"]
                    percentage = done * 100 // total if total else None
                    progress(f"{done}/{total} files: {path}", percentage)
                elif "summary" in message:
                    summary = message["summary"]
            code = child.wait()
            reader.join(timeout=5)
            with self._lock:
                self._child = None
        if code != 0 or summary is None:
            detail = " | ".join(errors[-3:]) or f"exit code {code}"
            raise RuntimeError(f"the index worker failed: {detail}")
        return summary_line(summary)

    def close(self) -> None:
        """Stop index jobs (killing a running worker: safe) and close the store."""
        self._jobs.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            child, self._child = self._child, None
            old, self._store = self._store, None
        if child is not None and child.poll() is None:
            child.kill()
        _close_quietly(old)


def _tail(stream: Any, lines: list[str]) -> None:
    """Keep the last lines of the worker's stderr (and log them)."""
    for line in stream:
        line = line.rstrip()
        if line:
            logger.info("index worker: %s", line)
            lines.append(line)
            del lines[:-20]


def _json_line(line: str) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except ValueError:
        return {}
    return message if isinstance(message, dict) else {}


def _close_quietly(store: IndexStore | None) -> None:
    if store is None:
        return
    try:
        store.close()
    except Exception as exc:  # noqa: BLE001
        logger.debug("closing the index store failed: %s", exc)


def _parse(source: bytes, path: str, uri: str, language_id: str | None = None) -> ParsedFile | None:
    """Parse a buffer, or return ``None`` (no features) for unsupported languages and for
    what the indexer refuses too: oversized or minified text (it would stall the loop)."""
    from indexer.languages import LANGUAGES, language_for_path
    from indexer.parser import DEFAULT_MAX_FILE_BYTES, MAX_LINE_BYTES, parse_source

    language = language_for_path(path) or language_for_path(uri)
    if language is None and language_id in LANGUAGES:
        language = language_id
    if language is None:
        return None
    if len(source) > DEFAULT_MAX_FILE_BYTES or (
        len(source) > MAX_LINE_BYTES and max(map(len, source.split(b"\n"))) > MAX_LINE_BYTES
    ):
        logger.info("not parsing %s: larger than the indexer's limits", path)
        return None
    try:
        return parse_source(source, path, language)
    except Exception as exc:  # noqa: BLE001 - an unparsable buffer gets no features
        logger.warning("cannot parse %s: %s", path, exc)
        return None


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
