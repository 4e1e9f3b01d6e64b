"""Fixtures of the engine tests: a well-conditioned tiny T5 and backends over the tiny models."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine.testing import build_tiny_t5


@pytest.fixture(scope="session")
def calm_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny T5 with T5's own init scale: well-conditioned activations like a trained
    model (the default tiny model's large init makes activations explode, which no
    8-bit format survives), so int8 agreement means something."""
    return build_tiny_t5(tmp_path_factory.mktemp("calm-t5"), init_factor=1.0)


@pytest.fixture(scope="session")
def torch_gen(tiny_t5: Path):
    from assistant.engine import load_generator

    return load_generator(tiny_t5, backend="pytorch", threads=1)


@pytest.fixture(scope="session")
def onnx_fp32(tiny_t5: Path):
    from assistant.engine import load_generator

    return load_generator(tiny_t5, int8=False, threads=1, engine_backend="onnx-fp32")


@pytest.fixture(scope="session")
def onnx_int8(calm_t5: Path):
    from assistant.engine import load_generator

    return load_generator(calm_t5, int8=True, threads=1, engine_backend="onnx-int8")


@pytest.fixture(scope="session")
def calm_fp32(calm_t5: Path):
    from assistant.engine import load_generator

    return load_generator(calm_t5, int8=False, threads=1, engine_backend="onnx-fp32")
