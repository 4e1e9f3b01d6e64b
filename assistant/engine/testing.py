"""Tiny randomly initialised T5 models for tests and benchmarks (beside the layers).

Nothing here downloads anything: the tokenizer is trained in-process on generated
code-like strings and the model weights are random (``T5Config`` + a fixed seed).
The result is a Hugging Face format folder (``config.json``, ``model.safetensors``,
tokenizer files) that every loader of this package accepts, so other tests can
exercise the real code paths without network access. It imports nothing of ours.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from pathlib import Path

SPECIAL_TOKENS = ("<pad>", "</s>", "<unk>")
"""T5's special tokens, in T5's id order: pad=0, eos=1, unk=2."""

SAMPLE_PROMPTS = (
    "def get_user(path): return path.user",
    "function loadConfig(item) { return item[3]; }",
    "summarize: class ParserCache: return the list of tokens",
    "Read the file and return a new dict.",
    "def merge(a, b=None): return a.update(b)",
    "x",
)
"""A few varied code-like prompts for tests."""

_NAMES = (
    "user",
    "item",
    "path",
    "config",
    "value",
    "index",
    "count",
    "result",
    "data",
    "node",
    "token",
    "cache",
    "request",
    "response",
    "buffer",
    "symbol",
    "model",
    "batch",
    "query",
    "parser",
    "reader",
    "writer",
    "handler",
    "session",
    "options",
    "text",
    "line",
    "file",
)
_VERBS = (
    "get",
    "set",
    "load",
    "save",
    "parse",
    "build",
    "read",
    "write",
    "find",
    "update",
    "create",
    "delete",
    "compute",
    "validate",
    "render",
    "encode",
    "decode",
    "merge",
)
_WORDS = (
    "return",
    "the",
    "a",
    "of",
    "for",
    "given",
    "if",
    "none",
    "raise",
    "error",
    "list",
    "dict",
    "string",
    "number",
    "from",
    "to",
    "and",
    "with",
    "when",
    "empty",
    "new",
)


def code_corpus(size: int = 400, seed: int = 0) -> list[str]:
    """Return ``size`` deterministic code-like and docstring-like strings.

    Args:
        size: Number of strings.
        seed: Seed of the generator (same seed, same corpus).

    Returns:
        Strings mixing Python/JS signatures, bodies and short English summaries.
    """
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(size):
        verb, name, other = rng.choice(_VERBS), rng.choice(_NAMES), rng.choice(_NAMES)
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(3, 9)))
        kind = i % 4
        if kind == 0:
            out.append(f"def {verb}_{name}({other}, {name}=None): return {other}.{name}")
        elif kind == 1:
            out.append(f"function {verb}{name.title()}({other}) {{ return {other}[{i % 10}]; }}")
        elif kind == 2:
            out.append(f"summarize: class {name.title()}{other.title()}: {words}")
        else:
            out.append(f"{verb.title()} the {name} {words}.")
    return out


def _unigram_vocab(corpus: list[str], vocab_size: int) -> list[tuple[str, float]]:
    """Count pieces (characters, words, punctuation runs, each with and without the
    word-start marker) and score them by log frequency: a deterministic Unigram model.

    The ``tokenizers`` Unigram trainer breaks ties in hash order, so its ids change
    from run to run; counting keeps the same ids for the same corpus.
    """
    counts: Counter[str] = Counter()
    for text in corpus:
        for word in text.split():
            marked = "▁" + word
            counts.update(marked)
            for piece in re.findall(r"\w+|[^\w\s]+", word):
                counts[piece] += 1
            counts[marked] += 1
            head = re.match(r"\w+|[^\w\s]+", word)
            if head:
                counts["▁" + head.group(0)] += 1
    chars = sorted({p for p in counts if len(p) == 1})
    longer = sorted((p for p in counts if len(p) > 1), key=lambda p: (-counts[p], p))
    keep = chars + longer[: max(0, vocab_size - len(SPECIAL_TOKENS) - len(chars))]
    total = sum(counts[p] for p in keep)
    pieces = sorted(((p, math.log(counts[p] / total)) for p in keep), key=lambda x: (-x[1], x[0]))
    return [(t, 0.0) for t in SPECIAL_TOKENS] + pieces


def _train_tokenizer(vocab_size: int, extra_ids: int, seed: int):
    """Build a Unigram tokenizer offline and wrap it as a ``T5TokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from transformers import T5TokenizerFast

    vocab = _unigram_vocab(code_corpus(seed=seed), vocab_size)
    tok = Tokenizer(
        models.Unigram(vocab, unk_id=SPECIAL_TOKENS.index("<unk>"), byte_fallback=False)
    )
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    sentinels = [f"<extra_id_{i}>" for i in range(extra_ids)]
    return T5TokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_ids=0,
        additional_special_tokens=sentinels,
        model_max_length=512,
    )


def build_tiny_t5(
    folder: Path,
    *,
    d_model: int = 64,
    d_ff: int = 128,
    num_layers: int = 2,
    num_decoder_layers: int | None = None,
    num_heads: int = 4,
    d_kv: int | None = None,
    vocab_size: int = 600,
    extra_ids: int = 8,
    seed: int = 0,
    n_positions: int = 512,
    init_factor: float = 20.0,
    model_vocab_size: int | None = None,
) -> Path:
    """Build and save a tiny random T5 with its own offline-trained tokenizer.

    The folder is in Hugging Face format: ``config.json``, ``generation_config.json``,
    ``model.safetensors`` and the tokenizer files (``tokenizer.json`` plus its
    configuration). Same arguments, same weights and tokenizer.

    Args:
        folder: Destination folder (created; existing files are overwritten).
        d_model: Hidden size.
        d_ff: Feed-forward size.
        num_layers: Encoder layers.
        num_decoder_layers: Decoder layers (default: ``num_layers``).
        num_heads: Attention heads.
        d_kv: Size of each head (default: ``d_model // num_heads``).
        vocab_size: Target size of the trained Unigram vocabulary (before sentinels).
            The model's embedding matrix is sized to the final tokenizer.
        extra_ids: Number of ``<extra_id_N>`` sentinel tokens.
        seed: Seed for the weights and the tokenizer corpus.
        n_positions: Recorded maximum input length (``model_max_length``).
        init_factor: T5's ``initializer_factor``. The default (larger than T5's 1.0)
            makes greedy outputs vary from step to step instead of repeating one
            token, so parity tests compare meaningful sequences.
        model_vocab_size: Rows of the embedding matrix (default: the tokenizer's size);
            set 32100 for a model of CodeT5-small's shape. Ids past the tokenizer's
            vocabulary decode to nothing.

    Returns:
        ``folder``.
    """
    import torch
    from transformers import GenerationConfig, T5Config, T5ForConditionalGeneration

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer(vocab_size, extra_ids, seed)
    tokenizer.model_max_length = n_positions
    config = T5Config(
        vocab_size=max(model_vocab_size or 0, len(tokenizer)),
        d_model=d_model,
        d_ff=d_ff,
        d_kv=d_kv or d_model // num_heads,
        num_layers=num_layers,
        num_decoder_layers=num_decoder_layers or num_layers,
        num_heads=num_heads,
        n_positions=n_positions,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        feed_forward_proj="relu",
        tie_word_embeddings=True,
        initializer_factor=init_factor,
    )
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=0, eos_token_id=1, pad_token_id=0
    )
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder
