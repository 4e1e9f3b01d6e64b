"""The editor's missing-docstring diagnostics and ``docgen check`` flag the same symbols.

Both decide with :mod:`indexer.coverage` and read the counting rules from
``[tool.docgen]``; the fixture has a symbol for every rule (private names and private
parents, dunders, ``__init__``, nested functions, ``@overload``, property setters,
modules, Go's unexported names, JavaScript's ``#private`` and ``_private`` members).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lsprotocol import types
from pytest_lsp import LanguageClient

from docgen import cli
from docgen.check import check
from indexer.coverage import COUNTING_FLAGS
from lsp.diagnostics import MISSING, find_problems
from lsp.state import DocgenServer
from tests.conftest import write_tree
from tests.lsp.support import open_file, wait_for

FILES = {
    "pkg/shapes.py": (
        "from typing import overload\n\n\n"
        "def area(x):\n    return x\n\n\n"
        "def documented(x):\n"
        '    """Documented."""\n    return x\n\n\n'
        "def _private(x):\n    return x\n\n\n"
        "@overload\ndef scale(x: int) -> int: ...\n\n\n"
        "def outer():\n    def inner():\n        pass\n    return inner\n\n\n"
        "class Shape:\n"
        "    def __init__(self, size):\n        self._size = size\n\n"
        "    def __repr__(self):\n        return 'Shape'\n\n"
        "    def _helper(self):\n        pass\n\n"
        "    @property\n    def size(self):\n"
        '        """The size."""\n        return self._size\n\n'
        "    @size.setter\n    def size(self, value):\n        self._size = value\n\n\n"
        "class _Hidden:\n    def run(self):\n        pass\n"
    ),
    "pkg/documented.py": '"""A documented module."""\n\n\ndef public():\n    pass\n',
    "go/shapes.go": (
        "package shapes\n\n"
        "func Exported() int { return 2 }\n\n"
        "func unexported() int { return 3 }\n\n"
        "type server struct{}\n\n"
        "func (s *server) Run() {}\n"
    ),
    "web/widget.js": (
        "class Widget {\n  #secret() {}\n  _internal() {}\n  render() {}\n}\n\n"
        "function _helper() {}\n\nfunction visible() {}\n"
    ),
}

FLAGS = COUNTING_FLAGS
CASES = [
    pytest.param({}, id="defaults"),
    *(pytest.param({flag: flag != "include_module"}, id=flag) for flag in FLAGS),
    pytest.param({flag: True for flag in FLAGS}, id="everything"),
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    write_tree(root, FILES)
    monkeypatch.chdir(root)  # config discovery starts here: no other pyproject leaks in
    return root


def write_config(root: Path, table: dict[str, bool]) -> None:
    lines = [f"{name.replace('_', '-')} = {str(value).lower()}" for name, value in table.items()]
    (root / "pyproject.toml").write_text("[tool.docgen]\n" + "\n".join(lines) + "\n")


def check_flags(root: Path) -> set[tuple[str, str]]:
    """What ``docgen check`` reports missing: (path, qualname)."""
    result = CliRunner().invoke(cli, ["check", "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    assert report["files"] == len(FILES)
    return {(item["path"], item["qualname"]) for item in report["missing"]}


def editor_flags(root: Path, options: dict | None = None) -> set[tuple[str, str]]:
    """What the server's diagnostics flag as missing for each file, opened as a buffer."""
    ls = DocgenServer()
    try:
        assert ls.set_root(root) == []
        assert ls.apply_options({"indexOnStartup": False, **(options or {})}) == []
        flagged = set()
        for rel in FILES:
            path = root / rel
            buffer = ls.index.parse(path.as_uri(), path.read_text(), 1)
            flagged |= {
                (buffer.path, p.symbol.qualname)
                for p in find_problems(ls, buffer)
                if p.code == MISSING
            }
        return flagged
    finally:
        ls.shutdown_state()


def test_check_has_a_flag_for_every_counting_option():
    assert set(FLAGS) <= {param.name for param in check.params}


@pytest.mark.parametrize("table", CASES)
def test_editor_and_check_flag_the_same_symbols(project: Path, table: dict[str, bool]):
    write_config(project, table)
    expected = check_flags(project)
    assert expected  # every case flags something
    assert editor_flags(project) == expected


def test_the_fixture_exercises_every_rule(project: Path):
    write_config(project, {})
    default = {q for _, q in check_flags(project)}
    assert default == {
        "pkg.shapes",
        "area",
        "outer",
        "Shape",
        "public",  # its module is documented: not flagged
        "go.shapes",
        "Exported",
        "Widget",  # web.widget itself does not count: no JavaScript module doc is read
        "Widget.render",
        "visible",
    }
    write_config(project, {flag: True for flag in FLAGS})
    everything = {q for _, q in check_flags(project)}
    assert everything - default == {
        "_private",
        "outer.inner",
        "Shape.__init__",
        "Shape.__repr__",
        "Shape._helper",
        "Shape.size",
        "_Hidden",
        "_Hidden.run",
        "unexported",
        "server",
        "server.Run",
        "Widget.#secret",
        "Widget._internal",
        "_helper",
    }
    assert "scale" not in everything  # @overload never counts


def test_include_private_setting_adds_to_the_project_rules(project: Path):
    write_config(project, {})
    editor = editor_flags(project, {"includePrivate": True})
    write_config(project, {"include_private": True})
    assert editor == check_flags(project)


def test_bad_project_config_falls_back_to_defaults(project: Path):
    (project / "pyproject.toml").write_text("[tool.docgen]\ninclude-magic = 'sometimes'\n")
    ls = DocgenServer()
    try:
        messages = ls.set_root(project)
        assert len(messages) == 1 and "include_magic" in messages[0]
        assert not ls.counting_options().include_magic
    finally:
        ls.shutdown_state()


@pytest.mark.asyncio
async def test_server_follows_a_saved_pyproject(client: LanguageClient, workspace: Path):
    """End to end: a module without a docstring is flagged on its first line, as docgen
    check reports it, until ``include-module = false`` is saved to pyproject.toml."""
    path = workspace / "inventory" / "loose.py"
    path.write_text("def loose():\n    pass\n")
    uri = open_file(client, path)
    await wait_for(lambda: uri in client.diagnostics, what="diagnostics")
    missing = {d.data["qualname"]: d for d in client.diagnostics[uri] if d.code == MISSING}
    assert set(missing) == {"inventory.loose", "loose"}
    first_line = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=12)
    )
    assert missing["inventory.loose"].range == first_line
    pyproject = workspace / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "include-module = false\n")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=pyproject.as_uri())
        )
    )
    await wait_for(
        lambda: (
            {d.data["qualname"] for d in client.diagnostics[uri] if d.code == MISSING} == {"loose"}
        ),
        what="modules to stop counting",
    )
