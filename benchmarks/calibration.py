"""Calibration of the product's confidence on the validation packages.

Drafts each chosen validation record the way ``docgen generate`` does (the shipped model's
4 beams, the retrieved neighbours' summaries adapted to the name, the name as a sentence,
chosen by :func:`assistant.summaries.choose_summary` with the packaged ranker and the
pipeline's grounding vocabulary) in two situations, in-repo (the record's fold of its
package undocumented, evidence from the rest) and cold (no docstrings), then bins the
drafts by confidence and reports per bin: the count, the mean sentence smoothed BLEU-4
against the human summary, and the share judged acceptable by a **proxy** (not a human
verdict; the hand audit of issue 12 is separate):

    acceptable = sentence BLEU-4 >= 30, or (at least half of the human summary's content
                 words appear in the draft, and the draft has a content word that is not
                 a word of the symbol's name)

Content words: lowercased words of two or more letters, stop words and docstring filler
removed, a trailing ``s`` ignored. The second condition keeps a bare restatement of the
name ("Validate params." for ``validate_params``) from counting however well it
overlaps: the issue's audit counted those as not usable.

The confidence floor of ``--write`` (``assistant.settings.DEFAULT_WRITE_FLOOR``) is chosen
from this table. Run (about 10 minutes on a 2-core machine)::

    nice -n 10 .venv/bin/python benchmarks/calibration.py \\
        --data /work/data/dataset/examples.jsonl.xz \\
        --similar-in checkpoints/docgen-t5/similar.json.xz --limit 500 --per-package 50 \\
        --json calibration.json
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Any

BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
BLEU_OK = 30.0
"""Sentence BLEU-4 (0-100) at or above which a draft counts as acceptable (proxy)."""
RECALL_OK = 0.5
"""Share of the human summary's content words a draft must contain to count (proxy)."""

_STOP = set(
    "a an the of for to in on at by with from and or not no is are be been it its this that "
    "these those as if when whether which who into over under than then there their all any "
    "each every some given new current other one two returns return get gets set sets "
    "specified provided object value instance method function class".split()
)


def content_words(text: str) -> set[str]:
    """The content words of a summary: lowercase, no stop words or filler, no plural ``s``."""
    words = re.findall(r"[a-z][a-z0-9]+", text.lower())
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w not in _STOP}


def recall(gold: str, draft: str) -> float:
    """Share of the gold summary's content words found in the draft (1.0 when it has none)."""
    want = content_words(gold)
    return len(want & content_words(draft)) / len(want) if want else 1.0


def sentence_score(gold: str, draft: str) -> float:
    """Sentence smoothed BLEU-4 (0-100), the CodeXGLUE scorer on one pair."""
    from assistant.workshop.evaluation.bleu import smoothed_bleu4

    return smoothed_bleu4([gold], [draft])


def beyond_name(draft: str, name: str) -> bool:
    """Whether the draft has a content word that is not a word of the symbol's name."""
    from assistant.summaries import split_identifier

    own = content_words(" ".join(split_identifier(name)))
    return bool(content_words(draft) - own)


def acceptable(bleu: float, overlap: float, says_more: bool) -> bool:
    """The documented acceptability proxy (see the module docstring)."""
    return bleu >= BLEU_OK or (overlap >= RECALL_OK and says_more)


def draft_rows(records, by_id, situation: str, draft, corpus=None) -> list[dict[str, Any]]:
    """The product's draft of each record in ``situation`` with its confidence and scores
    (``corpus``: each record's cold-start corpus neighbours, as the pipeline adds them)."""
    from assistant.faithfulness import grounding_texts
    from assistant.prompt import named_neighbours
    from assistant.summaries import Vocabulary, choose_summary
    from assistant.workshop.evaluation.evaluate import prompts_for, record_context

    prompts = prompts_for(records, by_id, situation)
    beams: list[list[tuple[str, float]]] = []
    for start in range(0, len(prompts), 16):
        beams += draft(prompts[start : start + 16])
    rows = []
    hits = corpus or [None] * len(records)
    for record, cands, near in zip(records, beams, hits, strict=True):
        evidence, vocab, symbol = record_context(record, by_id, situation)
        # as DocPipeline.summaries: the code, the qualname and the evidence about it
        grounded = Vocabulary.from_texts(
            [record["code"], symbol.qualname, *grounding_texts(evidence)]
        )
        refined = choose_summary(
            cands, vocab, symbol, named_neighbours(evidence), None, grounded, near
        )
        bleu = sentence_score(record["summary"], refined.summary)
        overlap = recall(record["summary"], refined.summary)
        rows.append(
            {
                "id": record["id"],
                "package": record["package"],
                "situation": situation,
                "qualname": record.get("qualname", record["name"]),
                "gold": record["summary"],
                "draft": refined.summary,
                "source": refined.provenance[0],
                "confidence": round(refined.confidence, 4),
                "bleu": round(bleu, 2),
                "recall": round(overlap, 3),
                "acceptable": acceptable(
                    bleu, overlap, beyond_name(refined.summary, record["name"])
                ),
            }
        )
    return rows


def bin_table(rows: list[dict[str, Any]], bins: tuple[float, ...] = BINS) -> list[dict[str, Any]]:
    """Per confidence bin ``[lo, hi)`` (the last one closed): count, mean sentence BLEU-4,
    acceptable rate, and the same for every draft at or above the bin's lower edge."""
    table = []
    for lo, hi in zip(bins, bins[1:], strict=False):
        last = hi == bins[-1]
        inside = [r for r in rows if lo <= r["confidence"] < hi or (last and r["confidence"] == hi)]
        above = [r for r in rows if r["confidence"] >= lo]
        table.append(
            {
                "bin": f"{lo:.1f}-{hi:.1f}",
                "count": len(inside),
                "bleu": _mean([r["bleu"] for r in inside]),
                "acceptable": _mean([100.0 * r["acceptable"] for r in inside]),
                "at_or_above": len(above),
                "acceptable_at_or_above": _mean([100.0 * r["acceptable"] for r in above]),
            }
        )
    return table


