"""``# docgen: ignore`` silences the editor's diagnostics exactly as it silences the check."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from docgen import cli
from lsp.diagnostics import MISSING, find_problems
from lsp.state import DocgenServer
from tests.conftest import write_tree

FILES = {
    "pyproject.toml": "[tool.docgen]\n",
    "a.py": (
        '"""A."""\n\n\n'
        "def shown():\n    pass\n\n\n"
        "def hidden():  # docgen: ignore\n    pass\n\n\n"
        "@staticmethod  # docgen: ignore[DG001]\ndef decorated():\n    pass\n\n\n"
        "def other_code():  # docgen: ignore[DG101]\n    pass\n"
    ),
    "b.py": "# docgen: ignore-file\ndef quiet():\n    pass\n",
}


def test_editor_and_check_silence_the_same_symbols(tmp_path: Path, monkeypatch):
    root = write_tree(tmp_path / "project", FILES)
    monkeypatch.chdir(root)
    report = json.loads(CliRunner().invoke(cli, ["check", "--format", "json"]).output)
    expected = {(item["path"], item["qualname"]) for item in report["findings"]}
    assert expected == {("a.py", "shown"), ("a.py", "other_code")}
    ls = DocgenServer()
    try:
        assert ls.set_root(root) == []
        assert ls.apply_options({"indexOnStartup": False}) == []
        flagged = set()
        for rel in ("a.py", "b.py"):
            path = root / rel
            buffer = ls.index.parse(path.as_uri(), path.read_text(), 1)
            flagged |= {
                (buffer.path, p.symbol.qualname)
                for p in find_problems(ls, buffer)
                if p.code == MISSING
            }
    finally:
        ls.shutdown_state()
    assert flagged == expected
