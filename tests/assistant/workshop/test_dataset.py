"""The dataset builder on wheels made in the test: licenses, filters, dedup, split, evidence."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from assistant.workshop.dataset.build import BuildConfig, build_dataset
from assistant.workshop.dataset.harvest import summary_ok
from assistant.workshop.dataset.jsonl import EXAMPLES_FILE, read_jsonl
from assistant.workshop.dataset.licenses import decide_license
from assistant.workshop.dataset.sources import archive_sources, wanted_python_path

SHARED = '''
def shared_helper(values, factor):
    """Scale every value by the given factor and drop the empty ones."""
    result = []
    for value in values:
        if value:
            result.append(value * factor)
    return result
'''


def _module(prefix: str, count: int) -> str:
    parts = [SHARED]
    for i in range(count):
        parts.append(
            f'''
def {prefix}_load_item_{i}(path, index={i}):
    """Load the item number {i} from the given path."""
    with open(path) as handle:
        rows = handle.read().split("{i}")
    return shared_helper(rows, {i}) + [{prefix}_{i} for {prefix}_{i} in range(index * {i + 2})]
'''
        )
    parts.append(
        '''
def generated_thing(x):
    """Auto-generated wrapper, do not edit."""
    return x + 1 if x else x - 1 if x < 0 else 0
'''
    )
    return "\n".join(parts)


def _wheel(folder: Path, name: str, version: str, license_line: str, body: str) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            f"{name}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{license_line}\n",
        )
        zf.writestr(f"{name}/core.py", body)
        zf.writestr(f"{name}/tests/test_core.py", body)
    return path


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    _wheel(wheels, "alpha", "1.0", "License-Expression: MIT", _module("alpha", 12))
    _wheel(wheels, "alpha", "0.9", "License-Expression: MIT", _module("old", 3))
    _wheel(
        wheels,
        "beta",
        "2.0",
        "Classifier: License :: OSI Approved :: BSD License",
        _module("beta", 12),
    )
    _wheel(wheels, "gamma", "1.0", "License-Expression: Apache-2.0", _module("gamma", 12))
    _wheel(wheels, "copyleft", "1.0", "License-Expression: GPL-3.0-only", _module("gpl", 12))
    return wheels


def test_license_decisions():
    assert decide_license("License-Expression: MIT OR GPL-2.0\n").permissive
    assert not decide_license("License-Expression: GPL-3.0-only AND MIT\n").permissive
    assert decide_license(
        "Classifier: License :: OSI Approved :: Apache Software License\n"
    ).permissive
    assert not decide_license(
        "Classifier: License :: OSI Approved :: GNU General Public License (GPL)\n"
    ).permissive
    assert not decide_license("Name: x\n").permissive
    assert not decide_license(None).permissive


def test_file_and_summary_filters():
    assert wanted_python_path("pkg/core.py")
    assert not wanted_python_path("pkg/tests/test_core.py")
    assert not wanted_python_path("pkg/_vendor/six.py")
    assert not wanted_python_path("pkg/api_pb2.py")
    assert summary_ok("Return the user name for the given id.")
    assert not summary_ok("Getter.")
    assert not summary_ok("Auto-generated wrapper, do not edit.")
    assert not summary_ok("Gibt den Namen zurück für die Kennung des Nutzers.")
    assert not summary_ok("See https://example.com for the details of it.")


def test_latest_version_is_picked(corpus: Path):
    sources = {s.name: s for s in archive_sources([corpus])}
    assert sources["alpha"].version == "1.0"
    assert sources["copyleft"].permissive is False


def test_build_filters_licenses_dedups_and_splits_by_package(corpus: Path, tmp_path: Path):
    out = tmp_path / "ds"
    config = BuildConfig(
        out=out, folders=[corpus], workers=1, test_share=0.3, valid_share=0.0, min_heldout_records=5
    )
    manifest = build_dataset(config, lambda *a: None)
    records = list(read_jsonl(out / EXAMPLES_FILE))
    packages = {r["package"] for r in records}
    assert packages == {"alpha", "beta", "gamma"}  # GPL package excluded
    by_name = {p["name"]: p for p in manifest["packages"]}
    assert by_name["copyleft"]["used"] is False and by_name["copyleft"]["permissive"] is False
    assert by_name["alpha"]["license"] == "MIT"
    # one split per package, and some package held out
    splits = {}
    for r in records:
        assert splits.setdefault(r["package"], r["split"]) == r["split"]
    assert "test" in splits.values() and "train" in splits.values()
    # the helper copied into every package survives once; tests/ and bad summaries dropped
    assert sum(r["name"] == "shared_helper" for r in records) == 1
    assert manifest["dedup_dropped"]["exact"] >= 2
    assert not any(r["name"] == "generated_thing" for r in records)
    assert not any("tests/" in r["path"] for r in records)
    # callee evidence resolves within the package, outside the record's own fold
    by_id = {r["id"]: r for r in records}
    for r in records:
        assert r["similar"] is None
        for cid in r["callees"]:
            assert by_id[cid]["package"] == r["package"] and by_id[cid]["fold"] != r["fold"]
    assert {"code", "symbol"}.isdisjoint(records[0]) and records[0]["etext"]


def test_cli_builds_and_rejects_empty_input(corpus: Path, tmp_path: Path):
    from docgen import main

    assert main(["dataset", "build", "--no-stdlib", "--out", str(tmp_path / "x")]) == 2
    out = tmp_path / "cli"
    code = main(
        [
            "dataset",
            "build",
            "--no-stdlib",
            "--archives",
            str(corpus),
            "--out",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    assert (out / EXAMPLES_FILE).is_file() and (out / "manifest.json").is_file()
