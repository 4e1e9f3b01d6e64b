"""Prompts to token ids and back (runtime side), with the ``tokenizers`` library only.

Both backends use this codec, so they see the same ids and decode the same way, and
the ONNX path starts without importing torch or transformers (only converting a slow
tokenizer, :func:`fast_tokenizer_folder`, needs transformers). The exporter uses that
conversion too.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.engine.source import folder_fingerprint
from assistant.engine.types import Hypothesis, ModelLoadError
from indexer.extras import require

if TYPE_CHECKING:
    from assistant.engine.search import Sequence

DEFAULT_MAX_INPUT_TOKENS = 512


class PromptCodec:
    """Encode prompts (truncated, padded) and decode generated ids.

    Args:
        folder: A folder with ``tokenizer.json`` (and optionally ``tokenizer_config.json``).
        max_input_tokens: Truncation length; default from ``model_max_length`` in
            ``tokenizer_config.json`` (capped at 4096), else 512.

    Raises:
        ModelLoadError: ``tokenizer.json`` is missing or unreadable.
    """

    def __init__(self, folder: Path, max_input_tokens: int | None = None) -> None:
        from tokenizers import Tokenizer

        path = folder / "tokenizer.json"
        if not path.is_file():
            raise ModelLoadError(
                f"{path} is missing. Re-export the model (`docgen model export`) or save a "
                "fast tokenizer next to it with `tokenizer.save_pretrained(folder)`."
            )
        try:
            self._tok = Tokenizer.from_file(str(path))
        except Exception as exc:  # the Rust side raises plain Exception subclasses
            raise ModelLoadError(
                f"{path} is corrupt ({exc}). Restore it from the original model."
            ) from exc
        settings = {
            **_read_tokenizer_config(folder / "special_tokens_map.json"),
            **_read_tokenizer_config(folder / "tokenizer_config.json"),
        }
        self.max_input_tokens = max_input_tokens or _max_length(settings)
        self._cleanup = bool(settings.get("clean_up_tokenization_spaces", False))
        self.pad_id = self._id(settings.get("pad_token", "<pad>"), 0)
        self.eos_id = self._id(settings.get("eos_token", "</s>"), 1)
        self._tok.no_padding()
        self._tok.enable_truncation(max_length=self.max_input_tokens)
        # asking the tokenizer builds its whole vocabulary map (~2 ms, holding the
        # interpreter lock): once here, not once per decoded batch
        self.vocab_size = self._tok.get_vocab_size(with_added_tokens=True)

    def _id(self, token: object, default: int) -> int:
        if isinstance(token, dict):  # AddedToken serialised as a dict
            token = token.get("content")
        found = self._tok.token_to_id(token) if isinstance(token, str) else None
        return default if found is None else int(found)

    def encode(self, prompts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Tokenize ``prompts`` into right-padded ``(input_ids, attention_mask)`` int64.

        A prompt longer than ``max_input_tokens`` keeps its head (the first tokens) and
        still ends with EOS; an empty prompt becomes EOS alone.
        """
        return self.pad(self.tokenize(prompts))

    def tokenize(self, prompts: list[str]) -> list[list[int]]:
        """Token ids of each prompt, truncated as :meth:`encode` does, unpadded."""
        encodings = self._tok.encode_batch([p if isinstance(p, str) else str(p) for p in prompts])
        return [enc.ids or [self.eos_id] for enc in encodings]

    def pad(self, sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Right-pad token id lists into ``(input_ids, attention_mask)`` int64 arrays."""
        width = max((len(seq) for seq in sequences), default=1)
        ids = np.full((len(sequences), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(sequences), width), dtype=np.int64)
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        return ids, mask

    def decode(self, sequences: list[list[int]]) -> list[str]:
        """Decode generated ids, dropping special tokens and ids outside the vocabulary."""
        size = self.vocab_size
        clean = [[t for t in seq if 0 <= t < size] for seq in sequences]
        texts = self._tok.decode_batch(clean, skip_special_tokens=True)
        return [_clean_up(t) if self._cleanup else t for t in texts]

    def hypotheses(self, results: list[list[Sequence]]) -> list[list[Hypothesis]]:
        """Decode every backend's search results (one group per prompt) in one batch."""
        flat = [seq for group in results for seq in group]
        texts = iter(self.decode([s.tokens for s in flat]))
        return [[Hypothesis(next(texts), s.score) for s in group] for group in results]


def fast_tokenizer_folder(folder: Path, cache_dir: Path) -> Path:
    """Return a folder with ``tokenizer.json`` for the model in ``folder``.

    ``folder`` itself when it has one; otherwise its slow tokenizer (sentencepiece or
    vocab/merges files) is converted once with transformers (never remote code) and
    saved under ``cache_dir``, keyed by the folder's files.

    Raises:
        ModelLoadError: The tokenizer cannot be read or converted.
    """
    if (folder / "tokenizer.json").is_file():
        return folder
    key = hashlib.sha256(f"{folder.resolve()}\0{folder_fingerprint(folder)}".encode()).hexdigest()
    target = cache_dir / key[:16]
    if (target / "tokenizer.json").is_file():
        return target
    AutoTokenizer = require(  # noqa: N806 - the class, as transformers names it
        "transformers", f"converting the slow tokenizer of {folder}", "export"
    ).AutoTokenizer
    try:
        tok = AutoTokenizer.from_pretrained(folder, use_fast=True, trust_remote_code=False)
    except Exception as exc:  # transformers raises many kinds for unreadable tokenizers
        raise ModelLoadError(
            f"Cannot read the tokenizer in {folder} ({exc}). Save a fast tokenizer "
            "(tokenizer.json) next to the model with `tokenizer.save_pretrained(folder)`."
        ) from exc
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=cache_dir))
    try:
        tok.save_pretrained(tmp)
        if not (tmp / "tokenizer.json").is_file():
            raise ModelLoadError(f"The tokenizer in {folder} has no fast version to convert to.")
        try:
            os.replace(tmp, target)
        except OSError:  # another process converted it first
            if not (target / "tokenizer.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _read_tokenizer_config(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path} cannot be read ({exc}). Restore it.") from exc
    return data if isinstance(data, dict) else {}


def _max_length(settings: dict) -> int:
    value = settings.get("model_max_length")
    if isinstance(value, int | float) and 0 < value <= 4096:
        return int(value)
    return DEFAULT_MAX_INPUT_TOKENS


def _clean_up(text: str) -> str:
    """transformers' ``clean_up_tokenization``: drop spaces before punctuation."""
    for before, after in (
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"),
        (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ):  # fmt: skip
        text = text.replace(before, after)
    return text
