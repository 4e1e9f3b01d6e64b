"""The MCP server: docgen's tools and resources declared with the official ``mcp`` SDK.

Tools are typed functions (the SDK derives each input schema from the parameters and the
output schema from the pydantic result model, so results are structured); the work is
:class:`assistant.mcp_server.service.DocService`'s. Transport is the SDK's: stdio, or
streamable HTTP on 127.0.0.1. A path outside the root is a protocol error (invalid
params), a request that cannot be answered (unknown symbol, no index, a refused write)
a tool error whose text says what to do next; neither stops the server.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, ToolAnnotations
from pydantic import BaseModel, Field

from assistant.mcp_server.service import DocService, OutsideRoot, ToolProblem
from assistant.pipeline import EngineError, RankerError
from indexer.extras import DISTRIBUTION

INSTRUCTIONS = (
    "docgen answers questions about this repository's documentation from its own index, "
    "offline: search_symbols finds symbols by name and meaning, get_documentation returns a "
    "symbol's docstring or a draft marked as such, list_undocumented and check report what "
    "`docgen check` reports, draft_docstring shows a draft and its diff without writing, "
    "apply_docstring writes one docstring (only when the server runs with --allow-write). "
    "Paths are relative to the repository root."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


class SymbolHit(BaseModel):
    """One symbol found by ``search_symbols``."""

    path: str
    qualname: str
    kind: str
    line: int
    signature: str
    documented: bool
    summary: str | None = Field(description="The docstring's first sentence, if documented")
    score: float
    match: Literal["name", "semantic", "name+semantic"]


class SearchResult(BaseModel):
    query: str
    results: list[SymbolHit]
    notes: list[str]


class Documentation(BaseModel):
    """A symbol's documentation: its own docstring, or a draft."""

    path: str
    qualname: str
    kind: str
    line: int
    signature: str
    documented: bool
    source: Literal["existing", "draft"] = Field(
        description="'existing': the symbol's docstring; 'draft': generated, not in the file"
    )
    docstring: str
    confidence: float | None = Field(description="The draft's confidence 0..1 (drafts only)")
    record: dict[str, Any] | None = Field(
        description="The draft's JSON record (README 'JSON records': provenance, tier, ...)"
    )
    notes: list[str]


class UndocumentedSymbol(BaseModel):
    path: str
    line: int
    col: int
    kind: str
    qualname: str


class UndocumentedList(BaseModel):
    path_glob: str
    count: int
    symbols: list[UndocumentedSymbol]


class Finding(BaseModel):
    """One finding of ``docgen check`` (DG001: missing docstring; DG1xx/DG2xx: drift)."""

    code: str
    message: str
    path: str
    line: int
    column: int
    qualname: str
    fixable: bool


class CheckResult(BaseModel):
    findings: list[Finding]
    coverage: float
    documented: int
    total: int
    files: int


class Draft(BaseModel):
    """A drafted docstring and the edit that would insert it (nothing written)."""

    path: str
    qualname: str
    kind: str
    line: int
    signature: str
    docstring: str
    confidence: float
    below_floor: bool = Field(description="Below the confidence floor `--write` uses")
    record: dict[str, Any]
    diff: str | None = Field(description="Unified diff of the edit; None when refused")
    written: bool
    notes: list[str]


class Applied(BaseModel):
    path: str
    qualname: str
    kind: str
    line: int
    signature: str
    written: bool
    diff: str


def _call(call, args: tuple, refused: type[Exception], failed: type[Exception]):
    """Run a service call; a path out of the root is a protocol error (invalid params), a
    refusal becomes ``refused`` and a drafting failure ``failed``."""
    try:
        return call(*args)
    except OutsideRoot as exc:
        raise MCPError(INVALID_PARAMS, str(exc)) from exc
    except ToolProblem as exc:
        raise refused(str(exc)) from exc
    except (EngineError, RankerError) as exc:
        raise failed(f"cannot draft: {exc}") from exc


def _answer(call, *args):
    """A tool's service call: refusals and failures are tool errors."""
    return _call(call, args, ToolError, ToolError)


