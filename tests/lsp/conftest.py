"""Fixtures for the language server tests: a sample workspace and a pytest-lsp client
driving the real server (``python -m lsp``) over stdio in a subprocess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import CONFIG, accept_registrations, initialize_params


@pytest.fixture
def workspace(sample_repo: Path) -> Path:
    """The workspace folder: a private copy of examples/sample_repo (tests may edit it)."""
    return sample_repo


@pytest.fixture
def init_options(tmp_path: Path) -> dict[str, Any]:
    """initializationOptions: no startup indexing or warm-up, a private output cache."""
    return {"indexOnStartup": False, "warmUp": False, "cachePath": str(tmp_path / "cache")}


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, workspace: Path, init_options: dict[str, Any]):
    """A client with an initialized session on the sample workspace."""
    accept_registrations(lsp_client)
    await lsp_client.initialize_session(initialize_params(workspace, init_options))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def bare_client(lsp_client: LanguageClient):
    """A client connected to a fresh server that the test initializes itself."""
    accept_registrations(lsp_client)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="session")
def served_t5(tiny_t5: Path) -> Path:
    """The tiny T5, already exported to ONNX in the session's cache for the servers."""
    from assistant.engine import load_generator

    load_generator(tiny_t5, warmup=False)  # export once; servers load the cached export
    return tiny_t5


@pytest.fixture
def model_options(tmp_path: Path, served_t5: Path) -> dict[str, Any]:
    """initializationOptions drafting with the tiny model and a private output cache (budgets
    so long that a busy test machine never degrades a draft to the model-free tier)."""
    return {
        "indexOnStartup": False,
        "warmUp": False,
        "hoverBudgetMs": 60000,
        "generateBudgetMs": 60000,
        "cachePath": str(tmp_path / "cache"),
        "model": str(served_t5),
    }


@pytest_lsp.fixture(config=CONFIG)
async def model_client(lsp_client: LanguageClient, workspace: Path, model_options: dict[str, Any]):
    """An initialized client whose server drafts with the tiny model."""
    accept_registrations(lsp_client)
    lsp_client.applied_edits = []

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        lsp_client.applied_edits.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    await lsp_client.initialize_session(initialize_params(workspace, model_options))
    yield
    await lsp_client.shutdown_session()
