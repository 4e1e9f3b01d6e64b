"""``# docgen: ignore`` directives: where they count, what they silence, and coverage."""

from __future__ import annotations

from pathlib import Path

from indexer.coverage import CheckOptions, check_paths
from indexer.parser import parse_source
from indexer.suppressions import scan, suppressions_of
from tests.conftest import write_tree

SOURCE = '''"""Module."""
import functools


def plain():  # docgen: ignore
    pass


@functools.cache  # docgen: ignore[DG101, DG102]
def decorated():
    pass


def spread(
    a,
    b,
):  # docgen: ignore[DG1]
    pass


# docgen: ignore
def above():
    pass


def text():
    return "# docgen: ignore"


class Klass:  # docgen: ignore[DG001]
    def method(self):
        pass
'''


def _rules(source: str = SOURCE, path: str = "m.py"):
    data = source.encode()
    return suppressions_of(data, path, parse_source(data, path))


def test_definition_line_silences_every_code():
    rules = _rules()
    assert rules.rule_for("DG001", "plain") is not None
    assert rules.rule_for("DG203", "plain") is not None


def test_decorator_line_silences_only_the_listed_codes():
    rules = _rules()
    assert rules.rule_for("DG101", "decorated") is not None
    assert rules.rule_for("DG102", "decorated") is not None
    assert rules.rule_for("DG001", "decorated") is None


def test_a_code_prefix_silences_its_family_on_a_multiline_signature():
    rules = _rules()
    assert rules.rule_for("DG105", "spread") is not None
    assert rules.rule_for("DG001", "spread") is None


def test_a_comment_on_its_own_line_and_strings_are_not_directives():
    rules = _rules()
    assert rules.rule_for("DG001", "above") is None
    assert rules.rule_for("DG001", "text") is None


def test_a_class_directive_does_not_reach_its_methods():
    rules = _rules()
    assert rules.rule_for("DG001", "Klass") is not None
    assert rules.rule_for("DG001", "Klass.method") is None


def test_file_level_directive_with_and_without_codes():
    some = _rules('"""M."""\n# docgen: ignore-file[DG001]\ndef f():\n    pass\n')
    assert some.rule_for("DG001", "f") is not None and some.rule_for("DG101", "f") is None
    every = _rules("def f():\n    pass\n\n# docgen: ignore-file\n")
    assert every.rule_for("DG101", "anything") is not None


def test_indented_or_trailing_ignore_file_is_not_file_level():
    assert _rules("def f():\n    # docgen: ignore-file\n    pass\n") is None
    rules = _rules("def f():  # docgen: ignore-file\n    pass\n")
    assert rules is None or rules.rule_for("DG001", "f") is None


def test_empty_code_list_silences_nothing():
    assert _rules("def f():  # docgen: ignore[]\n    pass\n") is None


def test_property_getter_and_setter_are_told_apart_by_line():
    source = (
        "class C:\n"
        "    @property\n"
        "    def x(self):\n"
        "        return 1\n\n"
        "    @x.setter  # docgen: ignore\n"
        "    def x(self, value):\n"
        "        pass\n"
    )
    rules = _rules(source)
    assert rules.rule_for("DG001", "C.x", line=3) is None
    assert rules.rule_for("DG001", "C.x", line=7) is not None


def test_other_comment_syntaxes():
    js = "function f() { // docgen: ignore\n  return 1;\n}\n"
    assert _rules(js, "a.js").rule_for("DG001", "f") is not None


def test_files_without_the_marker_are_not_parsed():
    assert scan(b"def f():\n    pass\n", "m.py") is None


def test_coverage_leaves_silenced_symbols_out_and_lists_them_as_ignored(tmp_path: Path):
    root = write_tree(
        tmp_path,
        {
            "a.py": '"""A."""\n\n\ndef f():  # docgen: ignore\n    pass\n\n\ndef g():\n    pass\n',
            "b.py": "# docgen: ignore-file[DG001]\ndef h():\n    pass\n",
            "c.py": '"""C."""\n\n\ndef k():  # docgen: ignore[DG101]\n    pass\n',
        },
    )
    report = check_paths([root], CheckOptions(), root=root, use_index=False)
    assert sorted(m.qualname for m in report.missing) == ["g", "k"]
    assert sorted(m.qualname for m in report.ignored) == ["b", "f", "h"]
    # a.py and c.py: module documented, g and k missing: 2 documented of 4 counted
    assert (report.documented, report.total) == (2, 4)
    assert set(report.suppressions) == {"a.py", "b.py", "c.py"}
    assert report.to_dict()["ignored"][0]["qualname"] in {"b", "f", "h"}


def test_directives_in_a_file_with_a_coding_cookie(tmp_path: Path):
    source = '# -*- coding: latin-1 -*-\n"""Caf\xe9."""\n\n\ndef f():  # docgen: ignore\n    pass\n'
    root = write_tree(tmp_path, {"latin.py": source.encode("latin-1")})
    report = check_paths([root], CheckOptions(), root=root, use_index=False)
    assert [m.qualname for m in report.ignored] == ["f"] and report.missing == []
