"""Incremental indexing: walk, parse, embed and store only what changed.

Files are keyed by content hash (a size+mtime match skips even the hashing). Changed files
are processed in batches; each batch is one SQLite transaction holding symbols, vectors and
hashes together, so a run killed at any moment leaves an index that loads, and the next run
picks up the files whose hashes were not stored yet. The FAISS file is brought in line at
the end (and by the next run if a kill came first).
"""

from __future__ import annotations

import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from indexer.config import ConfigError
from indexer.embed import Embedder, EmbedderError, embedding_text, shared_embedder
from indexer.parser import DEFAULT_MAX_FILE_BYTES, SkipFile, parse_source, read_source
from indexer.store import FileRecord, IndexStore, IndexWarning, content_hash
from indexer.text import symbol_source
from indexer.walker import WalkOptions, WalkResult, select, walk

ProgressCallback = Callable[[int, int, str], None]
"""``progress(done, total, path)``: called after each file that needed reading."""


@dataclass
class IndexConfig:
    """How to index a repository (``[tool.docgen]`` keys have the same names).

    Attributes:
        exclude: Gitignore-style patterns (relative to the root) never indexed or checked.
        max_file_bytes: Larger files are skipped.
        respect_gitignore: Honour ``.gitignore`` files.
        languages: Only these languages (``None``: all supported).
        embed: Compute embeddings (``False``: symbols only, no model is loaded).
        embed_all: Embed every symbol, not only documented ones. Retrieval looks for
            similar *documented* symbols (and embeds its query symbol itself), so by default
            only those get vectors: in typical code that is a third to a half of the work.
        embedding_model: Local folder or offline sentence-transformers id (``None``: the
            shipped all-MiniLM-L6-v2).
        embedding_backend: ``auto`` (the fastest correct path for this CPU), ``torch``,
            ``onnx``, ``onnx-int8``, ``openvino-fp32`` or ``openvino-bf16``.
        batch_files: Files per transaction (and per embedding batch).
    """

    exclude: list[str] = field(default_factory=list)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    respect_gitignore: bool = True
    languages: list[str] | None = None
    embed: bool = True
    embed_all: bool = False
    embedding_model: str | None = None
    embedding_backend: str = "auto"
    batch_files: int = 32

    @classmethod
    def from_tool_config(cls, table: dict[str, Any]) -> IndexConfig:
        """Build a config from a ``[tool.docgen]`` table; unknown keys are ignored.

        Raises:
            ConfigError: A known key has a value of the wrong type.
        """
        expected: dict[str, tuple[type, ...]] = {
            "exclude": (list,),
            "max_file_bytes": (int,),
            "respect_gitignore": (bool,),
            "languages": (list, type(None)),
            "embed": (bool,),
            "embed_all": (bool,),
            "embedding_model": (str, type(None)),
            "embedding_backend": (str,),
            "batch_files": (int,),
        }
        values = {}
        for item in fields(cls):
            if item.name not in table:
                continue
            value = table[item.name]
            if not isinstance(value, expected[item.name]) or (
                isinstance(value, list) and not all(isinstance(v, str) for v in value)
            ):
                raise ConfigError(f"[tool.docgen] {item.name} = {value!r} has the wrong type")
            values[item.name] = value
        return cls(**values)

    def walk_options(self) -> WalkOptions:
        """The walker settings of this config."""
        return WalkOptions(
            exclude=list(self.exclude),
            max_file_bytes=self.max_file_bytes,
            respect_gitignore=self.respect_gitignore,
            languages=self.languages,
        )


@dataclass
class IndexSummary:
    """What an update did."""

    files: int = 0
    parsed: int = 0
    unchanged: int = 0
    deleted: int = 0
    symbols: int = 0
    symbols_indexed: int = 0
    embedded: int = 0
    reused: int = 0
    vectors: int = 0
    files_with_errors: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    skipped_paths: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def update_index(
    root: Path,
    config: IndexConfig | None = None,
    progress: ProgressCallback | None = None,
    embedder: Embedder | None = None,
) -> IndexSummary:
    """Bring ``<root>/.docgen/`` up to date with the files under ``root``.

    Args:
        root: Repository root.
        config: Settings (defaults when ``None``).
        progress: Called as files are read.
        embedder: Reuse a loaded embedder (default: one shared per process).
    """
    config = config or IndexConfig()
    root = Path(root).resolve()
    return _update(root, config, walk(root, config.walk_options()), True, progress, embedder)


