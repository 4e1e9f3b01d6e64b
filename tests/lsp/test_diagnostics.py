"""textDocument/publishDiagnostics: missing and stale docstrings, on open and save."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import open_file, wait_for

pytestmark = pytest.mark.asyncio


def by_code(client: LanguageClient, uri: str, code: str) -> dict[str, types.Diagnostic]:
    return {d.data["qualname"]: d for d in client.diagnostics.get(uri, []) if d.code == code}


async def test_diagnostics_on_open(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    missing = by_code(client, uri, "DG001")
    assert set(missing) == {"cart_total", "cheapest_items", "iter_price_changes"}
    diag = missing["cart_total"]
    assert diag.source == "docgen"
    assert diag.severity == types.DiagnosticSeverity.Information
    line = (
        path.read_text()
        .splitlines()
        .index(next(x for x in path.read_text().splitlines() if x.startswith("def cart_total")))
    )
    assert diag.range.start == types.Position(line=line, character=4)
    assert diag.range.end == types.Position(line=line, character=14)
    stale = by_code(client, uri, "DG105")  # the codes of `docgen check --stale`
    assert set(stale) == {"apply_discount"}
    assert stale["apply_discount"].message == (
        "apply_discount: documents `discount`, renamed `percent` in the signature"
    )
    assert stale["apply_discount"].severity == types.DiagnosticSeverity.Warning
    assert stale["apply_discount"].source == "docgen"
    assert stale["apply_discount"].data["fixable"] is True


async def test_private_and_magic_symbols_are_not_reported(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "extra.py"
    path.write_text(
        '"""Extras (a module docstring: modules count, as in docgen check)."""\n\n'
        "class _Hidden:\n    def run(self):\n        pass\n\n"
        "class Shown:\n    def __init__(self):\n        pass\n\n"
        "    def _helper(self):\n        pass\n\n"
        "def outer():\n    def inner():\n        pass\n    return inner\n"
    )
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    assert set(by_code(client, uri, "DG001")) == {"Shown", "outer"}


async def test_diagnostics_follow_edits_and_save(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    # document cart_total in the buffer, then save
    text = path.read_text()
    new_text = text.replace(
        "-> int:\n    net =", '-> int:\n    """Total price of a cart."""\n    net =', 1
    )
    assert new_text != text
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=new_text)],
        )
    )
    path.write_text(new_text)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for(
        lambda: "cart_total" not in by_code(client, uri, "DG001"),
        what="cart_total to be documented",
    )
    assert set(by_code(client, uri, "DG001")) == {
        "cheapest_items",
        "iter_price_changes",
    }


async def test_severity_configuration(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"docgen": {"diagnosticSeverity": "error", "staleSeverity": "off"}}
        )
    )
    await wait_for(
        lambda: (
            not by_code(client, uri, "DG105")
            and all(
                d.severity == types.DiagnosticSeverity.Error
                for d in by_code(client, uri, "DG001").values()
            )
        ),
        what="reconfigured diagnostics",
    )
    assert len(by_code(client, uri, "DG001")) == 3


async def test_close_clears_diagnostics(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    await wait_for(lambda: client.diagnostics.get(uri), what="diagnostics")
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_for(lambda: len(client.diagnostics[uri]) == 0, what="cleared diagnostics")
