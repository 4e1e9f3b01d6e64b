"""T5 runtime benchmark: PyTorch eager vs the engine's paths vs CTranslate2 int8.

One randomly initialised model of CodeT5-small's shape (d_model 512, d_ff 2048, 6+6
layers, 8 heads, vocab 32100; weights do not change speed), the same random 256-token
inputs for every backend, exactly 32 generated tokens (min = max), greedy, batch 1 and 16.
Each backend runs in its own child process (fresh memory, so peak RSS is its own) with
the same thread count; all run in one invocation so their ratios are comparable.

``onnx_int8`` is the engine's default: ``load_generator`` with ``engine_backend = auto``,
i.e. the path chosen for this CPU (a calibration on first use, cached; the table says which
path and why). The named paths run beside it: ``ort_int8`` (onnxruntime, int8 graphs),
``openvino_bf16`` / ``openvino_int8`` (``openvino`` extra; skipped with a note without
it), and ``ort_ov_ep``: onnxruntime's OpenVINO execution provider on the int8 graphs, from
an ``onnxruntime-openvino`` install in a separate virtual environment (that package
replaces the ``onnxruntime`` module, so never in the project's), run as a subprocess of
its Python (``--ov-ep-python``, default ``$DOCGEN_ORT_OV_PYTHON`` or
``/tmp/ort-ov-venv/bin/python``; skipped with a note when there is none).

Usage::

    python benchmarks/t5_runtime.py                 # full run, table on stdout
    python benchmarks/t5_runtime.py --quick --json  # fewer repetitions; JSON on the last line

The JSON object maps backend -> {"1": median ms, "16": median ms} (a backend that could
not run maps to {"error": ...} or {"skipped": ...}).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import INPUT_TOKENS, NEW_TOKENS, logger, machine, make_inputs, t5_work_model

BATCHES = (1, 16)
BACKENDS = (
    "pytorch_fp32",
    "onnx_fp32",
    "onnx_int8",
    "ct2_int8",
    "ort_int8",
    "openvino_bf16",
    "openvino_int8",
    "ort_ov_ep",
)
ENGINE_PATHS = {  # named engine paths (engine_backend values), loaded from the HF folder
    "ort_int8": "onnx-int8",
    "openvino_bf16": "openvino-bf16",
    "openvino_fp32": "openvino-fp32",
    "openvino_int8": "openvino-int8",
}
OV_EP_PYTHON = os.environ.get("DOCGEN_ORT_OV_PYTHON", "/tmp/ort-ov-venv/bin/python")
# --backends ...,optimum_int8: optimum's generate on our int8 export;
# onnx_int8_dec1: our int8 path with single-threaded decoder sessions;
# onnx_int8@key=value;key=value: our int8 path with extra onnxruntime session config;
# onnx_int8_optimum_graphs: our int8 path on optimum's encoder/decoder-step graphs (the
# export before our hand-built graphs, DOCGEN_EXPORT_GRAPHS=optimum).
# openvino_fp32: OpenVINO in fp32 on the fp32 graphs.
OPTIONAL_BACKENDS = (
    "optimum_int8",
    "onnx_int8_dec1",
    "onnx_int8_optimum_graphs",
    "openvino_fp32",
)


class Skipped(Exception):
    """A backend that cannot run here (a missing optional package): noted, not an error."""


_log = logger("t5_runtime")


def _runner(backend: str, paths: dict[str, Path], threads: int):
    """Return ``run(ids, mask) -> generated ids (batch, 32)`` for one backend."""
    import numpy as np

    from assistant.engine import GenerationConfig

    config = GenerationConfig(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
    if backend in ENGINE_PATHS or backend == "onnx_int8":
        import importlib.util

        from assistant.engine import load_generator

        path = ENGINE_PATHS.get(backend, "auto")
        if path.startswith("openvino") and importlib.util.find_spec("openvino") is None:
            raise Skipped("the openvino package is not installed (pip install '.[openvino]')")
        gen = load_generator(paths["hf"], threads=threads, engine_backend=path)
        if path != "auto" and gen.path != path:
            raise RuntimeError(f"{path} fell back to {gen.path}: {gen.choice['reason']}")

        def run(ids, mask):
            return [s[0].tokens for s in gen.generate_from_ids(ids, mask, config)]

        run.choice = gen.choice
        return run
    if backend == "ort_ov_ep":  # runs in the onnxruntime-openvino environment
        from assistant.engine.onnx_backend import OnnxGenerator, OrtSessions

        folder = Path(paths["onnx_int8"])
        provider = (
            "OpenVINOExecutionProvider",
            {"device_type": "CPU", "num_of_threads": str(threads)},
        )
        sessions = OrtSessions(folder, threads, providers=[provider, "CPUExecutionProvider"])
        gen = OnnxGenerator(folder, threads=threads, warmup=False, sessions=sessions)

        def run(ids, mask):
            return [s[0].tokens for s in gen.generate_from_ids(ids, mask, config)]

        return run
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
        # a ready export: onnxruntime on its own graphs (auto is the onnx_int8 entry)
        gen = load_generator(
            paths[base.removesuffix("_dec1")],
            threads=threads,
            engine_backend="onnx-fp32" if base == "onnx_fp32" else "onnx-int8",
        )

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
        try:
            run = _runner(backend, paths, threads)
        except Skipped as exc:
            conn.send(("skipped", str(exc)))
            return
        inputs = {b: make_inputs(b, vocab=600) for b in BATCHES}  # ids every tokenizer has
        run(*inputs[1])  # warm-up
        conn.send(("ready", getattr(run, "choice", None)))
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


class _Buffered:
    """A connection whose first message was already read (to wait for a worker)."""

    def __init__(self, conn) -> None:
        self.conn, self.first = conn, conn.recv()

    def recv(self):
        if self.first is not None:
            first, self.first = self.first, None
            return first
        return self.conn.recv()

    def send(self, message) -> None:
        self.conn.send(message)


class _StdioConn:
    """The parent's end of a subprocess worker speaking JSON lines over stdin/stdout."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc

    def send(self, message) -> None:
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def recv(self):
        line = self.proc.stdout.readline()
        if not line:
            return ("error", f"worker exited ({self.proc.wait()})")
        return tuple(json.loads(line))


