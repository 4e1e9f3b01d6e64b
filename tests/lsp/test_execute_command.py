"""workspace/executeCommand docgen.stats and ``docgen serve --stats-file``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.support import (
    accept_registrations,
    initialize_params,
    open_file,
    position_of,
)

pytestmark = pytest.mark.asyncio
DOCGEN = str(Path(sys.executable).parent / "docgen")


async def test_stats_command_reports_percentiles(client: LanguageClient, workspace: Path):
    path = workspace / "inventory" / "pricing.py"
    uri = open_file(client, path)
    for _ in range(5):
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=position_of(path, "def price_with_tax", offset=5),
            )
        )
    stats = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.stats")
    )
    hover = stats["metrics"]["textDocument/hover"]
    assert hover["count"] == 5 and hover["errors"] == 0
    assert 0 < hover["p50_ms"] <= hover["p95_ms"] <= hover["p99_ms"] <= hover["max_ms"]
    assert stats["rss_mb"] > 10
    assert "diagnostics" in stats["metrics"]


async def test_stats_file(workspace: Path, tmp_path: Path):
    stats_file = tmp_path / "stats" / "lsp.json"
    config = ClientServerConfig(
        server_command=[DOCGEN, "serve", "--stats-file", str(stats_file)],
    )
    client = await config.start()
    accept_registrations(client)
    try:
        await client.initialize_session(initialize_params(workspace, {"indexOnStartup": False}))
        path = workspace / "inventory" / "models.py"
        uri = open_file(client, path)
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=position_of(path, "class Item", offset=6),
            )
        )
        await client.shutdown_session()
    finally:
        await client.stop()
    data = json.loads(stats_file.read_text())
    assert data["metrics"]["textDocument/hover"]["count"] == 1
    assert {"p50_ms", "p95_ms", "p99_ms"} <= set(data["metrics"]["textDocument/hover"])
    assert not list(stats_file.parent.glob(".lsp.json.*"))  # atomic write left no temp file
    await asyncio.sleep(0)
