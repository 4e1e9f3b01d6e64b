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


def test_adapt_summary_swaps_the_name_words_inside_identifiers_too() -> None:
    all_of, any_of = split_identifier("all_of"), split_identifier("any_of")
    # simpy's Environment.all_of -> any_of: the class it names must follow the name
    assert adapt_summary("Return a :class:`~simpy.events.AllOf` condition.", all_of, any_of) == (
        "Return a :class:`~simpy.events.AnyOf` condition."
    )
    assert adapt_summary("Calls all_of_them.", all_of, any_of) == "Calls any_of_them."
    assert adapt_summary("An ALL_OF flag.", all_of, any_of) == "An ANY_OF flag."
    assert adapt_summary("Uses Allocation.", all_of, any_of) == "Uses Allocation."  # no part


def test_adapt_summary_does_not_pluralise_a_plural_twice() -> None:
    one, many = split_identifier("add_transition"), split_identifier("add_transitions")
    assert adapt_summary("Add a transition to the transitions.", one, many) == (
        "Add transitions to the transitions."
    )


def test_a_word_made_plural_loses_its_article() -> None:
    one, many = split_identifier("add_substate"), split_identifier("add_substates")
    assert adapt_summary("Adds a state as a substate.", one, many) == "Adds a state as substates."
    assert adapt_summary("A substate to add.", one, many) == "Substates to add."
    # a plural made singular gets an article where no determiner stands before it
    assert adapt_summary("Adds substates.", many, one) == "Adds a substate."
    assert adapt_summary("Sorts the substates.", many, one) == "Sorts the substate."
    assert adapt_summary("Adds all substates.", many, one) == "Adds all substate."
    rename = split_identifier("add_state"), split_identifier("add_model")
    assert adapt_summary("Add a state.", *rename) == "Add a model."  # same count: kept


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
    ranker.confidence_weights = -ranker.weights
    path = tmp_path / "ranker.json"
    path.write_text(ranker.to_json())
    loaded = Ranker.load(path)
    assert np.allclose(loaded.weights, ranker.weights) and loaded.info == {"records": 3}
    assert np.allclose(loaded.confidence_weights, -ranker.weights)
    data = json.loads(path.read_text())
    data["confidence_weights"] = data["confidence_weights"][:-1]
    path.write_text(json.dumps(data))
    with pytest.raises(RankerError, match="confidence weights"):
        Ranker.load(path)
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


def test_overlap_and_agreement_measure_how_candidates_agree() -> None:
    from assistant.ranker import agreement, overlap

    assert overlap(["get", "the", "user"], ["get", "the", "user"]) == pytest.approx(1.0)
    assert overlap(["get", "user"], ["set", "page"]) == 0.0
    assert overlap([], ["x"]) == 0.0
    # unigram F1 2/3 (2 of 3 words each), bigram F1 1/2 ("the user" shared of 2 each)
    assert overlap(["get", "the", "user"], ["find", "the", "user"]) == pytest.approx(
        0.5 * (2 / 3 + 1 / 2)
    )
    texts = ["Get the user.", "Get the user.", "Render a page.", "Get the user name."]
    sources = ["neighbour", "neighbour", "neighbour", "model"]
    agree = agreement(texts, sources)
    # the first neighbour agrees with the second fully, with the third not at all
    assert agree[0][0] == pytest.approx(0.5) and agree[2][0] == 0.0
    assert agree[0][1] == pytest.approx(
        overlap(["get", "the", "user"], ["get", "the", "user", "name"])
    )
    assert agree[3][1] == 0.0  # no other beam to agree with
    assert all(row[2] == 0.0 for row in agree)  # no corpus candidate


