"""Bulk runs and the paths they read and write (issue #19 items 2, 8, 17): nothing outside
the repository is read or written, odd file names are skipped and counted, and a file in a
declared encoding is written back in that encoding."""

from __future__ import annotations

import ast
import difflib
import hashlib
import os
from pathlib import Path

import pytest

from assistant.bulk import document_paths
from tests.conftest import write_tree

OUTSIDE = "outside the repository"
CODE = "def total(values):\n    return sum(values)\n\n\ndef scale(x, k):\n    return x * k\n"
LATIN1 = (
    "# -*- coding: latin-1 -*-\n"
    '"""Caf\xe9 helpers."""\n\n\n'
    "def menu(prix):\n    return 'caf\xe9 ' + str(prix)\n\n\n"
    "class Tasse:\n    def remplir(self, n):\n        # d\xe9j\xe0 plein\n        return n\n"
).encode("latin-1")


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with links to an outside folder, a file outside and ``..`` access."""
    repo = write_tree(tmp_path / "repo", {"inside.py": CODE, "sub/keep.py": "x = 1\n"})
    outside = write_tree(tmp_path / "elsewhere", {"secret.py": CODE, "more/deep.py": CODE})
    (tmp_path / "outside.py").write_text(CODE)
    (repo / "link_out.py").symlink_to(outside / "secret.py")
    (repo / "linkdir").symlink_to(outside)
    return repo, outside


@pytest.mark.parametrize("named", ["link_out.py", "linkdir", "sub/../../outside.py"])
def test_write_never_leaves_the_repository(layout, make_pipeline, named: str) -> None:
    repo, outside = layout
    parent = repo.parent
    before = {**_digests(outside), "outside.py": _digests(parent)["outside.py"]}
    report = document_paths(make_pipeline(repo), [repo / named], write=True)
    after = {**_digests(outside), "outside.py": _digests(parent)["outside.py"]}
    assert after == before
    assert report.written == [] and report.results == []
    assert report.skipped == {OUTSIDE: 1}
    assert [reason for _, reason in report.skipped_paths] == [OUTSIDE]


def test_walking_the_root_skips_and_names_the_links(layout, make_pipeline) -> None:
    repo, outside = layout
    before = _digests(outside)
    report = document_paths(make_pipeline(repo), [repo], write=True)
    assert _digests(outside) == before
    assert report.written == ["inside.py"]
    assert sorted(report.skipped_paths) == [("link_out.py", OUTSIDE), ("linkdir", OUTSIDE)]


@pytest.mark.parametrize("same_content", [True, False])
def test_a_file_swapped_for_a_link_during_the_run_is_not_written(
    tmp_path: Path, make_pipeline, same_content: bool
) -> None:
    repo = write_tree(tmp_path / "repo", {"a.py": CODE})
    target = write_tree(tmp_path / "elsewhere", {"a.py": CODE if same_content else CODE + "\n"})
    before = (target / "a.py").read_bytes()

    def swap(stage: str, advance: int, total: int) -> None:
        if stage == "write" and advance == 0:  # after reading, before writing
            (repo / "a.py").unlink()
            (repo / "a.py").symlink_to(target / "a.py")

    report = document_paths(make_pipeline(repo), [repo], write=True, progress=swap)
    assert (target / "a.py").read_bytes() == before
    assert report.written == []
    assert ("a.py", OUTSIDE) in report.skipped_paths


def test_undecodable_file_names_are_skipped_and_the_rest_runs(
    tmp_path: Path, make_pipeline
) -> None:
    repo = write_tree(tmp_path / "repo", {"ok.py": CODE})
    odd = os.fsencode(repo) + b"/caf\xe9.py"
    with open(odd, "wb") as handle:
        handle.write(CODE.encode())
    report = document_paths(make_pipeline(repo), [repo], write=True)
    assert report.written == ["ok.py"] and report.exit_code == 0
    assert report.skipped == {"undecodable name": 1}
    assert report.skipped_paths == [("caf\\udce9.py", "undecodable name")]
    with open(odd, "rb") as handle:
        assert handle.read() == CODE.encode()


def test_files_that_cannot_be_read_are_named(tmp_path: Path, make_pipeline) -> None:
    repo = write_tree(
        tmp_path / "repo",
        {"ok.py": CODE, "latin.py": "x = 'caf\xe9'\n".encode("latin-1"), "bin.py": b"\0\1"},
    )
    report = document_paths(make_pipeline(repo), [repo])
    assert report.skipped == {"not UTF-8": 1, "binary": 1}
    reasons = dict(report.skipped_paths)
    assert sorted(reasons) == ["bin.py", "latin.py"]
    assert reasons["latin.py"].startswith("not UTF-8")


def test_a_latin1_file_is_written_back_in_latin1(tmp_path: Path, make_pipeline) -> None:
    repo = write_tree(tmp_path / "repo", {"latin.py": LATIN1})
    report = document_paths(make_pipeline(repo), [repo], write=True)
    assert report.exit_code == 0, report.refused + report.errors
    assert report.written == ["latin.py"]
    assert {r.qualname for r in report.results} == {"menu", "Tasse", "Tasse.remplir"}
    new = (repo / "latin.py").read_bytes()
    assert new.startswith(b"# -*- coding: latin-1 -*-\n")
    assert b"\xc3" not in new  # never converted to UTF-8
    assert new.count(b"\xe9") >= LATIN1.count(b"\xe9")
    old_lines, new_lines = LATIN1.splitlines(True), new.splitlines(True)
    opcodes = difflib.SequenceMatcher(None, old_lines, new_lines, False).get_opcodes()
    assert {tag for tag, *_ in opcodes} == {"equal", "insert"}  # every original byte kept
    tree = ast.parse(new)  # Python reads it with its cookie
    documented = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and ast.get_docstring(node)
    }
    assert documented == {"menu", "Tasse", "remplir"}


def test_a_draft_the_file_encoding_cannot_hold_is_refused(tmp_path: Path) -> None:
    from assistant.bulk import encode_source
    from assistant.edits import EditRefused

    text = '# coding: latin-1\ndef f():\n    """Return \u2211 of caf\u00e9."""\n'
    with pytest.raises(EditRefused, match=r"latin\.py: .*iso-8859-1.*\\u2211"):
        encode_source(text.encode("utf-8"), "iso-8859-1", "latin.py")
    fine = text.replace("\u2211", "sum")
    assert encode_source(fine.encode("utf-8"), "iso-8859-1", "latin.py") == fine.encode("latin-1")
    assert encode_source(b"x = 1\n", "utf-8", "a.py") == b"x = 1\n"
