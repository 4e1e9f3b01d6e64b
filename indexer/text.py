"""Text helpers shared by the parser and its consumers: cleaning doc comments, module
names from paths, and the code of a symbol without its docstring."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import PurePosixPath

from indexer.symbols import Span, Symbol

_COMMENT_MARKERS = re.compile(r"^\s*(?:/\*\*+|/\*!|/\*|\*/|//[/!]?|\*(?!/)|#)\s?")
_TRAILING_CLOSE = re.compile(r"\s*\*+/\s*$")


def clean_docstring(raw: str) -> str | None:
    """Clean the body of a docstring literal like :func:`inspect.cleandoc`.

    Returns:
        The cleaned text, or ``None`` when it is empty or whitespace.
    """
    cleaned = inspect.cleandoc(raw.replace("\r\n", "\n"))
    return cleaned or None


def clean_comment(texts: list[str]) -> str | None:
    """Strip comment markers (``/** */``, ``*``, ``///``, ``//``, ``#``) from doc comments.

    Args:
        texts: The raw comment texts in file order (one per comment node).

    Returns:
        The comment's prose with common indentation removed, or ``None`` when empty.
    """
    lines: list[str] = []
    for text in texts:
        for line in text.replace("\r\n", "\n").rstrip("\n").split("\n"):
            line = _TRAILING_CLOSE.sub("", line)
            lines.append(_COMMENT_MARKERS.sub("", line, count=1).rstrip())
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    cleaned = textwrap.dedent("\n".join(lines)).strip("\n")
    return cleaned or None


def module_name(path: str) -> str:
    """Return the dotted module path for a repository-relative file path.

    ``pkg/mod.py`` -> ``pkg.mod``; ``pkg/__init__.py`` -> ``pkg``; a leading ``src/``
    folder is dropped (the src layout).
    """
    posix = PurePosixPath(path.replace("\\", "/"))
    parts = list(posix.with_suffix("").parts) if posix.suffix else list(posix.parts)
    parts = [part for part in parts if part not in ("", ".", "/")]
    if parts and parts[-1] in ("__init__", "__main__") and len(parts) > 1:
        if parts[-1] == "__init__":
            parts.pop()
    if len(parts) > 1 and parts[0] == "src":
        parts.pop(0)
    return ".".join(parts) or posix.stem or "module"


def _line_start(source: bytes, offset: int) -> int:
    return source.rfind(b"\n", 0, offset) + 1


def _line_end(source: bytes, offset: int) -> int:
    end = source.find(b"\n", offset)
    return len(source) if end < 0 else end + 1


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte


def symbol_source(source: bytes, symbol: Symbol, strip_docstring: bool = True) -> str:
    """Return the code of ``symbol`` (decorators included), dedented.

    With ``strip_docstring`` the docstring literal is removed; a body that held only the
    docstring gets ``...`` instead, so the result stays valid code. Doc comments that
    precede a definition lie outside its span and never appear. The result is
    deterministic: same bytes and symbol, same text (``\\n`` line endings, no trailing
    whitespace on lines).

    Args:
        source: The raw bytes of the whole file the symbol was parsed from.
        symbol: A symbol of that file.
        strip_docstring: Remove the docstring literal.
    """
    span = symbol.span
    start = _line_start(source, span.start_byte)
    end = span.end_byte
    doc = symbol.doc_span
    if strip_docstring and doc is not None and _inside(doc, span) and doc.start_byte >= start:
        code = _without_docstring(source, start, end, doc, symbol.body_span)
    else:
        code = source[start:end]
    text = code.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return textwrap.dedent("\n".join(lines)).strip("\n")


def _without_docstring(source: bytes, start: int, end: int, doc: Span, body: Span | None) -> bytes:
    doc_line_start = _line_start(source, doc.start_byte)
    doc_line_end = _line_end(source, doc.end_byte)
    before = source[doc_line_start : doc.start_byte]
    after = source[doc.end_byte : doc_line_end]
    own_lines = not before.strip() and after.strip() in (b"", b";")
    if not own_lines:
        return source[start : doc.start_byte] + b"..." + source[doc.end_byte : end]
    head = source[start:doc_line_start]
    tail = source[min(doc_line_end, end) : end]
    next_end = _line_end(source, doc_line_end)
    if doc_line_end < end and next_end <= end and not source[doc_line_end:next_end].strip():
        tail = source[next_end:end]  # the blank line that separated the docstring
    body_rest = source[doc_line_end:end]
    if body is not None:
        body_rest = source[max(body.start_byte, doc_line_end) : body.end_byte]
    if not _has_code(body_rest):
        return head + before + b"...\n" + tail
    return head + tail


def _has_code(text: bytes) -> bool:
    for line in text.split(b"\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith(b"#"):
            return True
    return False
