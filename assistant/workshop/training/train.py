"""The workshop's training loop of the drafting T5: ``train(config)``, CPU or CUDA, resumable.

:func:`train` runs one training from a :class:`~assistant.workshop.training.config.TrainConfig`
(``docgen model train`` builds one from its options); the same as a script::

    python -m assistant.workshop.training.train --data work-data/dataset/examples.jsonl.xz \\
        --tokenizer work-data/tokenizer --out work-data/ckpt --minutes 30

Training stops after ``minutes`` of wall time (or ``max_steps``), saves a checkpoint
(:mod:`assistant.workshop.training.checkpoint`), evaluates on the validation packages, and
returns a :class:`~assistant.workshop.training.config.TrainResult` that both entry points
print as one JSON line last. The learning rate follows warm-up then cosine decay over
``schedule_minutes`` of *training time*, so a resumed run continues the same schedule.
Works with transformers 4.x and 5.x (only the model class is used from it).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
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
from assistant.workshop.training.config import TrainConfig, TrainResult, parse_args
from assistant.workshop.training.data import (
    BatchStream,
    apply_similar,
    encode_batch,
    load_examples,
    load_tokenizer,
    prompt_for,
    worker_batches,
)

TrainLog = Callable[[str], None]
"""Receives each progress line of a run (already stamped with the seconds since its start)."""


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


def prepare_records(config: TrainConfig, say: TrainLog) -> tuple[list, list, dict]:
    """Load examples (computing neighbours if asked) and split train/valid."""
    records = load_examples(config.data)
    if config.similar_in is not None:
        apply_similar(records, config.similar_in)
    if config.minilm is not None and any(r.get("similar") is None for r in records):
        from assistant.workshop.dataset.neighbours import PackedMiniLM, fill_similar

        encoder = PackedMiniLM(config.minilm, pick_device(config.device))
        fill_similar(records, encoder.encode, say)
        del encoder
        if config.similar_out is not None:
            _write_similar(config.similar_out, records)
    by_id = {r["id"]: r for r in records}
    train = [r for r in records if r["split"] == "train"]
    valid = [r for r in records if r["split"] == "valid"]
    if config.limit_train:
        train = train[: config.limit_train]
    return train, valid, by_id


def _write_similar(path: Path, records: list[dict[str, Any]]) -> None:
    import lzma

    data = {str(r["id"]): [r["similar"], r["callees"]] for r in records}
    path.parent.mkdir(parents=True, exist_ok=True)
    with lzma.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh)


def evaluate(
    model, tokenizer, records, by_id, config: TrainConfig, device: str, mode: str
) -> dict[str, Any]:
    """Validation loss and greedy smoothed BLEU-4 in one evidence situation."""
    import torch

    from assistant.workshop.evaluation.bleu import smoothed_bleu4

    records = records[: config.eval_examples]
    if not records:
        return {}
    model.eval()
    losses, preds = [], []
    with torch.no_grad(), _autocast(device):
        for start in range(0, len(records), 64):
            chunk = records[start : start + 64]
            prompts = [prompt_for(r, by_id, mode) for r in chunk]
            batch = encode_batch(
                tokenizer,
                prompts,
                [r["summary"] for r in chunk],
                config.max_input,
                config.max_target,
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


def build_or_resume(config: TrainConfig, vocab_size: int, device: str):
    """Return ``(model, optimizer, config_kwargs, trainer_state)``."""
    import torch

    state: dict[str, Any] = {"step": 0, "train_seconds": 0.0, "examples": 0, "epoch": 0}
    if config.resume is not None:
        model_config, state = read_checkpoint(config.resume)
        model = build_model(model_config)
        load_model_tensors(model, load_tensors(config.resume, "model"))
    else:
        model_config = t5_config_dict(config.preset, vocab_size)
        torch.manual_seed(config.seed)
        model = build_model(model_config)
    from transformers import GenerationConfig

    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, max_new_tokens=48
    )
    model.to(device).train()
    fused = device.startswith("cuda")
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, betas=(0.9, 0.98), weight_decay=0.01, fused=fused
    )
    if config.resume is not None and "optimizer" in state:
        restore_optimizer(
            optimizer, load_tensors(config.resume, "optimizer"), state.pop("optimizer")
        )
    return model, optimizer, model_config, state


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


def train(config: TrainConfig, log: TrainLog | None = None) -> TrainResult:
    """Run one training (or continue one) and return its summary.

    Args:
        config: The run's settings.
        log: Receives the progress lines; None prints them to stdout.

    Returns:
        The steps, time and validation scores of the run; the checkpoint is in ``config.out``.
    """
    import torch

    t_start = time.monotonic()
    device = pick_device(config.device)
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
    random.seed(config.seed)
    emit = log or _print_line

    def say(msg: str) -> None:
        emit(f"[{time.monotonic() - t_start:6.0f}s] {msg}")

    tokenizer = load_tokenizer(config.tokenizer)
    model, optimizer, model_config, state = build_or_resume(
        config, tokenizer.get_vocab_size(), device
    )
    say(f"model {count_parameters(model) / 1e6:.1f}M params on {device}; step {state['step']}")
    _smoke(model, tokenizer, config, device)
    train_records, valid, by_id = prepare_records(config, say)
    say(f"{len(train_records)} train / {len(valid)} valid records")
    stream = BatchStream(
        train_records,
        by_id,
        tokenizer,
        config.batch_size,
        config.max_input,
        config.max_target,
        config.seed,
        config.cold_share,
        state["epoch"],
    )
    schedule_s = 60 * (config.schedule_minutes or (config.minutes + state["train_seconds"] / 60))
    run_s = 60 * config.minutes
    run_start = time.monotonic()
    last_save = run_start
    trained_before = state["train_seconds"]
    recent: list[float] = []
    restart = config.restart_schedule
    run_steps = 0
    step_model = compile_for_training(model, say) if config.compile else model
    for batch in worker_batches(stream, config.workers):
        elapsed = time.monotonic() - run_start
        if restart:
            lr = lr_at(run_steps, elapsed / run_s, config.lr, config.warmup_steps)
        else:
            progress = (trained_before + elapsed) / schedule_s
            lr = lr_at(state["step"], progress, config.lr, config.warmup_steps)
        run_steps += 1
        try:
            loss = train_step(step_model, optimizer, batch, lr, config.label_smoothing, device)
        except Exception as exc:  # noqa: BLE001 - a compiler failure must not end the run
            if step_model is model:
                raise
            say(f"compiled step failed ({type(exc).__name__}: {exc}); continuing eager")
            optimizer.zero_grad(set_to_none=True)
            step_model = model
            loss = train_step(model, optimizer, batch, lr, config.label_smoothing, device)
        recent.append(loss)
        state["step"] += 1
        state["examples"] += len(batch["input_ids"])
        if state["step"] % config.log_every == 0:
            say(
                f"step {state['step']} loss {sum(recent) / len(recent):.3f} lr {lr:.2e} "
                f"{state['examples'] / max(1e-9, trained_before + elapsed):.0f} ex/s(avg)"
            )
            recent = []
        done = (
            elapsed >= run_s
            or (config.max_steps is not None and state["step"] >= config.max_steps)
            or (
                config.stop_at_seconds is not None
                and time.monotonic() - t_start >= config.stop_at_seconds
            )
        )
        if done or time.monotonic() - last_save > 60 * config.save_every_minutes:
            state["train_seconds"] = trained_before + (time.monotonic() - run_start)
            state["epoch"] = stream.epoch
            _save(config, model, optimizer, model_config, state)
            last_save = time.monotonic()
        if done:
            break
    state["train_seconds"] = trained_before + (time.monotonic() - run_start)
    say(f"saved {config.out}; evaluating")
    scores: dict[str, dict[str, Any]] = {}
    for mode in ("full", "cold"):
        try:
            scores[mode] = evaluate(model, tokenizer, valid, by_id, config, device, mode)
        except Exception as exc:  # noqa: BLE001 - the checkpoint is saved; report and go on
            scores[mode] = {"error": repr(exc)}
    return TrainResult(
        step=state["step"],
        examples=state["examples"],
        train_seconds=round(state["train_seconds"]),
        epochs=round(state["examples"] / max(1, len(train_records)), 2),
        device=torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu",
        params=count_parameters(model),
        full=scores["full"],
        cold=scores["cold"],
    )


def main(argv: list[str] | None = None) -> int:
    """Train as the command line says (``sys.argv`` when ``argv`` is None); print the
    progress and, last, the JSON summary; return the exit code (0)."""
    result = train(parse_args(argv))
    print(json.dumps(result.to_dict()), flush=True)
    return 0


def compile_for_training(model, say: TrainLog):
    """``torch.compile`` a model for training steps (what ``compile`` turns on).

    Shapes vary with every batch, hence dynamic shapes. The returned module shares the
    parameters of ``model``; keep the eager ``model`` for saving and evaluation (its
    weights are saved without the compiler's ``_orig_mod`` prefix).

    Args:
        model: The eager model to compile.
        say: Receives a note that compiling starts (the first step takes minutes).

    Returns:
        The compiled module, to pass to :func:`train_step`.
    """
    import torch

    say("compiling the training step (the first step takes a few minutes)")
    return torch.compile(model, dynamic=True)


def _print_line(line: str) -> None:
    print(line, flush=True)


def _smoke(model, tokenizer, config: TrainConfig, device: str) -> None:
    """Fail fast: one forward/backward pass on a toy batch before the long data steps."""
    batch = encode_batch(
        tokenizer,
        ["code: def f(x): return x"] * 2,
        ["Return x."] * 2,
        config.max_input,
        config.max_target,
    )
    batch = {k: v.to(device) for k, v in batch.items()}
    with _autocast(device):
        loss = model(**batch).loss
    loss.backward()
    model.zero_grad(set_to_none=True)


def _save(config: TrainConfig, model, optimizer, model_config, state) -> None:
    meta = dict(state)
    meta["args"] = config.as_metadata()
    save_checkpoint(
        config.out, model, model_config, meta, None if config.no_optimizer_state else optimizer
    )


if __name__ == "__main__":
    raise SystemExit(main())
