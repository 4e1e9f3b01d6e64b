"""The pipeline's configuration: :class:`PipelineSettings`, the style choices and the
pipeline version that is part of every cache key.

Re-exported by :mod:`assistant.pipeline`, the front ends' one public module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.cache import DEFAULT_SIZE_LIMIT
from assistant.engine.choice import CHOICES as ENGINE_PATHS
from assistant.styles import PYTHON_STYLE_NAMES
from indexer.config import ConfigError

STYLE_CHOICES = ("auto", *PYTHON_STYLE_NAMES)
DEFAULT_WRITE_FLOOR = 0.6
"""The confidence floor of bulk runs that write (``docgen generate --write`` and the
``docgen-fix`` hook) when ``min_confidence`` is not set: drafts below it are reported, not
written (listings, ``--diff`` and the hover still show them). Chosen from the calibration
on the validation packages (``benchmarks/calibration.py``, MODEL_CARD.md "Calibration"),
where drafts become acceptable: with the listwise ranker (14:22 UTC rerun) the mean
sentence BLEU-4 of a bin is 31-57 from 0.6 up, where 46-78 % of in-repo drafts pass the
acceptability proxy (68.9 % of all the drafts kept), below it at most 42 %; the earlier
ranker's table put the step at the same place. The confidence is the ranker's predicted
sentence BLEU-4 of the chosen summary / 50, so 0.6 is a predicted 30.
``min_confidence = 0`` writes every draft, as before the floor existed."""
PIPELINE_VERSION = 5
"""Bumped when refinement or rendering changes results; part of every cache key (3: cached
summaries carry their provenance; 4: a borrowed summary that cannot describe the
symbol is refused, and one the faithfulness check replaces by the name takes its confidence;
5: a summary left broken by removing an invented identifier is refused, and a borrowed
parameter line ends with a full stop before its default)."""


@dataclass
class PipelineSettings:
    """Everything that configures the pipeline; every field has a default.

    Attributes:
        model: T5 folder or hub id; None is the embedded default model.
        backend: ``onnx`` (production) or ``pytorch`` (reference).
        int8: Quantize ONNX exports to int8.
        engine_backend: The T5 engine's runtime path for ``backend = "onnx"``: ``auto``
            (chosen per CPU and cached, see ``docgen model info``) or one of
            ``onnx-int8``, ``onnx-fp32``, ``openvino-int8``, ``openvino-fp32``,
            ``openvino-bf16`` (OpenVINO paths need the ``openvino`` extra);
            ``DOCGEN_ENGINE_BACKEND`` overrides ``auto``.
        style: ``auto`` (the repository's majority), ``google``, ``numpy``, ``sphinx``,
            ``pep257``. Other languages always use their own doc comments.
        cache_dir: Output cache folder; None is the per-user cache folder.
        cache_size: Cache size limit in bytes.
        use_cache: Cache drafted results at all.
        max_context_tokens: Prompt budget (see :mod:`assistant.context`).
        top_k: Similar documented symbols retrieved per symbol.
        threads: Model intra-op threads (None: all cores).
        min_confidence: Results below this confidence are reported but never written (nor
            offered as edits); None (the default) is :data:`DEFAULT_WRITE_FLOOR`, 0 writes
            every draft. See :attr:`confidence_floor`.
        num_beams: Beam width; the beams are the candidates refinement chooses from.
        max_new_tokens: Longest summary in tokens.
        no_repeat_ngram_size: The model never repeats a run of this many tokens in a
            summary (0: off); stops the under-trained model's loops.
        batch_size: Prompts per model call in bulk runs.
        include_private: Also document ``_private`` symbols.
        include_magic: Also document dunder methods other than ``__init__``.
        include_nested: Also document functions nested in functions.
        include_init: Also document ``__init__`` methods.
        include_property_setters: Also document ``@x.setter`` / ``@x.deleter`` methods.
        include_module: Also draft module docstrings.
        include_stubs: Also document stubs: ``.pyi`` files and functions whose body is
            only ``...`` (protocol and abstract methods written that way included).
        exclude: Gitignore-style patterns of files to leave alone.
        max_file_bytes: Larger files are skipped.
        update_index: ``generate`` brings the index up to date first.
        corpus: Use the shipped cold-start corpus (:mod:`assistant.corpus`) for summary
            candidates and parameter descriptions; false drafts from the repository and
            the model only (``docgen generate --no-corpus``, ``corpus = false``).
    """

    model: str | None = None
    backend: str = "onnx"
    int8: bool = True
    engine_backend: str = "auto"
    style: str = "auto"
    cache_dir: Path | None = None
    cache_size: int = DEFAULT_SIZE_LIMIT
    use_cache: bool = True
    max_context_tokens: int = 400
    top_k: int = 3
    threads: int | None = None
    min_confidence: float | None = None
    num_beams: int = 4
    max_new_tokens: int = 32
    no_repeat_ngram_size: int = 3
    batch_size: int = 16
    include_private: bool = False
    include_magic: bool = False
    include_nested: bool = False
    include_init: bool = False
    include_property_setters: bool = False
    include_module: bool = False
    include_stubs: bool = False
    exclude: list[str] = field(default_factory=list)
    max_file_bytes: int = 1_000_000
    update_index: bool = True
    corpus: bool = True

    def __post_init__(self) -> None:
        if self.style not in STYLE_CHOICES:
            raise ConfigError(
                f"style must be one of {', '.join(STYLE_CHOICES)}, got {self.style!r}"
            )
        if self.backend not in ("onnx", "pytorch"):
            raise ConfigError(f"backend must be 'onnx' or 'pytorch', got {self.backend!r}")
        if self.engine_backend not in ENGINE_PATHS:
            raise ConfigError(
                f"engine_backend must be one of {', '.join(ENGINE_PATHS)}, "
                f"got {self.engine_backend!r}"
            )
        if self.min_confidence is not None and not 0.0 <= float(self.min_confidence) <= 1.0:
            raise ConfigError(f"min_confidence must be within 0..1, got {self.min_confidence}")
        for name in ("num_beams", "max_new_tokens", "batch_size", "max_context_tokens"):
            if int(getattr(self, name)) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if int(self.no_repeat_ngram_size) < 0:
            raise ConfigError(
                f"no_repeat_ngram_size must be >= 0 (0 turns it off), "
                f"got {self.no_repeat_ngram_size}"
            )
        if self.cache_dir is not None:
            self.cache_dir = Path(os.path.expanduser(str(self.cache_dir)))

    @classmethod
    def from_tool_config(cls, table: dict[str, Any]) -> PipelineSettings:
        """Build settings from ``[tool.docgen]`` (keys of other commands are ignored).

        Raises:
            ConfigError: A value has the wrong type or is out of range.
        """
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in table.items():
            name = {"cache_path": "cache_dir"}.get(key, key)
            if name not in known:
                continue
            default = known[name].default
            if name == "min_confidence":
                default = DEFAULT_WRITE_FLOOR  # None means "the default floor": still a number
            if isinstance(default, bool) and not isinstance(value, bool):
                raise ConfigError(f"[tool.docgen] {key} must be true or false, got {value!r}")
            if isinstance(default, int | float) and not isinstance(default, bool):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ConfigError(f"[tool.docgen] {key} must be a number, got {value!r}")
            if name == "exclude" and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise ConfigError(f"[tool.docgen] exclude must be a list of strings, got {value!r}")
            values[name] = value
        return cls(**values)

    @property
    def confidence_floor(self) -> float:
        """The confidence below which a draft is not written: ``min_confidence`` when set,
        else :data:`DEFAULT_WRITE_FLOOR`."""
        if self.min_confidence is None:
            return DEFAULT_WRITE_FLOOR
        return float(self.min_confidence)

    def output_settings(self) -> dict[str, Any]:
        """The settings that change a drafted result (part of the cache key)."""
        return {
            "beams": self.num_beams,
            "max_new_tokens": self.max_new_tokens,
            "no_repeat_ngram_size": self.no_repeat_ngram_size,
            "top_k": self.top_k,
            "max_context_tokens": self.max_context_tokens,
            "version": PIPELINE_VERSION,
        }
