"""Architecture of the drafting T5: the model presets, sized for CPU latency.

A deeper encoder reads the prompt once; a shallow decoder runs once per output token,
so it dominates latency and is kept to two layers.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"d_model": 64, "d_ff": 128, "num_layers": 2, "num_decoder_layers": 1, "num_heads": 2},
    "small": {
        "d_model": 256,
        "d_ff": 1024,
        "num_layers": 5,
        "num_decoder_layers": 2,
        "num_heads": 4,
    },
    "base": {
        "d_model": 384,
        "d_ff": 1536,
        "num_layers": 6,
        "num_decoder_layers": 2,
        "num_heads": 6,
    },
}


def t5_config_dict(preset: str, vocab_size: int) -> dict[str, Any]:
    """Return ``T5Config`` keyword arguments of a preset for a tokenizer of ``vocab_size``."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
    shape = dict(PRESETS[preset])
    return {
        **shape,
        "vocab_size": vocab_size,
        "d_kv": shape["d_model"] // shape["num_heads"],
        "dropout_rate": 0.1,
        "feed_forward_proj": "relu",
        "relative_attention_num_buckets": 32,
        "relative_attention_max_distance": 128,
        "tie_word_embeddings": True,
        "pad_token_id": 0,
        "eos_token_id": 1,
        "decoder_start_token_id": 0,
        "n_positions": 512,
    }


def build_model(config_kwargs: dict[str, Any]):
    """Build a randomly initialised ``T5ForConditionalGeneration`` from config kwargs."""
    from transformers import T5Config, T5ForConditionalGeneration

    return T5ForConditionalGeneration(T5Config(**config_kwargs))


def count_parameters(model) -> int:
    """Return the number of distinct parameters (tied weights counted once)."""
    seen: set[int] = set()
    total = 0
    for param in model.parameters():
        if id(param) not in seen:
            seen.add(id(param))
            total += param.numel()
    return total
