"""textDocument/codeAction + codeAction/resolve: list instantly, compute edits on resolve,
apply them, and the file still parses with the new docstring on the right symbol."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from tests.lsp.support import apply_text_edits, edits_for, open_file, position_of, wait_for

pytestmark = pytest.mark.asyncio


def doc_of(source: str, name: str) -> str | None:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            return ast.get_docstring(node)
    raise AssertionError(f"{name} not found")


async def list_actions(client, uri, position, diagnostics=(), only=None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=position, end=position),
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )


async def test_only_filter_keeps_matching_kinds(model_client: LanguageClient, workspace: Path):
    # VS Code's diagnostic hover asks for quick fixes only; source actions by prefix.
    uri = open_file(model_client, workspace / "inventory" / "pricing.py")
    await wait_for(lambda: uri in model_client.diagnostics, what="diagnostics")
    diag = next(d for d in model_client.diagnostics[uri] if d.data["qualname"] == "cart_total")
    quick = await list_actions(
        model_client, uri, diag.range.start, [diag], only=[types.CodeActionKind.QuickFix]
    )
    assert [a.title for a in quick] == ["Generate docstring for cart_total"]
    source = await list_actions(
        model_client, uri, diag.range.start, [diag], only=[types.CodeActionKind.Source]
    )
    assert [a.title for a in source] == [
        "Generate docstrings for this file (3 missing)",
        "Update stale docstrings in this file (1)",
    ]
    none = await list_actions(
        model_client, uri, diag.range.start, [diag], only=[types.CodeActionKind.Refactor]
    )
    assert not none


async def test_generate_docstring_action(model_client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    text = path.read_text()
    uri = open_file(model_client, path)
    await wait_for(lambda: uri in model_client.diagnostics, what="diagnostics")
    diag = next(d for d in model_client.diagnostics[uri] if d.data["qualname"] == "cart_total")
    actions = await list_actions(model_client, uri, diag.range.start, [diag])
    titles = [a.title for a in actions]
    assert "Generate docstring for cart_total" in titles
    assert "Generate docstrings for this file (3 missing)" in titles
    action = actions[titles.index("Generate docstring for cart_total")]
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.edit is None  # listing is instant: no model work
    assert action.diagnostics and action.diagnostics[0].code == "DG001"

    resolved = await model_client.code_action_resolve_async(action)
    assert resolved.command is None  # never applied twice
    edits = edits_for(resolved.edit, uri)
    assert len(edits) == 1
    new_text = apply_text_edits(text, edits)
    docstring = doc_of(new_text, "cart_total")
    assert docstring  # inserted where Python sees it
    # nothing else changed
    assert new_text.replace(edits[0].new_text, "", 1) == text
    assert '    """' in edits[0].new_text  # indented into the function body


async def test_generate_docstrings_for_file(model_client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    text = path.read_text()
    uri = open_file(model_client, path)
    actions = await list_actions(model_client, uri, types.Position(line=0, character=0))
    action = next(a for a in actions if a.title.startswith("Generate docstrings for this file"))
    assert action.kind == "source.docgen"
    resolved = await model_client.code_action_resolve_async(action)
    new_text = apply_text_edits(text, edits_for(resolved.edit, uri))
    for name in ("cart_total", "cheapest_items", "iter_price_changes"):
        assert doc_of(new_text, name), name
    assert doc_of(new_text, "price_with_tax") == doc_of(text, "price_with_tax")


async def test_update_stale_docstring(model_client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    text = path.read_text()
    uri = open_file(model_client, path)
    await wait_for(lambda: uri in model_client.diagnostics, what="diagnostics")
    diag = next(d for d in model_client.diagnostics[uri] if d.code == "DG105")
    actions = await list_actions(model_client, uri, diag.range.start, [diag])
    action = next(a for a in actions if a.title == "Update stale docstring of apply_discount")
    resolved = await model_client.code_action_resolve_async(action)
    new_text = apply_text_edits(text, edits_for(resolved.edit, uri))
    docstring = doc_of(new_text, "apply_discount")
    assert "percent" in docstring and "discount:" not in docstring
    assert "Return the price after a discount." in docstring


async def test_resolve_after_edit_uses_current_version(
    model_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(model_client, path)
    actions = await list_actions(
        model_client, uri, position_of(path, "def cheapest_items", offset=6)
    )
    action = next(a for a in actions if a.title == "Generate docstring for cheapest_items")
    # the user types two lines at the top before choosing the action
    model_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=0, character=0),
                        end=types.Position(line=0, character=0),
                    ),
                    text="# one\n# two\n",
                )
            ],
        )
    )
    resolved = await model_client.code_action_resolve_async(action)
    change = resolved.edit.document_changes[0]
    assert change.text_document.version == 2
    current = "# one\n# two\n" + path.read_text()
    assert doc_of(apply_text_edits(current, list(change.edits)), "cheapest_items")
    # the symbol is deleted: the stale action is refused with ContentModified
    model_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    with pytest.raises(JsonRpcException) as info:
        await model_client.code_action_resolve_async(action)
    assert info.value.code == -32801


async def test_generate_docstring_command_applies_edit(
    model_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "reports.py"
    text = path.read_text()
    uri = open_file(model_client, path)
    position = position_of(path, "def restock_plan", offset=6)
    result = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="docgen.generateDocstring",
            arguments=[uri, {"line": position.line, "character": position.character}],
        )
    )
    assert result["applied"] is True and result["edits"] == 1
    params = model_client.applied_edits[-1]
    assert doc_of(apply_text_edits(text, edits_for(params.edit, uri)), "restock_plan")
    result = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.documentFile", arguments=[uri])
    )
    # the test client records edits without changing the buffer: both are still missing
    assert result["applied"] is True and result["edits"] == 2


async def test_documented_meanwhile_is_not_overwritten(
    model_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(model_client, path)
    actions = await list_actions(
        model_client, uri, position_of(path, "def cheapest_items", offset=6)
    )
    action = next(a for a in actions if a.title == "Generate docstring for cheapest_items")
    text = path.read_text().replace(
        "-> list[Item]:\n", '-> list[Item]:\n    """Written by hand."""\n', 1
    )
    model_client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    with pytest.raises(JsonRpcException) as info:
        await model_client.code_action_resolve_async(action)
    assert info.value.code == -32801 and "has a docstring now" in str(info.value)
    position = position_of(path, "def price_with_tax", offset=6)
    result = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="docgen.generateDocstring",
            arguments=[uri, {"line": position.line, "character": position.character}],
        )
    )
    assert result == {"applied": False, "edits": 0, "reason": "price_with_tax is documented"}
    assert model_client.applied_edits == []
