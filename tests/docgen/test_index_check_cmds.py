"""``docgen check`` and ``docgen index`` through click's CliRunner, config isolated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import cli
from tests.conftest import write_tree

SAMPLE = {
    "pkg/__init__.py": '"""The package."""\n',
    "pkg/core.py": '''"""Core."""


class Engine:
    """An engine."""

    def __init__(self, power):
        self.power = power

    def start(self):
        """Start it."""
        return self._spin()

    def _spin(self):
        return True

    def __repr__(self):
        return "Engine()"

    @property
    def level(self):
        """The level."""
        return 1

    @level.setter
    def level(self, value):
        pass


def build(power):
    def helper():
        return power
    return Engine(helper())
''',
    "legacy/old.py": "def old():\n    pass\n",
}


@pytest.fixture
def sample(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "sample"
    write_tree(root, SAMPLE)
    monkeypatch.chdir(root)  # config discovery starts here: no project pyproject leaks in
    return root


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_check_lists_missing_docstrings(sample):
    result = _run("check", "pkg", "legacy")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == ["legacy/old.py:1:1 module legacy.old", "legacy/old.py:1:5 function old"]
    assert "pkg/core.py:30:5 function build" in lines
    assert "docstring coverage 62.5% (5/8) in 3 files; fail-under 0: PASSED" in lines


def test_check_fail_under_exit_codes(sample):
    assert _run("check", "--fail-under", "62.5").exit_code == 0
    failed = _run("check", "--fail-under", "63")
    assert failed.exit_code == 1 and "FAILED" in failed.output
    assert _run("check", "--fail-under", "101").exit_code == 2
    assert _run("check", "--bogus").exit_code == 2
    assert _run("check", "no/such/path").exit_code == 2


def test_check_what_counts_flags(sample):
    base = json.loads(_run("check", "pkg", "--format", "json").stdout)
    assert base["total"] == 6
    names = {item["qualname"] for item in base["missing"]}
    assert names == {"build"}
    wide = json.loads(
        _run(
            "check",
            "pkg",
            "--format",
            "json",
            "--include-private",
            "--include-magic",
            "--include-nested",
            "--include-init",
            "--include-property-setters",
        ).stdout
    )
    missing = {item["qualname"] for item in wide["missing"]}
    assert missing == {
        "Engine.__init__",
        "Engine._spin",
        "Engine.__repr__",
        "Engine.level",
        "build",
        "build.helper",
    }
    no_modules = json.loads(_run("check", "pkg", "--format", "json", "--no-include-module").stdout)
    assert no_modules["total"] == 4


def test_check_reads_tool_docgen_and_flags_win(sample):
    (sample / "pyproject.toml").write_text(
        '[tool.docgen]\nfail_under = 90\nexclude = ["legacy/"]\ninclude-private = true\n'
    )
    result = _run("check", "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["fail_under"] == 90
    assert "Engine._spin" in {item["qualname"] for item in report["missing"]}
    assert all(not item["path"].startswith("legacy/") for item in report["missing"])
    explicit = json.loads(_run("check", "legacy/old.py", "--format", "json").stdout)
    assert explicit["files"] == 0 and explicit["skipped"] == {"excluded": 1}
    assert _run("check", "--fail-under", "10").exit_code == 0


def test_check_bad_config_is_a_usage_error(sample):
    (sample / "pyproject.toml").write_text("[tool.docgen\nfail_under = ")
    result = _run("check")
    assert result.exit_code == 2 and "is not valid TOML" in result.output


def test_check_loads_no_model(sample):
    code = (
        "import sys\n"
        "from docgen import main\n"
        "code = main(['check', '-q', '.'])\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'transformers',"
        " 'onnxruntime') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=sample, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


def test_index_command_summary_and_rerun(sample):
    first = _run("index", "--no-embed", "-q")
    assert first.exit_code == 0
    assert "3 files (3 parsed, 0 unchanged, 0 removed)" in first.output
    second = _run("index", ".", "--no-embed")
    assert "3 files (0 parsed, 3 unchanged, 0 removed)" in second.output
    (sample / "pyproject.toml").write_text('[tool.docgen]\nexclude = ["legacy/"]\nembed = false\n')
    third = _run("index", "-q")
    assert "2 files (0 parsed, 2 unchanged, 1 removed)" in third.output
    assert "skipped: 1 excluded" in third.output


def test_index_reports_bad_config(sample):
    (sample / "pyproject.toml").write_text('[tool.docgen]\nexclude = "legacy/"\n')
    result = _run("index", "--no-embed")
    assert result.exit_code == 2 and "exclude" in result.output


def test_check_other_languages_public_rules(tmp_path, monkeypatch):
    (tmp_path / "shapes.go").write_text(
        "package shapes\n\n// Area is documented.\nfunc Area() int { return 1 }\n\n"
        "func Exported() int { return 2 }\n\nfunc unexported() int { return 3 }\n"
    )
    monkeypatch.chdir(tmp_path)
    report = json.loads(_run("check", "--format", "json", "--no-include-module").stdout)
    assert [item["qualname"] for item in report["missing"]] == ["Exported"]
    assert report["total"] == 2


def test_commands_on_a_repository_elsewhere(sample, tmp_path, monkeypatch):
    (sample / "pyproject.toml").write_text('[tool.docgen]\nexclude = ["legacy/"]\nembed = false\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    indexed = _run("index", str(sample), "-q")
    assert "2 files (2 parsed" in indexed.output  # the target's pyproject applies
    checked = json.loads(_run("check", str(sample / "pkg"), "--format", "json").stdout)
    # paths are reported relative to the target's project root (its pyproject.toml)
    assert checked["files"] == 2 and checked["missing"][0]["path"] == "pkg/core.py"


def test_check_reuses_the_index_with_identical_results(sample):
    from indexer.coverage import CheckOptions, _from_index, check_paths
    from indexer.index import IndexConfig, update_index

    options = CheckOptions(include_private=True, include_nested=True)
    parsed = check_paths([sample], options, root=sample, use_index=False)
    update_index(sample, IndexConfig(embed=False))
    files = {"pkg/core.py": sample / "pkg" / "core.py"}
    assert list(_from_index(sample, files)) == ["pkg/core.py"]
    indexed = check_paths([sample], options, root=sample)
    assert indexed.to_dict() == parsed.to_dict()
    (sample / "pkg" / "core.py").write_text('"""Changed."""\n')  # stale entries are parsed
    assert _from_index(sample, files) == {}
    assert check_paths([sample], options, root=sample).total == parsed.total - 6


def test_check_defaults_to_the_current_folder(sample, monkeypatch):
    (sample / "pyproject.toml").write_text("[tool.docgen]\nfail_under = 0\n")
    monkeypatch.chdir(sample / "pkg")  # the project's config applies, the scope is ./
    report = json.loads(_run("check", "--format", "json").stdout)
    assert report["files"] == 2 and {m["path"] for m in report["missing"]} == {"pkg/core.py"}


def test_check_of_another_project_reads_that_projects_config(sample, tmp_path):
    other = tmp_path / "other"
    (other / "lib").mkdir(parents=True)
    (other / "lib" / "mod.py").write_text('"""Mod."""\n\n\ndef f():\n    pass\n')
    (other / "pyproject.toml").write_text("[tool.docgen]\nfail-under = 90\n")
    (sample / "pyproject.toml").write_text("[tool.docgen]\nfail-under = 10\n")
    report = json.loads(_run("check", str(other), "--format", "json").stdout)
    assert report["fail_under"] == 90 and not report["passed"]
    assert _run("check", str(other)).exit_code == 1
    # flags still win, and an explicit --config is kept
    assert _run("check", str(other), "--fail-under", "50").exit_code == 0
    explicit = _run("check", str(other), "--config", str(sample / "pyproject.toml"))
    assert explicit.exit_code == 0 and "fail-under 10:" in explicit.output
    # the working directory's project is unchanged
    assert json.loads(_run("check", "--format", "json").stdout)["fail_under"] == 10
