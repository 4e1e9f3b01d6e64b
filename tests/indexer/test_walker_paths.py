"""What the walker and the reader refuse or accept (issue #19 items 2, 8, 17): paths whose
real location is outside the repository, file names that are not UTF-8, and files in a
declared (PEP 263) encoding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.coverage import CheckOptions, check_paths
from indexer.index import IndexConfig, update_index
from indexer.parser import SkipFile, parse_file, read_source
from indexer.store import IndexStore
from indexer.walker import select, walk
from tests.conftest import write_tree

OUTSIDE = "outside the repository"
ODD = b"caf\xe9.py"  # Latin-1 bytes: not a valid UTF-8 file name
ODD_REL = "caf\\udce9.py"  # how the walker names it
LATIN1 = (
    "# -*- coding: latin-1 -*-\n"
    '"""Caf\xe9 helpers."""\n\n\n'
    "def menu(prix):\n    return 'caf\xe9 ' + str(prix)\n\n\n"
    "class Tasse:\n    def remplir(self, n):\n        return n\n"
).encode("latin-1")


def _odd_file(folder: Path, content: bytes = b"def g(y):\n    return y\n") -> None:
    with open(os.fsencode(folder) + b"/" + ODD, "wb") as handle:
        handle.write(content)


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path]:
    repo = write_tree(tmp_path / "repo", {"pkg/a.py": "x = 1\n", "sub/b.py": "y = 2\n"})
    outside = write_tree(tmp_path / "elsewhere", {"secret.py": "z = 3\n"})
    (tmp_path / "outside.py").write_text("w = 4\n")
    (repo / "link.py").symlink_to(outside / "secret.py")
    (repo / "linkdir").symlink_to(outside)
    return repo, outside


def test_named_paths_that_resolve_outside_are_skipped_and_named(layout) -> None:
    repo, _ = layout
    named = [repo / "link.py", repo / "linkdir", repo / "sub/../../outside.py", repo / "pkg"]
    result = select(named, repo)
    assert sorted(result.files) == ["pkg/a.py"]
    assert result.skipped == {OUTSIDE: 3}
    assert [reason for _, reason in result.skipped_paths] == [OUTSIDE] * 3


def test_walked_links_outside_are_skipped_with_the_same_reason(layout) -> None:
    repo, _ = layout
    result = walk(repo)
    assert sorted(result.files) == ["pkg/a.py", "sub/b.py"]
    assert sorted(result.skipped_paths) == [("link.py", OUTSIDE), ("linkdir", OUTSIDE)]


def test_dotdot_inside_the_root_is_named_by_its_real_path(layout) -> None:
    repo, _ = layout
    result = select([repo / "sub" / ".." / "pkg" / "a.py"], repo)
    assert list(result.files) == ["pkg/a.py"]


def test_a_gitignore_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "elsewhere", {"rules": "*.py\n"})
    repo = write_tree(tmp_path / "repo", {"a.py": "x = 1\n"})
    (repo / ".gitignore").symlink_to(outside / "rules")
    assert list(walk(repo).files) == ["a.py"]


def test_undecodable_names_are_skipped_and_counted(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"ok.py": "def f(x):\n    return x\n"})
    _odd_file(repo)
    os.mkdir(os.fsencode(repo) + b"/d\xff")
    _odd_file(repo / os.fsdecode(b"d\xff"))
    result = walk(repo)
    assert list(result.files) == ["ok.py"]
    assert result.skipped == {"undecodable name": 2}
    assert sorted(result.skipped_paths) == [
        ("caf\\udce9.py", "undecodable name"),
        ("d\\udcff", "undecodable name"),
    ]
    named = select([repo / os.fsdecode(ODD), repo / "ok.py"], repo)
    assert list(named.files) == ["ok.py"]
    assert named.skipped_paths == [(ODD_REL, "undecodable name")]


def test_index_completes_with_an_undecodable_name(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"ok.py": "def f(x):\n    return x\n"})
    _odd_file(repo)
    summary = update_index(repo, IndexConfig(embed=False))
    assert summary.skipped == {"undecodable name": 1}
    assert (ODD_REL, "undecodable name") in summary.skipped_paths
    with IndexStore.open(repo) as store:
        assert sorted(store.files()) == ["ok.py"]


def test_read_source_honours_a_coding_cookie(tmp_path: Path) -> None:
    from indexer.parser import read_source_file

    path = tmp_path / "latin.py"
    path.write_bytes(LATIN1)
    data = read_source(path)
    assert data == LATIN1.decode("latin-1").encode("utf-8")
    read = read_source_file(path)
    assert (read.data, read.encoding, read.raw) == (data, "iso-8859-1", LATIN1)
    names = [s.qualname for s in parse_file(path, tmp_path).symbols]
    assert names == ["latin", "menu", "Tasse", "Tasse.remplir"]


def test_read_source_keeps_utf8_and_a_bom_as_they_are(tmp_path: Path) -> None:
    from indexer.parser import read_source_file

    plain = tmp_path / "plain.py"
    plain.write_bytes("x = 'café'\n".encode())
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfx = 1\n")
    assert read_source_file(plain).encoding == "utf-8"
    assert read_source(bom) == b"\xef\xbb\xbfx = 1\n"
    assert read_source_file(bom).encoding == "utf-8-sig"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"# coding: latin-1\n\xef\xbb\xbfx = 1\n", None),  # latin-1 reads any byte
        (b"# coding: ascii\nx = '\xe9'\n", "bad encoding"),  # does not decode as declared
        (b"# coding: no-such-codec\nx = 1\n", "bad encoding"),
        (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "bad encoding"),  # BOM and cookie disagree
        ("x = 'caf\xe9'\n".encode("latin-1"), "not UTF-8"),  # no cookie: UTF-8
    ],
)
def test_undecodable_files_are_still_skipped(tmp_path: Path, content, reason) -> None:
    path = tmp_path / "bad.py"
    path.write_bytes(content)
    if reason is None:
        read_source(path).decode("utf-8")
        return
    with pytest.raises(SkipFile) as info:
        read_source(path)
    assert info.value.reason == reason


def test_index_and_check_count_a_latin1_file(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo", {"latin.py": LATIN1})
    summary = update_index(repo, IndexConfig(embed=False))
    assert summary.skipped == {} and summary.symbols == 4
    with IndexStore.open(repo) as store:
        assert [s.qualname for s in store.symbols("latin.py")] == [
            "latin",
            "menu",
            "Tasse",
            "Tasse.remplir",
        ]
    report = check_paths([repo], CheckOptions(), repo)
    assert {m.qualname for m in report.missing} == {"menu", "Tasse", "Tasse.remplir"}
