"""Hand-built encoder and decoder-step graphs against optimum's graphs of the same model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest

from assistant.engine import ModelLoadError, export_model
from assistant.engine.layout import MANIFEST_NAME, verify_export


def _session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module", params=["relu-tied", "gated-gelu-untied"])
def graph_pair(request, tiny_t5: Path, tmp_path_factory) -> tuple[Path, Path, int]:
    """(optimum's fp32 export folder, folder with ours, number of layers)."""
    from optimum.exporters.onnx import onnx_export_from_model

    from assistant.engine.onnx_tools import _quiet
    from assistant.engine.source import resolve_model
    from assistant.engine.t5_graph import (
        build_decoder_step,
        build_encoder,
        build_first_step,
        supports,
    )
    from assistant.engine.weights import load_torch_model

    if request.param == "relu-tied":
        model = load_torch_model(resolve_model(tiny_t5, None))
    else:  # T5 v1.1 / flan-t5 style: gated gelu_new, separate lm_head, other bias range
        import torch
        from transformers import T5Config, T5ForConditionalGeneration

        torch.manual_seed(0)
        config = T5Config(
            vocab_size=96, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_heads=4,
            feed_forward_proj="gated-gelu", tie_word_embeddings=False,
            relative_attention_max_distance=20, decoder_start_token_id=0,
        )  # fmt: skip
        model = T5ForConditionalGeneration(config).eval()
    assert supports(model)
    work = tmp_path_factory.mktemp(request.param)
    with _quiet():
        onnx_export_from_model(model, work / "optimum", task="text2text-generation-with-past")
    (work / "ours").mkdir()
    build_encoder(model, work / "ours" / "encoder_model.onnx")
    build_decoder_step(model, work / "ours" / "decoder_with_past_model.onnx")
    build_first_step(model, work / "ours" / "decoder_model.onnx")
    return work / "optimum", work / "ours", model.config.num_decoder_layers


def test_encoder_equals_optimums_with_padding_and_long_inputs(graph_pair) -> None:
    optimum, ours, _ = graph_pair
    a, b = _session(optimum / "encoder_model.onnx"), _session(ours / "encoder_model.onnx")
    rng = np.random.default_rng(0)
    for batch, length in ((3, 9), (2, 150), (1, 1)):  # 150: past the bias table's range
        feeds = {
            "input_ids": rng.integers(3, 90, (batch, length)),
            "attention_mask": np.ones((batch, length), np.int64),
        }
        feeds["attention_mask"][-1, length // 2 + 1 :] = 0 if batch > 1 else 1
        want, got = a.run(None, feeds)[0], b.run(None, feeds)[0]
        keep = feeds["attention_mask"][..., None].astype(bool)  # padded rows are don't-care
        scale = np.abs(want).max()
        np.testing.assert_allclose(got * keep, want * keep, atol=1e-5 * scale, rtol=0)


def test_decoder_step_equals_optimums_over_many_past_lengths(graph_pair) -> None:
    optimum, ours, layers = graph_pair
    a = _session(optimum / "decoder_with_past_model.onnx")
    b = _session(ours / "decoder_with_past_model.onnx")
    assert [i.name for i in b.get_inputs()] == [i.name for i in a.get_inputs()]
    assert [o.name for o in b.get_outputs()] == [o.name for o in a.get_outputs()]
    rng = np.random.default_rng(1)
    heads, head_dim = a.get_inputs()[2].shape[1], a.get_inputs()[2].shape[3]
    for batch, past, enc in ((2, 1, 7), (3, 5, 12), (1, 140, 4)):  # 140: beyond max distance
        feeds = {
            "input_ids": rng.integers(3, 90, (batch, 1)),
            "encoder_attention_mask": np.ones((batch, enc), np.int64),
        }
        feeds["encoder_attention_mask"][0, enc // 2 :] = 0 if batch > 1 else 1
        for i in range(layers):
            for kind, length in (("decoder", past), ("encoder", enc)):
                for kv in ("key", "value"):
                    shape = (batch, heads, length, head_dim)
                    feeds[f"past_key_values.{i}.{kind}.{kv}"] = rng.standard_normal(
                        shape, dtype=np.float32
                    )
        want, got = a.run(None, feeds), b.run(None, feeds)
        for w, g in zip(want, got, strict=True):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, atol=1e-5 * np.abs(w).max(), rtol=0)


def test_first_step_equals_optimums_and_projects_the_cross_attention_kv(graph_pair) -> None:
    optimum, ours, _ = graph_pair
    a, b = _session(optimum / "decoder_model.onnx"), _session(ours / "decoder_model.onnx")
    assert [i.name for i in b.get_inputs()] == [i.name for i in a.get_inputs()]
    assert [o.name for o in b.get_outputs()] == [o.name for o in a.get_outputs()]
    rng = np.random.default_rng(2)
    width = a.get_inputs()[2].shape[2]
    for batch, enc in ((3, 10), (1, 1)):
        feeds = {
            "encoder_attention_mask": np.ones((batch, enc), np.int64),
            "input_ids": rng.integers(0, 90, (batch, 1)),
            "encoder_hidden_states": rng.standard_normal((batch, enc, width), dtype=np.float32),
        }
        feeds["encoder_attention_mask"][0, enc // 2 :] = 0 if batch > 1 else 1
        for w, g in zip(a.run(None, feeds), b.run(None, feeds), strict=True):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w, atol=1e-5 * np.abs(w).max(), rtol=0)


def test_exports_use_the_hand_built_graphs(onnx_int8, calm_t5: Path) -> None:
    folder = export_model(calm_t5, int8=True)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["settings"]["format"] == 2
    assert manifest["graphs"] == dict.fromkeys(
        ("encoder", "decoder", "decoder_with_past"), "docgen"
    )
    step = onnx.load(folder / "decoder_with_past_model.onnx").graph.node
    ops = [n.op_type for n in step]
    assert ops.count("MultiHeadAttention") == 2 * 2  # self + cross per layer (2 layers)
    assert "Concat" not in ops and "ScatterND" not in ops and len(ops) < 120


def test_older_export_format_still_loads_and_unknown_formats_do_not(
    onnx_fp32, tiny_t5: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "old"
    shutil.copytree(export_model(tiny_t5, int8=False), folder)
    manifest_path = folder / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text())
    manifest["settings"]["format"] = 1  # e.g. a model shipped before the hand-built graphs
    manifest_path.write_text(json.dumps(manifest))
    assert verify_export(folder)["settings"]["format"] == 1
    manifest["settings"]["format"] = 99
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(ModelLoadError, match="export format 99"):
        verify_export(folder)


def test_optimum_graphs_can_be_asked_for_and_give_the_same_texts(
    onnx_fp32, tiny_t5: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.engine import GenerationConfig, load_generator
    from assistant.engine.testing import SAMPLE_PROMPTS

    monkeypatch.setenv("DOCGEN_EXPORT_GRAPHS", "optimum")
    folder = export_model(tiny_t5, int8=False)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["settings"]["graphs"] == "optimum"  # part of the cache key
    assert set(manifest["graphs"].values()) == {"optimum"}
    assert folder != onnx_fp32.folder
    config = GenerationConfig(max_new_tokens=12)
    got = load_generator(folder, threads=1).generate_ids(list(SAMPLE_PROMPTS), config)
    assert got == onnx_fp32.generate_ids(list(SAMPLE_PROMPTS), config)
