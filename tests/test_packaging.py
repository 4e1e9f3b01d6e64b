"""What the wheel ships loads where users are (issue #15): every shipped ONNX file declares an
IR version that ONNX Runtime 1.23 reads (its last release for Python 3.10 supports IR <= 11;
onnx writes its newest IR, 14 for onnx 1.20, unless told otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_IR = 10


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "assistant" / "models").rglob("*.onnx"))
    + sorted((ROOT / "indexer" / "models").rglob("*.onnx")),
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_shipped_onnx_files_load_on_older_runtimes(path: Path) -> None:
    onnx = pytest.importorskip("onnx")
    assert onnx.load(str(path), load_external_data=False).ir_version <= MAX_IR
