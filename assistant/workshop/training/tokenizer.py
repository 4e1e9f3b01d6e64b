"""Train the drafting model's tokenizer: SentencePiece-style Unigram on code and summaries.

Built with the ``tokenizers`` library (Unigram model, NFKC, Metaspace pre-tokenizer, the
T5 special tokens pad=0, eos=1, unk=2) and saved as a ``T5TokenizerFast`` folder, so
transformers, optimum and the engine load it like any T5 tokenizer.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL_TOKENS = ("<pad>", "</s>", "<unk>")
EXTRA_IDS = 0
MAX_INPUT_TOKENS = 512
"""Recorded ``model_max_length``; prompts of the default budget stay well below it."""


def train_tokenizer(
    texts: Iterable[str], vocab_size: int, out_dir: Path | None = None, kind: str = "unigram"
):
    """Train a Unigram (or BPE) tokenizer and wrap it as a ``T5TokenizerFast``.

    Args:
        texts: Training text (prompts and summaries).
        vocab_size: Target vocabulary size, special tokens included.
        out_dir: When given, the tokenizer is saved there (Hugging Face format).
        kind: ``unigram`` (SentencePiece's algorithm) or ``bpe`` (much faster to train
            on a busy machine; byte fallback, so nothing maps to ``<unk>``).

    Returns:
        The ``transformers.T5TokenizerFast``.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from tokenizers.processors import TemplateProcessing
    from transformers import T5TokenizerFast

    if kind == "bpe":
        tok = Tokenizer(models.BPE(unk_token="<unk>", byte_fallback=True))
    else:
        tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Replace(Regex(r"\s+"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
            pre_tokenizers.Digits(individual_digits=True),
        ]
    )
    meta = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    if kind == "bpe":
        tok.decoder = decoders.Sequence([decoders.ByteFallback(), meta])
        byte_tokens = [f"<0x{i:02X}>" for i in range(256)]
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            special_tokens=list(SPECIAL_TOKENS) + byte_tokens,
            max_token_length=16,
            show_progress=False,
        )
    else:
        tok.decoder = meta
        trainer = trainers.UnigramTrainer(
            vocab_size=vocab_size,
            special_tokens=list(SPECIAL_TOKENS),
            unk_token="<unk>",
            max_piece_length=16,
            show_progress=False,
        )
    tok.train_from_iterator(texts, trainer=trainer)
    if kind == "bpe":
        tok = _bytes_as_pieces(tok)
    tok.post_processor = TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    tokenizer = T5TokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_ids=EXTRA_IDS,
        model_max_length=MAX_INPUT_TOKENS,
    )
    if out_dir is not None:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        tokenizer.save_pretrained(str(out_dir))
    return tokenizer


def _bytes_as_pieces(tok):
    """Keep the ``<0xNN>`` byte tokens as ordinary vocabulary pieces, not special tokens.

    The trainer registers them as special (added) tokens, which decoding with
    ``skip_special_tokens`` would drop; as plain pieces ``ByteFallback`` decodes them.
    Ids do not change.
    """
    import json

    from tokenizers import Tokenizer

    data = json.loads(tok.to_str())
    data["added_tokens"] = [t for t in data["added_tokens"] if not t["content"].startswith("<0x")]
    return Tokenizer.from_str(json.dumps(data))


def tokens_per_char(tokenizer, texts: list[str]) -> float:
    """Return the average number of tokens per character over ``texts`` (lower is better)."""
    ids = tokenizer(texts, add_special_tokens=False)["input_ids"]
    chars = sum(len(t) for t in texts) or 1
    return sum(len(i) for i in ids) / chars


def corpus_texts(examples: Path, split: str, limit: int, seed: int = 0) -> list[str]:
    """Return prompts (no retrieval evidence) and summaries of ``split`` records, sampled."""
    import random

    from assistant.workshop.training.data import load_examples, prompt_for

    records = [r for r in load_examples(examples) if r["split"] == split]
    by_id = {r["id"]: r for r in records}
    random.Random(seed).shuffle(records)
    records = records[:limit]
    return [prompt_for(r, by_id, "nosimilar") for r in records] + [r["summary"] for r in records]


def main(argv: list[str] | None = None) -> int:
    """Train tokenizers of several sizes, report tokens/char, save the chosen size.

    ``python -m assistant.workshop.training.tokenizer EXAMPLES OUT --sizes 8000 12000 16000
    --keep 16000 --kind bpe`` (sizes are measured on validation prompts and summaries).
    """
    import argparse
    import json
    import time

    p = argparse.ArgumentParser(description="Train the drafting model's tokenizer.")
    p.add_argument("examples", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--sizes", type=int, nargs="+", default=[8000, 12000, 16000])
    p.add_argument("--keep", type=int, default=16000)
    p.add_argument("--limit", type=int, default=25000, help="training records sampled")
    p.add_argument("--kind", choices=["unigram", "bpe"], default="bpe")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    texts = corpus_texts(args.examples, "train", args.limit)
    valid = corpus_texts(args.examples, "valid", 2000, seed=1)
    prompts, summaries = valid[: len(valid) // 2], valid[len(valid) // 2 :]
    report = {}
    for size in sorted(set(args.sizes) | {args.keep}):
        started = time.monotonic()
        out = args.out if size == args.keep else None
        tok = train_tokenizer(texts, size, out, kind=args.kind)
        report[size] = {
            "train_s": round(time.monotonic() - started, 1),
            "prompt_tokens_per_char": round(tokens_per_char(tok, prompts), 4),
            "summary_tokens_per_char": round(tokens_per_char(tok, summaries), 4),
            "mean_prompt_tokens": round(
                tokens_per_char(tok, prompts) * sum(map(len, prompts)) / max(1, len(prompts)), 1
            ),
        }
        print(size, report[size], flush=True)
    (args.out / "tokenizer_report.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
