"""benchmarks/audit_drafts.py: the audit's selection is seeded, public and documented only,
and stripping keeps every file parseable (a local fixture; no network)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import write_tree

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "audit_drafts.py"


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("audit_drafts", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def _package(n: int) -> dict[str, str]:
    body = []
    for i in range(n):
        body.append(
            f'''
def public_{i}(x, y=2):
    """Return the sum number {i} of two values.

    Args:
        x: The first value.
        y: The second value.
    """
    return x + y + {i}
'''
        )
    body.append(
        '''
def only_doc():
    """Do nothing at all here."""


class Box:
    """A box of things."""

    def put(self, item):
        """Put an item in the box."""  ; self.items.append(item)

    def take(self):
        """Take the last item out."""
        return self.items.pop()

    def _hidden(self):
        """A private helper method."""

    def short(self):
        """Short."""


def _private():
    """Private helpers are not sampled."""
'''
    )
    return {
        "pkg/__init__.py": "",
        "pkg/core.py": "".join(body),
        "pkg/tests/test_core.py": 'def test_one():\n    """A test is never sampled."""\n',
    }


def test_only_public_documented_functions_outside_tests_are_candidates(audit, tmp_path):
    root = write_tree(tmp_path / "repo", _package(3))
    found = {q for _, q, _ in audit.candidates(root)}
    assert found == {"public_0", "public_1", "public_2", "only_doc", "Box.put", "Box.take"}


def test_the_choice_is_seeded_per_package_and_capped(audit, tmp_path) -> None:
    root = write_tree(tmp_path / "repo", _package(40))
    found = audit.candidates(root)
    first = audit.choose(found, "pkg", 7, 100)
    assert first == audit.choose(list(found), "pkg", 7, 100)  # the same again
    assert first != audit.choose(found, "pkg", 8, 100)  # another seed, another sample
    assert first != audit.choose(found, "other", 7, 100)  # each package its own order
    assert len(first) == int(len(found) * 0.6)  # the rest stays documented
    assert len(audit.choose(found, "pkg", 7, 5)) == 5


def test_stripping_removes_only_the_chosen_docstrings_and_keeps_files_parseable(audit, tmp_path):
    root = write_tree(tmp_path / "repo", _package(4))
    found = audit.candidates(root)
    chosen = [c for c in found if c[1] in ("public_1", "only_doc", "Box.take", "Box.put")]
    stripped = audit.strip_docstrings(root, chosen, "pkg")
    source = (root / "pkg/core.py").read_text()
    ast.parse(source)  # still Python
    names = {d.qualname for d in stripped}
    assert names == {"public_1", "only_doc", "Box.take"}  # put's shares its line: kept
    by_name = {d.qualname: d for d in stripped}
    assert by_name["public_1"].first_line == "Return the sum number 1 of two values."
    assert by_name["public_1"].signature == "def public_1(x, y=2)"
    assert "def only_doc():\n    pass\n" in source  # a docstring-only body becomes pass
    assert "Return the sum number 0 of two values." in source  # the others stay documented
    assert "Return the sum number 1 of two values." not in source
    assert "Put an item in the box." in source


def test_the_sample_takes_drafts_at_the_floor_first_then_fills_below(audit) -> None:
    def draft(i: int, confidence: float):
        d = audit.Stripped("pkg", "pkg/core.py", f"f{i}", i, f"def f{i}()", "Doc.", i)
        d.draft = {"summary": f"Summary {i}.", "confidence": confidence}
        return d

    drafts = [draft(i, c) for i, c in enumerate([0.9, 0.2, 0.7, 0.1, 0.65, 0.3])]
    sample, passing = audit.audit_sample(drafts, 2)
    assert [d.qualname for d in sample] == ["f0", "f2"] and passing == 2
    sample, passing = audit.audit_sample(drafts, 5)
    assert [d.qualname for d in sample] == ["f0", "f2", "f4", "f1", "f3"] and passing == 3


def test_verdicts_are_keyed_by_the_summary_so_a_changed_draft_needs_a_new_one(audit) -> None:
    d = audit.Stripped("pkg", "p.py", "f", 1, "def f()", "Doc.", 0)
    d.draft = {"summary": "Add two numbers.", "confidence": 0.9}
    key = audit.verdict_key("pkg", "f", "Add two numbers.")
    verdicts = {key: {"verdict": "usable", "reason": "right", "false_statements": 0}}
    assert audit.totals([d], verdicts)["counts"]["usable"] == 1
    d.draft = {"summary": "Add three numbers.", "confidence": 0.9}
    assert audit.totals([d], verdicts)["judged"] == 0
