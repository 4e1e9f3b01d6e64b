"""Fixtures for the language server tests: a sample workspace and a pytest-lsp client
driving the real server (``python -m lsp``) over stdio in a subprocess."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from lsptest_support import initialize_params
from pytest_lsp import ClientServerConfig, LanguageClient

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample_repo"
SERVER = [sys.executable, "-m", "lsp"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of examples/sample_repo (tests may edit and index it)."""
    root = tmp_path / "sample_repo"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    return root


@pytest.fixture
def init_options(tmp_path: Path) -> dict[str, Any]:
    """initializationOptions: no startup indexing, a private output cache."""
    return {"indexOnStartup": False, "cachePath": str(tmp_path / "cache")}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, workspace: Path, init_options: dict[str, Any]):
    """A client with an initialized session on the sample workspace."""
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(initialize_params(workspace, init_options))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def bare_client(lsp_client: LanguageClient):
    """A client connected to a fresh server that the test initializes itself."""
    yield
    await lsp_client.shutdown_session()


def accept_registrations(client: LanguageClient) -> None:
    """Answer client/registerCapability (the server registers file watchers) like VS Code,
    keeping what was registered in ``client.registrations``."""
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)
