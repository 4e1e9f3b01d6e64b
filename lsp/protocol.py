"""A pygls protocol that answers every request, even one whose params are malformed.

Out of the box pygls raises while deserializing a request with bad params (inside
``json.loads``' object hook), logs the error and never replies, so the client waits
forever. Here such a request is answered with ``InvalidParams`` (or ``InternalError``)
carrying its id, and the message is then dropped; the server keeps running.
"""

from __future__ import annotations

import logging
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

logger = logging.getLogger(__name__)


@attrs.define
class AnsweredMessage:
    """Placeholder for a message that was already answered with an error."""

    method: str
    jsonrpc: str = "answered"


class DocgenProtocol(LanguageServerProtocol):
    """LanguageServerProtocol that never leaves a request unanswered."""

    def structure_message(self, data: dict[str, Any]):
        """Deserialize a message; reply with an error to a request that fails to."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            return self._answer_undecodable(data, exc)
        except Exception as exc:  # noqa: BLE001 - every failure must be answered
            return self._answer_undecodable(data, JsonRpcInternalError.of(exc))

    def _answer_undecodable(self, data: dict[str, Any], exc: JsonRpcException):
        method = data.get("method")
        msg_id = data.get("id")
        if method is None or not isinstance(msg_id, str | int) or isinstance(msg_id, bool):
            raise exc  # a notification or a response: nobody waits for a reply
        cause = exc.__cause__ or exc
        if isinstance(exc, JsonRpcInvalidParams):
            message = f"Invalid params for {method}: {_first_line(cause)}"
        else:
            message = f"Cannot decode {method} request: {_first_line(cause)}"
        logger.warning("Answering undecodable request %r: %s", msg_id, message)
        error = types.ResponseError(code=exc.code, message=message)
        self._send_data(types.ResponseErrorMessage(id=msg_id, error=error))
        return AnsweredMessage(method=str(method))

    def handle_message(self, message):
        """Skip messages already answered; answer requests that arrive after shutdown
        (pygls drops them silently) with InvalidRequest, as the LSP asks."""
        if isinstance(message, AnsweredMessage):
            return
        method = getattr(message, "method", None)
        msg_id = getattr(message, "id", None)
        if method is not None and msg_id is not None:
            if self._shutdown and method != types.EXIT:
                self._refuse(msg_id, types.ErrorCodes.InvalidRequest, "is shutting down")
                return
            if self._workspace is None and method not in (types.INITIALIZE, types.SHUTDOWN):
                self._refuse(msg_id, types.ErrorCodes.ServerNotInitialized, "is not initialized")
                return
        super().handle_message(message)

    def _refuse(self, msg_id: Any, code: int, why: str) -> None:
        error = types.ResponseError(code=code, message=f"the docgen server {why}")
        self._send_data(types.ResponseErrorMessage(id=msg_id, error=error))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    details = getattr(exc, "exceptions", None)
    if details:
        text = f"{text}: {'; '.join(str(d) for d in details[:3])}"
    return text.splitlines()[0][:300]
