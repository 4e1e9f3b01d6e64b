"""The T5 engine: load any T5, export it to ONNX, quantize it, generate fast, batch callers.

Public API (everything else is internal)::

    from assistant.engine import load_generator, GenerationConfig
    gen = load_generator("path/to/t5-folder")          # ONNX int8 by default
    gen.generate_texts(["summarize: def f(x): ..."])

Three layers, imports pointing down only (as in optimum: export is a separate step)::

    loading   load_generator: picks a backend and the engine path chosen for this CPU
              (choice), exports first when needed (sees both sides)
    runtime   onnx_backend, openvino_backend, torch_backend, choice, search, codec,
              batcher  (never imports the exporter)
    exporter  export, onnx_tools, t5_graph                          (never imports a backend)
    format    layout (export folder: files, manifest, checksums, caches), weights (torch
              weights), source (model argument -> folder), types (the interface)

``info`` (``docgen model info``) and ``testing`` (tiny T5s) sit on the format layer too.
Heavy modules (torch, transformers, onnxruntime) are imported only when a name that needs
them is first used, so ``import assistant.engine`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.engine.types import (
    BackendUnavailableError,
    EngineError,
    GenerationConfig,
    Hypothesis,
    ModelLoadError,
    TextGenerator,
)

if TYPE_CHECKING:
    from assistant.engine.batcher import BULK_NICE, DynamicBatcher, Priority, lower_thread_priority
    from assistant.engine.export import export_model
    from assistant.engine.layout import DEFAULT_MODEL_DIR
    from assistant.engine.loading import load_generator

__all__ = [
    "BULK_NICE",
    "DEFAULT_MODEL_DIR",
    "BackendUnavailableError",
    "DynamicBatcher",
    "EngineError",
    "GenerationConfig",
    "Hypothesis",
    "ModelLoadError",
    "Priority",
    "TextGenerator",
    "export_model",
    "load_generator",
    "lower_thread_priority",
]

_LAZY = {
    "BULK_NICE": "assistant.engine.batcher",
    "lower_thread_priority": "assistant.engine.batcher",
    "DynamicBatcher": "assistant.engine.batcher",
    "Priority": "assistant.engine.batcher",
    "export_model": "assistant.engine.export",
    "load_generator": "assistant.engine.loading",
    "DEFAULT_MODEL_DIR": "assistant.engine.layout",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
