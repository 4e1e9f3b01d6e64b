"""The output cache never unpickles: a planted pickle-mode row (issue #19 item 1) is treated
as a corrupt cache (discarded with a warning), and nothing the cache writes is a pickle."""

from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

import diskcache
import pytest

from assistant.cache import ResultCache
from tests.assistant.test_pipeline import MODELS, _symbol


class _Planted:
    """Unpickling this creates the marker file (what a hostile cache would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _plant(cache_dir: Path, marker: Path, in_file: bool = False) -> None:
    """Turn every row of ``cache_dir/cache.db`` into a pickle-mode row (inline or in a
    value file, as diskcache stores large pickles)."""
    payload = pickle.dumps(_Planted(marker))
    db = sqlite3.connect(cache_dir / "cache.db")
    with db:
        if in_file:
            (cache_dir / "planted.val").write_bytes(payload)
            db.execute(
                "UPDATE Cache SET mode = ?, value = NULL, filename = 'planted.val'",
                (diskcache.core.MODE_PICKLE,),
            )
        else:
            db.execute(
                "UPDATE Cache SET mode = ?, value = ?, filename = NULL",
                (diskcache.core.MODE_PICKLE, sqlite3.Binary(payload)),
            )
    db.close()
    # the planted pickle really runs under diskcache's own JSONDisk: the hole being closed
    assert not marker.exists()


def test_planted_pickle_row_is_never_unpickled(tmp_path: Path) -> None:
    cache_dir, marker = tmp_path / "c", tmp_path / "ran"
    cache = ResultCache(cache_dir)
    cache.set("k", {"summary": "Do it."})
    cache.close()
    _plant(cache_dir, marker)

    reopened = ResultCache(cache_dir)
    assert reopened.get("k") is None
    assert not marker.exists()
    assert any("corrupt cache" in w for w in reopened.warnings)
    reopened.set("k", {"summary": "Again."})  # a fresh cache works
    assert reopened.get("k") == {"summary": "Again."}
    reopened.close()


def test_planted_pickle_value_file_is_never_unpickled(tmp_path: Path) -> None:
    cache_dir, marker = tmp_path / "c", tmp_path / "ran"
    cache = ResultCache(cache_dir)
    cache.set("k", {"summary": "Do it."})
    cache.close()
    _plant(cache_dir, marker, in_file=True)
    reopened = ResultCache(cache_dir)
    assert reopened.get("k") is None
    assert not marker.exists()
    assert any("corrupt cache" in w for w in reopened.warnings)


def test_diskcache_json_disk_itself_would_run_the_pickle(tmp_path: Path) -> None:
    # the threat is real: plain JSONDisk unpickles the planted row
    cache_dir, marker = tmp_path / "c", tmp_path / "ran"
    cache = diskcache.Cache(str(cache_dir), disk=diskcache.JSONDisk)
    cache.set("k", {"summary": "Do it."})
    cache.close()
    _plant(cache_dir, marker)
    cache = diskcache.Cache(str(cache_dir), disk=diskcache.JSONDisk)
    with pytest.raises(TypeError):  # it unpickles, then fails on what the pickle made
        cache.get("k")
    cache.close()
    assert marker.exists()


def test_pipeline_never_unpickles_its_cache(
    sample_repo: Path, make_pipeline, tmp_path: Path
) -> None:
    cache_dir, marker = tmp_path / "results", tmp_path / "ran"
    source, _, symbol = _symbol(sample_repo, MODELS, "Item.display_name")
    first = make_pipeline(sample_repo, cache_dir=cache_dir)
    first.document_symbol(MODELS, source, symbol)
    first.close()
    _plant(cache_dir, marker)
    pipeline = make_pipeline(sample_repo, cache_dir=cache_dir)
    result = pipeline.document_symbol(MODELS, source, symbol)
    assert not marker.exists()
    assert result.cached is False and result.summary
    assert any("corrupt cache" in w for w in pipeline.cache.warnings)
    assert pipeline.document_symbol(MODELS, source, symbol).cached is True


def test_nothing_written_is_a_pickle(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c", size_limit=64 * 1024 * 1024)
    cache.set("small", {"summary": "Short."})
    cache.set("large", {"summary": "x" * 100_000})  # stored in a value file
    cache.close()
    db = sqlite3.connect(tmp_path / "c" / "cache.db")
    rows = db.execute("SELECT raw, mode FROM Cache").fetchall()
    db.close()
    assert len(rows) == 2
    assert all(raw == 1 for raw, _ in rows)  # keys are never pickled
    assert {mode for _, mode in rows} <= {diskcache.core.MODE_RAW, diskcache.core.MODE_BINARY}


def test_safe_disk_refuses_what_would_need_pickle(tmp_path: Path) -> None:
    from assistant.cache_disk import SafeJSONDisk

    disk = SafeJSONDisk(str(tmp_path))
    with pytest.raises(TypeError):
        disk.store({1, 2}, False)  # not JSON: JSONDisk would fail too, never pickle
    with pytest.raises(ValueError, match="pickle"):
        disk.fetch(diskcache.core.MODE_PICKLE, None, pickle.dumps(1), False)
    with pytest.raises(ValueError, match="pickle"):
        disk.get(sqlite3.Binary(pickle.dumps("k")), False)  # a pickled key


def test_planted_settings_do_not_break_opening(tmp_path: Path) -> None:
    # diskcache passes every disk_* setting of the database to the Disk: an unknown one
    # must not crash opening the cache
    cache_dir = tmp_path / "c"
    cache = ResultCache(cache_dir)
    cache.set("k", {"summary": "Do it."})
    cache.close()
    db = sqlite3.connect(cache_dir / "cache.db")
    with db:
        db.execute("INSERT INTO Settings VALUES ('disk_surprise', 1)")
    db.close()
    reopened = ResultCache(cache_dir)
    assert reopened.enabled
    assert reopened.get("k") == {"summary": "Do it."}


def test_planted_row_of_the_wrong_type_is_a_corrupt_cache(tmp_path: Path) -> None:
    cache_dir = tmp_path / "c"
    cache = ResultCache(cache_dir)
    cache.set("k", {"summary": "Do it."})
    cache.close()
    db = sqlite3.connect(cache_dir / "cache.db")
    with db:
        db.execute("UPDATE Cache SET mode = ?, value = 7", (diskcache.core.MODE_RAW,))
    db.close()
    reopened = ResultCache(cache_dir)
    assert reopened.get("k") is None
    assert any("corrupt cache" in w for w in reopened.warnings)
