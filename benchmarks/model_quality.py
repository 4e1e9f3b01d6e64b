"""Quality and latency of the shipped drafting model on held-out packages.

Smoothed BLEU-4 (CodeXGLUE) in-repo and cold for the model and the name-only and
retrieval-only baselines (:mod:`assistant.workshop.evaluation.evaluate`), then the latency of one
summary at batch 1 through the int8 ONNX engine on in-repo prompts.

    .venv/bin/python benchmarks/model_quality.py --data work-data/dataset/examples.jsonl.xz \\
        --similar-in checkpoints/docgen-t5/similar.json.xz --limit 1000 --latency 100
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
    args = p.parse_args()

    records = load_examples(args.data)
    if args.similar_in is not None:
        apply_similar(records, args.similar_in)
    generator = load_generator(args.model, backend="onnx", threads=args.threads)
    # as the pipeline drafts: every beam returned, refinement chooses
    config = candidates_config(args.num_beams, args.max_new_tokens, args.no_repeat_ngram_size)
    draft = Drafter(generator, config).draft
    report = evaluate_model(
        records, None, limit=args.limit, per_package=args.per_package, draft=draft
    ).to_dict()
    by_id = {r["id"]: r for r in records}
    chosen = select_records(records, "test", args.latency, args.per_package)
    report["latency_batch1"] = latency(generator, prompts_for(chosen, by_id, "in-repo"), config)
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
    for system in ("product", "model", "retrieval-only", "name-only"):
        row = [report["scores"][s].get(system, 0.0) for s in ("in-repo", "cold")]
        print(f"| {system} | {row[0]:.2f} | {row[1]:.2f} |")
    print(f"latency batch 1: {report['latency_batch1']}")
    print(f"packages: {len(report['packages'])}, examples per situation: {report['counts']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
