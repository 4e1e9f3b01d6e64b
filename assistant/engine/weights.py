"""Loading a T5's PyTorch weights (format layer, shared by the PyTorch backend and the exporter).

Safetensors only, never remote code: the reference backend (:mod:`.torch_backend`) runs
the model it returns and the exporter (:mod:`.onnx_tools`) converts it, so neither side
imports the other for it. transformers is imported only when a model is loaded.
"""

from __future__ import annotations

from assistant.engine.source import ModelSource
from assistant.engine.types import ModelLoadError


def load_torch_model(source: ModelSource):
    """Load ``T5ForConditionalGeneration`` from safetensors only, never remote code.

    Raises:
        ModelLoadError: The weights cannot be read (names the file).
    """
    from transformers import T5ForConditionalGeneration

    try:
        model = T5ForConditionalGeneration.from_pretrained(
            source.folder, use_safetensors=True, trust_remote_code=False
        )
    except Exception as exc:  # safetensors/transformers raise many kinds
        raise ModelLoadError(
            f"Cannot load the weights in {source.folder / 'model.safetensors'} "
            f"({type(exc).__name__}: {exc}). Re-download or re-save the model."
        ) from exc
    return model.eval()
