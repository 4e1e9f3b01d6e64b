"""Quality and latency of the shipped drafting model on held-out packages.

Smoothed BLEU-4 (CodeXGLUE) in-repo and cold for the model and the name-only and
retrieval-only baselines (:mod:`assistant.workshop.evaluation.evaluate`), then the latency of one
summary at batch 1 through the int8 ONNX engine on in-repo prompts.

    .venv/bin/python benchmarks/model_quality.py --data work-data/dataset/examples.jsonl.xz \\
        --similar-in checkpoints/docgen-t5/similar.json.xz --limit 1000 --latency 100

With the cold-start corpus (default: the shipped ``assistant/data/corpus.npz``; ``--corpus
none`` leaves it out) it also scores ``product+corpus`` (refinement with the corpus
neighbours as candidates) and ``corpus-nearest`` (the nearest corpus entry's summary
copied), embedding each scored record's code as the index would, and times one corpus
query at batch 1. ``--beams-cache`` keeps the model's beams between runs, ``--hits-cache``
the corpus neighbours, ``--sims-cache`` the retrieval similarity of each scored record's
repository neighbours (a ranker feature, as at run time:
:mod:`assistant.workshop.evaluation.neighbour_sims`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path


def latency(generator, prompts: list[str], config) -> dict[str, float]:
    """Milliseconds per summary at batch 1 (after two warm-up calls)."""
    for prompt in prompts[:2]:
        generator.generate_texts([prompt], config)
    times = []
    for prompt in prompts:
        started = time.perf_counter()
        generator.generate_texts([prompt], config)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "n": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * (len(times) - 1))], 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def refine_latency(records, by_id, beams, ranker) -> dict[str, float]:
    """Milliseconds of refinement per summary at batch 1 (the candidate pool, its
    features and the choice, :func:`assistant.summaries.choose_summary`), in-repo, and of
    the pool's agreement features alone (:func:`assistant.ranker.agreement`)."""
    from assistant.prompt import named_neighbours
    from assistant.ranker import agreement
    from assistant.summaries import candidate_pool, choose_summary
    from assistant.workshop.evaluation.evaluate import record_context

    total, agree = [], []
    for record, cands in zip(records, beams, strict=True):
        evidence, vocab, symbol = record_context(record, by_id, "in-repo")
        started = time.perf_counter()
        choose_summary(cands, vocab, symbol, named_neighbours(evidence), ranker)
        total.append((time.perf_counter() - started) * 1000)
        pool = candidate_pool(cands, vocab, symbol, named_neighbours(evidence))
        texts, sources = [c.text for c, _, _ in pool], [c.source for c, _, _ in pool]
        started = time.perf_counter()
        agreement(texts, sources)
        agree.append((time.perf_counter() - started) * 1000)
    total.sort()
    return {
        "n": len(total),
        "median_ms": round(statistics.median(total), 2),
        "p90_ms": round(total[int(0.9 * (len(total) - 1))], 2),
        "agreement_median_ms": round(statistics.median(agree), 2),
    }


