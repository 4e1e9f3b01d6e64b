"""``editor.codeActionsOnSave: {"source.docgen": "explicit"}``: on save the editor asks
(automatically) for ``source.docgen`` actions; docgen answers with one action that fixes
the stale sections of the file, its edit included, and never drafts on save."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import apply_text_edits, edits_for, open_file, wait_for

pytestmark = pytest.mark.asyncio

STALE = '''"""Shipping."""


def ship(order, carrier, *, fast=False):
    """Ship an order.

    Prose the author wrote, kept as it is.

    Args:
        order: The order.
        courier: Who carries it.

    Raises:
        KeyError: The order is unknown.
    """
    if fast:
        raise ValueError("fast shipping is gone")
    carrier.take(order)
'''


async def _on_save(client: LanguageClient, uri: str, trigger=types.CodeActionTriggerKind.Automatic):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(0, 0), end=types.Position(0, 0)),
            context=types.CodeActionContext(
                diagnostics=[], only=["source.docgen"], trigger_kind=trigger
            ),
        )
    )


async def test_on_save_fixes_stale_sections_and_drafts_nothing(
    client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "shipping.py"
    path.write_text(STALE)
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    codes = {d.code for d in client.diagnostics[uri] if d.source == "docgen"}
    assert {"DG105", "DG102", "DG121"} <= codes
    actions = await _on_save(client, uri)
    assert [a.kind for a in actions] == ["source.docgen.updateStale"]
    (action,) = actions
    assert action.edit is not None  # applied as it is on save: no resolve round trip
    fixed = apply_text_edits(STALE, edits_for(action.edit, uri))
    ast.parse(fixed)
    assert "Prose the author wrote, kept as it is." in fixed
    assert "        carrier: Who carries it.\n" in fixed
    assert "        fast: " in fixed
    assert "        ValueError: If ``fast``.\n" in fixed
    assert "        KeyError: The order is unknown.\n" in fixed  # DG120 is a person's call


async def test_on_save_offers_nothing_when_nothing_is_stale(
    client: LanguageClient, workspace: Path
):
    uri = open_file(client, workspace / "inventory" / "pricing.py")
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    invoked = await _on_save(client, uri, types.CodeActionTriggerKind.Invoked)
    assert "Generate docstrings for this file (3 missing)" in [a.title for a in invoked]
    saved = await _on_save(client, uri)
    assert [a.title for a in saved] == ["Update stale docstrings in this file (1)"]
    path = workspace / "inventory" / "clean.py"
    path.write_text('"""Clean."""\n\n\ndef f(a):\n    """F.\n\n    Args:\n        a: A.\n    """\n')
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    assert not await _on_save(client, uri)
