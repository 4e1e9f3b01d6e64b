"""``--update-stale`` keeps the wrapping of the entries it does not change and wraps what
it writes to the project's line length."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from assistant.edits import EditRefused, apply_edits
from assistant.faithfulness import ParamFact
from assistant.stale import check_symbol, find_stale, plan_stale_update
from assistant.styles.build import neutral_param_description
from indexer.parser import parse_source
from indexer.symbols import Span
from tests.conftest import write_tree

LONG = "Replace the destination file when it already exists instead of raising an error."


def _update(code: str, describe=lambda p: f"About {p.name}.", **kwargs) -> str:
    source = code.encode()
    parsed = parse_source(source, "m.py")
    (finding,) = find_stale(parsed)
    symbol = next(s for s in parsed.symbols if s.qualname == finding.qualname)
    edit, text = plan_stale_update(source, symbol, finding, describe, **kwargs)
    updated = apply_edits(source, [edit]).decode()
    ast.parse(updated)
    assert find_stale(parse_source(updated.encode(), "m.py")) == []
    return updated


GOOGLE = '''def move(src, dst, *, overwrite=False):
    """Move a file.

    Args:
        src: Where the file is, a path the author chose to wrap
            by hand at a short width.
        dst: Where it goes.
    """
    shutil.move(src, dst)
'''


def test_entries_it_does_not_change_keep_their_lines() -> None:
    assert _update(GOOGLE) == GOOGLE.replace(
        "        dst: Where it goes.\n",
        "        dst: Where it goes.\n        overwrite: About overwrite.\n",
    )


def test_a_renamed_entry_keeps_its_wrapping() -> None:
    code = GOOGLE.replace("src: Where", "source: Where").replace(", *, overwrite=False", "")
    assert _update(code) == GOOGLE.replace(", *, overwrite=False", "")


def test_what_it_writes_is_wrapped_to_the_line_length() -> None:
    updated = _update(GOOGLE, lambda p: LONG, line_length=72)
    assert updated == GOOGLE.replace(
        "        dst: Where it goes.\n",
        "        dst: Where it goes.\n"
        "        overwrite: Replace the destination file when it already exists\n"
        "            instead of raising an error.\n",
    )
    assert max(len(line) for line in updated.splitlines()) <= 72
    assert _update(GOOGLE, lambda p: LONG) == GOOGLE.replace(  # 88 by default
        "        dst: Where it goes.\n",
        "        dst: Where it goes.\n"
        "        overwrite: Replace the destination file when it already exists instead of\n"
        "            raising an error.\n",
    )


def test_the_section_header_is_kept_as_written() -> None:
    code = GOOGLE.replace("Args:", "Arguments:")
    assert _update(code) == code.replace(
        "        dst: Where it goes.\n",
        "        dst: Where it goes.\n        overwrite: About overwrite.\n",
    )


NUMPY = '''def scale(values, factor, *, clip=None):
    """Scale values.

    Parameters
    ----------
    values : list
        The values, as the author
        wrapped them.
    factor : float
        The factor.

    Returns
    -------
    list
        Scaled values.
    """
    return values
'''


def test_numpy_entries_keep_their_lines_and_new_ones_wrap() -> None:
    assert _update(NUMPY, lambda p: LONG, line_length=60) == NUMPY.replace(
        "        The factor.\n",
        "        The factor.\n"
        "    clip\n"
        "        Replace the destination file when it already exists\n"
        "        instead of raising an error.\n",
    )


def test_numpy_shared_entries() -> None:
    code = NUMPY.replace(
        "    values : list\n        The values, as the author\n        wrapped them.\n"
        "    factor : float\n",
        "    values, factor : float\n",
    )
    assert _update(code) == code.replace(
        "        The factor.\n", "        The factor.\n    clip\n        About clip.\n"
    )
    dropped = code.replace("def scale(values, factor, *, clip=None)", "def scale(values)")
    assert _update(dropped) == dropped.replace(
        "    values, factor : float\n", "    values : float\n"
    )


SPHINX = '''def load(path, encoding="utf-8"):
    """Load a file.

    :param path: The path to read, wrapped
        by the author.
    :type path: str
    :returns: The text.
    """
    return path
'''


def test_sphinx_type_lines_follow_their_parameter() -> None:
    assert _update(SPHINX) == SPHINX.replace(
        "    :type path: str\n",
        "    :type path: str\n    :param encoding: About encoding.\n",
    )
    renamed = SPHINX.replace(":param path:", ":param pth:").replace(":type path:", ":type pth:")
    assert _update(renamed.replace('encoding="utf-8"', "*, encoding")) == SPHINX.replace(
        "    :type path: str\n", "    :type path: str\n    :param encoding: About encoding.\n"
    ).replace('encoding="utf-8"', "*, encoding")
    two = SPHINX.replace("    :returns:", "    :param mode: The mode.\n    :returns:")
    removed = two.replace('def load(path, encoding="utf-8")', "def load(mode)")
    assert _update(removed) == removed.replace(
        "    :param path: The path to read, wrapped\n        by the author.\n    :type path: str\n",
        "",
    )


def test_a_section_left_without_parameters_goes() -> None:
    code = (
        'def f():\n    """Do it.\n\n    Args:\n        a: The a.\n        b: The b.\n\n'
        '    Returns:\n        Nothing.\n    """\n'
    )
    assert _update(code) == ('def f():\n    """Do it.\n\n    Returns:\n        Nothing.\n    """\n')
    code = 'def f():\n    """Do it.\n\n    :param a: The a.\n    :param b: The b.\n    """\n'
    assert _update(code) == 'def f():\n    """Do it.\n    """\n'