def build_server(service: DocService) -> MCPServer:
    """The MCP server over ``service`` (not started)."""
    from importlib.metadata import version

    server = MCPServer(
        "docgen",
        instructions=INSTRUCTIONS,
        version=version(DISTRIBUTION),
        log_level="WARNING",
    )

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def search_symbols(
        query: Annotated[str, Field(description="Words of a name or what the code does")],
        k: Annotated[int, Field(ge=1, le=100, description="How many results")] = 10,
    ) -> SearchResult:
        """Find symbols (documented or not) by name and by meaning over the repository's
        index; each with path, line, qualname, signature and summary."""
        return SearchResult.model_validate(_answer(service.search_symbols, query, k))

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def get_documentation(
        path: Annotated[str, Field(description="File path relative to the repository root")],
        qualname: Annotated[str, Field(description="Qualified name, e.g. 'Class.method'")],
    ) -> Documentation:
        """The symbol's existing docstring, or (when it has none) a draft marked
        source='draft' with its confidence, tier and provenance."""
        return Documentation.model_validate(_answer(service.get_documentation, path, qualname))

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def list_undocumented(
        path_glob: Annotated[
            str, Field(description="Gitignore-style pattern relative to the root")
        ] = "**",
    ) -> UndocumentedList:
        """Symbols that need a docstring and have none (the rule of `docgen check`)."""
        return UndocumentedList.model_validate(_answer(service.list_undocumented, path_glob))

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def check(
        paths: Annotated[
            list[str] | None, Field(description="Files or folders (default: the whole root)")
        ] = None,
        select: Annotated[
            list[str] | None,
            Field(description="Code prefixes to keep, e.g. ['DG001'] or ['DG1']; implies stale"),
        ] = None,
        stale: Annotated[
            bool,
            Field(description="Also check documented symbols against their code (DG1xx, DG2xx)"),
        ] = False,
    ) -> CheckResult:
        """The findings of `docgen check` (same codes: DG001 missing docstring; with stale,
        DG1xx/DG2xx docstrings that no longer match their code) and the coverage."""
        return CheckResult.model_validate(_answer(service.check, paths, select, stale))

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def draft_docstring(
        path: Annotated[str, Field(description="File path relative to the repository root")],
        qualname: Annotated[str, Field(description="Qualified name, e.g. 'Class.method'")],
        style: Literal["auto", "google", "numpy", "sphinx", "pep257"] = "auto",
    ) -> Draft:
        """Draft a docstring and return it with the unified diff of the edit that would
        insert it; nothing is written."""
        return Draft.model_validate(_answer(service.draft_docstring, path, qualname, style))

    @server.tool(
        annotations=ToolAnnotations(
            read_only_hint=False, destructive_hint=False, idempotent_hint=True
        ),
        structured_output=True,
    )
    def apply_docstring(
        path: Annotated[str, Field(description="File path relative to the repository root")],
        qualname: Annotated[str, Field(description="Qualified name, e.g. 'Class.method'")],
        docstring: Annotated[str, Field(description="The docstring's text, without quotes")],
        replace_existing: bool = False,
    ) -> Applied:
        """Write one docstring with `docgen generate --write`'s checks (the file must
        parse before and after, only the docstring changes, a file changed since it was
        read is not overwritten). Only when the server runs with --allow-write."""
        return Applied.model_validate(
            _answer(service.apply_docstring, path, qualname, docstring, replace_existing)
        )

    @server.resource("docgen://coverage", name="coverage", mime_type="application/json")
    def coverage() -> str:
        """Docstring coverage of the repository (`docgen check --format json`)."""
        return json.dumps(_read(service.coverage).to_dict(), indent=2)

    @server.resource(
        "docgen://symbol/{+path}/{qualname}", name="symbol", mime_type="application/json"
    )
    def symbol(path: str, qualname: str) -> str:
        """One symbol's documentation, as get_documentation returns it."""
        return json.dumps(_read(service.get_documentation, path, qualname), indent=2)

    return server


def _read(call, *args):
    """A resource's service call: a refusal is "not found", a failure a resource error."""
    return _call(call, args, ResourceNotFoundError, ResourceError)


def run(service: DocService, http_port: int | None = None) -> None:
    """Serve until the client goes away: stdio, or streamable HTTP on 127.0.0.1."""
    server = build_server(service)
    try:
        if http_port is None:
            server.run("stdio")
        else:
            server.run("streamable-http", host="127.0.0.1", port=http_port)
    finally:
        service.close()
