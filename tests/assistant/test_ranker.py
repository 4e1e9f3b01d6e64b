"""The learned candidate ranker: name adaptation, features, weights files, the choice."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.ranker import (
    FEATURES,
    Candidate,
    Ranker,
    RankerError,
    adapt_summary,
    default_ranker,
    features,
)
from assistant.summaries import Vocabulary, candidate_pool, choose_summary, split_identifier
from assistant.workshop.evaluation.evaluate import record_symbol


def test_adapt_summary_swaps_the_words_the_names_differ_in() -> None:
    add, remove = split_identifier("add_prompt"), split_identifier("remove_prompt")
    assert adapt_summary("Add a prompt to the server.", add, remove) == (
        "Remove a prompt to the server."
    )
    assert adapt_summary("Adds a prompt.", add, remove) == "Removes a prompt."
    # names of different lengths: nothing is guessed
    assert adapt_summary("Add a prompt.", add, split_identifier("drop_all_prompts")) == (
        "Add a prompt."
    )
    assert adapt_summary("Get tool by name.", ["get", "tool"], ["get", "tool"]) == (
        "Get tool by name."
    )


def test_features_describe_source_rank_and_name_overlap() -> None:
    words = split_identifier("remove_prompt")
    near = Candidate("Remove a prompt.", "neighbour", 0, 0.0, ("add", "prompt"))
    vector = dict(
        zip(FEATURES, features(near, words, split_identifier(near.text), 1.0), strict=True)
    )
    assert vector["neighbour_1"] == 1.0 and vector["is_model"] == 0.0
    assert vector["name_jaccard"] == pytest.approx(1 / 3)
    assert vector["same_first_word"] == 0.0
    assert vector["name_cover"] == 1.0
    model = Candidate("Remove it.", "model", 1, -0.5)
    vector = dict(
        zip(FEATURES, features(model, words, split_identifier(model.text), 0.5), strict=True)
    )
    assert vector["is_model"] == 1.0 and vector["model_prob"] == pytest.approx(np.exp(-0.5))
    assert vector["name_jaccard"] == 0.0 and vector["bias"] == 1.0


def test_ranker_round_trips_and_rejects_bad_files(tmp_path) -> None:
    ranker = Ranker([float(i) for i in range(len(FEATURES))], {"records": 3})
    path = tmp_path / "ranker.json"
    path.write_text(ranker.to_json())
    loaded = Ranker.load(path)
    assert np.allclose(loaded.weights, ranker.weights) and loaded.info == {"records": 3}
    path.write_text("{not json")
    with pytest.raises(RankerError, match="not a valid ranker file"):
        Ranker.load(path)
    path.write_text(json.dumps({"features": ["x"], "weights": [1.0]}))
    with pytest.raises(RankerError, match="refit"):
        Ranker.load(path)
    with pytest.raises(RankerError, match="cannot read"):
        Ranker.load(tmp_path / "missing.json")


def test_fit_recovers_a_linear_rule() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((200, len(FEATURES)))
    true = rng.normal(size=len(FEATURES))
    fitted = Ranker.fit(x, x @ true)
    assert np.allclose(fitted.weights, true, atol=1e-6)


def test_packaged_ranker_loads_and_prefers_a_close_neighbour() -> None:
    ranker = default_ranker()
    assert ranker.info.get("records", 0) > 0  # fitted on real data, not hand-set
    symbol = record_symbol({"name": "remove_prompt", "kind": "method"})
    code = "def remove_prompt(self, name): return self._prompts.pop(name)"
    similar = [("add_prompt", "Add a prompt to the manager."), ("render", "Render a page.")]
    vocab = Vocabulary.from_texts([code, *(f"{n} {s}" for n, s in similar)])
    chosen = choose_summary([("Return the value of the given list.", -1.2)], vocab, symbol, similar)
    assert chosen.summary == "Remove a prompt from the manager."  # its preposition fixed
    assert any("similar documented symbol" in note for note in chosen.notes)
    assert 0.0 <= chosen.confidence <= 1.0


def test_pool_skips_one_word_candidates_and_keeps_sources() -> None:
    symbol = record_symbol({"name": "fetch", "kind": "function"})
    pool = candidate_pool([("Fetch.", -0.1), ("fetch the row", -0.2)], Vocabulary(), symbol, [])
    assert [(c.source, c.text) for c, _, _ in pool] == [("model", "Fetch the row.")]
