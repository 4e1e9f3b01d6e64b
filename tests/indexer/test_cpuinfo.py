"""The CPU description and the backend-choice cache shared by the T5 engine and the embedder."""

from __future__ import annotations

import json

import pytest

from indexer.cpuinfo import ChoiceCache, CpuInfo, detect, parse_cpuinfo

SAPPHIRE = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8488C
flags\t\t: fpu sse2 avx2 fma avx512f avx512bw avx512vl avx512_vnni avx512_bf16 \
amx_bf16 amx_tile amx_int8

processor\t: 1
model name\t: something else
flags\t\t: fpu
"""
GRAVITON = """processor\t: 0
BogoMIPS\t: 2100.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics asimddp i8mm bf16 sve
CPU implementer\t: 0x41
CPU part\t: 0xd40
"""


def test_parse_x86_first_block() -> None:
    model, flags = parse_cpuinfo(SAPPHIRE)
    assert model == "Intel(R) Xeon(R) Platinum 8488C"
    assert {"amx_int8", "avx512_vnni"} <= flags and "fpu" in flags


def test_parse_arm_features_and_part() -> None:
    model, flags = parse_cpuinfo(GRAVITON)
    assert model == "ARM part 0xd40"
    assert {"asimddp", "i8mm", "bf16"} <= flags


@pytest.mark.parametrize(
    ("flags", "isa"),
    [
        ("avx2 avx512f avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16", "amx"),
        ("avx2 avx512f avx512_vnni avx512_bf16", "avx512_bf16"),
        ("avx2 avx512f avx512_vnni", "avx512_vnni"),
        ("avx2 avx_vnni", "avx_vnni"),
        ("avx2 avx512f", "avx512"),
        ("avx2 fma", "avx2"),
        ("asimd asimddp i8mm", "arm_i8mm"),
        ("asimd asimddp", "arm_dotprod"),
        ("sse2", "generic"),
    ],
)
def test_isa_word(flags: str, isa: str) -> None:
    cpu = CpuInfo("x", frozenset(flags.split()), "x86_64")
    assert cpu.isa == isa


def test_key_ignores_irrelevant_flags() -> None:
    a = CpuInfo("m", frozenset({"avx2", "fpu"}), "x86_64")
    b = CpuInfo("m", frozenset({"avx2", "sse4_2"}), "x86_64")
    c = CpuInfo("m", frozenset({"avx2", "avx512_vnni"}), "x86_64")
    assert a.key == b.key != c.key


def test_detect_reads_file_and_env_override(tmp_path, monkeypatch) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(SAPPHIRE)
    monkeypatch.delenv("DOCGEN_CPU_FLAGS", raising=False)
    monkeypatch.delenv("DOCGEN_CPU_MODEL", raising=False)
    cpu = detect(info)
    assert cpu.amx_int8 and cpu.amx_bf16 and cpu.vnni and cpu.cores >= 1
    monkeypatch.setenv("DOCGEN_CPU_FLAGS", "avx2 FMA")
    monkeypatch.setenv("DOCGEN_CPU_MODEL", "Laptop")
    cpu = detect(info)
    assert cpu.model == "Laptop" and cpu.isa == "avx2" and cpu.has("fma")


def test_detect_never_raises_on_missing_file(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("DOCGEN_CPU_FLAGS", raising=False)
    cpu = detect(tmp_path / "absent")
    assert cpu.flags == frozenset() and cpu.model


def test_choice_cache_roundtrip_and_corruption(tmp_path) -> None:
    path = tmp_path / "sub" / "choice.json"
    cache = ChoiceCache(path)
    cpu = CpuInfo("m", frozenset({"avx2"}), "x86_64")
    key = ChoiceCache.key("t5", cpu, "abc123")
    assert cache.get(key) is None
    cache.put(key, {"backend": "onnx-int8", "why": "measured"})
    other = ChoiceCache.key("embed", cpu, "abc123")
    cache.put(other, {"backend": "onnx-fp32"})
    assert ChoiceCache(path).get(key) == {"backend": "onnx-int8", "why": "measured"}
    assert ChoiceCache(path).get(other) == {"backend": "onnx-fp32"}
    assert key != ChoiceCache.key("t5", CpuInfo("m", frozenset({"amx_int8"}), "x86_64"), "abc123")
    path.write_bytes(b"\x00\xffnot json")
    assert ChoiceCache(path).get(key) is None  # corrupt reads as empty
    ChoiceCache(path).put(key, {"backend": "x"})  # and is replaced whole
    assert json.loads(path.read_text())["choices"] == {key: {"backend": "x"}}
    assert not list(path.parent.glob(".choice-*"))
