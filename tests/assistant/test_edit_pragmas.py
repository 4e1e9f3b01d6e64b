"""Comments and pragmas stay on the line they were on when a docstring is inserted.

mypy, flake8, ruff and coverage read ``# type: ignore``, ``# noqa`` and ``# pragma: no
cover`` on the line of the code they silence; for a one-line ``def f(): ...  # c`` that is
the ``def`` line, so the comment stays there and the body moves below the docstring.
"""

from __future__ import annotations

import ast
import io
import tokenize

import pytest

from assistant.edits import apply_edits, check_edited, plan_python_insertion, plan_replacement
from assistant.styles import python_literal
from indexer.parser import parse_source

_SKIP = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
    tokenize.COMMENT,
}


def _insert(code: str, qualname: str, doc: str = "Doc.") -> str:
    source = code.encode()
    parsed = parse_source(source, "m.py")
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    edit = plan_python_insertion(source, symbol, lambda ind, nl: python_literal(doc, ind, nl))
    edited = apply_edits(source, [edit])
    check_edited(source, edited, "m.py", "python", {qualname: doc})
    return edited.decode()


def comment_lines(code: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each comment with the code tokens before it on its physical line."""
    out = []
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        row = tok.start[0]
        before = tuple(
            t.string
            for t in tokens
            if t.type not in _SKIP and t.end[0] == row and t.end[1] <= tok.start[1]
        )
        out.append((tok.string, before))
    return out


def assert_comments_kept(before: str, after: str, with_body: tuple[str, ...] = ()) -> None:
    """Every comment keeps the code before it on its line; a one-line body that moved
    below the docstring leaves the comment on the ``def``/``class`` line (or, for the
    comments in ``with_body``, takes it along)."""
    old, new = comment_lines(before), comment_lines(after)
    assert [c for c, _ in old] == [c for c, _ in new]
    for (comment, was), (_, now) in zip(old, new, strict=True):
        if now == was:
            continue
        header = bool(now) and now[-1] == ":" and len(now) < len(was)  # the body moved off
        body = comment in with_body and 0 < len(now) < len(was) and was[-len(now) - 1] == ":"
        assert (header and was[: len(now)] == now) or (body and was[-len(now) :] == now), (
            comment,
            was,
            now,
        )


CLICK = (
    "class B:\n"
    "    def arity(self) -> str: ...\n"
    "class A(B):\n"
    "    def arity(self) -> int: ...  # type: ignore[override]\n"
)

CASES = {
    "click one-line stub": (
        CLICK,
        "A.arity",
        "class B:\n"
        "    def arity(self) -> str: ...\n"
        "class A(B):\n"
        "    def arity(self) -> int:  # type: ignore[override]\n"
        '        """Doc."""\n'
        "        ...\n",
    ),
    "one-line class": (
        "class C: pass  # noqa\n",
        "C",
        'class C:  # noqa\n    """Doc."""\n    pass\n',
    ),
    "hash inside a string": (
        'def f(): return "# not a comment"  # pragma: no cover\n',
        "f",
        'def f():  # pragma: no cover\n    """Doc."""\n    return "# not a comment"\n',
    ),
    "statements with semicolons": (
        "def f(x): y = x; return y  # noqa: E702\n",
        "f",
        'def f(x):  # noqa: E702\n    """Doc."""\n    y = x; return y\n',
    ),
    "decorator comment": (
        "@dec  # deco\ndef f(): pass  # trailing\n",
        "f",
        '@dec  # deco\ndef f():  # trailing\n    """Doc."""\n    pass\n',
    ),
    "signature with comments inside": (
        "def f(\n    a,  # first\n    b,  # type: int\n) -> int:  # noqa: E501\n    return a\n",
        "f",
        "def f(\n    a,  # first\n    b,  # type: int\n) -> int:  # noqa: E501\n"
        '    """Doc."""\n    return a\n',
    ),
    "one-line method without comment": (
        "class C:\n    def m(self): return 1\n",
        "C.m",
        'class C:\n    def m(self):\n        """Doc."""\n        return 1\n',
    ),
    "crlf": (
        "class C: pass  # noqa\r\n",
        "C",
        'class C:  # noqa\r\n    """Doc."""\r\n    pass\r\n',
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_comments_stay_on_their_line(name: str) -> None:
    code, qualname, expected = CASES[name]
    edited = _insert(code, qualname)
    assert edited == expected
    assert_comments_kept(code, edited)


def test_type_ignore_stays_on_the_def_line() -> None:
    """What mypy reads: the ignore still covers the line of ``def arity``."""
    edited = _insert(CLICK, "A.arity")
    tree = ast.parse(edited, type_comments=True)
    (ignore,) = tree.type_ignores
    line = edited.splitlines()[ignore.lineno - 1]
    assert line.lstrip().startswith("def arity(self) -> int:")
    method = tree.body[1].body[0]
    assert ast.get_docstring(method) == "Doc." and ignore.lineno == method.lineno


def test_function_type_comments_stay_first() -> None:
    """PEP 484: a signature type comment sits right below the header, the docstring after."""
    code = "def f(x):\n    # type: (int) -> int\n    # explain\n    return x\n"
    edited = _insert(code, "f")
    assert edited == (
        'def f(x):\n    # type: (int) -> int\n    """Doc."""\n    # explain\n    return x\n'
    )
    function = ast.parse(edited, type_comments=True).body[0]
    assert function.type_comment == "(int) -> int" and ast.get_docstring(function) == "Doc."
    code = "def f(x):  # type: (int) -> int\n    return x\n"
    function = ast.parse(_insert(code, "f"), type_comments=True).body[0]
    assert function.type_comment == "(int) -> int"


def test_an_ignore_of_body_errors_stays_with_the_body() -> None:
    """``[attr-defined]``/``[return-value]`` are reported on the statement's line: the
    comment follows the statement; any other code (or none) stays on the ``def`` line."""
    code = "def f(x) -> int: return x.y  # type: ignore[attr-defined, return-value]\n"
    edited = _insert(code, "f")
    assert edited == (
        'def f(x) -> int:\n    """Doc."""\n'
        "    return x.y  # type: ignore[attr-defined, return-value]\n"
    )
    assert_comments_kept(code, edited, ("# type: ignore[attr-defined, return-value]",))
    with pytest.raises(AssertionError):
        assert_comments_kept(code, edited)
    tree = ast.parse(edited, type_comments=True)
    assert [i.lineno for i in tree.type_ignores] == [tree.body[0].body[1].lineno]
    mixed = "def f(x) -> int: return x.y  # type: ignore[override, attr-defined]\n"
    assert _insert(mixed, "f").startswith("def f(x) -> int:  # type: ignore[override, attr")
    bare = "def f(x) -> int: return x.y  # type: ignore\n"
    assert _insert(bare, "f").startswith("def f(x) -> int:  # type: ignore\n")


def test_the_token_check_catches_a_moved_comment() -> None:
    with pytest.raises(AssertionError):
        assert_comments_kept(
            "def f(): ...  # type: ignore\n", 'def f():\n    """Doc."""\n    ...  # type: ignore\n'
        )


def _replace(code: str, qualname: str, doc: str) -> str:
    source = code.encode()
    symbol = next(s for s in parse_source(source, "m.py").symbols if s.qualname == qualname)
    edit = plan_replacement(source, symbol, lambda i, nl, q: python_literal(doc, i, nl, q))
    edited = apply_edits(source, [edit])
    check_edited(source, edited, "m.py", "python", {qualname: doc})
    return edited.decode()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            'def f(): ""  # type: ignore[override]\n',
            'def f():  # type: ignore[override]\n    """Do it.\n\n    More.\n    """\n',
        ),
        (
            'class C: "";  x = 1  # noqa\n',
            'class C:  # noqa\n    """Do it.\n\n    More.\n    """\n    x = 1\n',
        ),
        ('def f(): ""\n', 'def f(): """Do it.\n\n    More.\n    """\n'),
    ],
)
def test_replacing_a_one_line_docstring_keeps_the_header_comment(code, expected) -> None:
    edited = _replace(code, code.split()[1].split("(")[0].rstrip(":"), "Do it.\n\nMore.")
    assert edited == expected
    assert_comments_kept(code, edited)


HEADERS = {
    "def": ("def f(x)", True),
    "async": ("async def f(x)", True),
    "annotated": ("def f(x: int) -> int", True),
    "spread": ("def f(\n    x,  # the x\n)", True),
    "class": ("class C(B)", False),
}
BODIES = ["...", "pass", "x = 1; y = 2", 'return "# no"']
COMMENTS = ["", "# type: ignore[override]", "# noqa: E704", "# pragma: no cover"]


def _corpus():
    for header_name, (header, is_function) in HEADERS.items():
        for body in BODIES:
            if body.startswith("return") and not is_function:
                continue
            for comment in COMMENTS:
                tail = f"  {comment}" if comment else ""
                yield f"{header_name}-{body}-{comment}-one-line", f"{header}: {body}{tail}\n"
                yield (
                    f"{header_name}-{body}-{comment}-block",
                    f"{header}:{tail}\n    # leading\n    {body}{tail}\n",
                )


CORPUS = dict(_corpus())


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_pragma_corpus(name: str) -> None:
    """Every shape: the docstring lands first, no comment changes line, and each
    ``# type: ignore`` still sits in the same definition, on its ``def`` line if it was."""
    code = "class B: ...\n" + CORPUS[name]
    qualname = "C" if name.startswith("class") else "f"
    edited = _insert(code, qualname)
    assert_comments_kept(code, edited)
    tree = ast.parse(edited, type_comments=True)
    assert ast.get_docstring(tree.body[1]) == "Doc."
    before = ast.parse(code, type_comments=True)
    covered = [_owner(before, i.lineno) for i in before.type_ignores]
    assert [_owner(tree, i.lineno) for i in tree.type_ignores] == covered


def _owner(tree: ast.Module, line: int) -> tuple[str, bool]:
    """The innermost definition holding ``line``, and whether ``line`` is its first."""
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    holders = [
        n for n in ast.walk(tree) if isinstance(n, kinds) and n.lineno <= line <= n.end_lineno
    ]
    owner = max(holders, key=lambda n: n.lineno)
    return owner.name, owner.lineno == line
