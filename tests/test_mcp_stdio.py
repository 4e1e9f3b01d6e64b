"""``docgen mcp`` driven by the ``mcp`` SDK's own client over stdio, as a coding agent would.

One server per module serves the read-only tests (on an indexed copy of the sample
repository, drafting with the tiny T5); the write tests start their own with and without
``--allow-write`` on their own copies. Every refusal is checked to be an answer (a tool
error or a protocol error) after which the same server still answers.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

pytest.importorskip("mcp.server.mcpserver")  # the `mcp` extra ([dev] has it)

from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402

from tests.conftest import SAMPLE  # noqa: E402

DOCGEN = str(Path(sys.executable).parent / "docgen")
TOOLS = {
    "search_symbols",
    "get_documentation",
    "list_undocumented",
    "check",
    "draft_docstring",
    "apply_docstring",
}
MODELS = "inventory/models.py"


class Client:
    """An SDK ``ClientSession`` over stdio to one ``docgen mcp`` process, used from
    synchronous tests: the session lives in a thread's event loop; ``call`` runs one
    coroutine of it there and returns (or raises) its outcome."""

    def __init__(self, *args: str, timeout: float = 180) -> None:
        self.params = StdioServerParameters(command=DOCGEN, args=["mcp", *args])
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.ready: Future = Future()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))
        self.thread.start()
        self.init = self.ready.result(timeout=timeout)

    async def _main(self) -> None:
        self.stop = asyncio.Event()
        try:
            async with stdio_client(self.params) as (read, write):
                async with ClientSession(read, write) as session:
                    self.session = session
                    self.ready.set_result(await session.initialize())
                    await self.stop.wait()
        except BaseException as exc:  # noqa: BLE001 - reported to the waiting test
            if not self.ready.done():
                self.ready.set_exception(exc)

    def call(self, make):
        """Run ``make(session)`` (a coroutine) in the session's loop; its result."""
        future = asyncio.run_coroutine_threadsafe(make(self.session), self.loop)
        return future.result(timeout=self.timeout)

    def tool(self, name: str, arguments: dict | None = None):
        return self.call(lambda s: s.call_tool(name, arguments or {}))

    def structured(self, name: str, arguments: dict | None = None) -> dict:
        result = self.tool(name, arguments)
        assert not result.is_error, result.content
        return result.structured_content

    def resource(self, uri: str) -> str:
        return self.call(lambda s: s.read_resource(uri)).contents[0].text

    def alive(self) -> None:
        """The server still answers (after an error)."""
        assert self.structured("list_undocumented", {"path_glob": MODELS})["count"] >= 1

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=60)
        self.loop.close()