def test_features_say_whether_adaptation_changed_a_neighbour_and_names_match() -> None:
    words = split_identifier("remove_prompt")
    swapped = Candidate("Remove a prompt.", "neighbour", 0, 0.0, ("add", "prompt"))
    swapped.original = "Add a prompt."
    same = Candidate("Remove the prompt.", "neighbour", 1, 0.0, ("remove", "prompt"))
    same.original = "Remove the prompt"  # only normalised: not adapted
    name = Candidate("Remove prompt.", "name")

    def vec(c, agree=(0.0, 0.0, 0.0)):
        values = features(c, words, split_identifier(c.text), 1.0, agree)
        return dict(zip(FEATURES, values, strict=True))

    assert vec(swapped)["adapted"] == 1.0 and vec(same)["adapted"] == 0.0
    assert vec(swapped)["same_name"] == 0.0 and vec(same)["same_name"] == 1.0
    assert vec(name)["name_phrase"] == 1.0 and vec(swapped)["name_phrase"] == 0.0
    v = vec(swapped, (0.25, 0.5, 0.75))
    assert (v["agree_neighbours"], v["agree_model"], v["agree_corpus"]) == (0.25, 0.5, 0.75)


def test_pool_vectors_carry_agreement_among_candidates() -> None:
    symbol = record_symbol({"name": "remove_prompt", "kind": "method"})
    similar = [("add_prompt", "Add a prompt."), ("drop_prompt", "Drop a prompt.")]
    pool = candidate_pool([("remove a prompt", -0.1)], Vocabulary(), symbol, similar)
    rows = {c.text: dict(zip(FEATURES, v, strict=True)) for c, _, v in pool}
    # both neighbours adapt to "Remove a prompt.", the beam says the same
    assert rows["Remove a prompt."]["agree_model"] > 0.0
    assert rows["Remove a prompt."]["adapted"] in (0.0, 1.0)
    assert rows["Remove prompt."]["agree_neighbours"] > 0.0


def test_listwise_fit_learns_the_choice_and_the_confidence_predicts_the_pick() -> None:
    from assistant.workshop.training.ranker_fit import (
        confidence_weights,
        listwise_weights,
        on_bleu_scale,
    )

    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(300), 4)
    quality = rng.random(len(groups))
    level = np.repeat(rng.random(300) * 50, 4)  # how good a pool is overall: not a choice
    x = np.c_[quality, level / 50, np.ones(len(groups))]
    targets = level + 10 * quality
    weights = on_bleu_scale(listwise_weights(x, targets, groups), x, targets, groups)
    score = x @ weights
    picks = [np.argmax(score[groups == g]) for g in range(300)]
    best = [np.argmax(targets[groups == g]) for g in range(300)]
    assert np.mean(np.array(picks) == np.array(best)) > 0.95
    winners = [np.flatnonzero(groups == g)[p] for g, p in enumerate(picks)]
    # the choice ignores the pool's level; the confidence weights predict the pick's BLEU
    confidence = confidence_weights(weights, x, targets, groups)
    assert np.allclose(x[winners] @ confidence, targets[winners], atol=1e-6)
    pad = [0.0] * (len(FEATURES) - 3)
    ranker = Ranker([*pad, *weights], {}, None, [*pad, *confidence])
    vector = np.r_[np.zeros(len(pad)), x[winners[0]]]
    assert ranker.expected_bleu(vector) == pytest.approx(targets[winners[0]])


def _pool_rows(qualname: str, kind: str, similar: list[tuple[str, ...]]) -> dict[str, dict]:
    name = qualname.rpartition(".")[2]
    symbol = record_symbol({"name": name, "qualname": qualname, "kind": kind})
    pool = candidate_pool([], Vocabulary(), symbol, similar)
    return {c.detail: dict(zip(FEATURES, v, strict=True)) for c, _, v in pool if c.detail}


