"""The plain modules behind the server: option parsing, percentiles, markdown, names."""

from __future__ import annotations

import json
import threading

import pytest

from indexer.parser import parse_source
from lsp.documents import dotted_name_at, import_targets, local_candidates
from lsp.markdown import docstring_markdown, escape, signature
from lsp.options import ServerOptions, options_to_json, parse_options
from lsp.stats import LatencyStats, percentile


def test_defaults_and_camel_case_names():
    options, errors = parse_options(None)
    assert options == ServerOptions() and errors == []
    assert set(options_to_json(options)) == {
        "model", "style", "diagnosticSeverity", "staleSeverity", "minConfidence",
        "includePrivate", "cachePath", "threads", "indexOnStartup", "corpus", "accurateModel",
        "hoverBudgetMs", "generateBudgetMs", "degradation", "encoderCacheMb",
        "warmUp", "engineBackend",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "field", "value"),
    [
        ({"style": "NumPy"}, "style", "numpy"),
        ({"docgen": {"minConfidence": 0.5}}, "min_confidence", 0.5),
        ({"minConfidence": 1}, "min_confidence", 1.0),
        ({"model": ""}, "model", None),
        ({"cachePath": "/tmp/x"}, "cache_path", "/tmp/x"),
        ({"threads": None}, "threads", None),
        ({"diagnosticSeverity": "off"}, "diagnostic_severity", "off"),
        ({"unknownKey": 1}, "style", "auto"),
        ({"hoverBudgetMs": 100}, "hover_budget_ms", 100.0),
        ({"generateBudgetMs": 1500.5}, "generate_budget_ms", 1500.5),
        ({"degradation": False}, "degradation", False),
        ({"encoderCacheMb": 0}, "encoder_cache_mb", 0.0),
        ({"accurateModel": "/models/big"}, "accurate_model", "/models/big"),
    ],
)
def test_valid_values(raw, field, value):
    options, errors = parse_options(raw)
    assert errors == []
    assert getattr(options, field) == value


@pytest.mark.parametrize(
    "raw",
    [
        {"style": 3},
        {"minConfidence": -0.1},
        {"minConfidence": True},
        {"threads": 1.5},
        {"indexOnStartup": "no"},
        {"model": 7},
        {"staleSeverity": "fatal"},
        {"hoverBudgetMs": 0},
        {"hoverBudgetMs": "fast"},
        {"encoderCacheMb": -1},
        {"degradation": 1},
    ],
)
def test_invalid_values_fall_back_to_defaults(raw):
    base = ServerOptions(style="numpy", min_confidence=0.3, threads=4)
    options, errors = parse_options(raw, base)
    assert len(errors) == 1 and "using the default" in errors[0]
    (name,) = raw
    field = {
        "style": "style",
        "minConfidence": "min_confidence",
        "threads": "threads",
        "indexOnStartup": "index_on_startup",
        "model": "model",
        "staleSeverity": "stale_severity",
        "hoverBudgetMs": "hover_budget_ms",
        "encoderCacheMb": "encoder_cache_mb",
        "degradation": "degradation",
    }[name]
    assert getattr(options, field) == getattr(ServerOptions(), field)


def test_percentiles_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 95) == 0.0


def test_stats_are_thread_safe_and_bounded(tmp_path):
    stats = LatencyStats(window=100)

    def work():
        for i in range(1000):
            stats.record("hover", i / 1000)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    metric = stats.snapshot()["metrics"]["hover"]
    assert metric["count"] == 4000 and metric["window"] == 100
    with pytest.raises(ZeroDivisionError), stats.timed("broken"):
        1 / 0  # noqa: B018
    assert stats.snapshot()["metrics"]["broken"]["errors"] == 1
    stats.write(tmp_path / "s.json", {"rss_mb": 1.0})
    assert json.loads((tmp_path / "s.json").read_text())["metrics"]["hover"]["count"] == 4000


@pytest.mark.parametrize(
    ("line", "col", "expected"),
    [
        ("x = obj.method(1)", 9, "obj.method"),
        ("x = obj.method(1)", 5, "obj"),
        ("x = obj.method(1)", 14, "obj.method"),  # just after the name
        ("x = f(1)", 1, "x"),
        ("x = 'text'", 7, "text"),
        ("   ", 1, None),
        ("", 0, None),
        ("a = café.größe()", 10, "café.größe"),
    ],
)
def test_dotted_name_at(line, col, expected):
    assert dotted_name_at(line, col) == expected


def test_local_and_import_resolution():
    source = b"""from pkg.mod import helper as h
import pkg.other as other

class A:
    def run(self):
        self.step()

    def step(self):
        pass

def top():
    pass
"""
    parsed = parse_source(source, "pkg/here.py")
    assert [s.qualname for s in local_candidates(parsed, "self.step", 5)] == ["A.step"]
    assert [s.qualname for s in local_candidates(parsed, "top", 5)] == ["top"]
    assert [s.qualname for s in local_candidates(parsed, "A.run", 5)] == ["A.run"]
    assert import_targets(parsed, "h") == ["pkg.mod.helper"]
    assert import_targets(parsed, "other.Thing.go") == ["pkg.other.Thing.go"]


def test_signature_and_markdown():
    parsed = parse_source(
        b"async def f(a: int, *args, b=2, **kw) -> str:\n    '''Do it.\n\n    Args:\n"
        b"        a: *star*.\n    '''\n",
        "m.py",
    )
    symbol = parsed.symbols[1]
    assert signature(symbol) == "async def f(a: int, *args, b=2, **kw) -> str"
    text = docstring_markdown(symbol.docstring)
    assert text.startswith("Do it.") and "```text\nArgs:\n    a: *star*.\n```" in text


def test_escape_keeps_code_spans():
    assert escape("Return ``price`` with *tax*, `x_y` and a_b") == (
        "Return `price` with \\*tax\\*, `x_y` and a\\_b"
    )
