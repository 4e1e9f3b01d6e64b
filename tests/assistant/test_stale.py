"""Stale docstrings: detection (added, removed, renamed) and byte-precise updates."""

from __future__ import annotations

import ast

import pytest

from assistant.edits import apply_edits
from assistant.stale import find_stale, plan_stale_update
from indexer.parser import parse_source

GOOGLE = '''def move(src, dst, *, overwrite=False):
    """Move a file.

    Hand-written prose that must survive, with ``odd`` spacing  and details.

    Args:
        source: Where the file is.
            It must exist.
        dst: Where it goes.

    Returns:
        Nothing useful.

    Example:
        >>> move("a", "b")
    """
    return dst
'''

NUMPY = '''def scale(values, factor):
    """Scale values.

    Parameters
    ----------
    values : list
        The values.
    factr : float
        The factor.
    extra : int
        Gone now.

    Returns
    -------
    list
        Scaled values.
    """
    return [v * factor for v in values]
'''

SPHINX = '''def load(path, encoding="utf-8"):
    """Load a file.

    :param path: The path.
    :type path: str
    :returns: The text.
    """
    return open(path, encoding=encoding).read()
'''

PEP257 = '''def area(width, height):
    """Return the area.

    Arguments:
    width -- the width
    depth -- the depth
    """
    return width * height
'''


def _stale(code: str):
    parsed = parse_source(code.encode(), "m.py")
    findings = find_stale(parsed)
    symbols = {s.qualname: s for s in parsed.symbols}
    return findings, symbols


def _update(code: str, describe=lambda p: f"About {p.name}.") -> tuple[str, str]:
    findings, symbols = _stale(code)
    assert len(findings) == 1
    finding = findings[0]
    edit, text = plan_stale_update(code.encode(), symbols[finding.qualname], finding, describe)
    return apply_edits(code.encode(), [edit]).decode(), text


def test_detects_renamed_added_removed() -> None:
    (finding,), _ = _stale(GOOGLE)
    assert finding.style == "google"
    assert finding.renamed == [("source", "src")]
    assert finding.added == ["overwrite"]
    assert finding.removed == []
    (finding,), _ = _stale(NUMPY)
    assert finding.style == "numpy"
    assert finding.renamed == [("factr", "factor")]
    assert finding.removed == ["extra"]
    (finding,), _ = _stale(SPHINX)
    assert (finding.style, finding.added) == ("sphinx", ["encoding"])
    (finding,), _ = _stale(PEP257)
    assert (finding.style, finding.renamed) == ("pep257", [("depth", "height")])
    assert "renamed" in finding.message


def test_docstrings_that_list_no_parameters_are_not_stale() -> None:
    code = 'def f(a, b):\n    """Add.\n\n    Returns:\n        The sum.\n    """\n    return a\n'
    assert _stale(code)[0] == []
    code = 'class C:\n  def m(self, a):\n    """Do.\n\n    Args:\n        a: A.\n    """\n'
    assert _stale(code)[0] == []  # self is never expected in the docstring


def test_kwargs_may_document_keywords_it_takes() -> None:
    code = 'def f(a, **kw):\n    """F.\n\n    Args:\n        a: A.\n        color: Red.\n    """\n'
    findings, _ = _stale(code)
    assert findings == []  # ``color`` is a keyword ``**kw`` takes: that documents ``kw`` too
    code = 'def f(a, **kw):\n    """F.\n\n    Args:\n        a: A.\n    """\n'
    findings, _ = _stale(code)
    assert [f.added for f in findings] == [["kw"]]
    assert findings[0].removed == []


def test_update_keeps_prose_and_descriptions_byte_for_byte() -> None:
    updated, text = _update(GOOGLE)
    expected = GOOGLE.replace(
        "        source: Where the file is.\n            It must exist.\n"
        "        dst: Where it goes.\n",
        "        src: Where the file is.\n            It must exist.\n"
        "        dst: Where it goes.\n"
        "        overwrite: About overwrite.\n",
    )
    assert updated == expected
    assert text.startswith("Move a file.\n\nHand-written prose")
    assert _stale(updated)[0] == []
    ast.parse(updated)


@pytest.mark.parametrize("code", [NUMPY, SPHINX, PEP257])
def test_update_fixes_every_style(code: str) -> None:
    updated, _ = _update(code)
    ast.parse(updated)
    assert _stale(updated)[0] == []
    before = code.splitlines()
    after = updated.splitlines()
    assert before[:3] == after[:3]  # summary untouched
    assert before[-2:] == after[-2:]  # closing quotes and code untouched


def test_sphinx_keeps_non_parameter_fields() -> None:
    updated, _ = _update(SPHINX)
    assert ":returns: The text." in updated
    assert ":param encoding: About encoding." in updated
    assert ":type path: str" in updated


def test_crlf_and_tabs_are_preserved() -> None:
    code = GOOGLE.replace("    ", "\t").replace("\n", "\r\n")
    updated, _ = _update(code)
    assert "\r\n" in updated and "\n" not in updated.replace("\r\n", "")
    assert "\t\tsrc: Where the file is.\r\n\t\t\tIt must exist.\r\n" in updated
    ast.parse(updated)
