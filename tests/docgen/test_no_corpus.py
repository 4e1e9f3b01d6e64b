"""The switch that turns the shipped corpus off: ``docgen generate --no-corpus``,
``[tool.docgen] corpus = false`` and the language server's ``corpus`` option."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import PipelineSettings
from indexer.config import ConfigError

CORPUS_WORDS = "Stock level every item should reach."


@pytest.fixture
def corpus_repo(sample_repo: Path, tmp_path: Path, monkeypatch) -> Path:
    """The sample repository indexed, and a shipped corpus whose one close entry (the
    vector of ``restock_plan`` itself) describes ``target`` the way the code has it."""
    import faiss

    import assistant.corpus
    from assistant.corpus import read_corpus, write_corpus
    from indexer.embed import embedding_text, shared_embedder
    from indexer.index import update_index
    from indexer.parser import parse_source
    from indexer.text import symbol_source

    update_index(sample_repo)
    rel = "inventory/reports.py"
    source = (sample_repo / rel).read_bytes()
    symbol = next(s for s in parse_source(source, rel).symbols if s.name == "restock_plan")
    own = shared_embedder(None, "auto").encode(
        [embedding_text(symbol, symbol_source(source, symbol))]
    )
    far = np.random.default_rng(3).normal(size=(2, own.shape[1]))
    vectors = np.vstack([own, far / np.linalg.norm(far, axis=1, keepdims=True)]).astype("float32")
    index = faiss.IndexFlatL2(vectors.shape[1])
    index.add(vectors)
    entries = [
        ("pkg-s", "plan_restock", "Plan a restock.", {"target": CORPUS_WORDS},
         {"target": ["positional", "int", "10"]}),
        ("pkg-t", "other", "Do another thing.", {}, {}),
        ("pkg-t", "third", "Do a third thing.", {}, {}),
    ]  # fmt: skip
    path = tmp_path / "corpus.npz"
    write_corpus(path, index, entries)
    monkeypatch.setattr(assistant.corpus, "_DEFAULT", (read_corpus(path), None))
    return sample_repo


def _target_param(out: str) -> str:
    record = next(
        json.loads(line)
        for line in out.splitlines()
        if line.startswith("{") and json.loads(line)["qualname"] == "restock_plan"
    )
    line = next(x for x in record["docstring"].splitlines() if x.strip().startswith("target"))
    return line.strip()


def test_generate_borrows_from_the_corpus_by_default(corpus_repo: Path, generate) -> None:
    code, out, err = generate(str(corpus_repo / "inventory/reports.py"), "--format", "json")
    assert code == 0, err
    assert CORPUS_WORDS in _target_param(out)


def test_no_corpus_turns_it_off(corpus_repo: Path, generate) -> None:
    code, out, err = generate(
        str(corpus_repo / "inventory/reports.py"), "--format", "json", "--no-corpus"
    )
    assert code == 0, err
    assert CORPUS_WORDS not in _target_param(out)
    assert '"source": "corpus"' not in out


def test_the_config_key_turns_it_off(corpus_repo: Path, generate) -> None:
    (corpus_repo / "pyproject.toml").write_text("[tool.docgen]\ncorpus = false\n")
    code, out, err = generate(str(corpus_repo / "inventory/reports.py"), "--format", "json")
    assert code == 0, err
    assert CORPUS_WORDS not in _target_param(out)


def test_the_config_key_is_a_boolean() -> None:
    assert PipelineSettings.from_tool_config({"corpus": False}).corpus is False
    assert PipelineSettings().corpus is True
    with pytest.raises(ConfigError, match="corpus must be true or false"):
        PipelineSettings.from_tool_config({"corpus": "no"})


def test_the_language_server_option(tmp_path: Path) -> None:
    from lsp.options import ServerOptions, options_to_json, parse_options
    from lsp.pipeline_service import PipelineService
    from lsp.stats import LatencyStats

    options, errors = parse_options({"docgen": {"corpus": False}})
    assert options.corpus is False and errors == []
    assert options_to_json(options)["corpus"] is False
    bad, errors = parse_options({"corpus": "off"})
    assert bad.corpus is True and "corpus" in errors[0]
    service = PipelineService(tmp_path, LatencyStats())
    try:
        assert service.pipeline().settings.corpus is True
        service.configure(options)  # a change of the option rebuilds the pipeline
        assert service.pipeline().settings.corpus is False
        service.configure(ServerOptions())
        (tmp_path / "pyproject.toml").write_text("[tool.docgen]\ncorpus = false\n")
        service.configure(ServerOptions(style="google"))
        assert service.pipeline().settings.corpus is False  # the project turned it off
    finally:
        service.close()
