"""Options from initializationOptions and workspace/didChangeConfiguration: typed, with
defaults; invalid values are shown with window/showMessage and their default is used."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import initialize_params, wait_for

pytestmark = pytest.mark.asyncio


async def current_options(client: LanguageClient) -> dict:
    stats = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.stats")
    )
    return stats["options"]


async def test_invalid_initialization_options(bare_client: LanguageClient, workspace: Path):
    options = {
        "docgen": {
            "style": "fancy",
            "minConfidence": 3,
            "threads": 2,
            "diagnosticSeverity": "hint",
            "indexOnStartup": False,
            "includePrivate": "yes",
        }
    }
    await bare_client.initialize_session(initialize_params(workspace, options))
    await wait_for(lambda: len(bare_client.messages) >= 3, what="three warnings")
    texts = [m.message for m in bare_client.messages]
    assert all(m.type == types.MessageType.Warning for m in bare_client.messages)
    assert any("style='fancy'" in t and "'auto'" in t for t in texts)
    assert any("minConfidence=3" in t for t in texts)
    assert any("includePrivate='yes'" in t for t in texts)
    current = await current_options(bare_client)
    assert current["style"] == "auto" and current["minConfidence"] == 0.0
    assert current["threads"] == 2 and current["diagnosticSeverity"] == "hint"
    assert current["includePrivate"] is False


async def test_did_change_configuration(client: LanguageClient):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"docgen": {"style": "numpy", "staleSeverity": "loud", "threads": 0}}
        )
    )
    await wait_for(lambda: len(client.messages) >= 2, what="two warnings")
    texts = " ".join(m.message for m in client.messages)
    assert "staleSeverity='loud'" in texts and "threads=0" in texts
    current = await current_options(client)
    assert current["style"] == "numpy"
    assert current["staleSeverity"] == "warning" and current["threads"] is None
    # settings that are not an object at all
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=[1]))
    await wait_for(lambda: len(client.messages) >= 3, what="a third warning")
    assert "must be an object" in client.messages[-1].message
    assert (await current_options(client))["style"] == "numpy"  # unchanged
