"""Export: self-contained folders, checksums, the cache, corrupt and partial exports."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import onnx
import pytest

from assistant.engine import ModelLoadError, export_model, load_generator
from assistant.engine.layout import MANIFEST_NAME, cache_root, verify_export


def test_export_is_self_contained_and_checksummed(onnx_int8, calm_t5: Path) -> None:
    folder = export_model(calm_t5, int8=True)  # cached by the onnx_int8 fixture
    assert folder.parent == cache_root()
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["settings"]["int8"] is True
    names = set(manifest["files"])
    assert {"encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx"} <= names
    assert {"tokenizer.json", "config.json"} <= names
    assert not list(folder.glob("*.partial")) and not (folder / "fp32").exists()
    ops = {n.op_type for n in onnx.load(folder / "decoder_with_past_model.onnx").graph.node}
    assert ops & {"MatMulInteger", "DynamicQuantizeMatMul"}  # weights really are int8
    for name in ("encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx"):
        assert onnx.load(folder / name).ir_version <= 10  # ONNX Runtime 1.23 (Python 3.10)
    assert verify_export(folder)["source"]["model_id"] == str(calm_t5)


def test_export_is_cached_by_settings(onnx_int8, onnx_fp32, tiny_t5: Path, calm_t5: Path):
    int8_dir = export_model(calm_t5, int8=True)
    mtime = (int8_dir / MANIFEST_NAME).stat().st_mtime_ns
    assert export_model(calm_t5, int8=True) == int8_dir  # reused, not rebuilt
    assert (int8_dir / MANIFEST_NAME).stat().st_mtime_ns == mtime
    assert export_model(tiny_t5, int8=False) not in (int8_dir, None)


def test_exported_folder_loads_directly_and_can_be_moved(onnx_fp32, tiny_t5, tmp_path) -> None:
    shipped = tmp_path / "shipped"
    shutil.copytree(export_model(tiny_t5, int8=False), shipped)
    gen = load_generator(shipped, threads=1)
    prompts = ["def get_user(path): return path.user"]
    assert gen.generate_texts(prompts) == onnx_fp32.generate_texts(prompts)


def test_corrupt_export_in_cache_is_rebuilt(tiny_t5: Path, onnx_fp32) -> None:
    folder = export_model(tiny_t5, int8=False)
    target = folder / "decoder_model.onnx"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="decoder_model.onnx is corrupt"):
        verify_export(folder)
    rebuilt = export_model(tiny_t5, int8=False)
    assert rebuilt == folder
    verify_export(rebuilt)


def test_corrupt_or_partial_shipped_export_is_refused(onnx_fp32, tiny_t5, tmp_path) -> None:
    shipped = tmp_path / "partial"
    shutil.copytree(export_model(tiny_t5, int8=False), shipped)
    (shipped / "encoder_model.onnx").unlink()
    with pytest.raises(ModelLoadError, match="encoder_model.onnx is missing"):
        load_generator(shipped)
    (shipped / MANIFEST_NAME).write_text("{broken")
    with pytest.raises(ModelLoadError, match=MANIFEST_NAME):
        load_generator(shipped)


def test_killed_export_leaves_no_half_written_folder(tiny_t5, tmp_path, monkeypatch) -> None:
    import assistant.engine.export as export

    def explode(*args, **kwargs):
        raise KeyboardInterrupt  # as if the process were interrupted mid-export

    monkeypatch.setattr(export, "write_manifest", explode)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        export_model(tiny_t5, out_dir=out, int8=False)
    assert not out.exists()
    assert os.listdir(tmp_path) == []


def test_cache_prunes_exports_of_deleted_folders_and_stale_partials(tiny_t5, tmp_path) -> None:
    from assistant.engine.export import prune_cache
    from assistant.engine.testing import build_tiny_t5

    gone = build_tiny_t5(tmp_path / "gone", d_model=32, d_ff=32, num_heads=2, num_layers=1)
    gone_export = export_model(gone, int8=False)
    kept_export = export_model(tiny_t5, int8=False)
    stale = cache_root() / ".x.partial"
    stale.mkdir()
    os.utime(stale, (0, 0))
    fresh = cache_root() / ".y.partial"
    fresh.mkdir()
    shutil.rmtree(gone)
    removed = prune_cache(cache_root())
    assert set(removed) == {gone_export, stale}
    assert kept_export.is_dir() and fresh.is_dir()
    fresh.rmdir()


def test_loading_an_export_needs_neither_torch_nor_transformers(onnx_fp32, tiny_t5) -> None:
    import subprocess
    import sys

    folder = export_model(tiny_t5, int8=False)
    code = (
        "import sys\n"
        "from assistant.engine import load_generator\n"
        f"gen = load_generator({str(folder)!r}, threads=1)\n"
        "assert gen.generate_texts(['def f(x): return x'])\n"
        "print(sorted(m for m in ('torch', 'transformers', 'optimum') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_export_never_overwrites_a_folder_that_is_not_an_export(tiny_t5, tmp_path) -> None:
    precious = tmp_path / "my-documents"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(ModelLoadError, match="not an export of ours"):
        export_model(tiny_t5, out_dir=precious, int8=False)
    assert (precious / "notes.txt").read_text() == "keep me"
    assert os.listdir(tmp_path) == ["my-documents"]
