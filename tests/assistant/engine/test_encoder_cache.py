"""The encoder cache: a prompt's encoded state is reused, bounded, and changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.engine import GenerationConfig
from assistant.engine.encoder_cache import EncodedPrompt, EncoderCache, prompt_key

PROMPTS = [
    "summarize: def add(a, b): return a + b",
    "summarize: def read_config(path): with open(path) as f: return json.load(f)",
    "x",
    "summarize: class Stack: def push(self, item): self.items.append(item)",
]


@pytest.fixture
def cached(onnx_fp32):
    """The tiny fp32 generator with a fresh encoder cache (removed afterwards)."""
    onnx_fp32.encoder_cache = EncoderCache(16)
    try:
        yield onnx_fp32
    finally:
        onnx_fp32.encoder_cache = None


def _ids(generator, prompts, config):
    return [
        [(s.tokens, s.score) for s in group] for group in generator.generate_ids(prompts, config)
    ]


def _same(a, b):
    assert len(a) == len(b)
    for group_a, group_b in zip(a, b, strict=True):
        assert [t for t, _ in group_a] == [t for t, _ in group_b]
        np.testing.assert_allclose([s for _, s in group_a], [s for _, s in group_b], atol=1e-4)


@pytest.mark.parametrize("beams", [1, 2, 4])
def test_same_tokens_with_and_without_the_cache(onnx_fp32, beams):
    config = GenerationConfig(max_new_tokens=12, num_beams=beams, num_return_sequences=beams)
    expected = _ids(onnx_fp32, PROMPTS, config)
    onnx_fp32.encoder_cache = EncoderCache(16)
    try:
        cold = _ids(onnx_fp32, PROMPTS, config)  # every prompt encoded and stored
        partly = _ids(onnx_fp32, [PROMPTS[1], "summarize: def new(): pass", PROMPTS[3]], config)
        warm = _ids(onnx_fp32, PROMPTS, config)  # every prompt from the cache
    finally:
        onnx_fp32.encoder_cache = None
    _same(cold, expected)
    _same(warm, expected)
    alone = _ids(onnx_fp32, ["summarize: def new(): pass"], config)
    _same(partly, [expected[1], alone[0], expected[3]])


def test_second_request_hits_and_counts_the_time_saved(cached):
    config = GenerationConfig(max_new_tokens=8, num_beams=2, num_return_sequences=2)
    cache = cached.encoder_cache
    cached.generate([PROMPTS[0]], GenerationConfig(max_new_tokens=8))  # a fast draft
    assert (cache.hits, cache.misses) == (0, 1)
    cached.generate([PROMPTS[0]], config)  # the accurate one on the same prompt
    assert (cache.hits, cache.misses) == (1, 1)
    stats = cache.stats()
    assert stats["hit_rate"] == 0.5 and stats["entries"] == 1
    assert stats["seconds_saved"] > 0


def test_keys_differ_by_model_and_tokens():
    assert prompt_key("a", [1, 2]) != prompt_key("b", [1, 2])
    assert prompt_key("a", [1, 2]) != prompt_key("a", [2, 1])
    assert prompt_key("a", [1, 2]) == prompt_key("a", [1, 2])


def _entry(length: int) -> EncodedPrompt:
    cross = [np.zeros((4, length, 64), dtype=np.float32) for _ in range(2)]
    return EncodedPrompt(length, np.zeros(100, np.float32), [np.zeros((4, 1, 64))], cross)


def test_least_recently_used_is_evicted_within_the_limit():
    size = _entry(100).nbytes
    cache = EncoderCache(max_mb=2.5 * size / 1024 / 1024)
    cache.put(b"a", _entry(100))
    cache.put(b"b", _entry(100))
    assert cache.get(b"a") is not None  # a is now more recent than b
    cache.put(b"c", _entry(100))
    assert cache.get(b"b") is None
    assert cache.get(b"a") is not None and cache.get(b"c") is not None
    assert cache.evictions == 1 and len(cache) == 2
    assert cache.nbytes <= cache.max_bytes


def test_an_entry_larger_than_the_limit_is_not_kept_and_zero_turns_it_off():
    cache = EncoderCache(max_mb=0.001)
    cache.put(b"a", _entry(100))
    assert len(cache) == 0 and cache.get(b"a") is None
    off = EncoderCache(max_mb=0)
    off.put(b"a", _entry(1))
    assert off.get(b"a") is None


def test_a_bounded_cache_stays_bounded_under_generation(onnx_fp32):
    onnx_fp32.encoder_cache = cache = EncoderCache(max_mb=0.05)
    try:
        for i in range(12):
            onnx_fp32.generate([f"summarize: def f{i}(x): return x * {i}"], GenerationConfig(4))
    finally:
        onnx_fp32.encoder_cache = None
    assert cache.nbytes <= cache.max_bytes
    assert cache.evictions > 0


def test_misses_are_encoded_in_runs_with_the_step_gate_before_each(cached, monkeypatch):
    """A bulk batch's encoder yields like its decoder steps: its prompts are encoded a
    token budget at a time, each run after the thread's step gate, same tokens."""
    import assistant.engine.onnx_backend as backend
    from assistant.engine.search import set_step_gate

    config = GenerationConfig(max_new_tokens=6, num_beams=2, num_return_sequences=2)
    cache, cached.encoder_cache = cached.encoder_cache, None
    expected = _ids(cached, PROMPTS, config)
    cached.encoder_cache = cache
    events: list[object] = []
    real = backend.encode_prompts

    def recording(sessions, sequences, *args):
        events.append(("encode", len(sequences)))
        return real(sessions, sequences, *args)

    monkeypatch.setattr(backend, "encode_prompts", recording)
    monkeypatch.setattr(backend, "ENCODE_CHUNK_TOKENS", 1)  # one prompt per run
    set_step_gate(lambda: events.append("gate"))
    try:
        got = _ids(cached, PROMPTS, config)
    finally:
        set_step_gate(None)
    _same(got, expected)
    assert events[: 2 * len(PROMPTS)] == ["gate", ("encode", 1)] * len(PROMPTS)
