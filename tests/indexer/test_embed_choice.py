"""The embedder's path per CPU (issue #20 item 4): which paths each CPU class gets, the
calibration that picks among them, its cache, overrides, and the fall-back when a path
fails to load.

The CPU is injected (:class:`CpuInfo`); calibration runs on injected encode functions and
an injected clock, so no test depends on timings. The real OpenVINO paths are exercised in
``test_embed_paths.py``.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from indexer import embed_choice
from indexer.cpuinfo import ChoiceCache, CpuInfo
from indexer.embed import ENV_BACKEND, Embedder, EmbedderError
from indexer.index import IndexConfig, update_index
from indexer.store import IndexStore
from tests.conftest import write_tree

X86 = ("avx2", "fma")
AVX512 = (*X86, "avx512f", "avx512bw", "avx512vl")
CPUS = {
    "amx": CpuInfo(
        "Intel Xeon 8488C",
        frozenset((*AVX512, "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")),
        "x86_64",
        2,
    ),
    "avx512_bf16": CpuInfo(
        "AMD EPYC 9R14", frozenset((*AVX512, "avx512_vnni", "avx512_bf16")), "x86_64", 2
    ),
    "vnni": CpuInfo("Intel Xeon 8275CL", frozenset((*AVX512, "avx512_vnni")), "x86_64", 2),
    "avx2": CpuInfo("Intel Core i5-8250U", frozenset(X86), "x86_64", 4),
    "arm": CpuInfo("ARM part 0xd40", frozenset(("asimd", "asimddp", "i8mm", "bf16")), "aarch64"),
}


@pytest.mark.parametrize(
    ("cpu", "expected"),
    [
        ("amx", ["openvino-bf16", "onnx-int8"]),
        ("avx512_bf16", ["onnx-int8", "openvino-bf16"]),
        ("vnni", ["onnx-int8"]),
        ("avx2", ["onnx-int8"]),  # the 7-bit shipped file is the safe int8 path there
        ("arm", ["onnx-int8"]),
    ],
)
def test_candidates_of_the_shipped_model_per_cpu_class(cpu, expected):
    found = embed_choice.candidates(CPUS[cpu], shipped=True, openvino=True, fp32=True)
    assert found == expected


@pytest.mark.parametrize("cpu", sorted(CPUS))
def test_without_openvino_or_fp32_weights_only_the_shipped_file(cpu):
    for openvino, fp32 in ((False, True), (True, False), (False, False)):
        found = embed_choice.candidates(CPUS[cpu], shipped=True, openvino=openvino, fp32=fp32)
        assert found == ["onnx-int8"]
        choice = embed_choice.by_flags(found, CPUS[cpu])
        assert (choice.backend, choice.reason) == ("onnx-int8", embed_choice.REASON_ONLY)


def test_a_users_model_runs_fp32_and_may_take_openvino():
    assert embed_choice.candidates(CPUS["vnni"], shipped=False, openvino=True, fp32=True) == [
        "openvino-fp32",
        "onnx",
    ]
    assert embed_choice.candidates(CPUS["amx"], shipped=False, openvino=True, fp32=True) == [
        "openvino-bf16",
        "openvino-fp32",
        "onnx",
    ]
    assert embed_choice.candidates(CPUS["avx2"], shipped=False, openvino=False, fp32=True) == [
        "onnx"
    ]


class Clock:
    """Advances by the cost the running path declares (no real time involved)."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def fake_paths(clock: Clock, costs: dict[str, float], wrong: set[str] = frozenset()):
    """Encode functions per path: unit vectors (off-axis for the ``wrong`` ones) that
    advance the clock by their cost per call; a path with cost None fails to build."""

    def build(backend):
        if costs[backend] is None:
            raise RuntimeError("cannot load")

        def encode(texts):
            clock.now += costs[backend]
            vectors = np.zeros((len(texts), 4), dtype=np.float32)
            vectors[:, 1 if backend in wrong else 0] = 1.0
            return vectors

        return encode

    def reference(texts):
        vectors = np.zeros((len(texts), 4), dtype=np.float32)
        vectors[:, 0] = 1.0
        return vectors

    return build, reference


def test_calibration_picks_the_fastest_correct_path():
    clock = Clock()
    build, reference = fake_paths(clock, {"onnx-int8": 2.0, "openvino-bf16": 1.0})
    found = ["onnx-int8", "openvino-bf16"]
    choice = embed_choice.calibrate(found, CPUS["avx512_bf16"], build, reference, clock=clock)
    assert (choice.backend, choice.reason) == ("openvino-bf16", embed_choice.REASON_CALIBRATED)
    assert choice.measured["openvino-bf16"] == pytest.approx(2 * choice.measured["onnx-int8"])
    assert choice.cosine_min == {"onnx-int8": 1.0, "openvino-bf16": 1.0}


def test_calibration_never_picks_a_path_below_the_quality_bar_or_one_that_fails():
    clock = Clock()
    costs = {"openvino-bf16": 0.5, "openvino-fp32": None, "onnx": 3.0}
    build, reference = fake_paths(clock, costs, wrong={"openvino-bf16"})
    found = ["openvino-bf16", "openvino-fp32", "onnx"]
    choice = embed_choice.calibrate(found, CPUS["amx"], build, reference, clock=clock)
    assert choice.backend == "onnx"
    assert "openvino-fp32" not in choice.measured  # failed to build: left out
    assert choice.cosine_min["openvino-bf16"] < embed_choice.MIN_COSINE


