"""Start-up (issue #15 item 5): `docgen --help` lists the commands without importing any
of them (the language server alone takes seconds to import), and `docgen check` imports
no model code. Checked by what is imported, not by timing (BENCHMARKS.md has the times)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = (
    "import sys\n"
    "from docgen import main\n"
    "code = main(sys.argv[1:])\n"
    "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in {heavy}))\n"
)
HEAVY = ("lsp", "assistant", "numpy", "rich", "onnxruntime", "tokenizers", "faiss", "torch")
MODEL = ("assistant.engine", "onnxruntime", "tokenizers", "faiss", "torch", "indexer.embed")


def loaded(args: list[str], cwd: Path, heavy: tuple[str, ...]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=set(heavy)), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = next(row for row in done.stdout.splitlines() if row.startswith("LOADED"))
    return eval(line.removeprefix("LOADED "))  # noqa: S307 - our own probe's list literal


def test_help_imports_no_subcommand(tmp_path: Path) -> None:
    assert loaded(["--help"], tmp_path, HEAVY) == []


def test_every_command_has_its_short_help() -> None:
    from docgen import _SHORT_HELP, _SUBCOMMANDS

    assert set(_SUBCOMMANDS) == set(_SHORT_HELP)


def test_help_still_lists_every_command(tmp_path: Path) -> None:
    from docgen import _SUBCOMMANDS

    done = subprocess.run(
        [sys.executable, "-m", "docgen", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    listed = {
        line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines() if line.strip()
    }
    assert set(_SUBCOMMANDS) <= listed


def test_check_imports_no_model_code(sample_repo: Path) -> None:
    modules = loaded(["check", "-q", "."], sample_repo, ("assistant", "indexer", *MODEL[1:]))
    assert not [m for m in modules if m.startswith(MODEL)], modules
