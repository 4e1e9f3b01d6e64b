"""A user's folder named like one of our packages (``assistant``, ``indexer``, ``lsp``) in the
current folder must not replace them when the CLI runs (issue #15): ``python -m docgen`` and
``python -c`` put the current folder first on ``sys.path``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_tree

TRAP = 'raise SystemExit("shadowed: the user folder was imported")\n'


@pytest.fixture
def trap_folder(tmp_path: Path) -> Path:
    """A repository whose top-level folders are named like our packages."""
    return write_tree(
        tmp_path / "repo",
        {
            "assistant/__init__.py": TRAP,
            "indexer/__init__.py": TRAP,
            "lsp/__init__.py": TRAP,
            "app.py": "def f(x):\n    return x\n",
        },
    )


def test_python_m_docgen_check_uses_our_packages(trap_folder: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "check", "."],
        cwd=trap_folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "shadowed" not in done.stdout + done.stderr
    assert done.returncode in (0, 1), done.stderr


def test_console_script_check_uses_our_packages(trap_folder: Path) -> None:
    script = Path(sys.executable).with_name("docgen")
    if not script.is_file():
        pytest.skip("no console script next to this interpreter")
    done = subprocess.run(
        [str(script), "check", "."], cwd=trap_folder, capture_output=True, text=True, timeout=120
    )
    assert "shadowed" not in done.stdout + done.stderr
    assert done.returncode in (0, 1), done.stderr


def test_every_package_resolves_to_ours_after_importing_docgen(trap_folder: Path) -> None:
    probe = (
        "import docgen, assistant, indexer, lsp\n"
        "import assistant.pipeline, indexer.index, lsp.server\n"
        "print(assistant.__file__); print(indexer.__file__); print(lsp.__file__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=trap_folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for line in done.stdout.split():
        assert not Path(line).is_relative_to(trap_folder), line
