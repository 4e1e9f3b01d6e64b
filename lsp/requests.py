"""Request plumbing shared by the feature modules: timing, JSON-RPC errors, documents,
worker threads.

Every request handler is wrapped by :func:`request` so that it is timed into the
server's latency stats and a :class:`~lsp.documents.DocumentError` (unknown document,
position outside it) becomes a proper ``InvalidParams`` reply instead of an internal
error. :func:`buffer_for` finds a request's document and its parse; :func:`in_thread`
runs blocking pipeline work on the model worker pool.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.workspace import TextDocument

from lsp.documents import DocumentError, OutsideWorkspace, refusal, uri_to_path
from lsp.live_index import Buffer
from lsp.state import DocgenServer

F = TypeVar("F", bound=Callable[..., Any])

CONTENT_MODIFIED = -32801
REQUEST_FAILED = -32803


class ContentModified(JsonRpcException):
    """The document changed so that the request no longer applies (LSP -32801)."""

    CODE = CONTENT_MODIFIED


class RequestFailed(JsonRpcException):
    """A well-formed request that could not be carried out (LSP -32803)."""

    CODE = REQUEST_FAILED


_REFUSE = object()


def request(name: str, *, outside: Callable[[], Any] | object = _REFUSE) -> Callable[[F], F]:
    """Decorate an async handler: time it as ``name`` and map document errors.

    A document outside the workspace (:class:`~lsp.documents.OutsideWorkspace`) is
    logged (window/logMessage) and answered with ``outside()`` (hover: ``None``,
    codeAction: ``[]``), or, by default, with a RequestFailed error.

    The wrapper keeps the handler's annotations: pygls reads a command handler's type
    hints at run time, and every name in them is importable (the state included).
    """

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        async def wrapper(ls: DocgenServer, *args: Any) -> Any:
            start = time.perf_counter()
            failed = False
            try:
                return await handler(ls, *args)
            except OutsideWorkspace as exc:
                ls.log(f"docgen: {name} not served: {exc}")
                if callable(outside):
                    return outside()
                failed = True
                raise RequestFailed(f"docgen: {exc}") from exc
            except DocumentError as exc:
                failed = True
                raise JsonRpcInvalidParams(str(exc)) from exc
            except asyncio.CancelledError:  # counted by the protocol (lsp.protocol)
                raise
            except BaseException:
                failed = True
                raise
            finally:
                ls.stats.record(name, time.perf_counter() - start, error=failed)

        return wrapper  # type: ignore[return-value]

    return decorate


def text_document(ls: DocgenServer, uri: str) -> TextDocument:
    """Return the open document ``uri``, or the file on disk behind a ``file:`` URI.

    Only documents the workspace confinement allows (:func:`lsp.documents.refusal`) are
    returned, and that is checked before anything is read from disk.

    Raises:
        OutsideWorkspace: The document is outside every workspace folder.
        DocumentError: The URI is not open and is not an existing local file.
    """
    document = ls.workspace.text_documents.get(unquote(uri))
    why = refusal(uri, ls.workspace_roots, document is not None)
    if why is not None:
        raise OutsideWorkspace(why)
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
    return document, ls.index.parse(uri, text, document.version, document.language_id)


async def in_thread(
    ls: DocgenServer, fn: Callable[..., Any], *args: Any, bulk: bool = False
) -> Any:
    """Run blocking ``fn`` on the model worker pool (``bulk``: the bulk pool, at a lower
    OS priority); cancelling the await drops it."""
    loop = asyncio.get_running_loop()
    pool = ls.bulk_pool if bulk else ls.model_pool
    return await loop.run_in_executor(pool, functools.partial(fn, *args))
