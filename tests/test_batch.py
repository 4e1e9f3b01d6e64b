"""``docgen batch`` on the local process pool: the outputs, failures, the skip, --write.

Ray's path is the same orchestration with another executor (tests/test_batch_ray.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docgen import main
from tests.conftest import write_tree

SOURCE = """\
def add_{n}(left, right):
    return left + right


class Store{n}:
    def count(self, items):
        return len(items)
"""


def make_repos(tmp_path: Path, names: list[str]) -> Path:
    """Small git repositories (no commits needed) and a manifest listing them."""
    for n, name in enumerate(names):
        root = write_tree(
            tmp_path / name, {"pkg/__init__.py": "", "pkg/core.py": SOURCE.format(n=n)}
        )
        if shutil.which("git"):
            subprocess.run(["git", "init", "-q", str(root)], check=True)
    manifest = tmp_path / "repos.txt"
    manifest.write_text("".join(f"{name}\n" for name in names))
    return manifest


@pytest.fixture
def batch(tiny_t5: Path, capsys):
    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        base = ["batch", "--model", str(tiny_t5), "--beams", "1", "--min-confidence", "0"]
        code = main([*base, "--no-cache", "--no-index", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def generate(tiny_t5: Path, capsys):
    """``docgen generate`` with the same model settings as :func:`batch`."""

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        base = ["generate", "--model", str(tiny_t5), "--beams", "1", "--min-confidence", "0"]
        code = main([*base, "--no-cache", "--no-index", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def records_of_generate(generate, root: Path) -> list[dict]:
    code, out, err = generate(str(root), "--format", "json")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def summary(out: Path) -> dict[str, dict]:
    data = json.loads((out / "summary.json").read_text())
    names = [row["name"] for row in data["repositories"]]
    assert len(names) == len(set(names)), "a repository reported twice"
    return {row["name"]: row for row in data["repositories"]}


def test_the_local_pool_matches_generate_and_writes_nothing(batch, generate, tmp_path):
    manifest = make_repos(tmp_path, ["alpha", "beta"])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    out = tmp_path / "out"
    code, _, err = batch(str(manifest), "--out", str(out), "--workers", "2")
    assert code == 0, err
    assert "nothing written into the repositories" in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before  # no --write
    rows = summary(out)
    assert set(rows) == {"alpha", "beta"}
    for name in ("alpha", "beta"):
        records = [json.loads(line) for line in (out / name / "records.jsonl").open()]
        assert records == records_of_generate(generate, tmp_path / name)
        assert rows[name]["status"] == "done" and rows[name]["drafts"] == len(records) == 3
        check = json.loads((out / name / "check.json").read_text())
        assert check["total"] == 3 and check["coverage"] == 0.0
        assert {f["code"] for f in check["findings"]} == {"DG001"}
        assert rows[name]["findings"] == 3 and rows[name]["coverage"] == 0.0
        patch = (out / name / "docstrings.patch").read_text()
        assert patch.startswith("--- a/pkg/core.py\n+++ b/pkg/core.py\n")
        if shutil.which("git"):
            subprocess.run(
                ["git", "apply", "--check", str(out / name / "docstrings.patch")],
                cwd=tmp_path / name,
                check=True,
            )
    table = (out / "summary.md").read_text()
    assert "| alpha | done | 0.0% (0/3) | 3 |" in table
    assert "2 repositories: 2 done, 0 unchanged, 0 failed; 6 drafts" in table


def test_write_applies_the_patch_with_the_safe_edits(batch, tmp_path):
    manifest = make_repos(tmp_path, ["alpha"])
    out = tmp_path / "out"
    code, _, err = batch(str(manifest), "--out", str(out), "--write")
    assert code == 0, err
    written = (tmp_path / "alpha" / "pkg" / "core.py").read_text()
    assert written.count('"""') == 6
    compile(written, "core.py", "exec")
    assert summary(out)["alpha"]["written"] == 1


def test_a_failing_repository_is_reported_and_the_batch_goes_on(batch, tmp_path):
    manifest = make_repos(tmp_path, ["alpha", "broken", "syntax"])
    (tmp_path / "broken" / "pyproject.toml").write_text("[tool.docgen\n")
    (tmp_path / "syntax" / "pkg" / "bad.py").write_text("def good(x):\n    return x\n\ndef f(:\n")
    out = tmp_path / "out"
    code, _, err = batch(str(manifest), "--out", str(out))
    assert code == 1
    rows = summary(out)
    assert rows["alpha"]["status"] == "done" and rows["alpha"]["drafts"] == 3
    assert rows["broken"]["status"] == "failed"
    assert "pyproject.toml" in rows["broken"]["error"]
    assert "docgen: error: broken: " in err and "Traceback" not in err
    assert rows["syntax"]["status"] == "done" and rows["syntax"]["drafts"] == 3
    assert any(p.startswith("pkg/bad.py") for p in rows["syntax"]["problems"])
    assert "failed: " in (out / "summary.md").read_text()


