"""Benchmark the docgen language server over stdio, as an editor drives it.

Starts the real server (``python -m lsp``) on a copy of examples/sample_repo plus a
generated module of undocumented functions, then measures, client side:

* hover on a documented symbol (p50/p95/p99);
* hover drafting an undocumented symbol, uncached (each symbol once) and cached (again);
* server RSS with the drafting model and the embedding model loaded (after indexing
  with embeddings);
* a soak of mixed requests (hovers, code actions, edits, stats): errors and RSS growth.

The drafting model is the embedded one when it is installed, else a tiny random T5
built on the spot (the output says which). Run::

    .venv/bin/python benchmarks/lsp_bench.py            # full: 1,000-request soak
    .venv/bin/python benchmarks/lsp_bench.py --quick    # smaller counts, ~1-2 minutes
    .venv/bin/python benchmarks/lsp_bench.py --json     # machine-readable result
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import machine
from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample_repo"

_VERBS = ("load", "parse", "merge", "count", "render", "find", "update", "split", "check")
_NOUNS = ("items", "orders", "prices", "rows", "names", "tokens", "paths", "records")


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds (nearest rank)."""
    values = sorted(samples)

    def rank(q: float) -> float:
        return values[max(1, math.ceil(q / 100 * len(values))) - 1] * 1000

    return {
        "n": len(values),
        "p50_ms": round(rank(50), 2),
        "p95_ms": round(rank(95), 2),
        "p99_ms": round(rank(99), 2),
        "max_ms": round(values[-1] * 1000, 2),
    }


def generated_module(count: int, seed: int = 0) -> str:
    """Python source with ``count`` distinct undocumented functions."""
    rng = random.Random(seed)
    parts = ['"""Generated functions for the language server benchmark."""\n']
    for i in range(count):
        verb, noun, other = rng.choice(_VERBS), rng.choice(_NOUNS), rng.choice(_NOUNS)
        parts.append(
            f"\n\ndef {verb}_{noun}_{i}({noun}: list[str], limit: int = {i + 1}) -> list[str]:\n"
            f"    {other} = [x.strip() for x in {noun} if x]\n"
            f"    if len({other}) > limit:\n"
            f"        raise ValueError('too many {noun}')\n"
            f"    return sorted({other})[:limit]\n"
        )
    return "".join(parts)


def make_client() -> LanguageClient:
    """A pygls client that answers the server's requests like an editor."""
    client = LanguageClient("docgen-bench", "1")
    client.diagnostics = {}

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def _register(params):  # noqa: ANN001
        return None

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def _progress_create(params):  # noqa: ANN001
        return None

    @client.feature(types.PROGRESS)
    def _progress(params):  # noqa: ANN001
        return None

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params):  # noqa: ANN001
        client.diagnostics[params.uri] = params.diagnostics

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def _message(params):  # noqa: ANN001
        print(f"server says: {params.message}", file=sys.stderr)

    return client


class Session:
    """One server process with an initialized session."""

    def __init__(self, root: Path, options: dict[str, Any], env: dict[str, str]) -> None:
        self.root, self.options, self.env = root, options, env
        self.client = make_client()
        self.errors: list[str] = []
        self.pid: int | None = None

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "lsp", env=self.env)
        self.pid = _child_pid(["-m", "lsp"])
        caps = types.ClientCapabilities(
            window=types.WindowClientCapabilities(work_done_progress=True),
            text_document=types.TextDocumentClientCapabilities(
                code_action=types.CodeActionClientCapabilities(
                    resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"])
                )
            ),
        )
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=caps,
                root_uri=self.root.as_uri(),
                initialization_options=self.options,
            )
        )
        self.client.initialized(types.InitializedParams())

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=path.read_text()
                )
            )
        )
        return uri

    async def hover(self, uri: str, line: int, character: int) -> tuple[float, Any]:
        start = time.perf_counter()
        result = await self.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=character),
            )
        )
        return time.perf_counter() - start, result

    async def command(self, name: str, *args: Any) -> Any:
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=name, arguments=list(args) or None)
        )

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await asyncio.sleep(0.2)
        await self.client.stop()


def def_lines(path: Path) -> list[int]:
    return [i for i, line in enumerate(path.read_text().splitlines()) if line.startswith("def ")]


async def bench_hover_documented(session: Session, root: Path, n: int) -> dict[str, Any]:
    path = root / "inventory" / "pricing.py"
    uri = session.open(path)
    line = next(i for i in def_lines(path) if "price_with_tax" in path.read_text().splitlines()[i])
    for _ in range(5):  # warm-up (first parse, imports)
        await session.hover(uri, line, 6)
    samples = []
    for _ in range(n):
        elapsed, result = await session.hover(uri, line, 6)
        assert result is not None and "with tax added" in result.contents.value
        samples.append(elapsed)
    return percentiles(samples)


