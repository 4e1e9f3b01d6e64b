"""The one configuration surface of a training run: :class:`TrainConfig` and its argparse form.

``docgen model train`` (:mod:`docgen.workshop_cmds`) and
``python -m assistant.workshop.training.train`` both build a :class:`TrainConfig` and call
:func:`assistant.workshop.training.train.train`; both take their defaults from here.
Kept free of heavy imports (no torch) so the CLI can read the defaults at start-up.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(kw_only=True)
class TrainConfig:
    """Everything one training run needs; every option has a default.

    Attributes:
        data: ``examples.jsonl.xz`` from ``docgen dataset build`` (required).
        tokenizer: Folder with ``tokenizer.json`` (required).
        out: Checkpoint folder to write (required).
        resume: Checkpoint folder to continue from; None starts from scratch.
        preset: Model shape (:mod:`assistant.workshop.training.architecture`).
        minutes: Training time of this run, in minutes of wall time.
        schedule_minutes: Total training time the learning-rate schedule spans; None:
            this run's ``minutes`` plus what the resumed checkpoint already trained.
        max_steps: Stop at this many optimisation steps (counted over resumes); None: no
            step limit.
        batch_size: Examples per optimisation step.
        lr: Peak learning rate (AdamW).
        warmup_steps: Steps of linear learning-rate warm-up.
        label_smoothing: Label smoothing of the cross-entropy loss.
        max_input: Prompt length limit, in tokens.
        max_target: Summary length limit, in tokens.
        cold_share: Share of examples drawn in the cold situation (no evidence).
        device: ``auto`` (CUDA when available), ``cpu`` or ``cuda``.
        seed: Seed of the model's initialisation and of the data order.
        limit_train: Use only the first N training records; None: all.
        save_every_minutes: Save a checkpoint this often during the run.
        no_optimizer_state: Save the model only (smaller checkpoints, no exact resume).
        eval_examples: Validation records scored per evidence situation at the end.
        minilm: Packed MiniLM: compute missing ``similar`` evidence first; None: don't.
        similar_out: Write the computed neighbour ids here (json.xz); None: don't.
        log_every: Log the mean loss every this many steps.
        compile: ``torch.compile`` the training step (dynamic shapes; falls back to eager
            on error).
        workers: DataLoader processes (0: a thread).
        similar_in: Neighbour ids computed earlier (``similar_out`` of a previous run).
        restart_schedule: On resume: warm up and decay the learning rate over this run only.
        stop_at_seconds: Also stop training this long after the run started (hard budget);
            None: no such limit.
    """

    data: Path
    tokenizer: Path
    out: Path
    resume: Path | None = None
    preset: str = "small"
    minutes: float = 10.0
    schedule_minutes: float | None = None
    max_steps: int | None = None
    batch_size: int = 64
    lr: float = 1e-3
    warmup_steps: int = 300
    label_smoothing: float = 0.1
    max_input: int = 512
    max_target: int = 64
    cold_share: float = 0.3
    device: str = "auto"
    seed: int = 0
    limit_train: int | None = None
    save_every_minutes: float = 15.0
    no_optimizer_state: bool = False
    eval_examples: int = 512
    minilm: Path | None = None
    similar_out: Path | None = None
    log_every: int = 50
    compile: bool = False
    workers: int = 0
    similar_in: Path | None = None
    restart_schedule: bool = False
    stop_at_seconds: float | None = None

    def as_metadata(self) -> dict[str, str]:
        """The settings as strings, in field order: what a checkpoint records of its run."""
        return {key: str(value) for key, value in asdict(self).items()}


@dataclass
class TrainResult:
    """What a finished run reports: printed as one JSON line by both entry points.

    Attributes:
        step: Optimisation steps done, counted over resumes.
        examples: Training examples seen, counted over resumes.
        train_seconds: Training time, counted over resumes (rounded).
        epochs: Passes over the training records (examples / records).
        device: The device's name (the GPU's, or ``cpu``).
        params: Parameters of the model.
        full: Validation ``loss``, greedy ``bleu`` and an ``example`` draft with all
            evidence (empty without validation records; ``error`` if scoring failed).
        cold: The same in the cold situation.
    """

    step: int
    examples: int
    train_seconds: int
    epochs: float
    device: str
    params: int
    full: dict[str, Any]
    cold: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The JSON summary's fields, in the order they are printed."""
        return asdict(self)


def argument_parser() -> argparse.ArgumentParser:
    """The ``python -m assistant.workshop.training.train`` command line of a TrainConfig."""
    d = TrainConfig  # the defaults, read from the class
    p = argparse.ArgumentParser(description="Train the docgen drafting T5.")
    p.add_argument("--data", type=Path, required=True, help="examples.jsonl.xz")
    p.add_argument("--tokenizer", type=Path, required=True, help="folder with tokenizer.json")
    p.add_argument("--out", type=Path, required=True, help="checkpoint folder to write")
    p.add_argument("--resume", type=Path, default=d.resume, help="checkpoint folder to continue")
    p.add_argument(
        "--preset",
        default=d.preset,
        help="model shape (assistant.workshop.training.architecture)",
    )
    p.add_argument("--minutes", type=float, default=d.minutes, help="training time of this run")
    p.add_argument(
        "--schedule-minutes",
        type=float,
        default=d.schedule_minutes,
        help="total training time the LR schedule spans (default: this run's)",
    )
    p.add_argument("--max-steps", type=int, default=d.max_steps)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--warmup-steps", type=int, default=d.warmup_steps)
    p.add_argument("--label-smoothing", type=float, default=d.label_smoothing)
    p.add_argument("--max-input", type=int, default=d.max_input)
    p.add_argument("--max-target", type=int, default=d.max_target)
    p.add_argument("--cold-share", type=float, default=d.cold_share)
    p.add_argument("--device", default=d.device, help="auto, cpu or cuda")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument(
        "--limit-train", type=int, default=d.limit_train, help="use only N training records"
    )
    p.add_argument("--save-every-minutes", type=float, default=d.save_every_minutes)
    p.add_argument(
        "--no-optimizer-state", action="store_true", help="save model only (smaller checkpoints)"
    )
    p.add_argument("--eval-examples", type=int, default=d.eval_examples)
    p.add_argument(
        "--minilm",
        type=Path,
        default=d.minilm,
        help="packed MiniLM: compute missing `similar` evidence first",
    )
    p.add_argument(
        "--similar-out",
        type=Path,
        default=d.similar_out,
        help="write the computed neighbour ids here (json.xz)",
    )
    p.add_argument("--log-every", type=int, default=d.log_every)
    p.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the training step (dynamic shapes; falls back to eager on error)",
    )
    p.add_argument(
        "--workers", type=int, default=d.workers, help="DataLoader processes (0: a thread)"
    )
    p.add_argument(
        "--similar-in",
        type=Path,
        default=d.similar_in,
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
        default=d.stop_at_seconds,
        help="also stop training this long after the process started (hard budget)",
    )
    return p


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    """Build a TrainConfig from the command line (``sys.argv`` when ``argv`` is None)."""
    return TrainConfig(**vars(argument_parser().parse_args(argv)))
