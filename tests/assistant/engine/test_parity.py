"""ONNX backend against the PyTorch reference on a tiny random T5."""

from __future__ import annotations

import pytest

from assistant.engine import GenerationConfig
from assistant.engine.testing import SAMPLE_PROMPTS

PROMPTS = list(SAMPLE_PROMPTS)


def test_onnx_fp32_greedy_equals_pytorch_token_for_token(torch_gen, onnx_fp32) -> None:
    config = GenerationConfig(max_new_tokens=20)
    expected = torch_gen.generate_ids(PROMPTS, config)
    got = onnx_fp32.generate_ids(PROMPTS, config)
    for want, have in zip(expected, got, strict=True):
        assert have[0].tokens == want[0].tokens
        assert have[0].score == pytest.approx(want[0].score, abs=1e-4)
    assert len({tuple(r[0].tokens) for r in got}) > 1  # prompts lead to different outputs


def test_greedy_respects_min_and_max_new_tokens(torch_gen, onnx_fp32) -> None:
    config = GenerationConfig(max_new_tokens=12, min_new_tokens=12)
    for gen in (torch_gen, onnx_fp32):
        assert all(len(r[0].tokens) == 12 for r in gen.generate_ids(PROMPTS, config))
    got = [r[0].tokens for r in onnx_fp32.generate_ids(PROMPTS, config)]
    assert got == [r[0].tokens for r in torch_gen.generate_ids(PROMPTS, config)]


def test_onnx_beam_search_matches_transformers(torch_gen, onnx_fp32) -> None:
    config = GenerationConfig(max_new_tokens=10, num_beams=4, num_return_sequences=2)
    expected = torch_gen.generate(PROMPTS[:3], config)
    got = onnx_fp32.generate(PROMPTS[:3], config)
    for want, have in zip(expected, got, strict=True):
        assert [h.text for h in have] == [h.text for h in want]
        assert [h.score for h in have] == pytest.approx([h.score for h in want], abs=1e-4)
        assert have[0].score >= have[1].score


def test_int8_agreement_rate_is_reported_and_high(calm_fp32, onnx_int8) -> None:
    config = GenerationConfig(max_new_tokens=16, min_new_tokens=16)
    expected = calm_fp32.generate_ids(PROMPTS, config)
    got = onnx_int8.generate_ids(PROMPTS, config)
    total = agree = exact = 0
    for want, have in zip(expected, got, strict=True):
        a, b = want[0].tokens, have[0].tokens
        prefix = next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y), len(a))
        agree, total, exact = agree + prefix, total + len(a), exact + (a == b)
    rate = agree / total  # tokens before the first difference (contexts diverge after it)
    print(
        f"int8 vs fp32 greedy: {rate:.1%} of {total} tokens agree before the first "
        f"difference; {exact}/{len(PROMPTS)} sequences identical"
    )
    assert rate >= 0.9


def test_int8_first_step_logits_track_fp32(calm_fp32, onnx_int8) -> None:
    import numpy as np

    from assistant.engine.onnx_backend import OrtStepper

    ids, mask = calm_fp32.codec.encode(PROMPTS)
    start = np.zeros(len(PROMPTS), dtype=np.int64)
    ref = OrtStepper(calm_fp32.sessions, ids, mask).step(start)
    q = OrtStepper(onnx_int8.sessions, ids, mask).step(start)
    cosine = (ref * q).sum(-1) / (np.linalg.norm(ref, axis=-1) * np.linalg.norm(q, axis=-1))
    top1 = float((ref.argmax(-1) == q.argmax(-1)).mean())
    print(f"int8 first-step logits: cosine min {cosine.min():.4f}, top-1 agreement {top1:.0%}")
    assert cosine.min() > 0.99 and top1 >= 5 / 6


def test_dropping_finished_rows_keeps_the_other_rows_answers(onnx_fp32) -> None:
    import numpy as np

    from assistant.engine.onnx_backend import OrtStepper
    from assistant.engine.search import greedy_search

    config = GenerationConfig(max_new_tokens=10)
    ids, mask = onnx_fp32.codec.encode(PROMPTS)
    eos = onnx_fp32.codec.eos_id
    expected = greedy_search(OrtStepper(onnx_fp32.sessions, ids, mask), len(ids), config, 0, eos)

    class StopEarly:
        """Real stepper; rows 0, 2 and 3 are made to emit EOS at step 2."""

        def __init__(self, inner) -> None:
            self.inner, self.rows, self.t = inner, np.arange(len(ids)), 0

        def step(self, tokens):
            logits = self.inner.step(tokens)
            if self.t == 2:
                logits[np.isin(self.rows, [0, 2, 3]), eos] = np.inf
            self.t += 1
            return logits

        def reorder(self, rows):
            self.inner.reorder(rows)

        def keep(self, rows):
            self.rows = self.rows[rows]
            self.inner.keep(rows)

    stepper = StopEarly(OrtStepper(onnx_fp32.sessions, ids, mask))
    got = greedy_search(stepper, len(ids), config, 0, eos)
    assert len(stepper.rows) == len(ids) - 3  # the finished rows were dropped
    for row in range(len(ids)):
        if row in (0, 2, 3):
            assert got[row].tokens == [*expected[row].tokens[:2], eos]
        else:
            assert got[row].tokens == expected[row].tokens


@pytest.mark.parametrize("beams", [1, 4])
def test_no_repeat_ngram_blocking_matches_transformers(torch_gen, onnx_fp32, beams) -> None:
    """Same tokens as transformers' ``no_repeat_ngram_size``, and no repeated trigram."""
    config = GenerationConfig(
        max_new_tokens=24, min_new_tokens=24, num_beams=beams, no_repeat_ngram_size=3
    )
    expected = torch_gen.generate_ids(PROMPTS[:4], config)
    got = onnx_fp32.generate_ids(PROMPTS[:4], config)
    for want, have in zip(expected, got, strict=True):
        assert have[0].tokens == want[0].tokens
        tokens = have[0].tokens
        trigrams = [tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)]
        assert len(trigrams) == len(set(trigrams))
    loose = onnx_fp32.generate_ids(
        PROMPTS[:4], GenerationConfig(max_new_tokens=24, min_new_tokens=24)
    )
    assert any(
        len({tuple(r[0].tokens[i : i + 3]) for i in range(22)}) < 22 for r in loose
    )  # without the option this tiny model does repeat itself: the check can fail


def test_ban_repeated_ngrams_unit() -> None:
    import numpy as np

    from assistant.engine.search import ban_repeated_ngrams

    logits = np.zeros((2, 10), dtype=np.float32)
    generated = np.array([[5, 6, 7, 5], [1, 2, 3, 4]])  # after the start token 0
    ban_repeated_ngrams(logits, generated, 2, start_id=0)
    assert np.isinf(logits[0, 6]) and np.isfinite(logits[0]).sum() == 9  # "5 6" seen
    assert np.isfinite(logits[1]).all()
    with pytest.raises(ValueError, match="no_repeat_ngram_size"):
        GenerationConfig(no_repeat_ngram_size=-1)
