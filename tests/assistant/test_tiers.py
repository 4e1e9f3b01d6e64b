"""Tiers in the pipeline: routing by request kind, tier-aware caching, encoder reuse,
degradation under load (a fake queue), the deadline, a broken accurate model."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.pipeline import DocPipeline, PipelineSettings, Router
from indexer.parser import parse_source

MODELS = "inventory/models.py"


class DeepQueue:
    """A load that makes every model tier miss any budget."""

    def estimate_wait(self, tier: str, priority: int) -> float:
        return 60.0


class Gated:
    """The tiny model behind a gate: holds every batch until the test opens it."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id, self.max_input_tokens = inner.model_id, inner.max_input_tokens
        self.gate = threading.Event()

    def generate(self, prompts, config=None):
        self.gate.wait(30)
        return self.inner.generate(prompts, config)

    def generate_texts(self, prompts, config=None):
        return [h[0].text for h in self.generate(prompts, config)]


@pytest.fixture
def pipelines(tmp_path: Path, generator):
    made: list[DocPipeline] = []

    def make(root: Path, gen=None, **kwargs) -> DocPipeline:
        settings = PipelineSettings(
            cache_dir=tmp_path / "results", update_index=False, num_beams=3, min_confidence=0.0
        )
        pipeline = DocPipeline(root, settings, generator=gen or generator, **kwargs)
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        pipeline.close()


def _target(pipeline: DocPipeline, root: Path, qualname: str):
    source = (root / MODELS).read_bytes()
    parsed = parse_source(source, MODELS)
    symbol = next(s for s in parsed.symbols if s.qualname == qualname)
    return pipeline.target(MODELS, source, symbol, parsed)


def test_hover_is_fast_generate_is_accurate_and_the_record_says_so(
    sample_repo, pipelines, generator
):
    pipeline = pipelines(sample_repo)
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    hover = pipeline.document_request(target, "hover")
    assert hover.tier == "fast" and hover.model == generator.model_id
    generated = pipeline.document_request(target, "generate")
    assert generated.tier == "accurate"
    assert generated.to_json()["tier"] == "accurate" and hover.to_json()["tier"] == "fast"
    # bulk runs (document_targets) are accurate
    assert pipeline.document_targets([target])[0].tier == "accurate"


def test_a_fast_draft_is_never_served_as_accurate_but_accurate_answers_a_hover(
    sample_repo, pipelines
):
    pipeline = pipelines(sample_repo)
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    assert not pipeline.document_request(target, "hover").cached
    accurate = pipeline.document_request(target, "generate")
    assert accurate.tier == "accurate" and not accurate.cached  # the fast one was not used
    again = pipeline.document_request(target, "hover")
    assert (again.tier, again.cached, again.summary) == ("accurate", True, accurate.summary)


def test_the_accurate_draft_after_a_hover_reuses_the_encoded_prompt(sample_repo, pipelines):
    pipeline = pipelines(sample_repo)
    target = _target(pipeline, sample_repo, "Warehouse.add_stock")
    pipeline.document_request(target, "hover")
    pipeline.document_request(target, "generate")
    cache = pipeline.serving_stats()["encoder_cache"]
    assert cache["hits"] == 1 and cache["misses"] == 1
    assert pipeline.generator.encoder_cache is not None
    pipeline.close()
    assert pipeline.generator.encoder_cache is None  # the shared fixture is left as it was


def test_under_load_a_hover_is_answered_without_the_model(sample_repo, pipelines):
    pipeline = pipelines(sample_repo, router=Router(load=DeepQueue()))
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    result = pipeline.document_request(target, "hover")
    assert result.tier == "model-free" and result.model == ""
    assert result.provenance[0] in ("repo-neighbour", "corpus", "name")
    assert any("without the model" in note for note in result.notes)
    assert pipeline.stats().interactive_batches == 0  # the model was not called
    router = pipeline.serving_stats()["router"]
    assert router["degradations"] == {"hover:fast->model-free": 1}


