"""Which definitions a set of changed lines touches (``--changed-since``)."""

from __future__ import annotations

from pathlib import Path

from assistant.changed import ChangedScope, FileChange
from assistant.findings import Finding

SOURCE = (
    '"""M."""\n'  # 1
    "import os\n"  # 2
    "\n\n"  # 3-4
    "class K:\n"  # 5
    "    def a(self):\n"  # 6
    "        return 1\n"  # 7
    "\n"  # 8
    "    def b(self):\n"  # 9
    "        return 2\n"  # 10
    "\n\n"  # 11-12
    "def f():\n"  # 13
    "    x = 1\n"  # 14
    "    return x\n"  # 15
)


def _finding(qualname: str, line: int) -> Finding:
    return Finding("DG001", "m", "m.py", line, 1, qualname, False)


def _scope(tmp_path: Path, change: FileChange) -> ChangedScope:
    (tmp_path / "m.py").write_text(SOURCE)
    return ChangedScope(tmp_path, "main", {"m.py": change})


def test_a_method_change_touches_the_method_and_its_class_not_the_module(tmp_path: Path):
    scope = _scope(tmp_path, FileChange(lines={7}))
    assert scope.covers(_finding("K.a", 6)) and scope.covers(_finding("K", 5))
    assert not scope.covers(_finding("K.b", 9))
    assert not scope.covers(_finding("m", 1)) and not scope.covers(_finding("f", 13))


def test_a_top_level_change_touches_the_module_only(tmp_path: Path):
    scope = _scope(tmp_path, FileChange(lines={2}))
    assert scope.covers(_finding("m", 1))
    assert not scope.covers(_finding("K", 5)) and not scope.covers(_finding("f", 13))


def test_lines_removed_inside_a_function_touch_it(tmp_path: Path):
    scope = _scope(tmp_path, FileChange(deletions={14}))
    assert scope.covers(_finding("f", 13)) and not scope.covers(_finding("K", 5))


def test_other_files_and_new_files(tmp_path: Path):
    scope = _scope(tmp_path, FileChange(whole=True))
    assert scope.covers(_finding("K.b", 9))
    other = Finding("DG001", "m", "other.py", 1, 1, "g", False)
    assert not scope.covers(other)
