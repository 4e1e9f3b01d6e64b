"""What choosing the next beams costs per decoder step, and a whole beam search's time.

Beam search keeps, per prompt, the best ``2k`` of ``k x vocabulary`` continuation scores
each step. Choosing them among all of them (scores as float64 over the whole vocabulary,
one partition of ``k x V`` values) is what ``assistant.engine.search.beam_search`` did;
it now takes each beam's best ``2k`` tokens first (a float32 partition per row) and
chooses among ``k x 2k`` (the same beams: ``tests/assistant/engine/test_search.py``).
Part 1 times both selections on random logits of the embedded model's vocabulary, the
two interleaved; part 2 times the engine's beam search on the embedded model (4 beams, 32
new tokens, no repeated trigram: the accurate tier) at batch 1 and 16. Run::

    .venv/bin/python benchmarks/beam_select.py [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sysconfig
import time
from pathlib import Path

import numpy as np

from assistant.engine.search import best_continuations, log_normaliser


def full_vocabulary(logits: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """The best 2k among all k x V scores of each prompt (the previous selection)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    logprobs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    batch = scores.shape[0]
    cand = (scores.reshape(-1, 1) + logprobs).reshape(batch, -1)
    return np.argpartition(-cand, 2 * k - 1, axis=1)[:, : 2 * k]


def per_row_first(logits: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Each beam's best 2k tokens first, then the best 2k of the k x 2k (the engine's:
    :func:`assistant.engine.search.best_continuations`)."""
    return best_continuations(logits, log_normaliser(logits), scores, k)[1]


def selection(vocab: int, repeats: int) -> list[dict]:
    rng = np.random.default_rng(0)
    out = []
    for batch, beams in ((1, 2), (1, 4), (16, 4)):
        logits = (rng.standard_normal((batch * beams, vocab)) * 3).astype(np.float32)
        scores = rng.standard_normal((batch, beams))
        times: dict[str, list[float]] = {"full_vocabulary": [], "per_row_first": []}
        for _ in range(repeats):
            for name, fn in (
                ("full_vocabulary", full_vocabulary),
                ("per_row_first", per_row_first),
            ):
                start = time.perf_counter()
                fn(logits, scores, beams)
                times[name].append(time.perf_counter() - start)
        row = {"batch": batch, "beams": beams, "vocab": vocab}
        for name, values in times.items():
            row[f"{name}_ms"] = round(statistics.median(values) * 1000, 3)
        row["ratio"] = round(row["full_vocabulary_ms"] / row["per_row_first_ms"], 2)
        out.append(row)
    return out


def end_to_end(rounds: int) -> dict:
    from assistant.engine import GenerationConfig, load_generator
    from indexer.parser import parse_source

    gen = load_generator(None)
    path = Path(sysconfig.get_paths()["stdlib"]) / "textwrap.py"
    source = path.read_bytes()
    prompts = [
        f"summarize: {s.qualname}\n" + source[s.span.start_byte : s.span.end_byte].decode()[:1500]
        for s in parse_source(source, "textwrap.py").symbols
    ][:16]
    config = GenerationConfig(
        max_new_tokens=32, num_beams=4, num_return_sequences=4, no_repeat_ngram_size=3
    )
    gen.generate(prompts[:2], config)  # warm
    one, sixteen = [], []
    for _ in range(rounds):
        for prompt in prompts:
            start = time.perf_counter()
            gen.generate([prompt], config)
            one.append(time.perf_counter() - start)
        start = time.perf_counter()
        gen.generate(prompts, config)
        sixteen.append(time.perf_counter() - start)
    return {
        "batch_1_median_ms": round(statistics.median(one) * 1000, 1),
        "batch_16_median_ms": round(statistics.median(sixteen) * 1000, 1),
        "prompts": len(prompts),
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    config = json.loads(
        (Path(__file__).resolve().parents[1] / "assistant/models/docgen-t5/config.json").read_text()
    )
    result = {"selection": selection(int(config["vocab_size"]), args.repeats)}
    for row in result["selection"]:
        print(
            f"batch {row['batch']:2d} x {row['beams']} beams, vocabulary {row['vocab']}: "
            f"full vocabulary {row['full_vocabulary_ms']} ms, per row first "
            f"{row['per_row_first_ms']} ms a step ({row['ratio']}x)"
        )
    result["beam_search"] = end_to_end(args.rounds)
    print(
        f"engine beam search (4 beams, 32 tokens): batch 1 median "
        f"{result['beam_search']['batch_1_median_ms']} ms, batch 16 "
        f"{result['beam_search']['batch_16_median_ms']} ms"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
