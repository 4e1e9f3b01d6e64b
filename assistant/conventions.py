"""The repository's conventions, learned once: its majority docstring style and the
parameter descriptions it already writes (from the index, or by parsing its files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from assistant.cache import ResultCache, digest
from assistant.context import ContextRetriever
from assistant.index_handle import IndexHandle
from assistant.lexicon import ParamLexicon
from assistant.settings import PipelineSettings
from assistant.styles import detect_repo_style

SCAN_VERSION = 1
"""Bumped when what the scan learns changes; part of its cache key."""


def scan_conventions(
    root: Path,
    settings: PipelineSettings,
    index: IndexHandle,
    retriever: ContextRetriever,
    cache: ResultCache,
) -> tuple[str, ParamLexicon]:
    """Return the repository's majority style and its parameter descriptions.

    Read from the index's documented symbols (cached, keyed by the index's content), or,
    without an index, by parsing up to 5,000 docstrings of the repository.
    """
    key = None
    if index.store() is not None:
        key = digest("scan", SCAN_VERSION, retriever.index_fingerprint())
        hit = cache.get(key)
        if hit is not None and isinstance(hit.get("lexicon"), dict):
            return str(hit["style"]), ParamLexicon.from_dict(hit["lexicon"])
    lexicon = ParamLexicon()
    docstrings = list(_docstrings(root, settings, index, retriever))
    for text in docstrings:
        lexicon.add_docstring(text)
    style = detect_repo_style(docstrings)
    if key is not None:
        cache.set(key, {"style": style, "lexicon": lexicon.to_dict()})
    return style, lexicon


def _docstrings(
    root: Path,
    settings: PipelineSettings,
    index: IndexHandle,
    retriever: ContextRetriever,
    limit: int = 5000,
) -> Iterator[str]:
    """Docstrings of Python definitions: from the index, else by parsing the repo."""
    if index.store() is not None:
        documented = retriever.documented_by_name()
        if documented:
            yield from (s.docstring for s in documented.values() if s.language == "python")
            return
    from indexer.parser import SkipFile, parse_file
    from indexer.walker import WalkOptions, walk

    found = 0
    options = WalkOptions(settings.exclude, settings.max_file_bytes, True, ["python"])
    for path in walk(root, options).files.values():
        try:
            parsed = parse_file(path, root, settings.max_file_bytes)
        except (SkipFile, OSError):
            continue
        for symbol in parsed.symbols:
            if symbol.docstring and symbol.kind != "module":
                found += 1
                yield symbol.docstring
        if found >= limit:
            return
