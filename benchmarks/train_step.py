"""Training-step throughput of the drafting T5: eager vs ``torch.compile``, one process.

The shipped checkpoint's shape (``checkpoints/docgen-t5``), random token batches of the
lengths training sees (inputs 128/192/256 tokens in turn, 24-token summaries), the real
``train_step`` (bf16 autocast, label smoothing, clipping, AdamW). Both variants start from
the same weights; after their warm-up (compilation included) they are timed in turns
(eager, compiled, eager, ...) so load changes hit both alike. Also prints how many
aten operations one eager step runs (each is a kernel launch on a GPU)::

    python benchmarks/train_step.py --batch-size 32 --steps 6          # CPU
    python benchmarks/train_step.py --device cuda --batch-size 256    # GPU, same script
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def batches(batch_size: int, vocab: int, device: str, count: int):
    """``count`` random batches cycling through three input lengths."""
    import torch

    gen = torch.Generator().manual_seed(0)
    out = []
    for i in range(count):
        length = (128, 192, 256)[i % 3]
        batch = {
            "input_ids": torch.randint(2, vocab, (batch_size, length), generator=gen),
            "attention_mask": torch.ones(batch_size, length, dtype=torch.long),
            "labels": torch.randint(2, vocab, (batch_size, 24), generator=gen),
        }
        out.append({k: v.to(device) for k, v in batch.items()})
    return out


def count_ops(model, optimizer, batch, device: str) -> int:
    """Aten operations (views and casts' bookkeeping left out) in one eager step."""
    from torch.profiler import ProfilerActivity, profile

    from assistant.workshop.training.train import train_step

    skip = ("aten::empty", "aten::view", "aten::as_strided", "aten::reshape", "aten::t")
    skip += ("aten::transpose", "aten::expand", "aten::unsqueeze", "aten::squeeze")
    skip += ("aten::permute", "aten::detach", "aten::alias", "aten::result_type")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        train_step(model, optimizer, batch, 1e-4, 0.1, device)
    return sum(
        e.count
        for e in prof.key_averages()
        if e.key.startswith("aten::") and not e.key.startswith(skip)
    )


def main(argv: list[str] | None = None) -> int:
    """Time both variants and print a JSON summary last."""
    import torch

    from assistant.workshop.training.architecture import build_model
    from assistant.workshop.training.checkpoint import read_checkpoint
    from assistant.workshop.training.train import compile_for_training, train_step

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", type=Path, default=ROOT / "checkpoints" / "docgen-t5")
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--steps", type=int, default=6, help="timed steps per variant")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    config, _ = read_checkpoint(args.checkpoint)

    def setup():
        torch.manual_seed(0)
        model = build_model(config).to(args.device).train()
        fused = args.device.startswith("cuda")
        return model, torch.optim.AdamW(model.parameters(), lr=1e-4, fused=fused)

    data = batches(args.batch_size, config["vocab_size"], args.device, 3 + args.steps)
    eager, eager_opt = setup()
    ops = count_ops(eager, eager_opt, data[0], args.device)
    plain, plain_opt = setup()
    compiled = compile_for_training(plain, lambda msg: print(msg, flush=True))
    variants = {"eager": (eager, eager_opt), "compiled": (compiled, plain_opt)}
    warm: dict[str, float] = {}
    for name, (model, opt) in variants.items():
        started = time.perf_counter()
        for batch in data[:3]:  # every input length once: compilation happens here
            train_step(model, opt, batch, 1e-4, 0.1, args.device)
        warm[name] = round(time.perf_counter() - started, 1)
    times: dict[str, list[float]] = {name: [] for name in variants}
    for batch in data[3:]:
        for name, (model, opt) in variants.items():
            if args.device.startswith("cuda"):
                torch.cuda.synchronize()
            started = time.perf_counter()
            train_step(model, opt, batch, 1e-4, 0.1, args.device)  # returns a float: synced
            times[name].append(time.perf_counter() - started)
    result = {
        "device": args.device,
        "batch_size": args.batch_size,
        "threads": torch.get_num_threads(),
        "aten_ops_per_eager_step": ops,
        "warmup_s": warm,
    }
    for name, values in times.items():
        median = statistics.median(values)
        result[name] = {
            "median_step_s": round(median, 3),
            "examples_per_s": round(args.batch_size / median, 1),
        }
    result["speedup"] = round(
        result["eager"]["median_step_s"] / result["compiled"]["median_step_s"], 2
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
