"""Where an inserted docstring goes (PEP 257): exact output for each shape of file."""

from __future__ import annotations

import ast
import dataclasses

import pytest

from assistant.edits import apply_edits, check_edited, plan_python_insertion, plan_replacement
from assistant.styles import python_literal
from indexer.parser import parse_source
from indexer.symbols import Span


def _insert(code: str, qualname: str, doc: str = "Doc.") -> str:
    source = code.encode("utf-8")
    parsed = parse_source(source, "m.py")
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    edit = plan_python_insertion(source, symbol, lambda ind, nl: python_literal(doc, ind, nl))
    edited = apply_edits(source, [edit])
    check_edited(source, edited, "m.py", "python", {qualname: doc})
    return edited.decode("utf-8")


DEFINITIONS = {
    "leading comment stays below": (
        "def f():\n    # explain\n    return 1\n",
        "f",
        'def f():\n    """Doc."""\n    # explain\n    return 1\n',
    ),
    "comment block and blank line": (
        "def f():\n    # one\n    # two\n\n    x = 1\n    return x\n",
        "f",
        'def f():\n    """Doc."""\n    # one\n    # two\n\n    x = 1\n    return x\n',
    ),
    "comment at another indentation": (
        "class C:\n    def m(self):\n# off\n        return 1\n",
        "C.m",
        'class C:\n    def m(self):\n        """Doc."""\n# off\n        return 1\n',
    ),
    "header comment": (
        "def f(x):  # noqa: ARG001\n    # why\n    return 1\n",
        "f",
        'def f(x):  # noqa: ARG001\n    """Doc."""\n    # why\n    return 1\n',
    ),
    "class then method": (
        "class C:\n    def m(self):\n        pass\n",
        "C",
        'class C:\n    """Doc."""\n\n    def m(self):\n        pass\n',
    ),
    "class then decorated method": (
        "class C:\n    @property\n    def m(self):\n        return 1\n",
        "C",
        'class C:\n    """Doc."""\n\n    @property\n    def m(self):\n        return 1\n',
    ),
    "class then async method": (
        "class C:\n    async def m(self):\n        pass\n",
        "C",
        'class C:\n    """Doc."""\n\n    async def m(self):\n        pass\n',
    ),
    "class then comment then method": (
        "class C:\n    # methods\n    def m(self):\n        pass\n",
        "C",
        'class C:\n    """Doc."""\n\n    # methods\n    def m(self):\n        pass\n',
    ),
    "class with a blank line already": (
        "class C:\n\n    def m(self):\n        pass\n",
        "C",
        'class C:\n    """Doc."""\n\n    def m(self):\n        pass\n',
    ),
    "class then attribute": (
        "class C:\n    x: int = 0\n\n    def m(self):\n        pass\n",
        "C",
        'class C:\n    """Doc."""\n    x: int = 0\n\n    def m(self):\n        pass\n',
    ),
    "class crlf tabs": (
        "class C:\r\n\tdef m(self):\r\n\t\tpass\r\n",
        "C",
        'class C:\r\n\t"""Doc."""\r\n\r\n\tdef m(self):\r\n\t\tpass\r\n',
    ),
}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_definition_docstrings_go_first(name: str) -> None:
    code, qualname, expected = DEFINITIONS[name]
    assert _insert(code, qualname) == expected


MODULES = {
    "shebang cookie comments future": (
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# Copyright\n\n"
        "from __future__ import annotations\n\nx = 1\n",
        "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# Copyright\n\n"
        '"""Doc."""\n\nfrom __future__ import annotations\n\nx = 1\n',
    ),
    "comment right above code": (
        "#!/usr/bin/env python\nimport os\n",
        '#!/usr/bin/env python\n"""Doc."""\n\nimport os\n',
    ),
    "future first": (
        "from __future__ import annotations\n",
        '"""Doc."""\n\nfrom __future__ import annotations\n',
    ),
    "byte order mark": (
        "\ufeffimport os\n",
        '\ufeff"""Doc."""\n\nimport os\n',
    ),
    "byte order mark and comment": (
        "\ufeff# c\n\nimport os\n",
        '\ufeff# c\n\n"""Doc."""\n\nimport os\n',
    ),
    "only comments": ("# c\n", '# c\n"""Doc."""\n'),
    "last comment without line ending": ("# c", '# c\n"""Doc."""\n'),
    "crlf": (
        "# c\r\n\r\nimport os\r\n",
        '# c\r\n\r\n"""Doc."""\r\n\r\nimport os\r\n',
    ),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_docstrings_go_below_shebang_and_comments(name: str) -> None:
    code, expected = MODULES[name]
    edited = _insert(code, "m")
    assert edited == expected
    tree = ast.parse(edited.encode("utf-8"))
    assert ast.get_docstring(tree) == "Doc."
    compile(edited.encode("utf-8"), "m.py", "exec")  # __future__ imports still come first


def _with_doc_span(code: str, qualname: str, literal: str):
    source = code.encode()
    symbol = next(s for s in parse_source(source, "m.py").symbols if s.qualname == qualname)
    start = source.index(literal.encode())
    end = start + len(literal.encode())
    before = source[:start]
    line = before.count(b"\n")
    col = len(before) - (before.rfind(b"\n") + 1)
    last = literal.rsplit("\n", 1)[-1]
    end_col = len(last) if "\n" in literal else col + len(literal)
    span = Span(line, col, line + literal.count("\n"), end_col, start, end)
    return source, dataclasses.replace(symbol, doc_span=span, docstring="a b")


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ('("a "\n     "b")', '"""New doc."""'),
        ("('a '\n     'b')", "'''New doc.'''"),
        ('"a " "b"', '"""New doc."""'),
        ("(\n        r'a '\n        'b'\n    )", "'''New doc.'''"),
    ],
)
def test_a_concatenated_docstring_is_replaced_whole(literal: str, expected: str) -> None:
    """Item 10 (replacement side): a span over the whole expression is replaced whole."""
    code = f"def f():\n    {literal}\n    return 1\n"
    source, symbol = _with_doc_span(code, "f", literal)
    edit = plan_replacement(
        source, symbol, lambda ind, nl, quote: python_literal("New doc.", ind, nl, quote)
    )
    edited = apply_edits(source, [edit]).decode()
    assert edited == f"def f():\n    {expected}\n    return 1\n"
    assert ast.get_docstring(ast.parse(edited).body[0]) == "New doc."
