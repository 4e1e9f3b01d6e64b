"""The hostile-repository corpus, end to end: every file a reliability campaign found
trouble with, together in one repository, through the real ``docgen`` commands.

Each command runs in a child process with a generous time limit, so a segfault (exit -11
or 139) or a super-linear query shows up as a failure of this test, not of the test run.
The per-item regression tests live beside the code they cover; this file checks that the
fixes hold together: nothing crashes, nothing hangs, every odd file is named, nothing
outside the repository changes, and ``--write`` changes nothing but docstrings.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from tests.conftest import write_tree

LIMIT_S = 300

NESTED = "".join("    " * depth + f"def f{depth}():\n" for depth in range(600)) + (
    "    " * 600 + "pass\n"
)
DECORATED = "def d(f):\n    return f\n\n\n" + "@d\n" * 2000 + "def stacked():\n    return 1\n"
CONCATENATED = (
    'def joined(a):\n    "Join " "the parts."\n    return a\n\n\n'
    'def wrapped(a):\n    ("Wrapped "\n     "docstring.")\n    return a\n'
)
PRAGMAS = (
    "class Base:\n"
    "    def arity(self) -> str:\n"
    "        return 'x'\n\n\n"
    "class Child(Base):\n"
    "    def arity(self) -> int: ...  # type: ignore[override]\n\n"
    "    def count(self, n):  # noqa: D401\n"
    "        return n  # pragma: no cover\n"
)
LATIN1 = (
    "# -*- coding: latin-1 -*-\n\ndef price(euros):\n    return euros\n\n\nLABEL = 'caf\u00e9'\n"
)
BROKEN = "def f(a):\n"


def _docgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=LIMIT_S,
        env={**os.environ, "NO_COLOR": "1"},
    )


def _comments(source: str) -> list[tuple[str, str]]:
    """Each comment with the code in front of it on its line (what a pragma applies to)."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.line[: token.start[1]].strip(), token.string))
    return found


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    outside = write_tree(tmp_path / "outside", {"victim.py": "def victim(x):\n    return x\n"})
    repo = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.docgen]\nfail-under = 0\n",
            "nested.py": NESTED,
            "decorated.py": DECORATED,
            "concatenated.py": CONCATENATED,
            "pragmas.py": PRAGMAS,
            "latin1.py": LATIN1.encode("latin-1"),
            "broken.py": BROKEN,
            "binary.py": b"\x00\x01\x02def \xff\xfe(\n",
            "plain.py": "def add(a, b):\n    return a + b\n",
        },
    )
    (repo / os.fsdecode(b"odd_\xe9name.py")).write_text("def odd(a):\n    return a\n")
    (repo / "link_out.py").symlink_to(outside / "victim.py")
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    return repo, outside


def test_the_hostile_corpus_survives_check_index_and_generate(hostile) -> None:
    repo, outside = hostile
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    originals = {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()}

    check = _docgen("check", "-v", ".", cwd=repo)
    assert check.returncode in (0, 1), check.stderr
    assert "Traceback" not in check.stderr
    index = _docgen("index", "-v", ".", cwd=repo)
    assert index.returncode == 0, index.stderr
    assert "Traceback" not in index.stderr
    for name in ("nested.py", "odd_", "link_out.py"):
        assert name in index.stderr + index.stdout, (name, index.stderr)

    write = _docgen("generate", "--write", "--min-confidence", "0", "-v", ".", cwd=repo)
    assert write.returncode in (0, 1), write.stderr
    assert "Traceback" not in write.stderr

    # Nothing outside the repository changed, and no index was made there.
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before
    # Files docgen must not edit are byte-identical.
    for name in ("broken.py", "binary.py", "nested.py", "concatenated.py"):
        assert (repo / name).read_bytes() == originals[name], name
    # Edited files still parse, keep their comments where they were, and only gained
    # docstrings.
    pragmas = (repo / "pragmas.py").read_text()
    compile(pragmas, "pragmas.py", "exec")
    assert _comments(pragmas) == _comments(PRAGMAS)
    assert pragmas != PRAGMAS
    latin1 = (repo / "latin1.py").read_bytes()
    assert latin1.startswith(b"# -*- coding: latin-1 -*-")
    assert b"caf\xe9" in latin1
    compile(latin1, "latin1.py", "exec")
    plain = (repo / "plain.py").read_text()
    assert '"""' in plain
    compile(plain, "plain.py", "exec")
