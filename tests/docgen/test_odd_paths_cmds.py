"""``docgen index`` and ``generate`` as users run them (a child process, so output is what a
terminal shows): a file name that is not UTF-8 never aborts the run, a Latin-1 file keeps
its encoding, and a run-wide note is printed once (issue #19 items 8, 17, 18)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write_tree

CODE = "def total(values):\n    return sum(values)\n"


def _docgen(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        errors="backslashreplace",
        timeout=300,
    )


@pytest.fixture
def odd_repo(tmp_path: Path) -> Path:
    repo = write_tree(tmp_path / "repo", {"ok.py": CODE})
    with open(os.fsencode(repo) + b"/caf\xe9.py", "wb") as handle:
        handle.write(CODE.encode())
    return repo


def test_index_with_an_undecodable_file_name_exits_0(odd_repo: Path) -> None:
    done = _docgen(odd_repo, "index", "-q", "--no-embed", ".")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "1 files" in done.stdout + done.stderr


def test_generate_with_an_undecodable_file_name_exits_0(odd_repo: Path, tiny_t5: Path) -> None:
    args = ["generate", "--model", str(tiny_t5), "--no-index", "--beams", "2", "--write", "."]
    args[-1:-1] = ["--min-confidence", "0"]  # the tiny random model never reaches the floor
    done = _docgen(odd_repo, *args)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert '"""' in (odd_repo / "ok.py").read_text()


def test_the_no_index_note_is_printed_once(tmp_path: Path, tiny_t5: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"ok.py": CODE})
    done = _docgen(repo, "generate", "--model", str(tiny_t5), "--no-index", "--beams", "2")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("no index at") == 1, done.stderr


def test_generate_write_keeps_a_latin1_file_latin1(tmp_path: Path, tiny_t5: Path) -> None:
    source = "# -*- coding: latin-1 -*-\ndef caf\xe9(prix):\n    return 'th\xe9'\n"
    original = source.encode("latin-1")
    repo = write_tree(tmp_path / "repo", {"latin.py": original})
    args = ["generate", "--model", str(tiny_t5), "--no-index", "--beams", "2", "--write", "."]
    args[-1:-1] = ["--min-confidence", "0"]  # the tiny random model never reaches the floor
    done = _docgen(repo, *args)
    assert done.returncode == 0, done.stderr
    new = (repo / "latin.py").read_bytes()
    assert new != original and b"\xc3" not in new
    assert new.startswith(original[: original.index(b"\n    return")])
    assert new.endswith(b"    return 'th\xe9'\n")
