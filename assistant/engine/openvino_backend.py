"""OpenVINO runtime for our ONNX exports (runtime side; the optional ``openvino`` extra).

OpenVINO's CPU plugin reads the export's three ONNX graphs as they are (our hand-built
graphs included: it maps onnxruntime's ``MultiHeadAttention`` and friends to its own ops)
and compiles them for the CPU it runs on: fp32, or bf16 on CPUs that compute it natively
(AMX, AVX-512 BF16; ``INFERENCE_PRECISION_HINT``). :class:`OvSessions` has the interface of
:class:`~assistant.engine.onnx_backend.OrtSessions` that the stepper uses (``run_encoder``,
``run_decoder``, ``num_layers``), so :class:`~assistant.engine.onnx_backend.OnnxGenerator`
drives either unchanged (same search, batching, encoder cache). Nothing here imports
onnxruntime or the exporter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.engine.layout import ONNX_PARTS, verify_export
from assistant.engine.types import ModelLoadError
from indexer.extras import require

PRECISIONS = ("f32", "bf16")


class OvSessions:
    """The three graphs of an export compiled by OpenVINO for this CPU.

    Args:
        folder: An export folder (verified against its manifest's checksums).
        threads: Inference threads (None: OpenVINO's default, all cores).
        precision: ``"f32"`` or ``"bf16"`` (activations and weights in bf16 where the
            plugin supports it; OpenVINO keeps softmax and norms accurate).
        config: Extra compile properties (e.g. ``{"KV_CACHE_PRECISION": "u8"}``).

    Raises:
        MissingExtra: ``openvino`` is not installed.
        ModelLoadError: A graph cannot be compiled (the message names it).
    """

    def __init__(
        self,
        folder: Path,
        threads: int | None = None,
        precision: str = "f32",
        config: dict | None = None,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        ov = require("openvino", "the OpenVINO engine path", "openvino")
        self.manifest = verify_export(folder)
        self.precision = precision
        properties = {
            "INFERENCE_PRECISION_HINT": precision,
            "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": 1,
            "ENABLE_CPU_PINNING": False,  # shared machines: do not pin threads to cores
            **(config or {}),
        }
        if threads:
            properties["INFERENCE_NUM_THREADS"] = int(threads)
        core = ov.Core()
        parts = {**ONNX_PARTS, **self.manifest.get("onnx", {})}
        self.compiled = {}
        self.requests = {}
        for part, name in parts.items():
            try:
                compiled = core.compile_model(str(folder / name), "CPU", properties)
            except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
                raise ModelLoadError(
                    f"{folder / name} cannot be compiled by OpenVINO ({exc}). "
                    "Use engine_backend = 'onnx-int8'."
                ) from exc
            self.compiled[part] = compiled
            self.requests[part] = compiled.create_infer_request()
        inputs = [i.get_any_name() for i in self.compiled["decoder_with_past"].inputs]
        self.past_names = [name for name in inputs if "past" in name]
        self.num_layers = len(self.past_names) // 4

    def run_encoder(self, feeds: dict) -> np.ndarray:
        """The encoder's hidden states (float32)."""
        result = self.requests["encoder"].infer(feeds)
        return np.asarray(result[self.compiled["encoder"].outputs[0]], dtype=np.float32)

    def run_decoder(self, first: bool, feeds: dict) -> list[np.ndarray]:
        """One decoder call; outputs in the graph's order as float32 numpy arrays (copies:
        the request's own buffers are reused by the next call)."""
        part = "decoder" if first else "decoder_with_past"
        feeds = {k: v if isinstance(v, np.ndarray) else np.asarray(v) for k, v in feeds.items()}
        result = self.requests[part].infer(feeds)
        return [np.asarray(result[out]) for out in self.compiled[part].outputs]
