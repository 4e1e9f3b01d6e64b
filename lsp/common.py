"""Glue shared by the feature modules: request timing, errors, buffers, positions.

Every request handler is wrapped by :func:`request` so that it is timed into the
server's latency stats and a :class:`~lsp.documents.DocumentError` (unknown document,
position outside it) becomes a proper ``InvalidParams`` reply instead of an internal
error. Positions from the client are converted from its encoding (UTF-16 by default)
to character columns and then to the indexer's byte columns, and back.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from indexer.symbols import Span
from lsp.documents import DocumentError, byte_col_to_char, char_col_to_byte, uri_to_path
from lsp.live_index import Buffer

if TYPE_CHECKING:
    from pygls.workspace import TextDocument

    from lsp.server import DocgenServer

F = TypeVar("F", bound=Callable[..., Any])

CONTENT_MODIFIED = -32801
REQUEST_FAILED = -32803


class ContentModified(JsonRpcException):
    """The document changed so that the request no longer applies (LSP -32801)."""

    CODE = CONTENT_MODIFIED


class RequestFailed(JsonRpcException):
    """A well-formed request that could not be carried out (LSP -32803)."""

    CODE = REQUEST_FAILED


def request(name: str) -> Callable[[F], F]:
    """Decorate an async handler: time it as ``name`` and map document errors."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        async def wrapper(ls: DocgenServer, *args: Any) -> Any:
            start = time.perf_counter()
            failed = False
            try:
                return await handler(ls, *args)
            except DocumentError as exc:
                failed = True
                raise JsonRpcInvalidParams(str(exc)) from exc
            except asyncio.CancelledError:
                ls.stats.record(f"{name}:cancelled", time.perf_counter() - start)
                raise
            except BaseException:
                failed = True
                raise
            finally:
                ls.stats.record(name, time.perf_counter() - start, error=failed)

        # pygls evaluates a command handler's annotations at run time; ours name types
        # imported only for type checking, so hide them (the ``ls`` name is enough)
        wrapper.__annotations__ = {}
        return wrapper  # type: ignore[return-value]

    return decorate


def text_document(ls: DocgenServer, uri: str) -> TextDocument:
    """Return the open document ``uri``, or the file on disk behind a ``file:`` URI.

    Raises:
        DocumentError: The URI is not open and is not an existing local file.
    """
    document = ls.workspace.text_documents.get(unquote(uri))
    if document is not None:
        return document
    path = uri_to_path(uri)
    if path is None:
        raise DocumentError(f"unknown document {uri}: docgen serves open documents and file: URIs")
    if not path.is_file():
        raise DocumentError(f"unknown document {uri}: no such file")
    return ls.workspace.get_text_document(uri)


def buffer_for(ls: DocgenServer, uri: str) -> tuple[TextDocument, Buffer]:
    """Return the document and its parsed buffer (parsed now if not cached)."""
    document = text_document(ls, uri)
    try:
        text = document.source
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(f"cannot read {uri}: {exc}") from exc
    return document, ls.index.parse(uri, text, document.version)


def server_position(document: TextDocument, position: types.Position) -> tuple[int, int, int]:
    """Return (line, char column, byte column) of a client position.

    Raises:
        DocumentError: The position lies outside the document.
    """
    lines = document.lines
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
    lines = document.lines
    if line >= len(lines):
        return types.Position(line=len(lines), character=0)
    line_text = lines[line].rstrip("\r\n")
    char_col = byte_col_to_char(line_text, byte_col)
    return document.position_codec.position_to_client_units(
        lines, types.Position(line=line, character=char_col)
    )


def char_position(document: TextDocument, line: int, char_col: int) -> types.Position:
    """Convert (line, character column) to a client position in its encoding."""
    lines = document.lines
    if line >= len(lines):
        return types.Position(line=len(lines), character=0)
    return document.position_codec.position_to_client_units(
        lines, types.Position(line=line, character=char_col)
    )


async def in_thread(ls: DocgenServer, fn: Callable[..., Any], *args: Any) -> Any:
    """Run blocking ``fn`` on the model worker pool; cancelling the await drops it."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(ls.model_pool, functools.partial(fn, *args))
