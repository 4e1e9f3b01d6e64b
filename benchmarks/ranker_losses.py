"""Where the ranker loses to its single sources, per test package (issue 12 item 4).

For each test package, in-repo and cold as in ``benchmarks/model_quality.py``, scores
(smoothed BLEU-4) the product (:func:`assistant.summaries.choose_summary` over the shipped
model's 4 beams, the adapted neighbours and the name, with the pipeline's grounding), the
nearest neighbour's summary copied unchanged, the name sentence, and the oracle over the
product's own candidates; then, for every record where copying the nearest neighbour
unchanged beats the product (cold: where the name beats it), names why:

* ``adapted``: the product chose the nearest neighbour, but adapted to the name or cleaned
  (identifiers it could not ground removed, loops cut) it scores lower than unchanged;
* ``dropped``: the nearest neighbour was not a candidate at all (the opener check refused
  its adaptation, or cleaning left under two words);
* ``chose model`` / ``chose name`` / ``chose neighbour 2`` / ...: the ranker preferred another
  candidate over the nearest neighbour's.

Last, ``in-sample``: the same linear ranker refitted on these test candidates themselves
(leaks the test labels; only a diagnostic): if it closes the gap, the features can express
the better choice and the validation fit does not transfer; if not, the features cannot.

    nice -n 10 .venv/bin/python benchmarks/ranker_losses.py \\
        --data /work/data/dataset/examples.jsonl.xz \\
        --similar-in checkpoints/docgen-t5/similar.json.xz --per-package 40 --json losses.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def _bleu(gold: str, text: str) -> float:
    from assistant.workshop.evaluation.bleu import smoothed_bleu4

    return smoothed_bleu4([gold], [text]) if text else 0.0


def analyse(records, by_id, situation: str, beams) -> list[dict[str, Any]]:
    """One row per record: the systems' sentence BLEU, the candidates, the loss reason."""
    from assistant.faithfulness import grounding_texts
    from assistant.prompt import named_neighbours
    from assistant.ranker import default_ranker
    from assistant.summaries import (
        Vocabulary,
        candidate_pool,
        candidate_score,
        choose_summary,
    )
    from assistant.workshop.evaluation.evaluate import name_only_summary, record_context

    ranker = default_ranker()
    rows = []
    for record, cands in zip(records, beams, strict=True):
        gold = record["summary"]
        evidence, vocab, symbol = record_context(record, by_id, situation)
        grounded = Vocabulary.from_texts(
            [record["code"], symbol.qualname, *grounding_texts(evidence)]
        )
        chosen = choose_summary(cands, vocab, symbol, named_neighbours(evidence), None, grounded)
        pool = candidate_pool(
            cands, vocab, symbol, named_neighbours(evidence), ranker.openers, grounded
        )
        scored = []
        for candidate, flagged, vector in pool:
            score = candidate_score(ranker, candidate, flagged, vector)
            label = candidate.source
            if candidate.source == "neighbour":
                label = f"neighbour {candidate.rank + 1}"
            penalty = ranker.predict(vector) - score
            scored.append((label, candidate.text, score, _bleu(gold, candidate.text), penalty))
        nearest = ""
        if situation == "in-repo" and record.get("similar"):
            nearest = by_id[record["similar"][0]]["summary"]
        row = {
            "package": record["package"],
            "situation": situation,
            "qualname": record.get("qualname", record["name"]),
            "gold": gold,
            "product": chosen.summary,
            "product_bleu": _bleu(gold, chosen.summary),
            "nearest": nearest,
            "nearest_bleu": _bleu(gold, nearest),
            "name_bleu": _bleu(gold, name_only_summary(record["name"])),
            "oracle_bleu": max((c[3] for c in scored), default=0.0),
            "chosen": next((c[0] for c in scored if c[1] == chosen.summary), "fallback"),
            "vectors": [vector.tolist() for _, _, vector in pool],
            "penalties": [c[4] for c in scored],
            "targets": [c[3] for c in scored],
            "texts": [c[1] for c in scored],
        }
        baseline = row["nearest_bleu"] if situation == "in-repo" else row["name_bleu"]
        row["reason"] = ""
        if baseline > row["product_bleu"] + 1e-9:
            labels = [c[0] for c in scored]
            if situation == "cold":
                row["reason"] = f"chose {row['chosen']}"
            elif "neighbour 1" not in labels:
                row["reason"] = "dropped"
            elif row["chosen"] == "neighbour 1":
                row["reason"] = "adapted"
            else:
                row["reason"] = f"chose {row['chosen']}"
        rows.append(row)
    return rows