def floor_table(rows: list[dict[str, Any]], floors: list[float]) -> list[dict[str, Any]]:
    """For each candidate floor: share of drafts kept and the acceptable rate of those kept
    and of those held back."""
    out = []
    for floor in floors:
        kept = [r for r in rows if r["confidence"] >= floor]
        held = [r for r in rows if r["confidence"] < floor]
        out.append(
            {
                "floor": floor,
                "kept": _mean([100.0 * (r["confidence"] >= floor) for r in rows]),
                "acceptable_kept": _mean([100.0 * r["acceptable"] for r in kept]),
                "acceptable_held": _mean([100.0 * r["acceptable"] for r in held]),
                "bleu_kept": _mean([r["bleu"] for r in kept]),
            }
        )
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def markdown(tables: dict[str, list[dict[str, Any]]]) -> str:
    """The bin tables as one markdown table (one column group per situation)."""
    names = list(tables)
    head = "| confidence | " + " | ".join(f"{n} n | {n} BLEU | {n} acceptable %" for n in names)
    lines = [head + " |", "|---|" + "---|" * (3 * len(names))]
    for i, row in enumerate(tables[names[0]]):
        cells = []
        for name in names:
            r = tables[name][i]
            cells += [str(r["count"]), _cell(r["bleu"]), _cell(r["acceptable"])]
        lines.append(f"| {row['bin']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    """Draft, score, bin and print the calibration tables."""
    from assistant.draft import Drafter, candidates_config
    from assistant.engine import load_generator
    from assistant.workshop.evaluation.evaluate import select_records
    from assistant.workshop.training.data import apply_similar, load_examples

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--similar-in", type=Path, default=None)
    p.add_argument("--split", default="valid", help="valid: the ranker's own packages")
    p.add_argument("--limit", type=int, default=300, help="records per situation")
    p.add_argument("--per-package", type=int, default=30)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--json", type=Path, default=None, help="write the rows and tables here")
    p.add_argument("--bin-width", type=float, default=0.2)
    p.add_argument("--rows", type=Path, default=None, help="re-bin a --json file, no drafting")
    p.add_argument("--corpus", default="default", help="corpus file, 'default' or 'none'")
    p.add_argument("--corpus-k", type=int, default=3, help="corpus neighbours per symbol")
    p.add_argument("--beams-cache", type=Path, default=None, help="reuse/save drafted beams")
    p.add_argument(
        "--sims-cache", type=Path, default=None, help="reuse/save the neighbours' similarities"
    )
    args = p.parse_args()
    steps = round(1 / args.bin_width)
    bins = tuple(round(i / steps, 4) for i in range(steps + 1))
    if args.rows is not None:
        rows = json.loads(args.rows.read_text())["rows"]
        report(rows, bins)
        return 0

    started = time.monotonic()
    records = load_examples(args.data)
    if args.similar_in is not None:
        apply_similar(records, args.similar_in)
    by_id = {r["id"]: r for r in records}
    chosen = select_records(records, args.split, args.limit, args.per_package)
    from model_quality import neighbour_similarities

    neighbour_similarities(records, chosen, args.sims_cache)  # the confidence reads them
    # the pipeline's decoding (PipelineSettings defaults): 4 beams, 32 tokens, no repeated trigram
    from assistant.settings import PipelineSettings

    s = PipelineSettings()
    config = candidates_config(s.num_beams, s.max_new_tokens, s.no_repeat_ngram_size)
    draft = Drafter(load_generator(None, backend="onnx", threads=args.threads), config).draft
    from model_quality import cached_draft

    draft, save_beams = cached_draft(draft, args.beams_cache)  # beams do not depend on the ranker
    corpus = None
    if args.corpus != "none":  # the pipeline retrieves from the shipped corpus by default
        from model_quality import corpus_neighbours

        corpus = corpus_neighbours(args.corpus, args.corpus_k, {})(chosen)
    rows: list[dict[str, Any]] = []
    for situation in ("in-repo", "cold"):
        rows += draft_rows(chosen, by_id, situation, draft, corpus)
        print(f"{situation}: {len(chosen)} drafted ({time.monotonic() - started:.0f} s)")
    save_beams()
    tables, floors = report(rows, bins)
    packages = sorted({r["package"] for r in chosen})
    print(f"\n{len(packages)} {args.split} packages, {len(chosen)} records per situation")
    if args.json:
        payload = {"tables": tables, "floors": floors, "packages": packages, "rows": rows}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


def report(rows: list[dict[str, Any]], bins: tuple[float, ...]):
    """Print the bin tables and the floor table; return them."""
    tables = {
        "in-repo": bin_table([r for r in rows if r["situation"] == "in-repo"], bins),
        "cold": bin_table([r for r in rows if r["situation"] == "cold"], bins),
        "both": bin_table(rows, bins),
    }
    floors = floor_table(rows, [0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    print(markdown(tables))
    print("\n| floor | kept % | acceptable % of kept | acceptable % of held back | BLEU kept |")
    print("|---|---|---|---|---|")
    for f in floors:
        print(
            f"| {f['floor']:.1f} | {_cell(f['kept'])} | {_cell(f['acceptable_kept'])} | "
            f"{_cell(f['acceptable_held'])} | {_cell(f['bleu_kept'])} |"
        )
    return tables, floors


if __name__ == "__main__":
    raise SystemExit(main())
