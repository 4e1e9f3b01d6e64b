"""textDocument/hover on undocumented symbols: a drafted summary, marked as generated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import open_file, position_of

pytestmark = pytest.mark.asyncio

DRAFT = re.compile(r"\*\*docgen draft \(generated, confidence (\d\.\d\d)(, cached)?\)\*\*")


async def hover(client: LanguageClient, uri: str, position: types.Position):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )


async def test_hover_drafts_undocumented_symbol_then_caches(
    model_client: LanguageClient, workspace: Path
):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(model_client, path)
    position = position_of(path, "def cart_total", offset=6)
    first = await hover(model_client, uri, position)
    assert first is not None
    text = first.contents.value
    assert "def cart_total(items: Iterable[tuple[Item, int]]" in text
    match = DRAFT.search(text)
    assert match is not None, text
    assert 0.0 <= float(match.group(1)) <= 1.0
    assert match.group(2) is None  # drafted now, not from the cache
    assert "Not in the source" in text
    # without an index the summary is the model's or the name's, and the footer says which
    assert "Summary written by docgen's drafting model" in text or "made from the name" in text
    assert "**Low confidence**" in text  # a random tiny model never reaches the floor
    second = await hover(model_client, uri, position)
    match2 = DRAFT.search(second.contents.value)
    assert match2 is not None and match2.group(2) == ", cached"
    assert match2.group(1) == match.group(1)
    stats = await model_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.stats")
    )
    metrics = stats["metrics"]
    assert metrics["textDocument/hover"]["count"] == 2
    assert metrics["model:draft"]["count"] == 2
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        assert metrics["model:draft"][key] > 0


async def test_hover_draft_at_call_site(model_client: LanguageClient, workspace: Path):
    """`self.remove_stock(...)` inside transfer_to: an undocumented method, drafted."""
    path = workspace / "inventory" / "models.py"
    uri = open_file(model_client, path)
    result = await hover(model_client, uri, position_of(path, "self.remove_stock(sku, q", offset=7))
    assert result is not None
    assert "def Warehouse.remove_stock(self, sku: str, quantity: int = 1) -> int" in (
        result.contents.value
    )
    assert DRAFT.search(result.contents.value)


async def test_min_confidence_labels_weak_drafts(model_client: LanguageClient, workspace: Path):
    model_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"docgen": {"minConfidence": 1.0}})
    )
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(model_client, path)
    result = await hover(model_client, uri, position_of(path, "def cheapest_items", offset=6))
    assert result is not None
    # a random tiny model is never fully confident: the draft is shown, labelled
    text = result.contents.value
    assert DRAFT.search(text), text
    assert "**Low confidence**" in text and "below your minConfidence 1.00" in text


async def test_broken_model_is_explained_not_fatal(model_client: LanguageClient, workspace: Path):
    model_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"docgen": {"model": str(workspace / "no-such-model")}}
        )
    )
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(model_client, path)
    result = await hover(model_client, uri, position_of(path, "def cart_total", offset=6))
    assert result is not None
    assert "cannot load" in result.contents.value and "no-such-model" in result.contents.value
    # documented symbols still work
    doc = await hover(model_client, uri, position_of(path, "def price_with_tax", offset=6))
    assert "with tax added" in doc.contents.value
