"""Which runtime path the T5 engine takes on this CPU, and why (no backend imported here).

A path is a backend plus a precision (:data:`PATHS`). :func:`candidates` lists the paths
worth trying on a CPU, by the instruction sets it reports (:class:`indexer.cpuinfo.CpuInfo`)
and by what is installed; :func:`choose` picks one: an override (argument,
``DOCGEN_ENGINE_BACKEND``) wins; else a choice cached for this CPU and model
(:class:`indexer.cpuinfo.ChoiceCache`, engine ``"t5"``); else, when the CPU has more than one
candidate and a calibration function is given, a short timed run of each, cached; else the
flags' prior. The loader (:mod:`.loading`) builds the chosen path and falls back to
``onnx-int8`` with one log message when it cannot.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.cpuinfo import ChoiceCache, CpuInfo, detect

ENGINE = "t5"
ENV = "DOCGEN_ENGINE_BACKEND"
AUTO = "auto"
DEFAULT_PATH = "onnx-int8"
PATHS = {
    "onnx-int8": ("onnx", "int8", "f32"),
    "onnx-fp32": ("onnx", "fp32", "f32"),
    "openvino-int8": ("openvino", "int8", "f32"),
    "openvino-fp32": ("openvino", "fp32", "f32"),
    "openvino-bf16": ("openvino", "fp32", "bf16"),
}
"""Path name -> (runtime, which export's graphs, compute precision)."""
CHOICES = (AUTO, *PATHS)
"""Values of the ``engine_backend`` setting."""
MARGIN = 0.9
"""Calibration keeps ``onnx-int8`` unless another path takes under this share of its time."""

REASON_OVERRIDE = "override"
REASON_CALIBRATED = "calibrated on this CPU"
REASON_FLAGS = "by CPU flags (no calibration yet)"

_log = logging.getLogger("assistant.engine")

Calibrate = Callable[[str], float]
"""Times one path on the model (ms, lower is better); raises when the path cannot run."""


@dataclass(frozen=True)
class Choice:
    """The path taken and why, as ``docgen model info`` shows it.

    Attributes:
        chosen: A key of :data:`PATHS`.
        reason: :data:`REASON_OVERRIDE`, :data:`REASON_CALIBRATED` or :data:`REASON_FLAGS`
            (with ``"; fell back: ..."`` appended by the loader when the path failed).
        cpu: :meth:`CpuInfo.describe` of the CPU it was chosen for.
        candidates: The paths considered on that CPU.
        measured_ms: Calibration times by path (empty when not calibrated); a path that
            failed to run has its error text instead.
    """

    chosen: str
    reason: str
    cpu: dict
    candidates: tuple[str, ...]
    measured_ms: dict = field(default_factory=dict)

    def describe(self) -> dict:
        """JSON-ready."""
        return {
            "chosen": self.chosen,
            "reason": self.reason,
            "cpu": self.cpu,
            "candidates": list(self.candidates),
            "measured_ms": dict(self.measured_ms),
        }


def openvino_installed() -> bool:
    """True when the optional ``openvino`` package can be imported (not imported here)."""
    return importlib.util.find_spec("openvino") is not None


def requested(override: str | None = None) -> str:
    """The path asked for: ``override``, else ``$DOCGEN_ENGINE_BACKEND``, else ``auto``
    (an ``override`` of ``auto``, the setting's default, lets the variable decide).

    Raises:
        ValueError: Not one of :data:`CHOICES` (the message lists them).
    """
    given = (override or "").strip().lower()
    value = (given if given and given != AUTO else os.environ.get(ENV) or AUTO).strip().lower()
    if value not in CHOICES:
        raise ValueError(
            f"engine_backend must be one of {', '.join(CHOICES)}, got {value!r} "
            f"(setting engine_backend or ${ENV})"
        )
    return value


def candidates(
    cpu: CpuInfo, openvino: bool, graphs: tuple[str, ...] = ("int8", "fp32")
) -> list[str]:
    """The paths worth timing on ``cpu``, the flags' favourite first.

    ``graphs`` are the exports that can be had (``int8``, ``fp32``; a ready export has only
    its own). The onnxruntime path over them is always there (``onnx-int8``, or
    ``onnx-fp32`` for an fp32-only export): it is the fallback. OpenVINO paths need the
    package and an x86 CPU: bf16 on fp32 graphs where the CPU computes bf16 natively (AMX
    or AVX-512 BF16; elsewhere OpenVINO emulates it); OpenVINO on the int8 graphs where
    AMX int8 is there. ``onnx-fp32`` is not a candidate beside int8 graphs (slower
    everywhere measured; an override can ask for it).
    """
    out = [DEFAULT_PATH if "int8" in graphs else "onnx-fp32"]
    if not openvino or cpu.machine.lower() not in ("x86_64", "amd64", "i686", "x86", ""):
        return out
    if (cpu.amx_bf16 or cpu.avx512_bf16) and "fp32" in graphs:
        out.append("openvino-bf16")
    if cpu.amx_int8 and "int8" in graphs:
        out.append("openvino-int8")
    if cpu.amx_bf16 and "openvino-bf16" in out:  # AMX bf16: many times VNNI's rate
        out.remove("openvino-bf16")
        out.insert(0, "openvino-bf16")
    return out


def fallback(paths: list[str] | tuple[str, ...]) -> str:
    """The onnxruntime path among ``paths`` (what a failed path falls back to)."""
    return next((p for p in paths if p.startswith("onnx-")), DEFAULT_PATH)


def model_hash(model_id: str, revision: str) -> str:
    """A short stable id of a model (its source id and content revision)."""
    return hashlib.sha1(f"{model_id}|{revision}".encode()).hexdigest()[:16]


def choose(
    model_key: str,
    override: str | None = None,
    *,
    cpu: CpuInfo | None = None,
    cache: ChoiceCache | None = None,
    calibrate: Calibrate | None = None,
    openvino: bool | None = None,
    graphs: tuple[str, ...] = ("int8", "fp32"),
) -> Choice:
    """Pick the path for ``model_key`` (see :func:`model_hash`) on ``cpu`` (default: this one).

    Args:
        model_key: The model's hash.
        override: An explicit path or ``auto`` (None reads ``$DOCGEN_ENGINE_BACKEND``).
        cpu: The CPU (tests inject one); default :func:`indexer.cpuinfo.detect`.
        cache: Where choices are kept (default: the user cache's ``backend-choice.json``).
        calibrate: Times one path; without it an uncached choice is the flags' prior and
            nothing is stored.
        openvino: Whether OpenVINO is installed (default: looked up).
        graphs: The exports that can be had (see :func:`candidates`).

    Raises:
        ValueError: ``override`` names no path.
    """
    cpu = cpu or detect()
    wanted = requested(override)
    has_ov = openvino_installed() if openvino is None else openvino
    paths = candidates(cpu, has_ov, graphs)
    if wanted != AUTO:
        return Choice(wanted, REASON_OVERRIDE, cpu.describe(), tuple(paths))
    cache = cache if cache is not None else ChoiceCache()
    key = ChoiceCache.key(ENGINE, cpu, model_key)
    record = cache.get(key)
    if record is not None and record.get("chosen") in paths:
        measured = record.get("measured_ms")
        return Choice(
            record["chosen"],
            REASON_CALIBRATED,
            cpu.describe(),
            tuple(paths),
            measured if isinstance(measured, dict) else {},
        )
    if len(paths) == 1 or calibrate is None:
        return Choice(paths[0], REASON_FLAGS, cpu.describe(), tuple(paths))
    measured: dict = {}
    for path in paths:
        try:
            measured[path] = round(float(calibrate(path)), 2)
        except Exception as exc:  # noqa: BLE001 - a path that cannot run is not chosen
            measured[path] = f"failed: {type(exc).__name__}: {exc}"[:300]
            _log.info("engine path %s cannot run here (%s)", path, exc)
    chosen = pick(measured, fallback(paths))
    cache.put(key, {"chosen": chosen, "measured_ms": measured, "cpu": cpu.describe()})
    return Choice(chosen, REASON_CALIBRATED, cpu.describe(), tuple(paths), measured)


def pick(measured: dict, default: str = DEFAULT_PATH) -> str:
    """The fastest path that ran; ``default`` unless another is clearly faster
    (:data:`MARGIN`), so noise does not move the choice."""
    times = {p: ms for p, ms in measured.items() if isinstance(ms, (int, float))}
    if not times:
        return default
    best = min(times, key=times.__getitem__)
    base = times.get(default)
    if base is not None and best != default and times[best] > MARGIN * base:
        return default
    return best
