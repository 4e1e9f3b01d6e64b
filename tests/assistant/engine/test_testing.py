"""The tiny-T5 builder other tests rely on."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.engine.testing import build_tiny_t5


def test_tiny_t5_folder_is_hugging_face_format(tiny_t5: Path) -> None:
    names = {p.name for p in tiny_t5.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names
    assert not any(name.endswith((".bin", ".pt", ".pkl")) for name in names)
    config = json.loads((tiny_t5 / "config.json").read_text())
    assert config["model_type"] == "t5"
    assert config["decoder_start_token_id"] == 0


def test_tiny_t5_tokenizer_follows_t5_conventions(tiny_t5: Path) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_t5)
    assert (tok.pad_token_id, tok.eos_token_id, tok.unk_token_id) == (0, 1, 2)
    ids = tok("def load_config(path): return path")["input_ids"]
    assert ids[-1] == tok.eos_token_id and len(ids) > 3
    assert tok.convert_tokens_to_ids("<extra_id_0>") not in (tok.unk_token_id, None)
    assert "load" in tok.decode(ids, skip_special_tokens=True)


def test_tiny_t5_is_deterministic_and_generates_varied_tokens(tiny_t5: Path, tmp_path: Path):
    import torch
    from transformers import AutoTokenizer, T5ForConditionalGeneration

    again = build_tiny_t5(tmp_path / "again")
    from safetensors.torch import load_file

    first = load_file(tiny_t5 / "model.safetensors")
    second = load_file(again / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)

    tok = AutoTokenizer.from_pretrained(tiny_t5)
    model = T5ForConditionalGeneration.from_pretrained(tiny_t5, use_safetensors=True)
    enc = tok(["def get_user(path): return path.user"], return_tensors="pt")
    out = model.generate(**enc, max_new_tokens=12, do_sample=False)[0].tolist()
    assert len(set(out[1:])) > 2  # not one token repeated
