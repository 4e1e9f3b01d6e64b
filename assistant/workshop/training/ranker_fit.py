"""Fit the candidate ranker of grounded refinement (:mod:`assistant.ranker`).

The ranker is fitted on the **validation** packages of the dataset (never seen by the
model in training, and disjoint from the test packages the evaluation scores): for each
sampled record, in-repo or cold, the drafting model's beams are generated from the prompt
the product would build, refinement's candidate pool is built exactly as at run time
(:func:`assistant.summaries.candidate_pool`), and every candidate's sentence-level smoothed
BLEU-4 against the record's human summary becomes a regression target. Refit after every
change of the drafting model::

    python -m assistant.workshop.training.ranker_fit --data work-data/dataset/examples.jsonl.xz \\
        --similar-in checkpoints/docgen-t5/similar.json.xz --samples 3000

The weights are written to ``assistant/data/ranker.json`` (packaged) unless ``--out`` says
otherwise. The candidate pool includes each record's cold-start corpus neighbours
(:mod:`assistant.corpus`, the shipped file unless ``--corpus`` names another or ``none``):
the records' code is embedded as the index embeds it (their ``etext``). The validation
packages are not in the corpus (it is built from the training split only). Each repository
neighbour's retrieval similarity (a feature, as at run time) is computed the same way and
kept in ``--sims-cache`` (:mod:`assistant.workshop.evaluation.neighbour_sims`).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "ranker.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description="Fit the refinement ranker.")
    p.add_argument("--data", type=Path, required=True, help="examples.jsonl.xz")
    p.add_argument("--similar-in", type=Path, default=None, help="neighbour ids (json.xz)")
    p.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    p.add_argument("--samples", type=int, default=3000, help="validation records used")
    p.add_argument("--cold-share", type=float, default=0.3, help="share fitted cold")
    p.add_argument("--num-beams", type=int, default=4)
    p.add_argument("--max-new-tokens", type=int, default=32)
    p.add_argument("--no-repeat-ngram-size", type=int, default=3, help="as the pipeline's default")
    p.add_argument("--split", default="valid")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--min-opener-count",
        type=int,
        default=15,
        help="a summary's first word must start this many training summaries to be swapped in",
    )
    p.add_argument("--beams-cache", type=Path, default=None, help="reuse/save drafted beams")
    p.add_argument("--corpus", default="default", help="corpus file, 'default' or 'none'")
    p.add_argument("--corpus-k", type=int, default=3)
    p.add_argument("--hits-cache", type=Path, default=None, help="reuse/save corpus neighbours")
    p.add_argument(
        "--sims-cache", type=Path, default=None, help="reuse/save the neighbours' similarities"
    )
    p.add_argument(
        "--least-squares",
        action="store_true",
        help="regress every candidate's BLEU (the earlier fit) instead of the listwise one",
    )
    p.add_argument(
        "--train-residual",
        type=int,
        default=40000,
        help="training records whose pools fit the confidence weights of "
        "assistant.ranker.TRAIN_CALIBRATED (0: keep the validation fit's)",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return p.parse_args(argv)


def summary_openers(records: list[dict[str, Any]], min_count: int = 15) -> list[str]:
    """First words (lowercase) of at least ``min_count`` training summaries: the verbs and
    articles human summaries start with (``return``, ``add``, ``a``, ...)."""
    counts = Counter(
        r["summary"].split()[0].lower().strip(".,:;")
        for r in records
        if r["split"] == "train" and r["summary"].split()
    )
    return sorted(word for word, n in counts.items() if n >= min_count and word.isalpha())


def fitting_rows(
    records: list[dict[str, Any]],
    by_id: dict[int, dict[str, Any]],
    situations: list[str],
    beams: list[list[tuple[str, float]]],
    openers: frozenset[str] | None = None,
    corpus: list[list[Any]] | None = None,
) -> list[tuple[str, list[tuple[str, np.ndarray]]]]:
    """Per record: its gold summary and the ``(text, features)`` of its candidate pool
    (``corpus``: each record's cold-start corpus neighbours)."""
    from assistant.prompt import named_neighbours
    from assistant.summaries import candidate_pool
    from assistant.workshop.evaluation.evaluate import record_context

    rows = []
    hits_per_record = corpus or [[] for _ in records]
    for record, situation, cands, hits in zip(
        records, situations, beams, hits_per_record, strict=True
    ):
        evidence, vocab, symbol = record_context(record, by_id, situation, hits)
        pool = candidate_pool(cands, vocab, symbol, named_neighbours(evidence), openers, None, hits)
        rows.append((record["summary"], [(c.text, vector) for c, _, vector in pool]))
    return rows


def corpus_hits(records: list[dict[str, Any]], path: str, k: int) -> list[list[Any]] | None:
    """The records' ``k`` nearest cold-start corpus entries (None: ``path`` is ``none``)."""
    if path == "none":
        return None
    from assistant.corpus import default_corpus_path, read_corpus
    from indexer.embed import Embedder

    corpus = read_corpus(default_corpus_path() if path == "default" else Path(path))
    vectors = Embedder(None, "auto").encode([r["etext"] for r in records])
    return corpus.search(vectors, k)


def listwise_weights(
    vectors: np.ndarray,
    targets: np.ndarray,
    groups: np.ndarray,
    l2: float = 1e-3,
    steps: int = 400,
    rate: float = 0.05,
) -> np.ndarray:
    """Linear weights that maximise the mean *expected* target of each group's choice.

    Each group (one record's candidate pool; ``groups`` sorted, one id per row) picks by a
    softmax over ``vectors @ w``; Adam ascends the mean expected sentence BLEU of the pick
    (a smooth stand-in for the BLEU of the argmax that refinement takes), less ``l2`` x
    |w|^2 / 2. Unlike least squares on every candidate's BLEU, only the differences
    within a pool count, which is all the choice uses. Features are standardised while
    fitting; the returned weights act on the raw vectors (the last feature must be the
    constant bias).
    """
    mean, scale = vectors.mean(0), vectors.std(0)
    scale[scale < 1e-9] = 1.0
    x = (vectors - mean) / scale
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    index = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(groups)]))
    w = np.zeros(x.shape[1])
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        score = x @ w
        p = np.exp(score - np.maximum.reduceat(score, starts)[index])
        p /= np.add.reduceat(p, starts)[index]
        expected = np.add.reduceat(p * targets, starts)
        grad = x.T @ (p * (targets - expected[index])) / len(starts) - l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w += rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    raw = w / scale
    raw[-1] -= float(raw[:-1] @ mean[:-1])  # centring folded into the bias
    return raw