def _index(repo: Path) -> None:
    done = subprocess.run([DOCGEN, "index", str(repo)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An indexed copy of the sample repository (read-only for the module's tests)."""
    repo = tmp_path_factory.mktemp("mcp") / "sample_repo"
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    outside = repo.parent / "outside.py"
    outside.write_text("def secret():\n    return 42\n")
    (repo / "inventory" / "leak.py").symlink_to(outside)
    (repo / "inventory" / "leakdir").symlink_to(repo.parent, target_is_directory=True)
    _index(repo)
    return repo


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, tiny_t5: Path) -> Path:
    """A --config file: draft with the tiny T5, one beam, no confidence floor."""
    path = tmp_path_factory.mktemp("mcp-config") / "pyproject.toml"
    path.write_text(
        f'[tool.docgen]\nmodel = "{tiny_t5}"\nnum_beams = 1\nmin_confidence = 0\n'
        'exclude = ["build/"]\nfail_under = 50\n'
    )
    return path


@pytest.fixture(scope="module")
def server(indexed: Path, config: Path):
    client = Client("--root", str(indexed), "--config", str(config))
    yield client
    client.close()


def _copy(indexed: Path, target: Path) -> Path:
    shutil.copytree(indexed, target, symlinks=True)
    return target


# --- the handshake and the tools' declarations ---------------------------------------------


def test_initialize_names_the_server_and_lists_every_tool_with_schemas(server: Client):
    assert server.init.server_info.name == "docgen"
    tools = {tool.name: tool for tool in server.call(lambda s: s.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
        assert tool.description
    assert tools["search_symbols"].input_schema["required"] == ["query"]
    assert tools["search_symbols"].input_schema["properties"]["k"]["maximum"] == 100
    styles = tools["draft_docstring"].input_schema["properties"]["style"]["enum"]
    assert styles == ["auto", "google", "numpy", "sphinx", "pep257"]
    assert tools["get_documentation"].annotations.read_only_hint is True
    assert tools["apply_docstring"].annotations.read_only_hint is False


# --- read-only tools ---------------------------------------------------------------------------


def test_search_symbols_finds_documented_and_undocumented_symbols_by_name(server: Client):
    found = server.structured("search_symbols", {"query": "price", "k": 5})["results"]
    total = next(hit for hit in found if hit["qualname"] == "Item.total_price")
    assert total["path"] == MODELS and total["line"] == 26 and total["documented"]
    assert total["signature"] == "def Item.total_price(self, quantity: int) -> int"
    assert total["summary"] == "Return the price of ``quantity`` units in cents."
    assert total["match"] in ("name", "name+semantic")
    undocumented = server.structured("search_symbols", {"query": "remove_stock"})["results"][0]
    assert undocumented["qualname"] == "Warehouse.remove_stock"
    assert undocumented["documented"] is False and undocumented["summary"] is None
    two = server.structured("search_symbols", {"query": "stock", "k": 2})["results"]
    assert len(two) == 2 and all(hit["match"].startswith("name") for hit in two)


def test_search_symbols_finds_by_meaning_documented_or_not(server: Client):
    out = server.structured("search_symbols", {"query": "how much money units cost", "k": 3})
    assert not out["notes"]
    assert out["results"] and all(hit["match"] == "semantic" for hit in out["results"])
    assert all(hit["path"].startswith("inventory/") for hit in out["results"])
    # the index holds vectors of documented symbols only; the server embeds the others
    low = server.structured("search_symbols", {"query": "items whose stock is low", "k": 3})
    first = low["results"][0]
    assert first["qualname"] == "Warehouse.low_stock" and first["documented"] is False
    assert first["match"] == "semantic"


def test_get_documentation_returns_the_existing_docstring(server: Client):
    doc = server.structured("get_documentation", {"path": MODELS, "qualname": "Item.total_price"})
    assert doc["source"] == "existing" and doc["documented"] is True
    assert doc["docstring"].startswith("Return the price of ``quantity`` units in cents.")
    assert doc["record"] is None and doc["confidence"] is None


def test_get_documentation_drafts_for_an_undocumented_symbol_and_says_so(
    server: Client, indexed: Path
):
    before = (indexed / MODELS).read_bytes()
    doc = server.structured("get_documentation", {"path": MODELS, "qualname": "Item.display_name"})
    assert doc["source"] == "draft" and doc["documented"] is False and doc["docstring"]
    record = doc["record"]
    assert record["path"] == MODELS and record["qualname"] == "Item.display_name"
    assert record["docstring"] == doc["docstring"]
    assert 0.0 <= doc["confidence"] == record["confidence"] <= 1.0
    assert record["provenance"]["source"] in ("model", "repo-neighbour", "corpus", "name")
    assert (indexed / MODELS).read_bytes() == before


def test_list_undocumented_and_check_report_what_docgen_check_reports(
    server: Client, indexed: Path
):
    done = subprocess.run(
        [DOCGEN, "check", str(indexed), "--format", "json"], capture_output=True, text=True
    )
    expected = json.loads(done.stdout)
    listed = server.structured("list_undocumented")
    assert listed["symbols"] == expected["missing"] and listed["count"] == len(expected["missing"])
    pricing = server.structured("list_undocumented", {"path_glob": "inventory/pricing.py"})
    assert {s["path"] for s in pricing["symbols"]} == {"inventory/pricing.py"}
    assert pricing["count"] == sum(m["path"] == "inventory/pricing.py" for m in expected["missing"])

    checked = server.structured("check", {"select": ["DG001"]})
    assert checked["coverage"] == expected["coverage"] and checked["total"] == expected["total"]
    assert [(f["path"], f["line"], f["qualname"]) for f in checked["findings"]] == [
        (m["path"], m["line"], m["qualname"]) for m in expected["missing"]
    ]
    finding = checked["findings"][0]
    assert finding["code"] == "DG001" and finding["fixable"] is True
    assert set(finding) == {"code", "message", "path", "line", "column", "qualname", "fixable"}
    one = server.structured("check", {"paths": ["inventory/pricing.py"]})
    assert {f["path"] for f in one["findings"]} == {"inventory/pricing.py"}
    assert {f["code"] for f in one["findings"]} == {"DG001"}  # drift only when asked


def test_check_reports_drift_as_docgen_check_stale_does(server: Client, indexed: Path):
    done = subprocess.run(
        [DOCGEN, "check", str(indexed), "--stale", "--format", "json"],
        capture_output=True,
        text=True,
    )
    expected = [f for f in json.loads(done.stdout)["findings"] if f["code"] != "DG001"]
    assert expected, "the sample repository has a drifted docstring"
    drift = server.structured("check", {"select": ["DG1", "DG2"]})["findings"]
    keys = ("code", "path", "line", "qualname", "message")
    assert [tuple(f[k] for k in keys) for f in drift] == [
        tuple(f[k] for k in keys) for f in expected
    ]
    stale = server.structured("check", {"stale": True})["findings"]
    assert {f["code"] for f in stale} == {"DG001"} | {f["code"] for f in expected}


def test_draft_docstring_returns_a_diff_and_writes_nothing(server: Client, indexed: Path):
    before = (indexed / MODELS).read_bytes()
    draft = server.structured(
        "draft_docstring", {"path": MODELS, "qualname": "Warehouse.remove_stock", "style": "numpy"}
    )
    assert draft["written"] is False and draft["docstring"]
    assert draft["diff"].startswith(f"--- a/{MODELS}\n+++ b/{MODELS}\n")
    assert '+        """' in draft["diff"]
    assert "Parameters\n" in draft["docstring"]  # the numpy style asked for
    assert draft["record"]["qualname"] == "Warehouse.remove_stock"
    assert (indexed / MODELS).read_bytes() == before


def test_resources_coverage_and_symbol(server: Client, indexed: Path):
    coverage = json.loads(server.resource("docgen://coverage"))
    assert coverage["total"] == 22 and coverage["fail_under"] == 50
    symbol = json.loads(server.resource(f"docgen://symbol/{MODELS}/Item.total_price"))
    assert symbol["source"] == "existing" and symbol["qualname"] == "Item.total_price"
    encoded = json.loads(server.resource("docgen://symbol/inventory%2Fmodels.py/Item"))
    assert encoded["kind"] == "class"
    templates = server.call(lambda s: s.list_resource_templates()).resource_templates
    assert [t.uri_template for t in templates] == ["docgen://symbol/{+path}/{qualname}"]


# --- refusals: answered, and the server goes on ------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["../outside.py", "inventory/../../outside.py", "/etc/passwd", "ABSOLUTE", "inventory/leak.py",
     "inventory/leakdir/outside.py"],
)  # fmt: skip
def test_a_path_out_of_the_root_is_a_protocol_error(server: Client, indexed: Path, path: str):
    if path == "ABSOLUTE":  # absolute, even inside the root
        path = str(indexed / MODELS)
    for name, args in [
        ("get_documentation", {"path": path, "qualname": "secret"}),
        ("draft_docstring", {"path": path, "qualname": "secret"}),
        ("check", {"paths": [path]}),
    ]:
        with pytest.raises(MCPError) as caught:
            server.tool(name, args)
        assert "repository root" in str(caught.value), (name, str(caught.value))
        assert "42" not in str(caught.value)
    server.alive()


@pytest.mark.parametrize(
    "uri",
    ["docgen://symbol/inventory/leak.py/secret", "docgen://symbol/..%2Foutside.py/secret",
     "docgen://symbol/%2Fetc%2Fpasswd/x"],
)  # fmt: skip
def test_a_resource_out_of_the_root_is_a_protocol_error(server: Client, uri: str):
    with pytest.raises(MCPError):
        server.resource(uri)
    server.alive()


def test_a_glob_out_of_the_root_is_a_protocol_error(server: Client):
    for glob in ["../*.py", "/etc/*"]:
        with pytest.raises(MCPError):
            server.tool("list_undocumented", {"path_glob": glob})
    server.alive()


@pytest.mark.parametrize(
    ("name", "arguments", "says"),
    [
        ("get_documentation", {"path": MODELS, "qualname": 3}, "valid string"),
        ("get_documentation", {"path": MODELS}, "qualname"),
        ("get_documentation", {"path": MODELS, "qualname": "Item.total_prise"}, "Item.total_price"),
        ("get_documentation", {"path": "inventory/nothing.py", "qualname": "f"}, "no such file"),
        ("search_symbols", {"query": "stock", "k": 0}, "k"),
        ("search_symbols", {"query": "   "}, "query"),
        ("check", {"select": ["E501"]}, "code prefix"),
        ("check", {"paths": ["inventory/nothing.py"]}, "no such file"),
        ("check", {"paths": "inventory"}, "valid list"),
        ("draft_docstring", {"path": MODELS, "qualname": "Item", "style": "fancy"}, "style"),
        ("no_such_tool", {}, "no_such_tool"),
    ],
)
def test_a_malformed_request_is_a_tool_error(server: Client, name, arguments, says):
    result = server.tool(name, arguments)
    assert result.is_error and says in result.content[0].text
    server.alive()


# --- writes ------------------------------------------------------------------------------------


def test_apply_docstring_without_allow_write_changes_nothing(
    indexed: Path, config: Path, tmp_path: Path
):
    repo = _copy(indexed, tmp_path / "repo")
    before = (repo / MODELS).read_bytes()
    client = Client("--root", str(repo), "--config", str(config))
    try:
        args = {"path": MODELS, "qualname": "Item.display_name", "docstring": "Name and SKU."}
        result = client.tool("apply_docstring", args)
        assert result.is_error and "--allow-write" in result.content[0].text
        client.alive()
    finally:
        client.close()
    assert (repo / MODELS).read_bytes() == before


def test_apply_docstring_with_allow_write_writes_one_docstring_safely(
    indexed: Path, config: Path, tmp_path: Path
):
    repo = _copy(indexed, tmp_path / "repo")
    before = (repo / MODELS).read_bytes()
    (repo / "inventory" / "broken.py").write_text("def f(:\n    pass\n\ndef g():\n    pass\n")
    broken = (repo / "inventory" / "broken.py").read_bytes()
    client = Client("--root", str(repo), "--config", str(config), "--allow-write")
    try:
        text = "Return the item's name with its SKU in parentheses."
        args = {"path": MODELS, "qualname": "Item.display_name", "docstring": text}
        applied = client.structured("apply_docstring", args)
        assert applied["written"] is True and f'+        """{text}"""' in applied["diff"]
        after = (repo / MODELS).read_bytes()
        assert after.replace(f'        """{text}"""\n'.encode(), b"") == before
        doc = client.structured(
            "get_documentation", {"path": MODELS, "qualname": "Item.display_name"}
        )
        assert doc["source"] == "existing" and doc["docstring"] == text

        again = client.tool("apply_docstring", {**args, "docstring": "Something else."})
        assert again.is_error and "replace_existing" in again.content[0].text
        assert (repo / MODELS).read_bytes() == after

        refused = client.tool(
            "apply_docstring", {"path": "inventory/broken.py", "qualname": "g", "docstring": "G."}
        )
        assert refused.is_error and "does not parse" in refused.content[0].text
        assert (repo / "inventory" / "broken.py").read_bytes() == broken

        with pytest.raises(MCPError):
            client.tool("apply_docstring", {"path": "inventory/leak.py", "qualname": "secret",
                                            "docstring": "Leak."})  # fmt: skip
        assert (indexed.parent / "outside.py").read_text() == "def secret():\n    return 42\n"

        replaced = client.structured(
            "apply_docstring", {**args, "docstring": "Name and SKU.", "replace_existing": True}
        )
        assert replaced["written"] is True
        assert (repo / MODELS).read_bytes() == after.replace(text.encode(), b"Name and SKU.")

        # the name search reads the index again once it changed
        before = client.structured("search_symbols", {"query": "restock_all"})["results"]
        assert "restock_all" not in [hit["qualname"] for hit in before]
        (repo / "inventory" / "extra.py").write_text("def restock_all():\n    return 0\n")
        _index(repo)
        hits = client.structured("search_symbols", {"query": "restock_all"})["results"]
        assert hits[0]["qualname"] == "restock_all" and hits[0]["path"] == "inventory/extra.py"
        assert hits[0]["match"] == "name+semantic"
    finally:
        client.close()


def test_the_model_loads_on_the_first_tool_that_needs_it(indexed: Path, tmp_path: Path):
    """A model that cannot load does not stop the server from starting or answering: only
    drafting fails, as a tool error."""
    missing = tmp_path / "no-such-model"
    client = Client("--root", str(indexed), "--model", str(missing))
    try:
        assert client.structured("check")["total"] == 22
        doc = client.structured("get_documentation", {"path": MODELS, "qualname": "Item"})
        assert doc["source"] == "existing"
        draft = client.tool("draft_docstring", {"path": MODELS, "qualname": "Item.display_name"})
        assert draft.is_error and "cannot draft" in draft.content[0].text
        client.alive()
    finally:
        client.close()
