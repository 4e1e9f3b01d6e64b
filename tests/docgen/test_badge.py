"""``docgen badge``: a well-formed SVG with the coverage and its colour, written safely."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import cli
from docgen.badge import badge_svg, colour, percent
from tests.conftest import write_tree

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    root = write_tree(
        tmp_path / "repo",
        {
            "pyproject.toml": "[tool.docgen]\n",
            "m.py": '"""M."""\n\n\ndef f():\n    pass\n\n\ndef g():\n    """G."""\n\n\n'
            "def h():  # docgen: ignore\n    pass\n",
        },
    )
    monkeypatch.chdir(root)
    return root


def _texts(svg: str) -> list[str]:
    return [node.text for node in ET.fromstring(svg).iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [(100, "#4c1"), (95, "#4c1"), (94.9, "#97ca00"), (80, "#a4a61d"), (60, "#dfb317"),
     (40, "#fe7d37"), (39.9, "#e05d44"), (0, "#e05d44")],
)  # fmt: skip
def test_colour_scale(coverage, expected):
    assert colour(coverage) == expected


def test_percent_text():
    assert (percent(100.0), percent(87.5), percent(66.666)) == ("100%", "87.5%", "66.7%")


def test_badge_is_well_formed_svg_with_the_percentage_and_colour():
    svg = badge_svg(66.7, label="a <b> & c")
    root = ET.fromstring(svg)  # raises on malformed XML
    assert root.tag == f"{SVG}svg"
    assert "66.7%" in _texts(svg) and "a <b> & c" in _texts(svg)
    fills = {node.get("fill") for node in root.iter(f"{SVG}path")}
    assert colour(66.7).upper() in {(f or "").upper() for f in fills}


def test_badge_command_writes_the_coverage_of_the_repository(repo: Path):
    result = CliRunner().invoke(cli, ["badge", "-o", "docs/docstring-coverage.svg"])
    assert result.exit_code == 0, result.output
    svg = (repo / "docs/docstring-coverage.svg").read_text()
    assert "66.7%" in _texts(svg)  # module and g documented, f not, h ignored
    assert [p.name for p in (repo / "docs").iterdir()] == ["docstring-coverage.svg"]


def test_badge_to_stdout(repo: Path):
    result = CliRunner().invoke(cli, ["badge", "-o", "-"])
    assert result.exit_code == 0 and "66.7%" in _texts(result.stdout)


def test_badge_is_never_written_through_a_link_out_of_the_repository(repo: Path, tmp_path: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo / "docs").symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(cli, ["badge", "-o", "docs/badge.svg"])
    assert result.exit_code == 2 and "not written" in result.output
    assert list(outside.iterdir()) == []


def test_the_repository_config_cannot_choose_where_the_badge_goes(repo: Path, tmp_path: Path):
    (repo / "pyproject.toml").write_text(f'[tool.docgen]\noutput = "{tmp_path}/x.svg"\n')
    result = CliRunner().invoke(cli, ["badge"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "x.svg").exists()
    assert (repo / "docs/docstring-coverage.svg").is_file()
