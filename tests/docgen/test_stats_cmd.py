"""``docgen stats FILE``: the server's stats file, readable."""

from __future__ import annotations

import json
from pathlib import Path

from docgen import main
from lsp.stats import LatencyStats


def _stats_file(path: Path) -> Path:
    stats = LatencyStats()
    for seconds in (0.05, 0.07, 0.2):
        stats.record("textDocument/hover", seconds)
    for _ in range(3):
        stats.record("draft:hover:fast", 0.04)
    stats.record("draft:hover:model-free", 0.004)
    stats.record("draft:generate:accurate", 0.3)
    serving = {
        "router": {"degradation": True, "degradations": {"hover:fast->model-free": 1}},
        "batcher": {"queue_depth": 2, "batches": 5, "batch_sizes": {"1": 3, "4": 2}},
        "output_cache": {"hits": 3, "misses": 1, "hit_rate": 0.75},
        "encoder_cache": {"hits": 1, "misses": 4, "hit_rate": 0.2, "seconds_saved": 0.031},
        "warmup": {"seconds": 1.25, "initialize_to_first_drafted_hover_s": 1.9},
    }
    stats.write(path, {"rss_mb": 210.5, "serving": serving})
    return path


def test_the_view_shows_percentiles_tiers_degradations_caches_and_warm_up(tmp_path, capsys):
    path = _stats_file(tmp_path / "stats.json")
    assert main(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    assert "textDocument/hover" in out and "RSS 210.5 MB" in out
    assert "tiers of hover: fast 75%, model-free 25%" in out
    assert "tiers of generate: accurate 100%" in out
    assert "degradations: hover:fast->model-free 1" in out
    assert "queue depth 2; 5 batches (size: count) 1: 3, 4: 2" in out
    assert "encoder cache: hit rate 20% (1 hits, 4 misses, 0.03 s saved)" in out
    assert "output cache: hit rate 75%" in out
    assert "warm-up 1.25 s; initialize -> first drafted hover 1.90 s" in out


def test_json_prints_the_object(tmp_path, capsys):
    path = _stats_file(tmp_path / "stats.json")
    assert main(["stats", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["serving"]["encoder_cache"]["hits"] == 1


def test_a_missing_or_foreign_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["stats", str(tmp_path / "none.json")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "--stats-file" in err and "Traceback" not in err
    other = tmp_path / "other.json"
    other.write_text('{"a": 1}')
    assert main(["stats", str(other)]) == 2
    assert "not a docgen stats file" in capsys.readouterr().err