def in_sample(rows: list[dict[str, Any]]) -> list[str]:
    """Each row's choice under a ranker refitted on all these rows' candidates."""
    import numpy as np

    from assistant.ranker import Ranker

    vectors = [v for r in rows for v in r["vectors"]]
    targets = [t for r in rows for t in r["targets"]]
    if not vectors:
        return ["" for _ in rows]
    ranker = Ranker.fit(np.array(vectors), np.array(targets))
    out = []
    for r in rows:
        pairs = zip(r["vectors"], r["penalties"], strict=True)
        scores = [ranker.predict(np.array(v)) - p for v, p in pairs]
        out.append(r["texts"][int(np.argmax(scores))] if scores else r["product"])
    return out


def _mean(rows: list[dict[str, Any]], key: str) -> float:
    return round(sum(r[key] for r in rows) / len(rows), 2)


def package_table(rows: list[dict[str, Any]], refit: list[str]) -> list[dict[str, Any]]:
    """Per package: mean BLEU of each system, losses and their reasons."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r["package"]].append(i)
    table = []
    for package in sorted(groups):
        idx = groups[package]
        part = [rows[i] for i in idx]
        refit_bleu = sum(_bleu(rows[i]["gold"], refit[i]) for i in idx) / len(idx)
        reasons = Counter(r["reason"] for r in part if r["reason"])
        table.append(
            {
                "package": package,
                "n": len(part),
                "product": _mean(part, "product_bleu"),
                "nearest": _mean(part, "nearest_bleu"),
                "name": _mean(part, "name_bleu"),
                "oracle": _mean(part, "oracle_bleu"),
                "in_sample": round(refit_bleu, 2),
                "losses": sum(reasons.values()),
                "reasons": dict(reasons.most_common()),
                "chosen": dict(Counter(r["chosen"] for r in part).most_common()),
            }
        )
    return table


def _print(situation: str, table: list[dict[str, Any]]) -> None:
    base = "nearest unchanged" if situation == "in-repo" else "name"
    print(f"\n### {situation}\n")
    print(
        f"| package | n | product | nearest unchanged | name | oracle | in-sample refit | "
        f"losses to {base} | why |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for t in table:
        why = ", ".join(f"{k} {v}" for k, v in t["reasons"].items())
        print(
            f"| {t['package']} | {t['n']} | {t['product']:.2f} | {t['nearest']:.2f} | "
            f"{t['name']:.2f} | {t['oracle']:.2f} | {t['in_sample']:.2f} | {t['losses']} | "
            f"{why} |"
        )


def main() -> int:
    """Draft the test records, analyse, print per-package tables."""
    from assistant.draft import Drafter, candidates_config
    from assistant.engine import load_generator
    from assistant.settings import PipelineSettings
    from assistant.workshop.evaluation.evaluate import prompts_for, select_records
    from assistant.workshop.training.data import apply_similar, load_examples

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--similar-in", type=Path, default=None)
    p.add_argument("--split", default="test")
    p.add_argument("--per-package", type=int, default=40)
    p.add_argument("--limit", type=int, default=100_000)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args()

    started = time.monotonic()
    records = load_examples(args.data)
    if args.similar_in is not None:
        apply_similar(records, args.similar_in)
    by_id = {r["id"]: r for r in records}
    chosen = select_records(records, args.split, args.limit, args.per_package)
    s = PipelineSettings()
    config = candidates_config(s.num_beams, s.max_new_tokens, s.no_repeat_ngram_size)
    draft = Drafter(load_generator(None, backend="onnx", threads=args.threads), config).draft
    out: dict[str, Any] = {}
    for situation in ("in-repo", "cold"):
        prompts = prompts_for(chosen, by_id, situation)
        beams = []
        for start in range(0, len(prompts), 16):
            beams += draft(prompts[start : start + 16])
        rows = analyse(chosen, by_id, situation, beams)
        table = package_table(rows, in_sample(rows))
        _print(situation, table)
        reasons = Counter(r["reason"] for r in rows if r["reason"])
        print(f"\nall {len(rows)}: losses {sum(reasons.values())}: {dict(reasons.most_common())}")
        print(f"({time.monotonic() - started:.0f} s)")
        for r in rows:
            for key in ("vectors", "penalties", "targets", "texts"):
                r.pop(key)
        out[situation] = {"packages": table, "rows": rows}
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
