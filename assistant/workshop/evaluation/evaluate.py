"""Score the drafting model and two baselines on held-out packages, in two situations.

* **in-repo**: a package where most symbols are documented. The records of a package are
  split into 5 folds; a record is scored with the docstrings of its whole fold (20% of the
  package) removed, its evidence drawn from the other 80% (see
  :mod:`assistant.workshop.dataset.evidence`), exactly as the dataset builds it.
* **cold**: a package without any docstrings: the prompt has the code and, for methods,
  the class name, nothing else.

Baselines, scored the same way: **name-only** (``get_user_name`` -> ``Get user name.``)
and **retrieval-only** (the summary of the most similar still-documented symbol of the
package; nothing in the cold situation).

Given the model's beam candidates, **product** scores what ``docgen`` itself writes: the
grounded refinement's choice (:func:`assistant.summaries.choose_summary`) among the model's
beams, the neighbours' adapted summaries and the name, with the packaged ranker.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.prompt import DEFAULT_MAX_CHARS, build_prompt
from assistant.workshop.dataset.evidence import evidence_for
from assistant.workshop.dataset.sources import stable_hash
from assistant.workshop.evaluation.bleu import smoothed_bleu4
from indexer.symbols import Span, Symbol

SITUATIONS = ("in-repo", "cold")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def name_only_summary(name: str) -> str:
    """The name-only baseline: ``get_user_name``/``getUserName`` -> ``Get user name.``"""
    words = [w for part in name.strip("_").split("_") for w in _CAMEL.split(part) if w]
    if not words:
        return ""
    text = " ".join(w.lower() for w in words)
    return text[0].upper() + text[1:] + "."


def select_records(records: list[dict[str, Any]], split: str, limit: int, per_package: int):
    """Pick up to ``limit`` scored records of ``split``, at most ``per_package`` each."""
    chosen: list[dict[str, Any]] = []
    by_package: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        if record["split"] == split:
            by_package.setdefault(record["package"], []).append(record)
    for name in sorted(by_package):
        rows = sorted(by_package[name], key=lambda r: stable_hash(f"eval:{r['id']}"))
        chosen += rows[:per_package]
    chosen.sort(key=lambda r: stable_hash(f"evalorder:{r['id']}"))
    return chosen[:limit]


def prompts_for(records, by_id, situation: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Prompts of ``records`` in a situation (``in-repo`` or ``cold``)."""
    mode = "full" if situation == "in-repo" else "cold"
    return [build_prompt(r["code"], evidence_for(r, by_id, mode), max_chars) for r in records]


def record_symbol(record: dict[str, Any]) -> Symbol:
    """A :class:`~indexer.symbols.Symbol` carrying a record's name and kind (what
    refinement reads of it)."""
    zero = Span(0, 0, 0, 0, 0, 0)
    return Symbol(
        path=record.get("path", ""),
        language="python",
        qualname=record.get("qualname", record["name"]),
        name=record["name"],
        kind=record.get("kind", "function"),
        span=zero,
    )


def record_context(
    record: dict[str, Any],
    by_id: dict[int, dict[str, Any]],
    situation: str,
    corpus: list[Any] | None = None,
):
    """What refinement sees of a record in a situation, as the pipeline builds it at run
    time: ``(evidence, vocabulary of code + evidence, symbol)``; ``corpus``: the record's
    cold-start corpus neighbours (:class:`assistant.corpus.CorpusHit`), part of the
    vocabulary as at run time. The neighbours' retrieval similarities are the record's
    ``similar_scores`` when known (:mod:`assistant.workshop.evaluation.neighbour_sims`)."""
    from assistant.context import evidence_texts
    from assistant.corpus import corpus_texts
    from assistant.summaries import Vocabulary

    evidence = evidence_for(record, by_id, "full" if situation == "in-repo" else "cold")
    if evidence.similar:  # named as run-time retrieval names them (the ranker reads them)
        evidence.similar_qualnames = [by_id[i]["qualname"] for i in record["similar"]]
        evidence.similar_kinds = [by_id[i].get("kind", "") for i in record["similar"]]
        scores = record.get("similar_scores") or []
        if len(scores) == len(evidence.similar):
            evidence.similar_scores = [float(s) for s in scores]
    texts = evidence_texts(record["code"], evidence) + corpus_texts(corpus or [])
    return evidence, Vocabulary.from_texts(texts), record_symbol(record)


