"""Train the drafting T5 from scratch; the same script on CPU and CUDA, resumable.

Usage::

    python -m assistant.workshop.training.train --data work-data/dataset/examples.jsonl.xz \\
        --tokenizer work-data/tokenizer --out work-data/ckpt --minutes 30

Training stops after ``--minutes`` of wall time (or ``--max-steps``), saves a checkpoint
(:mod:`assistant.workshop.training.checkpoint`), evaluates on the validation packages, and prints a
one-line JSON summary last. The learning rate follows warm-up then cosine decay over
``--schedule-minutes`` of *training time*, so a resumed run continues the same schedule.
Works with transformers 4.x and 5.x (only the model class is used from it).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

from assistant.workshop.training.architecture import build_model, count_parameters, t5_config_dict
from assistant.workshop.training.checkpoint import (
    load_model_tensors,
    load_tensors,
    read_checkpoint,
    restore_optimizer,
    save_checkpoint,
)
from assistant.workshop.training.data import (
    BatchStream,
    apply_similar,
    encode_batch,
    load_examples,
    load_tokenizer,
    prompt_for,
    worker_batches,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description="Train the docgen drafting T5.")
    p.add_argument("--data", type=Path, required=True, help="examples.jsonl.xz")
    p.add_argument("--tokenizer", type=Path, required=True, help="folder with tokenizer.json")
    p.add_argument("--out", type=Path, required=True, help="checkpoint folder to write")
    p.add_argument("--resume", type=Path, default=None, help="checkpoint folder to continue")
    p.add_argument(
        "--preset", default="small", help="model shape (assistant.workshop.training.architecture)"
    )
    p.add_argument("--minutes", type=float, default=10.0, help="training time of this run")
    p.add_argument(
        "--schedule-minutes",
        type=float,
        default=None,
        help="total training time the LR schedule spans (default: this run's)",
    )
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup-steps", type=int, default=300)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--max-input", type=int, default=512)
    p.add_argument("--max-target", type=int, default=64)
    p.add_argument("--cold-share", type=float, default=0.3)
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit-train", type=int, default=None, help="use only N training records")
    p.add_argument("--save-every-minutes", type=float, default=15.0)
    p.add_argument(
        "--no-optimizer-state", action="store_true", help="save model only (smaller checkpoints)"
    )
    p.add_argument("--eval-examples", type=int, default=512)
    p.add_argument(
        "--minilm",
        type=Path,
        default=None,
        help="packed MiniLM: compute missing `similar` evidence first",
    )
    p.add_argument(
        "--similar-out",
        type=Path,
        default=None,
        help="write the computed neighbour ids here (json.xz)",
    )
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the training step (dynamic shapes; falls back to eager on error)",
    )
    p.add_argument("--workers", type=int, default=0, help="DataLoader processes (0: a thread)")
    p.add_argument(
        "--similar-in",
        type=Path,
        default=None,
        help="neighbour ids computed earlier (--similar-out of a previous run)",
    )
    p.add_argument(
        "--restart-schedule",
        action="store_true",
        help="on resume: warm up and decay the learning rate over this run only",
    )
    p.add_argument(
        "--stop-at-seconds",
        type=float,
        default=None,
        help="also stop training this long after the process started (hard budget)",
    )
    return p.parse_args(argv)


def pick_device(name: str) -> str:
    """Resolve ``auto`` to ``cuda`` when available, else ``cpu``."""
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return name


def lr_at(step: int, progress: float, peak: float, warmup: int) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to 10% over ``progress``."""
    warm = min(1.0, (step + 1) / max(1, warmup))
    cosine = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return peak * warm * cosine


def prepare_records(args: argparse.Namespace, say) -> tuple[list, list, dict]:
    """Load examples (computing neighbours if asked) and split train/valid."""
    records = load_examples(args.data)
    if args.similar_in is not None:
        apply_similar(records, args.similar_in)
    if args.minilm is not None and any(r.get("similar") is None for r in records):
        from assistant.workshop.dataset.neighbours import PackedMiniLM, fill_similar

        encoder = PackedMiniLM(args.minilm, pick_device(args.device))
        fill_similar(records, encoder.encode, say)
        del encoder
        if args.similar_out is not None:
            _write_similar(args.similar_out, records)
    by_id = {r["id"]: r for r in records}
    train = [r for r in records if r["split"] == "train"]
    valid = [r for r in records if r["split"] == "valid"]
    if args.limit_train:
        train = train[: args.limit_train]
    return train, valid, by_id