def update_paths(
    root: Path,
    paths: Iterable[Path | str],
    config: IndexConfig | None = None,
    progress: ProgressCallback | None = None,
    embedder: Embedder | None = None,
) -> IndexSummary:
    """Update the index for a few files (e.g. just saved in the editor).

    Paths that no longer exist, or are now excluded, are removed from the index.
    """
    config = config or IndexConfig()
    root = Path(root).resolve()
    absolute = [Path(p) if Path(p).is_absolute() else root / p for p in paths]
    found = select(absolute, root, config.walk_options())
    return _update(root, config, found, False, progress, embedder, requested=absolute)


def _update(
    root: Path,
    config: IndexConfig,
    found: WalkResult,
    full: bool,
    progress: ProgressCallback | None,
    embedder: Embedder | None,
    requested: list[Path] | None = None,
) -> IndexSummary:
    started = time.perf_counter()
    summary = IndexSummary(files=len(found.files), skipped=Counter(found.skipped))
    summary.skipped_paths = list(found.skipped_paths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IndexWarning)  # the same line is in store.notes
        store = IndexStore.open(root, create=True)
    try:
        if config.embed:
            embedder = embedder or shared_embedder(config.embedding_model, config.embedding_backend)
            scope = "all" if config.embed_all else "documented"
            before = store.model_id
            if store.set_model(embedder.model_id, scope):
                summary.warnings.append(_model_change_note(before, embedder.model_id))
        _repair(store, found, full, summary)
        records = store.file_records()
        if full:
            gone = sorted(set(records) - set(found.files))
        else:
            asked = {_rel(p, root) for p in requested or []}
            gone = sorted(p for p in asked if p in records and p not in found.files)
        if gone:
            with store.transaction():
                store.delete_files(gone)
                _mark_dirty(store)
        summary.deleted = len(gone)
        todo = _candidates(found, records, config, summary)
        _process(store, root, todo, records, config, embedder, summary, progress)
        if config.embed and (_is_dirty(store) or store.vectors_changed()):
            summary.vectors = store.sync_vectors()
            _mark_dirty(store, False)
        (summary.symbols,) = store.db.execute("SELECT count(*) FROM symbols").fetchone()
        summary.warnings[:0] = store.notes
        if embedder is not None and hasattr(embedder, "take_notes"):
            summary.warnings.extend(embedder.take_notes())
    finally:
        store.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _model_change_note(before: str | None, after: str) -> str:
    """The one note of a run that drops every stored vector (once, then the index is in
    the new model's space)."""
    if before is not None and before != after:
        return f"embedding model changed ({before} -> {after}): re-embedding every file once"
    return "embedding scope changed: re-embedding every file once"


def _repair(store: IndexStore, found: WalkResult, full: bool, summary: IndexSummary) -> None:
    """Forget the files whose stored rows cannot be read back (they are indexed again by
    this run), so damage is reported once and repaired, not reported every run."""
    damaged = store.damaged_paths(None if full else sorted(found.files))
    if not damaged:
        return
    with store.transaction():
        store.delete_files(damaged)
        _mark_dirty(store)
    files = "1 file" if len(damaged) == 1 else f"{len(damaged)} files"
    summary.warnings.append(f"index entries of {files} were damaged and have been rebuilt")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _candidates(
    found: WalkResult,
    records: dict[str, FileRecord],
    config: IndexConfig,
    summary: IndexSummary,
) -> list[tuple[str, Path, int, int]]:
    """Files whose stat differs from the record (or lack vectors): hash them."""
    todo = []
    for rel, path in sorted(found.files.items()):
        try:
            stat = path.stat()
        except OSError:
            summary.skipped["unreadable"] += 1
            summary.skipped_paths.append((rel, "unreadable"))
            continue
        record = records.get(rel)
        vectors_ok = record is not None and (record.embedded or not config.embed)
        if (
            record is not None
            and vectors_ok
            and record.size == stat.st_size
            and record.mtime_ns == stat.st_mtime_ns
        ):
            summary.unchanged += 1
            continue
        todo.append((rel, path, stat.st_size, stat.st_mtime_ns))
    return todo


def _process(store, root, todo, records, config, embedder, summary, progress) -> None:
    """Read and parse batch N+1 on a worker thread while batch N is embedded and stored.

    ONNX Runtime releases the GIL while it runs, so tree-sitter parsing and hashing of the
    next files proceed on the otherwise idle interpreter instead of waiting for the model
    (the store and the embedder are used from this thread only)."""
    size = max(1, config.batch_files)
    batches = [todo[start : start + size] for start in range(0, len(todo), size)]
    done = 0
    embedding = config.embed
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="docgen-parse") as pool:
        pending = (
            pool.submit(_read_batch, batches[0], records, config, summary) if batches else None
        )
        for number, batch in enumerate(batches):
            items = pending.result()
            if number + 1 < len(batches):
                following = batches[number + 1]
                pending = pool.submit(_read_batch, following, records, config, summary)
            parsed_batch, touched, dropped = [], [], []
            for (rel, _path, _size, _mtime), item in zip(batch, items, strict=True):
                done += 1
                if item is None:
                    if rel in records:
                        dropped.append(rel)
                elif item[0] is None:
                    touched.append(item[1])
                else:
                    parsed_batch.append(item)
                if progress is not None:
                    progress(done, len(todo), rel)
            embedding = _store_batch(
                store, parsed_batch, touched, dropped, embedder, summary, config, embedding
            )


