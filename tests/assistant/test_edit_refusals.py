"""Files that do not parse are never edited: planning refuses before anything is written.

``def f(a):`` with no body parses in tree-sitter without an error, so a drafted docstring
once became its body; Python's own parser is the authority for Python files, tree-sitter's
errors for the other languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bulk import document_paths
from assistant.edits import (
    EditRefused,
    apply_edits,
    check_edited,
    plan_comment_insertion,
    plan_python_insertion,
    plan_replacement,
)
from assistant.stale import find_stale, plan_stale_update
from assistant.styles import python_literal, wrap_comment
from indexer.parser import parse_source
from tests.conftest import write_tree

REFUSAL = r"^file does not parse: (line \d+: )?.+; fix the syntax error first$"
CHECKED = r"^m\.py: file does not parse: line \d+: .+; fix the syntax error first$"

UNPARSABLE = {
    "def without a body": "def f(a):\n",
    "c header then def": "#include <stdio.h>\ndef f(a):\n",
    "error elsewhere": "def f(x):\n    return x\n\n\ndef bad(:\n    pass\n",
    "stray indent": "def f(x):\n    return x\n  y = 1\n",
    "too deep for Python": "def f(x):\n    return x\n\n\ny = " + "-" * 200_000 + "1\n",
}


def _symbol(source: bytes, qualname: str, path: str = "m.py", language: str | None = None):
    parsed = parse_source(source, path, language)
    return next(s for s in parsed.symbols if s.qualname == qualname)


@pytest.mark.parametrize("name", sorted(UNPARSABLE))
def test_insertion_into_an_unparsable_file_is_refused(name: str) -> None:
    source = UNPARSABLE[name].encode()
    drafted = []

    def literal(indent: str, newline: str) -> str:
        drafted.append(indent)
        return python_literal("Doc.", indent, newline)

    for qualname in ("f", "m"):
        with pytest.raises(EditRefused, match=REFUSAL):
            plan_python_insertion(source, _symbol(source, qualname), literal)
    assert drafted == []  # refused before the literal was even rendered


def test_the_refusal_names_the_line() -> None:
    source = UNPARSABLE["error elsewhere"].encode()
    with pytest.raises(EditRefused, match=r"line 5: invalid syntax; fix the syntax error"):
        plan_python_insertion(source, _symbol(source, "f"), lambda i, nl: "")


def test_replacement_and_stale_update_are_refused_too() -> None:
    code = 'def f(a, b):\n    """F.\n\n    Args:\n        a: A.\n    """\n    return a\n'
    source = (code + "def g(:\n").encode()
    symbol = _symbol(source, "f")
    with pytest.raises(EditRefused, match=REFUSAL):
        plan_replacement(source, symbol, lambda i, nl, q: python_literal("New.", i, nl, q))
    (finding,) = find_stale(parse_source(code.encode(), "m.py"))
    with pytest.raises(EditRefused, match=REFUSAL):
        plan_stale_update(source, symbol, finding, lambda p: "About it.")


def test_check_edited_refuses_when_the_original_did_not_parse() -> None:
    original = b"def f(a):\n"
    edited = b'def f(a):\n    """Doc."""\n'  # parses: the docstring became the body
    for strict in (True, False):
        with pytest.raises(EditRefused, match=CHECKED):
            check_edited(original, edited, "m.py", "python", {"f": "Doc."}, strict=strict)


def test_other_languages_with_syntax_errors_are_refused() -> None:
    code = "function add(a, b) {\n  return a +;\n}\nfunction ok() {\n  return 1;\n}\n"
    source = code.encode()
    symbol = _symbol(source, "ok", "a.js", "javascript")
    assert not symbol.has_errors  # the error is elsewhere in the file
    with pytest.raises(EditRefused, match=r"^file does not parse: line 2: syntax error"):
        plan_comment_insertion(source, symbol, lambda i, nl: wrap_comment("Ok.", "jsdoc", i, nl))
    edited = b"/** Ok. */\n" + source
    with pytest.raises(EditRefused, match=r"^a\.js: file does not parse: line 2"):
        check_edited(source, edited, "a.js", "javascript", strict=False)


def test_a_file_that_parses_is_still_edited() -> None:
    source = b"def f(a):\n    return a\n"
    edit = plan_python_insertion(
        source, _symbol(source, "f"), lambda i, nl: python_literal("Doc.", i, nl)
    )
    assert apply_edits(source, [edit]) == b'def f(a):\n    """Doc."""\n    return a\n'


def test_bulk_write_leaves_an_unparsable_file_byte_identical(tmp_path: Path, make_pipeline) -> None:
    files = {
        "broken.py": UNPARSABLE["c header then def"],
        "bare.py": "class C:\n    def m(self, a):\n",
        "good.py": "def g(x):\n    return x\n",
    }
    root = write_tree(tmp_path / "repo", files)
    report = document_paths(make_pipeline(root), [root], mode="missing", write=True)
    for name in ("broken.py", "bare.py"):
        assert (root / name).read_text() == files[name]
        assert f"{name}: file does not parse: line 2: expected an indented block" in "\n".join(
            report.refused
        )
    assert report.written == ["good.py"]
    assert (root / "good.py").read_text().startswith('def g(x):\n    """')
    assert report.exit_code == 1


def test_bulk_refuses_an_unparsable_file_once_and_drafts_none_of_it(
    tmp_path: Path, make_pipeline
) -> None:
    files = {"broken.py": "def f(a):\n    return a\n\n\ndef g(b):\n\n\ndef h(c):\n    return c\n"}
    root = write_tree(tmp_path / "repo", files)
    report = document_paths(make_pipeline(root), [root], mode="missing", write=False)
    assert [line for line in report.refused if line.startswith("broken.py:")] == [
        "broken.py: file does not parse: line 8: expected an indented block after function "
        "definition on line 5; fix the syntax error first"
    ]
    assert report.results == []
