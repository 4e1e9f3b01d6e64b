"""Malformed and nonsensical requests get proper JSON-RPC errors; the server keeps going.

These tests speak raw JSON-RPC over the server's stdin/stdout (no client library in
between) so that the bytes sent are exactly the malformed ones under test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lsp.raw import RawClient

INVALID_PARAMS = -32602
METHOD_NOT_FOUND = -32601


@pytest.fixture
def raw(workspace: Path):
    client = RawClient()
    reply = client.request(
        0,
        "initialize",
        {
            "processId": None,
            "rootUri": workspace.as_uri(),
            "capabilities": {},
            "initializationOptions": {"indexOnStartup": False},
        },
    )
    assert "result" in reply
    client.send({"method": "initialized", "params": {}})
    yield client
    client.close()


def hover_params(uri: str, line: int = 0, character: int = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def assert_alive(raw: RawClient, workspace: Path) -> None:
    uri = (workspace / "inventory" / "models.py").as_uri()
    reply = raw.request("alive", "textDocument/hover", hover_params(uri, 12, 7))
    assert "A product that can be stocked" in reply["result"]["contents"]["value"]


@pytest.mark.parametrize(
    "params",
    [
        {"textDocument": {"uri": 42}, "position": {"line": 0, "character": 0}},
        {"position": {"line": 0, "character": 0}},  # no textDocument
        {"textDocument": {"uri": "file:///x.py"}, "position": {"line": -1, "character": 0}},
        {"textDocument": {"uri": "file:///x.py"}, "position": "top"},
        None,  # taken as absent; a string is an invalid request (test_jsonrpc_invalid)
    ],
)
def test_malformed_hover_params_get_invalid_params(raw: RawClient, workspace: Path, params):
    reply = raw.request(7, "textDocument/hover", params)
    assert reply["error"]["code"] == INVALID_PARAMS, reply
    assert reply["error"]["message"]
    assert_alive(raw, workspace)


def test_malformed_code_action_and_command_params(raw: RawClient, workspace: Path):
    reply = raw.request(1, "textDocument/codeAction", {"textDocument": {}, "range": 3})
    assert reply["error"]["code"] == INVALID_PARAMS
    reply = raw.request(2, "codeAction/resolve", {"title": "Generate docstring", "data": 5})
    assert reply["error"]["code"] == INVALID_PARAMS
    assert "data" in reply["error"]["message"]
    reply = raw.request(3, "workspace/executeCommand", {"command": "docgen.documentFile"})
    assert reply["error"]["code"] == INVALID_PARAMS
    reply = raw.request(
        4,
        "workspace/executeCommand",
        {"command": "docgen.generateDocstring", "arguments": ["file:///x.py", "top"]},
    )
    assert reply["error"]["code"] == INVALID_PARAMS
    reply = raw.request(5, "workspace/executeCommand", {"command": "docgen.nope"})
    assert reply["error"]["code"] == INVALID_PARAMS
    assert_alive(raw, workspace)


def test_unknown_method_and_broken_json(raw: RawClient, workspace: Path):
    reply = raw.request(9, "textDocument/nonsense", {})
    assert reply["error"]["code"] == METHOD_NOT_FOUND
    raw.send_raw(b'{"jsonrpc": "2.0", "id": 10, "method": "textDoc')  # truncated JSON
    raw.send({"method": "textDocument/didOpen", "params": {"textDocument": 1}})  # bad notif
    assert_alive(raw, workspace)


def test_unknown_uri_non_file_uri_and_out_of_range(raw: RawClient, workspace: Path):
    reply = raw.request(11, "textDocument/hover", hover_params((workspace / "nope.py").as_uri()))
    assert reply["error"]["code"] == INVALID_PARAMS
    assert "unknown document" in reply["error"]["message"]
    reply = raw.request(12, "textDocument/hover", hover_params("https://example.com/a.py"))
    assert reply["error"]["code"] == INVALID_PARAMS
    uri = (workspace / "inventory" / "models.py").as_uri()
    reply = raw.request(13, "textDocument/hover", hover_params(uri, 9999, 0))
    assert reply["error"]["code"] == INVALID_PARAMS
    assert "outside the document" in reply["error"]["message"]
    reply = raw.request(
        14,
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": {
                "start": {"line": 9999, "character": 0},
                "end": {"line": 9999, "character": 0},
            },
            "context": {"diagnostics": []},
        },
    )
    assert reply["error"]["code"] == INVALID_PARAMS
    assert_alive(raw, workspace)


def test_binary_and_non_utf8_files(raw: RawClient, workspace: Path):
    binary = workspace / "blob.py"
    binary.write_bytes(b"\x00\x01\xff\xfe" * 100)
    latin = workspace / "latin.py"
    latin.write_bytes("def caf\xe9():\n    pass\n".encode("latin-1"))
    for msg_id, path in ((15, binary), (16, latin)):
        reply = raw.request(msg_id, "textDocument/hover", hover_params(path.as_uri(), 0, 5))
        assert "error" in reply or reply["result"] is None, reply
    assert_alive(raw, workspace)


def test_out_of_order_and_out_of_range_changes(raw: RawClient, workspace: Path):
    """Edits for an old version or outside the text never take the server down."""
    path = workspace / "inventory" / "pricing.py"
    uri = path.as_uri()
    raw.send(
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 5,
                    "text": path.read_text(),
                }
            },
        }
    )
    far = {"line": 5000, "character": 0}
    for version, change in (
        (3, {"text": "x = 1\n"}),  # older than the open version
        (6, {"range": {"start": far, "end": far}, "text": "def z():\n    pass\n"}),
        (7, {"range": {"start": {"line": 2, "character": 99}, "end": far}, "text": ""}),
    ):
        raw.send(
            {
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [change],
                },
            }
        )
    reply = raw.request(20, "textDocument/hover", hover_params(uri, 0, 0))
    assert "result" in reply or reply["error"]["code"] == INVALID_PARAMS
    raw.send(
        {
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 8},
                "contentChanges": [{"text": 'def fresh():\n    """New text."""\n'}],
            },
        }
    )
    reply = raw.request(21, "textDocument/hover", hover_params(uri, 0, 5))
    assert "New text." in reply["result"]["contents"]["value"]
    assert_alive(raw, workspace)


def test_huge_one_line_file(raw: RawClient, workspace: Path):
    """A 5 MB one-line file gets no features, quickly, and the server goes on."""
    path = workspace / "minified.py"
    path.write_text("x = [" + "1, " * 1_700_000 + "]\n")
    raw.send(
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
    reply = raw.request(30, "textDocument/hover", hover_params(path.as_uri(), 0, 1))
    assert reply["result"] is None
    assert_alive(raw, workspace)


def test_requests_after_shutdown_are_refused(raw: RawClient, workspace: Path):
    assert raw.request(40, "shutdown", None)["result"] is None
    reply = raw.request(41, "textDocument/hover", hover_params(workspace.as_uri()))
    assert reply["error"]["code"] == -32600
    assert "shutting down" in reply["error"]["message"]
    raw.send({"method": "exit"})
    assert raw.proc.wait(timeout=10) == 0


def test_requests_before_initialize_are_refused(workspace: Path):
    client = RawClient()
    try:
        reply = client.request(1, "textDocument/hover", hover_params(workspace.as_uri()))
        assert reply["error"]["code"] == -32002
        reply = client.request(2, "initialize", {"processId": None, "capabilities": {}})
        assert reply["result"]["serverInfo"]["name"] == "docgen"
    finally:
        client.close()
