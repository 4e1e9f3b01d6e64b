"""Walking a repository: ignores, vendored folders, limits, symlinks, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

from indexer.walker import WalkOptions, select, walk


def _write(root: Path, rel: str, content: bytes = b"x = 1\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_gitignore_excludes_and_vendored(tmp_path):
    _write(tmp_path, "pkg/a.py")
    _write(tmp_path, "pkg/gen/b.py")
    _write(tmp_path, "pkg/skip_me.py")
    _write(tmp_path, "pkg/.gitignore", b"skip_me.py\n")
    _write(tmp_path, ".gitignore", b"gen/\n")
    _write(tmp_path, "node_modules/lib/index.js")
    _write(tmp_path, ".venv/lib/site.py")
    _write(tmp_path, "docs/conf.py")
    _write(tmp_path, "README.md", b"# hi\n")
    _write(tmp_path, "__pycache__/a.py")
    result = walk(tmp_path, WalkOptions(exclude=["docs/"]))
    assert sorted(result.files) == ["pkg/a.py"]
    assert result.skipped == {"vendored": 2, "gitignored": 2, "excluded": 1}


def test_size_limit_and_fifo(tmp_path):
    _write(tmp_path, "big.py", b"#" * 2000)
    _write(tmp_path, "small.py")
    os.mkfifo(tmp_path / "pipe.py")
    result = walk(tmp_path, WalkOptions(max_file_bytes=1000))
    assert sorted(result.files) == ["small.py"]
    assert result.skipped == {"too large": 1, "not a regular file": 1}


def test_symlinks_loops_and_outside(tmp_path):
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    _write(outside, "secret.py")
    _write(repo, "pkg/a.py")
    (repo / "pkg" / "loop").symlink_to(repo / "pkg")  # a loop back to its parent
    (repo / "ext").symlink_to(outside)  # a folder outside the repository
    (repo / "ext.py").symlink_to(outside / "secret.py")
    (repo / "dangling.py").symlink_to(repo / "missing.py")
    result = walk(repo)
    assert sorted(result.files) == ["pkg/a.py"]
    assert result.skipped["outside the repository"] == 2
    assert result.skipped["unreadable"] == 1


def test_explicit_files_still_honour_excludes(tmp_path):
    a = _write(tmp_path, "src/a.py")
    legacy = _write(tmp_path, "legacy/old.py")
    ignored = _write(tmp_path, "build/gen.py")
    result = select(
        [a, legacy, ignored, tmp_path / "gone.py"], tmp_path, WalkOptions(exclude=["legacy/"])
    )
    assert sorted(result.files) == ["src/a.py"]
    assert result.skipped == {"excluded": 1, "vendored": 1, "missing": 1}


def test_explicit_relative_paths_from_the_root(tmp_path, monkeypatch):
    _write(tmp_path, "src/a.py")
    monkeypatch.chdir(tmp_path)
    result = select([Path("src/a.py"), Path("/etc/hostname")], tmp_path)
    assert list(result.files) == ["src/a.py"]
    assert result.skipped == {"outside the repository": 1}
