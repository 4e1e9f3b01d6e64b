"""``generate --check/--exclude/--config``, ``-v`` and ``-q`` on every command that reads a
repository, colour only on a terminal, and help text for every option."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from docgen import _SUBCOMMANDS, cli
from tests.conftest import REPO, write_tree


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".docgen" not in p.parts
    }


def _child(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """``python -m docgen`` in a real process (no test harness around logging or tty)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environ.update(PYTHONPATH=str(REPO), **env)
    return subprocess.run(
        [sys.executable, "-m", "docgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=environ,
    )


# --- generate --check ----------------------------------------------------------------------


def test_generate_check_lists_what_would_change_and_exits_1(sample_repo, generate) -> None:
    before = _snapshot(sample_repo)
    code, out, err = generate(str(sample_repo), "--check")
    assert code == 1, err
    assert _snapshot(sample_repo) == before
    listed = out.splitlines()
    assert "would change inventory/pricing.py" in listed
    assert all(line.startswith("would change ") for line in listed)
    assert f"{len(listed)} files would change" in err
    code, _, err = generate(str(sample_repo), "--write")
    assert code == 0, err
    code, out, _ = generate(str(sample_repo), "--check")
    assert (code, out) == (0, "")


def test_generate_check_and_write_contradict(sample_repo, generate) -> None:
    code, _, err = generate(str(sample_repo), "--check", "--write")
    assert code == 2 and "--check" in err


# --- generate --exclude / --config ---------------------------------------------------------


def _drafted(out: str) -> set[str]:
    return {json.loads(line)["path"] for line in out.splitlines()}


def test_generate_exclude_adds_to_the_config(sample_repo, generate) -> None:
    (sample_repo / "pyproject.toml").write_text(
        '[tool.docgen]\nexclude = ["inventory/models.py"]\n'
    )
    code, out, err = generate(str(sample_repo), "--format", "json")
    assert code == 0, err
    everything = _drafted(out)
    assert "inventory/models.py" not in everything and "inventory/pricing.py" in everything
    code, out, _ = generate(str(sample_repo), "--format", "json", "--exclude", "**/pricing.py")
    assert _drafted(out) == everything - {"inventory/pricing.py"}


def test_generate_config_names_the_file_to_read(sample_repo, generate, tmp_path) -> None:
    other = tmp_path / "elsewhere.toml"
    other.write_text('[tool.docgen]\nexclude = ["inventory/"]\n')
    code, out, err = generate(str(sample_repo), "--format", "json", "--config", str(other))
    assert code == 0, err
    assert not any(path.startswith("inventory/") for path in _drafted(out))


# --- -v names skipped files ----------------------------------------------------------------

SKIPPING = {
    "pyproject.toml": '[tool.docgen]\nexclude = ["legacy/"]\nfail-under = 0\nembed = false\n',
    "pkg/mod.py": "def f():\n    pass\n",
    "legacy/old.py": "def old():\n    pass\n",
}


@pytest.mark.parametrize("command", [["check", "."], ["index", "."]])
def test_verbose_names_every_skipped_file(tmp_path, monkeypatch, command) -> None:
    root = write_tree(tmp_path / "repo", SKIPPING)
    monkeypatch.chdir(root)
    quiet = CliRunner().invoke(cli, command, catch_exceptions=False)
    assert "legacy" not in quiet.stderr
    loud = CliRunner().invoke(cli, [*command, "-v"], catch_exceptions=False)
    assert "docgen: skipped legacy: excluded" in loud.stderr.splitlines()


# Needs H3's BulkReport.skipped_paths (merged with the paths branch).
def test_generate_verbose_names_every_skipped_file(sample_repo, generate) -> None:
    (sample_repo / "pyproject.toml").write_text(
        '[tool.docgen]\nexclude = ["inventory/models.py"]\n'
    )
    _, _, err = generate(str(sample_repo), "-v")
    assert "docgen: skipped inventory/models.py: excluded" in err.splitlines()


def test_every_command_that_reads_a_repository_has_verbose_and_quiet() -> None:
    for name in ("index", "check", "generate", "serve"):
        command = cli.get_command(click.Context(cli), name)
        options = {opt for param in command.params for opt in param.opts}
        assert {"-v", "--verbose"} <= options, name
        if name != "serve":
            assert {"-q", "--quiet"} <= options, name


# --- -q is quiet, colour only on a terminal ------------------------------------------------


def test_quiet_write_prints_nothing_but_errors(sample_repo, tiny_t5, tmp_path) -> None:
    done = _child(
        ["generate", "--write", "-q", "--model", str(tiny_t5), "--beams", "1", "--no-index"]
        + ["--cache-dir", str(tmp_path / "c"), "inventory/pricing.py"],
        sample_repo,
    )
    assert done.returncode == 0, done.stderr
    assert (done.stdout, done.stderr) == ("", "")
    assert '"""' in (sample_repo / "inventory" / "pricing.py").read_text()


@pytest.mark.parametrize(("env", "coloured"), [({}, False), ({"FORCE_COLOR": "1"}, True)])
def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path, env, coloured) -> None:
    root = write_tree(tmp_path / "repo", {"mod.py": "def f():\n    pass\n"})
    done = _child(["check", "mod.py"], root, TERM="xterm-256color", **env)
    assert done.returncode == 0, done.stderr
    assert "no fail-under is configured" in done.stderr
    assert ("\x1b[" in done.stderr) is coloured
    plain = _child(["check", "mod.py"], root, TERM="xterm-256color", NO_COLOR="1", **env)
    assert "no fail-under is configured" in plain.stderr and "\x1b[" not in plain.stderr


# --- help for every option -----------------------------------------------------------------


def _commands(group: click.Group, ctx: click.Context):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield f"{ctx.command_path} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, click.Context(command, info_name=name, parent=ctx))


def test_every_option_of_every_command_has_help() -> None:
    ctx = click.Context(cli, info_name="docgen")
    seen = set()
    missing = []
    for path, command in _commands(cli, ctx):
        seen.add(path.split()[1])
        for param in command.params:
            if isinstance(param, click.Option) and not (param.help or "").strip():
                missing.append(f"{path} {param.opts[-1]}")
    assert seen >= set(_SUBCOMMANDS)
    assert missing == []