def test_features_flag_a_class_copied_for_a_function_and_another_class_s_method() -> None:
    rows = _pool_rows(
        "Event.add_callback",
        "method",
        [
            ("add_callback", "Add a callback for enter or exit.", "State.add_callback"),
            ("AddCallback", "An event that adds a callback.", "AddCallback"),
            ("add_callback", "Add a callback to the event.", "Event.add_callback"),
            ("add_callbacks", "Add several callbacks at once.", "add_callbacks"),
        ],
    )
    assert rows["State.add_callback"]["other_owner"] == 1.0
    assert rows["State.add_callback"]["unrelated_owner"] == 1.0  # State is not Event
    assert rows["State.add_callback"]["class_copy"] == 0.0
    assert rows["AddCallback"]["class_copy"] == 1.0
    assert rows["AddCallback"]["other_owner"] == 0.0
    assert rows["Event.add_callback"]["other_owner"] == 0.0  # its own class: not another
    assert rows["add_callbacks"]["other_owner"] == 0.0  # another name
    related = _pool_rows(
        "AsyncState.exit", "method", [("exit", "Called when leaving the state.", "State.exit")]
    )
    assert related["State.exit"]["other_owner"] == 1.0
    assert related["State.exit"]["unrelated_owner"] == 0.0  # a subclass's override, likely
    module = _pool_rows("flatten", "function", [("flatten", "Flatten an Iter.", "Iter.flatten")])
    assert module["Iter.flatten"]["unrelated_owner"] == 1.0  # a method for a module function
    # a class borrowing a class's sentence is no class copy; an unnamed neighbour is unknown
    cls = _pool_rows("Group", "class", [("Grouping", "A grouping of specs.", "Grouping")])
    assert cls["Grouping"]["class_copy"] == 0.0
    unnamed = _pool_rows("Iter.first", "method", [("First", "Get the first element.")])
    assert unnamed["First"]["class_copy"] == 0.0 and unnamed["First"]["other_owner"] == 0.0


def test_features_flag_a_differently_named_neighbour_whose_text_adaptation_left_alone() -> None:
    rows = _pool_rows(
        "takewhile",
        "function",
        [
            ("dropwhile", "Drop items while the predicate holds.", "dropwhile"),
            ("take_first", "Take the first item.", "take_first"),
            ("takewhile", "Yield items while the predicate holds.", "Iter.takewhile"),
        ],
    )
    assert rows["dropwhile"]["unadapted_difference"] == 1.0  # says what dropwhile does
    assert rows["take_first"]["unadapted_difference"] == 1.0  # lengths differ: not adapted
    assert rows["Iter.takewhile"]["unadapted_difference"] == 0.0  # the same name
    swapped = _pool_rows(
        "remove_prompt", "function", [("add_prompt", "Add a prompt.", "add_prompt")]
    )
    assert swapped["add_prompt"]["adapted"] == 1.0
    assert swapped["add_prompt"]["unadapted_difference"] == 0.0


def test_evaluation_names_the_neighbours_as_run_time_retrieval_does() -> None:
    from assistant.workshop.evaluation.evaluate import record_context

    near = {"id": 1, "name": "add_callback", "qualname": "State.add_callback", "summary": "Add."}
    record = {
        "id": 2,
        "name": "add_callback",
        "qualname": "Event.add_callback",
        "kind": "method",
        "code": "def add_callback(self, func): pass",
        "summary": "Add a callback.",
        "similar": [1],
    }
    evidence, _, symbol = record_context(record, {1: near, 2: record}, "in-repo")
    assert evidence.similar_qualnames == ["State.add_callback"]
    assert symbol.qualname == "Event.add_callback"
    cold, _, _ = record_context(record, {1: near, 2: record}, "cold")
    assert cold.similar_qualnames == []


def test_features_flag_a_private_neighbour_borrowed_for_a_public_symbol() -> None:
    """``Event.trigger`` <- ``Event._trigger`` ("Internal trigger function called by the
    Machine"): the same words, another contract. Over the dataset's training split a
    same-named private neighbour of a public symbol scores 34.0 sentence BLEU-4, a public
    one 56.7 (793 / 26,351 pairs)."""
    similar = [
        ("_trigger", "Internal trigger function called by the machine.", "Event._trigger"),
        ("trigger", "Trigger the event with locks.", "LockedEvent.trigger"),
    ]
    rows = _pool_rows("Event.trigger", "method", similar)
    assert rows["Event._trigger"]["private_neighbour"] == 1.0
    assert rows["Event._trigger"]["private_same_name"] == 1.0
    assert rows["LockedEvent.trigger"]["private_neighbour"] == 0.0
    other = _pool_rows("Event.trigger", "method", [("_fire", "Fire it.", "Event._fire")])
    assert other["Event._fire"]["private_neighbour"] == 1.0
    assert other["Event._fire"]["private_same_name"] == 0.0  # another name
    # a private symbol borrowing from a private one, or a dunder, is not flagged
    private = _pool_rows("Event._fire", "method", similar)
    assert private["Event._trigger"]["private_neighbour"] == 0.0
    dunder = _pool_rows("Event.call", "method", [("__call__", "Call it.", "Event.__call__")])
    assert dunder["Event.__call__"]["private_neighbour"] == 0.0