def _write_similar(path: Path, records: list[dict[str, Any]]) -> None:
    import lzma

    data = {str(r["id"]): [r["similar"], r["callees"]] for r in records}
    path.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)


def evaluate(model, tokenizer, records, by_id, args, device, mode: str) -> dict[str, float]:
    """Validation loss and greedy smoothed BLEU-4 in one evidence situation."""
    import torch

    from assistant.workshop.evaluation.bleu import smoothed_bleu4

    records = records[: args.eval_examples]
    if not records:
        return {}
    model.eval()
    losses, preds = [], []
    with torch.no_grad(), _autocast(device):
        for start in range(0, len(records), 64):
            chunk = records[start : start + 64]
            prompts = [prompt_for(r, by_id, mode) for r in chunk]
            batch = encode_batch(
                tokenizer, prompts, [r["summary"] for r in chunk], args.max_input, args.max_target
            )
            batch = {k: v.to(device) for k, v in batch.items()}
            out = model(**batch)
            losses.append(float(out.loss))
            gen = model.generate(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                max_new_tokens=48,
                num_beams=1,
                do_sample=False,
            )
            preds += [tokenizer.decode(g.tolist(), skip_special_tokens=True) for g in gen]
    model.train()
    bleu = smoothed_bleu4([r["summary"] for r in records], preds)
    return {"loss": sum(losses) / len(losses), "bleu": bleu, "example": preds[0]}


def _autocast(device: str):
    import torch

    return torch.autocast(
        device_type="cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16
    )


def build_or_resume(args, vocab_size: int, device: str):
    """Return ``(model, optimizer, config_kwargs, trainer_state)``."""
    import torch

    state: dict[str, Any] = {"step": 0, "train_seconds": 0.0, "examples": 0, "epoch": 0}
    if args.resume is not None:
        config, state = read_checkpoint(args.resume)
        model = build_model(config)
        load_model_tensors(model, load_tensors(args.resume, "model"))
    else:
        config = t5_config_dict(args.preset, vocab_size)
        torch.manual_seed(args.seed)
        model = build_model(config)
    from transformers import GenerationConfig

    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, max_new_tokens=48
    )
    model.to(device).train()
    fused = device.startswith("cuda")
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=args.lr, betas=(0.9, 0.98), weight_decay=0.01, fused=fused
    )
    if args.resume is not None and "optimizer" in state:
        restore_optimizer(optimizer, load_tensors(args.resume, "optimizer"), state.pop("optimizer"))
    return model, optimizer, config, state


def train_step(model, optimizer, batch, lr: float, smoothing: float, device: str) -> float:
    """One optimisation step; returns the (label-smoothed) loss."""
    import torch
    import torch.nn.functional as F

    for group in optimizer.param_groups:
        group["lr"] = lr
    batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    with _autocast(device):
        logits = model(**batch).logits
    loss = F.cross_entropy(
        logits.float().view(-1, logits.size(-1)),
        batch["labels"].view(-1),
        ignore_index=-100,
        label_smoothing=smoothing,
    )
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return float(loss.detach())


