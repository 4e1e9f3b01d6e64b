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


def test_edits_that_pass_alone_but_not_together_are_all_refused() -> None:
    one = TextEdit(0, 0, 0, 3, "x", 0, 3)
    other = TextEdit(0, 2, 0, 4, "y", 2, 4)  # overlaps the first
    source = b"abcdef = 1\n"
    kept, edited, refused = check_together(
        source, "m.py", "python", [("a", None, one), ("b", None, other)]
    )
    assert kept == [] and edited == source
    assert refused and refused[-1][0] is None and "overlap" in refused[-1][1]


def test_nothing_planned_is_nothing_checked(parses) -> None:
    assert check_together(CODE.encode(), "m.py", "python", []) == ([], CODE.encode(), [])
    assert parses == []