class _Done:
    """What ``proc.join()`` needs of a subprocess worker, or of one that never started."""

    def __init__(self, proc: subprocess.Popen | None = None) -> None:
        self.proc = proc

    def join(self) -> None:
        if self.proc is not None:
            self.proc.wait()


class _Note:
    def __init__(self, note: str) -> None:
        self.note = note

    def recv(self):
        return ("skipped", self.note)


def _start_ov_ep(paths: dict, threads: int, spin: bool, python: str):
    """Start the ``ort_ov_ep`` worker under the onnxruntime-openvino environment's Python."""
    if not python or not Path(python).is_file():
        note = (
            f"no onnxruntime-openvino environment at {python!r}: python -m venv "
            "/tmp/ort-ov-venv && /tmp/ort-ov-venv/bin/pip install onnxruntime-openvino "
            "numpy tokenizers platformdirs (never into the project's environment)"
        )
        return _Done(), _Note(note)
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": f"{here.parent}{os.pathsep}{here}"}
    command = [python, "-s", str(Path(__file__).resolve()), "--worker", "ort_ov_ep"]
    command += [
        "--threads",
        str(threads),
        "--paths-json",
        json.dumps({k: str(v) for k, v in paths.items()}),
    ]
    if spin:
        command.append("--spin")
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=here
    )
    return _Done(proc), _StdioConn(proc)


