"""The house's floor plan, enforced: imports point one way and never form a cycle.

Every import of our own packages is read with ``ast`` (module level, inside functions and
under ``TYPE_CHECKING`` alike: an import hidden in a function is still an arrow) and checked
against the layering of the README's "Architecture" section::

    CLI (docgen)
      -> front ends (lsp, assistant.bulk) and the workshop (assistant.workshop)
      -> pipeline core (assistant.*)
      -> engine (assistant.engine), indexer (indexer)

Inside the engine, the runtime (sessions, search, tokenizer codec, export-folder layout,
weights) never imports the exporter, and the exporter never imports a backend.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("docgen", "assistant", "lsp", "indexer")

# (layer, rank): an import may go to a lower rank, or stay inside its own layer
CLI, FRONT, WORKSHOP, CORE, ENGINE, INDEXER = (
    "cli",
    "front",
    "workshop",
    "core",
    "engine",
    "indexer",
)
RANK = {CLI: 4, FRONT: 3, WORKSHOP: 3, CORE: 2, ENGINE: 1, INDEXER: 1}

ENGINE_RUNTIME = {
    "assistant.engine.batcher",
    "assistant.engine.choice",
    "assistant.engine.codec",
    "assistant.engine.layout",
    "assistant.engine.onnx_backend",
    "assistant.engine.openvino_backend",
    "assistant.engine.search",
    "assistant.engine.source",
    "assistant.engine.torch_backend",
    "assistant.engine.types",
    "assistant.engine.weights",
}
ENGINE_EXPORTER = {
    "assistant.engine.export",
    "assistant.engine.onnx_tools",
    "assistant.engine.t5_graph",
}
ENGINE_BACKENDS = {
    "assistant.engine.onnx_backend",
    "assistant.engine.openvino_backend",
    "assistant.engine.torch_backend",
}
# leaves every layer may import: they import nothing of ours (checked below), so no arrow
# through them can point up (the missing-extra message and the CPU description with its
# backend-choice cache are shared by indexer and engine)
SHARED_LEAVES = {"indexer.extras", "indexer.cpuinfo"}

# third-party adapters that stay inside one layer ("click never leaves the CLI", ...)
CONFINED = {
    "click": ("docgen",),
    "lsprotocol": ("lsp",),
    "pygls": ("lsp",),
    "mcp": ("assistant.mcp_server", "docgen.mcp_cmd"),  # the command only checks for the extra
    "ray": ("assistant.batch.executors",),
    # the [openvino] extra: the engine's backend and the embedder's runner
    "openvino": ("assistant.engine.openvino_backend", "indexer.openvino_embed"),
}


# Packages of each layer, by module prefix. The front ends are separate rooms of one floor:
# each is a client of the core and none imports another (a new front end, such as an MCP
# server, gets its own entry here).
FRONT_ENDS = ("lsp", "assistant.bulk", "assistant.batch", "assistant.mcp_server")
# A front end built on another one: its arrows to that one are allowed (one way only, the
# cycle test keeps it so); it is still a room of its own towards every other front end.
BUILT_ON = {"assistant.batch": "assistant.bulk"}
LAYER_PREFIXES = (
    ("docgen", CLI),
    ("assistant.workshop", WORKSHOP),
    *((front, FRONT) for front in FRONT_ENDS),
    ("assistant.engine", ENGINE),
    ("indexer", INDEXER),
    ("assistant", CORE),
)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def layer(module: str) -> str:
    """The layer a module of ours belongs to."""
    return next(name for prefix, name in LAYER_PREFIXES if _within(module, prefix))


def _group(module: str) -> str:
    """The room of a module: its front end, or its layer."""
    return next((front for front in FRONT_ENDS if _within(module, front)), layer(module))


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of ours that ``name`` (a module or ``module.attribute``) lands in."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """Yield (imported module of ours or top-level third-party name, line) for each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _edges() -> list[tuple[str, str, int]]:
    edges = set()
    for module, path in MODULES.items():
        for name, line in _imports(module, path):
            target = _resolve(name)
            if target is not None and target != module:
                edges.add((module, target, line))
    return sorted(edges)


EDGES = _edges()


def _forbidden(source: str, target: str) -> str | None:
    """Why the arrow ``source -> target`` runs against the floor plan, or None."""
    a, b = layer(source), layer(target)
    if target in SHARED_LEAVES or BUILT_ON.get(_group(source)) == _group(target):
        return None
    if a == b and _group(source) != _group(target):
        return f"{a} rooms do not import each other"
    if a != b and RANK[b] >= RANK[a]:
        return f"{a} may not import {b}"
    if source in ENGINE_RUNTIME and target in ENGINE_EXPORTER:
        return "the engine runtime never imports the exporter"
    if source in ENGINE_EXPORTER and target in ENGINE_BACKENDS:
        return "the exporter never imports a runtime backend"
    return None