def _read_batch(batch, records, config, summary) -> list:
    return [_read_one(*entry, records, config, summary) for entry in batch]


def _store_batch(store, parsed_batch, touched, dropped, embedder, summary, config, embedding):
    """Embed one batch's files and write them in one transaction; returns whether
    embedding goes on (an embedder that failed is not asked again this run)."""
    vectors = hashes = None
    if embedding and parsed_batch:
        try:
            vectors, hashes = _embed_batch(store, parsed_batch, embedder, summary, config.embed_all)
        except EmbedderError as exc:  # symbols still get indexed; vectors next time
            embedding = False
            summary.warnings.append(f"{exc} Indexed symbols without embeddings.")
        if vectors is not None and embedder.model_id != store.model_id:
            # the chosen path failed to load and the embedder fell back to another one
            # (its note says so): these vectors are in that path's space, and so is the index
            store.set_model(embedder.model_id, "all" if config.embed_all else "documented")
    if vectors is None:
        for _parsed, record, _source in parsed_batch:
            record.embedded = False
    with store.transaction():
        for record in touched:
            store.touch_file(record.path, record.size, record.mtime_ns)
        for position, (parsed, record, _source) in enumerate(parsed_batch):
            store.write_file(
                parsed,
                record,
                None if vectors is None else vectors[position],
                None if hashes is None else hashes[position],
            )
        if dropped:
            store.delete_files(dropped)
        if parsed_batch or dropped:
            _mark_dirty(store)
    summary.deleted += len(dropped)
    return embedding


def _read_one(rel, path, size, mtime_ns, records, config, summary):
    """Return ``None`` (skipped), ``(None, record)`` (same hash) or ``(parsed, record, src)``."""
    try:
        source = read_source(path, config.max_file_bytes)
        digest = content_hash(source)
        record = FileRecord(rel, digest, size, mtime_ns, config.embed)
        old = records.get(rel)
        if old is not None and old.hash == digest and (old.embedded or not config.embed):
            record.embedded = old.embedded
            summary.unchanged += 1
            return None, record
        parsed = parse_source(source, rel)  # also refuses what is too deeply nested
    except SkipFile as exc:
        summary.skipped[exc.reason] += 1
        summary.skipped_paths.append((rel, f"{exc.reason}: {exc.detail}"))
        return None
    summary.parsed += 1
    summary.symbols_indexed += len(parsed.symbols)
    summary.files_with_errors += int(parsed.has_errors)
    return parsed, record, source


def _embed_batch(
    store: IndexStore, parsed_batch, embedder: Embedder, summary: IndexSummary, embed_all: bool
):
    """Vectors (``None`` for symbols left out) and text hashes per file; a text embedded
    before reuses its stored vector."""
    texts: list[str | None] = []
    hashes: list[str] = []
    for parsed, _record, source in parsed_batch:
        for symbol in parsed.symbols:
            text = embedding_text(symbol, symbol_source(source, symbol))
            hashes.append(content_hash(text.encode("utf-8")))
            texts.append(text if embed_all or symbol.docstring else None)
    wanted = [h for h, t in zip(hashes, texts, strict=True) if t is not None]
    known = store.vectors_for_texts(wanted)
    todo = {h: t for h, t in zip(hashes, texts, strict=True) if t is not None and h not in known}
    if todo:
        computed = embedder.encode(list(todo.values()))
        known.update(zip(todo, computed, strict=True))
    summary.embedded += len(todo)
    summary.reused += len(wanted) - len(todo)
    vectors, file_hashes, offset = [], [], 0
    for parsed, _record, _source in parsed_batch:
        count = len(parsed.symbols)
        chunk = range(offset, offset + count)
        vectors.append([known[hashes[i]] if texts[i] is not None else None for i in chunk])
        file_hashes.append(hashes[offset : offset + count])
        offset += count
    return vectors, file_hashes


def _mark_dirty(store: IndexStore, dirty: bool = True) -> None:
    store.db.execute(
        "INSERT OR REPLACE INTO meta VALUES ('vectors_dirty', ?)", ("1" if dirty else "0",)
    )


def _is_dirty(store: IndexStore) -> bool:
    row = store.db.execute("SELECT value FROM meta WHERE key = 'vectors_dirty'").fetchone()
    return row is not None and row[0] == "1"
