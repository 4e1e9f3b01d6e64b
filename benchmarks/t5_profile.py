"""Per-op profile of the T5 engine's graphs: the encoder and one decoder step, batch 1 and 16.

The work model of ``t5_runtime.py`` (CodeT5-small's shape), 256 input tokens, a decoder
step with 16 past positions; for each engine path asked for: onnxruntime's profiler (op
type, execution provider; ``ort_int8``, ``ort_fp32``) or OpenVINO's performance counters
(op type and the kernel that ran it, e.g. ``brgemm_avx512_bf16`` or
``brgemm_avx512_amx``; ``openvino_bf16``, ``openvino_fp32``, ``openvino_int8``). Every
figure is printed with the CPU (``lscpu`` model name and flags) and the load average.

Usage::

    python benchmarks/t5_profile.py                       # ort_int8 and openvino_bf16
    python benchmarks/t5_profile.py --paths ort_int8,openvino_int8 --reps 5 --json

The JSON line (last, with ``--json``) maps ``path/part/batch`` to ``{"ms": per-run total,
"ops": {op: ms per run}, "kernels": {op: kernel}}`` plus ``cpu`` and ``load``.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import logger, t5_work_model

from indexer.cpuinfo import detect

PARTS = {"encoder": "encoder_model.onnx", "step": "decoder_with_past_model.onnx"}
PATHS = ("ort_int8", "ort_fp32", "openvino_bf16", "openvino_fp32", "openvino_int8")
_log = logger("t5_profile")


def feeds(part: str, batch: int, past: int = 16, layers: int = 6, heads: int = 8) -> dict:
    """Inputs of ``part`` at ``batch`` (random ids, every position attended)."""
    import numpy as np

    rng = np.random.default_rng(0)
    if part == "encoder":
        return {
            "input_ids": rng.integers(3, 600, (batch, 256)).astype(np.int64),
            "attention_mask": np.ones((batch, 256), np.int64),
        }
    out = {
        "input_ids": np.full((batch, 1), 5, np.int64),
        "encoder_attention_mask": np.ones((batch, 256), np.int64),
    }
    for i in range(layers):
        for kind, length in (("decoder", past), ("encoder", 256)):
            for kv in ("key", "value"):
                shape = (batch, heads, length, 64)
                out[f"past_key_values.{i}.{kind}.{kv}"] = rng.standard_normal(shape).astype(
                    np.float32
                )
    return out


def profile_ort(graph: Path, inputs: dict, threads: int, reps: int) -> dict:
    """onnxruntime's profiler over ``reps`` runs: ms per run by op type."""
    import onnxruntime as ort

    with tempfile.TemporaryDirectory() as tmp:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.enable_profiling = True
        options.profile_file_prefix = str(Path(tmp) / "ort")
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        session.run(None, inputs)  # warm-up (profiled too; dropped below)
        start = time.perf_counter()
        for _ in range(reps):
            session.run(None, inputs)
        wall = (time.perf_counter() - start) * 1000 / reps
        events = json.loads(Path(session.end_profiling()).read_text())
    per_op: dict = collections.Counter()
    kernels: dict = {}
    runs = [e for e in events if e.get("name") == "model_run"]
    first_end = runs[0]["ts"] + runs[0]["dur"] if runs else 0
    for event in events:
        if event.get("cat") != "Node" or not event["name"].endswith("_kernel_time"):
            continue
        if event["ts"] < first_end:
            continue
        op = event["args"].get("op_name", "?")
        per_op[op] += event["dur"] / 1000 / reps
        kernels[op] = event["args"].get("provider", "")
    return {"ms": round(wall, 2), "ops": _rounded(per_op), "kernels": kernels}


def profile_ov(graph: Path, inputs: dict, threads: int, reps: int, precision: str) -> dict:
    """OpenVINO's performance counters over ``reps`` runs: ms per run by op type and kernel."""
    import openvino as ov

    config = {
        "INFERENCE_NUM_THREADS": threads,
        "INFERENCE_PRECISION_HINT": precision,
        "PERF_COUNT": True,
        "NUM_STREAMS": 1,
        "ENABLE_CPU_PINNING": False,
    }
    request = ov.Core().compile_model(str(graph), "CPU", config).create_infer_request()
    request.infer(inputs)
    per_op: dict = collections.Counter()
    kernels: dict = {}
    start = time.perf_counter()
    for _ in range(reps):
        request.infer(inputs)
        for item in request.profiling_info:
            per_op[item.node_type] += item.real_time.total_seconds() * 1000 / reps
            kernels.setdefault(item.node_type, item.exec_type)
    wall = (time.perf_counter() - start) * 1000 / reps
    return {"ms": round(wall, 2), "ops": _rounded(per_op), "kernels": kernels}


def _rounded(counter: dict) -> dict:
    return {k: round(v, 3) for k, v in sorted(counter.items(), key=lambda kv: -kv[1])}


def table(name: str, result: dict, top: int = 12) -> str:
    total = sum(result["ops"].values()) or 1.0
    lines = [
        f"{name}: {result['ms']:.2f} ms per run (wall; ops sum {total:.2f} ms)",
        "| op | ms per run | share | kernel |",
        "|---|---|---|---|",
    ]
    for op, ms in list(result["ops"].items())[:top]:
        lines.append(f"| {op} | {ms:.3f} | {ms / total:.0%} | {result['kernels'].get(op, '')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", default="ort_int8,openvino_bf16")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the JSON summary last")
    args = parser.parse_args(argv)
    paths = t5_work_model()
    cpu = detect()
    print(f"CPU: {cpu.model} ({cpu.isa}); flags: {' '.join(cpu.describe()['flags'])}")
    summary: dict = {"cpu": cpu.describe()}
    for name in args.paths.split(","):
        if name not in PATHS:
            parser.error(f"unknown path {name!r}; choose from {', '.join(PATHS)}")
        if name.startswith("openvino") and not _has_openvino():
            print(f"{name}: skipped (the openvino package is not installed)")
            continue
        folder = paths["onnx_fp32" if name.endswith(("fp32", "bf16")) else "onnx_int8"]
        for part, file in PARTS.items():
            for batch in (1, 16):
                inputs = feeds(part, batch)
                reps = args.reps if part == "step" else max(1, args.reps // 2)
                _log(f"{name} {part} batch {batch}")
                if name.startswith("ort"):
                    result = profile_ort(folder / file, inputs, args.threads, reps * 5)
                else:
                    precision = "bf16" if name.endswith("bf16") else "f32"
                    result = profile_ov(folder / file, inputs, args.threads, reps, precision)
                key = f"{name}/{part}/{batch}"
                summary[key] = result
                print(table(key, result), "\n", sep="")
    summary["load"] = round(os.getloadavg()[0], 2)
    print(f"load average {summary['load']} at the end")
    if args.json:
        print(json.dumps(summary))
    return 0


def _has_openvino() -> bool:
    import importlib.util

    return importlib.util.find_spec("openvino") is not None


if __name__ == "__main__":
    sys.exit(main())
