"""Plain helpers over open documents: URIs, positions, symbols under the cursor.

Positions here are 0-based (line, column) where the column counts Python characters
(code points); the LSP layer converts to and from the client's encoding. Symbol spans
from the indexer use byte columns of the UTF-8 source; :func:`byte_col_to_char` and
:func:`char_col_to_byte` translate. Nothing in this module imports lsprotocol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from indexer.symbols import ParsedFile, Span, Symbol


class DocumentError(ValueError):
    """A request names a document or position the server cannot serve."""


class OutsideWorkspace(DocumentError):
    """A request names a document outside every workspace folder (see :func:`refusal`)."""


_IDENTIFIER = re.compile(r"[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*")
_DOTTED_CHARS = re.compile(r"[\w.\u00c0-\uffff]")


def uri_to_path(uri: str) -> Path | None:
    """Return the local path of a ``file:`` URI, or ``None`` for other schemes."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    if re.match(r"^/[A-Za-z]:", path):  # file:///C:/x on Windows
        path = path[1:]
    return Path(path)


def resolved_roots(paths: list[Path]) -> tuple[Path, ...]:
    """The workspace folders as the confinement check compares them: resolved, each
    once, in order."""
    out: list[Path] = []
    for path in paths:
        try:
            root = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: serve nothing under it
            continue
        if root not in out:
            out.append(root)
    return tuple(out)


def refusal(uri: str, roots: tuple[Path, ...], is_open: bool) -> str | None:
    """Why the server will not serve document ``uri``, or ``None`` when it will.

    Served: an ``untitled:`` buffer, and a ``file:`` URI whose path, with symlinks
    resolved, lies under one of ``roots`` (resolved, see :func:`resolved_roots`). With no
    workspace folder at all, open ``file:`` documents are served (and nothing is read
    from disk). Everything else that is open or on disk is refused: nothing outside the
    workspace is read, drafted or edited. (A URI of another scheme that is not open is
    not refused here: there is nothing to read, so it is an unknown document.)
    """
    scheme = urlparse(uri).scheme
    if scheme == "untitled":
        return None
    path = uri_to_path(uri)
    if path is None:
        if not is_open:
            return None  # nothing to read: answered as an unknown document
        return (
            f"{uri} is outside the workspace: docgen serves files under a workspace folder "
            "and untitled buffers"
        )
    if not roots:
        if is_open:
            return None
        return (
            f"{uri} is outside the workspace: without a workspace folder docgen serves open "
            "documents only"
        )
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return f"{uri} is outside the workspace: its path cannot be resolved"
    if any(real == root or real.is_relative_to(root) for root in roots):
        return None
    shown = f" (it resolves to {real})" if real != path else ""
    return f"{uri} is outside the workspace folders{shown}; docgen serves files under them"


def relative_path(path: Path | None, root: Path | None, uri: str) -> str:
    """Return ``path`` relative to ``root`` with ``/`` separators (the index's key).

    Files outside the root (or without a path) are keyed by their absolute path or URI.
    """
    if path is None:
        return uri
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def byte_col_to_char(line_text: str, byte_col: int) -> int:
    """Convert a UTF-8 byte column of ``line_text`` into a character column."""
    encoded = line_text.encode("utf-8", errors="surrogatepass")
    return len(encoded[:byte_col].decode("utf-8", errors="ignore"))


def char_col_to_byte(line_text: str, char_col: int) -> int:
    """Convert a character column of ``line_text`` into a UTF-8 byte column."""
    return len(line_text[:char_col].encode("utf-8", errors="surrogatepass"))


def check_position(lines: list[str], line: int, char_col: int) -> None:
    """Raise :class:`DocumentError` when (line, col) lies outside the document."""
    last = max(len(lines) - 1, 0)
    if line < 0 or char_col < 0 or line > last + 1 or (line == last + 1 and char_col > 0):
        raise DocumentError(
            f"position {line}:{char_col} is outside the document ({len(lines)} lines)"
        )


