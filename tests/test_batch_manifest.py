"""The manifest of ``docgen batch``: its format and every error it can have."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.batch.manifest import ManifestError, read_manifest
from docgen import main


def _manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "repos.txt"
    path.write_text(text)
    return path


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    for name in ("billing", "web", "with space", "clones/api"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "notes.md").write_text("not a repository\n")
    return tmp_path


def test_paths_names_comments_quotes_and_urls(folders: Path) -> None:
    manifest = _manifest(
        folders,
        "# the organisation's repositories\n"
        "\n"
        "billing\n"
        f"{folders / 'web'}   web-frontend   # absolute, named\n"
        "'with space' spaced\n"
        "https://github.com/acme/api.git\n",
    )
    repos = read_manifest(manifest, clones=folders / "clones")
    assert [(r.name, r.path, r.url, r.line) for r in repos] == [
        ("billing", (folders / "billing").resolve(), "", 3),
        ("web-frontend", (folders / "web").resolve(), "", 4),
        ("spaced", (folders / "with space").resolve(), "", 5),
        ("api", (folders / "clones" / "api").resolve(), "https://github.com/acme/api.git", 6),
    ]


def test_a_scp_style_url_is_looked_up_beside_the_manifest_by_default(folders: Path) -> None:
    (folders / "tools").mkdir()
    repos = read_manifest(_manifest(folders, "git@github.com:acme/tools.git\n"))
    assert repos[0].path == (folders / "tools").resolve() and repos[0].name == "tools"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("missing-folder\n", "missing-folder does not exist"),
        ("notes.md\n", "notes.md is not a folder"),
        ("billing\nweb billing\n", "repos.txt:2: the name 'billing' is already used on line 1"),
        ("billing one two\n", "expected `PATH-OR-URL [NAME]`, got 3 words"),
        ("billing ../escape\n", "the name '../escape' may hold only letters"),
        ("billing .cache\n", "the name '.cache' may hold only letters"),
        ("'billing\n", "No closing quotation"),
        ("https://example.com/acme/nowhere.git\n", "is not cloned at"),
        ("# nothing\n\n", "lists no repository"),
    ],
)
def test_errors_name_the_line_and_what_to_do(folders: Path, text: str, expected: str) -> None:
    with pytest.raises(ManifestError) as caught:
        read_manifest(_manifest(folders, text))
    assert expected in str(caught.value)


def test_the_same_folder_twice_is_refused(folders: Path) -> None:
    with pytest.raises(ManifestError, match="already listed on line 1"):
        read_manifest(_manifest(folders, f"billing\n{folders / 'billing'} other\n"))


def test_every_problem_is_listed_at_once(folders: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        read_manifest(_manifest(folders, "nowhere\nbilling\nnotes.md\n"))
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[0].rsplit(":", 1)[1] for line in lines] == ["1", "3"]


def test_a_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such manifest"):
        read_manifest(tmp_path / "absent.txt")


def test_the_command_prints_the_problems_and_exits_2(folders: Path, capsys) -> None:
    manifest = _manifest(folders, "nowhere\nnotes.md\n")
    code = main(["batch", str(manifest), "--out", str(folders / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "docgen: error: " in err and "nowhere does not exist" in err
    assert "notes.md is not a folder" in err
    assert "Traceback" not in err
    assert not (folders / "out").exists()