def product_summaries(
    records: list[dict[str, Any]],
    by_id: dict[int, dict[str, Any]],
    situation: str,
    candidates: list[list[tuple[str, float]]],
    ranker: Any = None,
    corpus: list[list[Any]] | None = None,
) -> list[str]:
    """What the product writes for each record, given the model's beams ``candidates``
    (and each record's cold-start corpus neighbours ``corpus``, if any)."""
    from assistant.prompt import named_neighbours
    from assistant.summaries import choose_summary

    out = []
    hits_per_record = corpus or [[] for _ in records]
    for record, cands, hits in zip(records, candidates, hits_per_record, strict=True):
        evidence, vocab, symbol = record_context(record, by_id, situation, hits)
        similar = named_neighbours(evidence)
        chosen = choose_summary(cands, vocab, symbol, similar, ranker, None, hits)
        out.append(chosen.summary)
    return out


def baseline_predictions(records, by_id, situation: str) -> dict[str, list[str]]:
    """Predictions of the name-only and retrieval-only baselines."""
    names = [name_only_summary(r["name"]) for r in records]
    if situation == "cold":
        retrieval = ["" for _ in records]
    else:
        retrieval = [by_id[r["similar"][0]]["summary"] if r.get("similar") else "" for r in records]
    return {"name-only": names, "retrieval-only": retrieval}


@dataclass
class EvalReport:
    """Scores per situation and system, with counts and timing."""

    scores: dict[str, dict[str, float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    packages: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    samples: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "scores": self.scores,
            "counts": self.counts,
            "packages": self.packages,
            "seconds": self.seconds,
            "samples": self.samples,
        }


def evaluate_model(
    records: list[dict[str, Any]],
    generate: Callable[[list[str]], list[str]] | None,
    *,
    split: str = "test",
    limit: int = 1000,
    per_package: int = 150,
    batch_size: int = 16,
    progress: Callable[[str, int, int], None] | None = None,
    draft: Callable[[list[str]], list[list[tuple[str, float]]]] | None = None,
    ranker: Any = None,
    corpus: Callable[[list[dict[str, Any]]], list[list[Any]]] | None = None,
) -> EvalReport:
    """Score ``generate`` (prompts in, summaries out), the product and the baselines.

    Args:
        records: All dataset records (evidence ids must be filled for the split).
        generate: The model, or None to score the baselines only.
        split: Which held-out split to score.
        limit: Records scored per situation.
        per_package: Cap per package, so one big package does not dominate.
        batch_size: Prompts per ``generate`` call.
        progress: Optional ``(situation, done, total)`` callback.
        draft: The model's beams instead of ``generate`` (prompts in, ``(text, score)``
            lists out, best first): scores ``model`` (the best beam) and ``product``
            (refinement's choice, :func:`product_summaries`).
        ranker: The ranker of ``product`` (default: the packaged one).
        corpus: Records in, their cold-start corpus neighbours out: also scores
            ``product+corpus`` and ``corpus-nearest`` (the nearest entry's summary copied).

    Returns:
        The report.
    """
    by_id = {r["id"]: r for r in records}
    chosen = select_records(records, split, limit, per_package)
    report = EvalReport(packages=sorted({r["package"] for r in chosen}))
    golds = [r["summary"] for r in chosen]
    hits = corpus(chosen) if corpus is not None else None
    for situation in SITUATIONS:
        report.counts[situation] = len(chosen)
        systems = baseline_predictions(chosen, by_id, situation)
        if hits is not None:
            systems["corpus-nearest"] = [row[0].summary if row else "" for row in hits]
        if generate is not None or draft is not None:
            prompts = prompts_for(chosen, by_id, situation)
            started = time.monotonic()
            preds: list[str] = []
            beams: list[list[tuple[str, float]]] = []
            for start in range(0, len(prompts), batch_size):
                chunk = prompts[start : start + batch_size]
                if draft is not None:
                    beams += draft(chunk)
                else:
                    preds += generate(chunk)
                if progress:
                    progress(situation, len(beams) + len(preds), len(prompts))
            report.seconds[situation] = round(time.monotonic() - started, 1)
            if draft is not None:
                preds = [b[0][0] if b else "" for b in beams]
                systems["product"] = product_summaries(chosen, by_id, situation, beams, ranker)
                if hits is not None:
                    systems["product+corpus"] = product_summaries(
                        chosen, by_id, situation, beams, ranker, hits
                    )
            systems["model"] = preds
            report.samples[situation] = [
                {"name": r["qualname"], "gold": golds[i], **{k: v[i] for k, v in systems.items()}}
                for i, r in enumerate(chosen[:8])
            ]
        report.scores[situation] = {
            name: round(smoothed_bleu4(golds, preds), 2) for name, preds in systems.items()
        }
    return report
