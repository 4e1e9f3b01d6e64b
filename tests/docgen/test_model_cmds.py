"""``docgen model export`` and ``docgen model info`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.engine.layout import MANIFEST_NAME
from docgen import main


def test_export_prints_the_folder_and_info_describes_it(tiny_t5: Path, tmp_path, capsys):
    out = tmp_path / "exported"
    assert main(["model", "export", str(tiny_t5), "--fp32", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert (out / MANIFEST_NAME).is_file()
    assert main(["model", "info", str(out), "--json"]) == 0
    details = json.loads(capsys.readouterr().out)
    assert details["status"] == "ok"
    assert details["settings"]["int8"] is False
    assert details["architecture"]["d_model"] == 64
    assert main(["model", "info", str(tiny_t5)]) == 0
    text = capsys.readouterr().out
    assert "huggingface (safetensors)" in text and "model.safetensors" in text


def test_export_of_missing_model_is_a_clear_error(tmp_path, capsys) -> None:
    assert main(["model", "export", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_info_reports_a_broken_folder(tiny_t5: Path, tmp_path, capsys) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_t5, broken)
    (broken / "tokenizer.json").unlink()
    assert main(["model", "info", str(broken), "--json"]) == 0
    details = json.loads(capsys.readouterr().out)
    assert details["status"].startswith("unusable") and "tokenizer" in details["status"]


def test_model_group_offers_training_and_evaluation(capsys):
    assert main(["model", "--help"]) == 0
    listed = capsys.readouterr().out
    for command in ("export", "info", "train", "eval"):
        assert f"  {command} " in listed
