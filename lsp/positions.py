"""Position conversion between the client and the indexer.

Client positions count in the client's encoding (UTF-16 code units by default);
:mod:`lsp.documents` works in characters (code points) and indexer spans in UTF-8 byte
columns. These helpers convert through the document's position codec, in both directions.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace import TextDocument

from indexer.symbols import Span
from lsp.documents import DocumentError, byte_col_to_char, char_col_to_byte

_LINES: weakref.WeakKeyDictionary[TextDocument, tuple[str, Sequence[str]]] = (
    weakref.WeakKeyDictionary()
)


def document_lines(document: TextDocument) -> Sequence[str]:
    """``document.lines``, split once per text: pygls splits the whole text on every
    access, and a hover converts three positions (each split was a full copy of a large
    file, on the event loop)."""
    source = document.source
    kept = _LINES.get(document)
    if kept is not None and kept[0] is source:
        return kept[1]
    lines = tuple(source.splitlines(True))
    try:
        _LINES[document] = (source, lines)
    except TypeError:  # not weakly referenceable: nothing kept
        pass
    return lines


def server_position(document: TextDocument, position: types.Position) -> tuple[int, int, int]:
    """Return (line, char column, byte column) of a client position.

    Raises:
        DocumentError: The position lies outside the document.
    """
    lines = document_lines(document)
    last = len(lines)
    if position.line > last or (position.line == last and position.character > 0):
        raise DocumentError(
            f"position {position.line}:{position.character} is outside the document ({last} lines)"
        )
    if position.line == last:
        return position.line, 0, 0
    line_text = lines[position.line].rstrip("\r\n")
    converted = document.position_codec.position_from_client_units(
        lines, types.Position(line=position.line, character=position.character)
    )
    char_col = min(converted.character, len(line_text))
    return position.line, char_col, char_col_to_byte(line_text, char_col)


def client_range(document: TextDocument, span: Span) -> types.Range:
    """Convert an indexer span (byte columns) to a client range."""
    return types.Range(
        start=client_position(document, span.start_line, span.start_col),
        end=client_position(document, span.end_line, span.end_col),
    )


def client_position(document: TextDocument, line: int, byte_col: int) -> types.Position:
    """Convert (line, byte column) to a client position in its encoding."""
    lines = document_lines(document)
    if line >= len(lines):
        return types.Position(line=len(lines), character=0)
    line_text = lines[line].rstrip("\r\n")
    char_col = byte_col_to_char(line_text, byte_col)
    return document.position_codec.position_to_client_units(
        lines, types.Position(line=line, character=char_col)
    )


def char_position(document: TextDocument, line: int, char_col: int) -> types.Position:
    """Convert (line, character column) to a client position in its encoding."""
    lines = document_lines(document)
    if line >= len(lines):
        return types.Position(line=len(lines), character=0)
    return document.position_codec.position_to_client_units(
        lines, types.Position(line=line, character=char_col)
    )
