"""Shared fixtures: one tiny random T5 per test session (built offline, in a temp folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine.testing import build_tiny_t5


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random T5 folder in Hugging Face format."""
    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep exports out of the real user cache dir."""
    cache = tmp_path_factory.getbasetemp() / "docgen-cache"
    monkeypatch.setenv("DOCGEN_CACHE_DIR", str(cache))
