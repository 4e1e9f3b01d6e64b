"""A second real client: Neovim's built-in LSP client, headless, hovers and applies the
"Generate docstring" code action in a sample file (see nvim/drive.lua)."""

from __future__ import annotations

import ast
import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NVIM = shutil.which("nvim")
DRIVER = Path(__file__).parent / "nvim" / "drive.lua"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        NVIM is None, reason="Neovim is not installed (Debian: apt-get install -y neovim)"
    ),
]


def test_neovim_hover_and_code_action(workspace: Path, served_t5: Path, tmp_path: Path):
    target = workspace / "inventory" / "pricing.py"
    original = target.read_text()
    out = tmp_path / "nvim-result.json"
    options = {"indexOnStartup": False, "model": str(served_t5), "cachePath": str(tmp_path / "c")}
    env = {
        **os.environ,
        "HOME": str(tmp_path),  # no user config, no shada in the real home
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "DOCGEN_NVIM_PYTHON": sys.executable,
        "DOCGEN_NVIM_ROOT": str(workspace),
        "DOCGEN_NVIM_FILE": str(target),
        "DOCGEN_NVIM_OPTIONS": json.dumps(options),
        "DOCGEN_NVIM_OUT": str(out),
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-c", f"luafile {DRIVER}"],
        env=env,
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.is_file(), f"nvim wrote no result (rc={proc.returncode}): {proc.stderr[-2000:]}"
    result = json.loads(out.read_text())
    assert result["ok"], result["message"]
    messages = [d["message"] for d in result["diagnostics"]]
    assert any("cart_total has no docstring" in m for m in messages)
    assert "with tax added" in result["hover_documented"]
    assert "docgen draft (generated, confidence" in result["hover_undocumented"]
    assert "Generate docstring for cart_total" in result["menu"]
    saved = target.read_text()
    assert saved != original
    assert saved.splitlines() == result["lines"]
    tree = ast.parse(saved)
    cart_total = next(
        n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "cart_total"
    )
    assert ast.get_docstring(cart_total)
    # only the docstring was added
    assert len(saved.splitlines()) > len(original.splitlines())
    matcher = difflib.SequenceMatcher(a=original.splitlines(), b=saved.splitlines())
    assert {tag for tag, *_ in matcher.get_opcodes()} == {"equal", "insert"}
