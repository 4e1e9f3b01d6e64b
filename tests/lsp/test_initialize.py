"""initialize: capabilities and server info of the real server."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp.options import COMMANDS
from tests.lsp.support import initialize_params

pytestmark = pytest.mark.asyncio


async def test_initialize_advertises_features(bare_client: LanguageClient, workspace: Path):
    result = await bare_client.initialize_session(
        initialize_params(workspace, {"indexOnStartup": False})
    )
    caps = result.capabilities
    assert result.server_info is not None and result.server_info.name == "docgen"
    assert caps.hover_provider
    assert isinstance(caps.code_action_provider, types.CodeActionOptions)
    assert caps.code_action_provider.resolve_provider is True
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    assert caps.execute_command_provider is not None
    assert set(COMMANDS) <= set(caps.execute_command_provider.commands)
    sync = caps.text_document_sync
    assert sync.change == types.TextDocumentSyncKind.Incremental
    assert sync.open_close is True and sync.save is not None


async def test_initialize_without_workspace_folder(bare_client: LanguageClient):
    """A client with no folder open (a lone file) still gets a working server."""
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options=None
    )
    result = await bare_client.initialize_session(params)
    assert result.capabilities.hover_provider
    stats = await bare_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.stats")
    )
    assert stats["options"]["indexOnStartup"] is True
