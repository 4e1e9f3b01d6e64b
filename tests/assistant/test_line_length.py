"""The project's line length: ruff, then black, from the repository's own config files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.line_length import DEFAULT_LINE_LENGTH, project_line_length
from tests.conftest import write_tree


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({}, 88),
        ({"pyproject.toml": "[project]\nname = 'x'\n"}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, 100),
        ({"pyproject.toml": "[tool.black]\nline-length = 79\n"}, 79),
        (
            {"pyproject.toml": "[tool.black]\nline-length = 79\n[tool.ruff]\nline-length = 120\n"},
            120,
        ),
        ({"pyproject.toml": "[tool.ruff]\nline_length = 99\n"}, 99),  # ruff accepts both
        ({"pyproject.toml": "[tool.ruff\nline-length = 100\n"}, 88),  # not TOML
        ({"pyproject.toml": b"\xff\xfe[tool.ruff]\n"}, 88),  # not UTF-8
        ({"pyproject.toml": "[tool.ruff]\nline-length = 'long'\n"}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = true\n"}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 0\n"}, 88),
        ({"pyproject.toml": "[tool.ruff]\nline-length = -5\n[tool.black]\nline-length = 90\n"}, 90),
        ({"pyproject.toml": "tool = 3\n"}, 88),
        ({"pyproject.toml": "[tool]\nruff = 'x'\n"}, 88),
        (
            {
                "ruff.toml": "line-length = 110\n",
                "pyproject.toml": "[tool.ruff]\nline-length = 99\n",
            },
            110,
        ),
        ({".ruff.toml": "line-length = 72\n", "ruff.toml": "line-length = 110\n"}, 72),
        (
            {
                "ruff.toml": "[lint]\nselect = ['E']\n",
                "pyproject.toml": "[tool.black]\nline-length = 79\n",
            },
            79,
        ),
    ],
)
def test_line_length_from_the_config(tmp_path: Path, files: dict, expected: int) -> None:
    root = write_tree(tmp_path / "repo", files)
    assert project_line_length(root) == expected


def test_a_pyproject_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    outside = write_tree(
        tmp_path / "outside", {"pyproject.toml": "[tool.ruff]\nline-length = 60\n"}
    )
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside / "pyproject.toml", root / "pyproject.toml")
    assert project_line_length(root) == DEFAULT_LINE_LENGTH


def test_a_pyproject_folder_is_not_a_config(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pyproject.toml").mkdir(parents=True)
    assert project_line_length(root) == DEFAULT_LINE_LENGTH


def test_a_changed_config_is_read_again(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    assert project_line_length(root) == 100
    (root / "pyproject.toml").write_text("[tool.ruff]\nline-length = 79\n# longer now\n")
    assert project_line_length(root) == 79
