"""The neighbours' retrieval similarities of the ranker's fitting and scoring scripts:
computed from the records' embedding texts, cached, and recomputed (one message) when the
cache is missing or corrupt."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.workshop.evaluation.evaluate import record_context
from assistant.workshop.evaluation.neighbour_sims import (
    apply_similarities,
    cached_similarities,
    neighbour_similarities,
)


def _records() -> list[dict]:
    def record(i: int, text: str, similar: list[int]) -> dict:
        return {
            "id": i,
            "name": f"f{i}",
            "qualname": f"f{i}",
            "summary": f"Do thing {i}.",
            "code": f"def f{i}(): pass",
            "etext": text,
            "similar": similar,
            "package": "p",
        }

    return [
        record(1, "add stock to warehouse", [2, 3]),
        record(2, "add stock to the warehouse now", []),
        record(3, "parse a config file", []),
    ]


class CountingEncoder:
    """A deterministic bag-of-letters encoder that counts the texts it embeds (a stand-in
    for MiniLM: the cache logic, not the model, is under test)."""

    def __init__(self) -> None:
        self.texts = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for row, text in enumerate(texts):
            for ch in text:
                if "a" <= ch <= "z":
                    out[row, ord(ch) - 97] += 1
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def __call__(self):
        return "test-encoder", self.encode


def test_the_nearer_neighbour_has_the_higher_similarity() -> None:
    records = _records()
    by_id = {r["id"]: r for r in records}
    sims = neighbour_similarities(records, by_id, CountingEncoder().encode)
    assert list(sims) == [1]  # records without neighbours get none
    near, far = sims[1]
    assert 0.0 < far < near <= 1.0 + 1e-6


def test_the_cache_round_trips_and_a_rerun_embeds_nothing(tmp_path: Path) -> None:
    records = _records()
    by_id = {r["id"]: r for r in records}
    cache = tmp_path / "sims.json"
    first_encoder, messages = CountingEncoder(), []
    first = cached_similarities(records, by_id, cache, first_encoder, messages.append)
    assert first_encoder.texts == 3 and cache.is_file()
    assert len(messages) == 1 and "not found" in messages[0]
    again_encoder, messages = CountingEncoder(), []
    again = cached_similarities(records, by_id, cache, again_encoder, messages.append)
    assert again_encoder.texts == 0 and messages == []
    assert again[1] == first[1]
    records[0]["similar"] = [3, 2]  # other neighbours: that entry is computed again
    changed = cached_similarities(records, by_id, cache, again_encoder, messages.append)
    assert again_encoder.texts == 3 and changed[1] == list(reversed(again[1]))


def test_a_corrupt_cache_is_one_message_and_computed_again(tmp_path: Path) -> None:
    records = _records()
    by_id = {r["id"]: r for r in records}
    cache = tmp_path / "sims.json"
    cache.write_text('{"format": "docgen-neighbour-sims-1", "model": "test-enc', encoding="utf-8")
    encoder, messages = CountingEncoder(), []
    sims = cached_similarities(records, by_id, cache, encoder, messages.append)
    assert len(messages) == 1 and "unreadable" in messages[0] and str(cache) in messages[0]
    fresh = neighbour_similarities(records, by_id, CountingEncoder().encode)[1]
    assert sims[1] == [round(s, 6) for s in fresh]
    assert json.loads(cache.read_text(encoding="utf-8"))["sims"]["1"][0][0] == 2  # rewritten
    cache.write_text(
        json.dumps(
            {
                "format": "docgen-neighbour-sims-1",
                "model": "test-encoder",
                "sims": ["not", "a", "dict"],
            }
        ),
        encoding="utf-8",
    )
    messages.clear()
    assert cached_similarities(records, by_id, cache, encoder, messages.append) == sims
    assert len(messages) == 1 and "unreadable" in messages[0]


def test_the_similarities_reach_the_evidence_of_a_record() -> None:
    records = _records()
    by_id = {r["id"]: r for r in records}
    apply_similarities(records, {1: [0.9, 0.4]})
    evidence, _, _ = record_context(records[0], by_id, "in-repo")
    assert evidence.similar_scores == [0.9, 0.4]
    assert record_context(records[0], by_id, "cold")[0].similar_scores == []


def test_a_corrupt_corpus_hits_cache_is_one_message_and_searched_again(tmp_path, capsys) -> None:
    from assistant.workshop.training.ranker_fit import cached_hits

    cache = tmp_path / "hits.json"
    for broken in ("{not json", "[1, 2]", '{"key": ["none", 3, [1]], "hits": 5}'):
        cache.write_text(broken, encoding="utf-8")
        assert cached_hits([{"id": 1}], "none", 3, cache) is None
        assert "unreadable" in capsys.readouterr().out
