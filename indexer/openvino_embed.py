"""The MiniLM transformer on OpenVINO (the ``[openvino]`` extra), in fp32 or bf16.

OpenVINO reads the fp32 ONNX file directly. ``bf16`` asks its CPU plugin for bfloat16
matrix products (``INFERENCE_PRECISION_HINT``), which CPUs with AVX-512 BF16 or AMX run
natively; elsewhere the plugin would emulate them, so :mod:`indexer.embed_choice` offers
bf16 only on those CPUs. Each stream runs one batch on one thread, like
:class:`indexer.onnx_embed.OrtRunner`. Only this module imports ``openvino``.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from indexer.extras import require

PRECISIONS = {"fp32": "f32", "bf16": "bf16"}


def available() -> bool:
    """Whether the ``openvino`` package can be imported (without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec("openvino") is not None
    except (ImportError, ValueError):  # a broken install, or the import blocked
        return False


class OpenVinoRunner:
    """A compiled OpenVINO model; one infer request per calling thread.

    Args:
        path: The fp32 ONNX file.
        precision: ``fp32`` or ``bf16``.
        workers: Streams (batches in flight at once), one thread each.
        cache_dir: Where OpenVINO keeps the compiled model, so a fresh process (``docgen
            index`` after one change) loads it instead of compiling again.

    Raises:
        MissingExtra: ``openvino`` is not installed.
    """

    def __init__(
        self, path: Path, precision: str = "fp32", workers: int = 1, cache_dir: Path | None = None
    ) -> None:
        ov = require("openvino", f"the embedding backend 'openvino-{precision}'", "openvino")
        core = ov.Core()
        model = core.read_model(str(path))
        config = {
            "INFERENCE_PRECISION_HINT": PRECISIONS[precision],
            "PERFORMANCE_HINT": "THROUGHPUT",
            "NUM_STREAMS": str(workers),
            "INFERENCE_NUM_THREADS": str(workers),
            "ENABLE_CPU_PINNING": "NO",  # the parse thread and other processes share the cores
        }
        if cache_dir is not None:
            config["CACHE_DIR"] = str(cache_dir)
        self.compiled = core.compile_model(model, "CPU", config)
        self.input_names = {port.get_any_name() for port in self.compiled.inputs}
        self.dim = int(self.compiled.outputs[0].get_partial_shape()[-1].get_length())
        self._local = threading.local()
        # One run on this thread first: the bindings set up their numpy bridge on first
        # use, and two threads doing that at once deadlock (seen with two batches in flight).
        ids = np.array([[101, 102]], dtype=np.int64)
        self({"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": 0 * ids})

    def __call__(self, feed: dict[str, np.ndarray]) -> np.ndarray:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        request.infer({k: v for k, v in feed.items() if k in self.input_names})
        return np.array(request.get_output_tensor(0).data, dtype=np.float32, copy=True)
