"""Which engine path is chosen per CPU: flags, calibration, its cache, the override."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine import choice
from assistant.engine.choice import (
    REASON_CALIBRATED,
    REASON_FLAGS,
    REASON_OVERRIDE,
    candidates,
    choose,
    pick,
)
from indexer.cpuinfo import ChoiceCache, CpuInfo

BASE = {"avx2", "fma", "avx512f", "avx512bw", "avx512vl"}
AMX = CpuInfo(
    "Intel Xeon Platinum 8488C",
    frozenset(BASE | {"avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16"}),
    "x86_64",
    2,
)
ZEN4 = CpuInfo("AMD EPYC 9R14", frozenset(BASE | {"avx512_vnni", "avx512_bf16"}), "x86_64", 2)
VNNI = CpuInfo("Intel Xeon Gold 6248", frozenset(BASE | {"avx512_vnni"}), "x86_64", 2)
AVX2 = CpuInfo("Intel Core i5-6500", frozenset({"avx2", "fma"}), "x86_64", 4)
ARM = CpuInfo("ARM part 0xd40", frozenset({"asimd", "asimddp", "i8mm", "bf16"}), "aarch64", 4)


@pytest.mark.parametrize(
    ("cpu", "openvino", "expected"),
    [
        (AMX, True, ["openvino-bf16", "onnx-int8", "openvino-int8"]),
        (ZEN4, True, ["onnx-int8", "openvino-bf16"]),
        (VNNI, True, ["onnx-int8"]),
        (AVX2, True, ["onnx-int8"]),
        (ARM, True, ["onnx-int8"]),
        (AMX, False, ["onnx-int8"]),
        (ZEN4, False, ["onnx-int8"]),
    ],
    ids=["amx", "avx512_bf16", "vnni-only", "avx2-only", "arm", "amx-no-openvino", "zen4-no-ov"],
)
def test_candidates_follow_the_cpu_flags(cpu, openvino, expected) -> None:
    assert candidates(cpu, openvino) == expected


def test_a_ready_export_offers_only_paths_over_its_own_graphs() -> None:
    assert candidates(AMX, True, graphs=("int8",)) == ["onnx-int8", "openvino-int8"]
    assert candidates(AMX, True, graphs=("fp32",)) == ["openvino-bf16", "onnx-fp32"]
    assert candidates(VNNI, True, graphs=("fp32",)) == ["onnx-fp32"]


def test_flags_prior_without_calibration_stores_nothing(tmp_path: Path) -> None:
    cache = ChoiceCache(tmp_path / "c.json")
    amx = choose("m1", "auto", cpu=AMX, cache=cache, openvino=True)
    assert (amx.chosen, amx.reason) == ("openvino-bf16", REASON_FLAGS)
    vnni = choose("m1", "auto", cpu=VNNI, cache=cache, openvino=True)
    assert (vnni.chosen, vnni.reason) == ("onnx-int8", REASON_FLAGS)
    assert not (tmp_path / "c.json").exists()


def test_calibration_picks_the_fastest_and_is_cached_per_cpu_and_model(tmp_path: Path) -> None:
    cache = ChoiceCache(tmp_path / "c.json")
    times = {"onnx-int8": 100.0, "openvino-bf16": 40.0}
    calls: list[str] = []

    def calibrate(path: str) -> float:
        calls.append(path)
        return times[path]

    first = choose("m1", "auto", cpu=ZEN4, cache=cache, calibrate=calibrate, openvino=True)
    assert (first.chosen, first.reason) == ("openvino-bf16", REASON_CALIBRATED)
    assert first.measured_ms == {"onnx-int8": 100.0, "openvino-bf16": 40.0}
    again = choose("m1", "auto", cpu=ZEN4, cache=cache, calibrate=calibrate, openvino=True)
    assert again.chosen == "openvino-bf16" and calls == ["onnx-int8", "openvino-bf16"]
    choose("m2", "auto", cpu=ZEN4, cache=cache, calibrate=calibrate, openvino=True)
    assert len(calls) == 4  # another model is measured again
    other_cpu = ZEN4.__class__("AMD EPYC 7R13", ZEN4.flags, "x86_64", 2)
    choose("m1", "auto", cpu=other_cpu, cache=cache, calibrate=calibrate, openvino=True)
    assert len(calls) == 6  # and so is another CPU model


def test_calibration_keeps_the_default_unless_clearly_faster_and_skips_failures() -> None:
    assert pick({"onnx-int8": 100.0, "openvino-bf16": 95.0}) == "onnx-int8"
    assert pick({"onnx-int8": 100.0, "openvino-bf16": 80.0}) == "openvino-bf16"
    assert pick({"onnx-int8": 100.0, "openvino-bf16": "failed: RuntimeError"}) == "onnx-int8"
    assert pick({}) == "onnx-int8"
    assert pick({"onnx-fp32": 100.0, "openvino-bf16": 95.0}, "onnx-fp32") == "onnx-fp32"


def test_a_path_that_fails_to_calibrate_is_recorded_and_not_chosen(tmp_path: Path) -> None:
    def calibrate(path: str) -> float:
        if path == "openvino-bf16":
            raise RuntimeError("cannot compile")
        return 50.0

    cache = ChoiceCache(tmp_path / "c.json")
    got = choose("m", "auto", cpu=ZEN4, cache=cache, calibrate=calibrate, openvino=True)
    assert got.chosen == "onnx-int8"
    assert "cannot compile" in got.measured_ms["openvino-bf16"]


def test_a_corrupt_choice_cache_is_measured_again_and_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{not json")
    cache = ChoiceCache(path)
    got = choose("m", "auto", cpu=ZEN4, cache=cache, calibrate=lambda p: 10.0, openvino=True)
    assert got.reason == REASON_CALIBRATED
    assert cache.get(ChoiceCache.key("t5", ZEN4, "m"))["chosen"] == "onnx-int8"


def test_a_cached_path_that_is_no_longer_possible_is_ignored(tmp_path: Path) -> None:
    cache = ChoiceCache(tmp_path / "c.json")
    cache.put(ChoiceCache.key("t5", ZEN4, "m"), {"chosen": "openvino-bf16"})
    got = choose("m", "auto", cpu=ZEN4, cache=cache, openvino=False)  # extra uninstalled
    assert (got.chosen, got.reason) == ("onnx-int8", REASON_FLAGS)


def test_override_by_argument_and_environment(tmp_path: Path, monkeypatch) -> None:
    cache = ChoiceCache(tmp_path / "c.json")
    got = choose("m", "onnx-fp32", cpu=AMX, cache=cache, openvino=True)
    assert (got.chosen, got.reason) == ("onnx-fp32", REASON_OVERRIDE)
    monkeypatch.setenv(choice.ENV, "openvino-fp32")
    assert choose("m", None, cpu=VNNI, cache=cache).chosen == "openvino-fp32"
    assert choose("m", "onnx-int8", cpu=VNNI, cache=cache).chosen == "onnx-int8"  # arg wins
    monkeypatch.setenv(choice.ENV, "tensorrt")
    with pytest.raises(ValueError, match="engine_backend must be one of"):
        choose("m", None, cpu=VNNI, cache=cache)


def test_the_cpu_of_this_process_can_be_injected_by_environment(monkeypatch) -> None:
    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Intel Xeon (AMX)")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", " ".join(sorted(AMX.flags)))
    got = choose("m", "auto", openvino=True)
    assert got.cpu["isa"] == "amx" and got.chosen == "openvino-bf16"


def test_model_info_says_what_is_chosen_and_why(tiny_t5: Path, monkeypatch) -> None:
    from assistant.engine.info import describe_model

    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Intel Core i5-6500 (info test)")
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", "avx2 fma")
    engine = describe_model(tiny_t5)["engine"]
    assert engine["chosen"] == "onnx-int8" and engine["reason"] == REASON_FLAGS
    assert engine["cpu"]["isa"] == "avx2" and engine["candidates"] == ["onnx-int8"]
    monkeypatch.setenv(choice.ENV, "openvino-bf16")
    engine = describe_model(tiny_t5)["engine"]
    assert (engine["chosen"], engine["reason"]) == ("openvino-bf16", REASON_OVERRIDE)
    monkeypatch.setenv(choice.ENV, "nonsense")
    assert "engine_backend must be one of" in describe_model(tiny_t5)["engine"]["reason"]


def test_pipeline_settings_take_and_check_engine_backend() -> None:
    from assistant.settings import PipelineSettings
    from indexer.config import ConfigError

    assert PipelineSettings().engine_backend == "auto"
    assert PipelineSettings(engine_backend="openvino-bf16").engine_backend == "openvino-bf16"
    with pytest.raises(ConfigError, match="engine_backend must be one of"):
        PipelineSettings(engine_backend="gpu")


def test_the_server_and_the_editor_offer_the_engine_s_values() -> None:
    import json

    from lsp.options import ENGINE_BACKENDS

    assert ENGINE_BACKENDS == choice.CHOICES
    root = Path(__file__).resolve().parents[3]
    manifest = json.loads((root / "vscode-extension" / "package.json").read_text())
    setting = manifest["contributes"]["configuration"]["properties"]["docgen.engineBackend"]
    assert tuple(setting["enum"]) == choice.CHOICES and setting["default"] == "auto"
