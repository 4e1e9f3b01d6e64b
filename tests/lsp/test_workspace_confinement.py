"""The server answers only for documents under a workspace folder (after resolving
symlinks) and open untitled buffers, and never reads a file outside the workspace.

Refused: hover answers null, codeAction an empty list (both with a window/logMessage),
codeAction/resolve and the edit commands a RequestFailed (-32803) error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient, client_capabilities

from tests.lsp.support import open_file, position_of, wait_for

pytestmark = pytest.mark.asyncio

REQUEST_FAILED = -32803
SECRET = '''def leaked(value):
    """TOP SECRET docstring outside the workspace."""
    return value


def undocumented(value):
    return value
'''


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A Python file outside the workspace folder."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = folder / "secret.py"
    path.write_text(SECRET)
    return path


@pytest.fixture
def link(workspace: Path, outside: Path) -> Path:
    """A symlink inside the workspace pointing at the outside file."""
    path = workspace / "inventory" / "link.py"
    path.symlink_to(outside)
    return path


def hover_params(uri: str, position: types.Position) -> types.HoverParams:
    return types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)


def action_params(uri: str, position: types.Position) -> types.CodeActionParams:
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=position, end=position),
        context=types.CodeActionContext(diagnostics=[]),
    )


def logged(client: LanguageClient, needle: str) -> bool:
    return any(needle in m.message for m in client.log_messages)


async def assert_hover_works(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "inventory" / "pricing.py"
    result = await client.text_document_hover_async(
        hover_params(path.as_uri(), position_of(path, "def price_with_tax", offset=5))
    )
    assert result is not None and "tax added" in result.contents.value


@pytest.mark.parametrize("opened", [False, True], ids=["on-disk", "open"])
async def test_hover_outside_the_workspace_is_null(
    client: LanguageClient, workspace: Path, outside: Path, opened: bool
):
    uri = open_file(client, outside) if opened else outside.as_uri()
    result = await client.text_document_hover_async(
        hover_params(uri, position_of(outside, "def leaked", offset=5))
    )
    assert result is None
    await wait_for(lambda: logged(client, "outside the workspace"), what="a log message")
    await assert_hover_works(client, workspace)


async def test_hover_through_a_symlink_pointing_out_is_null(
    client: LanguageClient, workspace: Path, link: Path
):
    for uri in (link.as_uri(), open_file(client, link)):
        result = await client.text_document_hover_async(
            hover_params(uri, position_of(link, "def leaked", offset=5))
        )
        assert result is None, result
    assert link.as_uri() not in client.diagnostics  # no diagnostics either
    await assert_hover_works(client, workspace)


@pytest.mark.parametrize("opened", [False, True], ids=["on-disk", "open"])
async def test_code_actions_outside_the_workspace_are_empty(
    client: LanguageClient, workspace: Path, outside: Path, link: Path, opened: bool
):
    for path in (outside, link):
        uri = open_file(client, path) if opened else path.as_uri()
        actions = await client.text_document_code_action_async(
            action_params(uri, position_of(path, "def undocumented", offset=5))
        )
        assert actions is not None and len(actions) == 0, actions  # [], not null
    await wait_for(lambda: logged(client, "outside the workspace"), what="a log message")


async def test_resolve_and_commands_outside_the_workspace_are_errors(
    client: LanguageClient, workspace: Path, outside: Path, link: Path
):
    for path in (outside, link):
        uri = path.as_uri()
        position = position_of(path, "def undocumented", offset=5)
        calls = [
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="docgen.documentFile", arguments=[uri])
            ),
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(
                    command="docgen.generateDocstring",
                    arguments=[uri, {"line": position.line, "character": position.character}],
                )
            ),
            client.code_action_resolve_async(
                types.CodeAction(
                    title="Generate docstrings for this file",
                    data={"uri": uri, "version": None, "action": "file", "qualname": None},
                )
            ),
        ]
        for call in calls:
            with pytest.raises(JsonRpcException) as info:
                await call
            assert info.value.code == REQUEST_FAILED, info.value
            assert "outside the workspace" in str(info.value)
    await assert_hover_works(client, workspace)


async def test_a_call_site_never_resolves_through_a_symlink_out(
    client: LanguageClient, workspace: Path, outside: Path
):
    (workspace / "secret_link.py").symlink_to(outside)
    user = workspace / "inventory" / "user.py"
    user.write_text("from secret_link import leaked\n\nleaked(1)\n")
    uri = open_file(client, user)
    result = await client.text_document_hover_async(
        hover_params(uri, types.Position(line=2, character=2))
    )
    assert result is None or "TOP SECRET" not in result.contents.value, result


def _init(root: Path | None, folders: list[Path] | None) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri() if root is not None else None,
        workspace_folders=(
            [types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders]
            if folders is not None
            else None
        ),
        initialization_options={"indexOnStartup": False},
    )


async def test_root_uri_without_workspace_folders_is_the_workspace(
    bare_client: LanguageClient, workspace: Path, outside: Path
):
    await bare_client.initialize_session(_init(workspace, None))
    await assert_hover_works(bare_client, workspace)
    result = await bare_client.text_document_hover_async(
        hover_params(outside.as_uri(), position_of(outside, "def leaked", offset=5))
    )
    assert result is None


async def test_every_workspace_folder_is_served(
    bare_client: LanguageClient, workspace: Path, outside: Path
):
    await bare_client.initialize_session(_init(workspace, [workspace, outside.parent]))
    result = await bare_client.text_document_hover_async(
        hover_params(outside.as_uri(), position_of(outside, "def leaked", offset=5))
    )
    assert result is not None and "TOP SECRET" in result.contents.value


async def test_folders_added_and_removed_later(
    client: LanguageClient, workspace: Path, outside: Path
):
    params = hover_params(outside.as_uri(), position_of(outside, "def leaked", offset=5))
    assert await client.text_document_hover_async(params) is None
    folder = types.WorkspaceFolder(uri=outside.parent.as_uri(), name="elsewhere")
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[folder], removed=[])
        )
    )
    result = await client.text_document_hover_async(params)
    assert result is not None and "TOP SECRET" in result.contents.value
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[], removed=[folder])
        )
    )
    assert await client.text_document_hover_async(params) is None
    await assert_hover_works(client, workspace)


async def test_without_a_workspace_only_open_documents_are_served(
    bare_client: LanguageClient, outside: Path, tmp_path: Path
):
    await bare_client.initialize_session(_init(None, None))
    position = position_of(outside, "def leaked", offset=5)
    result = await bare_client.text_document_hover_async(hover_params(outside.as_uri(), position))
    assert result is None  # not open: nothing is read from disk
    with pytest.raises(JsonRpcException) as info:
        await bare_client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="docgen.documentFile", arguments=[outside.as_uri()])
        )
    assert info.value.code == REQUEST_FAILED
    uri = open_file(bare_client, outside)
    result = await bare_client.text_document_hover_async(hover_params(uri, position))
    assert result is not None and "TOP SECRET" in result.contents.value


async def test_untitled_buffers_are_served(client: LanguageClient, outside: Path):
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=SECRET
            )
        )
    )
    result = await client.text_document_hover_async(
        hover_params(uri, position_of(outside, "def leaked", offset=5))
    )
    assert result is not None and "TOP SECRET" in result.contents.value
    with pytest.raises(JsonRpcException) as info:  # an untitled buffer that is not open
        await client.text_document_hover_async(
            hover_params("untitled:Untitled-2", types.Position(line=0, character=0))
        )
    assert "unknown document" in str(info.value)
