"""The confidence floor of bulk runs that write (issue #12 item 4), and one summary per
definition in a bulk run even when definitions share a qualname."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.bulk import document_paths, summary_key
from assistant.settings import DEFAULT_WRITE_FLOOR, PipelineSettings
from indexer.config import ConfigError
from tests.conftest import write_tree

CODE = (
    "def total(values):\n    return sum(values)\n\n\n"
    "def scale(x, k):\n    return x * k\n\n\n"
    "def parse_header(line):\n    key, _, value = line.partition(':')\n"
    "    return key.strip(), value.strip()\n"
)


def test_the_default_floor_is_the_calibrated_one() -> None:
    assert PipelineSettings().min_confidence is None
    assert PipelineSettings().confidence_floor == DEFAULT_WRITE_FLOOR
    assert 0.0 < DEFAULT_WRITE_FLOOR < 1.0
    assert PipelineSettings(min_confidence=0).confidence_floor == 0.0
    assert PipelineSettings.from_tool_config({"min_confidence": 0}).confidence_floor == 0.0
    assert PipelineSettings.from_tool_config({"min_confidence": 0.8}).confidence_floor == 0.8
    assert PipelineSettings.from_tool_config({}).confidence_floor == DEFAULT_WRITE_FLOOR
    with pytest.raises(ConfigError, match="must be a number"):
        PipelineSettings.from_tool_config({"min_confidence": "high"})
    with pytest.raises(ConfigError, match="within 0..1"):
        PipelineSettings(min_confidence=1.5)


def test_write_holds_back_drafts_below_the_default_floor(tmp_path: Path, make_pipeline) -> None:
    # the tiny random model, without an index, is never near the floor
    repo = write_tree(tmp_path / "repo", {"m.py": CODE})
    before = (repo / "m.py").read_bytes()
    report = document_paths(make_pipeline(repo, min_confidence=None), [repo], write=True)
    drafted = [r for r in report.results if r.action == "insert"]
    assert len(drafted) == 3
    assert all(r.confidence < DEFAULT_WRITE_FLOOR and r.below_floor for r in drafted)
    assert (repo / "m.py").read_bytes() == before and report.written == []
    assert report.low_confidence == 3
    assert report.low_confidence_message() == (
        f"3 drafts below the confidence floor {DEFAULT_WRITE_FLOOR:.2f}, not written "
        "(--min-confidence 0 writes them)"
    )
    assert report.exit_code == 0  # holding drafts back is the plan, not a failure
    notes = " ".join(drafted[0].notes)
    assert "below the confidence floor" in notes


def test_min_confidence_zero_writes_every_draft(tmp_path: Path, make_pipeline) -> None:
    repo = write_tree(tmp_path / "repo", {"m.py": CODE})
    report = document_paths(make_pipeline(repo, min_confidence=0.0), [repo], write=True)
    assert report.written == ["m.py"] and report.low_confidence == 0
    assert report.low_confidence_message() == ""
    assert (repo / "m.py").read_text().count('"""') == 6


def test_listing_and_diff_show_every_draft_and_count_the_weak(
    tmp_path: Path, make_pipeline
) -> None:
    repo = write_tree(tmp_path / "repo", {"m.py": CODE})
    listing = document_paths(make_pipeline(repo, min_confidence=None), [repo])
    assert len(listing.results) == 3 and listing.low_confidence == 3
    diff = document_paths(make_pipeline(repo, min_confidence=None), [repo], diff=True)
    assert diff.diff.count('+    """') == 6  # every draft opens and closes; --write holds back
    assert diff.low_confidence_message(write=False) == (
        f"3 drafts below the confidence floor {DEFAULT_WRITE_FLOOR:.2f}: --write leaves them "
        "out (--min-confidence 0 writes them)"
    )
    assert (repo / "m.py").read_text() == CODE


TWINS = (
    "import sys\n\n"
    "if sys.version_info >= (3, 12):\n\n"
    "    def parse(text, strict=False):\n"
    "        if strict and not text:\n"
    "            raise ValueError('empty text')\n"
    "        return text.split(',')\n\n"
    "else:\n\n"
    "    def parse(text):\n"
    "        return list(text)\n"
)


def test_definitions_sharing_a_qualname_keep_their_own_summaries(
    tmp_path: Path, make_pipeline
) -> None:
    from assistant.target import Target
    from indexer.parser import parse_source
    from indexer.text import symbol_source

    repo = write_tree(tmp_path / "repo", {"m.py": TWINS})
    pipeline = make_pipeline(repo, min_confidence=0.0, use_cache=False)
    report = document_paths(pipeline, [repo], write=True)
    assert report.written == ["m.py"], report.refused
    in_run = [(r.summary, r.confidence) for r in report.results if r.qualname == "parse"]
    # the pipeline itself, given the same two targets, drafts each its own summary
    source = TWINS.encode()
    parsed = parse_source(source, "m.py")
    targets = [
        Target("m.py", source, parsed, s, symbol_source(source, s))
        for s in parsed.symbols
        if s.qualname == "parse"
    ]
    direct = make_pipeline(repo, use_cache=False).document_targets(targets)
    expected = [(r.summary, r.confidence) for r in direct]
    assert expected[0] != expected[1]  # the two definitions draft differently
    assert in_run == expected
    assert len({summary_key(t) for t in targets}) == 2
