"""The ``docgen-fix`` hook under the real pre-commit framework (``pre-commit try-repo``).

pre-commit builds its own virtualenv and pip-installs this repository into it; PYTHONPATH
points at this project's site-packages so the heavy dependencies count as installed and
only docgen itself is installed (offline, quick). The hook drafts with a tiny random T5
named in the test repository's ``[tool.docgen]``.
"""

from __future__ import annotations

import ast
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

MODULE = '''"""Shapes."""


def area(width, height):
    return width * height


def perimeter(width: float, height: float) -> float:
    """Return the perimeter of a rectangle.

    Args:
        width: The width.
        hight: The height.

    Returns:
        The perimeter.
    """
    return 2 * (width + height)
'''


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, tiny_model: Path) -> Path:
    root = tmp_path / "repo"
    (root / "shapes").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[tool.docgen]\nmodel = "{tiny_model}"\nnum_beams = 2\nupdate_index = false\n'
    )
    (root / "shapes" / "geometry.py").write_text(MODULE)
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "test")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "init")
    return root


def _try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(PROJECT), "docgen-fix"]
    return subprocess.run(
        [*command, "--verbose", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fix_hook_drafts_and_updates_then_passes(repo: Path, tmp_path: Path, cache_root) -> None:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    env["DOCGEN_CACHE_DIR"] = str(cache_root)
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(key, None)

    first = _try_repo(repo, env)
    log = first.stdout + first.stderr
    assert first.returncode == 1, log  # files were modified by the hook
    assert "files were modified by this hook" in log
    text = (repo / "shapes" / "geometry.py").read_text()
    tree = ast.parse(text)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    drafted = ast.get_docstring(functions["area"])
    # parameter prose is reused from the repository's own docstrings
    assert drafted and "Args:\n    width: The width.\n    height: Height." in drafted
    assert "        height: The height.\n" in text  # stale name fixed, prose kept
    assert "hight" not in text

    _git(repo, "add", "-A")
    second = _try_repo(repo, env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