def test_the_private_neighbour_confidence_is_fitted_on_the_training_split() -> None:
    """The validation packages hold 24 same-named private/public pairs: too few to fit the
    confidence of such copies, which the training split's pools show is far too high."""
    from assistant.workshop.training.ranker_fit import train_residual_weights

    records = []
    for i in range(20):
        helper = {
            "id": 2 * i,
            "name": "_trigger",
            "qualname": f"E{i}._trigger",
            "kind": "method",
            "code": "def _trigger(self): pass",
            "etext": "python method E._trigger def _trigger(self): pass",
            "split": "train",
            "summary": "Internal helper called by the machine.",
        }
        public = {
            "id": 2 * i + 1,
            "name": "trigger",
            "qualname": f"E{i}.trigger",
            "kind": "method",
            "code": "def trigger(self, model): pass",
            "etext": "python method E.trigger def trigger(self, model): pass",
            "split": "train",
            "summary": "Fire the event for the model.",
            "similar": [2 * i],
        }
        records += [helper, public]
    by_id = {r["id"]: r for r in records}
    weights = [0.0] * len(FEATURES)
    weights[FEATURES.index("neighbour_1")] = 10.0  # the neighbour wins the choice
    confidence = [0.0] * len(FEATURES)
    confidence[FEATURES.index("bias")] = 60.0  # ... and is trusted as a 60-BLEU summary
    ranker = Ranker(weights, {}, None, confidence)

    def encoder():  # the residual reads each pool's neighbour similarity: any fixed vectors
        return "test", lambda texts: np.ones((len(texts), 4)) / 2.0

    info = train_residual_weights(records, by_id, ranker, 100, encoder=encoder)
    assert info["choices"] == 20
    private = ranker.confidence_weights[FEATURES.index("private_neighbour")]
    same = ranker.confidence_weights[FEATURES.index("private_same_name")]
    assert private + same < -30  # such a copy now predicts its low BLEU, not 60
    assert ranker.weights[FEATURES.index("private_same_name")] == 0.0  # the choice kept


def test_confidence_only_features_never_move_the_choice_and_unused_ones_nothing() -> None:
    """A neighbour of another kind informs the confidence, not the choice; the neighbour's
    retrieval cosine is held at zero in both (MODEL_CARD.md)."""
    from assistant.ranker import CONFIDENCE_ONLY
    from assistant.ranker_features import UNUSED
    from assistant.workshop.training.ranker_fit import fit_rows

    def vector(**values: float) -> np.ndarray:
        out = np.zeros(len(FEATURES))
        out[FEATURES.index("bias")] = 1.0
        for name, value in values.items():
            out[FEATURES.index(name)] = value
        return out

    rows = []
    for g in range(60):
        gold = f"Add a prompt to the server number {g}."
        near = g % 2 == 0  # a same-kind neighbour's sentence is right, another kind's half
        text = gold if near else f"Add a prompt for number {g}."
        sim = 0.9 if near else 0.5
        good = vector(
            support=1.0,
            neighbour_sim=sim,
            neighbour_sim_high=max(0.0, sim - 0.8),
            kind_function_method=0.0 if near else 1.0,
        )
        bad = vector(support=0.0, neighbour_sim=0.3)
        rows.append((gold, [(text, good), ("Completely unrelated words here now.", bad)]))
    ranker = fit_rows(rows, {})
    for name in CONFIDENCE_ONLY:
        assert ranker.weights[FEATURES.index(name)] == 0.0  # the choice never reads them
    for name in UNUSED:
        assert ranker.confidence_weights[FEATURES.index(name)] == 0.0
    assert ranker.confidence_weights[FEATURES.index("kind_function_method")] < 0.0
    picks = [max(pool, key=lambda item: ranker.predict(item[1]))[0] for _, pool in rows]
    assert all(not p.startswith("Completely") for p in picks)
