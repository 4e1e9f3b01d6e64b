"""Which embedding path to run on this CPU (issue #20 item 4).

The candidates follow from the CPU's flags (:func:`indexer.cpuinfo.detect`), the runtimes
installed and the weights at hand (:func:`candidates`); their order is the choice by flags
alone. With more than one candidate, a short calibration run (:func:`calibrate`: the same
few texts through each path, timed, and each path's vectors checked against the fp32
reference) picks the fastest path whose vectors stay within the quality bar, and the
result is cached per CPU and model (:class:`indexer.cpuinfo.ChoiceCache`, engine name
``"embed"``), so it runs once. The default install has one candidate, the shipped int8
file, which is correct on every CPU (7-bit weights: BENCHMARKS.md, ``## Shipped
embedder``), and nothing is measured.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from indexer.cpuinfo import ChoiceCache, CpuInfo

ENGINE = "embed"
MIN_COSINE = 0.97
"""The quality bar of a path: the cosine of each of its vectors to fp32's. The shipped
int8 file's measured minimum on 2,159 validation texts is 0.981 (BENCHMARKS.md)."""
REASON_OVERRIDE = "override"
REASON_ONLY = "the only path available"
REASON_FLAGS = "by CPU flags (no calibration yet)"
REASON_CALIBRATED = "calibrated on this CPU"
REASON_CACHED = "calibrated on this CPU (cached)"

CALIBRATION_TEXTS = [
    "python function parse_header\ndef parse_header(line):\n    key, _, value = line.partition(':')"
    "\n    return key.strip().lower(), value.strip()",
    "python method Cache.get\ndef get(self, key, default=None):\n    with self._lock:\n"
    "        entry = self._data.get(key)\n        if entry is None or entry.expired():\n"
    "            return default\n        return entry.value",
    "python class Retry\nclass Retry:\n    def __init__(self, attempts=3, backoff=0.5):\n"
    "        self.attempts = attempts\n        self.backoff = backoff\n" * 3,
    "python function load_rows\ndef load_rows(path, limit=None):\n    rows = []\n"
    "    with open(path, encoding='utf-8') as handle:\n        for number, line in "
    "enumerate(handle):\n            if limit is not None and number >= limit:\n"
    "                break\n            rows.append(line.rstrip('\\n').split(','))\n"
    "    return rows\n" * 2,
]
"""Texts like the indexer's (header line, then code) of a few lengths, up to the limit."""


@dataclass
class Choice:
    """The path the embedder runs and why.

    Attributes:
        backend: The chosen backend (``onnx-int8``, ``openvino-bf16``...).
        reason: One of the ``REASON_*`` lines (an override, the only path, by flags,
            calibrated).
        candidates: The paths considered, in their order by CPU flags.
        measured: Calibration texts per CPU-second per path (empty without calibration).
        cosine_min: Each calibrated path's minimum cosine to fp32.
        cpu: :meth:`CpuInfo.describe` of the CPU chosen for.
    """

    backend: str
    reason: str
    candidates: list[str] = field(default_factory=list)
    measured: dict[str, float] = field(default_factory=dict)
    cosine_min: dict[str, float] = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)

    def describe(self) -> dict:
        """JSON-ready, for ``docgen model info``."""
        return {
            "chosen": self.backend,
            "reason": self.reason,
            "candidates": list(self.candidates),
            "measured_texts_per_cpu_s": {k: round(v, 1) for k, v in self.measured.items()},
            "cosine_min_vs_fp32": {k: round(v, 4) for k, v in self.cosine_min.items()},
            "cpu": self.cpu,
        }


def candidates(cpu: CpuInfo, *, shipped: bool, openvino: bool, fp32: bool) -> list[str]:
    """The paths worth trying on ``cpu``, best first by its flags.

    Args:
        cpu: The CPU.
        shipped: The model is the shipped all-MiniLM-L6-v2 (its int8 file is the base
            path; a user's model runs fp32 ``onnx``).
        openvino: The ``openvino`` package is installed.
        fp32: An fp32 ONNX file of the model is at hand without exporting (OpenVINO reads
            that one; making it needs the ``[torch]`` extra and a minute, never done
            just to choose).
    """
    base = "onnx-int8" if shipped else "onnx"
    x86 = cpu.machine.lower() in ("x86_64", "amd64", "i686", "x86") or "avx2" in cpu.flags
    if not (openvino and fp32 and x86):
        return [base]
    bf16 = cpu.amx_bf16 or cpu.avx512_bf16
    if cpu.amx_bf16:  # AMX tiles: bf16 matrix products far above the int8 VNNI rate
        found = ["openvino-bf16", base]
    elif bf16:  # AVX-512 BF16 (Zen 4, Cooper Lake): on par with int8; calibration decides
        found = [base, "openvino-bf16"]
    else:
        found = [base]
    if not shipped:  # fp32 on OpenVINO beats fp32 on ONNX Runtime on x86 (BENCHMARKS.md)
        found.insert(found.index(base), "openvino-fp32")
    return found


