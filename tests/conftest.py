"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


class PreCommit:
    """Runs this repository's hooks under the real pre-commit framework (``try-repo``).

    pre-commit builds its own virtualenv and pip-installs this repository into it. To keep
    that offline and quick, PYTHONPATH points at this project's site-packages, so pip finds
    the heavy dependencies (torch, transformers, ...) satisfied and installs only docgen.
    """

    def __init__(self, home: Path) -> None:
        self.env = dict(os.environ)
        self.env["PRE_COMMIT_HOME"] = str(home)
        self.env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
        for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
            self.env.pop(key, None)

    @staticmethod
    def git(repo: Path, *args: str) -> None:
        """Run one git command in ``repo``; raise if it fails."""
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    def commit_all(self, repo: Path) -> Path:
        """Make ``repo`` a git repository with everything in it committed."""
        self.git(repo, "init", "-q")
        self.git(repo, "config", "user.email", "test@example.com")
        self.git(repo, "config", "user.name", "test")
        self.git(repo, "add", "-A")
        self.git(repo, "commit", "-q", "-m", "init")
        return repo

    def try_repo(self, repo: Path, hook: str, *files: str) -> subprocess.CompletedProcess:
        """Run ``hook`` on ``files`` (all files when none are given) inside ``repo``."""
        scope = ["--files", *files] if files else ["--all-files"]
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), hook]
        return subprocess.run(
            [*command, "--verbose", *scope],
            cwd=repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )


@pytest.fixture
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> PreCommit:
    """A pre-commit runner with its own PRE_COMMIT_HOME."""
    return PreCommit(tmp_path_factory.mktemp("pre-commit-home"))
