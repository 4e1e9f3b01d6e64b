"""Invalid JSON-RPC messages are answered as JSON-RPC 2.0 asks, and never flood the user.

An invalid Request object gets error -32600 (with ``id`` null when its id cannot be
read), invalid JSON gets -32700, a malformed notification is logged without a reply,
and however many malformed messages arrive, at most one window/showMessage pops up.
Raw bytes over the real server's stdio (:mod:`tests.lsp.raw`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.raw import RawClient

INVALID_REQUEST = -32600
PARSE_ERROR = -32700


@pytest.fixture
def raw(workspace: Path):
    client = RawClient()
    client.initialize(workspace)
    yield client
    client.close()


def hover(uri: str, line: int = 0, character: int = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def assert_alive(raw: RawClient, workspace: Path, msg_id: Any = "alive") -> None:
    uri = (workspace / "inventory" / "models.py").as_uri()
    reply = raw.request(msg_id, "textDocument/hover", hover(uri, 12, 7))
    assert "A product that can be stocked" in reply["result"]["contents"]["value"], reply


def _invalid_with_id(workspace: Path) -> list[tuple[dict[str, Any], Any]]:
    uri = (workspace / "inventory" / "models.py").as_uri()
    return [
        ({"jsonrpc": "1.0", "id": 101, "method": "textDocument/hover", "params": hover(uri)}, 101),
        ({"id": 102, "method": "textDocument/hover", "params": hover(uri)}, 102),
        ({"jsonrpc": "2.0", "id": 103, "method": None}, 103),
        ({"jsonrpc": "2.0", "id": "s104", "method": None, "params": {}}, "s104"),
        ({"jsonrpc": "2.0", "id": 105, "method": "textDocument/hover", "params": "a string"}, 105),
        ({"jsonrpc": "2.0", "id": 106, "method": 42}, 106),
        ({"jsonrpc": 2.0, "id": 107, "method": "shutdown"}, 107),
        ({"jsonrpc": "2.0", "id": 108, "method": "textDocument/hover", "params": 7}, 108),
        ({"jsonrpc": "2.0", "id": 109}, 109),  # neither a request nor a response
        # the id cannot be read: answered with id null
        ({"jsonrpc": "2.0", "id": {"an": "object"}, "method": "shutdown"}, None),
        ({"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover"}, None),
        ({"jsonrpc": "2.0", "id": True, "method": "shutdown"}, None),
        ({"jsonrpc": "2.0", "id": None, "method": "shutdown"}, None),
    ]


def test_invalid_request_objects_get_invalid_request(raw: RawClient, workspace: Path):
    for message, reply_id in _invalid_with_id(workspace):
        raw.send_raw(json.dumps(message).encode())
        reply = raw.reply(reply_id)
        assert reply["id"] == reply_id, (message, reply)
        assert reply["jsonrpc"] == "2.0"
        assert reply["error"]["code"] == INVALID_REQUEST, (message, reply)
        assert reply["error"]["message"], message
        assert_alive(raw, workspace)
    # none of them shut the server down
    assert raw.proc.poll() is None


@pytest.mark.parametrize(
    "body",
    [b"[]", b"[1, 2]", b"42", b'"text"', b"null", b"{}", b'{"jsonrpc": "2.0"}'],
)
def test_non_message_json_gets_invalid_request_with_null_id(
    raw: RawClient, workspace: Path, body: bytes
):
    raw.send_raw(body)
    reply = raw.reply(None)
    assert reply["error"]["code"] == INVALID_REQUEST, reply
    assert_alive(raw, workspace)


def test_invalid_json_gets_parse_error(raw: RawClient, workspace: Path):
    raw.send_raw(b'{"jsonrpc": "2.0", "id": 10, "method": "textDoc')
    reply = raw.reply(None)
    assert reply["error"]["code"] == PARSE_ERROR, reply
    assert_alive(raw, workspace)


@pytest.mark.parametrize(
    "message",
    [
        {"jsonrpc": "1.0", "method": "textDocument/didClose", "params": {"textDocument": {}}},
        {"method": "initialized", "params": {}},  # no jsonrpc
        {"jsonrpc": "2.0", "method": None},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": "a string"},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 1}},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": {"x": 1}}},
    ],
)
def test_malformed_notifications_get_no_reply(raw: RawClient, workspace: Path, message):
    before = len(raw.seen)
    raw.send_raw(json.dumps(message).encode())
    assert_alive(raw, workspace)
    responses = [m for m in raw.seen[before:] if "method" not in m]
    assert [m.get("id") for m in responses] == ["alive"], responses


def _burst(workspace: Path) -> list[bytes]:
    """Two hundred malformed messages of every kind the fuzzing campaign sent."""
    uri = (workspace / "inventory" / "models.py").as_uri()
    shapes: list[bytes] = [
        b'{"jsonrpc": "2.0", "id": 1, "method": "textDoc',  # truncated
        b"not json at all",
        b"[1]",
        b"null",
        json.dumps({"id": 7, "method": "textDocument/hover", "params": hover(uri)}).encode(),
        json.dumps({"jsonrpc": "1.0", "id": 8, "method": "shutdown"}).encode(),
        json.dumps({"jsonrpc": "2.0", "id": 9, "method": None}).encode(),
        json.dumps({"jsonrpc": "2.0", "id": {"x": 1}, "method": "shutdown"}).encode(),
        json.dumps({"method": "textDocument/didOpen", "params": {}}).encode(),
        json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": 3}).encode(),
        json.dumps(
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 1}}
        ).encode(),
        json.dumps(
            {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"contentChanges": 5}}
        ).encode(),
        json.dumps({"jsonrpc": "2.0", "id": "r", "result": {"unexpected": True}}).encode(),
        json.dumps(
            {"jsonrpc": "2.0", "id": 11, "method": "textDocument/hover", "params": "x"}
        ).encode(),
    ]
    return [shapes[i % len(shapes)] for i in range(200)]


def test_burst_of_malformed_messages_shows_at_most_one_message(raw: RawClient, workspace: Path):
    for body in _burst(workspace):
        raw.send_raw(body)
    assert_alive(raw, workspace)
    assert_alive(raw, workspace, "alive again")  # whatever the burst queued has arrived
    shown = raw.notifications("window/showMessage")
    assert len(shown) <= 1, [m["params"]["message"] for m in shown]
    # what is not shown is logged (the editor's output panel)
    assert raw.notifications("window/logMessage")
    assert raw.proc.poll() is None


def test_the_same_settings_warning_pops_up_once(raw: RawClient, workspace: Path):
    """A client resending the same invalid settings gets one pop-up; the rest is logged."""
    for _ in range(20):
        raw.send(
            {
                "method": "workspace/didChangeConfiguration",
                "params": {"settings": {"docgen": {"minConfidence": "high"}}},
            }
        )
    assert_alive(raw, workspace)
    shown = [
        m
        for m in raw.notifications("window/showMessage")
        if "minConfidence" in m["params"]["message"]
    ]
    assert len(shown) == 1, shown
    logged = [
        m
        for m in raw.notifications("window/logMessage")
        if "minConfidence" in m["params"]["message"]
    ]
    assert len(logged) == 20
