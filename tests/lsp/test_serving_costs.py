"""Per-document work the server does once per version, not once per request (counted,
not timed)."""

from __future__ import annotations

from pathlib import Path

from lsp.diagnostics import find_problems, stale_findings
from lsp.state import DocgenServer
from tests.conftest import write_tree

FILES = {
    "pyproject.toml": "[tool.docgen]\n",
    "a.py": (
        '"""A."""\n\n\n'
        "def drifted(a, b):\n"
        '    """Add.\n\n    Args:\n        a: One.\n        c: Gone.\n    """\n'
        "    return a + b\n"
    ),
}


def test_a_buffer_is_checked_for_stale_docstrings_once(tmp_path: Path):
    root = write_tree(tmp_path / "project", FILES)
    ls = DocgenServer()
    try:
        assert ls.set_root(root) == []
        path = root / "a.py"
        buffer = ls.index.parse(path.as_uri(), path.read_text(), 1)
        first = find_problems(ls, buffer)
        assert any(p.symbol.qualname == "drifted" and p.code != "DG001" for p in first)
        again = find_problems(ls, buffer)
        assert [(p.code, p.symbol.qualname) for p in again] == [
            (p.code, p.symbol.qualname) for p in first
        ]
        assert stale_findings(ls, buffer)
        assert ls.stats.snapshot()["metrics"]["stale:check"]["count"] == 1
        edited = ls.index.parse(path.as_uri(), path.read_text() + "\n", 2)  # a new version
        find_problems(ls, edited)
        assert ls.stats.snapshot()["metrics"]["stale:check"]["count"] == 2
    finally:
        ls.shutdown_state()


def test_a_document_is_split_into_lines_once_per_text():
    from lsprotocol import types
    from pygls.workspace import TextDocument

    from lsp.positions import document_lines, server_position

    document = TextDocument("file:///a.py", "def f():\n    pass\n", version=1)
    lines = document_lines(document)
    assert lines == tuple(document.lines)
    assert document_lines(document) is lines  # kept: no second split
    assert server_position(document, types.Position(line=1, character=4)) == (1, 4, 4)
    document.apply_change(
        types.TextDocumentContentChangeWholeDocument(text="def g():\n    return 1\n")
    )
    assert document_lines(document) == ("def g():\n", "    return 1\n")  # the new text
