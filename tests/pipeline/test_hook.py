"""The ``docgen-fix`` hook under the real pre-commit framework (``pre-commit try-repo``,
driven by the ``pre_commit`` fixture of tests/conftest.py). The hook drafts with a tiny
random T5 named in the test repository's ``[tool.docgen]``.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

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


@pytest.fixture
def repo(tmp_path: Path, tiny_model: Path, pre_commit) -> Path:
    root = tmp_path / "repo"
    (root / "shapes").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[tool.docgen]\nmodel = "{tiny_model}"\nnum_beams = 2\nupdate_index = false\n'
    )
    (root / "shapes" / "geometry.py").write_text(MODULE)
    return pre_commit.commit_all(root)


def test_fix_hook_drafts_and_updates_then_passes(repo: Path, pre_commit, cache_root) -> None:
    pre_commit.env["DOCGEN_CACHE_DIR"] = str(cache_root)
    first = pre_commit.try_repo(repo, "docgen-fix")
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

    pre_commit.git(repo, "add", "-A")
    second = pre_commit.try_repo(repo, "docgen-fix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
