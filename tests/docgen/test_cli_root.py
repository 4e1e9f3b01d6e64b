"""The repository root comes from the paths as given, never from where a symlink points.

A link inside the repository that points outside it (a file or a folder) is refused with a
message naming it; nothing outside is read, written or given a ``.docgen/`` folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import cli
from tests.conftest import write_tree

OUTSIDE_MODULE = "def outside(value):\n    return value + 1\n"


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def linked(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A repository with ``link_out.py`` and ``linkdir`` pointing at a project outside it."""
    repo = write_tree(
        tmp_path / "repo",
        {"pyproject.toml": "[project]\nname = 'repo'\n", "inside.py": "def inside():\n    pass\n"},
    )
    (repo / ".git").mkdir()
    outside = write_tree(
        tmp_path / "outside",
        {"pyproject.toml": "[project]\nname = 'outside'\n", "target.py": OUTSIDE_MODULE},
    )
    (repo / "link_out.py").symlink_to(outside / "target.py")
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(repo)
    return repo, outside


@pytest.mark.parametrize("name", ["link_out.py", "linkdir"])
def test_generate_write_refuses_a_link_out_of_the_repository(linked, generate, name) -> None:
    repo, outside = linked
    before = _digest(outside)
    code, _out, err = generate("--write", name)
    assert _digest(outside) == before
    assert not (outside / ".docgen").exists()
    assert f"skipped {name}: points outside the repository" in err
    assert code == 0, err


def test_generate_writes_inside_files_next_to_a_refused_link(linked, generate) -> None:
    repo, outside = linked
    before = _digest(outside)
    code, _out, err = generate("--write", "link_out.py", "inside.py")
    assert code == 0, err
    assert _digest(outside) == before
    assert '"""' in (repo / "inside.py").read_text()  # the root is the repository, not outside


@pytest.mark.parametrize("name", ["link_out.py", "linkdir"])
def test_check_does_not_read_through_a_link_out_of_the_repository(linked, name) -> None:
    result = CliRunner().invoke(cli, ["check", "--format", "json", name], catch_exceptions=False)
    report = json.loads(result.stdout)
    assert report["files"] == 0 and report["missing"] == []
    assert f"skipped {name}: points outside the repository" in result.stderr


def test_index_refuses_a_linked_folder_and_creates_nothing_outside(linked) -> None:
    repo, outside = linked
    before = _digest(outside)
    result = CliRunner().invoke(cli, ["index", "linkdir", "--no-embed", "-q"])
    assert result.exit_code == 2, result.output
    assert "linkdir: points outside the repository" in result.stderr
    assert not (outside / ".docgen").exists() and _digest(outside) == before
    assert not (repo / "linkdir" / ".docgen").exists()


def test_a_repository_under_a_linked_folder_still_works(tmp_path, monkeypatch) -> None:
    """The link is above the repository (a linked home folder): that is not a way out."""
    real = write_tree(
        tmp_path / "real" / "repo", {"mod.py": '"""Mod."""\n\n\ndef f():\n    pass\n'}
    )
    (real / ".git").mkdir()
    (tmp_path / "home").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["index", "home/repo", "--no-embed", "-q"])
    assert result.exit_code == 0, result.output
    assert (real / ".docgen").is_dir()
    checked = CliRunner().invoke(cli, ["check", "--format", "json", "home/repo/mod.py"])
    assert json.loads(checked.stdout)["files"] == 1