def corpus_neighbours(path: str, k: int, timing: dict, cache: Path | None = None):
    """Records in, their ``k`` nearest corpus entries out (records embedded like the index
    embeds code: their ``etext``); ``timing`` receives the batch-1 query cost. ``cache``:
    a JSON file keeping the hits per record id between runs (no timing then)."""
    import numpy as np

    from assistant.corpus import CorpusHit, default_corpus_path, read_corpus
    from indexer.embed import Embedder

    corpus = read_corpus(default_corpus_path() if path == "default" else Path(path))
    embedder = Embedder(None, "auto")

    def find(records):
        key = [path, k, [r["id"] for r in records]]
        if cache is not None and cache.is_file():
            stored = json.loads(cache.read_text(encoding="utf-8"))
            if stored.get("key") == key:
                return [[CorpusHit.from_list(h) for h in row] for row in stored["hits"]]
        hits = search(records)
        if cache is not None:
            rows = [[h.to_list() for h in row] for row in hits]
            cache.write_text(json.dumps({"key": key, "hits": rows}), encoding="utf-8")
        return hits

    def search(records):
        vectors = embedder.encode([r["etext"] for r in records])
        times = []
        for vector in vectors[:200]:
            started = time.perf_counter()
            corpus.search(vector[None, :], k)
            times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        embedder.encode([records[0]["etext"]])
        times.sort()
        timing.update(
            entries=len(corpus),
            query_median_ms=round(statistics.median(times), 2),
            query_p90_ms=round(times[int(0.9 * (len(times) - 1))], 2),
            embed_one_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        hits = corpus.search(np.asarray(vectors), k)
        heldout = {r["package"] for r in records}
        leaked = {h.package for row in hits for h in row} & heldout
        if leaked:
            raise SystemExit(f"held-out packages found in the corpus: {sorted(leaked)}")
        return hits

    return find


def package_scores(records, by_id, draft, ranker, corpus, limit: int, per_package: int):
    """Per test package and situation, smoothed BLEU-4 of the product (with the corpus when
    ``corpus`` is given), of copying the nearest neighbour's summary unchanged
    (``retrieval-only``) and of the name sentence (``name-only``): issue 12 asks that the
    product never do worse than its best single source, package by package. ``draft``
    should be the cached one (the beams of the main evaluation)."""
    from assistant.workshop.evaluation.bleu import smoothed_bleu4
    from assistant.workshop.evaluation.evaluate import (
        baseline_predictions,
        product_summaries,
        prompts_for,
        select_records,
    )

    chosen = select_records(records, "test", limit, per_package)
    hits = corpus(chosen) if corpus is not None else None
    out: dict[str, dict[str, dict[str, float]]] = {}
    for situation in ("in-repo", "cold"):
        beams = draft(prompts_for(chosen, by_id, situation))
        systems = baseline_predictions(chosen, by_id, situation)
        systems["product"] = product_summaries(chosen, by_id, situation, beams, ranker, hits)
        for package in sorted({r["package"] for r in chosen}):
            idx = [i for i, r in enumerate(chosen) if r["package"] == package]
            golds = [chosen[i]["summary"] for i in idx]
            row = {"n": len(idx)}
            for name, preds in systems.items():
                row[name] = round(smoothed_bleu4(golds, [preds[i] for i in idx]), 2)
            out.setdefault(package, {})[situation] = row
    return out


def print_package_table(scores: dict[str, dict[str, dict[str, float]]]) -> None:
    """The per-package table of :func:`package_scores`, marking where the product loses."""
    print("| package | n | in-repo product | nearest unchanged | name | cold product | name |")
    print("|---|---|---|---|---|---|---|")
    for package, row in scores.items():
        warm, cold = row["in-repo"], row["cold"]
        best = max(warm["retrieval-only"], warm["name-only"])
        mark = " (below)" if warm["product"] < best else ""
        cmark = " (below)" if cold["product"] < cold["name-only"] else ""
        print(
            f"| {package} | {warm['n']} | {warm['product']:.2f}{mark} | "
            f"{warm['retrieval-only']:.2f} | {warm['name-only']:.2f} | "
            f"{cold['product']:.2f}{cmark} | {cold['name-only']:.2f} |"
        )


def cached_draft(draft, path: Path | None):
    """``draft`` with its beams kept in a JSON file keyed by prompt."""
    if path is None:
        return draft, lambda: None
    store = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def run(prompts):
        todo = [p for p in prompts if p not in store]
        if todo:
            for prompt, beams in zip(todo, draft(todo), strict=True):
                store[prompt] = beams
        return [[(t, float(v)) for t, v in store[p]] for p in prompts]

    return run, lambda: path.write_text(json.dumps(store), encoding="utf-8")


def neighbour_similarities(records, scored, cache: Path | None) -> None:
    """Give the ``scored`` records their neighbours' retrieval similarities (embedded once,
    kept in ``cache``; a corrupt cache is one message and is computed again)."""
    from assistant.workshop.evaluation.neighbour_sims import (
        apply_similarities,
        cached_similarities,
    )

    by_id = {r["id"]: r for r in records}
    apply_similarities(scored, cached_similarities(scored, by_id, cache))


def main() -> int:
    """Run the benchmark and print a markdown summary."""
    from assistant.draft import Drafter, candidates_config
    from assistant.engine import load_generator
    from assistant.workshop.evaluation.evaluate import evaluate_model, prompts_for, select_records
    from assistant.workshop.training.data import apply_similar, load_examples

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--model", type=Path, default=None, help="default: the shipped model")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--per-package", type=int, default=150)
    p.add_argument("--latency", type=int, default=100, help="prompts timed at batch 1")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument(
        "--similar-in",
        type=Path,
        default=None,
        help="neighbour ids (checkpoints/docgen-t5/similar.json.xz) if not in --data",
    )
    p.add_argument("--max-new-tokens", type=int, default=24)
    p.add_argument("--num-beams", type=int, default=4)
    p.add_argument("--no-repeat-ngram-size", type=int, default=3, help="the pipeline's default")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--corpus", default="default", help="corpus file, 'default' or 'none'")
    p.add_argument("--corpus-k", type=int, default=3, help="corpus neighbours per symbol")
    p.add_argument("--ranker", type=Path, default=None, help="default: the packaged weights")
    p.add_argument("--beams-cache", type=Path, default=None, help="reuse/save drafted beams")
    p.add_argument("--hits-cache", type=Path, default=None, help="reuse/save corpus neighbours")
    p.add_argument(
        "--sims-cache", type=Path, default=None, help="reuse/save the neighbours' similarities"
    )
    args = p.parse_args()

    records = load_examples(args.data)
    if args.similar_in is not None:
        apply_similar(records, args.similar_in)
    scored = select_records(records, "test", max(args.limit, args.latency), args.per_package)
    neighbour_similarities(records, scored, args.sims_cache)
    generator = load_generator(args.model, backend="onnx", threads=args.threads)
    # as the pipeline drafts: every beam returned, refinement chooses
    config = candidates_config(args.num_beams, args.max_new_tokens, args.no_repeat_ngram_size)
    draft, save_beams = cached_draft(Drafter(generator, config).draft, args.beams_cache)
    timing: dict = {}
    corpus = None
    if args.corpus != "none":
        corpus = corpus_neighbours(args.corpus, args.corpus_k, timing, args.hits_cache)
    ranker = None
    if args.ranker is not None:
        from assistant.ranker import Ranker

        ranker = Ranker.load(args.ranker)
    report = evaluate_model(
        records,
        None,
        limit=args.limit,
        per_package=args.per_package,
        draft=draft,
        ranker=ranker,
        corpus=corpus,
    ).to_dict()
    save_beams()
    report["corpus"] = dict(timing)
    report["packages_scores"] = package_scores(
        records, {r["id"]: r for r in records}, draft, ranker, corpus, args.limit, args.per_package
    )
    by_id = {r["id"]: r for r in records}
    chosen = select_records(records, "test", args.latency, args.per_package)
    if args.latency:
        prompts = prompts_for(chosen, by_id, "in-repo")
        report["latency_batch1"] = latency(generator, prompts, config)
        report["refine_batch1"] = refine_latency(chosen, by_id, draft(prompts), ranker)
    report["generation"] = {
        "max_new_tokens": args.max_new_tokens,
        "num_beams": args.num_beams,
        "no_repeat_ngram_size": args.no_repeat_ngram_size,
    }
    report["machine"] = {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "threads": args.threads,
    }
    print("| system | in-repo | cold |\n|---|---|---|")
    systems = ("product", "product+corpus", "model", "retrieval-only", "corpus-nearest")
    for system in (*systems, "name-only"):
        if system not in report["scores"]["cold"]:
            continue
        row = [report["scores"][s].get(system, 0.0) for s in ("in-repo", "cold")]
        print(f"| {system} | {row[0]:.2f} | {row[1]:.2f} |")
    print_package_table(report["packages_scores"])
    print(f"latency batch 1: {report.get('latency_batch1')}; corpus: {report['corpus']}")
    print(f"refinement batch 1 (the ranker's part of a summary): {report.get('refine_batch1')}")
    print(f"packages: {len(report['packages'])}, examples per situation: {report['counts']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
