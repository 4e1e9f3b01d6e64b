"""Routing: which tier answers a request, as data, and when load makes it degrade.

Three tiers draft a summary (:data:`TIERS`), from most to least expensive:

- ``accurate``: today's beams (``PipelineSettings.num_beams``) and the ranker over all of
  them, on the main model or on a larger one configured as ``accurate_model``;
- ``fast``: the same int8 model with 2 beams and a short maximum length
  (:data:`FAST_BEAMS`, :data:`FAST_MAX_NEW_TOKENS`), the ranker over those 2;
- ``model-free``: no model call: the retrieved neighbour's summary adapted to the name,
  the shipped corpus' one, or the name as a sentence, with their (lower) confidence.

:data:`ROUTES` maps a request kind to its tier, its latency budget and its batcher
priority: a hover wants a fast answer within 250 ms; "Generate docstring", a code
action's resolve and ``docgen generate`` want the accurate tier. :class:`Router` decides
each request from the table and the engine's load: it asks a :class:`Load` how long the
wanted tier would take now (queue depth x recent per-item cost, see
:meth:`assistant.engine.batcher.DynamicBatcher.estimate_wait`) and, when that exceeds the
budget, steps down :data:`LADDER` until a tier fits (model-free always does). Every
degradation is counted. The clock and the load are injected, so tests decide with a
fake queue.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

ACCURATE = "accurate"
FAST = "fast"
MODEL_FREE = "model-free"
TIERS = (ACCURATE, FAST, MODEL_FREE)
LADDER = {ACCURATE: FAST, FAST: MODEL_FREE}
"""Where a tier degrades to when it would miss the budget."""

FAST_BEAMS = 2
FAST_MAX_NEW_TOKENS = 20

URGENT = -1
INTERACTIVE = 0
BULK = 1
"""Batcher priorities (the values of :class:`assistant.engine.Priority`): a hover's
draft goes before queued "Generate docstring" drafts (its budget is 8x tighter), both
before bulk work."""


@dataclass(frozen=True)
class Route:
    """How one kind of request is served.

    Attributes:
        tier: The tier it wants.
        budget_ms: The latency it may take; None: no budget (it waits, never degrades).
        priority: Its batcher priority (interactive before bulk).
    """

    tier: str
    budget_ms: float | None
    priority: int = INTERACTIVE


ROUTES: dict[str, Route] = {
    "hover": Route(FAST, 250.0, URGENT),
    "generate": Route(ACCURATE, 2000.0),  # "Generate docstring", a code action's resolve
    "file": Route(ACCURATE, None, BULK),  # the file-wide action: many drafts, yields
    "bulk": Route(ACCURATE, None, BULK),  # docgen generate
}
"""Request kind -> route: the routing policy, in one table."""


@dataclass(frozen=True)
class Decision:
    """What the router chose for one request.

    Attributes:
        kind: The request kind.
        tier: The tier that answers.
        wanted: The tier the route wanted (``tier`` differs when it degraded).
        budget_ms: The budget it was held to (None: none).
        estimate_ms: The wait estimated for ``tier`` (0 for model-free).
        priority: The batcher priority.
    """

    kind: str
    tier: str
    wanted: str
    budget_ms: float | None
    estimate_ms: float
    priority: int

    @property
    def degraded(self) -> bool:
        """Whether the answer comes from a cheaper tier than the route wanted."""
        return self.tier != self.wanted


class Load(Protocol):
    """How long a request of a tier would wait for its answer now (seconds)."""

    def estimate_wait(self, tier: str, priority: int) -> float: ...


class NoLoad:
    """An idle engine (the default): every tier answers within any budget."""

    def estimate_wait(self, tier: str, priority: int) -> float:
        del tier, priority
        return 0.0


@dataclass
class Router:
    """Decide tiers from :attr:`routes` and the :attr:`load`; count degradations.

    Args:
        routes: The routing table (default :data:`ROUTES`).
        load: The engine's load; None is an idle engine.
        degrade: Step down the ladder when a budget would be missed (off: every request
            gets its route's tier however long it waits; the benchmark compares both).
        unavailable: Tiers that cannot run (a broken accurate model): skipped downwards.
    """

    routes: Mapping[str, Route] = field(default_factory=lambda: dict(ROUTES))
    load: Load = field(default_factory=NoLoad)
    degrade: bool = True
    unavailable: set[str] = field(default_factory=set)
    degradations: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def with_budgets(self, budgets_ms: Mapping[str, float | None]) -> Router:
        """The same router with the budgets of some kinds replaced (settings)."""
        routes = dict(self.routes)
        for kind, budget in budgets_ms.items():
            if kind in routes:
                routes[kind] = replace(routes[kind], budget_ms=budget)
        return replace(self, routes=routes, degradations={}, decisions={})

    def route(self, kind: str) -> Route:
        """The route of ``kind`` (an unknown kind is served as ``generate``)."""
        return self.routes.get(kind) or self.routes.get("generate") or ROUTES["generate"]

    def decide(self, kind: str, tier: str | None = None, spent_ms: float = 0.0) -> Decision:
        """Choose the tier of one request of ``kind`` (``tier``: ask for that one instead
        of the route's, e.g. an explicit upgrade of a fast draft; ``spent_ms``: what of
        its budget is already gone or set aside, so the wait must fit in the rest)."""
        route = self.route(kind)
        wanted = tier or route.tier
        chosen, estimate = wanted, 0.0
        while chosen != MODEL_FREE:
            if chosen in self.unavailable:
                chosen = LADDER[chosen]
                continue
            estimate = self.load.estimate_wait(chosen, route.priority) * 1000.0
            fits = route.budget_ms is None or estimate + spent_ms <= route.budget_ms
            if not self.degrade or fits:
                break
            chosen = LADDER[chosen]
        if chosen == MODEL_FREE:
            estimate = 0.0
        decision = Decision(kind, chosen, wanted, route.budget_ms, estimate, route.priority)
        self.count(decision)
        return decision

    def count(self, decision: Decision, reason: str = "load") -> None:
        """Record a decision (and a degradation, under ``kind:from->to``)."""
        with self._lock:
            self.decisions[f"{decision.kind}:{decision.tier}"] = (
                self.decisions.get(f"{decision.kind}:{decision.tier}", 0) + 1
            )
            if decision.degraded:
                key = f"{decision.kind}:{decision.wanted}->{decision.tier}"
                if reason != "load":
                    key += f" ({reason})"
                self.degradations[key] = self.degradations.get(key, 0) + 1

    def stats(self) -> dict[str, Any]:
        """Decisions per ``kind:tier``, degradations per ``kind:from->to``, the budgets."""
        with self._lock:
            return {
                "degradation": self.degrade,
                "budgets_ms": {k: r.budget_ms for k, r in self.routes.items()},
                "decisions": dict(sorted(self.decisions.items())),
                "degradations": dict(sorted(self.degradations.items())),
                "degraded_total": sum(self.degradations.values()),
            }
