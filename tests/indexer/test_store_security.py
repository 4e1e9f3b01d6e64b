"""The index folder ``.docgen/`` holds no surprises (issue #19 items 1, 3 and 18).

- A planted ``.docgen`` never makes docgen write outside the repository: a symlinked
  ``.docgen``, a dangling ``.gitignore`` link, an ``index.sqlite`` linked to a foreign
  database are removed (the link, never its target) and the index is rebuilt in place.
- A pickle planted in any store file runs nothing: SQLite rows are JSON and float32 bytes,
  ``vectors.faiss`` is read by FAISS' own reader.
- Damage is repaired by the next ``docgen index`` and then never reported again: a
  wrong-type ``vectors.faiss``, a corrupt ``symbols.data`` row, a wrong-length vector blob.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from indexer.embed import Embedder, shared_embedder
from indexer.index import IndexConfig, update_index
from indexer.store import IndexStore, IndexUnavailable
from tests.conftest import write_tree

NO_EMBED = IndexConfig(embed=False)
ALL = IndexConfig(embed_all=True)
FILES = {
    "geo/circle.py": 'def circle_area(radius):\n    """Return the area of a circle."""\n'
    "    return 3.14159 * radius * radius\n",
    "geo/square.py": 'def square_area(side):\n    """Return the area of a square."""\n'
    "    return side * side\n",
}


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (not following links) -> its SHA-256."""
    found = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(dirpath) / name
            found[str(path.relative_to(folder))] = (
                "link" if path.is_symlink() else hashlib.sha256(path.read_bytes()).hexdigest()
            )
    return found


def _repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", dict(FILES))


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


