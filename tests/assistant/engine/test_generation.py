"""Loading and generating through the public interface, including bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.engine import (
    GenerationConfig,
    Hypothesis,
    ModelLoadError,
    TextGenerator,
    load_generator,
)
from assistant.engine.testing import SAMPLE_PROMPTS

PROMPTS = list(SAMPLE_PROMPTS)


def test_generators_implement_the_interface(torch_gen, onnx_fp32, onnx_int8) -> None:
    for gen in (torch_gen, onnx_fp32, onnx_int8):
        assert isinstance(gen, TextGenerator)
        assert gen.max_input_tokens == 512
        texts = gen.generate_texts(PROMPTS[:2], GenerationConfig(max_new_tokens=5))
        assert len(texts) == 2 and all(isinstance(t, str) for t in texts)


def test_generate_returns_num_return_sequences_best_first(onnx_fp32) -> None:
    config = GenerationConfig(max_new_tokens=6, num_beams=3, num_return_sequences=3)
    results = onnx_fp32.generate(PROMPTS[:2], config)
    assert [len(r) for r in results] == [3, 3]
    for hyps in results:
        assert all(isinstance(h, Hypothesis) for h in hyps)
        assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)


def test_empty_prompt_and_empty_batch(onnx_fp32, torch_gen) -> None:
    config = GenerationConfig(max_new_tokens=4)
    for gen in (onnx_fp32, torch_gen):
        assert gen.generate([], config) == []
        (hyps,) = gen.generate([""], config)
        assert isinstance(hyps[0].text, str)


def test_overlong_prompt_keeps_its_head(onnx_fp32) -> None:
    head = "def get_user(path): return path.user "
    long_prompt = head + "item " * 5000
    ids, mask = onnx_fp32.codec.encode([long_prompt])
    assert ids.shape[1] == onnx_fp32.max_input_tokens
    assert ids[0, -1] == onnx_fp32.codec.eos_id
    head_ids, _ = onnx_fp32.codec.encode([head])
    n = head_ids.shape[1] - 3  # the last head tokens may merge with what follows
    assert ids[0, :n].tolist() == head_ids[0, :n].tolist()
    assert len(onnx_fp32.generate_texts([long_prompt], GenerationConfig(max_new_tokens=3))) == 1


def test_out_of_vocabulary_ids_decode_to_nothing(onnx_fp32) -> None:
    assert onnx_fp32.codec.decode([[10**6, -1]]) == [""]


def test_invalid_generation_configs_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_new_tokens"):
        GenerationConfig(max_new_tokens=0)
    with pytest.raises(ValueError, match="min_new_tokens"):
        GenerationConfig(max_new_tokens=4, min_new_tokens=5)
    with pytest.raises(ValueError, match="num_return_sequences"):
        GenerationConfig(num_beams=2, num_return_sequences=3)


def test_missing_folder_and_missing_files_name_the_file(tiny_t5: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_generator(tmp_path / "nowhere")
    for name in ("config.json", "model.safetensors", "tokenizer.json"):
        broken = tmp_path / f"no-{name}"
        shutil.copytree(tiny_t5, broken)
        (broken / name).unlink()
        with pytest.raises(ModelLoadError, match=name.replace(".", r"\.")):
            load_generator(broken, backend="pytorch")


def test_corrupt_files_name_the_file(tiny_t5: Path, tmp_path: Path) -> None:
    broken = tmp_path / "truncated"
    shutil.copytree(tiny_t5, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ModelLoadError, match="model.safetensors.*corrupt"):
        load_generator(broken)
    bad_config = tmp_path / "bad-config"
    shutil.copytree(tiny_t5, bad_config)
    (bad_config / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="config.json"):
        load_generator(bad_config, backend="pytorch")


def test_pickle_weights_are_refused(tiny_t5: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pickled"
    shutil.copytree(tiny_t5, folder)
    (folder / "model.safetensors").rename(folder / "pytorch_model.bin")
    with pytest.raises(ModelLoadError, match="pytorch_model.bin.*pickle"):
        load_generator(folder, backend="pytorch")


def test_unreachable_hub_id_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="Cannot fetch 'no-such-org/no-such-model'"):
        load_generator("no-such-org/no-such-model")


def test_default_model_missing_names_the_folder(monkeypatch, tmp_path: Path) -> None:
    import assistant.engine.loading as loading

    monkeypatch.setattr(loading, "DEFAULT_MODEL_DIR", tmp_path / "docgen-t5")
    with pytest.raises(ModelLoadError, match="docgen-t5"):
        load_generator(None)


def test_unknown_backend_is_rejected(tiny_t5: Path) -> None:
    with pytest.raises(ValueError, match="backend"):
        load_generator(tiny_t5, backend="tensorflow")


def test_long_prompt_lists_are_length_bucketed_in_input_order(onnx_fp32) -> None:
    config = GenerationConfig(max_new_tokens=6)
    prompts = [p * (1 + i % 3) for i, p in enumerate(PROMPTS)]
    whole = onnx_fp32.generate_ids(prompts, config)
    onnx_fp32.max_batch_size = 2
    try:
        bucketed = onnx_fp32.generate_ids(prompts, config)
    finally:
        onnx_fp32.max_batch_size = 16
    assert [r[0].tokens for r in bucketed] == [r[0].tokens for r in whole]


def test_codet5_style_slow_bpe_tokenizer_is_converted_once(tiny_t5: Path, tmp_path: Path):
    """CodeT5 ships a RoBERTa-style BPE tokenizer (vocab.json + merges.txt), no
    tokenizer.json: both backends convert it (no remote code) and cache the result."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizerFast

    from assistant.engine.testing import code_corpus

    folder = tmp_path / "codet5-like"
    shutil.copytree(tiny_t5, folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        (folder / name).unlink()
    bpe = ByteLevelBPETokenizer()
    specials = ["<pad>", "<s>", "</s>", "<unk>", "<mask>"]
    bpe.train_from_iterator(code_corpus(), vocab_size=400, special_tokens=specials)
    bpe.save_model(str(folder))  # vocab.json + merges.txt only
    slow = RobertaTokenizerFast(
        vocab_file=str(folder / "vocab.json"), merges_file=str(folder / "merges.txt")
    )
    slow.save_pretrained(folder)
    (folder / "tokenizer.json").unlink()
    gen = load_generator(folder, backend="pytorch", threads=1)
    assert gen.codec.eos_id == 2 and gen.codec.pad_id == 0
    ids, _ = gen.codec.encode(["def f(x): return x"])
    assert ids[0, 0] == 1 and ids[0, -1] == 2  # <s> ... </s>, as CodeT5 encodes
    config = GenerationConfig(max_new_tokens=5)
    onnx = load_generator(folder, int8=False, threads=1)
    prompts = ["def f(x): return x", "load the config"]
    assert onnx.generate_texts(prompts, config) == gen.generate_texts(prompts, config)
    assert not (folder / "tokenizer.json").exists()  # the model folder is never written to
