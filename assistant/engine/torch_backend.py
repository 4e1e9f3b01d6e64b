"""The reference backend (runtime side): PyTorch via transformers' ``generate``.

Slow but obviously right; parity tests compare the ONNX backend against it. It reads
the Hugging Face folder itself (weights via :mod:`.weights`, tokenizer via :mod:`.codec`)
and never touches the exporter.
"""

from __future__ import annotations

import numpy as np

from assistant.engine.codec import PromptCodec, fast_tokenizer_folder
from assistant.engine.layout import tokenizer_cache
from assistant.engine.search import Sequence
from assistant.engine.source import ModelSource, check_hf_folder
from assistant.engine.types import GenerationConfig, Hypothesis, ModelLoadError
from assistant.engine.weights import load_torch_model


class TorchGenerator:
    """A T5 run by PyTorch eager through ``transformers.generate``.

    Args:
        source: A checked Hugging Face format folder.
        threads: torch intra-op threads (None: torch's default).
        max_input_tokens: Truncation length (keeps the head of long prompts).

    Attributes:
        model: The ``T5ForConditionalGeneration`` (eval mode); benchmarks adjust its
            ``generation_config``.
        codec: The :class:`~assistant.engine.codec.PromptCodec` shared with the ONNX path.
        model_id: What the model was loaded from, as reported.
        max_input_tokens: The truncation length in effect.
    """

    backend = "pytorch"

    def __init__(
        self, source: ModelSource, threads: int | None = None, max_input_tokens: int | None = None
    ) -> None:
        import torch

        if source.exported:
            raise ModelLoadError(
                f"{source.folder} is an ONNX export; load it with backend='onnx' or pass the "
                "original Hugging Face folder for the PyTorch backend."
            )
        check_hf_folder(source.folder)
        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.model = load_torch_model(source)
        tokenizer_folder = fast_tokenizer_folder(source.folder, tokenizer_cache())
        self.codec = PromptCodec(tokenizer_folder, max_input_tokens)
        self.model_id = source.model_id
        self.max_input_tokens = self.codec.max_input_tokens
        self._start_id = int(self.model.config.decoder_start_token_id or 0)

    def generate(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[list[Hypothesis]]:
        """Generate ``num_return_sequences`` hypotheses per prompt, best first.

        Prompts over ``max_input_tokens`` tokens are truncated, keeping their head.
        """
        return self.codec.hypotheses(self.generate_ids(prompts, config))

    def generate_ids(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[list[Sequence]]:
        """Like :meth:`generate` but return token ids (EOS included when produced)."""
        config = config or GenerationConfig()
        if not prompts:
            return []
        ids, mask = self.codec.encode(list(prompts))
        return self.generate_from_ids(ids, mask, config)

    def generate_from_ids(
        self, ids: np.ndarray, mask: np.ndarray, config: GenerationConfig
    ) -> list[list[Sequence]]:
        """Run ``transformers.generate`` on tokenized, right-padded inputs."""
        from transformers import GenerationConfig as HFGenerationConfig

        hf_config = HFGenerationConfig(
            max_new_tokens=config.max_new_tokens,
            min_new_tokens=config.min_new_tokens,
            num_beams=config.num_beams,
            num_return_sequences=config.num_return_sequences,
            length_penalty=config.length_penalty,
            no_repeat_ngram_size=config.no_repeat_ngram_size,
            do_sample=False,
            decoder_start_token_id=self._start_id,
            eos_token_id=self.codec.eos_id,
            pad_token_id=self.codec.pad_id,
        )
        with self._torch.inference_mode():
            out = self.model.generate(
                input_ids=self._torch.from_numpy(ids),
                attention_mask=self._torch.from_numpy(mask),
                generation_config=hf_config,
                output_scores=True,
                return_dict_in_generate=True,
            )
        sequences = out.sequences[:, 1:].numpy()  # drop the decoder start token
        scores = self._scores(out, sequences, config)
        n = config.num_return_sequences
        flat = [
            Sequence(_trim(seq, self.codec.eos_id), float(sc))
            for seq, sc in zip(sequences, scores, strict=True)
        ]
        return [flat[i * n : (i + 1) * n] for i in range(len(ids))]

    def _scores(self, out, sequences: np.ndarray, config: GenerationConfig) -> np.ndarray:
        """Beam: transformers' length-normalised scores; greedy: mean token log-prob."""
        if config.num_beams > 1:
            return out.sequences_scores.numpy()
        step_logprobs = [self._torch.log_softmax(s.float(), dim=-1).numpy() for s in out.scores]
        totals = np.zeros(len(sequences))
        for i, seq in enumerate(sequences):
            length = len(_trim(seq, self.codec.eos_id))
            totals[i] = sum(step_logprobs[t][i, seq[t]] for t in range(length)) / max(length, 1)
        return totals

    def generate_texts(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[str]:
        """Return the best text per prompt."""
        return [hyps[0].text for hyps in self.generate(prompts, config)]


def _trim(seq: np.ndarray, eos_id: int) -> list[int]:
    """Cut a generated row after its first EOS (kept), dropping the padding."""
    tokens = seq.tolist()
    return tokens[: tokens.index(eos_id) + 1] if eos_id in tokens else tokens
