"""Background indexing after initialize: $/progress, the index behind call-site hovers,
docgen.indexWorkspace, and incremental updates on save and watched-file events."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import (
    CONFIG,
    accept_registrations,
    initialize_params,
    open_file,
    position_of,
    wait_for,
)

pytestmark = pytest.mark.asyncio


@pytest.fixture
def symbols_only(workspace: Path) -> Path:
    """The sample workspace, indexed without embeddings (no model: fast)."""
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "embed = false\n")
    return workspace


@pytest_lsp.fixture(config=CONFIG)
async def indexing_client(lsp_client: LanguageClient, symbols_only: Path, tmp_path: Path):
    accept_registrations(lsp_client)
    options: dict[str, Any] = {"indexOnStartup": True, "cachePath": str(tmp_path / "cache")}
    await lsp_client.initialize_session(initialize_params(symbols_only, options))
    yield
    await lsp_client.shutdown_session()


async def wait_for_metric(client: LanguageClient, name: str, count: int) -> None:
    """Wait until the server's stats count ``count`` events of metric ``name``."""
    for _ in range(300):
        stats = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="docgen.stats")
        )
        if stats["metrics"].get(name, {}).get("count", 0) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"metric {name} never reached {count}")


def ends(client: LanguageClient) -> list[types.WorkDoneProgressEnd]:
    return [
        value
        for reports in client.progress_reports.values()
        for value in reports
        if isinstance(value, types.WorkDoneProgressEnd)
    ]


async def test_background_indexing_reports_progress(
    indexing_client: LanguageClient, symbols_only: Path
):
    await wait_for(lambda: ends(indexing_client), timeout=60, what="indexing to finish")
    (token, reports), *_ = indexing_client.progress_reports.items()
    begin = reports[0]
    assert isinstance(begin, types.WorkDoneProgressBegin)
    assert begin.title == "docgen: indexing"
    end = reports[-1]
    assert isinstance(end, types.WorkDoneProgressEnd)
    assert "files" in end.message and "symbols" in end.message
    assert (symbols_only / ".docgen").is_dir()
    # the server asked to watch source files
    assert any(r.method == "workspace/didChangeWatchedFiles" for r in indexing_client.registrations)


async def test_call_site_hover_uses_the_index(indexing_client: LanguageClient, symbols_only: Path):
    await wait_for(lambda: ends(indexing_client), timeout=60, what="indexing to finish")
    reports = symbols_only / "inventory" / "reports.py"
    uri = open_file(indexing_client, reports)
    # models.py disappears without the editor telling: only the index still knows it
    (symbols_only / "inventory" / "models.py").unlink()
    result = await indexing_client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(reports, "Warehouse(name)", offset=2),
        )
    )
    assert result is not None
    assert "A place that holds stock of many items." in result.contents.value


async def test_index_follows_watched_files_and_command(
    indexing_client: LanguageClient, symbols_only: Path
):
    await wait_for(lambda: ends(indexing_client), timeout=60, what="indexing to finish")
    new_module = symbols_only / "inventory" / "audit.py"
    new_module.write_text('def audit_trail():\n    """Every change, in order."""\n')
    indexing_client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=new_module.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    await wait_for_metric(indexing_client, "index:update", 1)
    user = symbols_only / "inventory" / "user.py"
    user.write_text("from inventory.audit import audit_trail\n\naudit_trail()\n")
    (symbols_only / "inventory" / "audit.py").rename(symbols_only / "inventory" / "gone.py")
    uri = open_file(indexing_client, user)

    async def hover_text() -> str | None:
        result = await indexing_client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=2, character=3),
            )
        )
        return result.contents.value if result else None

    # the watched-file event indexed audit.py before it was renamed away
    text = await hover_text()
    assert text is not None and "Every change, in order." in text
    result = await indexing_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.indexWorkspace")
    )
    assert "files" in result["summary"]
    assert len(ends(indexing_client)) == 2  # startup + command
    # a full re-index dropped audit.py (it no longer exists)
    assert await hover_text() is None