def test_sphinx_and_pep257_wrap_what_they_write() -> None:
    assert _update(SPHINX, lambda p: LONG, line_length=60) == SPHINX.replace(
        "    :type path: str\n",
        "    :type path: str\n"
        "    :param encoding: Replace the destination file when it\n"
        "        already exists instead of raising an error.\n",
    )
    pep257 = (
        'def area(width, height):\n    """Return the area.\n\n    Arguments:\n'
        '    width -- the width, as\n        wrapped by hand\n    """\n    return width\n'
    )
    assert _update(pep257, lambda p: LONG, line_length=60) == pep257.replace(
        "        wrapped by hand\n",
        "        wrapped by hand\n"
        "    height -- Replace the destination file when it already\n"
        "        exists instead of raising an error.\n",
    )


def test_the_pipeline_wraps_to_the_repositorys_line_length(tmp_path: Path, make_pipeline) -> None:
    code = GOOGLE.replace("overwrite=False", "replace_existing_files_quietly=False")
    root = write_tree(
        tmp_path / "repo", {"m.py": code, "pyproject.toml": "[tool.ruff]\nline-length = 60\n"}
    )
    source = code.encode()
    parsed = parse_source(source, "m.py")
    (finding,) = find_stale(parsed)
    (symbol,) = parsed.symbols[1:]
    pipeline = make_pipeline(root)
    edited = apply_edits(source, [pipeline.plan_stale_update("m.py", source, symbol, finding)])
    # a parameter no related symbol documents gets a neutral description
    describe = lambda p: neutral_param_description(  # noqa: E731
        ParamFact(p.name, p.kind, p.default, p.annotation), "sphinx"
    )
    at_60, _ = plan_stale_update(source, symbol, finding, describe, line_length=60)
    at_88, _ = plan_stale_update(source, symbol, finding, describe, line_length=88)
    assert at_60.new_text != at_88.new_text
    assert edited == apply_edits(source, [at_60])
    assert edited.decode() == code.replace(
        "        dst: Where it goes.\n",
        "        dst: Where it goes.\n"
        "        replace_existing_files_quietly: The\n"
        "            ``replace_existing_files_quietly`` value.\n",
    )


def test_a_concatenated_docstring_is_not_updated_in_place() -> None:
    """Item 10: the parser may report a concatenation (``("a" "b")``) as one docstring;
    its lines are not one literal's lines, so a stale update refuses instead of guessing."""
    code = 'def f(a, b):\n    ("""Do.\n\n    Args:\n        a: A.\n    """ "")\n    return a\n'
    source = code.encode()
    symbol = parse_source(source, "m.py").symbols[1]
    start = source.index(b'("""')
    end = source.index(b'"")') + 3
    span = Span(1, 4, 5, 11, start, end)
    symbol = dataclasses.replace(symbol, doc_span=span, docstring="Do.\n\nArgs:\n    a: A.\n")
    finding = check_symbol(symbol)
    assert finding is not None and finding.added == ["b"]
    with pytest.raises(EditRefused, match="not a single string literal"):
        plan_stale_update(source, symbol, finding, lambda p: "About b.")


def test_a_sphinx_type_without_its_param_joins_the_new_entry() -> None:
    code = (
        'def load(path, encoding="utf-8"):\n    """Load a file.\n\n'
        "    :param path: The path.\n    :type encoding: str\n    :returns: The text.\n"
        '    """\n    return path\n'
    )
    assert _update(code) == code.replace(
        "    :type encoding: str\n",
        "    :param encoding: About encoding.\n    :type encoding: str\n",
    )
