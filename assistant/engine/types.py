"""The engine's small interface (format layer): generation settings, hypotheses, errors, protocol.

Everything that drafts text (the pipeline, the LSP server, the batcher) depends on
these names only, never on a backend class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class EngineError(RuntimeError):
    """Base class of the engine's errors; the message says what to do next."""


class ModelLoadError(EngineError):
    """A model cannot be found, read or verified (names the file and the fix)."""


class BackendUnavailableError(EngineError):
    """An optional backend dependency is missing (names what to install)."""


@dataclass(frozen=True)
class GenerationConfig:
    """How many tokens to generate and how to search.

    Attributes:
        max_new_tokens: Upper bound on generated tokens (the EOS token included).
        min_new_tokens: EOS is forbidden until this many tokens were generated.
        num_beams: 1 is greedy search; more is beam search.
        num_return_sequences: Hypotheses returned per prompt (at most ``num_beams``).
        length_penalty: Beam score is ``sum_logprob / length ** length_penalty``.
        no_repeat_ngram_size: When > 0, no n-gram of this many tokens occurs twice in an
            output (as transformers' option of that name; 0 turns it off).
    """

    max_new_tokens: int = 48
    min_new_tokens: int = 0
    num_beams: int = 1
    num_return_sequences: int = 1
    length_penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")
        if not 0 <= self.min_new_tokens <= self.max_new_tokens:
            raise ValueError(
                f"min_new_tokens must be in [0, max_new_tokens={self.max_new_tokens}], "
                f"got {self.min_new_tokens}"
            )
        if self.num_beams < 1:
            raise ValueError(f"num_beams must be >= 1, got {self.num_beams}")
        if self.no_repeat_ngram_size < 0:
            raise ValueError(f"no_repeat_ngram_size must be >= 0, got {self.no_repeat_ngram_size}")
        if not 1 <= self.num_return_sequences <= self.num_beams:
            raise ValueError(
                f"num_return_sequences must be in [1, num_beams={self.num_beams}], "
                f"got {self.num_return_sequences}"
            )


@dataclass(frozen=True)
class Hypothesis:
    """One generated text.

    Attributes:
        text: Decoded text without special tokens.
        score: Length-normalised sequence log-probability
            (``sum of token log-probs / length ** length_penalty``); higher is better.
    """

    text: str
    score: float


@runtime_checkable
class TextGenerator(Protocol):
    """Prompts in, texts out. Implemented by every backend.

    Attributes:
        model_id: Where the model came from (folder path or hub id).
        max_input_tokens: Prompts are truncated to this many tokens, keeping the head.
    """

    model_id: str
    max_input_tokens: int

    def generate(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[list[Hypothesis]]:
        """Return ``num_return_sequences`` hypotheses per prompt, best first."""
        ...

    def generate_texts(
        self, prompts: list[str], config: GenerationConfig | None = None
    ) -> list[str]:
        """Return the best hypothesis' text for each prompt."""
        ...
