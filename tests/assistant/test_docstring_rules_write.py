"""What the parser takes for a docstring, and what counts, as ``generate --write`` sees it
(bulk runs with the tiny model): a concatenated docstring is one (nothing is added), a
bytes literal is not (a real docstring goes first), stubs are drafted only on request."""

from __future__ import annotations

import ast
from pathlib import Path

from assistant.bulk import document_paths
from tests.conftest import write_tree

CONCATENATED = (
    '"""Module."""\n\n\n'
    "def join(a, b):\n"
    '    "Join two " "strings."\n'
    "    return a + b\n\n\n"
    "class Box:\n"
    '    ("A box "\n'
    '     "of things.")\n\n'
    "    def size(self):\n"
    '        r"The size " """in units."""\n'
    "        return 1\n"
)


def test_write_leaves_concatenated_docstrings_alone(tmp_path: Path, make_pipeline) -> None:
    root = write_tree(tmp_path / "repo", {"mod.py": CONCATENATED})
    report = document_paths(make_pipeline(root), [root], mode="missing", write=True)
    assert report.results == [] and report.written == []
    assert (root / "mod.py").read_text() == CONCATENATED


def test_write_gives_a_bytes_first_statement_a_real_docstring(
    tmp_path: Path, make_pipeline
) -> None:
    source = '"""Module."""\n\n\ndef raw(x):\n    b"not a docstring"\n    return x\n'
    root = write_tree(tmp_path / "repo", {"mod.py": source})
    assert ast.get_docstring(ast.parse(source).body[1]) is None  # Python agrees
    report = document_paths(make_pipeline(root), [root], mode="missing", write=True)
    assert [r.qualname for r in report.results] == ["raw"] and report.written == ["mod.py"]
    function = ast.parse((root / "mod.py").read_text()).body[1]
    assert isinstance(function, ast.FunctionDef) and ast.get_docstring(function)
    second = function.body[1]  # PEP 257: the docstring first, the bytes line kept after it
    assert isinstance(second, ast.Expr) and second.value.value == b"not a docstring"


def test_stubs_are_drafted_only_with_include_stubs(tmp_path: Path, make_pipeline) -> None:
    files = {
        "mod.py": '"""Module."""\n\n\ndef declared(x: int) -> int: ...\n',
        "typed.pyi": "def area(x: int) -> int: ...\n",
    }
    root = write_tree(tmp_path / "repo", files)
    default = document_paths(make_pipeline(root), [root], mode="missing")
    assert default.results == []
    report = document_paths(make_pipeline(root, include_stubs=True), [root], mode="missing")
    assert {(r.path, r.qualname) for r in report.results} == {
        ("mod.py", "declared"),
        ("typed.pyi", "area"),
    }
