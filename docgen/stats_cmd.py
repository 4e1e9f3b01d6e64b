"""``docgen stats FILE``: a readable view of the language server's stats file.

The server writes the file when started with ``docgen serve --stats-file FILE`` (every few
seconds, and at shutdown); ``docgen.stats`` returns the same object. The view shows the
latency percentiles per request type, model call and tier, the fraction of drafts per
tier, degradations, the queue, the batch-size histogram, the cache hit rates and the
warm-up. ``--json`` prints the file's object again (validated), for scripts.

Exit status: 0 shown; 2 the file is missing or is not a docgen stats file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from docgen._output import Refused


def load_stats(path: Path) -> dict[str, Any]:
    """Read a stats file.

    Raises:
        Refused: It cannot be read or is not a docgen stats object.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise Refused(
            f"{path} does not exist: start the server with `docgen serve --stats-file {path}`"
        ) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(f"{path} is not a docgen stats file ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise Refused(f"{path} is not a docgen stats file (no 'metrics' object)")
    return data


def tier_fractions(metrics: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per request kind, the fraction of drafts each tier answered (``draft:KIND:TIER``)."""
    counts: dict[str, dict[str, int]] = {}
    for name, values in metrics.items():
        parts = name.split(":")
        if len(parts) == 3 and parts[0] == "draft":
            counts.setdefault(parts[1], {})[parts[2]] = int(values.get("count", 0))
    out = {}
    for kind, tiers in counts.items():
        total = sum(tiers.values()) or 1
        out[kind] = {tier: round(n / total, 4) for tier, n in sorted(tiers.items())}
    return out


@click.command(name="stats")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the stats object as JSON.")
def stats(file: Path, as_json: bool) -> int:
    """Show the language server's stats FILE (written by `docgen serve --stats-file FILE`)."""
    data = load_stats(file)
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return 0
    _show(data)
    return 0


def _show(data: dict[str, Any]) -> None:
    import os
    import sys

    from rich.console import Console
    from rich.table import Table

    plain = os.environ.get("NO_COLOR", "") != ""
    out = Console(file=sys.stdout, highlight=False, color_system=None if plain else "auto")
    up, rss = data.get("uptime_s", 0), data.get("rss_mb", "?")
    table = Table(title=f"docgen server: up {up} s, RSS {rss} MB")
    for column in ("metric", "count", "errors", "p50 ms", "p95 ms", "p99 ms"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for name, m in sorted(data["metrics"].items()):
        table.add_row(
            name, str(m.get("count", 0)), str(m.get("errors", 0)),
            f"{m.get('p50_ms', 0):.1f}", f"{m.get('p95_ms', 0):.1f}", f"{m.get('p99_ms', 0):.1f}",
        )  # fmt: skip
    out.print(table)
    for kind, tiers in tier_fractions(data["metrics"]).items():
        shares = ", ".join(f"{tier} {share:.0%}" for tier, share in tiers.items())
        out.print(f"tiers of {kind}: {shares}")
    serving = data.get("serving") or {}
    router = serving.get("router") or {}
    if router:
        on = "on" if router.get("degradation") else "off"
        degraded = router.get("degradations") or {}
        listed = ", ".join(f"{k} {v}" for k, v in degraded.items()) or "none"
        out.print(f"degradation {on}; degradations: {listed}")
    batcher = serving.get("batcher") or {}
    if batcher:
        sizes = ", ".join(f"{k}: {v}" for k, v in batcher.get("batch_sizes", {}).items())
        out.print(
            f"queue depth {batcher.get('queue_depth', 0)}; {batcher.get('batches', 0)} batches"
            f" (size: count) {sizes or '-'}"
        )
    for name in ("output_cache", "encoder_cache"):
        cache = serving.get(name)
        if cache:
            saved = f", {cache['seconds_saved']:.2f} s saved" if "seconds_saved" in cache else ""
            out.print(
                f"{name.replace('_', ' ')}: hit rate {cache.get('hit_rate', 0):.0%} "
                f"({cache.get('hits', 0)} hits, {cache.get('misses', 0)} misses{saved})"
            )
    warmup = serving.get("warmup") or {}
    if warmup.get("seconds") is not None:
        first = warmup.get("initialize_to_first_drafted_hover_s")
        tail = f"; initialize -> first drafted hover {first:.2f} s" if first is not None else ""
        out.print(f"warm-up {warmup['seconds']:.2f} s{tail}")