async def bench_hover_drafting(
    session: Session, root: Path, n: int, offset: int = 0
) -> dict[str, Any]:
    path = root / "generated.py"
    uri = session.open(path)
    lines = def_lines(path)
    # load the model (and the embedder, if retrieval is on) with an unmeasured symbol
    load_start = time.perf_counter()
    await session.hover(uri, lines[-1 - offset // max(n, 1)], 6)
    first_load_s = time.perf_counter() - load_start
    uncached, cached = [], []
    lines = lines[offset:]
    for line in lines[:n]:
        elapsed, result = await session.hover(uri, line, 6)
        text = result.contents.value if result else ""
        if "docgen draft (generated" not in text or ", cached)" in text:
            session.errors.append(f"uncached hover on line {line}: {text[:120]!r}")
        uncached.append(elapsed)
    for line in lines[:n]:
        elapsed, result = await session.hover(uri, line, 6)
        text = result.contents.value if result else ""
        if ", cached)" not in text:
            session.errors.append(f"cached hover on line {line}: {text[:120]!r}")
        cached.append(elapsed)
    return {
        "first_hover_with_model_load_s": round(first_load_s, 2),
        "uncached": percentiles(uncached),
        "cached": percentiles(cached),
    }


async def index_while_hovering(session: Session, root: Path) -> tuple[dict, dict]:
    """Run docgen.indexWorkspace and hover a documented symbol until it finishes: hover
    must not wait for indexing."""
    path = root / "inventory" / "models.py"
    uri = session.open(path)
    line = next(i for i, t in enumerate(path.read_text().splitlines()) if "class Item" in t)
    task = asyncio.ensure_future(session.command("docgen.indexWorkspace"))
    samples = []
    while not task.done():
        elapsed, result = await session.hover(uri, line, 7)
        if result is None or "A product" not in result.contents.value:
            session.errors.append("hover during indexing lost its answer")
        samples.append(elapsed)
        await asyncio.sleep(0.02)
    return await task, percentiles(samples or [0.0])


async def draft_edited_buffer(session: Session, root: Path) -> float:
    """Edit generated.py (so its hash differs from the index) and draft a symbol: the
    pipeline must embed it for retrieval, loading the embedding model in the server.
    Returns the server's RSS afterwards."""
    path = root / "generated.py"
    uri = path.as_uri()
    session.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=99),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=1, character=0),
                        end=types.Position(line=1, character=0),
                    ),
                    text="# edited\n",
                )
            ],
        )
    )
    line = def_lines(path)[3] + 1  # shifted by the inserted line
    _, result = await session.hover(uri, line, 6)
    if result is None or "docgen draft" not in result.contents.value:
        session.errors.append("draft of an edited buffer failed")
    return (await session.command("docgen.stats"))["rss_mb"]


async def soak(session: Session, root: Path, n: int) -> dict[str, Any]:
    """Mixed requests: hovers (documented, drafted cached, call site), code action
    lists and resolves, edits, stats. Returns error count and RSS before/after."""
    pricing = root / "inventory" / "pricing.py"
    reports = root / "inventory" / "reports.py"
    generated = root / "generated.py"
    uris = {p: session.open(p) for p in (pricing, reports, generated)}
    gen_lines = def_lines(generated)[:20]
    call_line = next(
        j for j, t in enumerate(reports.read_text().splitlines()) if "Warehouse(name)" in t
    )
    rng = random.Random(1)
    version = 1
    rss_before = (await session.command("docgen.stats"))["rss_mb"]
    errors = 0
    start = time.perf_counter()
    for i in range(n):
        kind = i % 6
        try:
            if kind == 0:
                await session.hover(uris[pricing], def_lines(pricing)[0], 6)
            elif kind == 1:
                await session.hover(uris[generated], rng.choice(gen_lines), 6)
            elif kind == 2:
                await session.hover(uris[reports], call_line, 14)
            elif kind == 3:
                position = types.Position(line=rng.choice(gen_lines), character=6)
                actions = await session.client.text_document_code_action_async(
                    types.CodeActionParams(
                        text_document=types.TextDocumentIdentifier(uri=uris[generated]),
                        range=types.Range(start=position, end=position),
                        context=types.CodeActionContext(diagnostics=[]),
                    )
                )
                if i % 12 == 3 and actions:  # resolve every other listing: a real edit
                    resolved = await session.client.code_action_resolve_async(actions[0])
                    if resolved.edit is None:
                        session.errors.append(f"soak request {i}: resolve gave no edit")
            elif kind == 4:
                version += 1
                session.client.text_document_did_change(
                    types.DidChangeTextDocumentParams(
                        text_document=types.VersionedTextDocumentIdentifier(
                            uri=uris[pricing], version=version
                        ),
                        content_changes=[
                            types.TextDocumentContentChangePartial(
                                range=types.Range(
                                    start=types.Position(line=1, character=0),
                                    end=types.Position(line=1, character=0),
                                ),
                                text="" if version % 2 else "\n",
                            )
                        ],
                    )
                )
            else:
                await session.command("docgen.stats")
        except Exception as exc:  # noqa: BLE001 - counted
            errors += 1
            session.errors.append(f"soak request {i}: {exc}")
    seconds = time.perf_counter() - start
    stats = await session.command("docgen.stats")
    rss_after = stats["rss_mb"]
    server_errors = sum(m["errors"] for m in stats["metrics"].values())
    return {
        "requests": n,
        "seconds": round(seconds, 1),
        "client_errors": errors,
        "server_errors": server_errors,
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_after,
        "rss_growth_pct": round((rss_after - rss_before) / rss_before * 100, 1),
        "server_metrics": stats["metrics"],
    }


