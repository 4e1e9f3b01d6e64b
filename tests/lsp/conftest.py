"""Fixtures for the language server tests: a sample workspace and a pytest-lsp client
driving the real server (``python -m lsp``) over stdio in a subprocess."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from lsptest_support import (
    CONFIG,
    EXPORT_CACHE,
    SAMPLE,
    accept_registrations,
    initialize_params,
)
from pytest_lsp import LanguageClient


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
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random T5 (built offline), already exported to ONNX for the servers."""
    from assistant.engine import load_generator
    from assistant.engine.testing import build_tiny_t5

    folder = build_tiny_t5(tmp_path_factory.mktemp("models") / "tiny-t5")
    previous = os.environ.get("DOCGEN_CACHE_DIR")
    os.environ["DOCGEN_CACHE_DIR"] = str(EXPORT_CACHE)
    try:
        load_generator(folder, warmup=False)  # export once; servers load the cached export
    finally:
        if previous is None:
            os.environ.pop("DOCGEN_CACHE_DIR", None)
        else:
            os.environ["DOCGEN_CACHE_DIR"] = previous
    return folder


@pytest.fixture
def model_options(tmp_path: Path, tiny_model: Path) -> dict[str, Any]:
    """initializationOptions drafting with the tiny model and a private output cache."""
    return {
        "indexOnStartup": False,
        "cachePath": str(tmp_path / "cache"),
        "model": str(tiny_model),
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


@pytest.fixture(scope="session", autouse=True)
def _remove_export_cache():
    yield
    shutil.rmtree(EXPORT_CACHE, ignore_errors=True)
