"""The output cache on its own: bounded, JSON on disk (no pickle), survives corruption."""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from pathlib import Path

from assistant.cache import ResultCache, result_key


def test_keys_depend_on_everything_that_changes_a_result() -> None:
    base = ("model@v1", "code", "context", "google", {"beams": 4})
    keys = {result_key(*base)}
    for i, changed in enumerate(["model@v2", "code2", "context2", "numpy", {"beams": 2}]):
        parts = list(base)
        parts[i] = changed
        keys.add(result_key(*parts))
    assert len(keys) == 6


def test_cache_is_bounded(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c", size_limit=256 * 1024)
    payload = os.urandom(1500).hex()  # incompressible: the values are zlib-compressed JSON
    for i in range(600):
        cache.set(f"k{i}", {"summary": f"{i} {payload}{i}", "n": i})
    assert len(cache) < 600
    assert cache.get("k599") == {"summary": f"599 {payload}599", "n": 599}
    cache.close()


def test_values_on_disk_are_json_not_pickle(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "c")
    cache.set("key", {"summary": "Return it.", "confidence": 0.5, "flagged": []})
    cache.close()
    db = sqlite3.connect(tmp_path / "c" / "cache.db")
    rows = db.execute("SELECT key, value FROM Cache").fetchall()
    db.close()
    assert rows
    for key, value in rows:
        assert json.loads(zlib.decompress(key)) == "key"
        assert json.loads(zlib.decompress(value))["summary"] == "Return it."


def test_unusable_cache_folder_disables_caching_with_a_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = ResultCache(blocker / "cache")
    assert not cache.enabled and cache.warnings
    cache.set("k", {"a": 1})  # no-op, no error
    assert cache.get("k") is None