def test_a_rerun_skips_what_is_unchanged(batch, tmp_path):
    manifest = make_repos(tmp_path, ["alpha", "beta"])
    out = tmp_path / "out"
    assert batch(str(manifest), "--out", str(out))[0] == 0
    records = (out / "alpha" / "records.jsonl").read_text()
    code, _, err = batch(str(manifest), "--out", str(out))
    assert code == 0 and "0 done, 2 unchanged" in err
    assert {row["status"] for row in summary(out).values()} == {"unchanged"}
    assert summary(out)["alpha"]["drafts"] == 3  # the cached row
    assert (out / "alpha" / "records.jsonl").read_text() == records

    (tmp_path / "beta" / "pkg" / "more.py").write_text("def extra(value):\n    return value\n")
    batch(str(manifest), "--out", str(out))
    rows = summary(out)
    assert rows["alpha"]["status"] == "unchanged" and rows["beta"]["status"] == "done"
    assert rows["beta"]["drafts"] == 4

    code, _, err = batch(str(manifest), "--out", str(out), "--update-stale")  # other settings
    assert "2 done, 0 unchanged" in err
    cache = json.loads((out / ".cache" / "alpha.json").read_text())  # JSON, under --out
    assert set(cache) == {"key", "row"}


def test_out_inside_a_repository_is_refused(batch, tmp_path):
    manifest = make_repos(tmp_path, ["alpha"])
    code, _, err = batch(str(manifest), "--out", str(tmp_path / "alpha" / "out"))
    assert code == 2 and "choose a folder outside it" in err
    assert not (tmp_path / "alpha" / "out").exists()


def test_ray_without_the_extra_says_what_to_install(batch, tmp_path, monkeypatch):
    manifest = make_repos(tmp_path, ["alpha"])
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    code, _, err = batch(str(manifest), "--out", str(tmp_path / "out"), "--ray", "local")
    assert code == 1
    assert err == "docgen: --ray needs the 'ray' extra: pip install 'docgen-assistant[ray]'\n"


def test_a_repository_gone_since_the_manifest_was_read_fails_alone(tiny_t5, tmp_path):
    from assistant.batch.executors import LocalPool
    from assistant.batch.manifest import read_manifest
    from assistant.batch.run import run_batch
    from assistant.pipeline import PipelineSettings

    repos = read_manifest(make_repos(tmp_path, ["alpha", "gone"]))
    shutil.rmtree(tmp_path / "gone")
    settings = PipelineSettings(
        model=str(tiny_t5), num_beams=1, min_confidence=0.0, use_cache=False, update_index=False
    )
    pool = LocalPool(1)
    try:
        report = run_batch(repos, lambda repo: settings, pool, tmp_path / "out")
    finally:
        pool.close()
    assert [(r.name, r.status) for r in report.rows] == [("alpha", "done"), ("gone", "failed")]
    assert "is not a folder any more" in report.rows[1].error
    assert report.exit_code == 1
    assert not (tmp_path / "out" / ".cache" / "gone.json").exists()  # a failure is not cached


def test_an_address_where_no_cluster_listens_is_one_line(batch, tmp_path):
    import socket

    pytest.importorskip("ray")
    manifest = make_repos(tmp_path, ["alpha"])
    with socket.socket() as probe:  # a port nothing listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = batch(
        str(manifest), "--out", str(tmp_path / "out"), "--ray", f"127.0.0.1:{port}"
    )
    assert code == 1
    assert err.startswith(f"docgen: error: no Ray cluster answers at 127.0.0.1:{port}")
    assert "ray start --head" in err and len(err.splitlines()) == 1


def _die_once(job):
    """Kill this worker process the first time a job runs (a marker file remembers)."""
    import os

    marker = job / "died"
    if not marker.exists():
        marker.write_text("x")
        os._exit(9)
    return job.name


def _die_always(job):
    import os

    if job.name == "poison":
        os._exit(9)
    return job.name


def test_a_dead_worker_takes_no_repository_down_with_it(tmp_path):
    from assistant.batch.executors import RETRIES, LocalPool

    jobs = [tmp_path / name for name in ("a", "b", "c")]
    for job in jobs:
        job.mkdir()
    pool = LocalPool(1)
    try:
        done = list(pool._map(_die_once, jobs, lambda job, why: ("failed", job.name, why)))
    finally:
        pool.close()
    assert sorted(map(str, done)) == ["a", "b", "c"], done  # each died once, then ran again

    poison = [tmp_path / "poison", tmp_path / "fine"]
    pool = LocalPool(1)
    try:
        done = list(pool._map(_die_always, poison, lambda job, why: ("failed", job.name, why)))
    finally:
        pool.close()
    assert "fine" in done
    failed = [item for item in done if isinstance(item, tuple)]
    assert [name for _, name, _ in failed] == ["poison"]
    assert f"died each of the {RETRIES} times" in failed[0][2]