def by_flags(found: list[str], cpu: CpuInfo) -> Choice:
    """The choice before any calibration: the first candidate."""
    reason = REASON_ONLY if len(found) == 1 else REASON_FLAGS
    return Choice(found[0], reason, list(found), cpu=cpu.describe())


def cached(cache: ChoiceCache, key: str, found: list[str], cpu: CpuInfo) -> Choice | None:
    """The cached calibration for ``key`` if it chose one of ``found`` (else None)."""
    record = cache.get(key)
    if not record or record.get("backend") not in found:
        return None
    measured = record.get("measured")
    cosines = record.get("cosine_min")
    return Choice(
        record["backend"],
        REASON_CACHED,
        list(found),
        {str(k): float(v) for k, v in measured.items()} if isinstance(measured, dict) else {},
        {str(k): float(v) for k, v in cosines.items()} if isinstance(cosines, dict) else {},
        cpu.describe(),
    )


Encode = Callable[[list[str]], np.ndarray]


def calibrate(
    found: list[str],
    cpu: CpuInfo,
    build: Callable[[str], Encode],
    reference: Encode,
    texts: list[str] | None = None,
    clock: Callable[[], float] = time.process_time,
) -> Choice:
    """Time each path on the same texts and pick the fastest correct one.

    Time is the process's CPU time by default: every path runs the same batches on the same
    threads, so on an idle machine it orders them as wall time does, and on a shared one
    it is not swayed by what other processes take (wall time there swings by 2x).

    Args:
        found: The candidates, best first by flags (a tie keeps that order).
        cpu: The CPU.
        build: Returns a loaded path's encode function; a path whose build or run raises
            is left out.
        reference: fp32 vectors of the texts (the quality bar's reference).
        texts: Calibration texts (default :data:`CALIBRATION_TEXTS`, repeated to 16); each
            path encodes them, then the same texts cut to 3/4 in calls of 1 to 6 texts (new
            input shapes).
        clock: Seconds (injected by tests; default: CPU seconds of this process).
    """
    texts = texts or (CALIBRATION_TEXTS * 4)
    # the second pass cuts every text to 3/4 and sends them in calls of 1, 2, 3, 4 and 6
    # texts: other input shapes, as an index run brings them (a runtime that prepares each
    # new shape pays for it here too)
    cut = [text[: max(1, len(text) * 3 // 4)] for text in texts]
    passes = [texts, *_chunks(cut, (1, 2, 3, 4, 6))]
    expected = reference(texts)
    measured: dict[str, float] = {}
    cosines: dict[str, float] = {}
    for backend in found:
        try:
            encode = build(backend)
            encode(texts[:1])  # the session itself, not the shapes
            elapsed = 0.0
            for number, batch in enumerate(passes):  # the first one is checked for quality
                started = clock()
                output = encode(batch)
                elapsed += max(clock() - started, 1e-9)
                if number == 0:
                    vectors = output
        except Exception:  # noqa: BLE001 - a path that cannot run is simply not chosen
            continue
        cosines[backend] = float((np.asarray(vectors) * expected).sum(axis=1).min())
        measured[backend] = sum(map(len, passes)) / elapsed
    correct = [b for b in found if b in measured and cosines[b] >= MIN_COSINE]
    base = next((b for b in found if b in ("onnx-int8", "onnx")), found[-1])
    chosen = max(correct, key=lambda b: measured[b]) if correct else base
    return Choice(chosen, REASON_CALIBRATED, list(found), measured, cosines, cpu.describe())


def _chunks(texts: list[str], sizes: tuple[int, ...]) -> list[list[str]]:
    """``texts`` in consecutive calls of ``sizes`` texts (the rest in one last call)."""
    chunks, start = [], 0
    for size in sizes:
        if start < len(texts):
            chunks.append(texts[start : start + size])
            start += size
    if start < len(texts):
        chunks.append(texts[start:])
    return chunks


def record(choice: Choice) -> dict:
    """What :class:`ChoiceCache` stores for a calibrated choice."""
    return {
        "backend": choice.backend,
        "measured": choice.measured,
        "cosine_min": choice.cosine_min,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