def test_degradation_off_waits_for_the_model(sample_repo, pipelines):
    pipeline = pipelines(sample_repo, router=Router(load=DeepQueue(), degrade=False))
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    assert pipeline.document_request(target, "hover").tier == "fast"


def test_an_answer_that_misses_the_deadline_is_given_up_not_left_waiting(
    sample_repo, pipelines, generator
):
    gated = Gated(generator)
    router = Router().with_budgets({"hover": 20.0})
    pipeline = pipelines(sample_repo, gen=gated, router=router)
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    try:
        result = pipeline.document_request(target, "hover")  # waits at most 20 ms for the model
    finally:
        gated.gate.set()
    assert result.tier == "model-free"
    assert pipeline.serving_stats()["router"]["degradations"] == {
        "hover:fast->model-free (deadline)": 1
    }
    # the batcher is still consistent: the next request is served by the model
    pipeline.router.degrade = False
    assert pipeline.document_request(target, "hover").tier == "fast"


def test_a_broken_accurate_model_degrades_to_fast_with_one_message(
    sample_repo, pipelines, tmp_path
):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    pipeline = pipelines(sample_repo, accurate_model=str(broken))
    first = pipeline.document_request(
        _target(pipeline, sample_repo, "Warehouse.low_stock"), "generate"
    )
    second = pipeline.document_request(
        _target(pipeline, sample_repo, "Warehouse.add_stock"), "generate"
    )
    assert first.tier == second.tier == "fast"
    messages = [n for n in pipeline.notes() if "accurate model" in n]
    assert len(messages) == 1 and str(broken) in messages[0]
    degradations = pipeline.serving_stats()["router"]["degradations"]
    assert degradations == {  # the first found it broken, the second was routed around it
        "generate:accurate->fast (unavailable)": 1,
        "generate:accurate->fast": 1,
    }


def test_a_configured_accurate_model_drafts_the_accurate_tier(
    sample_repo, pipelines, tiny_t5, tmp_path
):
    import shutil

    calm_t5 = shutil.copytree(tiny_t5, tmp_path / "larger-t5")  # another folder: another model
    pipeline = pipelines(sample_repo, accurate_model=str(calm_t5))
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    accurate = pipeline.document_request(target, "generate")
    assert (accurate.tier, accurate.model) == ("accurate", str(calm_t5))
    fast = pipeline.document_request(target, "hover")  # the accurate model's draft is cached
    assert (fast.tier, fast.cached) == ("accurate", True)
    other = pipeline.document_request(
        _target(pipeline, sample_repo, "Warehouse.add_stock"), "hover"
    )
    assert other.tier == "fast" and other.model != str(calm_t5)
    assert pipeline.notes() == [n for n in pipeline.notes() if "accurate model" not in n]


def test_the_quick_answer_needs_neither_retrieval_nor_the_model(sample_repo, pipelines):
    pipeline = pipelines(sample_repo)
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    result = pipeline.quick_result(target)
    assert (result.tier, result.provenance, result.cached) == ("model-free", ("name", ""), False)
    assert result.summary and result.docstring.startswith(result.summary)
    stats = pipeline.stats()
    assert stats.model_calls == stats.interactive_batches == stats.embedded == 0


def test_the_budget_counts_from_when_the_request_arrived(sample_repo, pipelines, generator):
    import time

    gated = Gated(generator)  # the model never answers while the hover waits
    pipeline = pipelines(sample_repo, gen=gated)
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    pipeline.router.degrade = False
    gated.gate.set()
    assert pipeline.document_request(target, "hover").tier == "fast"  # loaded, warm
    gated.gate.clear()
    pipeline.router.degrade = True
    target = _target(pipeline, sample_repo, "Warehouse.add_stock")
    try:
        # the hover arrived a second ago (its 250 ms are gone): no wait for the model
        result = pipeline.document_request(target, "hover", started=time.monotonic() - 1.0)
    finally:
        gated.gate.set()
    assert result.tier == "model-free" and result.summary
    assert any("without the model" in note for note in result.notes)
    assert pipeline.serving_stats()["router"]["degradations"] == {"hover:fast->model-free": 1}


