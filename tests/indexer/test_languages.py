"""Each language's query on its fixture, against an expected-output file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.languages import LANGUAGES, language_for_path, load_grammar
from indexer.parser import parse_file, parse_source

FIXTURES = Path(__file__).parents[1] / "fixtures"
CASES = [
    "javascript/shapes.js",
    "typescript/shapes.ts",
    "typescript/widget.tsx",
    "go/shapes.go",
    "java/Shapes.java",
    "rust/shapes.rs",
]


def _summary(parsed):
    return [
        {
            "kind": s.kind,
            "qualname": s.qualname,
            "line": s.line,
            "parent": s.parent,
            "docstring": s.docstring,
            "parameters": [p.name for p in s.parameters],
        }
        for s in parsed.symbols
    ]


@pytest.mark.parametrize("case", CASES)
def test_fixture_matches_expected_output(case):
    folder = FIXTURES / case.split("/")[0]
    parsed = parse_file(FIXTURES / case, folder)
    assert not parsed.has_errors
    expected = json.loads((FIXTURES / f"{case}.expected.json").read_text())
    assert _summary(parsed) == expected


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b.py", "python"),
        ("x.pyi", "python"),
        ("x.js", "javascript"),
        ("x.mjs", "javascript"),
        ("x.ts", "typescript"),
        ("x.TSX", "typescript"),
        ("x.go", "go"),
        ("X.java", "java"),
        ("x.rs", "rust"),
        ("x.md", None),
        ("Makefile", None),
    ],
)
def test_language_for_path(path, language):
    assert language_for_path(path) == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_loads(language):
    grammar = load_grammar(language)
    assert grammar.query.pattern_count > 0


def test_doc_comment_rules():
    rust = parse_source(FIXTURES.joinpath("rust/shapes.rs").read_bytes(), "shapes.rs")
    by_name = {s.qualname: s for s in rust.symbols}
    assert by_name["Circle"].docstring == "A circle."  # through #[derive(...)]
    assert by_name["Circle.area"].docstring is None  # a // comment is not docs
    js = parse_source(b"// plain\nfunction f() {}\n\n/** doc */\n\nfunction g() {}\n", "a.js")
    docs = {s.qualname: s.docstring for s in js.symbols}
    assert docs == {"a": None, "f": None, "g": None}  # blank line breaks adjacency


def test_doc_span_covers_the_comment():
    source = FIXTURES.joinpath("go/shapes.go").read_bytes()
    area = next(s for s in parse_source(source, "shapes.go").symbols if s.name == "Area")
    text = source[area.doc_span.start_byte : area.doc_span.end_byte]
    assert text == b"// Area returns the area.\n// It never fails."


@pytest.mark.parametrize("case", CASES)
def test_broken_source_in_every_language_does_not_raise(case):
    source = (FIXTURES / case).read_bytes()
    broken = source[: len(source) // 2] + b"\n}}}) ((( <<< \xff\xfe\n" + source[len(source) // 2 :]
    parsed = parse_source(broken, case)
    assert parsed.has_errors and parsed.symbols[0].kind == "module"


def test_module_docs_in_go_and_rust():
    go = parse_source(b"// Copyright 2020.\n\n// Package x does y.\npackage x\n", "x.go")
    assert go.symbols[0].docstring == "Package x does y."
    rust = parse_source(b"//! Crate docs.\n//! More.\n\nfn f() {}\n", "lib.rs")
    assert rust.symbols[0].docstring == "Crate docs.\nMore."


@pytest.mark.parametrize("case", CASES)
def test_the_outline_parse_sees_the_same_docs(case):
    # docgen check parses in outline mode; the editor and generate parse fully: they must
    # agree on what is documented (Go's package comment was lost in outline mode)
    source = (FIXTURES / case).read_bytes()
    full = parse_source(source, case)
    outline = parse_source(source, case, outline=True)
    documented = [(s.qualname, s.kind, s.docstring) for s in full.symbols]
    assert [(s.qualname, s.kind, s.docstring) for s in outline.symbols] == documented


def test_modules_count_only_where_a_module_doc_can_be_read(tmp_path):
    from indexer.coverage import CheckOptions, check_paths

    (tmp_path / "x.go").write_text("// Package x does y.\npackage x\n")
    (tmp_path / "y.js").write_text("/** Adds. */\nexport function add(a, b) { return a + b; }\n")
    (tmp_path / "z.py").write_text("def f():\n    pass\n")
    report = check_paths([tmp_path], CheckOptions(), tmp_path)
    missing = {(m.path, m.qualname) for m in report.missing}
    # the Go package comment documents x.go; y.js has no module doc form the parser reads
    assert missing == {("z.py", "z"), ("z.py", "f")}
    assert (report.documented, report.total) == (2, 4)
