"""Tokenizer round trip, BLEU, and a few real training steps with checkpoint + resume."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from assistant.workshop.dataset.jsonl import write_jsonl
from assistant.workshop.evaluation.bleu import smoothed_bleu4
from assistant.workshop.evaluation.evaluate import evaluate_model, name_only_summary
from assistant.workshop.training.checkpoint import export_hf_folder, read_checkpoint
from assistant.workshop.training.config import TrainConfig, TrainResult, parse_args
from assistant.workshop.training.data import encode_batch, load_tokenizer
from assistant.workshop.training.tokenizer import train_tokenizer
from assistant.workshop.training.train import main as train_main
from assistant.workshop.training.train import train

VERBS = ["load", "save", "parse", "build", "read", "write", "find", "update"]
NOUNS = ["user", "config", "token", "record", "file", "cache", "query", "index"]


def _records(n: int = 80) -> list[dict]:
    rng = random.Random(0)
    rows = []
    for i in range(n):
        verb, noun = rng.choice(VERBS), rng.choice(NOUNS)
        package = f"pkg{i % 4}"
        rows.append(
            {
                "id": i,
                "package": package,
                "split": "valid" if package == "pkg3" else "train",
                "fold": i % 5,
                "path": f"{package}/m.py",
                "qualname": f"{verb}_{noun}_{i}",
                "name": f"{verb}_{noun}",
                "kind": "function",
                "raw_code": f"def {verb}_{noun}(path, key={i}):\n    return {noun}s[path][key]",
                "summary": f"{verb.title()} the {noun} stored under the given key.",
                "calls": [],
                "class_name": None,
                "class_summary": None,
                "module_summary": None,
                "similar": [(i + 4) % n],
                "callees": [],
                "etext": f"{verb} {noun}",
            }
        )
    return rows


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("train")
    rows = _records()
    write_jsonl(root / "examples.jsonl.xz", rows)
    texts = [r["raw_code"] for r in rows] + [r["summary"] for r in rows]
    train_tokenizer(texts * 3, 300, root / "tok")
    return root


def test_tokenizer_round_trip_and_transformers_parity(workspace: Path):
    from transformers import AutoTokenizer

    raw = load_tokenizer(workspace / "tok")
    text = "Load the user stored under the given key."
    ids = raw.encode(text).ids
    assert ids[-1] == raw.token_to_id("</s>")
    assert raw.decode(ids, skip_special_tokens=True) == text
    hf = AutoTokenizer.from_pretrained(str(workspace / "tok"))
    assert hf(text)["input_ids"] == ids
    batch = encode_batch(raw, ["def f(x): return x", "x"], [text, ""], 6, 4)
    assert batch["input_ids"].shape[1] <= 6 and batch["labels"].shape[1] <= 4
    assert (batch["labels"] == -100).any() and batch["attention_mask"].sum() > 0


def test_bleu_and_name_only_baseline():
    assert smoothed_bleu4(["Return the user name."], ["return the user name ."]) == 100.0
    assert 0 < smoothed_bleu4(["Return the user name."], ["Get user name."]) < 100
    assert smoothed_bleu4([], []) == 0.0
    assert name_only_summary("get_user_name") == "Get user name."
    assert name_only_summary("parseHTTPRequest") == "Parse http request."


@pytest.mark.slow
def test_train_resume_export_and_evaluate(workspace: Path):
    common = [
        "--data",
        str(workspace / "examples.jsonl.xz"),
        "--tokenizer",
        str(workspace / "tok"),
        "--preset",
        "tiny",
        "--batch-size",
        "8",
        "--device",
        "cpu",
        "--eval-examples",
        "8",
        "--warmup-steps",
        "2",
    ]
    first = workspace / "ckpt1"
    config = parse_args(common + ["--out", str(first), "--max-steps", "3"])
    result = train(config)  # the library entry; the resumed run below goes through main()
    assert isinstance(result, TrainResult) and result.step == 3
    _config, state = read_checkpoint(first)
    assert state["step"] == 3 and "optimizer" in state
    assert state["args"] == config.as_metadata()
    second = workspace / "ckpt2"
    assert (
        train_main(common + ["--out", str(second), "--resume", str(first), "--max-steps", "5"]) == 0
    )
    assert read_checkpoint(second)[1]["step"] == 5
    hf = export_hf_folder(second, workspace / "tok", workspace / "hf")
    assert json.loads((hf / "config.json").read_text())["num_decoder_layers"] == 1

    from assistant.engine import GenerationConfig, load_generator

    gen = load_generator(hf, backend="pytorch")
    records = json.loads(json.dumps(_records()))
    for r in records:
        r["code"] = r["raw_code"]
    report = evaluate_model(
        records,
        lambda p: gen.generate_texts(p, GenerationConfig(max_new_tokens=8)),
        split="valid",
        limit=6,
    )
    assert set(report.scores) == {"in-repo", "cold"}
    assert set(report.scores["in-repo"]) == {"model", "name-only", "retrieval-only"}
    assert report.scores["cold"]["retrieval-only"] < 1.0  # nothing to copy when cold


def test_train_surfaces_share_the_config_defaults():
    """The argparse entry and ``docgen model train`` build the same TrainConfig."""
    from docgen.workshop_cmds import train as train_command

    base = {"data": Path("d.jsonl.xz"), "tokenizer": Path("tok"), "out": Path("ckpt")}
    argv = ["--data", "d.jsonl.xz", "--tokenizer", "tok", "--out", "ckpt"]
    assert parse_args(argv) == TrainConfig(**base)
    for param in train_command.params:
        if param.name in TrainConfig.__dataclass_fields__ and param.name not in base:
            assert param.default == getattr(TrainConfig, param.name), param.name


def test_train_command_builds_the_config_and_prints_the_summary(
    workspace: Path, tmp_path: Path, monkeypatch
):
    from click.testing import CliRunner

    import assistant.workshop.training.train as train_module
    from docgen.workshop_cmds import train as train_command

    seen: list[TrainConfig] = []

    def fake_train(config: TrainConfig) -> TrainResult:
        seen.append(config)
        return TrainResult(3, 24, 1, 0.4, "cpu", 1000, {"bleu": 1.0}, {})

    monkeypatch.setattr(train_module, "train", fake_train)
    out = tmp_path / "ckpt"
    args = ["--data", str(workspace / "examples.jsonl.xz"), "--tokenizer", str(workspace / "tok")]
    args += ["--out", str(out), "--minutes", "2", "--max-steps", "3", "--device", "cpu"]
    result = CliRunner().invoke(train_command, args)
    assert result.exit_code == 0, result.output
    expected = TrainConfig(
        data=workspace / "examples.jsonl.xz",
        tokenizer=workspace / "tok",
        out=out,
        minutes=2.0,
        max_steps=3,
        device="cpu",
    )
    assert seen == [expected]
    assert json.loads(result.output.splitlines()[-1]) == {
        "step": 3,
        "examples": 24,
        "train_seconds": 1,
        "epochs": 0.4,
        "device": "cpu",
        "params": 1000,
        "full": {"bleu": 1.0},
        "cold": {},
    }


def test_eval_command_scores_baselines(workspace: Path, tmp_path: Path):
    from click.testing import CliRunner

    from docgen.workshop_cmds import evaluate

    out = tmp_path / "report.json"
    args = [
        "--data",
        str(workspace / "examples.jsonl.xz"),
        "--split",
        "valid",
        "--baselines-only",
        "--json",
        str(out),
    ]
    result = CliRunner().invoke(evaluate, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert (
        report["scores"]["in-repo"]["retrieval-only"] > report["scores"]["cold"]["retrieval-only"]
    )
    bad = CliRunner().invoke(
        evaluate,
        ["--data", str(workspace / "examples.jsonl.xz"), "--split", "nosuch", "--baselines-only"],
    )
    assert bad.exit_code == 2 and "neighbour evidence" in bad.output


@pytest.mark.slow
def test_compiled_training_saves_plain_weights(workspace: Path, capsys):
    """``--compile`` trains through torch.compile (about a minute to compile here) and
    saves the eager model's weights, which load and resume like any checkpoint."""
    out = workspace / "ckpt-compiled"
    args = ["--data", str(workspace / "examples.jsonl.xz"), "--tokenizer", str(workspace / "tok")]
    args += ["--preset", "tiny", "--batch-size", "8", "--device", "cpu", "--eval-examples", "4"]
    assert train_main(args + ["--out", str(out), "--max-steps", "3", "--compile"]) == 0
    assert "continuing eager" not in capsys.readouterr().out  # the compiled step really ran
    _config, state = read_checkpoint(out)
    assert state["step"] == 3
    from assistant.workshop.training.checkpoint import load_tensors

    assert not any("_orig_mod" in name for name in load_tensors(out, "model"))
    resumed = workspace / "ckpt-compiled-2"
    assert train_main(args + ["--out", str(resumed), "--resume", str(out), "--max-steps", "4"]) == 0


def test_evaluation_scores_the_product_from_beam_candidates():
    """``draft`` gives beams: ``model`` is the best beam, ``product`` refinement's choice
    (here the neighbours' summaries, adapted to each name, beat a useless model)."""
    records = json.loads(json.dumps(_records()))
    for r in records:
        r["code"] = r["raw_code"]
    calls = []

    def draft(prompts):
        calls.append(len(prompts))
        return [[("Return the the value value value.", -2.5), ("Do it now please.", -3.0)]] * len(
            prompts
        )

    report = evaluate_model(records, None, split="valid", limit=10, draft=draft)
    for situation in ("in-repo", "cold"):
        assert set(report.scores[situation]) == {"model", "product", "name-only", "retrieval-only"}
    in_repo = report.scores["in-repo"]
    assert in_repo["product"] > max(in_repo["model"], in_repo["retrieval-only"], 50.0)
    assert in_repo["product"] > report.scores["cold"]["product"]
    assert sum(calls) == 20 and report.samples["in-repo"][0]["product"]