def test_one_request_retrieving_does_not_hold_up_another(sample_repo, pipelines):
    from concurrent.futures import ThreadPoolExecutor

    pipeline = pipelines(sample_repo)
    pipeline.style_for("python")  # the one-time style scan is done
    contexts = pipeline.retriever.contexts
    entered, gate = threading.Event(), threading.Event()
    calls = []

    def slow_first(targets):  # the first retrieval is slow (a long embedding, say)
        calls.append(targets)
        if len(calls) == 1:
            entered.set()
            gate.wait(30)
        return contexts(targets)

    pipeline.retriever.contexts = slow_first
    first = _target(pipeline, sample_repo, "Warehouse.low_stock")
    second = _target(pipeline, sample_repo, "Warehouse.add_stock")
    with ThreadPoolExecutor(2) as pool:
        held = pool.submit(pipeline.document_request, first, "generate")
        assert entered.wait(10)
        try:
            other = pool.submit(pipeline.document_request, second, "generate").result(20)
        finally:
            gate.set()
        assert other.qualname == "Warehouse.add_stock"
        assert held.result(20).qualname == "Warehouse.low_stock"


def test_an_onnx_model_runs_bulk_batches_beside_interactive_ones(sample_repo, pipelines, generator):
    onnx = pipelines(sample_repo)  # the ONNX generator: concurrent generate calls are safe
    assert onnx.drafting.drafter("fast", interactive=True).batcher.bulk_lane
    other = pipelines(sample_repo, gen=Gated(generator))  # unknown: one worker
    assert not other.drafting.drafter("fast", interactive=True).batcher.bulk_lane


def test_the_front_ends_busy_signal_reaches_the_bulk_lane(sample_repo, pipelines):
    def busy() -> bool:
        return True

    pipeline = pipelines(sample_repo, interactive_busy=busy)
    assert pipeline.drafting.drafter("fast", interactive=True).batcher.interactive_busy is busy


def test_the_serving_stats_say_where_a_request_s_time_went(sample_repo, pipelines):
    pipeline = pipelines(sample_repo)
    pipeline.document_request(_target(pipeline, sample_repo, "Warehouse.low_stock"), "hover")
    stages = pipeline.serving_stats()["stages_ms"]
    for stage in ("retrieve", "lookup", "model:fast", "choose", "render"):
        assert stages[f"hover:{stage}"]["count"] == 1
        assert stages[f"hover:{stage}"]["max_ms"] >= 0.0


def test_the_warm_up_drafts_in_the_interactive_lane(pipelines, sample_repo: Path) -> None:
    # a bulk batch pauses while interactive work runs: a warm-up drafted as bulk work would
    # wait for every early hover, and the first drafted hover with it
    from assistant.engine import Priority

    pipeline = pipelines(sample_repo)
    seen: list = []
    draft = pipeline.drafting.draft

    def spy(tier, prompts, priority=None, *args, **kwargs):
        seen.append(priority)
        return draft(tier, prompts, priority, *args, **kwargs)

    pipeline.drafting.draft = spy
    stages = pipeline.warm_up()
    assert {"fast", "accurate"} <= set(stages)
    assert seen and all(p is not None and p < Priority.BULK for p in seen), seen


def test_the_retrieval_still_to_come_counts_against_the_budget(sample_repo, pipelines):
    """Recent hovers' retrievals took 300 ms: a 250 ms hover cannot wait for the model
    after its own, so it is answered without the model from the start (counted as load),
    not after a wasted wait for the deadline."""
    pipeline = pipelines(sample_repo)
    target = _target(pipeline, sample_repo, "Warehouse.low_stock")
    assert pipeline.document_request(target, "hover").tier == "fast"  # loaded, warm
    for _ in range(32):
        pipeline.stages.record("hover:retrieve", 0.3)
    target = _target(pipeline, sample_repo, "Warehouse.add_stock")
    assert pipeline.document_request(target, "hover").tier == "model-free"
    assert pipeline.serving_stats()["router"]["degradations"] == {"hover:fast->model-free": 1}
    assert pipeline.document_request(target, "generate").tier == "accurate"  # 2 s budget
