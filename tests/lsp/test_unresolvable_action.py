"""A code action whose resolve yields no edit is not offered as if it worked.

When every draft is below ``minConfidence`` (or drafting is unavailable), resolving
says why: the action comes back without an edit, with ``disabled.reason`` for clients
that advertise ``codeAction.disabledSupport`` (VS Code), and a window/showMessage with
the reason (VS Code does nothing visible for a resolved action without an edit). Listed
again for the same text, the action is offered disabled with that reason, or, for a
client without disabledSupport (Neovim), not offered at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.support import CONFIG, accept_registrations, open_file, wait_for

pytestmark = pytest.mark.asyncio

GENERATE = "Generate docstring for cart_total"
FILE = "Generate docstrings for this file (3 missing)"


@pytest.fixture(params=["visual-studio-code", "neovim"])
def editor(request: pytest.FixtureRequest) -> str:
    """Whose client capabilities the session uses (VS Code has disabledSupport)."""
    return request.param


async def _session(
    client: LanguageClient, workspace: Path, editor: str, options: dict[str, Any]
) -> None:
    accept_registrations(client)
    client.applied_edits = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.applied_edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
            initialization_options=options,
        )
    )


@pytest_lsp.fixture(config=CONFIG)
async def strict_client(
    lsp_client: LanguageClient, workspace: Path, editor: str, model_options: dict[str, Any]
):
    """Drafting with the tiny model, every draft below the confidence floor."""
    await _session(lsp_client, workspace, editor, {**model_options, "minConfidence": 1.0})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def broken_client(lsp_client: LanguageClient, workspace: Path, tmp_path: Path):
    """A model folder that cannot be loaded (VS Code capabilities)."""
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    options = {"indexOnStartup": False, "cachePath": str(tmp_path / "cache"), "model": str(broken)}
    await _session(lsp_client, workspace, "visual-studio-code", options)
    yield
    await lsp_client.shutdown_session()


async def actions_at_cart_total(client: LanguageClient, uri: str) -> dict[str, types.CodeAction]:
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    diag = next(d for d in client.diagnostics[uri] if d.data["qualname"] == "cart_total")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=diag.range.start, end=diag.range.start),
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    return {a.title: a for a in actions}


async def test_action_whose_drafts_are_all_below_the_floor(
    strict_client: LanguageClient, workspace: Path, editor: str
):
    client = strict_client
    uri = open_file(client, workspace / "inventory" / "pricing.py")
    listed = await actions_at_cart_total(client, uri)
    assert GENERATE in listed and FILE in listed  # listing is instant: no model yet
    disabled_support = editor == "visual-studio-code"
    for title in (GENERATE, FILE):
        resolved = await client.code_action_resolve_async(listed[title])
        changes = resolved.edit and (resolved.edit.document_changes or resolved.edit.changes)
        assert not changes, resolved.edit
        assert resolved.command is None
        if disabled_support:
            assert resolved.disabled is not None and "minConfidence" in resolved.disabled.reason
    await wait_for(
        lambda: any("minConfidence" in m.message for m in client.messages),
        what="a message saying why",
    )
    again = await actions_at_cart_total(client, uri)
    if disabled_support:
        for title in (GENERATE, FILE):
            assert again[title].disabled is not None, again[title]
            assert "minConfidence" in again[title].disabled.reason
    else:
        assert GENERATE not in again and FILE not in again, list(again)
    assert client.applied_edits == []


@pytest.mark.parametrize("editor", ["neovim"])
async def test_command_without_an_edit_says_why(
    strict_client: LanguageClient, workspace: Path, editor: str
):
    client = strict_client
    uri = open_file(client, workspace / "inventory" / "pricing.py")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="docgen.documentFile", arguments=[uri])
    )
    assert result["applied"] is False and "minConfidence" in result["reason"], result
    await wait_for(
        lambda: any("minConfidence" in m.message for m in client.messages),
        what="a message saying why",
    )
    assert FILE not in await actions_at_cart_total(client, uri)


async def test_actions_are_not_offered_while_drafting_is_unavailable(
    broken_client: LanguageClient, workspace: Path
):
    client = broken_client
    uri = open_file(client, workspace / "inventory" / "pricing.py")
    listed = await actions_at_cart_total(client, uri)
    with pytest.raises(JsonRpcException):  # the first try finds the model broken
        await client.code_action_resolve_async(listed[GENERATE])
    again = await actions_at_cart_total(client, uri)
    assert again[GENERATE].disabled is not None
    assert "cannot load" in again[GENERATE].disabled.reason