def test_cached_choice_is_used_and_a_corrupt_cache_reads_as_none(tmp_path):
    cache = ChoiceCache(tmp_path / "choice.json")
    cpu = CPUS["amx"]
    key = ChoiceCache.key(embed_choice.ENGINE, cpu, "hash")
    found = ["openvino-bf16", "onnx-int8"]
    clock = Clock()
    build, reference = fake_paths(clock, {"onnx-int8": 1.0, "openvino-bf16": 2.0})
    cache.put(
        key, embed_choice.record(embed_choice.calibrate(found, cpu, build, reference, clock=clock))
    )
    hit = embed_choice.cached(cache, key, found, cpu)
    assert (hit.backend, hit.reason) == ("onnx-int8", embed_choice.REASON_CACHED)
    # a cached path that is no longer a candidate (openvino removed) is not used
    assert embed_choice.cached(cache, key, ["openvino-bf16"], cpu) is None
    cache.path.write_text("{not json")
    assert embed_choice.cached(cache, key, found, cpu) is None


def test_embedder_with_injected_cpu_and_a_corrupt_cache_still_chooses(tmp_path, monkeypatch):
    cache = ChoiceCache(tmp_path / "choice.json")
    cache.path.write_text("\x00garbage")
    monkeypatch.setitem(sys.modules, "openvino", None)  # as in the default install
    for name, cpu in CPUS.items():
        embedder = Embedder(cpu=cpu, choice_cache=cache)
        assert embedder.backend == "onnx-int8", name
        assert embedder.choice.reason == embed_choice.REASON_ONLY
        assert embedder.model_id == "all-MiniLM-L6-v2#int8"
        assert embedder.choice.describe()["cpu"]["isa"] == cpu.isa


def test_override_by_argument_and_by_environment(monkeypatch):
    embedder = Embedder(backend="openvino-fp32", cpu=CPUS["avx2"])
    assert (embedder.backend, embedder.choice.reason) == ("openvino-fp32", "override")
    assert embedder.model_id == "all-MiniLM-L6-v2"
    assert Embedder(backend="openvino-bf16").model_id == "all-MiniLM-L6-v2#bf16"
    monkeypatch.setenv(ENV_BACKEND, "onnx")
    embedder = Embedder(cpu=CPUS["amx"])
    assert embedder.backend == "onnx" and ENV_BACKEND in embedder.choice.reason
    # an explicit backend wins over the environment
    assert Embedder(backend="onnx-int8").backend == "onnx-int8"
    monkeypatch.setenv(ENV_BACKEND, "tpu")
    with pytest.raises(EmbedderError, match=ENV_BACKEND):
        Embedder()


def test_a_path_failing_at_load_falls_back_to_the_shipped_file_with_one_note(monkeypatch):
    monkeypatch.setitem(sys.modules, "openvino", None)  # openvino cannot be imported
    embedder = Embedder(backend="openvino-bf16")
    vectors = embedder.encode(["def f(x): return x", "import os"])
    assert vectors.shape == (2, 384)
    assert embedder.backend == "onnx-int8" and embedder.model_id == "all-MiniLM-L6-v2#int8"
    assert embedder.choice.reason.startswith("fallback")
    embedder.encode(["def g(): pass"])
    notes = embedder.take_notes()
    assert len(notes) == 1
    assert "openvino-bf16" in notes[0] and "pip install" in notes[0] and "onnx-int8" in notes[0]


def test_index_built_through_a_fallback_is_stored_under_the_path_it_ran(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openvino", None)
    root = tmp_path / "repo"
    write_tree(root, {"m.py": 'def f():\n    """Doc."""\n    return 1\n'})
    config = IndexConfig(embedding_backend="openvino-bf16")
    summary = update_index(root, config, embedder=Embedder(backend="openvino-bf16"))
    assert sum("could not be loaded" in w for w in summary.warnings) == 1
    with IndexStore.open(root) as store:
        assert store.model_id == "all-MiniLM-L6-v2#int8"
        (symbol,) = store.find("f")
        assert store.vector(store.symbol_id(symbol)) is not None


def test_the_cli_offers_every_backend():
    from docgen.index import index
    from indexer.embed import BACKENDS

    (option,) = [p for p in index.params if p.name == "embedding_backend"]
    assert tuple(option.type.choices) == BACKENDS


def test_model_info_shows_the_embedders_path_and_why(tiny_t5, capsys, monkeypatch):
    import json

    from docgen import main

    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Intel Core i5-8250U")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", "avx2 fma")
    assert main(["model", "info", str(tiny_t5), "--json"]) == 0
    embedder = json.loads(capsys.readouterr().out)["embedder"]
    assert embedder["chosen"] == "onnx-int8" and embedder["reason"] == embed_choice.REASON_ONLY
    assert embedder["model_id"] == "all-MiniLM-L6-v2#int8"
    assert embedder["cpu"] == {
        "model": "Intel Core i5-8250U",
        "machine": embedder["cpu"]["machine"],
        "cores": embedder["cpu"]["cores"],
        "isa": "avx2",
        "flags": ["avx2", "fma"],
    }
    monkeypatch.setenv(ENV_BACKEND, "openvino-fp32")
    assert main(["model", "info", str(tiny_t5)]) == 0
    text = capsys.readouterr().out
    assert "embedder:" in text and "chosen: openvino-fp32" in text
    assert f"reason: override ({ENV_BACKEND})" in text
