"""Hostile inputs for the parser: deep nesting, stacked decorators, odd docstrings.

Inputs that once crashed the process (a segfault inside tree-sitter-python) or took
minutes run in a child process with a generous timeout, so a regression fails the test
instead of killing or stalling the test run.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from indexer import parser as parser_module
from indexer.parser import MAX_INDENT_LEVELS, MAX_NESTING, SkipFile, parse_source

ROOT = Path(__file__).parents[2]
CHILD_TIMEOUT = 120


def nested_defs(depth: int, indent: str = " ") -> str:
    """``depth`` functions nested in each other, each with a docstring (the shape that
    segfaulted tree-sitter-python from 511 levels on)."""
    return (
        "".join(
            f'{indent * i}def f{i}(x):\n{indent * (i + 1)}"""Doc {i}."""\n' for i in range(depth)
        )
        + f"{indent * depth}pass\n"
    )


def run_child(code: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``code`` (or ``-m`` args) in a fresh interpreter; fail the test on a hang."""
    command = [sys.executable, *(["-c", code] if code else []), *args]
    try:
        return subprocess.run(
            command,
            cwd=cwd or ROOT,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
            env={**_env(), "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the child process ran for over {CHILD_TIMEOUT} s") from exc


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


# ------------------------------------------------------------------ item 6: deep nesting
def test_deep_nesting_check_skips_the_file_instead_of_crashing(tmp_path: Path):
    (tmp_path / "deep.py").write_text(nested_defs(600))
    (tmp_path / "fine.py").write_text('"""Fine."""\n\n\ndef ok():\n    pass\n')
    done = run_child("", "-m", "docgen", "check", "--format", "json", str(tmp_path), cwd=tmp_path)
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    report = json.loads(done.stdout)
    assert report["skipped"] == {"too deeply nested": 1}
    assert report["files"] == 1 and [m["qualname"] for m in report["missing"]] == ["ok"]


def test_deep_nesting_index_skips_the_file_instead_of_crashing(tmp_path: Path):
    (tmp_path / "deep.py").write_text(nested_defs(600, "\t"))  # 188 KB, under the size limit
    (tmp_path / "fine.py").write_text("def ok():\n    pass\n")
    done = run_child("", "-m", "docgen", "index", "--no-embed", "-q", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "(1 parsed" in done.stdout and "skipped: 1 too deeply nested" in done.stdout


def test_parse_source_refuses_nesting_python_itself_rejects_in_the_same_process():
    """Deeper than CPython's 99 indentation levels: refused before tree-sitter sees it."""
    with pytest.raises(SkipFile) as caught:
        parse_source(nested_defs(MAX_INDENT_LEVELS + 1).encode(), "deep.py")
    assert caught.value.reason == "too deeply nested"
    assert str(MAX_INDENT_LEVELS) in caught.value.detail


def test_the_deepest_nesting_python_accepts_still_parses():
    source = nested_defs(MAX_INDENT_LEVELS)
    compile(source, "deep.py", "exec")  # Python accepts it, so docgen must too
    parsed = parse_source(source.encode(), "deep.py")
    assert len(parsed.symbols) == MAX_INDENT_LEVELS + 1 and not parsed.has_errors
    assert parsed.symbols[-1].docstring == f"Doc {MAX_INDENT_LEVELS - 1}."


def test_indentation_inside_a_docstring_is_not_nesting():
    deep_text = "\n".join(" " * i + "x" for i in range(300))
    source = f'def f():\n    """Doc.\n{deep_text}\n    """\n    return 1\n'
    parsed = parse_source(source.encode(), "shallow.py")
    assert [s.qualname for s in parsed.symbols] == ["shallow", "f"]


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("deep.js", "function f() {\n" * (MAX_NESTING + 1) + "}\n" * (MAX_NESTING + 1)),
        ("deep.rs", "fn f() {\n" * (MAX_NESTING + 1) + "}\n" * (MAX_NESTING + 1)),
        ("deep.py", "x = " + "(" * (MAX_NESTING + 1) + ")" * (MAX_NESTING + 1) + "\n"),
    ],
)
def test_deep_brackets_are_refused_in_every_language(path: str, source: str):
    """Nested braces cost quadratic time (20,000 nested JavaScript functions: minutes)."""
    with pytest.raises(SkipFile) as caught:
        parse_source(source.encode(), path)
    assert caught.value.reason == "too deeply nested"


def test_brackets_in_strings_and_comments_do_not_count():
    opened = "(" * (MAX_NESTING + 10)
    source = f'# {opened}\nx = "{opened}"\ny = """\n{opened}\n"""\n\n\ndef f():\n    pass\n'
    parsed = parse_source(source.encode(), "strings.py")
    assert [s.qualname for s in parsed.symbols] == ["strings", "f"]
    js = f"// {opened}\nconst s = '{opened}';\n/* {opened} */\nfunction g() {{}}\n"
    assert [s.qualname for s in parse_source(js.encode(), "s.js").symbols] == ["s", "g"]


