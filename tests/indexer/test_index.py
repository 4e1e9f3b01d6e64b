"""Incremental indexing without embeddings: round trip, changes, deletions, bad input,
corrupt indexes and a process killed mid-run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from indexer.index import IndexConfig, update_index, update_paths
from indexer.parser import parse_file
from indexer.store import IndexStore, IndexUnavailable, IndexWarning
from tests.conftest import write_tree

NO_EMBED = IndexConfig(embed=False)


def _module(name: str, documented: bool = True) -> str:
    doc = f'    """Return {name}."""\n' if documented else ""
    return f'"""Module {name}."""\n\n\ndef {name}(x):\n{doc}    return helper(x)\n'


def _repo(tmp_path: Path, count: int = 3) -> Path:
    root = tmp_path / "repo"
    for i in range(count):
        path = root / "pkg" / f"m{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_module(f"f{i}", documented=i % 2 == 0))
    return root


def test_round_trip_matches_the_parser(tmp_path):
    root = _repo(tmp_path)
    summary = update_index(root, NO_EMBED)
    assert (summary.files, summary.parsed, summary.symbols) == (3, 3, 6)
    with IndexStore.open(root) as store:
        for rel in store.files():
            assert store.symbols(rel) == parse_file(root / rel, root).symbols
        (found,) = store.find("f1")
        assert found.path == "pkg/m1.py" and found.calls == ["helper"]
        assert store.symbol_id(found) is not None
        assert store.imports("pkg/m1.py") == {}
    assert (root / ".docgen" / ".gitignore").read_text().strip().endswith("*")


def test_incremental_changes_and_deletions(tmp_path):
    root = _repo(tmp_path)
    update_index(root, NO_EMBED)
    again = update_index(root, NO_EMBED)
    assert (again.parsed, again.unchanged, again.deleted) == (0, 3, 0)

    target = root / "pkg" / "m1.py"
    target.write_text(_module("renamed"))
    os.utime(target, ns=(time.time_ns(), time.time_ns() + 10**9))
    (root / "pkg" / "m2.py").unlink()
    (root / "pkg" / "m0.py").touch()  # new mtime, same content: hashed, not parsed
    os.utime(root / "pkg" / "m0.py", ns=(time.time_ns(), time.time_ns() + 2 * 10**9))
    summary = update_index(root, NO_EMBED)
    assert (summary.parsed, summary.unchanged, summary.deleted) == (1, 1, 1)
    with IndexStore.open(root) as store:
        assert sorted(store.files()) == ["pkg/m0.py", "pkg/m1.py"]
        assert store.find("f1") == [] and len(store.find("renamed")) == 1
        assert store.symbols("pkg/m2.py") == []


def test_update_paths_for_a_few_files(tmp_path):
    root = _repo(tmp_path)
    update_index(root, NO_EMBED)
    (root / "pkg" / "m0.py").write_text(_module("edited"))
    (root / "pkg" / "m1.py").unlink()
    summary = update_paths(root, ["pkg/m0.py", root / "pkg" / "m1.py"], NO_EMBED)
    assert (summary.parsed, summary.deleted) == (1, 1)
    with IndexStore.open(root) as store:
        assert sorted(store.files()) == ["pkg/m0.py", "pkg/m2.py"]
        assert store.find("edited")


def test_bad_input_is_counted_not_fatal(tmp_path):
    root = _repo(tmp_path, count=1)
    files = {
        "bad/syntax.py": b"def ok():\n    return 1\n\ndef broken(:\n",
        "bad/latin1.py": "x = 'caf\u00e9'\n".encode("latin-1"),
        "bad/binary.py": b"\x00\x01\x02" * 100,
        "bad/minified.js": b"var a=1;" * 700_000,  # 5.6 MB on one line
        "bad/empty.py": b"",
    }
    write_tree(root, files)
    summary = update_index(root, NO_EMBED)
    assert summary.skipped == {"not UTF-8": 1, "binary": 1, "too large": 1}
    assert summary.files_with_errors == 1
    with IndexStore.open(root) as store:
        assert "ok" in [s.qualname for s in store.symbols("bad/syntax.py")]
        assert [s.kind for s in store.symbols("bad/empty.py")] == ["module"]


def test_file_deleted_mid_run(tmp_path):
    root = _repo(tmp_path, count=6)

    def progress(done: int, total: int, rel: str) -> None:
        if done == 1:
            (root / "pkg" / "m5.py").unlink()

    summary = update_index(root, IndexConfig(embed=False, batch_files=2), progress=progress)
    assert summary.skipped == {"unreadable": 1}
    with IndexStore.open(root) as store:
        assert "pkg/m5.py" not in store.files() and len(store.files()) == 5


def test_corrupt_and_future_indexes_are_rebuilt(tmp_path):
    root = _repo(tmp_path, count=2)
    update_index(root, NO_EMBED)
    db = root / ".docgen" / "index.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'format_version'")
    with pytest.raises(IndexUnavailable, match="docgen index"):
        IndexStore.open(root)
    with pytest.warns(IndexWarning, match="format version 999"):
        IndexStore.open(root, create=True).close()

    for name in os.listdir(root / ".docgen"):
        if name.startswith("index.sqlite"):
            (root / ".docgen" / name).unlink()
    db.write_bytes(b"this is not a database" * 100)
    summary = update_index(root, NO_EMBED)
    assert summary.parsed == 2
    assert summary.warnings == ["the index was unusable (damaged) and has been rebuilt"]
    with IndexStore.open(root) as store:
        assert len(store.files()) == 2


def test_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(IndexUnavailable, match="run `docgen index"):
        IndexStore.open(tmp_path)


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from indexer.index import IndexConfig, update_index

    root = Path(sys.argv[1])

    def progress(done, total, rel):
        if done == 7:
            Path(sys.argv[2]).write_text("ready")
        if done >= 7:
            time.sleep(0.2)

    update_index(root, IndexConfig(embed=False, batch_files=3), progress=progress)
    """
)


def test_kill_during_indexing_leaves_a_loadable_index(tmp_path):
    root = _repo(tmp_path, count=30)
    marker = tmp_path / "ready"
    process = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(root), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        assert marker.exists(), "the indexer did not start"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    with IndexStore.open(root) as store:  # loads, and holds whole batches only
        partial = store.files()
        assert 0 < len(partial) < 30 and len(partial) % 3 == 0
        for rel in partial:
            assert len(store.symbols(rel)) == 2
    summary = update_index(root, NO_EMBED)
    assert summary.parsed == 30 - len(partial) and summary.unchanged == len(partial)
    with IndexStore.open(root) as store:
        assert len(store.files()) == 30 and len(store.symbols()) == 60


def test_config_from_tool_table():
    config = IndexConfig.from_tool_config(
        {"exclude": ["legacy/"], "embed": False, "fail_under": 80, "max_file_bytes": 10}
    )
    assert config.exclude == ["legacy/"] and not config.embed and config.max_file_bytes == 10
    from indexer.config import ConfigError

    with pytest.raises(ConfigError, match="exclude"):
        IndexConfig.from_tool_config({"exclude": "legacy/"})
