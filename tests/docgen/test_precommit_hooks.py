"""docgen's pre-commit hooks under the real pre-commit framework (``pre-commit try-repo``).

pre-commit builds its own virtualenv and pip-installs this repository into it. To keep
that offline and quick, PYTHONPATH points at this project's site-packages so pip finds the
heavy dependencies (torch, transformers...) already satisfied and installs only docgen.
``docgen-check`` is tried on a repository with excludes; ``docgen-fix`` drafts with a tiny
random T5 named in the user's config file (``DOCGEN_CONFIG``; a repository's own
``[tool.docgen]`` may not choose the model).
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

from tests.conftest import REPO

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


def _commit_all(root: Path) -> Path:
    """Make ``root`` a git repository with everything in it committed."""
    _git(root, "init", "-q")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "test")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "init")
    return root


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pre-commit's environment: a private home, this project's packages, no outer git."""
    env = dict(os.environ)  # DOCGEN_CACHE_DIR: the session's isolated cache (tests/conftest.py)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(key, None)
    return env


def _try_repo(
    repo: Path, env: dict[str, str], hook: str, *files: str
) -> subprocess.CompletedProcess:
    scope = ["--files", *files] if files else ["--all-files"]
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook]
    return subprocess.run(
        [*command, "--verbose", *scope],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def check_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "legacy").mkdir()
    (root / "pyproject.toml").write_text('[tool.docgen]\nfail_under = 100\nexclude = ["legacy/"]\n')
    (root / "src" / "good.py").write_text('"""Good."""\n\n\ndef f():\n    """Do f."""\n')
    (root / "legacy" / "old.py").write_text("def undocumented():\n    pass\n")
    return _commit_all(root)


@pytest.fixture
def fix_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "shapes").mkdir(parents=True)
    # the tiny random model never reaches the confidence floor: write every draft
    config = "[tool.docgen]\nnum_beams = 2\nupdate_index = false\nmin_confidence = 0\n"
    (root / "pyproject.toml").write_text(config)
    (root / "shapes" / "geometry.py").write_text(MODULE)
    return _commit_all(root)


@pytest.fixture
def fix_environment(environment, tmp_path: Path, tiny_t5: Path) -> dict[str, str]:
    """The tiny T5 named in the user's own config file: a repository may not pick models."""
    user_config = tmp_path / "user-config.toml"
    user_config.write_text(f'[docgen]\nmodel = "{tiny_t5}"\n')
    return {**environment, "DOCGEN_CONFIG": str(user_config)}


def test_check_hook_honours_excludes_for_passed_file_names(check_repo, environment):
    # pre-commit passes legacy/old.py by name; [tool.docgen] exclude must still drop it
    result = _try_repo(check_repo, environment, "docgen-check", "legacy/old.py", "src/good.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "100.0% (2/2) in 1 files" in result.stdout
    assert "1 excluded" in result.stdout

    (check_repo / "src" / "bad.py").write_text("def nodoc():\n    return 1\n")
    _git(check_repo, "add", "src/bad.py")
    failed = _try_repo(check_repo, environment, "docgen-check")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "src/bad.py:1:5 function nodoc" in failed.stdout
    assert "FAILED" in failed.stdout

    # the hook is also the drift gate: a docstring naming a parameter that is gone fails it
    (check_repo / "src" / "bad.py").write_text(
        '"""Bad."""\n\n\ndef f(width):\n    """Do f.\n\n    Args:\n        hight: The h.\n    """\n'
    )
    _git(check_repo, "add", "src/bad.py")
    drifted = _try_repo(check_repo, environment, "docgen-check")
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    assert "src/bad.py:4:5: DG105 f: documents `hight`, renamed `width`" in drifted.stdout
    assert "100.0%" in drifted.stdout


def test_fix_hook_drafts_and_updates_then_passes(fix_repo: Path, fix_environment) -> None:
    environment = fix_environment
    first = _try_repo(fix_repo, environment, "docgen-fix")
    log = first.stdout + first.stderr
    assert first.returncode == 1, log  # files were modified by the hook
    assert "files were modified by this hook" in log
    text = (fix_repo / "shapes" / "geometry.py").read_text()
    tree = ast.parse(text)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    drafted = ast.get_docstring(functions["area"])
    # perimeter() is no related symbol of area() (no call, class or override between them),
    # so its parameter prose is not borrowed by name: neutral lines say nothing false
    assert (
        drafted
        and "Args:\n    width: The ``width`` value.\n    height: The ``height`` value." in drafted
    )
    assert "        height: The height.\n" in text  # stale name fixed, prose kept
    assert "hight" not in text

    _git(fix_repo, "add", "-A")
    second = _try_repo(fix_repo, environment, "docgen-fix")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
