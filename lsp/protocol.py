"""A pygls protocol that answers every request, as JSON-RPC 2.0 and the LSP ask.

pygls 2 reads each message with ``json.loads(body, object_hook=structure_message)`` and
hands the result to ``handle_message``. Out of the box it then drops, without a reply:
a message with ``"jsonrpc": "1.0"`` or none at all, ``"method": null``, params that are
not an object or array, an id that is not a string or integer, JSON that is not an
object; and a response it cannot structure (``"result": null`` to workspace/applyEdit)
is dropped too, so the request waiting for it never finishes. Several of these raise
inside pygls' read loop, which pops up a ``window/showMessage`` error each time.

Here :meth:`DocgenProtocol.structure_message` (the object hook, called for every JSON
object, innermost first) passes objects through unchanged, and
:meth:`DocgenProtocol.handle_message` checks the shape of the whole message once:

- an invalid request object gets error -32600 Invalid Request, with ``id`` null when the
  id cannot be read (JSON-RPC 2.0, section 5); a malformed notification (no ``id``) is
  only logged;
- a request whose params do not fit its method gets InvalidParams (or InternalError)
  with its id;
- a response that cannot be read fails the server's pending request with
  :class:`MalformedResponse`, so its handler answers its own client request;
- requests after ``shutdown`` get InvalidRequest, before ``initialize``
  ServerNotInitialized.

What is wrong is reported through ``server.report_malformed`` (the log, and at most one
pop-up per session: :mod:`lsp.state`). Invalid JSON never reaches the protocol: the read
loop hands the error to ``server.report_server_error``, which answers -32700.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol, lsp_method

logger = logging.getLogger(__name__)

JSONRPC_VERSION = "2.0"
_ARRIVALS_KEPT = 10_000
"""Requests in flight whose arrival is remembered (for ``METHOD:in_server``)."""


REQUEST_ARRIVED: ContextVar[float | None] = ContextVar("docgen_request_arrived", default=None)
"""``time.monotonic()`` when the request being handled was read (set before its handler
is dispatched, so the handler's task sees its own; None outside a request): budgets
count from there, not from when the busy event loop got round to the handler."""


class MalformedResponse(JsonRpcException):
    """The client's response to a server request could not be read."""

    CODE = types.ErrorCodes.InvalidRequest


class DocgenProtocol(LanguageServerProtocol):
    """LanguageServerProtocol that never leaves a request unanswered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._arrivals: dict[Any, tuple[str, float]] = {}
        """Requests in flight: method and when their message was read."""

    def structure_message(self, data: Any) -> Any:
        """``json.loads`` object hook: keep every object as it is; the message is
        checked and structured as a whole in :meth:`handle_message`."""
        return data

    def handle_message(self, message: Any) -> None:
        """Check the message's shape, structure it and hand it to pygls (see the module
        docstring for what is answered how)."""
        if not isinstance(message, dict):
            self._invalid_request(None, f"a message is a JSON object, not {_json_type(message)}")
            return
        has_id, has_method = "id" in message, "method" in message
        if has_method and not has_id:
            self._notification(message)
        elif has_method:
            self._request(message)
        elif has_id and ("result" in message or "error" in message):
            self._response(message)
        else:
            msg_id = message.get("id")
            self._invalid_request(
                msg_id if _readable_id(msg_id) else None,
                "not a request, a notification or a response (no method, result or error)",
            )

    # -- the three kinds of message ------------------------------------------------------
    def _request(self, data: dict[str, Any]) -> None:
        msg_id = data["id"]
        readable = _readable_id(msg_id)
        problem = _problem(data) or (None if readable else "id must be a string or an integer")
        if problem is not None:
            self._invalid_request(msg_id if readable else None, problem)
            return
        method = data["method"]
        if self._shutdown and method != types.EXIT:
            self._refuse(msg_id, types.ErrorCodes.InvalidRequest, "is shutting down")
            return
        if self._workspace is None and method not in (types.INITIALIZE, types.SHUTDOWN):
            self._refuse(msg_id, types.ErrorCodes.ServerNotInitialized, "is not initialized")
            return
        try:
            structured = super().structure_message(data)
        except JsonRpcException as exc:
            self._answer_undecodable(msg_id, method, exc)
            return
        except Exception as exc:  # noqa: BLE001 - every failure must be answered
            self._answer_undecodable(msg_id, method, JsonRpcInternalError.of(exc))
            return
        if len(self._arrivals) > _ARRIVALS_KEPT:  # never answered (should not happen)
            self._arrivals.clear()
        arrived = time.monotonic()
        self._arrivals[msg_id] = (method, arrived)
        REQUEST_ARRIVED.set(arrived)
        super().handle_message(structured)

    def _send_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        """Send the response and record how long the request was in the server, from the
        message read to the response written (``METHOD:in_server``: the handler's time
        plus its wait for the event loop and the interpreter lock; ``METHOD:cancelled``
        for a request answered RequestCancelled)."""
        super()._send_response(msg_id, result, error)
        arrived = self._arrivals.pop(msg_id, None)
        stats = getattr(self._server, "stats", None)
        if arrived is not None and stats is not None:
            method, started = arrived
            cancelled = getattr(error, "code", None) == types.LSPErrorCodes.RequestCancelled
            # a cancelled request is counted here, whether or not its handler had started
            kind = "cancelled" if cancelled else "in_server"
            stats.record(f"{method}:{kind}", time.monotonic() - started)

    def _notification(self, data: dict[str, Any]) -> None:
        problem = _problem(data)
        if problem is None:
            try:
                structured = super().structure_message(data)
            except Exception as exc:  # noqa: BLE001 - nobody waits for a reply
                cause = exc.__cause__ or exc
                problem = f"bad params for {data['method']}: {_first_line(cause)}"
        if problem is not None:
            self._report(f"ignored a malformed notification: {problem}")
            return
        if self._shutdown and data["method"] != types.EXIT:
            logger.info("ignoring %s after shutdown", data["method"])
            return
        super().handle_message(structured)

    def _response(self, data: dict[str, Any]) -> None:
        msg_id = data["id"]
        if not _readable_id(msg_id):
            self._report(f"ignored a response with an unreadable id {msg_id!r}")
            return
        problem = _version_problem(data)
        if problem is None:
            try:
                structured = super().structure_message(data)
            except Exception as exc:  # noqa: BLE001 - the request waiting for it must end
                problem = (
                    f"the result does not fit the request: {_first_line(exc.__cause__ or exc)}"
                )
        if problem is not None:
            self._fail_pending(msg_id, problem)
            return
        super().handle_message(structured)

    # -- replies and reports ---------------------------------------------------------
    def _fail_pending(self, msg_id: Any, problem: str) -> None:
        """End the server request ``msg_id`` with :class:`MalformedResponse`."""
        self._result_types.pop(msg_id, None)
        future = self._request_futures.pop(msg_id, None)
        self._report(f"unreadable response to request {msg_id!r}: {problem}")
        if future is not None and not future.done():
            future.set_exception(
                MalformedResponse(f"unreadable response from the client: {problem}")
            )

    def _invalid_request(self, msg_id: Any, why: str) -> None:
        self._report(f"invalid request (id {msg_id!r}): {why}")
        # a plain dict: lsprotocol's converter would leave out a null id
        self._send_data(
            {
                "jsonrpc": JSONRPC_VERSION,
                "id": msg_id,
                "error": {
                    "code": types.ErrorCodes.InvalidRequest.value,
                    "message": f"Invalid Request: {why}",
                },
            }
        )

    def _answer_undecodable(self, msg_id: Any, method: str, exc: JsonRpcException) -> None:
        cause = exc.__cause__ or exc
        if isinstance(exc, JsonRpcInvalidParams):
            message = f"Invalid params for {method}: {_first_line(cause)}"
        else:
            message = f"Cannot decode {method} request: {_first_line(cause)}"
        logger.warning("Answering undecodable request %r: %s", msg_id, message)
        error = types.ResponseError(code=exc.code, message=message)
        self._send_data(types.ResponseErrorMessage(id=msg_id, error=error))

    def _refuse(self, msg_id: Any, code: int, why: str) -> None:
        error = types.ResponseError(code=code, message=f"the docgen server {why}")
        self._send_data(types.ResponseErrorMessage(id=msg_id, error=error))

    def _report(self, text: str) -> None:
        report = getattr(self._server, "report_malformed", None)
        if report is not None:
            report(text)
        else:
            logger.warning("%s", text)

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args: Any):
        """pygls' shutdown, iterating over a copy of the pending requests: cancelling one
        can finish another, which removes it from the dict being iterated."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True
        return None


def _readable_id(msg_id: Any) -> bool:
    return isinstance(msg_id, str | int) and not isinstance(msg_id, bool)


def _version_problem(data: dict[str, Any]) -> str | None:
    if "jsonrpc" not in data:
        return 'no "jsonrpc" member (it must be "2.0")'
    if data["jsonrpc"] != JSONRPC_VERSION:
        return f'"jsonrpc" is {data["jsonrpc"]!r}, not "2.0"'
    return None


def _problem(data: dict[str, Any]) -> str | None:
    """What makes a request or notification object invalid, or ``None``.

    ``params`` may be an object, an array, or absent; null is taken as absent (clients
    send ``"params": null`` with shutdown)."""
    problem = _version_problem(data)
    if problem is not None:
        return problem
    if not isinstance(data["method"], str):
        return f'"method" must be a string, not {_json_type(data["method"])}'
    params = data.get("params")
    if params is not None and not isinstance(params, dict | list):
        return f'"params" must be an object or an array, not {_json_type(params)}'
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    details = getattr(exc, "exceptions", None)
    if details:
        text = f"{text}: {'; '.join(str(d) for d in details[:3])}"
    return text.splitlines()[0][:300]
