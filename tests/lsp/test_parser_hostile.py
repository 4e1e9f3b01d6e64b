"""Hostile buffers do not take the language server down (a real server process over stdio).

600 nested functions with docstrings once segfaulted tree-sitter-python inside the
server's didOpen handler; 2,000 stacked decorators kept it busy for minutes. The server
parses open documents with :func:`indexer.parser.parse_source`, which now refuses the first
and handles the second in linear time, so the server keeps answering.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.indexer.test_parser_fuzz import nested_defs
from tests.lsp.support import open_file, position_of

pytestmark = pytest.mark.asyncio

ANSWER_TIMEOUT = 90  # generous: a crashed server never answers, a stalled one takes minutes


async def hover(client: LanguageClient, uri: str, position: types.Position):
    params = types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position
    )
    return await asyncio.wait_for(client.text_document_hover_async(params), ANSWER_TIMEOUT)


async def still_answers(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    result = await hover(client, uri, position_of(path, "def price_with_tax", offset=6))
    assert result is not None and "with tax added" in result.contents.value


async def test_the_server_survives_deeply_nested_definitions(
    client: LanguageClient, workspace: Path
):
    hostile = workspace / "inventory" / "hostile.py"
    hostile.write_text(nested_defs(600))
    uri = open_file(client, hostile)
    # the refused buffer has no symbols to show: an answer, not a dead server
    assert await hover(client, uri, types.Position(line=1, character=5)) is None
    await still_answers(client, workspace)


async def test_the_server_reads_stacked_decorators_promptly(
    client: LanguageClient, workspace: Path
):
    hostile = workspace / "inventory" / "hostile.py"
    hostile.write_text("@d\n" * 2000 + "def stacked():\n    pass\n")
    uri = open_file(client, hostile)
    result = await hover(client, uri, types.Position(line=2000, character=6))
    assert result is not None and "stacked" in result.contents.value
    await still_answers(client, workspace)
