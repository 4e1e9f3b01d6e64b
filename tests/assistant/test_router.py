"""Routing policy and degradation decisions, with a fake queue (nothing timed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.router import ACCURATE, FAST, MODEL_FREE, ROUTES, Router


@dataclass
class FakeQueue:
    """depth x per-item cost, per tier, as the batcher estimates it."""

    depth: int = 0
    cost_s: dict[str, float] = field(default_factory=lambda: {ACCURATE: 0.08, FAST: 0.03})

    def estimate_wait(self, tier: str, priority: int) -> float:
        return (self.depth + 1) * self.cost_s[tier]


def test_the_table_routes_hover_fast_and_generate_accurate():
    router = Router(load=FakeQueue())
    assert router.decide("hover").tier == FAST
    assert router.decide("generate").tier == ACCURATE
    assert router.decide("bulk").tier == ACCURATE
    assert ROUTES["hover"].budget_ms == 250.0
    assert router.stats()["degradations"] == {}


def test_a_deep_queue_degrades_accurate_to_fast_then_to_model_free():
    queue = FakeQueue(depth=3)  # accurate 320 ms > 250, fast 120 ms
    router = Router(load=queue).with_budgets({"generate": 250.0})
    assert router.decide("generate").tier == FAST
    queue.depth = 20  # fast 630 ms: nothing with the model fits
    decision = router.decide("generate")
    assert (decision.tier, decision.wanted, decision.degraded) == (MODEL_FREE, ACCURATE, True)
    assert decision.estimate_ms == 0.0
    assert router.stats()["degradations"] == {
        "generate:accurate->fast": 1,
        "generate:accurate->model-free": 1,
    }


def test_hover_degrades_to_model_free_beyond_its_budget():
    queue = FakeQueue(depth=9)  # fast: 300 ms
    router = Router(load=queue)
    assert router.decide("hover").tier == MODEL_FREE
    queue.depth = 2
    assert router.decide("hover").tier == FAST
    assert router.stats()["decisions"] == {"hover:fast": 1, "hover:model-free": 1}


def test_degradation_off_keeps_the_route_tier_however_deep_the_queue():
    router = Router(load=FakeQueue(depth=1000), degrade=False)
    assert router.decide("hover").tier == FAST
    assert router.decide("generate").tier == ACCURATE
    assert router.stats()["degraded_total"] == 0


def test_no_budget_never_degrades():
    assert Router(load=FakeQueue(depth=1000)).decide("bulk").tier == ACCURATE


def test_an_unavailable_accurate_tier_is_skipped():
    router = Router(load=FakeQueue(), unavailable={ACCURATE})
    decision = router.decide("generate")
    assert decision.tier == FAST and decision.degraded


def test_an_explicit_tier_overrides_the_route():
    router = Router(load=FakeQueue())
    assert router.decide("hover", tier=ACCURATE).tier == ACCURATE


def test_the_wait_must_fit_in_what_is_left_of_the_budget():
    queue = FakeQueue(depth=5)  # fast: 180 ms
    router = Router(load=queue)
    assert router.decide("hover").tier == FAST  # 180 <= 250
    assert router.decide("hover", spent_ms=60.0).tier == FAST  # 180 + 60 <= 250
    assert router.decide("hover", spent_ms=80.0).tier == MODEL_FREE  # 180 + 80 > 250


def test_a_hover_goes_before_generate_and_both_before_bulk():
    from assistant.engine import Priority

    assert ROUTES["hover"].priority == Priority.URGENT < Priority.INTERACTIVE
    assert ROUTES["generate"].priority == Priority.INTERACTIVE < ROUTES["bulk"].priority