def test_the_walk_sees_the_house() -> None:
    # guard against a walker that silently finds nothing (the checks below would pass)
    assert {
        "assistant.pipeline",
        "assistant.engine.loading",
        "lsp.server",
        "indexer.coverage",
    } <= set(MODULES)
    assert any(s == "assistant.pipeline" and layer(t) == ENGINE for s, t, _ in EDGES)
    assert _forbidden("assistant.engine.search", "assistant.pipeline")
    assert _forbidden("assistant.pipeline", "lsp.server")
    assert _forbidden("lsp.hover", "assistant.bulk")
    assert _forbidden("assistant.mcp_server", "lsp.state")
    assert _forbidden("assistant.pipeline", "assistant.workshop.training.train")
    assert _forbidden("assistant.engine.onnx_backend", "assistant.engine.export")
    assert not _forbidden("docgen.generate", "assistant.bulk")
    assert not _forbidden("assistant.batch.stages", "assistant.bulk")
    assert _forbidden("assistant.bulk", "assistant.batch.run")
    assert _forbidden("assistant.batch.run", "lsp.state")
    assert _forbidden("assistant.batch.run", "docgen.batch")
    assert _forbidden("lsp.hover", "assistant.batch")
    assert not _forbidden("docgen.batch", "assistant.batch.run")
    assert _forbidden("lsp.server", "docgen.serve")


def test_shared_leaves_import_nothing_of_ours() -> None:
    assert SHARED_LEAVES <= set(MODULES)
    assert not [(s, t) for s, t, _ in EDGES if s in SHARED_LEAVES]


def test_imports_point_one_way() -> None:
    wrong = [
        f"{MODULES[s].relative_to(ROOT)}:{line}: {s} -> {t} ({why})"
        for s, t, line in EDGES
        if (why := _forbidden(s, t))
    ]
    assert not wrong, "imports against the layering:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for s, t, _ in EDGES:
        graph[s].add(t)
    cycles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)


def test_the_language_server_sees_the_core_through_one_module() -> None:
    """lsp/ reaches the pipeline (and its errors and priorities) through assistant.pipeline."""
    wrong = [
        f"{MODULES[s].relative_to(ROOT)}:{line}: {t}"
        for s, t, line in EDGES
        if _within(s, "lsp") and _within(t, "assistant") and t != "assistant.pipeline"
    ]
    assert not wrong, "lsp imports the core around assistant.pipeline:\n" + "\n".join(wrong)


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_adapters_stay_in_their_layer(library: str) -> None:
    homes = CONFINED[library]
    leaks = [
        f"{MODULES[m].relative_to(ROOT)}:{line}"
        for m, path in MODULES.items()
        for name, line in _imports(m, path)
        if name.split(".")[0] == library and not any(_within(m, h) for h in homes)
    ]
    assert not leaks, f"{library} imported outside {homes}: {leaks}"


def test_no_import_error_fallbacks_for_our_own_packages() -> None:
    """An ``except ImportError`` around our own import hides a broken layout."""
    found = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            caught = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if not caught & {"ImportError", "ModuleNotFoundError"}:
                continue
            ours = [
                n
                for stmt in node.body
                for n in ast.walk(stmt)
                if isinstance(n, ast.Import | ast.ImportFrom)
                and any(
                    (getattr(n, "module", None) or a.name).split(".")[0] in PACKAGES
                    for a in n.names
                )
            ]
            found += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ours]
    assert not found, f"ImportError fallbacks around our own imports: {found}"


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph is small, but recursion limits are not)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                result.append(component)
    return result


BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_benchmarks_use_public_apis_only(script: Path) -> None:
    """No path tricks, no private names of ours or of another benchmark, no private reads."""
    found = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            private = node.attr.startswith("_") and not node.attr.startswith("__")
            if private and ast.unparse(node.value) not in ("self", "cls"):
                found.append(f"line {node.lineno}: reads {ast.unparse(node)}")
            if ast.unparse(node) in ("sys.path.insert", "sys.path.append"):
                found.append(f"line {node.lineno}: changes sys.path")
        elif isinstance(node, ast.ImportFrom):
            names = [
                a.name for a in node.names if a.name.startswith("_") and a.name != "__future__"
            ]
            found += [f"line {node.lineno}: imports {node.module}.{n}" for n in names]
    assert not found, f"{script.name}: " + "; ".join(found)