# ---------------------------------------------------------------- item 3: planted links
def test_symlinked_index_folder_is_replaced_not_followed(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    outside = write_tree(tmp_path / "outside", {"keep.txt": "mine\n", "index.sqlite": "x"})
    before = _snapshot(outside)
    (root / ".docgen").symlink_to(outside, target_is_directory=True)

    with pytest.raises(IndexUnavailable, match="symbolic link"):
        IndexStore.open(root)  # reading never follows it either
    summary = update_index(root, NO_EMBED)
    assert _snapshot(outside) == before
    assert (root / ".docgen").is_dir() and not (root / ".docgen").is_symlink()
    assert any("symbolic link" in w and "rebuilt" in w for w in summary.warnings)
    assert all(str(outside) not in w for w in summary.warnings)
    with IndexStore.open(root) as store:
        assert sorted(store.files()) == ["geo/circle.py", "geo/square.py"]
    assert update_index(root, NO_EMBED).warnings == []


def test_dangling_gitignore_link_is_not_written_through(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    target = tmp_path / "outside" / "planted"
    target.parent.mkdir()
    (root / ".docgen").mkdir()
    (root / ".docgen" / ".gitignore").symlink_to(target)
    summary = update_index(root, NO_EMBED)
    assert not target.exists()
    marker = root / ".docgen" / ".gitignore"
    assert marker.is_file() and not marker.is_symlink() and "*" in marker.read_text()
    assert any(".gitignore" in w for w in summary.warnings)


def test_index_database_linked_to_a_foreign_database(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    foreign = tmp_path / "outside" / "app.sqlite"
    foreign.parent.mkdir()
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (name TEXT)")
        db.execute("INSERT INTO users VALUES ('ada')")
    db.close()
    before = _snapshot(foreign.parent)
    (root / ".docgen").mkdir()
    (root / ".docgen" / "index.sqlite").symlink_to(foreign)

    summary = update_index(root, NO_EMBED)
    assert _snapshot(foreign.parent) == before
    assert not (root / ".docgen" / "index.sqlite").is_symlink()
    assert any("index.sqlite" in w for w in summary.warnings)
    with IndexStore.open(root) as store:
        assert len(store.files()) == 2


def test_hard_linked_index_database_is_not_shared(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    foreign = tmp_path / "outside" / "app.sqlite"
    foreign.parent.mkdir()
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    db.close()
    before = _snapshot(foreign.parent)
    (root / ".docgen").mkdir()
    os.link(foreign, root / ".docgen" / "index.sqlite")
    update_index(root, NO_EMBED)
    assert _snapshot(foreign.parent) == before


def test_other_links_inside_the_index_folder_are_removed(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    update_index(root, NO_EMBED)
    outside = write_tree(tmp_path / "outside", {"v.faiss": "foreign\n"})
    before = _snapshot(outside)
    (root / ".docgen" / "vectors.faiss").symlink_to(outside / "v.faiss")
    (root / ".docgen" / "index.sqlite-wal").unlink(missing_ok=True)
    (root / ".docgen" / "index.sqlite-wal").symlink_to(outside / "wal")
    with pytest.raises(IndexUnavailable, match="was a symbolic link"):
        IndexStore.open(root)  # nothing is read through a link either
    summary = update_index(root, NO_EMBED)
    assert _snapshot(outside) == before and not (outside / "wal").exists()
    assert not any(p.is_symlink() for p in (root / ".docgen").iterdir())
    assert summary.warnings


def test_index_folder_that_is_a_file_is_replaced(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / ".docgen").write_text("not a folder")
    summary = update_index(root, NO_EMBED)
    assert (root / ".docgen").is_dir() and summary.warnings


# ---------------------------------------------------------------- item 1: no pickle loads
def test_pickles_planted_in_the_index_run_nothing(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    update_index(root, NO_EMBED)
    marker = tmp_path / "ran"
    payload = pickle.dumps(_Planted(marker))
    db_path = root / ".docgen" / "index.sqlite"
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE symbols SET data = ?, vector = ?", (payload, payload))
        db.execute("UPDATE files SET imports = ?", (payload,))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('model_id', ?)", (payload,))
    db.close()
    (root / ".docgen" / "vectors.faiss").write_bytes(payload)

    with IndexStore.open(root) as store:  # readers skip what is not JSON
        assert store.symbols() == []
        assert store.imports("geo/circle.py") == {}
    summary = update_index(root, NO_EMBED)
    assert not marker.exists()
    assert any("damaged" in w for w in summary.warnings)
    with IndexStore.open(root) as store:
        assert {s.qualname for s in store.symbols()} >= {"circle_area", "square_area"}
    assert not marker.exists()


# ---------------------------------------------------------------- item 18: repaired once
@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return shared_embedder()


def _damage_vectors_text(root: Path) -> None:
    (root / ".docgen" / "vectors.faiss").write_text("this is not a FAISS index\n")


def _damage_vectors_other_type(root: Path) -> None:
    import faiss

    other = faiss.IndexFlatL2(16)
    other.add(np.zeros((3, 16), dtype=np.float32))
    faiss.write_index(other, str(root / ".docgen" / "vectors.faiss"))


def _damage_vectors_pickle(root: Path) -> None:
    (root / ".docgen" / "vectors.faiss").write_bytes(pickle.dumps(_Planted(root / "ran")))


def _damage_data_row(root: Path) -> None:
    with sqlite3.connect(root / ".docgen" / "index.sqlite") as db:
        db.execute("UPDATE symbols SET data = '{\"qualname\": ' WHERE qualname = 'circle_area'")
    db.close()


def _damage_vector_blob(root: Path) -> None:
    with sqlite3.connect(root / ".docgen" / "index.sqlite") as db:
        db.execute("UPDATE symbols SET vector = ? WHERE qualname = 'circle_area'", (b"\x00" * 10,))
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        _damage_vectors_text,
        _damage_vectors_other_type,
        _damage_vectors_pickle,
        _damage_data_row,
        _damage_vector_blob,
    ],
)
def test_damage_is_repaired_by_the_next_index_run(tmp_path: Path, embedder, damage) -> None:
    root = _repo(tmp_path)
    update_index(root, ALL, embedder=embedder)
    damage(root)
    first = update_index(root, ALL, embedder=embedder)
    assert first.warnings, "the damage is reported once"
    for warning in first.warnings:
        assert "\n" not in warning and str(root) not in warning and "faiss::" not in warning
    second = update_index(root, ALL, embedder=embedder)
    assert second.warnings == []
    assert not (root / "ran").exists()
    with IndexStore.open(root) as store:
        hits = store.search(embedder.encode(["area of a circle with this radius"])[0], 2)
        assert "circle_area" in {symbol.qualname for symbol, _ in hits}
        assert len(store.symbols()) == 4


def test_vector_damage_seen_when_reading_is_one_plain_line(
    tmp_path: Path, embedder, recwarn
) -> None:
    root = _repo(tmp_path)
    update_index(root, ALL, embedder=embedder)
    _damage_vectors_text(root)
    with IndexStore.open(root) as store:
        hits = store.search(embedder.encode(["area of a circle"])[0], 2)
        assert "circle_area" in {s.qualname for s, _ in hits}  # rebuilt in memory from SQLite
        assert store.notes == ["index vectors were damaged and have been rebuilt"]
    assert not [w for w in recwarn if "faiss" in str(w.message).lower()]


def test_an_update_of_some_files_reads_only_their_rows_for_damage(tmp_path: Path) -> None:
    """update_paths (an editor save, a bulk run's files) checks and repairs the damage of
    the files it updates; the rest waits for a whole-repository `docgen index`."""
    from indexer.index import update_paths

    root = _repo(tmp_path)
    update_index(root, NO_EMBED)
    _damage_data_row(root)  # circle_area, in geo/circle.py
    with IndexStore.open(root) as store:
        assert store.damaged_paths() == ["geo/circle.py"]
        assert store.damaged_paths(["geo/circle.py"]) == ["geo/circle.py"]
        assert store.damaged_paths([p for p in FILES if p != "geo/circle.py"]) == []
    other = [root / p for p in FILES if p != "geo/circle.py" and p.endswith(".py")]
    assert update_paths(root, other, NO_EMBED).warnings == []
    repaired = update_paths(root, [root / "geo/circle.py"], NO_EMBED)
    assert any("damaged" in w for w in repaired.warnings)
    with IndexStore.open(root) as store:
        assert store.damaged_paths() == []
