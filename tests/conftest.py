"""Fixtures every test shares: an isolated docgen cache, the tiny T5, the sample repository.

- The user cache dir (ONNX exports, the output cache) is a private temporary folder for
  the whole session (autouse), so no test reads or writes the real one; language servers
  and CLIs started by the tests inherit it through ``DOCGEN_CACHE_DIR``; the user config
  file (``DOCGEN_CONFIG``) is a missing file in it, so a real one never changes a test.
- ``tiny_t5`` is one tiny random T5 in Hugging Face format, built offline once per session.
- ``sample_repo`` is a private copy of ``examples/sample_repo`` that a test may change;
  :func:`write_tree` lays out a small repository of the test's own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.engine.testing import build_tiny_t5

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample_repo"


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (repository-relative path -> text or bytes) under ``root``; return it."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


@pytest.fixture(scope="session", autouse=True)
def cache_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's docgen cache dir (``DOCGEN_CACHE_DIR``), outside the real user cache."""
    root = tmp_path_factory.mktemp("docgen-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("DOCGEN_CACHE_DIR", str(root))
    patch.setenv("DOCGEN_CONFIG", str(root / "no-user-config.toml"))  # never the real one
    yield root
    patch.undo()


@pytest.fixture(scope="session")
def tiny_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random T5 folder in Hugging Face format."""
    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A private copy of examples/sample_repo (tests may write to it)."""
    target = tmp_path / "sample_repo"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    return target
