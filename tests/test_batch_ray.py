"""``docgen batch`` on Ray: a private local cluster (small: 2 CPUs, a 100 MB object store),
the outputs against ``docgen generate`` and a worker killed in the middle of a run."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest

from assistant.batch.manifest import read_manifest
from assistant.batch.run import run_batch
from assistant.pipeline import PipelineSettings
from docgen import main
from tests.test_batch import make_repos, summary

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def no_cluster_left():
    yield
    if ray.is_initialized():
        ray.shutdown()
    assert not ray.is_initialized()


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ray_local_matches_generate_on_each_repository(tiny_t5: Path, tmp_path: Path, capsys):
    manifest = make_repos(tmp_path, ["alpha", "beta", "gamma"])
    model = ["--model", str(tiny_t5), "--beams", "1", "--min-confidence", "0", "--no-cache"]
    out = tmp_path / "out"
    code, _, err = _cli(
        capsys,
        "batch",
        str(manifest),
        "--out",
        str(out),
        "--ray",
        "local",
        "--workers",
        "2",
        *model,
    )
    assert code == 0, err
    assert not ray.is_initialized()  # the private cluster is stopped
    rows = summary(out)
    assert set(rows) == {"alpha", "beta", "gamma"}
    for name in rows:
        assert (tmp_path / name / ".docgen" / "index.sqlite").is_file()  # indexed first
        code, stdout, err = _cli(
            capsys, "generate", str(tmp_path / name), "--format", "json", *model
        )
        assert code == 0, err
        expected = [json.loads(line) for line in stdout.splitlines()]
        records = [json.loads(line) for line in (out / name / "records.jsonl").open()]
        assert records == expected and len(records) == 3
        assert rows[name]["status"] == "done" and rows[name]["drafts"] == 3


def test_a_killed_worker_is_retried_and_no_repository_is_lost_or_doubled(
    tiny_t5: Path, tmp_path: Path
):
    from assistant.batch.executors import RayExecutor

    names = ["alpha", "beta", "gamma"]
    repos = read_manifest(make_repos(tmp_path, names))
    settings = PipelineSettings(
        model=str(tiny_t5),
        num_beams=1,
        min_confidence=0.0,
        use_cache=False,
        update_index=False,
    )
    executor = RayExecutor("local", workers=1)
    killed: list[int] = []

    def progress(stage: str, advance: int, total: int) -> None:
        # after the first repository is drafted, the actor already holds the next one
        if stage == "draft" and advance and not killed:
            killed.append(executor.pids[0])
            os.kill(executor.pids[0], signal.SIGKILL)

    try:
        report = run_batch(
            repos, lambda repo: settings, executor, tmp_path / "out", progress=progress
        )
        after = executor.worker_pids()
    finally:
        executor.close()
    assert killed and after != killed  # the actor was killed and Ray restarted it
    assert [row.name for row in report.rows] == names
    assert [row.status for row in report.rows] == ["done"] * 3, [r.error for r in report.rows]
    rows = summary(tmp_path / "out")  # each once
    for name in names:
        lines = (tmp_path / "out" / name / "records.jsonl").read_text().splitlines()
        assert len(lines) == 3 and rows[name]["drafts"] == 3
