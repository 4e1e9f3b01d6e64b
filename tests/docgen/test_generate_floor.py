"""``docgen generate --write`` holds back drafts below the calibrated confidence floor by
default; ``--min-confidence 0`` writes every draft (issue #12 item 4)."""

from __future__ import annotations

import re
from pathlib import Path

from docgen import main
from tests.conftest import write_tree

CODE = "def total(values):\n    return sum(values)\n\n\ndef scale(x, k):\n    return x * k\n"


def _generate(repo: Path, tiny_t5: Path, *args: str) -> int:
    base = ["generate", "--model", str(tiny_t5), "--no-index", "--beams", "2", "--write"]
    return main([*base, "--cache-dir", str(repo.parent / "cache"), *args, str(repo)])


def test_write_keeps_drafts_below_the_floor_out(tmp_path: Path, tiny_t5: Path, capsys) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "", "m.py": CODE})
    assert _generate(repo, tiny_t5) == 0
    assert (repo / "m.py").read_text() == CODE  # the random tiny model is never confident
    assert re.search(r"2 (drafts )?below", capsys.readouterr().err)


def test_min_confidence_zero_writes_every_draft(tmp_path: Path, tiny_t5: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "", "m.py": CODE})
    assert _generate(repo, tiny_t5, "--min-confidence", "0") == 0
    assert (repo / "m.py").read_text().count('"""') == 4


def test_the_floor_is_read_from_tool_docgen(tmp_path: Path, tiny_t5: Path) -> None:
    config = "[tool.docgen]\nmin-confidence = 0\n"
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": config, "m.py": CODE})
    assert _generate(repo, tiny_t5) == 0
    assert (repo / "m.py").read_text().count('"""') == 4


def test_check_reports_what_write_would_change(tmp_path: Path, tiny_t5: Path, capsys) -> None:
    """--check mirrors --write: drafts the floor holds back are no change to report."""
    repo = write_tree(tmp_path / "repo", {"pyproject.toml": "", "m.py": CODE})
    base = ["generate", "--model", str(tiny_t5), "--no-index", "--beams", "2", "--check"]
    cache = ["--cache-dir", str(tmp_path / "cache")]
    assert main([*base, *cache, str(repo)]) == 0
    out, err = capsys.readouterr()
    assert "would change" not in out
    assert "2 drafts below the confidence floor 0.60, not written" in err
    assert main([*base, *cache, "--min-confidence", "0", str(repo)]) == 1
    assert "would change m.py" in capsys.readouterr().out
    assert (repo / "m.py").read_text() == CODE
