"""First-call latency of ``docgen mcp``, driven through the ``mcp`` SDK's stdio client.

Each run starts a fresh server on an indexed copy of ``examples/sample_repo`` (the output
cache off, so every draft runs the model) and times start-up with the ``initialize``
handshake, a first call and a second one, for three scenarios: calls that need no model
(``list_undocumented``, a documented symbol's ``get_documentation``), drafting
(``get_documentation`` of an undocumented symbol: the first loads the embedded T5, the
second finds it loaded) and ``search_symbols`` (the first loads the embedder). Medians
over ``--runs`` servers per scenario.

Usage::

    python benchmarks/mcp_latency.py [--runs 3] [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import logger, machine, work_dir
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample_repo"
DOCGEN = str(Path(sys.executable).parent / "docgen")
DRAFT = {"path": "inventory/models.py", "qualname": "Item.display_name"}
SCENARIOS = {
    "no model needed": [
        ("list_undocumented", {}),
        ("get_documentation", {"path": "inventory/models.py", "qualname": "Item.total_price"}),
    ],
    "drafting": [
        ("get_documentation", DRAFT),
        (
            "get_documentation",
            {"path": "inventory/models.py", "qualname": "Warehouse.remove_stock"},
        ),
    ],
    "search": [
        ("search_symbols", {"query": "units in stock"}),
        ("search_symbols", {"query": "price of an order"}),
    ],
}
"""Each scenario on fresh servers: the first call, then a second one (what it loaded stays)."""
log = logger("mcp_latency")


async def one_run(args: list[str], calls: list[tuple[str, dict]]) -> list[float]:
    """Seconds of start-up (with ``initialize``) and of each call, on a fresh server."""
    times = []
    started = time.perf_counter()
    params = StdioServerParameters(command=DOCGEN, args=["mcp", *args])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            times.append(time.perf_counter() - started)
            for tool, arguments in calls:
                started = time.perf_counter()
                result = await session.call_tool(tool, arguments)
                times.append(time.perf_counter() - started)
                if result.is_error:
                    raise SystemExit(f"{tool} failed: {result.content[0].text}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default=None, help="T5 folder (default: embedded model)")
    options = parser.parse_args()
    folder = work_dir("mcp_latency")
    repo = folder / "sample_repo"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(SAMPLE, repo, ignore=shutil.ignore_patterns(".docgen", "__pycache__"))
    log(f"indexing {repo}")
    subprocess.run([DOCGEN, "index", "-q", str(repo)], check=True)
    config = folder / "pyproject.toml"
    config.write_text('[tool.docgen]\nuse_cache = false\nexclude = ["build/"]\n')
    args = ["--root", str(repo), "--config", str(config)]
    if options.model:
        args += ["--model", options.model]
    print(f"docgen mcp first-call latency, {machine()}, median of {options.runs} servers each")
    print("| scenario | start + initialize | first call | second call |")
    print("|---|---|---|---|")
    for name, calls in SCENARIOS.items():
        runs = []
        for n in range(options.runs):
            runs.append(asyncio.run(one_run(args, calls)))
            log(f"{name}, run {n + 1}: " + ", ".join(f"{t:.2f}" for t in runs[-1]))
        medians = [statistics.median(r[i] for r in runs) for i in range(3)]
        label = f"{name} ({calls[0][0]})"
        print(f"| {label} | " + " | ".join(f"{m:.2f} s" for m in medians) + " |")


if __name__ == "__main__":
    main()
