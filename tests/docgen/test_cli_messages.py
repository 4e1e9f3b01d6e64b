"""What the commands tell users first: a hook without a threshold, a broken or misspelt
pyproject.toml, and exit codes that match the documented contract."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import cli, main
from tests.conftest import REPO, write_tree

UNDOCUMENTED = {"pkg/mod.py": "def f():\n    pass\n\n\ndef g():\n    pass\n"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = write_tree(tmp_path / "project", UNDOCUMENTED)
    monkeypatch.chdir(root)
    return root


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# --- item 15: a check without a threshold says so ------------------------------------------


def test_check_without_fail_under_warns_that_it_always_passes(project) -> None:
    result = _invoke("check", "pkg")
    assert result.exit_code == 0  # still passes: a warning, not a new failure
    assert "0.0% (0/3)" in result.stdout
    assert "no fail-under is configured" in result.stderr
    assert "fail-under = 80" in result.stderr  # the documented starting value


@pytest.mark.parametrize(
    ("pyproject", "args"),
    [("[tool.docgen]\nfail-under = 0\n", ()), (None, ("--fail-under", "0"))],
)
def test_an_explicit_threshold_silences_the_warning(project, pyproject, args) -> None:
    if pyproject:
        (project / "pyproject.toml").write_text(pyproject)
    result = _invoke("check", "pkg", *args)
    assert result.exit_code == 0 and "fail-under" not in result.stderr


def test_the_hook_shows_check_output_when_it_passes() -> None:
    """pre-commit prints a passing hook's output only with ``verbose: true``."""
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["docgen-check"].get("verbose") is True


# --- item 16: pyproject.toml problems, reported as such ------------------------------------

BROKEN = "[tool.docgen]\nfail-under = 80\n[[oops\n"


@pytest.mark.parametrize("command", [["check", "pkg"], ["index", "--no-embed", "-q"]])
def test_a_malformed_pyproject_is_named_not_blamed_on_config(project, command) -> None:
    (project / "pyproject.toml").write_text(BROKEN)
    result = _invoke(*command)
    assert result.exit_code == 2
    assert "--config" in result.stderr and "fix it or pass --config" in result.stderr
    assert "Invalid value" not in result.stderr and "Usage:" not in result.stderr
    assert result.stderr.startswith("docgen: ") and "pyproject.toml" in result.stderr
    assert "line 3" in result.stderr


def test_generate_reports_a_malformed_pyproject_the_same_way(project, capsys) -> None:
    (project / "pyproject.toml").write_text(BROKEN)
    assert main(["generate", "--no-index", "pkg"]) == 2
    err = capsys.readouterr().err
    assert "fix it or pass --config" in err and "line 3" in err and "Invalid value" not in err


def test_an_explicit_bad_config_is_still_blamed_on_config(project) -> None:
    (project / "other.toml").write_text(BROKEN)
    result = _invoke("check", "--config", "other.toml", "pkg")
    assert result.exit_code == 2 and "--config" in result.stderr


# Needs H1's indexer.config.unknown_key_warnings (merged with the stores branch).
@pytest.mark.parametrize("command", [["check", "pkg"], ["index", "--no-embed"]])
def test_unknown_keys_are_warned_about_once(project, command) -> None:
    (project / "pyproject.toml").write_text("[tool.docgen]\nfail-undr = 80\n")
    result = _invoke(*command)
    assert result.stderr.count("fail-undr") == 1, result.stderr
    assert "fail-under" in result.stderr.split("fail-undr", 1)[1]


def test_generate_warns_about_unknown_keys_once(project, tiny_t5, tmp_path, capsys) -> None:
    (project / "pyproject.toml").write_text("[tool.docgen]\nfail-undr = 80\n")
    args = ["generate", "--model", str(tiny_t5), "--no-index", "--beams", "1"]
    assert main([*args, "--cache-dir", str(tmp_path / "c"), "pkg"]) == 0
    err = capsys.readouterr().err
    assert err.count("fail-undr") == 1, err


@pytest.mark.parametrize("command", ["check", "index", "generate"])
def test_keys_a_repository_may_not_set_are_named_once(project, command, tmp_path) -> None:
    """A repository's own cache-dir/model are ignored (security), and the user is told."""
    (project / "pyproject.toml").write_text(
        f'[tool.docgen]\ncache-dir = "{tmp_path / "planted"}"\nmodel = "planted-model"\n'
    )
    extra = ["--no-index", "--beams", "1"] if command == "generate" else []
    result = _invoke(command, *extra, "pkg")
    for key in ("'cache-dir'", "'model'"):
        assert result.stderr.count(f"ignoring {key} in [tool.docgen]") == 1, result.stderr
    assert not (tmp_path / "planted").exists()


# --- item 18: exit codes ------------------------------------------------------------------


def test_generate_with_a_missing_root_is_a_usage_error(project, capsys) -> None:
    assert main(["generate", "--no-index", "--root", str(project / "nonexistent")]) == 2
    assert "nonexistent" in capsys.readouterr().err


def test_model_info_of_a_missing_folder_is_a_usage_error(tmp_path, capsys) -> None:
    assert main(["model", "info", str(tmp_path / "nonexistent")]) == 2
    err = capsys.readouterr().err
    assert "nonexistent" in err and "does not exist" in err


def test_the_no_index_note_prints_once(sample_repo: Path, tiny_t5: Path, tmp_path: Path) -> None:
    """A real process: logging is not configured by a test harness there."""
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "generate", "--model", str(tiny_t5), "--beams", "1"]
        + ["--no-index", "--cache-dir", str(tmp_path / "c"), "inventory/pricing.py"],
        cwd=sample_repo,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("no index at") == 1, done.stderr
