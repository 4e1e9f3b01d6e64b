"""The ``docgen-check`` hook under the real pre-commit framework (``pre-commit try-repo``).

pre-commit builds its own virtualenv and pip-installs this repository into it. To keep
that offline and quick, PYTHONPATH points at this project's site-packages so pip finds the
heavy dependencies (torch, transformers...) already satisfied and installs only docgen.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict[str, str]:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(key, None)
    return env


def _try_repo(repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess:
    scope = list(files) if files else ["--all-files"]
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "docgen-check"]
    return subprocess.run(
        [*pre_commit, "--verbose", *(["--files", *scope] if files else scope)],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "legacy").mkdir()
    (root / "pyproject.toml").write_text('[tool.docgen]\nfail_under = 100\nexclude = ["legacy/"]\n')
    (root / "src" / "good.py").write_text('"""Good."""\n\n\ndef f():\n    """Do f."""\n')
    (root / "legacy" / "old.py").write_text("def undocumented():\n    pass\n")
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "test")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "init")
    return root


def test_hook_honours_excludes_for_passed_file_names(repo, environment):
    # pre-commit passes legacy/old.py by name; [tool.docgen] exclude must still drop it
    result = _try_repo(repo, environment, "legacy/old.py", "src/good.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "100.0% (2/2) in 1 files" in result.stdout
    assert "1 excluded" in result.stdout

    (repo / "src" / "bad.py").write_text("def nodoc():\n    return 1\n")
    _git(repo, "add", "src/bad.py")
    failed = _try_repo(repo, environment)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "src/bad.py:1:5 function nodoc" in failed.stdout
    assert "FAILED" in failed.stdout
