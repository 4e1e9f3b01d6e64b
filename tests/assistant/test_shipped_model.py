"""The shipped drafting model: present, within budget, loads offline and drafts a summary."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO

SHIPPED = REPO / "assistant" / "models" / "docgen-t5"


def test_shipped_model_is_complete_and_small():
    assert (SHIPPED / "tokenizer.json").is_file()
    assert (SHIPPED / "MODEL_CARD.md").is_file()
    info = json.loads((SHIPPED / "docgen_model.json").read_text())
    from assistant.prompt import PROMPT_VERSION

    assert info["prompt_version"] == PROMPT_VERSION
    total = sum(p.stat().st_size for p in SHIPPED.rglob("*") if p.is_file())
    assert total <= 40_000_000


@pytest.fixture(scope="module")
def generator():
    from assistant.engine import load_generator

    return load_generator(None, backend="onnx", threads=1)


def test_shipped_model_drafts_summaries_offline(generator, monkeypatch):
    from assistant.engine import GenerationConfig
    from assistant.prompt import Evidence, build_prompt

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = "def read_json(path):\n    with open(path) as fh:\n        return json.load(fh)"
    cold = build_prompt(code)
    warm = build_prompt(
        code, Evidence(similar=[("read_yaml", "Read a YAML file and return its data.")])
    )
    texts = generator.generate_texts([cold, warm], GenerationConfig(max_new_tokens=32))
    # quality is measured by benchmarks/model_quality.py; here: real words come out
    for text in texts:
        words = text.split()
        assert 3 <= len(words) <= 32 and text.isascii()
        assert sum(w.isalpha() for w in words) >= len(words) // 2
