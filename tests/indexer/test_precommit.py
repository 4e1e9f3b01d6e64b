"""The ``docgen-check`` hook under the real pre-commit framework (``pre-commit try-repo``,
driven by the ``pre_commit`` fixture of tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]


@pytest.fixture
def repo(tmp_path: Path, pre_commit) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "legacy").mkdir()
    (root / "pyproject.toml").write_text('[tool.docgen]\nfail_under = 100\nexclude = ["legacy/"]\n')
    (root / "src" / "good.py").write_text('"""Good."""\n\n\ndef f():\n    """Do f."""\n')
    (root / "legacy" / "old.py").write_text("def undocumented():\n    pass\n")
    return pre_commit.commit_all(root)


def test_hook_honours_excludes_for_passed_file_names(repo, pre_commit):
    # pre-commit passes legacy/old.py by name; [tool.docgen] exclude must still drop it
    result = pre_commit.try_repo(repo, "docgen-check", "legacy/old.py", "src/good.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "100.0% (2/2) in 1 files" in result.stdout
    assert "1 excluded" in result.stdout

    (repo / "src" / "bad.py").write_text("def nodoc():\n    return 1\n")
    pre_commit.git(repo, "add", "src/bad.py")
    failed = pre_commit.try_repo(repo, "docgen-check")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "src/bad.py:1:5 function nodoc" in failed.stdout
    assert "FAILED" in failed.stdout
