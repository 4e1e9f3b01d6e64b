"""Load benchmark of the language server: hover latency under concurrent clients and bulk work.

Starts the real server (``python -m lsp``) over stdio on a copy of real packages with their
docstrings removed: the stdlib ``email`` package, plus ``http``, ``logging`` and ``urllib`` so
that 16 clients hovering for 60 s never hover the same function twice. The copy is indexed
once (``docgen index``) before the phases, as a user's workspace would be. Then, for N = 1,
4 and 16 simulated editor clients (concurrent request streams on the server's connection),
each client hovers distinct undocumented functions at a steady rate (open loop: a hover is
sent on schedule whether or not the previous one was answered) for ``--duration`` seconds,
the clients' schedules spread evenly over the interval as independent editors' would be
(``--burst``: every client hovers at the same instant, the worst case of N synchronised
clients); every ``--upgrade-every``-th hover of a client is followed by "Generate docstring"
(``docgen.generateDocstring``) on the same function, the accurate draft that reuses the
hover's encoded prompt; and one background task keeps a bulk load going (the file-wide
``docgen.documentFile`` on file after file, the server's bulk priority). A last phase repeats
16 clients with degradation off. Each phase has its own server and a fresh output cache.

Reported per phase: hover p50/p95/p99 (client side), errors, unanswered (no reply within
``--timeout``), the fraction of hovers per tier (from the hover footer), the generate
latencies, the server's degradations, encoder-cache hit rate and time saved, output-cache
hit rate, batch sizes, RSS; and, once, the time from ``initialize`` to the first drafted
hover (a client that hovers right away, while the warm-up runs). Run::

    .venv/bin/python benchmarks/lsp_load.py            # 60 s per phase, ~6 minutes
    .venv/bin/python benchmarks/lsp_load.py --quick    # 10 s per phase
    .venv/bin/python benchmarks/lsp_load.py --json     # last line: one JSON object

The ``--json`` object: ``{"clients": {"1": {"p99_ms": .., "errors": .., "tiers": {...}},
"4": {...}, "16": {...}}, "degradation_off": {...}, "startup": {...}, "machine": ..}``.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import logger, machine
from lsp_bench import Session, percentiles
from lsprotocol import types

PACKAGES = ("email", "http", "logging", "urllib")
TIER_MARKS = {
    "fast": "Fast draft",
    "accurate": "Accurate draft",
    "model-free": "Drafted without the model",
}
log = logger("lsp_load")


def strip_docstrings(source: str) -> str:
    """The module without any docstring (bodies left empty get ``pass``)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    body.pop(0)
                    if not body:
                        body.append(ast.Pass())
    return ast.unparse(tree) + "\n"


