"""Helpers shared by the language server tests (imported by the test modules)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "lsp"]
# no server_env: a server inherits the environment when it starts, so it uses the session's
# isolated DOCGEN_CACHE_DIR (tests/conftest.py), where the tests' models are exported
CONFIG = ClientServerConfig(server_command=SERVER)


def initialize_params(root: Path, options: dict[str, Any] | None) -> types.InitializeParams:
    """InitializeParams as VS Code sends them, for the workspace ``root``."""
    return types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options=options,
    )


def open_file(client: LanguageClient, path: Path, version: int = 1) -> str:
    """Send didOpen for ``path``; return its URI."""
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=path.read_text()
            )
        )
    )
    return uri


def position_of(path: Path, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
    """Position of the ``occurrence``-th ``needle`` in ``path`` (plus ``offset`` chars)."""
    lines = path.read_text().splitlines()
    seen = 0
    for number, line in enumerate(lines):
        start = line.find(needle)
        while start != -1:
            if seen == occurrence:
                return types.Position(line=number, character=start + offset)
            seen += 1
            start = line.find(needle, start + 1)
    raise AssertionError(f"{needle!r} not found in {path}")


async def wait_for(predicate, timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``predicate`` until true (the server talks asynchronously)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions, all relative to ``text``) like an editor."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        before = sum(len(line) for line in lines[: position.line])
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line)

    spans = sorted((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits)
    out, last = [], 0
    for start, end, new_text in spans:
        assert start >= last, "overlapping edits"
        out.extend([text[last:start], new_text])
        last = end
    out.append(text[last:])
    return "".join(out)


def edits_for(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits of ``edit`` for ``uri`` (from documentChanges or changes)."""
    if edit.document_changes:
        return [
            e
            for change in edit.document_changes
            if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
            for e in change.edits
        ]
    return list((edit.changes or {}).get(uri, []))


def accept_registrations(client: LanguageClient) -> None:
    """Answer client/registerCapability (the server registers file watchers) like VS Code,
    keeping what was registered in ``client.registrations``."""
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)