def drafting_model(workdir: Path) -> tuple[str | None, str]:
    """Return (model option, description): the embedded model if installed, else tiny."""
    from assistant.engine import DEFAULT_MODEL_DIR

    if (DEFAULT_MODEL_DIR / "config.json").is_file() or any(DEFAULT_MODEL_DIR.glob("*.json")):
        return None, f"embedded model ({DEFAULT_MODEL_DIR.name})"
    from assistant.engine.testing import build_tiny_t5

    folder = build_tiny_t5(workdir / "tiny-t5")
    return str(folder), "tiny random T5 (d_model 64, 2 layers; the embedded model is not installed)"


def pre_export(model: str | None, env: dict[str, str]) -> None:
    """Export the model to ONNX in this process, as ``docgen model export`` would, so the
    server measures loading a ready export rather than exporting (torch) in-process."""
    from assistant.engine import load_generator

    previous = os.environ.get("DOCGEN_CACHE_DIR")
    os.environ["DOCGEN_CACHE_DIR"] = env["DOCGEN_CACHE_DIR"]
    try:
        load_generator(model, warmup=False)
    finally:
        if previous is None:
            os.environ.pop("DOCGEN_CACHE_DIR", None)
        else:
            os.environ["DOCGEN_CACHE_DIR"] = previous


async def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="docgen-lsp-bench-"))
    try:
        root = workdir / "sample_repo"
        shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
        (root / "generated.py").write_text(generated_module(2 * args.drafts + 5))
        if args.model:
            model, model_desc = args.model, f"--model {args.model}"
        else:
            model, model_desc = drafting_model(workdir)
        env = {**os.environ, "DOCGEN_CACHE_DIR": str(workdir / "exports")}
        pre_export(model, env)
        options = {
            "indexOnStartup": False,
            "cachePath": str(workdir / "results"),
            "model": model,
        }
        session = Session(root, options, env)
        await session.start()
        try:
            result: dict[str, Any] = {"model": model_desc}
            result["hover_documented"] = await bench_hover_documented(session, root, args.hovers)
            result["rss_no_model_mb"] = (await session.command("docgen.stats"))["rss_mb"]
            result["hover_drafting_no_index"] = await bench_hover_drafting(
                session, root, args.drafts
            )
            result["rss_t5_loaded_mb"] = (await session.command("docgen.stats"))["rss_mb"]
            index, during = await index_while_hovering(session, root)  # loads the embedder
            result["index"] = index["summary"]
            result["hover_documented_during_indexing"] = during
            result["hover_drafting_with_retrieval"] = await bench_hover_drafting(
                session, root, args.drafts, offset=args.drafts
            )
            rss = (await session.command("docgen.stats"))["rss_mb"]
            result["rss_after_indexing_and_drafting_mb"] = rss
            result["rss_after_drafting_an_edited_buffer_mb"] = await draft_edited_buffer(
                session, root
            )
            result["soak"] = await soak(session, root, args.soak)
            result["rss_peak_mb"] = _peak_rss(session)
        finally:
            await session.stop()
        result["errors"] = session.errors[:20]
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _child_pid(args: list[str]) -> int | None:
    """The pid of this process's child whose command line contains ``args`` (Linux
    /proc; the client library keeps the server process to itself)."""
    wanted = "\0".join(args).encode()
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the command name is in parentheses and may hold spaces: split after it
            ppid = int(status.read_text().rpartition(")")[2].split()[1])
            if ppid == os.getpid() and wanted in (status.parent / "cmdline").read_bytes():
                return int(status.parent.name)
        except (OSError, ValueError, IndexError):
            continue
    return None


def _peak_rss(session: Session) -> float | None:
    if session.pid is None:
        return None
    try:
        with open(f"/proc/{session.pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (~1-2 min)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--model", help="model folder to draft with (default: embedded, else a tiny T5)"
    )
    args = parser.parse_args()
    args.hovers, args.drafts, args.soak = (100, 20, 300) if args.quick else (300, 60, 1000)
    result = asyncio.run(run(args))
    result["machine"] = machine()
    result["settings"] = {"hovers": args.hovers, "drafts": args.drafts, "soak": args.soak}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        soak_result = {k: v for k, v in result["soak"].items() if k != "server_metrics"}
        for key, value in result.items():
            if key != "soak":
                print(f"{key}: {value}")
        print(f"soak: {soak_result}")
    ok = not result["errors"] and result["soak"]["client_errors"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
