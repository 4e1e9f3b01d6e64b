"""Optional dependencies (issue #15): the default path runs without torch and friends, and
every path that needs an extra says which one, in one line (exit 1 / an LSP message).

A missing package is simulated for real in a child process: a finder at the front of
``sys.meta_path`` makes importing it fail as it does when the package is not installed.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from indexer.extras import DISTRIBUTION, MissingExtra, missing_extra, require

EXTRAS_ONLY = ("torch", "transformers", "sentence_transformers", "optimum", "datasketch", "onnx")

RUNNER = textwrap.dedent(
    """
    import importlib.abc, sys
    BLOCKED = set(sys.argv[1].split(","))

    class Missing(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Missing())
    from docgen import main
    sys.exit(main(sys.argv[2:]))
    """
)


def docgen_without(blocked: tuple[str, ...], *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh process where the ``blocked`` top-level packages are absent."""
    return subprocess.run(
        [sys.executable, "-c", RUNNER, ",".join(blocked), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line(done: subprocess.CompletedProcess, feature: str, extra: str) -> None:
    expected = f"docgen: {missing_extra(feature, extra)}"
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert expected in lines, done.stderr
    assert "Traceback" not in done.stderr


def test_message_format() -> None:
    assert missing_extra("docgen model train", "train") == (
        f"docgen model train needs the 'train' extra: pip install '{DISTRIBUTION}[train]'"
    )
    assert DISTRIBUTION == "docgen-assistant"


def test_require_tells_a_missing_module_from_a_broken_one(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(MissingExtra) as caught:
        require("no_such_module_docgen_test", "a feature", "export")
    assert caught.value.extra == "export"
    (tmp_path / "broken_docgen_probe.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):  # not our extra: its own error stands
        require("broken_docgen_probe", "a feature", "export")


def test_default_path_needs_no_extra(sample_repo: Path, tmp_path: Path) -> None:
    """index + generate --diff on the shipped models with every extra's package absent
    (the session cache dir is fresh, so nothing exported earlier can help)."""
    indexed = docgen_without(EXTRAS_ONLY, "index", ".", cwd=sample_repo)
    assert indexed.returncode == 0, indexed.stderr
    assert "needs the" not in indexed.stderr
    assert "without embeddings" not in indexed.stderr
    drafted = docgen_without(
        EXTRAS_ONLY, "generate", ".", "--diff", "--cache-dir", str(tmp_path / "c"), cwd=sample_repo
    )
    assert drafted.returncode in (0, 1), drafted.stderr
    assert "needs the" not in drafted.stderr
    assert drafted.stdout.startswith("---"), drafted.stdout[:200] + drafted.stderr


def test_torch_embedding_backend_names_the_torch_extra(sample_repo: Path) -> None:
    done = docgen_without(
        ("torch", "sentence_transformers"),
        "index",
        ".",
        "--embedding-backend",
        "torch",
        cwd=sample_repo,
    )
    one_line(done, "the embedding backend 'torch'", "torch")


def test_user_embedding_model_export_names_the_export_extra(sample_repo: Path) -> None:
    folder = sample_repo.parent / "my-minilm"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"not read before the extra check")
    done = docgen_without(
        ("torch", "sentence_transformers"),
        "index",
        ".",
        "--embedding-model",
        str(folder),
        cwd=sample_repo,
    )
    one_line(done, f"exporting embedding model {str(folder)!r} to ONNX", "export")


def test_pytorch_t5_backend_names_the_torch_extra(sample_repo: Path, tmp_path: Path) -> None:
    done = docgen_without(
        ("torch",),
        "generate",
        ".",
        "--no-index",
        "--backend",
        "pytorch",
        "--cache-dir",
        str(tmp_path / "c"),
        cwd=sample_repo,
    )
    one_line(done, "the PyTorch backend (--backend pytorch)", "torch")


def test_exporting_a_hugging_face_t5_names_the_export_extra(tiny_t5: Path, tmp_path: Path) -> None:
    done = docgen_without(
        ("torch", "transformers", "optimum"),
        "model",
        "export",
        str(tiny_t5),
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
    )
    one_line(done, f"exporting {tiny_t5} to ONNX", "export")


def test_training_and_dataset_name_the_train_extra(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("")
    done = docgen_without(
        ("torch",),
        "model",
        "train",
        "--data",
        str(data),
        "--tokenizer",
        str(tmp_path),
        "--out",
        str(tmp_path / "o"),
        cwd=tmp_path,
    )
    one_line(done, "docgen model train", "train")
    done = docgen_without(
        ("datasketch",), "dataset", "build", "--out", str(tmp_path / "ds"), cwd=tmp_path
    )
    one_line(done, "docgen dataset build", "train")


def test_language_server_shows_the_one_line() -> None:
    from lsp.options import ServerOptions
    from lsp.pipeline_service import _explain

    exc = MissingExtra("exporting my-t5 to ONNX", "export")
    assert _explain(exc, ServerOptions()) == f"docgen: {exc}"
