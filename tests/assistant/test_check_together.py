"""Edits planned on one file are checked as the file they make together: one parse
when they all pass, each alone when they do not, and nothing kept unchecked."""

from __future__ import annotations

import pytest

import indexer.parser
from assistant.edits import TextEdit, check_together, plan_python_insertion
from assistant.styles import python_literal
from indexer.parser import parse_source

CODE = "def f(x):\n    return x\n\n\ndef g(y):\n    return y\n\n\ndef h(z):\n    return z\n"


def _planned(code: str, docs: dict[str, str]) -> list[tuple[str, str, TextEdit]]:
    source = code.encode()
    parsed = parse_source(source, "m.py")
    out = []
    for qualname, doc in docs.items():
        symbol = next(s for s in parsed.symbols if s.qualname == qualname)
        edit = plan_python_insertion(
            source, symbol, lambda ind, nl, doc=doc: python_literal(doc, ind, nl)
        )
        out.append((qualname, doc, edit))
    return out


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """Count the tree-sitter parses of edited files (the check's cost)."""
    calls: list[int] = []
    real = indexer.parser.parse_source

    def counting(source, path, *args, **kwargs):
        calls.append(len(source))
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(indexer.parser, "parse_source", counting)
    return calls


def test_edits_that_pass_together_cost_one_parse(parses) -> None:
    planned = _planned(CODE, {"f": "Return x.", "g": "Return y.", "h": "Return z."})
    kept, edited, refused = check_together(CODE.encode(), "m.py", "python", planned)
    assert kept == [0, 1, 2] and refused == []
    assert len(parses) == 1  # the edited file once, not once per edit
    assert edited.count(b'"""Return') == 3
    assert parse_source(edited, "m.py").symbols[1].docstring == "Return x."


def test_an_edit_that_breaks_the_file_is_dropped_and_the_others_kept() -> None:
    planned = _planned(CODE, {"f": "Return x.", "h": "Return z."})
    at = CODE.index("    return y")
    broken = TextEdit(5, 0, 5, 0, "    '''oops\n", at, at)
    planned.insert(1, ("g", "Oops.", broken))
    kept, edited, refused = check_together(CODE.encode(), "m.py", "python", planned)
    assert kept == [0, 2]
    assert [q for q, _ in refused] == ["g"] and "would not parse" in refused[0][1]
    assert b"oops" not in edited and edited.count(b'"""Return') == 2


def test_a_docstring_that_does_not_land_is_refused_alone() -> None:
    planned = _planned(CODE, {"f": "Return x."})
    planned.append(("g", "Return y.", TextEdit(0, 0, 0, 0, "# Return y.\n", 0, 0)))
    kept, _, refused = check_together(CODE.encode(), "m.py", "python", planned)
    assert kept == [0] and refused[0][0] == "g" and "would not get" in refused[0][1]


def test_edits_that_pass_alone_but_not_together_keep_the_first() -> None:
    one = TextEdit(0, 0, 0, 3, "x", 0, 3)
    other = TextEdit(0, 2, 0, 4, "y", 2, 4)  # overlaps the first
    source = b"abcdef = 1\n"
    kept, edited, refused = check_together(
        source, "m.py", "python", [("a", None, one), ("b", None, other)]
    )
    assert kept == [0] and edited == b"xdef = 1\n"
    assert refused == [(None, refused[0][1])] and "overlap" in refused[0][1]
    assert "with b; left out" in refused[0][1]


def test_one_refused_edit_among_many_costs_a_few_parses_not_one_per_edit(parses) -> None:
    names = [f"f{i}" for i in range(32)]
    code = "".join(f"def {n}(x):\n    return x\n\n\n" for n in names)
    planned = _planned(code, {n: f"Return x {n}." for n in names})
    at = code.index("    return x", code.index("def f9("))
    planned[9] = ("f9", "Oops.", TextEdit(0, 0, 0, 0, "    '''oops\n", at, at))
    kept, edited, refused = check_together(code.encode(), "m.py", "python", planned)
    assert kept == [i for i in range(32) if i != 9] and [q for q, _ in refused] == ["f9"]
    assert edited.count(b'"""Return x') == 31
    # halving: three checks per level (5 levels), not 32; a check parses the statements
    # its edits touch, and a refused one (one per level) the whole file too, for its message
    assert len(parses) <= 3 * 5 + 1 + 6


def test_a_name_defined_twice_gets_each_docstring_where_it_belongs(tmp_path) -> None:
    """``if``/``else`` definitions of one name: each draft lands on its own definition
    and both are checked."""
    from assistant.pipeline import DocPipeline, DocResult, PipelineSettings

    code = "import sys\nif sys.platform == 'x':\n    def get():\n        return 1\nelse:\n"
    code += "    def get():\n        return 2\n"
    (tmp_path / "m.py").write_text(code)
    source = code.encode()
    parsed = parse_source(source, "m.py")
    pipeline = DocPipeline(tmp_path, PipelineSettings(cache_dir=tmp_path / "c", update_index=False))
    planned = []
    for k, symbol in enumerate(s for s in parsed.symbols if s.qualname == "get"):
        doc = f"Return {k + 1}."
        result = DocResult(
            path="m.py",
            qualname="get",
            kind="function",
            line=symbol.line,
            summary=doc,
            docstring=doc,
            confidence=1.0,
        )
        fresh, edit = pipeline.planned_insertion("m.py", source, symbol, result)
        planned.append((fresh.qualname, doc, edit))
    kept, edited, refused = check_together(source, "m.py", "python", planned)
    assert kept == [0, 1] and refused == []
    gets = [s for s in parse_source(edited, "m.py").symbols if s.qualname == "get"]
    assert [s.docstring for s in gets] == ["Return 1.", "Return 2."]
    pipeline.close()


def test_nothing_planned_is_nothing_checked(parses) -> None:
    assert check_together(CODE.encode(), "m.py", "python", []) == ([], CODE.encode(), [])
    assert parses == []
