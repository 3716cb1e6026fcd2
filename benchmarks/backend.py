"""Backend benchmark: ``milgraph serve --backend`` (Virtuoso) against Virtuoso queried directly.

``python -m benchmarks.backend --triples 200000`` takes the serving benchmark's data and
snapshot (``benchmarks.serving.prepare``, cached), starts a throw-away Virtuoso on 127.0.0.1
(``tests/support/virtuoso.py``), publishes the snapshot to it with ``milgraph publish``
(timed), starts ``milgraph serve --backend`` with its answer cache off, and measures the
serving benchmark's four query shapes (median/p95, interleaved) and point-query throughput
(wrk, 8 clients) on both. The ratio milgraph/Virtuoso is the seam's cost: parsing and
checking the request, the hop to the store, parsing its answer and serialising it again.

Fairness: both are sent the same query texts, form-encoded (Virtuoso hangs on
``application/sparql-query``); Virtuoso directly gets the published default graph as
``default-graph-uri``, the dataset the backend itself sends (so both answer from the same
triples and must return the same row counts).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import queries as q
from benchmarks import workload
from benchmarks.servers import ServerSet, ServerSpec, tool
from benchmarks.serving import RESULTS, ROOT, machine, prepare, versions
from milgraph.namespaces import PUBLISHED_DEFAULT_GRAPH

MILGRAPH, VIRTUOSO = "milgraph --backend", "virtuoso"
TARGET = 1.3  # the seam's cost, from the issue: latency ratio at most, throughput 1/x at least

console = Console(stderr=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.backend", description=__doc__)
    parser.add_argument("--triples", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--duration", type=float, default=15.0, help="throughput s (3 rounds)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--cache", type=Path, default=ROOT / ".milgraph" / "bench")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.support import virtuoso

    started = datetime.now(UTC)
    prep = prepare(args.triples, args.seed, args.cache)
    milgraph = tool("milgraph") or "milgraph"
    points = q.point_queries(prep.params)
    scratch = tempfile.TemporaryDirectory(prefix="milgraph-bench-backend-")
    with scratch as tmp, ServerSet() as servers:
        store = virtuoso.start(max_rows=1_000_000, max_seconds=600, parent=Path(tmp))
        try:
            console.print(f"[cyan]…[/] publishing {prep.snapshot_key} to {store.query_url}")
            began = time.perf_counter()
            published = subprocess.run(
                [milgraph, "publish", "--store", str(prep.snapshot_root), "--to", store.query_url,
                 "--update-url", store.auth_url, "--graph-store-url", store.graph_store_url,
                 "--user", store.user, "--password", store.password],
                capture_output=True, text=True,
            )  # fmt: skip
            publish_s = time.perf_counter() - began
            if published.returncode != 0:
                raise SystemExit(f"publish failed:\n{published.stderr[-3000:]}")
            console.print(f"[green]✓[/] {published.stdout.strip()} ({publish_s:.1f} s)")
            spec = ServerSpec(
                MILGRAPH,
                [milgraph, "serve", "--store", str(prep.snapshot_root), "--port", "{port}",
                 "--cache-mb", "0", "--backend", store.query_url, "--log-level", "warning"],
                "/sparql", Path(tmp) / "milgraph.log",
            )  # fmt: skip
            server = servers.start(spec)
            form = {MILGRAPH: [], VIRTUOSO: [("default-graph-uri", PUBLISHED_DEFAULT_GRAPH)]}
            urls = {MILGRAPH: server.url, VIRTUOSO: store.query_url}
            endpoints = {n: workload.Endpoint(u, form=form[n]) for n, u in urls.items()}
            latency: dict[str, dict[str, Any]] = {n: {} for n in urls}
            for label, texts in q.timed_queries(prep.params).items():
                console.print(f"[cyan]…[/] {label}: {args.warmup} warm-up + {args.runs} runs")
                for name, result in workload.latencies(
                    endpoints, texts, warmup=args.warmup, runs=args.runs
                ).items():
                    latency[name][label] = result
            for e in endpoints.values():
                e.close()
            rounds, seconds = 3, max(1.0, args.duration / 3)
            samples: dict[str, list[workload.Throughput]] = {n: [] for n in urls}
            for name, url in urls.items():  # warm-up
                workload.throughput(url, points, concurrency=args.concurrency, duration=2,
                                    form=form[name])  # fmt: skip
            for _ in range(rounds):
                for name, url in urls.items():
                    samples[name].append(workload.throughput(
                        url, points, concurrency=args.concurrency, duration=seconds,
                        form=form[name]))  # fmt: skip
            rate = {n: workload.combine(s) for n, s in samples.items()}
        finally:
            store.stop()

    ratios: dict[str, float | None] = {}
    for label in latency[MILGRAPH]:
        a, b = latency[MILGRAPH][label].median_ms, latency[VIRTUOSO][label].median_ms
        ratios[f"latency {label}"] = round(a / b, 2) if b else None
    a_rate, b_rate = rate[MILGRAPH].requests_per_s, rate[VIRTUOSO].requests_per_s
    ratios["throughput"] = round(a_rate / b_rate, 2) if b_rate else None
    rows_differ = {
        label: {n: latency[n][label].rows[:5] for n in urls}
        for label in latency[MILGRAPH]
        if latency[MILGRAPH][label].rows != latency[VIRTUOSO][label].rows
    }

    table = Table(title=f"milgraph --backend vs Virtuoso directly, {args.triples:,} triples "
                  f"({prep.counts.get('default_graph', '?')} served)")  # fmt: skip
    table.add_column("measure")
    for n in urls:
        table.add_column(n, justify="right")
    table.add_column("ratio", justify="right")
    table.add_column(f"target ≤ {TARGET}x", justify="right")
    for label in latency[MILGRAPH]:
        r = ratios[f"latency {label}"]
        table.add_row(f"{label} median ms (p95)",
                      *[f"{latency[n][label].median_ms:.2f} ({latency[n][label].p95_ms:.2f})"
                        for n in urls],
                      f"{r:.2f}x" if r else "–",
                      "met" if r and r <= TARGET else "not met")  # fmt: skip
    r = ratios["throughput"]
    table.add_row(f"point queries/s, {args.concurrency} clients",
                  *[f"{rate[n].requests_per_s:,.0f}" for n in urls], f"{r:.2f}x" if r else "–",
                  "met" if r and r >= 1 / TARGET else "not met")  # fmt: skip
    table.add_row("publish (s)", f"{publish_s:.1f}", "", "", "")
    out = Console(width=None if sys.stdout.isatty() else 160)
    out.print(table)
    if rows_differ:
        out.print(f"[bold red]row counts differ:[/] {rows_differ}")

    document = {
        "benchmark": "backend",
        "command": "python -m benchmarks.backend " + " ".join(argv or sys.argv[1:]),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "data": {**prep.counts, "snapshot_key": prep.snapshot_key},
        "publish": {"seconds": round(publish_s, 2), "output": published.stdout.strip()},
        "latency": {n: {k: asdict(v) for k, v in d.items()} for n, d in latency.items()},
        "throughput": {n: asdict(t) for n, t in rate.items()},
        "ratios": ratios,
        "target": TARGET,
        "row_count_mismatches": rows_differ,
    }
    path = args.out or RESULTS / f"backend-{args.triples}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    out.print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
