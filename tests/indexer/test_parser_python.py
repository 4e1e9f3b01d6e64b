"""The Python parser on a fixture package: every field of Symbol, imports, source text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from indexer.parser import SkipFile, parse_file, parse_source, symbol_source

FIXTURES = Path(__file__).parents[1] / "fixtures" / "python"


@pytest.fixture(scope="module")
def shapes():
    parsed = parse_file(FIXTURES / "pkg" / "shapes.py", FIXTURES)
    return parsed, {symbol.qualname: symbol for symbol in parsed.symbols}


def test_symbols_kinds_and_qualnames(shapes):
    parsed, by_name = shapes
    assert parsed.path == "pkg/shapes.py" and parsed.language == "python"
    assert not parsed.has_errors and parsed.error_lines == []
    assert [(s.qualname, s.kind) for s in parsed.symbols] == [
        ("pkg.shapes", "module"),
        ("Shape", "class"),
        ("Shape.__init__", "method"),
        ("Shape.area", "method"),
        ("Shape.area", "method"),
        ("Shape.load", "method"),
        ("Shape.load._read", "function"),
        ("Shape.Meta", "class"),
        ("circles", "function"),
        ("_private", "function"),
        ("raw_doc", "function"),
    ]
    assert by_name["Shape.load._read"].parent == "Shape.load"
    assert by_name["Shape.Meta"].parent == "Shape"
    assert by_name["circles"].parent is None


def test_docstrings_cleaned(shapes):
    _, by_name = shapes
    assert by_name["pkg.shapes"].docstring == "Shapes and helpers.\n\nUsed by the parser tests."
    assert by_name["Shape"].docstring == "A shape.\n\nIndented detail line."
    assert by_name["circles"].docstring == "Yield circles."
    assert by_name["raw_doc"].docstring == r"Raw \d docstring."
    assert by_name["Shape.__init__"].docstring is None
    assert by_name["Shape.__init__"].doc_span is None


def test_spans(shapes):
    parsed, by_name = shapes
    source = (FIXTURES / "pkg" / "shapes.py").read_bytes()
    load = by_name["Shape.load"]
    assert source[load.span.start_byte :].startswith(b"@staticmethod")
    assert source[load.name_span.start_byte : load.name_span.end_byte] == b"load"
    assert load.line == source[: load.name_span.start_byte].count(b"\n") + 1
    area = parsed.symbols[3]
    doc = source[area.doc_span.start_byte : area.doc_span.end_byte]
    assert doc == b'"""Return the area."""'
    assert area.body_span.start_line == area.doc_span.start_line


def test_signature_parts(shapes):
    _, by_name = shapes
    load = by_name["Shape.load"]
    assert [(p.name, p.kind, p.annotation, p.default) for p in load.parameters] == [
        ("path", "positional_only", None, None),
        ("mode", "positional", None, '"r"'),
        ("args", "var_positional", "str", None),
        ("strict", "keyword_only", None, None),
        ("options", "var_keyword", None, None),
    ]
    assert load.is_async and load.returns == '"Shape"'
    assert load.decorators == ["staticmethod", 'reg.register(kind="shape")']
    init = by_name["Shape.__init__"]
    assert [(p.name, p.kind) for p in init.parameters] == [
        ("self", "positional"),
        ("name", "positional"),
        ("scale", "keyword_only"),
    ]
    assert init.parameters[2].annotation == "float" and init.parameters[2].default == "1.0"
    assert init.returns == "None" and not init.is_async


def test_body_facts_ignore_nested_defs(shapes):
    parsed, by_name = shapes
    load = by_name["Shape.load"]
    assert load.raises == ["ValueError"]
    assert load.has_return and not load.has_yield
    assert "util.fetch" in load.calls and "Shape" in load.calls
    assert "osp.join" not in load.calls
    inner = by_name["Shape.load._read"]
    assert inner.raises == ["KeyError"] and inner.has_yield and not inner.has_return
    circles = by_name["circles"]
    assert circles.has_yield and not circles.has_return  # ``return None`` is not a value
    setter = parsed.symbols[4]
    assert setter.decorators == ["area.setter"] and setter.raises == ["AttributeError"]


def test_imports(shapes):
    parsed, _ = shapes
    assert parsed.imports == {
        "math": "math",
        "osp": "os.path",
        "OD": "collections.OrderedDict",
        "util": "pkg.util",
        "Base": "pkg.base.Base",
        "reg": "pkg.base.registry",
    }


def test_symbol_source_strips_docstrings_and_stays_valid(shapes):
    parsed, by_name = shapes
    source = (FIXTURES / "pkg" / "shapes.py").read_bytes()
    for symbol in parsed.symbols:
        text = symbol_source(source, symbol)
        ast.parse(text)  # valid Python after stripping
        assert text == symbol_source(source, symbol)
        if symbol.docstring:
            assert symbol.docstring.splitlines()[0] not in text
    assert symbol_source(source, by_name["_private"]) == "def _private():\n    ..."
    area = symbol_source(source, parsed.symbols[3])
    assert area == "@property\ndef area(self) -> float:\n    return self.compute(self.scale)"
    kept = symbol_source(source, by_name["circles"], strip_docstring=False)
    assert kept.startswith("def circles(radii):") and "'''Yield circles.'''" in kept


def test_syntax_errors_are_recovered():
    source = b"def ok():\n    return 1\n\ndef broken(:\n    pass\n\nclass After:\n    pass\n"
    parsed = parse_source(source, "m.py")
    assert parsed.has_errors and 4 in parsed.error_lines
    names = [symbol.qualname for symbol in parsed.symbols]
    assert "ok" in names and "After" in names


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\x01\x02binary", "binary"),
        ("x = 'caf\u00e9'\n".encode("latin-1"), "not UTF-8"),
        (b"x = 1;" * 5000, "minified"),
        (b"#" * 2_000_001, "too large"),
    ],
)
def test_bad_files_are_skipped_with_reason(tmp_path, content, reason):
    path = tmp_path / "bad.py"
    path.write_bytes(content)
    with pytest.raises(SkipFile) as info:
        parse_file(path, tmp_path)
    assert info.value.reason == reason


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(SkipFile) as info:
        parse_file(tmp_path / "gone.py", tmp_path)
    assert info.value.reason == "unreadable"
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(SkipFile) as info:
        parse_file(tmp_path / "notes.txt", tmp_path)
    assert info.value.reason == "unsupported"


def test_empty_file():
    parsed = parse_source(b"", "pkg/empty.py")
    assert [s.kind for s in parsed.symbols] == ["module"]
    assert parsed.symbols[0].qualname == "pkg.empty" and not parsed.has_errors
