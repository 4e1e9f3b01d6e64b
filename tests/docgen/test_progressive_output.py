"""``docgen generate --format json`` prints each record as soon as it is final."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from assistant.bulk import document_paths
from assistant.pipeline import DocPipeline, PipelineSettings
from tests.conftest import write_tree


def _repo(root: Path, files: int, functions: int) -> Path:
    tree = {"pyproject.toml": "[project]\nname = 'many'\n"}
    for f in range(files):
        body = "".join(
            f"def compute_{f}_{i}(value, factor={i}):\n    return value * factor + {f}\n\n\n"
            for i in range(functions)
        )
        tree[f"pkg/mod_{f:02d}.py"] = body
    return write_tree(root, tree)


class Recording:
    """The tiny model, recording the order of model calls and of printed records."""

    def __init__(self, inner, events: list[str]) -> None:
        self.inner, self.events = inner, events
        self.model_id, self.max_input_tokens = inner.model_id, inner.max_input_tokens

    def generate(self, prompts, config=None):
        self.events.append(f"model x{len(prompts)}")
        return self.inner.generate(prompts, config)

    def generate_texts(self, prompts, config=None):
        return [h[0].text for h in self.generate(prompts, config)]


def test_records_are_handed_out_before_the_rest_is_drafted(tmp_path: Path, tiny_t5: Path):
    from assistant.engine import load_generator

    root = _repo(tmp_path / "repo", files=6, functions=12)  # 72 symbols: 3 groups
    events: list[str] = []
    generator = Recording(load_generator(tiny_t5, threads=1), events)
    settings = PipelineSettings(
        cache_dir=tmp_path / "cache", update_index=False, num_beams=1, min_confidence=0.0
    )
    pipeline = DocPipeline(root, settings, generator=generator)
    try:
        report = document_paths(
            pipeline, [root], on_result=lambda r: events.append(f"record {r.qualname}")
        )
    finally:
        pipeline.close()
    records = [e for e in events if e.startswith("record")]
    assert len(records) == len(report.results) == 72
    first_record = events.index(records[0])
    assert any(e.startswith("model") for e in events[first_record:])  # drafting went on
    assert [f"record {r.qualname}" for r in report.results] == records  # the same order


def test_json_lines_arrive_while_the_run_goes_on(tmp_path: Path, tiny_t5: Path):
    root = _repo(tmp_path / "repo", files=30, functions=6)
    command = [
        sys.executable, "-m", "docgen", "generate", str(root), "--format", "json",
        "--model", str(tiny_t5), "--no-index", "--beams", "1", "--min-confidence", "0",
        "--cache-dir", str(tmp_path / "cache"), "-q",
    ]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        running_after_first = proc.poll() is None
        rest = proc.stdout.readlines()
        assert proc.wait(300) == 0
    record = json.loads(first)
    assert record["tier"] == "accurate" and record["path"].startswith("pkg/mod_00")
    assert running_after_first  # 170-odd symbols were still to draft
    lines = [first, *rest]
    assert len(lines) == 180
    assert all(json.loads(line)["qualname"].startswith("compute_") for line in lines)
