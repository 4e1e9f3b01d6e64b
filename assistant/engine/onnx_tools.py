"""The export steps (exporter side): ONNX graphs (ours or optimum's) and int8 quantization.

Each function reads one file (or a model folder) and writes a new file; the caller
(:mod:`assistant.engine.export`) chains them inside a temporary folder. The weights come
from :mod:`.weights` and the file names from :mod:`.layout`, not from a backend.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from pathlib import Path

from assistant.engine.layout import ONNX_PARTS
from assistant.engine.source import ModelSource
from assistant.engine.t5_graph import build_decoder_step, build_encoder, build_first_step, supports
from assistant.engine.types import ModelLoadError
from assistant.engine.weights import load_torch_model


@contextlib.contextmanager
def _quiet():
    """Silence the tracer warnings and prints the exporters emit (they are not actionable)."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(previous)


def export_onnx(source: ModelSource, out: Path, hand_built: bool = True) -> dict[str, str]:
    """Write the encoder, first decoder step and decoder-with-past to ``out`` (fp32).

    Where :func:`~assistant.engine.t5_graph.supports` the model, all three are our
    hand-built graphs (optimum's inputs and outputs, fused attention, a quarter of the
    nodes: see BENCHMARKS.md); otherwise, or with ``hand_built=False``, optimum exports them.

    Returns:
        Which builder wrote each part (``"docgen"`` or ``"optimum"``), for the manifest.

    Raises:
        ModelLoadError: The weights cannot be read or the export fails.
    """
    model = load_torch_model(source)
    if hand_built and supports(model):
        out.mkdir(parents=True, exist_ok=True)
        try:
            build_encoder(model, out / ONNX_PARTS["encoder"])
            build_first_step(model, out / ONNX_PARTS["decoder"])
            build_decoder_step(model, out / ONNX_PARTS["decoder_with_past"])
        except Exception as exc:  # a bug of ours for this model: say how to get around it
            raise ModelLoadError(
                f"Building the ONNX graphs of {source.model_id} failed "
                f"({type(exc).__name__}: {exc}). DOCGEN_EXPORT_GRAPHS=optimum exports "
                "optimum's graphs instead."
            ) from exc
        return dict.fromkeys(ONNX_PARTS, "docgen")
    _optimum_export(source, model, out)
    return dict.fromkeys(ONNX_PARTS, "optimum")


def _optimum_export(source: ModelSource, model, out: Path) -> None:
    from optimum.exporters.onnx import onnx_export_from_model

    try:
        with _quiet():
            onnx_export_from_model(
                model,
                out,
                task="text2text-generation-with-past",
                no_post_process=True,
                do_validation=False,
            )
    except Exception as exc:
        raise ModelLoadError(
            f"ONNX export of {source.model_id} failed ({type(exc).__name__}: {exc})."
        ) from exc


def quantize_onnx(path: Path, out: Path) -> Path:
    """Dynamic int8 quantization of every MatMul with constant weights (int8 weights,
    uint8 activations quantized at run time: the fast path on AVX-512 VNNI)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with _quiet():
        quantize_dynamic(
            path,
            out,
            weight_type=QuantType.QInt8,
            per_channel=False,
            extra_options={"MatMulConstBOnly": True},
        )
    return out
