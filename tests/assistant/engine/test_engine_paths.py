"""Every path the engine can choose, built by the loader: parity with PyTorch fp32 greedy
(fp32: token for token; bf16 and int8: agreement reported), the choice record, fallback."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from assistant.engine import GenerationConfig, load_generator
from assistant.engine.choice import REASON_CALIBRATED, REASON_FLAGS, REASON_OVERRIDE
from assistant.engine.encoder_cache import EncoderCache
from assistant.engine.testing import SAMPLE_PROMPTS
from indexer.cpuinfo import CHOICE_FILE

PROMPTS = list(SAMPLE_PROMPTS)
ZEN4_FLAGS = "avx2 fma avx512f avx512bw avx512vl avx512_vnni avx512_bf16"
VNNI_FLAGS = "avx2 fma avx512f avx512bw avx512vl avx512_vnni"


def _agreement(expected, got) -> tuple[float, int]:
    total = agree = exact = 0
    for want, have in zip(expected, got, strict=True):
        a, b = want[0].tokens, have[0].tokens
        prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
        agree, total, exact = agree + prefix, total + len(a), exact + (a == b)
    return agree / total, exact


@pytest.fixture(scope="module")
def calm_torch(calm_t5: Path):
    return load_generator(calm_t5, backend="pytorch", threads=1)


def test_openvino_fp32_greedy_equals_pytorch_token_for_token(tiny_t5: Path, torch_gen) -> None:
    pytest.importorskip("openvino")
    gen = load_generator(tiny_t5, threads=1, engine_backend="openvino-fp32")
    assert gen.path == "openvino-fp32" and gen.choice["reason"] == REASON_OVERRIDE
    config = GenerationConfig(max_new_tokens=20)
    expected = torch_gen.generate_ids(PROMPTS, config)
    got = gen.generate_ids(PROMPTS, config)
    for want, have in zip(expected, got, strict=True):
        assert have[0].tokens == want[0].tokens
        assert have[0].score == pytest.approx(want[0].score, abs=1e-3)
    beams = GenerationConfig(max_new_tokens=8, num_beams=3, num_return_sequences=2)
    assert [[h.text for h in r] for r in gen.generate(PROMPTS[:3], beams)] == [
        [h.text for h in r] for r in torch_gen.generate(PROMPTS[:3], beams)
    ]


@pytest.mark.parametrize("path", ["openvino-bf16", "openvino-int8", "onnx-int8"])
def test_reduced_precision_paths_agree_with_pytorch_fp32(calm_t5: Path, calm_torch, path) -> None:
    if path.startswith("openvino"):
        pytest.importorskip("openvino")
    gen = load_generator(calm_t5, threads=1, engine_backend=path)
    assert gen.path == path
    config = GenerationConfig(max_new_tokens=16, min_new_tokens=16)
    rate, exact = _agreement(
        calm_torch.generate_ids(PROMPTS, config), gen.generate_ids(PROMPTS, config)
    )
    print(f"{path} vs PyTorch fp32 greedy: {rate:.1%} agree; {exact}/{len(PROMPTS)} identical")
    assert rate >= 0.9


def test_openvino_path_serves_the_encoder_cache_alike(tiny_t5: Path) -> None:
    pytest.importorskip("openvino")
    gen = load_generator(tiny_t5, threads=1, engine_backend="openvino-fp32")
    config = GenerationConfig(max_new_tokens=10)
    plain = gen.generate_texts(PROMPTS, config)
    gen.encoder_cache = EncoderCache(16)
    assert gen.generate_texts(PROMPTS, config) == plain
    assert gen.generate_texts(PROMPTS, config) == plain  # now from the cache


def test_auto_on_a_vnni_only_cpu_takes_ort_int8_by_flags(tiny_t5: Path, monkeypatch) -> None:
    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Intel Xeon Gold 6248")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", VNNI_FLAGS)
    gen = load_generator(tiny_t5, threads=1)
    assert gen.path == "onnx-int8"
    assert gen.choice["reason"] == REASON_FLAGS and gen.choice["candidates"] == ["onnx-int8"]


def test_auto_calibrates_once_per_cpu_and_model_then_reads_the_cache(
    tiny_t5: Path, cache_root: Path, monkeypatch
) -> None:
    pytest.importorskip("openvino")
    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Test CPU with avx512_bf16 (calibration test)")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", ZEN4_FLAGS)
    first = load_generator(tiny_t5, threads=1)
    assert first.choice["reason"] == REASON_CALIBRATED
    measured = first.choice["measured_ms"]
    assert set(measured) == {"onnx-int8", "openvino-bf16"}
    assert all(isinstance(ms, float) for ms in measured.values())
    assert first.path in measured
    stored = json.loads((cache_root / CHOICE_FILE).read_text())
    again = load_generator(tiny_t5, threads=1)
    assert again.choice == first.choice  # read back, not measured again
    assert json.loads((cache_root / CHOICE_FILE).read_text()) == stored


def test_missing_openvino_is_skipped_silently_on_auto(tiny_t5: Path, monkeypatch, caplog) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if the extra were not installed
    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Intel Xeon Platinum 8488C")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", ZEN4_FLAGS + " amx_tile amx_int8 amx_bf16")
    with caplog.at_level(logging.INFO, logger="assistant.engine"):
        gen = load_generator(tiny_t5, threads=1)
    assert gen.path == "onnx-int8" and gen.choice["candidates"] == ["onnx-int8"]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_an_unavailable_chosen_path_falls_back_to_ort_int8_with_one_message(
    tiny_t5: Path, monkeypatch, caplog
) -> None:
    monkeypatch.setitem(sys.modules, "openvino", None)
    with caplog.at_level(logging.WARNING, logger="assistant.engine"):
        gen = load_generator(tiny_t5, threads=1, engine_backend="openvino-bf16")
    assert gen.path == "onnx-int8"
    assert "fell back" in gen.choice["reason"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "openvino" in warnings[0]
    assert gen.generate_texts(PROMPTS[:2], GenerationConfig(max_new_tokens=4))


def test_unknown_engine_backend_is_a_clear_error(tiny_t5: Path) -> None:
    with pytest.raises(ValueError, match="engine_backend must be one of"):
        load_generator(tiny_t5, engine_backend="cuda")


def test_a_ready_export_runs_on_its_own_graphs(tiny_t5: Path, monkeypatch, caplog) -> None:
    from assistant.engine import export_model

    int8_export = export_model(tiny_t5, int8=True)
    fp32_export = export_model(tiny_t5, int8=False)
    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Intel Xeon Gold 6248 (ready exports)")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", VNNI_FLAGS)
    assert load_generator(fp32_export, threads=1).path == "onnx-fp32"
    assert load_generator(int8_export, threads=1).path == "onnx-int8"
    with caplog.at_level(logging.WARNING, logger="assistant.engine"):
        gen = load_generator(int8_export, threads=1, engine_backend="openvino-bf16")
    assert gen.path == "onnx-int8" and "int8 graphs only" in gen.choice["reason"]
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
