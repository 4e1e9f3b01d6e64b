"""Overloads and stubs in the "needs a docstring" rule (indexer.coverage).

``typing.overload`` is recognised through the module's imports, whatever name it goes by;
``.pyi`` files and functions whose body is only ``...`` are not counted unless
``include_stubs`` is on. Results from the index agree with a fresh parse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.coverage import COUNTING_FLAGS, CheckOptions, check_paths, counting_options
from indexer.parser import parse_source
from tests.conftest import write_tree

IMPLEMENTATION = "def scale(x):\n    return x\n"


def missing(root: Path, **options) -> list[tuple[str, int]]:
    report = check_paths(
        [root], CheckOptions(include_module=False, **options), root, use_index=False
    )
    return [(m.qualname, m.line) for m in report.missing]


@pytest.mark.parametrize(
    ("imports", "decorator"),
    [
        ("from typing import overload", "overload"),
        ("import typing", "typing.overload"),
        ("import typing as t", "t.overload"),
        ("from typing import overload as ov", "ov"),
        ("import typing_extensions", "typing_extensions.overload"),
        ("from typing_extensions import overload", "overload"),
        ("import typing_extensions as te", "te.overload"),
        ("from typing import *", "overload"),
    ],
)
def test_overloads_are_found_through_the_imports(tmp_path: Path, imports: str, decorator: str):
    # bodies are ``pass`` and stubs are counted: only the overload rule can skip them
    overloads = "".join(
        f"@{decorator}\ndef scale(x: {kind}) -> {kind}:\n    pass\n\n\n" for kind in ("int", "str")
    )
    write_tree(tmp_path, {"mod.py": f"{imports}\n\n\n{overloads}{IMPLEMENTATION}"})
    assert missing(tmp_path, include_stubs=True) == [("scale", 14)]  # the implementation


def test_a_local_function_named_overload_is_not_typings(tmp_path: Path):
    source = "def overload(func):\n    return func\n\n\n@overload\ndef scale(x):\n    return x\n"
    write_tree(tmp_path, {"mod.py": source})
    assert missing(tmp_path) == [("overload", 1), ("scale", 6)]
    symbol = parse_source(source.encode(), "mod.py").symbols[2]
    assert symbol.decorators == ["overload"] and not symbol.is_overload


def test_other_names_of_other_modules_are_not_overloads(tmp_path: Path):
    source = "import functools as t\n\n\n@t.overload\ndef scale(x):\n    return x\n"
    write_tree(tmp_path, {"mod.py": source})
    assert missing(tmp_path) == [("scale", 5)]


STUBS = (
    "from typing import Protocol\n\n\n"
    "def stub(x: int) -> int: ...\n\n\n"
    "def stub_on_its_line(x: int) -> int:\n    ...\n\n\n"
    "def passes(x):\n    pass\n\n\n"
    "class Sized(Protocol):\n    def size(self) -> int: ...\n\n"
    "    def total(self) -> int:\n        return 1\n"
)


def test_functions_whose_body_is_only_ellipsis_are_stubs(tmp_path: Path):
    write_tree(tmp_path, {"mod.py": STUBS})
    assert missing(tmp_path) == [("passes", 11), ("Sized", 15), ("Sized.total", 18)]
    assert missing(tmp_path, include_stubs=True) == [
        ("stub", 4),
        ("stub_on_its_line", 7),
        ("passes", 11),
        ("Sized", 15),
        ("Sized.size", 16),
        ("Sized.total", 18),
    ]


def test_stub_files_are_not_counted_by_default(tmp_path: Path):
    write_tree(
        tmp_path,
        {
            "pkg/mod.pyi": "def area(x: int) -> int: ...\n\nclass Box:\n    size: int\n",
            "pkg/mod.py": "def area(x):\n    return x\n",
        },
    )
    report = check_paths([tmp_path], CheckOptions(), tmp_path, use_index=False)
    assert {(m.path, m.qualname) for m in report.missing} == {
        ("pkg/mod.py", "pkg.mod"),
        ("pkg/mod.py", "area"),
    }
    everything = check_paths([tmp_path], CheckOptions(include_stubs=True), tmp_path)
    assert {(m.path, m.qualname) for m in everything.missing} >= {
        ("pkg/mod.pyi", "pkg.mod"),
        ("pkg/mod.pyi", "area"),
        ("pkg/mod.pyi", "Box"),
    }


def test_the_index_gives_the_same_answers(tmp_path: Path):
    from indexer.index import IndexConfig, update_index

    write_tree(
        tmp_path,
        {
            "stubs.py": STUBS,
            "over.py": "import typing as t\n\n\n@t.overload\ndef f(x: int) -> int:\n"
            "    pass\n\n\ndef f(x):\n    return x\n",
        },
    )
    for flags in ({}, {"include_stubs": True}):
        options = CheckOptions(**flags)
        parsed = check_paths([tmp_path], options, tmp_path, use_index=False)
        update_index(tmp_path, IndexConfig(embed=False))
        assert check_paths([tmp_path], options, tmp_path).to_dict() == parsed.to_dict()


def test_include_stubs_is_a_counting_flag_read_from_config():
    assert "include_stubs" in COUNTING_FLAGS
    assert counting_options({"include_stubs": True}).include_stubs
    assert not counting_options({}).include_stubs
