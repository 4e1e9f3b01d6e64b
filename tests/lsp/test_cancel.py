"""$/cancelRequest: a request still waiting for the model is answered RequestCancelled,
and the server carries on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.support import open_file, position_of

pytestmark = pytest.mark.asyncio
REQUEST_CANCELLED = -32800


async def test_cancel_hover_waiting_for_the_model(model_client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(model_client, path)
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=position_of(path, "def cart_total", offset=6),
    )
    # the first draft loads the model: cancel while it is under way (with the tiny test
    # model that takes well under a second, so the cancellation follows at once)
    pending = asyncio.ensure_future(
        model_client.protocol.send_request_async(
            types.TEXT_DOCUMENT_HOVER, params, msg_id="to-cancel"
        )
    )
    await asyncio.sleep(0)  # sent already (send_request_async writes at once); cancel now
    model_client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="to-cancel"))
    with pytest.raises(JsonRpcException) as info:
        await pending
    assert info.value.code == REQUEST_CANCELLED
    # the same request, not cancelled, is answered
    result = await model_client.text_document_hover_async(params)
    assert result is not None and "docgen draft" in result.contents.value
    stats = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.stats")
    )
    assert stats["metrics"]["textDocument/hover:cancelled"]["count"] == 1
    # a cancel for an unknown or finished request is harmless
    model_client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="to-cancel"))
    assert await model_client.text_document_hover_async(params) is not None
