"""The child process that runs index jobs for the server (lsp.index_worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp.live_index import WorkspaceIndex


@pytest.fixture
def symbols_only(workspace: Path) -> Path:
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "embed = false\n")
    return workspace


def test_full_then_incremental_jobs(symbols_only: Path):
    index = WorkspaceIndex(symbols_only)
    reports: list[tuple[str, int | None]] = []
    try:
        summary = index.index_all(lambda message, pct: reports.append((message, pct))).result(120)
        assert "4 files" in summary and "symbols" in summary
        assert reports and reports[-1][1] == 100 and reports[-1][0].startswith("4/4 files")
        store = index.store()
        assert store is not None and store.find("Warehouse")
        # a burst of updates is merged into few jobs; a deleted file leaves the index
        (symbols_only / "inventory" / "reports.py").unlink()
        futures = [index.update([symbols_only / "inventory" / "reports.py"]) for _ in range(5)]
        futures[-1].result(120)
        assert len({id(f) for f in futures}) <= 2
        store = index.store()
        assert not store.symbols("inventory/reports.py")
        assert store.symbols("inventory/models.py")
    finally:
        index.close()


def test_failed_job_is_reported(tmp_path: Path):
    index = WorkspaceIndex(tmp_path / "missing")
    try:
        with pytest.raises(RuntimeError, match="not a folder"):
            index.index_all().result(60)
        assert not index.indexing.is_set()
    finally:
        index.close()


def test_worker_never_imports_from_the_workspace(symbols_only: Path, monkeypatch):
    # A repository folder named like a module the child imports (here the standard
    # library's json) must not shadow it: that would execute the repository's code. The
    # server often runs with the workspace as its working directory.
    marker = symbols_only / "shadow-ran"
    shadow = symbols_only / "json"
    shadow.mkdir()
    (shadow / "__init__.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n"
    )
    monkeypatch.chdir(symbols_only)
    index = WorkspaceIndex(symbols_only)
    try:
        summary = index.index_all().result(120)
        assert "files" in summary
    finally:
        index.close()
    assert not marker.exists()
