"""Embedding models never make docgen import code they name (issue #19 item 4).

A sentence-transformers folder's ``modules.json`` names the classes to import; a crafted one
(``embedding-model = "emb"`` in a repository) made sentence-transformers import an
arbitrary module. The repository can no longer choose the folder (tests/indexer/
test_config_trust.py), and even a folder the user names is refused when its
``modules.json`` names anything outside sentence-transformers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from indexer.embed import Embedder, EmbedderError
from tests.conftest import write_tree

PLANTED = "import pathlib\npathlib.Path({marker!r}).write_text('ran')\n\nclass Planted:\n    pass\n"


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A model folder whose modules.json names an importable planted module (returns the
    folder and the file the module's import would create)."""
    marker = tmp_path / "ran"
    site = write_tree(
        tmp_path / "site", {"docgen_planted_mod.py": PLANTED.format(marker=str(marker))}
    )
    monkeypatch.syspath_prepend(str(site))
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "docgen_planted_mod.Planted"},
    ]
    folder = write_tree(
        tmp_path / "emb",
        {
            "modules.json": json.dumps(modules),
            "config.json": json.dumps({"model_type": "bert"}),
            # repository-local code sentence-transformers would load from a local folder
            "modeling_planted.py": PLANTED.format(marker=str(marker)),
        },
    )
    yield folder, marker
    sys.modules.pop("docgen_planted_mod", None)


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_modules_outside_sentence_transformers_are_refused(planted, backend) -> None:
    folder, marker = planted
    embedder = Embedder(str(folder), backend=backend)
    with pytest.raises(EmbedderError, match="modules.json") as info:
        embedder.encode(["def f(): pass"])
    assert "docgen_planted_mod.Planted" in str(info.value)
    assert not marker.exists()
    assert "docgen_planted_mod" not in sys.modules


def test_repository_local_module_code_is_refused(planted) -> None:
    folder, marker = planted
    (folder / "modules.json").write_text(
        json.dumps([{"idx": 0, "name": "0", "path": "", "type": "modeling_planted.Planted"}])
    )
    with pytest.raises(EmbedderError, match="modeling_planted.Planted"):
        Embedder(str(folder), backend="torch").encode(["x"])
    assert not marker.exists()


def test_the_shipped_model_passes_the_check() -> None:
    from indexer.embed import check_model_modules, default_model_path

    check_model_modules(str(default_model_path()))  # raises if it named foreign modules
