"""Exporting a sentence-transformers model to ONNX once, into the user cache (the
``[export]`` extra), and telling a whole export from a damaged one (a marker written last).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

EXPORT_MARKER = "docgen-export.json"
"""Written last into an export folder: the ONNX file's name and size (a truncated or
half-copied export is then seen without loading it)."""

_EXPORT_LOGGERS = (
    "sentence_transformers",
    "transformers",
    "optimum",
    "torch",
    "onnx",
    "onnxruntime",
    "huggingface_hub",
)


def export_onnx(factory, source: str, folder: Path, file_name: str) -> None:
    """Export (and maybe quantize) into a temp folder, then move it into place; a
    complete export another process finished meanwhile is kept (it may be in use).

    One status line goes to stderr; the exporters' own warnings and log lines are
    silenced (they are about torch tracing, not about the user's code)."""
    quantized = "qint8" in file_name
    folder.parent.mkdir(parents=True, exist_ok=True)
    print(
        "docgen: preparing the embedding model for ONNX Runtime "
        "(once per model version, about a minute)...",
        file=sys.stderr,
        flush=True,
    )
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        with _quiet():
            model = factory(
                source,
                device="cpu",
                backend="onnx",
                local_files_only=True,
                trust_remote_code=False,
            )
            model.save(str(staging))
            if quantized:
                from sentence_transformers import export_dynamic_quantized_onnx_model

                exported = factory(
                    str(staging),
                    device="cpu",
                    backend="onnx",
                    local_files_only=True,
                    trust_remote_code=False,
                )
                export_dynamic_quantized_onnx_model(exported, quant_arch(), str(staging))
        mark_complete(staging, file_name)
        if export_complete(folder, file_name):
            return
        if folder.exists():  # an incomplete or other-variant export: replace it
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.replace(staging, folder)
        except OSError:
            if not folder.is_dir():  # not another process that got there first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def mark_complete(folder: Path, file_name: str) -> None:
    size = (folder / file_name).stat().st_size
    (folder / EXPORT_MARKER).write_text(json.dumps({"file": file_name, "bytes": size}))


def export_complete(folder: Path, file_name: str) -> bool:
    """Whether ``folder`` holds a whole export of ``file_name`` (per its marker)."""
    try:
        marker = json.loads((folder / EXPORT_MARKER).read_text(encoding="utf-8"))
        return marker["file"] == file_name and (folder / file_name).stat().st_size == int(
            marker["bytes"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


@contextlib.contextmanager
def _quiet():
    """Silence the exporters: Python warnings, their loggers below ERROR, stray prints."""
    loggers = [logging.getLogger(name) for name in _EXPORT_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with (
                contextlib.redirect_stdout(io.StringIO()),
                contextlib.redirect_stderr(io.StringIO()),
            ):
                yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def quant_arch() -> str:
    machine = platform.machine().lower()
    if machine in ("arm64", "aarch64"):
        return "arm64"
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        flags = ""
    return "avx512_vnni" if "avx512_vnni" in flags else "avx2"
