"""Fixtures of the pipeline tests: a tiny random T5 (built offline), a copy of the sample
repository, and pipelines over them with isolated caches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_repo"


@pytest.fixture(scope="session")
def cache_root(tmp_path_factory: pytest.TempPathFactory):
    """Keep model exports and results out of the real user cache dir."""
    root = tmp_path_factory.mktemp("docgen-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("DOCGEN_CACHE_DIR", str(root))
    yield root
    patch.undo()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Path:
    """A tiny random T5 folder in Hugging Face format."""
    from assistant.engine.testing import build_tiny_t5

    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5"))


@pytest.fixture(scope="session")
def generator(tiny_model: Path):
    """The tiny model on the production path (ONNX int8)."""
    from assistant.engine import load_generator

    return load_generator(tiny_model, backend="onnx", int8=True, threads=1)


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A private copy of examples/sample_repo (tests may write to it)."""
    target = tmp_path / "sample_repo"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    return target


@pytest.fixture
def make_pipeline(generator, tmp_path: Path):
    """Build a pipeline over a repository with the tiny model and a private cache."""
    from assistant.pipeline import DocPipeline, PipelineSettings

    made = []

    def make(root: Path, gen=None, **settings):
        settings.setdefault("cache_dir", tmp_path / "results")
        settings.setdefault("update_index", False)
        settings.setdefault("num_beams", 2)
        pipeline = DocPipeline(root, PipelineSettings(**settings), generator=gen or generator)
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        pipeline.close()