def make_workspace(root: Path) -> list[tuple[Path, int, int]]:
    """Copy the packages without docstrings; return every function's (file, line, column of
    its name)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'stdlib-copy'\n")
    targets = []
    for name in PACKAGES:
        source_root = Path(importlib.import_module(name).__file__).parent
        for path in sorted(source_root.rglob("*.py")):
            rel = Path(name) / path.relative_to(source_root)
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = strip_docstrings(path.read_text(encoding="utf-8"))
            dest.write_text(text, encoding="utf-8")
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    column = node.col_offset + (6 if isinstance(node, ast.AsyncFunctionDef) else 4)
                    targets.append((dest, node.lineno - 1, column))
    return targets


def server_env(threads: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if threads:
        env["OMP_NUM_THREADS"] = threads
    return env


class Phase:
    """One server, N clients, the bulk load, for ``duration`` seconds."""

    def __init__(self, args, root: Path, targets, clients: int, degrade: bool, cache: Path):
        self.args, self.root, self.clients, self.degrade = args, root, clients, degrade
        self.targets = targets
        self.cache = cache
        self.hovers: list[float] = []
        self.generates: list[float] = []
        self.tiers: dict[str, int] = {}
        self.errors: list[str] = []
        self.unanswered = 0
        self.opened: dict[Path, str] = {}
        self.bulk_files = 0

    def options(self) -> dict[str, Any]:
        options = {
            "indexOnStartup": False,
            "cachePath": str(self.cache),
            "degradation": self.degrade,
            "warmUp": True,
        }
        if self.args.hover_budget_ms:
            options["hoverBudgetMs"] = self.args.hover_budget_ms
        return options

    def uri(self, session: Session, path: Path) -> str:
        if path not in self.opened:
            self.opened[path] = session.open(path)
        return self.opened[path]

    async def run(self) -> dict[str, Any]:
        session = Session(self.root, self.options(), server_env(self.args.threads))
        _answer_edits(session)
        await session.start()
        await _wait_warm(session)
        before = await session.command("docgen.stats")
        stop = time.perf_counter() + self.args.duration
        share = len(self.targets) // self.clients
        shares = [self.targets[i * share : (i + 1) * share] for i in range(self.clients)]
        tasks = [
            asyncio.ensure_future(self.client(session, mine, stop, i))
            for i, mine in enumerate(shares)
        ]
        bulk = asyncio.ensure_future(self.bulk(session, stop))
        await asyncio.gather(*tasks)
        await self.stop_bulk(session, bulk)
        after = await session.command("docgen.stats")
        await session.stop()
        return self.report(before, after)

    async def client(self, session: Session, targets, stop: float, index: int) -> None:
        """Client ``index``'s hovers: one every interval, its schedule shifted by
        ``index / clients`` of an interval (none with ``--burst``), its "Generate
        docstring" turns shifted likewise across the clients."""
        interval = 1.0 / self.args.rate
        shift = 0 if self.args.burst else index
        start = time.perf_counter() + interval * shift / self.clients
        pending = []
        for k, (path, line, column) in enumerate(targets):
            due = start + k * interval
            if due >= stop:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            every = self.args.upgrade_every
            upgrade = every and (k + shift) % every == 0
            pending.append(asyncio.ensure_future(self.hover(session, path, line, column, upgrade)))
        await asyncio.gather(*pending)

    async def hover(self, session: Session, path: Path, line: int, column: int, upgrade) -> None:
        uri = self.uri(session, path)
        started = time.perf_counter()
        try:
            result = await asyncio.wait_for(
                session.client.text_document_hover_async(
                    types.HoverParams(
                        text_document=types.TextDocumentIdentifier(uri=uri),
                        position=types.Position(line=line, character=column),
                    )
                ),
                self.args.timeout,
            )
        except asyncio.TimeoutError:  # noqa: UP041 - not TimeoutError on 3.10
            self.unanswered += 1
            return
        except Exception as exc:  # noqa: BLE001 - counted and reported
            self.errors.append(f"hover: {exc}")
            return
        self.hovers.append(time.perf_counter() - started)
        text = result.contents.value if result is not None else ""
        tier = next((t for t, mark in TIER_MARKS.items() if mark in text), None)
        if tier is None:
            self.errors.append(f"hover without a draft at {path.name}:{line + 1}: {text[:80]!r}")
            return
        self.tiers[tier] = self.tiers.get(tier, 0) + 1
        if upgrade:
            started = time.perf_counter()
            try:
                await asyncio.wait_for(
                    session.command(
                        "docgen.generateDocstring", uri, {"line": line, "character": column}
                    ),
                    self.args.timeout,
                )
                self.generates.append(time.perf_counter() - started)
            except asyncio.TimeoutError:  # noqa: UP041 - not TimeoutError on 3.10
                self.unanswered += 1
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"generate: {exc}")

    async def bulk(self, session: Session, stop: float) -> None:
        """Document file after file (smallest first, so each command ends within the
        phase) until the phase ends; the one in flight then is cancelled."""
        if not self.args.bulk:
            return
        files = sorted({path for path, _, _ in self.targets}, key=lambda p: p.stat().st_size)
        for k, path in enumerate(files):
            if time.perf_counter() >= stop:
                return
            self.bulk_id = f"bulk-{k}"
            params = types.ExecuteCommandParams(
                command="docgen.documentFile", arguments=[self.uri(session, path)]
            )
            try:
                await session.client.protocol.send_request_async(
                    types.WORKSPACE_EXECUTE_COMMAND, params, msg_id=self.bulk_id
                )
                self.bulk_files += 1
            except Exception as exc:  # noqa: BLE001 - a refused edit is not a hover error
                log(f"bulk: {path.name}: {exc}")

    async def stop_bulk(self, session: Session, bulk: asyncio.Future) -> None:
        """Cancel the file-wide action in flight ($/cancelRequest) and wait for it."""
        if getattr(self, "bulk_id", None):
            session.client.protocol.notify(
                types.CANCEL_REQUEST, types.CancelParams(id=self.bulk_id)
            )
        try:
            await asyncio.wait_for(bulk, self.args.timeout)
        except Exception:  # noqa: BLE001 - cancelled or slow: the phase is over
            bulk.cancel()

    def report(self, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        hovers = percentiles(self.hovers) if self.hovers else {}
        answered = sum(self.tiers.values()) or 1
        serving = after.get("serving", {})
        cache = serving.get("encoder_cache") or {}
        return {
            "p50_ms": hovers.get("p50_ms"),
            "p95_ms": hovers.get("p95_ms"),
            "p99_ms": hovers.get("p99_ms"),
            "hovers": len(self.hovers),
            "errors": len(self.errors),
            "unanswered": self.unanswered,
            "tiers": {t: round(n / answered, 4) for t, n in sorted(self.tiers.items())},
            "generate": percentiles(self.generates) if self.generates else {},
            "bulk_files": self.bulk_files,
            "degradations": serving.get("router", {}).get("degradations", {}),
            "encoder_cache_hit_rate": cache.get("hit_rate"),
            "encoder_cache_seconds_saved": cache.get("seconds_saved"),
            "output_cache_hit_rate": (serving.get("output_cache") or {}).get("hit_rate"),
            "batch_sizes": (serving.get("batcher") or {}).get("batch_sizes", {}),
            "server_hover_ms": {
                k: v
                for k, v in ((after.get("metrics") or {}).get("textDocument/hover") or {}).items()
                if k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
            },
            "stages_ms": {
                name: {k: v for k, v in row.items() if k in ("p50_ms", "p99_ms", "max_ms")}
                for name, row in (serving.get("stages_ms") or {}).items()
                if name.startswith("hover:")
            },
            "server_metrics_ms": {  # every timed server operation (loop work included)
                name: {k: v for k, v in row.items() if k in ("count", "p50_ms", "p99_ms", "max_ms")}
                for name, row in (after.get("metrics") or {}).items()
            },
            "rss_mb": after.get("rss_mb"),
            "rss_mb_at_start": before.get("rss_mb"),
            "error_samples": self.errors[:3],
        }


def _answer_edits(session: Session) -> None:
    @session.client.feature(types.WORKSPACE_APPLY_EDIT)
    def _apply(params):  # noqa: ANN001 - an editor that accepts (the buffer stays as it is)
        return types.ApplyWorkspaceEditResult(applied=True)


async def _wait_warm(session: Session, timeout: float = 300.0) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        stats = await session.command("docgen.stats")
        if (stats.get("serving", {}).get("warmup") or {}).get("seconds") is not None:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the server did not finish warming up")


async def startup(args, root: Path, targets, cache: Path) -> dict[str, Any]:
    """Time from initialize to the first drafted hover, hovering at once and again until
    a draft comes (the warm-up runs meanwhile)."""
    options = {"indexOnStartup": False, "cachePath": str(cache), "warmUp": True}
    session = Session(root, options, server_env(args.threads))
    _answer_edits(session)
    started = time.perf_counter()
    await session.start()
    initialized = time.perf_counter()
    path, line, column = targets[-1]
    uri = session.open(path)
    while True:
        _, result = await session.hover(uri, line, column)
        if result is not None and "docgen draft" in result.contents.value:
            break
        await asyncio.sleep(0.05)
    first = time.perf_counter() - started
    stats = await session.command("docgen.stats")
    await session.stop()
    warmup = stats.get("serving", {}).get("warmup", {})
    return {
        "warmup_stages": warmup.get("stages"),
        "client_initialize_to_first_draft_s": round(first, 3),
        "initialize_response_s": round(initialized - started, 3),
        "server_initialize_to_first_drafted_hover_s": warmup.get(
            "initialize_to_first_drafted_hover_s"
        ),
        "warmup_s": warmup.get("seconds"),
    }


async def main_async(args) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="docgen-lsp-load-"))
    try:
        root = work / "workspace"
        targets = make_workspace(root)
        log(f"{len(targets)} functions in {len({t[0] for t in targets})} files; indexing")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "docgen", "index", str(root), "-q"], check=True, env=os.environ
        )
        log(f"indexed in {time.perf_counter() - started:.1f}s")
        out: dict[str, Any] = {"machine": machine(), "clients": {}}
        out["startup"] = await startup(args, root, targets, work / "cache-startup")
        log(f"startup: {out['startup']}")
        for n in args.clients:
            phase = Phase(args, root, targets, n, True, work / f"cache-{n}")
            out["clients"][str(n)] = await phase.run()
            log(f"{n} clients: {json.dumps(out['clients'][str(n)])}")
        n = max(args.clients)
        phase = Phase(args, root, targets, n, False, work / "cache-off")
        out["degradation_off"] = {"clients": n, **await phase.run()}
        log(f"degradation off, {n} clients: {json.dumps(out['degradation_off'])}")
        out["settings"] = {
            "duration_s": args.duration,
            "rate_per_client": args.rate,
            "upgrade_every": args.upgrade_every,
            "burst": args.burst,
            "bulk": args.bulk,
            "functions": len(targets),
            "packages": list(PACKAGES),
            "hover_budget_ms": args.hover_budget_ms or 250,
        }
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 s per phase")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--rate", type=float, default=1.0, help="hovers per second per client")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--upgrade-every", type=int, default=4)
    parser.add_argument(
        "--burst",
        action="store_true",
        help="every client hovers at the same instant (default: schedules spread evenly)",
    )
    parser.add_argument("--no-bulk", dest="bulk", action="store_false")
    parser.add_argument("--timeout", type=float, default=30.0, help="unanswered after this")
    parser.add_argument("--hover-budget-ms", type=float, default=None)
    parser.add_argument("--threads", default=None, help="OMP_NUM_THREADS of the server")
    args = parser.parse_args()
    if args.quick:
        args.duration = 10.0
    result = asyncio.run(main_async(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
