"""Languages docgen understands: file extensions, tree-sitter grammars and ``.scm`` queries.

A language is a grammar wheel plus one query file in ``indexer/queries/<name>.scm``; the
parser reads only the capture names of that query, so adding a language means adding a
query file and one row to :data:`_GRAMMARS`.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path, PurePath

from tree_sitter import Language, Parser, Query

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".java": "java",
    ".rs": "rust",
}
"""File extension -> language name."""

LANGUAGES: tuple[str, ...] = ("python", "javascript", "typescript", "go", "java", "rust")

# grammar key -> (module, function returning the language pointer, query file stem)
_GRAMMARS: dict[str, tuple[str, str, str]] = {
    "python": ("tree_sitter_python", "language", "python"),
    "javascript": ("tree_sitter_javascript", "language", "javascript"),
    "typescript": ("tree_sitter_typescript", "language_typescript", "typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx", "typescript"),
    "go": ("tree_sitter_go", "language", "go"),
    "java": ("tree_sitter_java", "language", "java"),
    "rust": ("tree_sitter_rust", "language", "rust"),
}


class UnsupportedLanguage(ValueError):
    """No grammar or query is available for the requested language."""


def language_for_path(path: str) -> str | None:
    """Return the language name for ``path`` from its extension, or ``None``."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())


def grammar_key(language: str, path: str = "") -> str:
    """Return the grammar to use: TSX files need the TSX dialect of TypeScript."""
    if language == "typescript" and path.lower().endswith(".tsx"):
        return "tsx"
    if language not in _GRAMMARS:
        raise UnsupportedLanguage(
            f"unsupported language {language!r}; supported: {', '.join(LANGUAGES)}"
        )
    return language


@dataclass(frozen=True)
class Grammar:
    """A loaded tree-sitter language and its compiled docgen query.

    Attributes:
        key: Grammar key (``tsx`` for TSX files, else the language name).
        language: The tree-sitter language.
        query: The full query.
        outline_query: The same query limited to definitions, their docs and imports
            (no references): what a coverage check needs, and faster.
    """

    key: str
    language: Language
    query: Query
    outline_query: Query


def query_text(name: str) -> str:
    """Return the text of ``indexer/queries/<name>.scm`` (package data)."""
    try:
        return resources.files("indexer").joinpath("queries", f"{name}.scm").read_text("utf-8")
    except (NotADirectoryError, FileNotFoundError):
        # Editable installs made before indexer/__init__.py existed map the package as a
        # namespace whose path importlib.resources cannot read; the folder is still here.
        return (Path(__file__).parent / "queries" / f"{name}.scm").read_text("utf-8")


@cache
def load_grammar(key: str) -> Grammar:
    """Load the grammar wheel and compile the query for a grammar key (cached)."""
    if key not in _GRAMMARS:
        raise UnsupportedLanguage(f"unsupported grammar {key!r}")
    module_name, function, query_name = _GRAMMARS[key]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        package = module_name.replace("_", "-")
        raise UnsupportedLanguage(
            f"the {key} grammar is not installed: pip install {package}"
        ) from exc
    language = Language(getattr(module, function)())
    try:
        text = query_text(query_name)
    except OSError as exc:
        raise UnsupportedLanguage(f"no docgen query for {key}: {exc}") from exc
    return Grammar(key, language, Query(language, text), _outline(language, text))


# what a coverage check needs: definitions, their docs, the anchors of module docs (Go's
# package clause, whose comment documents the file), and imports (to tell typing's
# ``overload`` from another)
_OUTLINE_CAPTURES = ("@definition.", "@doc", "@module.", "@import")


def _outline(language: Language, text: str) -> Query:
    query = Query(language, text)
    raw = text.encode("utf-8")
    for index in range(query.pattern_count):
        pattern = raw[query.start_byte_for_pattern(index) : query.end_byte_for_pattern(index)]
        if not any(mark.encode() in pattern for mark in _OUTLINE_CAPTURES):
            query.disable_pattern(index)
    query.disable_capture("parameters")
    return query


_local = threading.local()


def parser_for(key: str) -> Parser:
    """Return a tree-sitter parser for a grammar key, one per thread (parsers are not
    thread-safe)."""
    parsers: dict[str, Parser] = _local.__dict__.setdefault("parsers", {})
    parser = parsers.get(key)
    if parser is None:
        parser = parsers[key] = Parser(load_grammar(key).language)
    return parser