def span_contains(span: Span, line: int, byte_col: int) -> bool:
    """Whether the (line, byte column) lies within ``span`` (end inclusive)."""
    if line < span.start_line or line > span.end_line:
        return False
    if line == span.start_line and byte_col < span.start_col:
        return False
    return not (line == span.end_line and byte_col > span.end_col)


def symbol_at(parsed: ParsedFile, line: int, byte_col: int) -> Symbol | None:
    """Return the symbol whose *name* is under the cursor, if any."""
    for symbol in parsed.symbols:
        if symbol.name_span is not None and span_contains(symbol.name_span, line, byte_col):
            return symbol
    return None


def enclosing_symbol(parsed: ParsedFile, line: int) -> Symbol | None:
    """Return the innermost class/function whose definition spans ``line``."""
    best: Symbol | None = None
    for symbol in parsed.symbols:
        if symbol.kind == "module":
            continue
        if symbol.span.start_line <= line <= symbol.span.end_line:
            size = symbol.span.end_line - symbol.span.start_line
            if best is None or size <= best.span.end_line - best.span.start_line:
                best = symbol
    return best


def dotted_name_at(line_text: str, char_col: int) -> str | None:
    """Return the dotted name under the cursor, cut after the word under it.

    ``obj.method(x)`` with the cursor on ``method`` gives ``obj.method``; on ``obj``
    gives ``obj``.
    """
    if not line_text:
        return None
    col = min(char_col, len(line_text))
    if col == len(line_text) or not _DOTTED_CHARS.match(line_text[col]):
        if col > 0 and _DOTTED_CHARS.match(line_text[col - 1]):
            col -= 1
        else:
            return None
    start = col
    while start > 0 and _DOTTED_CHARS.match(line_text[start - 1]):
        start -= 1
    end = col
    while end < len(line_text) and re.match(r"[\w\u00c0-\uffff]", line_text[end]):
        end += 1
    name = line_text[start:end].strip(".")
    parts = [part for part in name.split(".") if part]
    if not parts or not all(_IDENTIFIER.fullmatch(part) for part in parts):
        return None
    return ".".join(parts)


@dataclass(frozen=True)
class Located:
    """A symbol together with the file it lives in."""

    symbol: Symbol
    path: str
    """Path relative to the workspace root (the index key)."""
    source: bytes | None = None
    """The file's current bytes when known (open buffer or read from disk)."""
    parsed: ParsedFile | None = None
    """The parse of exactly ``source``, when at hand (saves the pipeline a re-parse)."""


def local_candidates(parsed: ParsedFile, dotted: str, line: int) -> list[Symbol]:
    """Resolve ``dotted`` against the symbols of the same file.

    ``self.x`` / ``cls.x`` resolve to methods of the enclosing class; ``Name`` and
    ``Class.method`` to the matching qualnames.
    """
    parts = dotted.split(".")
    by_qualname = {symbol.qualname: symbol for symbol in parsed.symbols}
    if parts[0] in ("self", "cls") and len(parts) == 2:
        scope = enclosing_symbol(parsed, line)
        while scope is not None and scope.kind != "class":
            scope = by_qualname.get(scope.parent) if scope.parent else None
        if scope is not None and f"{scope.qualname}.{parts[1]}" in by_qualname:
            return [by_qualname[f"{scope.qualname}.{parts[1]}"]]
        return []
    if dotted in by_qualname:
        return [by_qualname[dotted]]
    return [
        s for s in parsed.symbols if s.parent is None and s.name == dotted and s.kind != "module"
    ]


def import_targets(parsed: ParsedFile, dotted: str) -> list[str]:
    """Return the qualified names ``dotted`` may refer to through the file's imports.

    With ``from pkg.mod import func``, ``func`` gives ``pkg.mod.func``; with
    ``import pkg.mod as m``, ``m.Cls.meth`` gives ``pkg.mod.Cls.meth``.
    """
    parts = dotted.split(".")
    targets: list[str] = []
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        target = parsed.imports.get(head)
        if target:
            targets.append(".".join([target, *parts[cut:]]))
    return targets