def on_bleu_scale(
    weights: np.ndarray, vectors: np.ndarray, targets: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """Rescale choice weights so each pool's winner's score predicts its sentence BLEU
    (an affine least-squares map, slope kept positive: the choice is unchanged), so that
    refinement's penalties and the confidence (score / 50) keep their meaning."""
    score = vectors @ weights
    winners = winners_of(weights, vectors, groups)
    design = np.c_[score[winners], np.ones(len(winners))]
    (slope, shift), *_ = np.linalg.lstsq(design, targets[winners], rcond=None)
    slope = max(float(slope), 1e-3)
    out = weights * slope
    out[-1] += float(shift)
    return out


def cached_hits(records, path: str, k: int, cache: Path | None) -> list[list[Any]] | None:
    """:func:`corpus_hits`, kept in ``cache`` (JSON, keyed by the records' ids) if given."""
    from assistant.corpus import CorpusHit

    key = [path, k, [r["id"] for r in records]]
    if cache is not None and cache.is_file():
        try:
            stored = json.loads(cache.read_text(encoding="utf-8"))
            if stored.get("key") == key:
                return [[CorpusHit.from_list(h) for h in row] for row in stored["hits"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            print(f"corpus-hits cache {cache} is unreadable ({exc}); searching the corpus again")
    hits = corpus_hits(records, path, k)
    if cache is not None and hits is not None:
        rows = [[h.to_list() for h in row] for row in hits]
        cache.write_text(json.dumps({"key": key, "hits": rows}), encoding="utf-8")
    return hits


def winners_of(weights: np.ndarray, vectors: np.ndarray, groups: np.ndarray) -> list[int]:
    """Row index of each group's highest-scoring candidate under ``weights``."""
    score = vectors @ weights
    return [
        int(np.flatnonzero(groups == g)[np.argmax(score[groups == g])]) for g in np.unique(groups)
    ]


def confidence_weights(
    weights: np.ndarray, vectors: np.ndarray, targets: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """Least-squares weights predicting the sentence BLEU of each group's *chosen*
    candidate from its features: the confidence. The choice weights only order a pool
    (how good the pool is as a whole does not move them); these say how good the pick is."""
    won = winners_of(weights, vectors, groups)
    fitted, *_ = np.linalg.lstsq(vectors[won], targets[won], rcond=None)
    return fitted


def fit_rows(rows, info: dict[str, Any], openers: list[str] | None = None, listwise: bool = True):
    """Fit a :class:`~assistant.ranker.Ranker` to the rows' sentence BLEU-4 scores: choice
    weights by :func:`listwise_weights` put :func:`on_bleu_scale`, confidence weights by
    :func:`confidence_weights` (``listwise``), or least squares on every candidate's score
    for both. The choice weights of :data:`assistant.ranker.CONFIDENCE_ONLY` stay zero
    (those columns are left out of the choice's fit; the confidence uses them)."""
    from assistant.ranker import CONFIDENCE_ONLY, FEATURES, Ranker
    from assistant.ranker_features import UNUSED
    from assistant.workshop.evaluation.bleu import smoothed_bleu4

    vectors, targets, groups = [], [], []
    for g, (gold, pool) in enumerate(rows):
        for text, vector in pool:
            vectors.append(vector)
            targets.append(smoothed_bleu4([gold], [text]))
            groups.append(g)
    x, y, ids = np.array(vectors), np.array(targets), np.array(groups)
    if not listwise or len(x) == 0:
        return Ranker.fit(x, y, info, openers)
    x[:, [FEATURES.index(name) for name in UNUSED]] = 0.0  # zero in both vectors
    for_choice = x.copy()
    for_choice[:, [FEATURES.index(name) for name in CONFIDENCE_ONLY]] = 0.0
    weights = on_bleu_scale(listwise_weights(for_choice, y, ids), for_choice, y, ids)
    confidence = confidence_weights(weights, x, y, ids)
    return Ranker([float(w) for w in weights], info, openers, [float(w) for w in confidence])


def train_residual_weights(
    records: list[dict[str, Any]],
    by_id: dict[int, dict[str, Any]],
    ranker,
    limit: int,
    seed: int = 2,
    sims_cache: Path | None = None,
    encoder=None,
) -> dict[str, Any]:
    """Confidence weights for :data:`assistant.ranker.TRAIN_CALIBRATED`, fitted on up to
    ``limit`` **training** records' in-repo pools (neighbours and the name; no beams, which
    the training split has none of, and no corpus, which holds these packages) with every
    other weight held: least squares of the chosen candidate's sentence BLEU-4 less its
    predicted BLEU without these features' terms, on the choices that have one of them.
    The validation packages hold too few of these (24 same-named private/public pairs).
    Only pools with a private neighbour can have such a choice, so only their records'
    neighbour similarities are computed (kept in ``sims_cache``; ``encoder``: see
    :func:`~assistant.workshop.evaluation.neighbour_sims.cached_similarities`, default the
    shipped embedder)."""
    from assistant.prompt import named_neighbours
    from assistant.ranker import FEATURES, TRAIN_CALIBRATED
    from assistant.summaries import candidate_pool
    from assistant.workshop.evaluation.bleu import smoothed_bleu4
    from assistant.workshop.evaluation.evaluate import record_context
    from assistant.workshop.evaluation.neighbour_sims import (
        apply_similarities,
        cached_similarities,
    )

    columns = [FEATURES.index(name) for name in TRAIN_CALIBRATED]
    if ranker.confidence_weights is ranker.weights:  # never move the choice weights
        ranker.confidence_weights = ranker.weights.copy()
    held = ranker.confidence_weights.copy()
    held[columns] = 0.0
    chosen = [r for r in records if r["split"] == "train" and r.get("similar")]
    random.Random(seed).shuffle(chosen)
    chosen = chosen[:limit]
    with_private = [r for r in chosen if _private_neighbour(r, by_id)]
    encoding = {} if encoder is None else {"encoder": encoder}
    found = cached_similarities(with_private, by_id, sims_cache, **encoding)
    apply_similarities(with_private, found)
    # a neighbour of another kind: no similarities needed (those weights are UNUSED)
    seen = {id(r) for r in with_private}
    with_private += [r for r in chosen if id(r) not in seen and _other_kind_neighbour(r, by_id)]
    design, residual = [], []
    for record in with_private:
        evidence, vocab, symbol = record_context(record, by_id, "in-repo", [])
        pool = candidate_pool([], vocab, symbol, named_neighbours(evidence), ranker.openers)
        if not pool:
            continue
        candidate, _, vector = max(pool, key=lambda item: ranker.predict(item[2]))
        if not vector[columns].any():
            continue
        design.append(vector[columns])
        bleu = smoothed_bleu4([record["summary"]], [candidate.text])
        residual.append(bleu - float(vector @ held))
    if not design:
        return {}
    fitted, *_ = np.linalg.lstsq(np.array(design), np.array(residual), rcond=None)
    for column, weight in zip(columns, fitted, strict=True):
        ranker.confidence_weights[column] = float(weight)
    return {
        "records": min(limit, len(chosen)),
        "choices": len(design),
        "weights": {n: round(float(w), 3) for n, w in zip(TRAIN_CALIBRATED, fitted, strict=True)},
    }


def _other_kind_neighbour(record: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> bool:
    """Whether a record has a neighbour of another kind (a method for a function, a class
    for a method): the pools :data:`assistant.ranker.KIND_FEATURES` are fitted on."""
    return any(by_id[other]["kind"] != record["kind"] for other in record["similar"])


def _private_neighbour(record: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> bool:
    """Whether a public record has a private neighbour (``_trigger`` for ``trigger``):
    the pools :func:`train_residual_weights` can use
    (:func:`assistant.ranker.private_for_public`)."""
    if record["qualname"].rpartition(".")[2].startswith("_"):
        return False
    for other in record["similar"]:
        theirs = by_id[other]["qualname"].rpartition(".")[2]
        if theirs.startswith("_") and not theirs.startswith("__"):
            return True
    return False


def choose(ranker, rows) -> list[str]:
    """The ranker's pick per row (no penalties: scoring the fit itself)."""
    return [
        max(pool, key=lambda item: ranker.predict(item[1]))[0] if pool else "" for _, pool in rows
    ]


def _model_key(generator) -> str:
    """Identify the drafting model's weights (its export manifest), for the beams cache."""
    import hashlib

    manifest = Path(getattr(generator, "folder", "")) / "docgen-onnx.json"
    if manifest.is_file():
        return hashlib.sha256(manifest.read_bytes()).hexdigest()
    return str(getattr(generator, "model_id", "model"))


def main(argv: list[str] | None = None) -> int:
    """Generate beams for sampled validation records, fit, write the weights."""
    from rich.progress import Progress

    from assistant.draft import Drafter, candidates_config
    from assistant.engine import load_generator
    from assistant.workshop.evaluation.bleu import smoothed_bleu4
    from assistant.workshop.evaluation.evaluate import prompts_for
    from assistant.workshop.evaluation.neighbour_sims import (
        apply_similarities,
        cached_similarities,
    )
    from assistant.workshop.training.data import apply_similar, load_examples

    args = parse_args(argv)
    started = time.monotonic()
    records = load_examples(args.data)
    if args.similar_in is not None:
        apply_similar(records, args.similar_in)
    by_id = {r["id"]: r for r in records}
    pool = [r for r in records if r["split"] == args.split and r.get("similar")]
    if not pool:
        raise SystemExit(f"no {args.split} record of {args.data} has neighbour evidence")
    rng = random.Random(args.seed)
    chosen = rng.sample(pool, min(args.samples, len(pool)))
    situations = ["cold" if rng.random() < args.cold_share else "in-repo" for _ in chosen]
    generator = load_generator(args.model, backend="onnx")
    config = candidates_config(args.num_beams, args.max_new_tokens, args.no_repeat_ngram_size)
    prompts = [prompts_for([r], by_id, s)[0] for r, s in zip(chosen, situations, strict=True)]
    key = [_model_key(generator), repr(config)]
    beams: list[list[tuple[str, float]]] = []
    if args.beams_cache is not None and args.beams_cache.is_file():
        cached = json.loads(args.beams_cache.read_text(encoding="utf-8"))
        if cached.get("prompts") == prompts and cached.get("model") == key:
            beams = [[(t, float(v)) for t, v in row] for row in cached["beams"]]
    with Progress() as progress:
        task = progress.add_task("drafting candidates", total=len(prompts), completed=len(beams))
        beams += Drafter(generator, config).draft(
            prompts[len(beams) :], progress=lambda n: progress.advance(task, n)
        )
    if args.beams_cache is not None:
        entry = {"model": key, "prompts": prompts, "beams": beams}
        args.beams_cache.write_text(json.dumps(entry))
    openers = summary_openers(records, args.min_opener_count)
    hits = cached_hits(chosen, args.corpus, args.corpus_k, args.hits_cache)
    apply_similarities(chosen, cached_similarities(chosen, by_id, args.sims_cache))
    rows = fitting_rows(chosen, by_id, situations, beams, frozenset(openers), hits)
    info = {
        "model": str(args.model or "embedded default"),
        "split": args.split,
        "records": len(rows),
        "cold_share": args.cold_share,
        "num_beams": args.num_beams,
        "max_new_tokens": args.max_new_tokens,
        "no_repeat_ngram_size": args.no_repeat_ngram_size,
        "seed": args.seed,
        "corpus": args.corpus,
        "corpus_k": args.corpus_k,
    }
    info["objective"] = "least squares" if args.least_squares else "listwise expected BLEU"
    ranker = fit_rows(rows, info, openers, listwise=not args.least_squares)
    if args.train_residual > 0:
        info["train_residual"] = train_residual_weights(
            records, by_id, ranker, args.train_residual, sims_cache=args.sims_cache
        )
    golds = [gold for gold, _ in rows]
    picks = choose(ranker, rows)
    for situation in ("in-repo", "cold"):
        idx = [i for i, s in enumerate(situations) if s == situation]
        info[f"fit_bleu_{situation}"] = round(
            smoothed_bleu4([golds[i] for i in idx], [picks[i] for i in idx]), 2
        )
    info["seconds"] = round(time.monotonic() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(ranker.to_json() + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(json.dumps({"out": str(args.out), **info}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
