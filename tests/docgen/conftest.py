"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen import main


@pytest.fixture
def generate(tiny_t5: Path, tmp_path: Path, capsys):
    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        # the random tiny model is never confident: write what it drafts (no floor)
        base = [
            "generate",
            "--model",
            str(tiny_t5),
            "--no-index",
            "--beams",
            "1",
            "--min-confidence",
            "0",
        ]
        code = main([*base, "--cache-dir", str(tmp_path / "cli-cache"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
