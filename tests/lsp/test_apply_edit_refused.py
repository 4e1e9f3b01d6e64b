"""docgen.documentFile when the client does not apply the edit it was sent.

A client may answer workspace/applyEdit with ``"result": null``, with an error, or with
``{"applied": false}``. In every case the command gets a response (an error saying the
edit was not applied) and the session still shuts down and exits cleanly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lsp.raw import RawClient

REQUEST_FAILED = -32803


def _open_and_document(client: RawClient, workspace: Path) -> None:
    path = workspace / "inventory" / "pricing.py"
    client.send(
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "python",
                    "version": 1,
                    "text": path.read_text(),
                }
            },
        }
    )
    client.send(
        {
            "id": "doc",
            "method": "workspace/executeCommand",
            "params": {"command": "docgen.documentFile", "arguments": [path.as_uri()]},
        }
    )


def _shut_down(client: RawClient) -> None:
    reply = client.request("down", "shutdown", None)
    assert reply == {"jsonrpc": "2.0", "id": "down", "result": None}
    client.send({"method": "exit"})
    assert client.proc.wait(timeout=30) == 0


@pytest.mark.parametrize(
    "answer",
    [
        {"result": None},
        {"error": {"code": -32603, "message": "the editor is busy"}},
        {"result": {"applied": False}},
        {"result": {"applied": False, "failureReason": "the file is read-only"}},
        {"result": "yes"},
    ],
    ids=["null", "error", "not-applied", "not-applied-reason", "garbage"],
)
def test_document_file_answers_when_the_edit_is_not_applied(
    workspace: Path, model_options: dict[str, Any], answer: dict[str, Any]
):
    client = RawClient()
    try:
        client.handlers["workspace/applyEdit"] = lambda params: answer
        client.initialize(workspace, model_options)
        _open_and_document(client, workspace)
        reply = client.reply("doc", timeout=60)
        assert any(m.get("method") == "workspace/applyEdit" for m in client.seen)
        assert reply["error"]["code"] == REQUEST_FAILED, reply
        assert "did not apply" in reply["error"]["message"]
        if "failureReason" in str(answer) or "error" in answer:
            detail = answer.get("error", {}).get("message") or "the file is read-only"
            assert detail in reply["error"]["message"]
        _shut_down(client)
    finally:
        client.close()


def test_shutdown_while_the_client_sits_on_apply_edit(
    workspace: Path, model_options: dict[str, Any]
):
    """A client that never answers applyEdit: shutdown still answers, the command is
    answered (cancelled), and exit ends the process."""
    client = RawClient()
    try:
        client.handlers["workspace/applyEdit"] = lambda params: None
        client.initialize(workspace, model_options)
        _open_and_document(client, workspace)
        while not any(m.get("method") == "workspace/applyEdit" for m in client.seen):
            client.next_message(timeout=60)
        client.send({"id": "down", "method": "shutdown"})
        down = client.reply("down")
        assert down["result"] is None, down
        doc = [m for m in client.seen if m.get("id") == "doc" and "method" not in m]
        doc = doc[0] if doc else client.reply("doc")
        assert doc["error"]["code"] == -32800, doc  # RequestCancelled
        client.send({"method": "exit"})
        assert client.proc.wait(timeout=30) == 0
    finally:
        client.close()
