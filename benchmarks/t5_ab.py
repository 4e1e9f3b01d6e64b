"""A/B experiments behind the "Attempts" table of BENCHMARKS.md (``## T5 runtime``).

Each experiment loads both variants in this one process and times them interleaved
(A, B, A, B, ...) on the CodeT5-small-shaped random model that ``t5_runtime.py`` builds,
so machine-load changes hit both alike. Reported: medians of wall and CPU ms.

Usage::

    python benchmarks/t5_ab.py spin        # one decoder step, spinning on vs off
    python benchmarks/t5_ab.py merged      # split decoders vs optimum's merged decoder
    python benchmarks/t5_ab.py bucketing   # 64 mixed-length prompts: one batch vs buckets
    python benchmarks/t5_ab.py graphs      # optimum's encoder/decoder-step graphs vs ours
    python benchmarks/t5_ab.py shipped --hf work-data/hf-final
                                           # the shipped export vs ours of the same weights
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from common import (
    INPUT_TOKENS,
    NEW_TOKENS,
    make_inputs,
    optimum_graphs_export,
    t5_work_model,
    work_dir,
)


def _timed(variants: dict, reps: int) -> dict[str, tuple[float, float]]:
    """Run each ``name -> callable`` ``reps`` times interleaved; median (wall, CPU) ms."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(reps):
        for name, fn in variants.items():
            start, cpu = time.perf_counter(), time.process_time()
            fn()
            samples[name].append(
                ((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
            )
    return {
        name: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v))
        for name, v in samples.items()
    }


def _session(path: Path, threads: int = 2, spin: bool = False):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _past_feeds(batch: int, past: int = 16, enc: int = 256) -> dict:
    feeds = {
        "input_ids": np.zeros((batch, 1), dtype=np.int64),
        "encoder_attention_mask": np.ones((batch, enc), dtype=np.int64),
    }
    rng = np.random.default_rng(0)
    for i in range(6):
        for kind, length in (("decoder", past), ("encoder", enc)):
            for kv in ("key", "value"):
                feeds[f"past_key_values.{i}.{kind}.{kv}"] = rng.random(
                    (batch, 8, length, 64), dtype=np.float32
                )
    return feeds


def _step_worker(model: str, batch: int, spin_on: bool, reps: int, queue) -> None:
    session, feeds = _session(Path(model), spin=spin_on), _past_feeds(batch)
    session.run(None, feeds)
    queue.put(_timed({"x": lambda: session.run(None, feeds)}, reps)["x"])


def spin(paths: dict, reps: int) -> None:
    """One int8 decoder-with-past step, worker threads spinning vs sleeping.

    Each variant runs in its own process (a spinning pool keeps spinning after a run and
    would steal the CPU of the other variant in the same process); the processes
    alternate A, B, A, B, A, B and the medians of the three runs are reported.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    model = str(paths["onnx_int8"] / "decoder_with_past_model.onnx")
    for batch in (1, 16):
        runs: dict[str, list] = {"spin": [], "no-spin": []}
        for _ in range(3):
            for name in runs:
                queue = ctx.Queue()
                proc = ctx.Process(
                    target=_step_worker, args=(model, batch, name == "spin", reps, queue)
                )
                proc.start()
                runs[name].append(queue.get())
                proc.join()
        res = {
            name: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v))
            for name, v in runs.items()
        }
        _print(f"decoder step, batch {batch}", res)


def merged(paths: dict, reps: int) -> None:
    """One int8 decoder step: decoder_with_past vs optimum's merged decoder (If node)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from optimum.exporters.onnx import main_export
    from optimum.onnx import merge_decoders

    work = work_dir("codet5-small-shape") / "merged"
    target = work / "merged-int8.onnx"
    if not target.is_file():
        main_export(str(paths["hf"]), work / "fp32", task="text2text-generation-with-past")
        merge_decoders(
            work / "fp32" / "decoder_model.onnx",
            work / "fp32" / "decoder_with_past_model.onnx",
            save_path=str(work / "merged-fp32.onnx"),
            strict=False,
        )
        quantize_dynamic(
            work / "merged-fp32.onnx",
            target,
            weight_type=QuantType.QInt8,
            extra_options={"MatMulConstBOnly": True, "EnableSubgraph": True},
        )
    split = _session(paths["onnx_int8"] / "decoder_with_past_model.onnx")
    merge = _session(target)
    for batch in (1, 16):
        feeds = _past_feeds(batch)
        merged_feeds = dict(
            feeds,
            use_cache_branch=np.array([True]),
            encoder_hidden_states=np.zeros((batch, 256, 512), np.float32),
        )
        res = _timed(
            {
                "split": lambda f=feeds: split.run(None, f),
                "merged": lambda f=merged_feeds: merge.run(None, f),
            },
            reps,
        )
        _print(f"decoder step, batch {batch}", res)