def main(argv: list[str] | None = None) -> int:
    """Run training and print a JSON summary as the last line."""
    import torch

    args = parse_args(argv)
    t_start = time.monotonic()
    device = pick_device(args.device)
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
    random.seed(args.seed)

    def say(msg: str) -> None:
        print(f"[{time.monotonic() - t_start:6.0f}s] {msg}", flush=True)

    tokenizer = load_tokenizer(args.tokenizer)
    model, optimizer, config, state = build_or_resume(args, tokenizer.get_vocab_size(), device)
    say(f"model {count_parameters(model) / 1e6:.1f}M params on {device}; step {state['step']}")
    _smoke(model, tokenizer, args, device)
    train, valid, by_id = prepare_records(args, say)
    say(f"{len(train)} train / {len(valid)} valid records")
    stream = BatchStream(
        train,
        by_id,
        tokenizer,
        args.batch_size,
        args.max_input,
        args.max_target,
        args.seed,
        args.cold_share,
        state["epoch"],
    )
    schedule_s = 60 * (args.schedule_minutes or (args.minutes + state["train_seconds"] / 60))
    run_s = 60 * args.minutes
    run_start = time.monotonic()
    last_save = run_start
    trained_before = state["train_seconds"]
    recent: list[float] = []
    restart = args.restart_schedule
    run_steps = 0
    step_model = _compiled(model, say) if args.compile else model
    for batch in worker_batches(stream, args.workers):
        elapsed = time.monotonic() - run_start
        if restart:
            lr = lr_at(run_steps, elapsed / run_s, args.lr, args.warmup_steps)
        else:
            progress = (trained_before + elapsed) / schedule_s
            lr = lr_at(state["step"], progress, args.lr, args.warmup_steps)
        run_steps += 1
        try:
            loss = train_step(step_model, optimizer, batch, lr, args.label_smoothing, device)
        except Exception as exc:  # noqa: BLE001 - a compiler failure must not end the run
            if step_model is model:
                raise
            say(f"compiled step failed ({type(exc).__name__}: {exc}); continuing eager")
            optimizer.zero_grad(set_to_none=True)
            step_model = model
            loss = train_step(model, optimizer, batch, lr, args.label_smoothing, device)
        recent.append(loss)
        state["step"] += 1
        state["examples"] += len(batch["input_ids"])
        if state["step"] % args.log_every == 0:
            say(
                f"step {state['step']} loss {sum(recent) / len(recent):.3f} lr {lr:.2e} "
                f"{state['examples'] / max(1e-9, trained_before + elapsed):.0f} ex/s(avg)"
            )
            recent = []
        done = (
            elapsed >= run_s
            or (args.max_steps is not None and state["step"] >= args.max_steps)
            or (
                args.stop_at_seconds is not None
                and time.monotonic() - t_start >= args.stop_at_seconds
            )
        )
        if done or time.monotonic() - last_save > 60 * args.save_every_minutes:
            state["train_seconds"] = trained_before + (time.monotonic() - run_start)
            state["epoch"] = stream.epoch
            _save(args, model, optimizer, config, state)
            last_save = time.monotonic()
        if done:
            break
    state["train_seconds"] = trained_before + (time.monotonic() - run_start)
    say(f"saved {args.out}; evaluating")
    summary: dict[str, Any] = {
        "step": state["step"],
        "examples": state["examples"],
        "train_seconds": round(state["train_seconds"]),
        "epochs": round(state["examples"] / max(1, len(train)), 2),
        "device": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu",
        "params": count_parameters(model),
    }
    for mode in ("full", "cold"):
        try:
            summary[mode] = evaluate(model, tokenizer, valid, by_id, args, device, mode)
        except Exception as exc:  # noqa: BLE001 - the checkpoint is saved; report and go on
            summary[mode] = {"error": repr(exc)}
    print(json.dumps(summary), flush=True)
    return 0


def _compiled(model, say):
    """``torch.compile`` the model for training steps; the eager ``model`` (same parameters)
    is kept for saving and evaluation. Shapes vary with every batch, hence dynamic."""
    import torch

    say("compiling the training step (the first step takes a few minutes)")
    return torch.compile(model, dynamic=True)


def _smoke(model, tokenizer, args, device: str) -> None:
    """Fail fast: one forward/backward pass on a toy batch before the long data steps."""
    batch = encode_batch(
        tokenizer,
        ["code: def f(x): return x"] * 2,
        ["Return x."] * 2,
        args.max_input,
        args.max_target,
    )
    batch = {k: v.to(device) for k, v in batch.items()}
    with _autocast(device):
        loss = model(**batch).loss
    loss.backward()
    model.zero_grad(set_to_none=True)


def _save(args, model, optimizer, config, state) -> None:
    meta = dict(state)
    meta["args"] = {k: str(v) for k, v in vars(args).items()}
    save_checkpoint(args.out, model, config, meta, None if args.no_optimizer_state else optimizer)


if __name__ == "__main__":
    raise SystemExit(main())
