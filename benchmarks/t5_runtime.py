"""T5 runtime benchmark: PyTorch eager vs our ONNX fp32/int8 vs CTranslate2 int8.

One randomly initialised model of CodeT5-small's shape (d_model 512, d_ff 2048, 6+6
layers, 8 heads, vocab 32100; weights do not change speed), the same random 256-token
inputs for every backend, exactly 32 generated tokens (min = max), greedy, batch 1 and 16.
Each backend runs in its own child process (fresh memory, so peak RSS is its own) with
the same thread count; all four run in one invocation so their ratios are comparable.

Usage::

    python benchmarks/t5_runtime.py                 # full run, table on stdout
    python benchmarks/t5_runtime.py --quick --json  # fewer repetitions; JSON on the last line

The JSON object maps backend -> {"1": median ms, "16": median ms}.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from common import INPUT_TOKENS, NEW_TOKENS, logger, machine, make_inputs, t5_work_model

BATCHES = (1, 16)
BACKENDS = ("pytorch_fp32", "onnx_fp32", "onnx_int8", "ct2_int8")
# --backends ...,optimum_int8: optimum's generate on our int8 export;
# onnx_int8_dec1: our int8 path with single-threaded decoder sessions;
# onnx_int8@key=value;key=value: our int8 path with extra onnxruntime session config;
# onnx_int8_optimum_graphs: our int8 path on optimum's encoder/decoder-step graphs (the
# export before our hand-built graphs, DOCGEN_EXPORT_GRAPHS=optimum).
OPTIONAL_BACKENDS = ("optimum_int8", "onnx_int8_dec1", "onnx_int8_optimum_graphs")

_log = logger("t5_runtime")


def _runner(backend: str, paths: dict[str, Path], threads: int):
    """Return ``run(ids, mask) -> generated ids (batch, 32)`` for one backend."""
    import numpy as np

    from assistant.engine import GenerationConfig

    config = GenerationConfig(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
    if backend == "pytorch_fp32":
        from assistant.engine import load_generator

        gen = load_generator(paths["hf"], backend="pytorch", threads=threads)
        gen.model.generation_config.forced_eos_token_id = None

        def run(ids, mask):
            return [s[0].tokens for s in gen.generate_from_ids(ids, mask, config)]

        return run
    if backend == "optimum_int8":  # optimum's own generate over the same int8 export
        import onnxruntime as ort
        import torch
        from optimum.onnxruntime import ORTModelForSeq2SeqLM

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model = ORTModelForSeq2SeqLM.from_pretrained(
            paths["onnx_int8"], use_cache=True, use_merged=False, session_options=options
        )

        def run(ids, mask):
            out = model.generate(
                input_ids=torch.from_numpy(ids),
                attention_mask=torch.from_numpy(mask),
                max_new_tokens=NEW_TOKENS,
                min_new_tokens=NEW_TOKENS,
                do_sample=False,
                num_beams=1,
            )
            return out[:, 1:].tolist()

        return run
    if backend.startswith("onnx"):
        from assistant.engine import load_generator

        base, _, extra = backend.partition("@")  # onnx_int8@key=value: session config
        if extra:
            os.environ["DOCGEN_ORT_CONFIG"] = extra
        if base.endswith("_dec1"):  # variant: decoder sessions single-threaded
            os.environ["DOCGEN_ORT_DECODER_THREADS"] = "1"
        gen = load_generator(paths[base.removesuffix("_dec1")], threads=threads)

        def run(ids, mask):
            return [s[0].tokens for s in gen.generate_from_ids(ids, mask, config)]

        return run
    import ctranslate2
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(paths["hf"] / "tokenizer.json"))
    translator = ctranslate2.Translator(
        str(paths["ct2"]), device="cpu", compute_type="int8", intra_threads=threads
    )

    def run(ids, mask):
        tokens = [[tok.id_to_token(int(i)) for i in row] for row in ids]
        out = translator.translate_batch(
            tokens,
            beam_size=1,
            max_decoding_length=NEW_TOKENS,
            min_decoding_length=NEW_TOKENS,
            max_input_length=0,
            return_scores=False,
        )
        rows = [[tok.token_to_id(t) for t in r.hypotheses[0]] for r in out]
        return [[-1 if i is None else i for i in row] for row in rows]  # -1: unknown piece

    _ = np  # ids are numpy arrays for every backend
    return run


def _peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM: reset at exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _worker(backend: str, paths: dict, threads: int, spin: bool, conn) -> None:
    """Serve one backend: load and warm up, then run one timed generation per request."""
    # Same waiting policy for every backend: OpenMP (PyTorch, CTranslate2) and our
    # onnxruntime sessions either all spin-wait or all sleep (the default: this machine
    # is shared, and spinning threads then slow everyone down).
    os.environ["OMP_WAIT_POLICY"] = "ACTIVE" if spin else "PASSIVE"
    os.environ["DOCGEN_ORT_SPIN"] = "1" if spin else "0"
    try:
        run = _runner(backend, paths, threads)
        inputs = {b: make_inputs(b, vocab=600) for b in BATCHES}  # ids every tokenizer has
        run(*inputs[1])  # warm-up
        conn.send(("ready", None))
        while (batch := conn.recv()) is not None:
            start, cpu = time.perf_counter(), time.process_time()
            out = run(*inputs[batch])
            wall, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
            if not all(len(row) == NEW_TOKENS for row in out):
                raise RuntimeError(f"{backend} did not generate exactly {NEW_TOKENS} tokens")
            conn.send((wall, cpu, [[int(t) for t in row] for row in out]))
        conn.send(("rss", _peak_rss_mb()))
    except BaseException as exc:  # report, never hang the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def measure(
    paths: dict[str, Path], threads: int, reps: int, backends=BACKENDS, spin: bool = False
) -> dict:
    """Load every backend in its own process, then time them in round-robin.

    Interleaving (rep 1 of every backend, then rep 2, ...) spreads changes in machine
    load evenly over the backends, so their ratios stay fair on a shared machine.
    """
    ctx = mp.get_context("spawn")
    workers, results, started = {}, {}, {}
    _log(f"loading {', '.join(backends)} (in parallel; nothing is timed yet)")
    for backend in backends:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(backend, paths, threads, spin, child), daemon=True)
        proc.start()
        started[backend] = (proc, parent)
    for backend, (proc, parent) in started.items():
        kind, payload = parent.recv()
        if kind == "error":
            results[backend] = {"error": payload}
            proc.join()
            continue
        workers[backend] = (proc, parent)
        results[backend] = {"wall": {str(b): [] for b in BATCHES}, "cpu": {str(b): []
                            for b in BATCHES}}  # fmt: skip
    for rep in range(reps):
        _log(f"round {rep + 1}/{reps}")
        for batch in BATCHES:
            for backend, (_, conn) in workers.items():
                conn.send(batch)
                reply = conn.recv()
                if reply[0] == "error":
                    raise RuntimeError(f"{backend}: {reply[1]}")
                results[backend]["wall"][str(batch)].append(reply[0])
                results[backend]["cpu"][str(batch)].append(reply[1])
                results[backend].setdefault("tokens", {})[str(batch)] = reply[2]
    for backend, (proc, conn) in workers.items():
        conn.send(None)
        results[backend]["peak_rss_mb"] = conn.recv()[1]
        proc.join()
        res = results[backend]
        res["ms"] = {b: round(statistics.median(v), 1) for b, v in res["wall"].items()}
        res["cpu_ms"] = {b: round(statistics.median(v), 1) for b, v in res["cpu"].items()}
        res["tokens_per_s"] = {
            b: round(int(b) * NEW_TOKENS / res["ms"][b] * 1000, 1) for b in res["ms"]
        }
    return results


def agreement(results: dict, reference: str = "pytorch_fp32") -> dict:
    """Per backend and batch: share of generated tokens equal to the reference's before
    the first difference (after it the contexts diverge), and identical rows."""
    ref = results.get(reference, {}).get("tokens", {})
    out = {}
    for name, res in results.items():
        if name == reference or "tokens" not in res:
            continue
        for batch, rows in res["tokens"].items():
            if batch not in ref:
                continue
            prefix = same = 0
            for a, b in zip(ref[batch], rows, strict=True):
                n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
                prefix, same = prefix + n, same + (a == b)
            total = sum(len(a) for a in ref[batch])
            out.setdefault(name, {})[batch] = (prefix / total, same, len(rows))
    return out


def table(results: dict, threads: int) -> str:
    """A Markdown table with latency, tokens/s, peak RSS and the ratios."""
    base, ct2 = results.get("pytorch_fp32", {}), results.get("ct2_int8", {})
    lines = [
        f"Machine: {machine()}, "
        f"{threads} threads; input {INPUT_TOKENS} tokens, {NEW_TOKENS} new tokens, greedy; "
        f"load average {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| backend | batch | median ms | tokens/s | CPU ms | peak RSS MB | x PyTorch | x CT2 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, res in results.items():
        if "error" in res:
            lines.append(f"| {name} | - | error: {res['error']} | | | | | |")
            continue
        for batch in map(str, BATCHES):
            ms = res["ms"][batch]
            vs_pt = base.get("ms", {}).get(batch, float("nan")) / ms
            vs_ct2 = ct2.get("ms", {}).get(batch, float("nan")) / ms
            lines.append(
                f"| {name} | {batch} | {ms:.1f} | {res['tokens_per_s'][batch]:.0f} | "
                f"{res['cpu_ms'][batch]:.0f} | {res['peak_rss_mb']} | {vs_pt:.2f} | {vs_ct2:.2f} |"
            )
    lines += ["", "Greedy tokens vs PyTorch fp32 (prefix agreement; identical rows):"]
    for name, per_batch in agreement(results).items():
        cells = [f"batch {b}: {r:.1%}, {same}/{n}" for b, (r, same, n) in per_batch.items()]
        lines.append(f"- {name}: " + "; ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 repetitions instead of 7")
    parser.add_argument("--spin", action="store_true", help="let every backend spin-wait")
    parser.add_argument("--json", action="store_true", help="print the JSON summary last")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args(argv)
    reps = 2 if args.quick else 7
    backends = args.backends.split(",")
    paths = t5_work_model(backends)
    results = measure(paths, args.threads, reps, backends, args.spin)
    print(table(results, args.threads))
    if args.json:
        summary = {name: res.get("ms", res) for name, res in results.items()}
        print(json.dumps(summary))
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