def bucketing(paths: dict, reps: int) -> None:
    """64 prompts of 16..256 tokens: one padded batch of 64 vs sorted chunks of 16."""
    from assistant.engine import GenerationConfig, load_generator

    gen = load_generator(paths["onnx_int8"], threads=2)
    rng = np.random.default_rng(0)
    words = "def load config path return value item data".split()
    prompts = [" ".join(rng.choice(words, size=int(n))) for n in rng.integers(8, 200, size=64)]
    config = GenerationConfig(max_new_tokens=16, min_new_tokens=16)

    def run(size: int):
        gen.max_batch_size = size
        gen.generate_ids(prompts, config)

    res = _timed({"one batch of 64": lambda: run(64), "4 buckets of 16": lambda: run(16)}, reps)
    _print("64 mixed-length prompts, 16 new tokens", res)


def graphs(paths: dict, reps: int) -> None:
    """optimum's int8 graphs vs our hand-built ones: encoder, first decoder step (with the
    cross-attention K/V), one decoder step, and the benchmark's full generation (256 input
    tokens, 32 new, greedy) at batch 1 and 16."""
    from assistant.engine import GenerationConfig, load_generator

    folders = {"optimum": optimum_graphs_export(paths["hf"]), "ours": paths["onnx_int8"]}
    gens = {name: load_generator(folder, threads=2) for name, folder in folders.items()}
    config = GenerationConfig(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
    for batch in (1, 16):
        ids, mask = make_inputs(batch, vocab=600)
        outs = {n: g.generate_from_ids(ids, mask, config) for n, g in gens.items()}
        same = sum(a[0].tokens == b[0].tokens for a, b in zip(*outs.values(), strict=True))
        print(f"batch {batch}: {same}/{batch} rows give the same tokens", flush=True)
        enc = {"input_ids": ids, "attention_mask": mask}
        step = _past_feeds(batch, enc=INPUT_TOKENS)
        first = {
            "input_ids": np.zeros((batch, 1), np.int64),
            "encoder_hidden_states": np.ones((batch, INPUT_TOKENS, 512), np.float32),
            "encoder_attention_mask": mask,
        }
        for title, run in (
            ("encoder", lambda g, f=enc: g.sessions.encoder.run(None, f)),
            ("first step", lambda g, f=first: g.sessions.decoder.run(None, f)),
            ("decoder step", lambda g, f=step: g.sessions.decoder_with_past.run(None, f)),
            ("generation", lambda g, i=ids, m=mask: g.generate_from_ids(i, m, config)),
        ):
            n = reps if title != "generation" else max(3, reps // 5)
            res = _timed({name: lambda g=g, r=run: r(g) for name, g in gens.items()}, n)
            _print(f"{title}, batch {batch}", res)


def shipped(hf: Path, reps: int) -> None:
    """The shipped model (its export, whatever format) vs a fresh int8 export of ``hf``
    (its Hugging Face folder), on code from this repository: tokens vs PyTorch fp32, and
    greedy latency at batch 1 and 16 (up to 48 new tokens)."""
    from assistant.engine import GenerationConfig, export_model, load_generator

    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "assistant").rglob("*.py"))[:48]
    prompts = [f.read_text(encoding="utf-8")[:1200] for f in files]
    gens = {
        "shipped": load_generator(None, threads=2),  # the embedded default model
        "re-exported": load_generator(export_model(hf, int8=True), threads=2),
    }
    config = GenerationConfig(max_new_tokens=48)
    want = load_generator(hf, backend="pytorch", threads=2).generate_ids(prompts, config)
    fp32 = load_generator(export_model(hf, int8=False), threads=2)
    for name, gen in {**gens, "re-exported fp32": fp32}.items():
        got = gen.generate_ids(prompts, config)
        same = sum(w[0].tokens == g[0].tokens for w, g in zip(want, got, strict=True))
        print(f"{name}: {same}/{len(prompts)} greedy outputs equal PyTorch fp32's", flush=True)
    for batch in (1, 16):
        chunks = [prompts[i : i + batch] for i in range(0, len(prompts), batch)]
        runs = {
            n: lambda g=g, ch=chunks: [g.generate_ids(c, config) for c in ch]
            for n, g in gens.items()
        }
        _print(f"{len(prompts)} prompts in batches of {batch}", _timed(runs, reps))


def _print(title: str, res: dict) -> None:
    cells = ", ".join(
        f"{name}: {wall:.1f} ms wall / {cpu:.1f} ms CPU" for name, (wall, cpu) in res.items()
    )
    print(f"{title}: {cells}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=["spin", "merged", "bucketing", "graphs", "shipped"])
    parser.add_argument("--reps", type=int, default=None)
    parser.add_argument("--hf", type=Path, help="shipped: the shipped model's weights folder")
    args = parser.parse_args(argv)
    if args.experiment == "shipped":
        if args.hf is None:
            parser.error("shipped needs --hf (the Hugging Face folder the model was shipped from)")
        shipped(args.hf, args.reps or 3)
        return 0
    paths = t5_work_model()
    default_reps = {"spin": 30, "merged": 30, "bucketing": 3, "graphs": 20}[args.experiment]
    globals()[args.experiment](paths, args.reps or default_reps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
