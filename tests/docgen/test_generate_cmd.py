"""``docgen generate`` end to end on a copy of the sample repository (tiny random T5)."""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from docgen import main

CONTRACT = {
    "path": str,
    "qualname": str,
    "kind": str,
    "line": int,
    "summary": str,
    "docstring": str,
    "confidence": float,
    "cached": bool,
    "provenance": dict,
    "tier": str,
}


@pytest.fixture
def run(tiny_t5: Path, capsys, tmp_path: Path):
    """Run ``docgen generate`` in-process with the tiny model; return (code, out, err)."""

    def invoke(*args: str, model: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        base = ["generate", "--model", model or str(tiny_t5), "--no-index", "--beams", "2"]
        # the tiny random model never reaches the default floor: write every draft
        base += ["--min-confidence", "0"]
        code = main([*base, "--cache-dir", str(tmp_path / "cli-cache"), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".docgen" not in p.parts
    }


def test_json_follows_the_contract_and_writes_nothing(sample_repo: Path, run) -> None:
    before = _snapshot(sample_repo)
    code, out, err = run(str(sample_repo), "--format", "json")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 9  # the sample's undocumented public functions and methods
    for line in lines:
        record = json.loads(line)
        assert list(record) == list(CONTRACT)
        for key, kind in CONTRACT.items():
            assert isinstance(record[key], kind), (key, record[key])
        assert 0.0 <= record["confidence"] <= 1.0
        assert record["tier"] == "accurate"  # docgen generate drafts on the accurate tier
        assert record["docstring"].startswith(record["summary"])
        assert not record["docstring"].startswith(('"""', " "))
        assert set(record["provenance"]) == {"source", "detail"}
        assert record["provenance"]["source"] in ("model", "repo-neighbour", "corpus", "name")
        source = (sample_repo / record["path"]).read_text().splitlines()
        assert record["qualname"].rsplit(".", 1)[-1] in source[record["line"] - 1]
    assert _snapshot(sample_repo) == before
    assert "9 missing drafted" in err
    code, out, _ = run(str(sample_repo), "--format", "json")
    assert all(json.loads(line)["cached"] for line in out.splitlines())


def test_diff_applies_to_what_write_writes(sample_repo: Path, tmp_path: Path, run) -> None:
    other = tmp_path / "other"
    shutil.copytree(sample_repo, other)
    before = _snapshot(sample_repo)
    code, diff, err = run(str(sample_repo), "--diff", "--update-stale")
    assert code == 0, err
    assert _snapshot(sample_repo) == before
    assert diff.startswith("--- a/inventory/models.py\n+++ b/inventory/models.py\n")
    assert "+        percent: Discount in percent." in diff
    # git apply works outside a repository too (like patch, which CI may not have)
    subprocess.run(["git", "apply", "-p1", "-"], input=diff, text=True, cwd=sample_repo, check=True)
    code, _, err = run(str(other), "--write", "--update-stale")
    assert code == 0, err
    assert _snapshot(sample_repo) == _snapshot(other)
    for path in other.rglob("*.py"):
        ast.parse(path.read_bytes())
    code, out, err = run(str(other), "--update-stale")
    assert (code, out) == (0, "")
    assert "0 missing drafted" in err and "0 stale updated" in err


def test_only_missing_by_default(sample_repo: Path, run) -> None:
    code, out, _ = run(str(sample_repo / "inventory" / "pricing.py"), "--format", "json")
    assert code == 0
    names = [json.loads(line)["qualname"] for line in out.splitlines()]
    assert names == ["cart_total", "cheapest_items", "iter_price_changes"]  # not the stale one
    code, out, _ = run(str(sample_repo / "inventory" / "pricing.py"), "--stale-only")
    assert "update function apply_discount" in out and "cart_total" not in out


def test_refused_edit_leaves_the_file_and_fails(sample_repo: Path, run) -> None:
    broken = sample_repo / "inventory" / "broken.py"
    broken.write_text("def fine(x):\n    return x\n\n\ndef broken(:\n    pass\n")
    before = broken.read_bytes()
    code, _, err = run(str(broken), "--write")
    assert code == 1
    assert "broken.py: file does not parse: line 5" in err
    assert broken.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--diff", "--write"], "use one of --diff, --write"),
        (["--diff", "--format", "json"], "both use stdout"),
        (["does/not/exist"], "does not exist"),
        (["--style", "fancy"], "fancy"),
    ],
)
def test_usage_errors_exit_2(sample_repo: Path, run, args, message, monkeypatch) -> None:
    monkeypatch.chdir(sample_repo)
    code, _, err = run(*args)
    assert code == 2
    assert message in err


def test_bad_config_is_a_usage_error(sample_repo: Path, run) -> None:
    pyproject = sample_repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'style = "fancy"\n')
    code, _, err = run(str(sample_repo))
    assert code == 2 and "style must be one of" in err


def test_a_missing_model_is_explained(sample_repo: Path, run, tmp_path: Path) -> None:
    code, out, err = run(str(sample_repo), model=str(tmp_path / "no-such-model"))
    assert code == 1 and out == ""
    assert "cannot draft" in err and "no-such-model" in err


def test_a_corrupt_ranker_file_is_explained(
    sample_repo: Path, run, tmp_path: Path, monkeypatch
) -> None:
    import assistant.ranker as ranker

    package = tmp_path / "pkg"
    (package / "data").mkdir(parents=True)
    (package / "data" / "ranker.json").write_text('{"features": [')  # a cut-off write
    monkeypatch.setattr(ranker.resources, "files", lambda _name: package)
    monkeypatch.setattr(ranker, "_DEFAULT", None)
    before = _snapshot(sample_repo)
    code, out, err = run(str(sample_repo), "--write")
    assert code == 1 and out == ""
    assert "cannot draft" in err and "ranker.json is not a valid ranker file" in err
    assert _snapshot(sample_repo) == before
