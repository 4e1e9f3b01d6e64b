"""Safe edits: insertion in every shape of definition, refused edits, atomic writes."""

from __future__ import annotations

import ast
import difflib
import os
import stat
from pathlib import Path

import pytest

from assistant.edits import (
    ConcurrentChangeError,
    EditRefused,
    TextEdit,
    apply_edits,
    atomic_write,
    check_edited,
    content_hash,
    plan_comment_insertion,
    plan_python_insertion,
)
from assistant.styles import python_literal, wrap_comment
from indexer.parser import parse_source

DOC = "Do the thing.\n\nArgs:\n    x: The x."


def _insert(code: str, qualname: str, doc: str = DOC, path: str = "m.py") -> bytes:
    source = code.encode()
    parsed = parse_source(source, path)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    edit = plan_python_insertion(source, symbol, lambda ind, nl: python_literal(doc, ind, nl))
    edited = apply_edits(source, [edit])
    check_edited(source, edited, path, "python", {qualname: doc})
    return edited


def _docstring(edited: bytes, qualname: str) -> str | None:
    tree = ast.parse(edited)
    nodes = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            nodes[node.name] = node
    return ast.get_docstring(nodes[qualname.rsplit(".", 1)[-1]])


def _only_insertions(before: bytes, after: bytes) -> bool:
    a, b = before.decode().splitlines(True), after.decode().splitlines(True)
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return all(tag in ("equal", "insert") for tag, *_ in ops)


CASES = {
    "plain": ("def f(x):\n    return x\n", "f"),
    "decorated class": ("@dataclass\n@other(1)\nclass C:\n    x: int = 0\n", "C"),
    "method with comment first": (
        "class C:\n    def m(self, x):\n        # note\n        return x\n",
        "C.m",
    ),
    "nested": (
        "def outer():\n    def inner(x):\n        return x\n    return inner\n",
        "outer.inner",
    ),
    "async multi-line signature": (
        "async def f(\n    x,\n    y=1,\n) -> int:\n    return x\n",
        "f",
    ),
    "unicode identifiers": ("def größe(ä):\n    return ä  # ünïcode\n", "größe"),
    "property": ("class C:\n    @property\n    def x(self):\n        return 1\n", "C.x"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_insertion_lands_and_changes_nothing_else(name: str) -> None:
    code, qualname = CASES[name]
    edited = _insert(code, qualname)
    assert _docstring(edited, qualname) == DOC
    assert _only_insertions(code.encode(), edited)


def test_one_line_definitions_are_split() -> None:
    edited = _insert("def f(x): return x\nclass A: pass\n", "f")
    assert edited.decode().startswith('def f(x):\n    """Do the thing.\n')
    assert _docstring(edited, "f") == DOC
    edited = _insert("class A: pass\n", "A", "A class.")
    assert edited == b'class A:\n    """A class."""\n    pass\n'


def test_crlf_and_tabs_follow_the_file() -> None:
    code = "class C:\r\n\tdef m(self, x):\r\n\t\treturn x\r\n"
    edited = _insert(code, "C.m")
    text = edited.decode()
    assert '\t\t"""Do the thing.\r\n\r\n\t\tArgs:\r\n\t\t    x: The x.\r\n\t\t"""\r\n' in text
    assert "\n" not in text.replace("\r\n", "")
    assert _docstring(edited, "C.m") == DOC


def test_syntax_error_elsewhere_in_the_file() -> None:
    """A file Python cannot parse is never edited, not even away from the error."""
    code = "def good(x):\n    return x\n\n\ndef bad(:\n    pass\n"
    with pytest.raises(EditRefused, match="file does not parse: line 5"):
        _insert(code, "good")


def test_an_edit_that_breaks_the_file_is_refused() -> None:
    source = b"def f(x):\n    return x\n"
    broken = apply_edits(source, [TextEdit(1, 0, 1, 0, "    '''oops\n", 10, 10)])
    with pytest.raises(EditRefused, match="would not parse"):
        check_edited(source, broken, "m.py", "python")
    with pytest.raises(EditRefused, match="would add syntax errors"):
        check_edited(source, broken, "m.py", "python", strict=False)


def test_an_edit_that_misses_its_symbol_is_refused() -> None:
    source = b"def f(x):\n    return x\n\n\ndef g():\n    pass\n"
    edit = TextEdit(0, 0, 0, 0, "# Doc.\n", 0, 0)
    with pytest.raises(EditRefused, match="would not get the docstring"):
        check_edited(source, apply_edits(source, [edit]), "m.py", "python", {"f": "Doc."})


def test_overlapping_edits_are_refused() -> None:
    with pytest.raises(EditRefused):
        apply_edits(b"abcdef", [TextEdit(0, 0, 0, 3, "x", 0, 3), TextEdit(0, 2, 0, 4, "y", 2, 4)])


@pytest.mark.parametrize(
    ("language", "path", "code", "style", "qualname"),
    [
        ("javascript", "a.js", "export function add(a, b) {\n  return a + b;\n}\n", "jsdoc", "add"),
        ("go", "a.go", "package a\n\nfunc Add(a int) int {\n\treturn a\n}\n", "godoc", "Add"),
        ("java", "A.java", "class A {\n    int add(int a) { return a; }\n}\n", "javadoc", "A.add"),
        ("rust", "a.rs", "#[inline]\npub fn add(a: i32) -> i32 {\n    a\n}\n", "rustdoc", "add"),
    ],
)
def test_doc_comments_for_other_languages(language, path, code, style, qualname) -> None:
    source = code.encode()
    parsed = parse_source(source, path, language)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    text = "Add numbers."
    edit = plan_comment_insertion(
        source, symbol, lambda ind, nl: wrap_comment(text, style, ind, nl)
    )
    edited = apply_edits(source, [edit])
    after = check_edited(source, edited, path, language, {qualname: text})
    assert next(s for s in after.symbols if s.qualname == qualname).docstring == text
    assert _only_insertions(source, edited)


def test_atomic_write_refuses_a_concurrent_change(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    read_hash = content_hash(b"old\n")
    target.write_bytes(b"someone else's edit\n")
    with pytest.raises(ConcurrentChangeError):
        atomic_write(target, b"ours\n", read_hash)
    assert target.read_bytes() == b"someone else's edit\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]  # no temp file left behind
    atomic_write(target, b"ours\n", content_hash(b"someone else's edit\n"))
    assert target.read_bytes() == b"ours\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_atomic_write_refuses_a_deleted_file(tmp_path: Path) -> None:
    with pytest.raises(ConcurrentChangeError, match="deleted"):
        atomic_write(tmp_path / "gone.py", b"x", content_hash(b""))
