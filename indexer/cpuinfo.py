"""What CPU this process runs on, and a cache of the backend choices made for it.

The engines (the T5 in ``assistant.engine`` and the MiniLM embedder in :mod:`indexer.embed`)
pick their backend and precision per CPU: by the instruction sets the CPU reports, confirmed by
a short calibration run whose result is cached here, keyed by CPU model, the flags that matter
and the model's hash. Nothing here imports an inference library.

Tests inject a CPU with :class:`CpuInfo` directly, or in a subprocess through
``DOCGEN_CPU_MODEL`` and ``DOCGEN_CPU_FLAGS`` (space-separated flags), which replace what
``/proc/cpuinfo`` says.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# The flags that decide a kernel path (Linux /proc/cpuinfo names; lscpu prints the same).
RELEVANT_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
    "amx_fp16",
    # ARM (aarch64 /proc/cpuinfo "Features")
    "asimd",
    "asimddp",
    "i8mm",
    "bf16",
    "sve",
)

CHOICE_FILE = "backend-choice.json"
CHOICE_FORMAT = 1


@dataclass(frozen=True)
class CpuInfo:
    """A CPU as the kernel reports it.

    Args:
        model: The model name (``lscpu``'s "Model name"), e.g. ``"AMD EPYC 9R14"``.
        flags: Every flag the CPU reports (lower case).
        machine: ``platform.machine()``: ``x86_64``, ``aarch64``, ``arm64``...
        cores: Logical CPUs this process may use.
    """

    model: str
    flags: frozenset[str] = field(default_factory=frozenset)
    machine: str = ""
    cores: int = 1

    def has(self, *names: str) -> bool:
        """True when the CPU reports every one of ``names``."""
        return all(name in self.flags for name in names)

    @property
    def amx_int8(self) -> bool:
        return self.has("amx_tile", "amx_int8")

    @property
    def amx_bf16(self) -> bool:
        return self.has("amx_tile", "amx_bf16")

    @property
    def avx512_bf16(self) -> bool:
        return self.has("avx512_bf16")

    @property
    def vnni(self) -> bool:
        """int8 dot products in one instruction (AVX-512 VNNI or AVX-VNNI)."""
        return self.has("avx512_vnni") or self.has("avx_vnni")

    @property
    def isa(self) -> str:
        """The best matrix-product path in one word, for messages and keys:
        ``amx``, ``avx512_bf16``, ``avx512_vnni``, ``avx_vnni``, ``avx512``, ``avx2``,
        ``arm_i8mm``, ``arm_dotprod``, ``arm`` or ``generic``."""
        if self.amx_int8 or self.amx_bf16:
            return "amx"
        if self.avx512_bf16:
            return "avx512_bf16"
        for name in ("avx512_vnni", "avx_vnni"):
            if name in self.flags:
                return name
        if "avx512f" in self.flags:
            return "avx512"
        if "avx2" in self.flags:
            return "avx2"
        if "i8mm" in self.flags:
            return "arm_i8mm"
        if "asimddp" in self.flags:
            return "arm_dotprod"
        if "asimd" in self.flags or self.machine in ("aarch64", "arm64"):
            return "arm"
        return "generic"

    @property
    def key(self) -> str:
        """Model name plus the flags that matter: equal keys choose alike."""
        relevant = " ".join(name for name in RELEVANT_FLAGS if name in self.flags)
        return f"{self.model} [{self.machine}] {relevant}".strip()

    def describe(self) -> dict:
        """JSON-ready: model, machine, cores, the path word and the relevant flags."""
        return {
            "model": self.model,
            "machine": self.machine,
            "cores": self.cores,
            "isa": self.isa,
            "flags": [name for name in RELEVANT_FLAGS if name in self.flags],
        }


def detect(cpuinfo_path: str | os.PathLike[str] = "/proc/cpuinfo") -> CpuInfo:
    """Read the CPU from ``/proc/cpuinfo`` (Linux), else from :mod:`platform`.

    ``DOCGEN_CPU_MODEL`` / ``DOCGEN_CPU_FLAGS`` override what is read (tests, and a user who
    wants to see what another CPU would choose). Never raises: an unreadable file gives the
    platform's description with no flags (the generic path).
    """
    model, flags = "", frozenset()
    try:
        text = Path(cpuinfo_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    if text:
        model, flags = parse_cpuinfo(text)
    model = os.environ.get("DOCGEN_CPU_MODEL") or model or platform.processor() or "unknown"
    if "DOCGEN_CPU_FLAGS" in os.environ:
        flags = frozenset(os.environ["DOCGEN_CPU_FLAGS"].lower().split())
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return CpuInfo(model=model, flags=flags, machine=platform.machine(), cores=cores)


def parse_cpuinfo(text: str) -> tuple[str, frozenset[str]]:
    """The model name and flags of the first processor block of a ``/proc/cpuinfo`` text
    (x86 ``model name``/``flags``; ARM ``Features``, with ``CPU part`` when unnamed)."""
    model = ""
    flags: frozenset[str] = frozenset()
    part = ""
    for line in text.splitlines():
        if not line.strip():
            if model or flags:
                break
            continue
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name in ("model name", "hardware") and not model:
            model = value
        elif name in ("flags", "features") and not flags:
            flags = frozenset(value.lower().split())
        elif name == "cpu part" and not part:
            part = value
    if not model and part:
        model = f"ARM part {part}"
    return model, flags


class ChoiceCache:
    """Backend choices per (engine, CPU key, model hash), one JSON file in the user cache.

    A missing, unreadable or corrupt file reads as empty (the choice is measured again);
    writes are atomic (temporary file then ``os.replace``), so a killed process leaves the
    old file or the new one.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else _default_path()

    @staticmethod
    def key(engine: str, cpu: CpuInfo, model_hash: str) -> str:
        """The entry name: engine, a short hash of the CPU key, the model hash."""
        digest = hashlib.sha1(cpu.key.encode()).hexdigest()[:12]
        return f"{engine}|{digest}|{model_hash}"

    def get(self, key: str) -> dict | None:
        """The stored record, or None when there is none (or the file is unusable)."""
        entry = self._read().get(key)
        return entry if isinstance(entry, dict) else None

    def put(self, key: str, record: dict) -> None:
        """Store ``record`` (JSON-ready) under ``key``; other entries are kept."""
        entries = self._read()
        entries[key] = record
        payload = json.dumps({"format": CHOICE_FORMAT, "choices": entries}, indent=1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".choice-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != CHOICE_FORMAT:
            return {}
        choices = data.get("choices")
        return dict(choices) if isinstance(choices, dict) else {}


def _default_path() -> Path:
    import platformdirs

    root = os.environ.get("DOCGEN_CACHE_DIR") or platformdirs.user_cache_dir("docgen")
    return Path(root) / CHOICE_FILE
