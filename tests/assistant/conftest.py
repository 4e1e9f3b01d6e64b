"""Fixtures of the pipeline-core tests: the tiny T5 on the production path and pipelines
over a repository with it (private output caches)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import SAMPLE


@pytest.fixture(scope="session")
def generator(tiny_t5: Path):
    """The tiny model on the production path (ONNX int8)."""
    from assistant.engine import load_generator

    return load_generator(tiny_t5, backend="onnx", int8=True, threads=1)


@pytest.fixture
def make_pipeline(generator, tmp_path: Path):
    """Build a pipeline over a repository with the tiny model and a private cache."""
    from assistant.pipeline import DocPipeline, PipelineSettings

    made = []

    def make(root: Path, gen=None, **settings):
        settings.setdefault("cache_dir", tmp_path / "results")
        settings.setdefault("update_index", False)
        settings.setdefault("num_beams", 2)
        # the tiny random model never reaches the calibrated floor of --write: tests of
        # writing write every draft; tests of the floor pass min_confidence=None
        settings.setdefault("min_confidence", 0.0)
        pipeline = DocPipeline(root, PipelineSettings(**settings), generator=gen or generator)
        made.append(pipeline)
        return pipeline

    yield make
    for pipeline in made:
        pipeline.close()


@pytest.fixture(scope="module")
def indexed_repo(tmp_path_factory: pytest.TempPathFactory, cache_root: Path) -> Path:
    """A private copy of examples/sample_repo with its index built (one per test module)."""
    from indexer.index import update_index

    root = tmp_path_factory.mktemp("indexed") / "sample_repo"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    update_index(root)
    return root
