"""textDocument/hover over stdio: definitions, call sites, bad positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp import LanguageClient

from tests.lsp.support import open_file, position_of, wait_for

pytestmark = pytest.mark.asyncio


async def hover(client: LanguageClient, uri: str, position: types.Position):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )


async def test_hover_documented_definition(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    result = await hover(client, uri, position_of(path, "def price_with_tax", offset=6))
    assert result is not None
    assert result.contents.kind == types.MarkupKind.Markdown
    text = result.contents.value
    assert "def price_with_tax(price: int, rate: float = DEFAULT_TAX_RATE) -> int" in text
    assert "with tax added, rounded to the nearest cent." in text
    assert "Args:" in text and "docgen draft" not in text
    line = position_of(path, "def price_with_tax").line
    assert result.range == types.Range(
        start=types.Position(line=line, character=4), end=types.Position(line=line, character=18)
    )


async def test_hover_call_site_same_file(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    # `return price_with_tax(net, rate)` inside cart_total
    result = await hover(client, uri, position_of(path, "price_with_tax(net", offset=3))
    assert result is not None
    assert "with tax added" in result.contents.value
    assert result.range is None  # the definition is elsewhere


async def test_hover_call_site_other_file_through_imports(client: LanguageClient, workspace: Path):
    """`Warehouse(name)` in reports.py resolves to inventory/models.py, not open."""
    path = workspace / "inventory" / "reports.py"
    uri = open_file(client, path)
    result = await hover(client, uri, position_of(path, "Warehouse(name)", offset=2))
    assert result is not None
    assert "A place that holds stock of many items." in result.contents.value
    assert "class Warehouse" in result.contents.value


async def test_hover_uses_unsaved_text(client: LanguageClient, workspace: Path):
    """The buffer, not the file on disk, is what hover reads."""
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    line = position_of(path, "def price_with_tax").line
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line + 1, character=0),
                        end=types.Position(line=line + 1, character=0),
                    ),
                    text='    """Fresh words from the buffer."""\n',
                )
            ],
        )
    )
    result = await hover(client, uri, types.Position(line=line, character=6))
    assert result is not None and "Fresh words from the buffer." in result.contents.value


async def test_hover_on_nothing_is_null(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    assert await hover(client, uri, types.Position(line=1, character=0)) is None  # blank line
    # a name we cannot resolve (a builtin)
    assert await hover(client, uri, position_of(path, "round(price", offset=1)) is None


async def test_hover_position_out_of_range_is_invalid_params(
    client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    with pytest.raises(JsonRpcInvalidParams, match="outside the document"):
        await hover(client, uri, types.Position(line=10_000, character=3))
    # a column past the end of a real line is clamped, not an error
    line = position_of(path, "def price_with_tax").line
    assert await hover(client, uri, types.Position(line=line, character=500)) is None
    # the server is still serving
    assert await hover(client, uri, types.Position(line=line, character=6)) is not None


async def test_hover_unknown_and_non_file_uris(client: LanguageClient, workspace: Path):
    missing = (workspace / "nope.py").as_uri()
    with pytest.raises(JsonRpcInvalidParams, match="unknown document"):
        await hover(client, missing, types.Position(line=0, character=0))
    with pytest.raises(JsonRpcInvalidParams, match="unknown document"):
        await hover(client, "untitled:Untitled-1", types.Position(line=0, character=0))
    # a file on disk that was never opened is read from disk
    path = workspace / "inventory" / "models.py"
    result = await hover(client, path.as_uri(), position_of(path, "class Item", offset=6))
    assert result is not None and "A product that can be stocked and sold." in result.contents.value


async def test_hover_non_file_uri_that_is_open(client: LanguageClient):
    """An unsaved editor buffer (untitled:) is served from its text."""
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri,
                language_id="python",
                version=1,
                text='def f():\n    """Say hi."""\n',
            )
        )
    )
    result = await hover(client, uri, types.Position(line=0, character=4))
    # no extension: the language comes from the client's languageId
    assert result is not None and "Say hi." in result.contents.value
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri="untitled:Untitled-2",
                language_id="plaintext",
                version=1,
                text='def f():\n    """Say hi."""\n',
            )
        )
    )
    # a language docgen does not know: nothing to say, but no error
    assert await hover(client, "untitled:Untitled-2", types.Position(line=0, character=4)) is None


async def test_hover_columns_are_utf16(client: LanguageClient, workspace: Path):
    """Positions count UTF-16 code units: an emoji before a name counts 2, é counts 1."""
    path = workspace / "inventory" / "unicode.py"
    path.write_text(
        'def café_total():\n    """Sum the café bill."""\n\n\nx = "😀"; y = café_total()\n'
    )
    uri = open_file(client, path)
    # 'x = "😀"; y = ' is 13 code points but 14 UTF-16 units
    result = await hover(client, uri, types.Position(line=4, character=14))
    assert result is not None and "Sum the café bill." in result.contents.value
    # one unit earlier is the space before the name (code points would land on the name)
    assert await hover(client, uri, types.Position(line=4, character=13)) is None
    definition = await hover(client, uri, types.Position(line=0, character=8))
    assert definition.range == types.Range(
        start=types.Position(line=0, character=4), end=types.Position(line=0, character=14)
    )
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    # café_total is documented; the module is not (docgen check counts modules too)
    assert [d.data["qualname"] for d in client.diagnostics[uri]] == ["inventory.unicode"]


async def test_hover_and_diagnostics_in_javascript(client: LanguageClient, workspace: Path):
    path = workspace / "web" / "cart.js"
    path.parent.mkdir()
    path.write_text(
        "/**\n * Add tax to a net price.\n * @param {number} net Net price.\n */\n"
        "function withTax(net) {\n  return net * 1.2;\n}\n\n"
        "function total(items) {\n  return items.reduce((a, b) => a + withTax(b), 0);\n}\n"
    )
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="javascript", version=1, text=path.read_text()
            )
        )
    )
    result = await hover(client, uri, position_of(path, "withTax(b)", offset=2))
    assert result is not None
    assert "```javascript\nfunction withTax(net)" in result.contents.value
    assert "Add tax to a net price." in result.contents.value
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    # as docgen check: a JavaScript module does not count (no module doc form is read)
    assert [d.data["qualname"] for d in client.diagnostics[uri]] == ["total"]