# ---------------------------------------------------------- item 7: stacked decorators
def test_stacked_decorators_parse_in_linear_time():
    """2,000 stacked decorators took 236 s in the outline query; now well under a minute."""
    code = textwrap.dedent(
        """
        from indexer.parser import parse_source
        source = ("@d\\n" * 2000 + "def f(): pass\\n").encode()
        for outline in (True, False):
            symbol = parse_source(source, "m.py", outline=outline).symbols[1]
            print(symbol.qualname, len(symbol.decorators), set(symbol.decorators))
        """
    )
    done = run_child(code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["f 2000 {'d'}", "f 2000 {'d'}"]


def test_decorators_are_read_in_order_with_comments_between():
    source = b"@first(1)\n# a comment\n@second.attr\n@third\nclass C:\n    pass\n"
    symbol = parse_source(source, "m.py").symbols[1]
    assert symbol.decorators == ["first(1)", "second.attr", "third"]
    assert source[symbol.span.start_byte :].startswith(b"@first")


def test_many_leading_comments_are_not_slow():
    code = textwrap.dedent(
        """
        from indexer.parser import parse_source
        body = "    # c\\n" * 3000
        source = ("# c\\n" * 3000 + "def f():\\n" + body + "    '''Doc.'''\\n").encode()
        parsed = parse_source(source, "m.py")
        print(parsed.symbols[1].docstring)
        """
    )
    done = run_child(code)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "Doc."


def test_a_parse_over_the_time_budget_skips_the_file(monkeypatch: pytest.MonkeyPatch):
    source = "".join(f"def f{i}(a, b):\n    return a + b\n\n" for i in range(20000)).encode()
    monkeypatch.setattr(parser_module, "PARSE_TIME_BUDGET_S", 1e-6)
    with pytest.raises(SkipFile) as caught:
        parse_source(source, "big.py")
    assert caught.value.reason == "too slow to parse"
    monkeypatch.undo()
    assert len(parse_source(source, "big.py", outline=True).symbols) == 20001


# ------------------------------------------------------ item 10: what is a docstring
DOCSTRING_CASES = {
    "plain": '"""Plain."""',
    "concatenated": '"Concatenated " "docstring."',
    "concatenated on lines": '"First part, "\n    "second part."',
    "parenthesised": '("Parenthesised "\n     "docstring.")',
    "parenthesised single": '("Alone.")',
    "raw and unicode prefixes": 'r"Raw \\d " u"and unicode."',
    "f-string": 'f"Not {1} a docstring."',
    "concatenated with an f-string": '"Not " f"a {1} docstring."',
    "bytes": 'b"Not a docstring."',
    "sum": '"Not " + "a docstring."',
    "call": 'str("Not a docstring.")',
    "string then attribute": '"not a docstring".upper()',
    "tuple": '"not", "a docstring"',
}


@pytest.mark.parametrize("case", DOCSTRING_CASES)
@pytest.mark.parametrize("where", ["function", "class", "module"])
def test_docstrings_follow_pythons_own_rule(case: str, where: str):
    literal = DOCSTRING_CASES[case]
    if where == "module":
        source = f"{literal.replace(chr(10) + '    ', chr(10))}\n\nx = 1\n"
    else:
        keyword = "def f()" if where == "function" else "class C"
        source = f"{keyword}:\n    {literal}\n    x = 1\n"
    tree = ast.parse(source)
    node = tree if where == "module" else tree.body[0]
    expected = ast.get_docstring(node)  # type: ignore[arg-type]
    parsed = parse_source(source.encode(), "m.py")
    symbol = parsed.symbols[0 if where == "module" else 1]
    assert symbol.docstring == expected
    if expected is None:
        assert symbol.doc_span is None
    else:
        statement = node.body[0]
        start = _offset(source, statement.lineno, statement.col_offset)
        end = _offset(source, statement.end_lineno, statement.end_col_offset)
        span = symbol.doc_span
        assert (span.start_byte, span.end_byte) == (start, end)  # the whole expression


def _offset(source: str, line: int, col: int) -> int:
    lines = source.encode().splitlines(keepends=True)
    return sum(len(text) for text in lines[: line - 1]) + col


def test_a_comment_before_a_concatenated_docstring():
    source = b'def f():\n    # leading\n    ("a "  # inner\n     "b")\n'
    symbol = parse_source(source, "m.py").symbols[1]
    assert symbol.docstring == "a b"