def _serve_stdio(backend: str, paths: dict, threads: int, spin: bool) -> int:
    """The subprocess side of :class:`_StdioConn`: :func:`_worker` over stdin/stdout."""
    out = sys.stdout
    sys.stdout = sys.stderr  # anything a library prints must not break the protocol

    class Conn:
        def send(self, message) -> None:
            out.write(json.dumps(message) + "\n")
            out.flush()

        def recv(self):
            return json.loads(sys.stdin.readline())

    _worker(backend, {k: Path(v) for k, v in paths.items()}, threads, spin, Conn())
    return 0


def measure(
    paths: dict[str, Path],
    threads: int,
    reps: int,
    backends=BACKENDS,
    spin: bool = False,
    ov_ep_python: str = OV_EP_PYTHON,
) -> dict:
    """Load every backend in its own process, then time them in round-robin.

    Interleaving (rep 1 of every backend, then rep 2, ...) spreads changes in machine
    load evenly over the backends, so their ratios stay fair on a shared machine.
    """
    ctx = mp.get_context("spawn")
    workers, results, started = {}, {}, {}
    _log(f"loading {', '.join(backends)} (in parallel; nothing is timed yet)")
    # the default path first and alone: a first run calibrates it, and that should not
    # share the CPU with the other backends' loading
    order = sorted(backends, key=lambda b: b != "onnx_int8")
    for i, backend in enumerate(order):
        if backend == "ort_ov_ep":
            started[backend] = _start_ov_ep(paths, threads, spin, ov_ep_python)
        else:
            parent, child = ctx.Pipe()
            args = (backend, paths, threads, spin, child)
            started[backend] = (ctx.Process(target=_worker, args=args, daemon=True), parent)
            started[backend][0].start()
        if i == 0 and backend == "onnx_int8":
            started[backend] = (started[backend][0], _Buffered(started[backend][1]))
    for backend, (proc, parent) in started.items():
        kind, payload = parent.recv()
        if kind in ("error", "skipped"):
            results[backend] = {kind: payload}
            proc.join()
            continue
        workers[backend] = (proc, parent)
        results[backend] = {"wall": {str(b): [] for b in BATCHES}, "cpu": {str(b): []
                            for b in BATCHES}}  # fmt: skip
        if payload:
            results[backend]["choice"] = payload
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
        if "error" in res or "skipped" in res:
            what = "error" if "error" in res else "skipped"
            lines.append(f"| {name} | - | {what}: {res[what]} | | | | | |")
            continue
        for batch in map(str, BATCHES):
            ms = res["ms"][batch]
            vs_pt = base.get("ms", {}).get(batch, float("nan")) / ms
            vs_ct2 = ct2.get("ms", {}).get(batch, float("nan")) / ms
            lines.append(
                f"| {name} | {batch} | {ms:.1f} | {res['tokens_per_s'][batch]:.0f} | "
                f"{res['cpu_ms'][batch]:.0f} | {res['peak_rss_mb']} | {vs_pt:.2f} | {vs_ct2:.2f} |"
            )
    choice = results.get("onnx_int8", {}).get("choice")
    if choice:
        lines += [
            "",
            f"onnx_int8 = the engine's default on this CPU ({choice['cpu']['model']}, "
            f"{choice['cpu']['isa']}): {choice['chosen']} ({choice['reason']}; "
            f"candidates {', '.join(choice['candidates'])}; calibration ms "
            f"{choice['measured_ms'] or '-'}).",
        ]
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
    parser.add_argument(
        "--ov-ep-python",
        default=OV_EP_PYTHON,
        help="Python of a separate environment with onnxruntime-openvino (ort_ov_ep)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # subprocess worker mode
    parser.add_argument("--paths-json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _serve_stdio(args.worker, json.loads(args.paths_json), args.threads, args.spin)
    reps = 2 if args.quick else 7
    backends = args.backends.split(",")
    paths = t5_work_model(backends)
    results = measure(paths, args.threads, reps, backends, args.spin, args.ov_ep_python)
    print(table(results, args.threads))
    if args.json:
        summary = {name: res.get("ms", res) for name, res in results.items()}
        print(json.dumps(summary))
    return 0 if all("error" not in r for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
