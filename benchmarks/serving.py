"""Serving benchmark: milgraph vs ``oxigraph serve`` vs rdflib-endpoint, in one run.

``python -m benchmarks.serving --triples 200000`` generates (or reuses) the synthetic graph,
builds milgraph's snapshot from it, loads *the same triples* into the peers, starts all
three servers on 127.0.0.1, and measures: start-up, four query shapes (median/p95),
point-query throughput with 8 concurrent clients (wrk), point latency while a slow query
runs, what a runaway query gets back at the timeout, and whether a query can make the server
read local files or call other URLs. It prints a table with ratios against the targets and
writes ``benchmarks/results/serving-<triples>.json``.

Fairness: milgraph serves its snapshot's default graph (asserted ∪ inferred triples); that
default graph is exported as N-Triples and loaded into Oxigraph and rdflib-endpoint, so all
three answer the same queries over the same triples and must return the same row counts.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata as md
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

from benchmarks import queries as q
from benchmarks import workload
from benchmarks.generate import GENERATOR_VERSION, generate
from benchmarks.servers import Server, ServerFailed, ServerSet, ServerSpec, tool

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
MILGRAPH, OXIGRAPH, RDFLIB = "milgraph", "oxigraph", "rdflib-endpoint"
SYSTEMS = (MILGRAPH, OXIGRAPH, RDFLIB)
RATIO_PAIRS = ((MILGRAPH, OXIGRAPH), (MILGRAPH, RDFLIB), (OXIGRAPH, RDFLIB))

#: Targets from the issue: latency ratio vs Oxigraph, throughput ratios, start-up seconds.
TARGETS = {
    "latency_vs_oxigraph_max": 1.5,
    "throughput_vs_oxigraph_min": 0.5,
    "throughput_vs_rdflib_min": 10.0,
    "startup_max_s": 2.0,
}

console = Console(stderr=True)


@dataclass
class Prepared:
    """Everything on disk a run needs; each piece is cached and reused when unchanged."""

    data_dir: Path
    snapshot_root: Path
    snapshot_key: str
    export: Path
    oxigraph_store: Path
    counts: dict[str, Any]
    build_s: float | None
    params: q.Params


@dataclass
class Limits:
    """How a system behaves with its query timeout on: a runaway query, then load."""

    command: str
    timeout: workload.TimeoutCheck | None = None
    load: workload.Throughput | None = None
    survived: bool | None = None
    note: str = ""


@dataclass
class SystemResult:
    name: str
    available: bool = True
    skipped: str | None = None
    command: str = ""
    startup_s: float | None = None
    rss_mb: float | None = None
    queries: dict[str, workload.LatencyResult] = field(default_factory=dict)
    throughput: workload.Throughput | None = None
    isolation: workload.Isolation | None = None
    outside: workload.OutsideAccess | None = None
    limits: Limits | None = None
    error: str | None = None


# --------------------------------------------------------------------------- preparation


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    console.print(f"[cyan]…[/] {what}: {' '.join(command)}", highlight=False)
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return result


def prepare(triples: int, seed: int, cache: Path) -> Prepared:
    data_dir = cache / f"data-{triples}-s{seed}-g{GENERATOR_VERSION}"
    if not (data_dir / "README.md").is_file():
        console.print(f"[cyan]…[/] generating {triples:,} triples (seed {seed}) in {data_dir}")
        generate(triples, seed, data_dir)

    snapshot_root = cache / f"snapshots-{triples}-s{seed}"
    milgraph = tool("milgraph")
    if milgraph is None:
        raise SystemExit("the milgraph command is not installed: run 'make venv' first")
    began = time.perf_counter()
    built = _run(
        [milgraph, "build", "--data", str(data_dir), "--out", str(snapshot_root), "--no-validate"],
        "building the milgraph snapshot (cached when inputs are unchanged)",
    )
    build_s = None if "up to date" in built.stdout else round(time.perf_counter() - began, 1)
    key = (snapshot_root / "CURRENT").read_text().strip()
    manifest = json.loads((snapshot_root / key / "manifest.json").read_text())

    export = cache / f"export-{key}.nt"
    store = ox.Store.read_only(str(snapshot_root / key / "store"))
    if not export.is_file():
        console.print(f"[cyan]…[/] exporting milgraph's default graph to {export.name}")
        tmp = export.with_suffix(".tmp")
        store.dump(output=str(tmp), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        tmp.replace(export)
    served = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    params = q.choose_params(store)
    del store
    gc.collect()

    ox_store = cache / f"oxigraph-{key}"
    if not (ox_store / ".loaded").is_file():
        oxigraph = tool("oxigraph")
        if oxigraph is None:
            raise SystemExit("the oxigraph CLI is missing: run benchmarks/setup.sh")
        subprocess.run(["rm", "-rf", str(ox_store)], check=True)
        _run(
            [oxigraph, "load", "--location", str(ox_store), "--file", str(export)],
            "loading the same triples into Oxigraph",
        )
        (ox_store / ".loaded").write_text(export.name + "\n")

    counts = {
        "generated": triples,
        "asserted": manifest["counts"]["asserted"],
        "inferred": manifest["counts"]["inferred"],
        "served_default_graph": served,
    }
    return Prepared(data_dir, snapshot_root, key, export, ox_store, counts, build_s, params)


# --------------------------------------------------------------------------- systems


@dataclass
class Specs:
    """A system's main server (measured) and its server with the query timeout on.

    ``limits`` is None when the main server is already configured that way (milgraph
    always has a deadline; rdflib-endpoint has no timeout option at all).
    """

    main: ServerSpec
    limits: ServerSpec | None
    limits_note: str = ""


def _milgraph_specs(
    prep: Prepared, logs: Path, timeout_s: float, executable: str | None
) -> Specs | str:
    """How to run ``milgraph serve``, or why it cannot be benchmarked in this checkout.

    The measured server runs with milgraph's answer cache off, since neither peer caches
    answers; the limits server runs with default settings (cache on) plus the timeout.
    """
    milgraph = executable or tool("milgraph")
    if milgraph is None:
        return "the milgraph command is not installed"
    help_run = subprocess.run([milgraph, "serve", "--help"], capture_output=True, text=True)
    if help_run.returncode != 0:
        return "'milgraph serve' is not available in this checkout (server not merged yet)"
    help_text = _plain(help_run.stdout)
    base = [milgraph, "serve", "--store", str(prep.snapshot_root)]
    base += ["--host", "127.0.0.1", "--port", "{port}"]
    option = re.search(r"--(?:query-)?timeout[\w-]*", help_text)
    if option:
        base += [option.group(0), f"{timeout_s:g}"]
    main = list(base)
    if "--cache-mb" in help_text:
        main += ["--cache-mb", "0"]
    return Specs(
        ServerSpec(MILGRAPH, main, "/sparql", logs / "milgraph.log"),
        ServerSpec(MILGRAPH, base, "/sparql", logs / "milgraph-limits.log")
        if main != base
        else None,
        "default settings (answer cache on)" if main != base else "",
    )


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def specs(
    prep: Prepared, logs: Path, settings: Settings, only: list[str]
) -> dict[str, Specs | str]:
    timeout_s = settings.server_timeout_s
    out: dict[str, Specs | str] = {}
    if MILGRAPH in only:
        out[MILGRAPH] = _milgraph_specs(prep, logs, timeout_s, settings.milgraph)
    if OXIGRAPH in only:
        oxigraph = tool("oxigraph")
        if oxigraph is None:
            out[OXIGRAPH] = "the oxigraph CLI is not installed (run benchmarks/setup.sh)"
        else:
            # Measured without --timeout-s: with it, oxigraph starts a timer thread per query
            # and falls over under sustained load (see the limits check).
            main = [oxigraph, "serve-read-only", "--location", str(prep.oxigraph_store)]
            main += ["--bind", "127.0.0.1:{port}"]
            out[OXIGRAPH] = Specs(
                ServerSpec(OXIGRAPH, main, "/query", logs / "oxigraph.log"),
                ServerSpec(
                    OXIGRAPH,
                    [*main, "--timeout-s", f"{timeout_s:g}"],
                    "/query",
                    logs / "oxigraph-limits.log",
                ),
            )
    if RDFLIB in only:
        endpoint = tool("rdflib-endpoint")
        if endpoint is None:
            out[RDFLIB] = "rdflib-endpoint is not installed (run benchmarks/setup.sh)"
        else:
            command = [endpoint, "serve", str(prep.export), "--host", "127.0.0.1"]
            command += ["--port", "{port}"]
            out[RDFLIB] = Specs(
                ServerSpec(RDFLIB, command, "/", logs / "rdflib-endpoint.log"),
                None,
                "no timeout option",
            )
    return out


# --------------------------------------------------------------------------- run


@dataclass
class Settings:
    warmup: int = 3
    runs: int = 20
    concurrency: int = 8
    duration: float = 15.0
    throughput_rounds: int = 3
    server_timeout_s: float = 10.0
    isolation_window_s: float = 3.0
    limits_load_s: float = 5.0
    use_wrk: bool = True
    milgraph: str | None = None  # the milgraph executable; default: the one in this venv


def _command(server: Server) -> str:
    return " ".join(a.replace("{port}", str(server.port)) for a in server.spec.command)


def run(prep: Prepared, only: list[str], settings: Settings) -> dict[str, SystemResult]:
    """Start every system, measure, and stop them all; server logs live in a temporary dir."""
    with tempfile.TemporaryDirectory(prefix="milgraph-bench-") as tmp:
        return _run_all(prep, only, settings, Path(tmp))


def _run_all(
    prep: Prepared, only: list[str], settings: Settings, logs: Path
) -> dict[str, SystemResult]:
    results = {name: SystemResult(name) for name in only}
    points = q.point_queries(prep.params)
    plans: dict[str, Specs] = {}
    with ServerSet() as servers:
        for name, plan in specs(prep, logs, settings, only).items():
            if isinstance(plan, str):
                results[name].available, results[name].skipped = False, plan
                console.print(f"[yellow]skipped {name}[/]: {plan}")
                continue
            console.print(f"[cyan]…[/] starting {name}", highlight=False)
            try:
                server = servers.start(plan.main)
            except ServerFailed as exc:
                results[name].available, results[name].error = False, str(exc)
                console.print(f"[red]{name} failed to start[/]: {exc}")
                continue
            plans[name] = plan
            results[name].startup_s = round(server.startup_s, 3)
            results[name].command = _command(server)
            console.print(f"[green]✓[/] {name} answered after {server.startup_s:.2f} s")

        live = list(plans)
        endpoints = {name: workload.Endpoint(servers.servers[name].url) for name in live}
        for label, texts in q.timed_queries(prep.params).items():
            console.print(f"[cyan]…[/] {label}: {settings.warmup} warm-up + {settings.runs} runs")
            measured = workload.latencies(
                endpoints, texts, warmup=settings.warmup, runs=settings.runs
            )
            for name, latency in measured.items():
                results[name].queries[label] = latency
        for endpoint in endpoints.values():
            endpoint.close()
        for name in live:
            results[name].rss_mb = round(servers.servers[name].rss_mb(), 1)

        rounds = max(1, settings.throughput_rounds)
        seconds = max(1.0, settings.duration / rounds)
        console.print(
            f"[cyan]…[/] throughput, {settings.concurrency} clients: {rounds} rounds of "
            f"{seconds:.0f} s per system, interleaved"
        )
        for name in live:  # warm-up
            workload.throughput(
                servers.servers[name].url, points, concurrency=settings.concurrency,
                duration=2, use_wrk=settings.use_wrk,
            )  # fmt: skip
        samples: dict[str, list[workload.Throughput]] = {name: [] for name in live}
        for _ in range(rounds):
            for name in live:
                sample = workload.throughput(
                    servers.servers[name].url, points, concurrency=settings.concurrency,
                    duration=seconds, use_wrk=settings.use_wrk,
                )  # fmt: skip
                samples[name].append(sample)
        for name in live:
            results[name].throughput = workload.combine(samples[name])
        for name in live:
            url = servers.servers[name].url
            console.print(f"[cyan]…[/] {name}: point queries while a slow query runs")
            results[name].isolation = workload.isolation(
                url, q.HEAVY, points, window=settings.isolation_window_s, limit=900
            )
            results[name].outside = workload.outside_access(url, logs)
        for name in live:
            if plans[name].limits is not None:
                servers.stop(name)
        for name in live:
            results[name].limits = _limits(servers, name, plans[name], points, settings)
            servers.stop(name)  # a server still busy with the runaway query must not linger
    return results


def _limits(
    servers: ServerSet, name: str, plan: Specs, points: list[str], settings: Settings
) -> Limits:
    """A runaway query against the timeout, then point-query load with the timeout on."""
    if plan.limits is not None:
        console.print(f"[cyan]…[/] {name}: restarting with the query timeout on")
        try:
            server = servers.start(plan.limits)
        except ServerFailed as exc:
            return Limits(" ".join(plan.limits.command), note=f"did not start: {exc}")
    else:
        server = servers.servers[name]
    limits = Limits(_command(server), note=plan.limits_note)
    console.print(f"[cyan]…[/] {name}: runaway query against the timeout")
    limits.timeout = workload.timeout_check(
        server.url, q.RUNAWAY, server_timeout=settings.server_timeout_s, wait=15
    )
    if limits.timeout.status == 0 and server.process.poll() is None:
        limits.note = ", ".join(filter(None, [limits.note, "still busy: load test skipped"]))
        return limits
    console.print(f"[cyan]…[/] {name}: point-query load with the timeout on")
    limits.load = workload.throughput(
        server.url,
        points,
        concurrency=settings.concurrency,
        duration=settings.limits_load_s,
        use_wrk=settings.use_wrk,
    )
    time.sleep(0.5)
    probe = workload.Endpoint(server.url, timeout=10).query(points[0])
    alive = server.process.poll() is None
    limits.survived = alive and probe.status == 200
    if not alive:
        problem = f"crashed (exit code {server.process.returncode})"
    elif probe.status != 200:
        problem = f"point query after the load: HTTP {probe.status} {probe.error or ''}".strip()
    else:
        problem = ""
    limits.note = ", ".join(filter(None, [limits.note, problem]))
    return limits


# --------------------------------------------------------------------------- report


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt_ratio(r: float | None) -> str:
    return "–" if r is None else (f"{r:.2f}x" if r < 10 else f"{r:.0f}x")


def compute_ratios(results: dict[str, SystemResult]) -> dict[str, Any]:
    """milgraph vs each peer (and Oxigraph vs rdflib-endpoint, to compare with the issue's
    reference numbers): latency ratios (lower is better), throughput ratios (higher is better).
    """
    ok = {n: r for n, r in results.items() if r.available}
    out: dict[str, Any] = {}
    for system, peer in RATIO_PAIRS:
        if system not in ok or peer not in ok:
            continue
        m, p = ok[system], ok[peer]
        entry: dict[str, Any] = {"latency_median": {}, "latency_p95": {}}
        for label, lat in m.queries.items():
            if label in p.queries:
                entry["latency_median"][label] = ratio(lat.median_ms, p.queries[label].median_ms)
                entry["latency_p95"][label] = ratio(lat.p95_ms, p.queries[label].p95_ms)
        entry["throughput"] = ratio(
            m.throughput.requests_per_s if m.throughput else None,
            p.throughput.requests_per_s if p.throughput else None,
        )
        entry["startup"] = ratio(m.startup_s, p.startup_s)
        out[f"{system}/{peer}"] = entry
    return out


def check_targets(results: dict[str, SystemResult], ratios: dict[str, Any]) -> dict[str, Any]:
    vs_ox = ratios.get(f"{MILGRAPH}/{OXIGRAPH}")
    vs_rdf = ratios.get(f"{MILGRAPH}/{RDFLIB}")
    m = results.get(MILGRAPH)
    out: dict[str, Any] = {}
    if vs_ox:
        worst = max((v for v in vs_ox["latency_median"].values() if v is not None), default=None)
        out["latency_within_1.5x_oxigraph"] = (
            worst is not None and worst <= TARGETS["latency_vs_oxigraph_max"]
        )
        out["throughput_at_least_0.5x_oxigraph"] = (vs_ox["throughput"] or 0) >= TARGETS[
            "throughput_vs_oxigraph_min"
        ]
    if vs_rdf:
        out["throughput_at_least_10x_rdflib"] = (vs_rdf["throughput"] or 0) >= TARGETS[
            "throughput_vs_rdflib_min"
        ]
    if m and m.available and m.startup_s is not None:
        out["startup_under_2s"] = m.startup_s < TARGETS["startup_max_s"]
    return out


def mismatches(results: dict[str, SystemResult]) -> dict[str, dict[str, list[int | None]]]:
    """Queries whose row counts differ between systems (they serve the same triples)."""
    out: dict[str, dict[str, list[int | None]]] = {}
    ok = [r for r in results.values() if r.available and r.queries]
    for label in ok[0].queries if ok else []:
        rows = {r.name: r.queries[label].rows for r in ok if label in r.queries}
        if len({tuple(v) for v in rows.values()}) > 1:
            out[label] = rows
    return out


def _load_verdict(limits: Limits | None) -> str:
    if limits is None or limits.load is None:
        return limits.note if limits else "–"
    load = limits.load
    text = f"{load.requests_per_s:,.0f} req/s"
    if load.non_2xx or load.socket_errors:
        text += f", {load.non_2xx:,} error responses, {load.socket_errors:,} socket errors"
    text += "; " + ("still serving" if limits.survived else "[red]stopped serving[/]")
    if limits.note:
        text += f" ({limits.note})"
    return text


def print_table(
    results: dict[str, SystemResult],
    ratios: dict[str, Any],
    prep: Prepared,
    out: Console,
    concurrency: int = 8,
) -> None:
    names = [n for n in SYSTEMS if n in results]
    table = Table(
        title=(
            f"Serving {prep.counts['served_default_graph']:,} triples "
            f"({prep.counts['generated']:,} generated + inferred), same data in every system"
        )
    )
    table.add_column("measure")
    for n in names:
        table.add_column(n, justify="right")
    pairs = [k for k in (f"{a}/{b}" for a, b in RATIO_PAIRS) if k in ratios]
    for k in pairs:
        table.add_column(k, justify="right")
    table.add_column("target", justify="left")

    def cell(n: str, value: str) -> str:
        r = results[n]
        return value if r.available else "[dim]skipped[/]"

    def row(label: str, values: dict[str, str], ratio_key: str | None, target: str = "") -> None:
        ratio_cells = []
        for k in pairs:
            entry = ratios[k]
            r = entry
            for part in (ratio_key or "").split("."):
                r = r.get(part) if isinstance(r, dict) and part else None
            ratio_cells.append(_fmt_ratio(r) if ratio_key else "")
        table.add_row(label, *(cell(n, values.get(n, "–")) for n in names), *ratio_cells, target)

    row(
        "start-up to first answer (s)",
        {n: f"{r.startup_s:.2f}" for n, r in results.items() if r.startup_s is not None},
        "startup",
        "milgraph < 2 s (1M triples)",
    )
    row(
        "memory after queries (MB RSS)",
        {n: f"{r.rss_mb:,.0f}" for n, r in results.items() if r.rss_mb is not None},
        None,
    )
    labels = next((list(r.queries) for r in results.values() if r.queries), [])
    for label in labels:
        row(
            f"{label}: median (ms)",
            {n: f"{r.queries[label].median_ms:.1f}" for n, r in results.items() if r.queries},
            f"latency_median.{label}",
            "≤ 1.5x oxigraph",
        )
        row(
            f"{label}: p95 (ms)",
            {n: f"{r.queries[label].p95_ms:.1f}" for n, r in results.items() if r.queries},
            f"latency_p95.{label}",
        )
    row(
        f"point queries/s, {concurrency} clients",
        {
            n: f"{r.throughput.requests_per_s:,.0f}"
            + (f" [red]({r.throughput.non_2xx} bad)[/]" if r.throughput.non_2xx else "")
            for n, r in results.items()
            if r.throughput
        },
        "throughput",
        "≥ 0.5x oxigraph, ≥ 10x rdflib",
    )
    row(
        "point latency during slow query (median / max ms)",
        {
            n: f"{r.isolation.point_median_ms or 0:.1f} / {r.isolation.point_max_ms or 0:,.0f}"
            for n, r in results.items()
            if r.isolation
        },
        None,
    )
    row(
        "slow query alone (s)",
        {
            n: f"{r.isolation.heavy_alone_s:.2f}"
            + ("" if r.isolation.heavy_status == 200 else f" (HTTP {r.isolation.heavy_status})")
            for n, r in results.items()
            if r.isolation
        },
        None,
    )
    out.print(table)

    behaviour = Table(title="Behaviour at the limits (query timeout on)")
    behaviour.add_column("system")
    behaviour.add_column("runaway query at the timeout")
    behaviour.add_column(f"point-query load, {concurrency} clients")
    behaviour.add_column("FROM <file:…>")
    behaviour.add_column("SERVICE <any URL>")
    for n in names:
        r = results[n]
        if not r.available:
            behaviour.add_row(n, f"[dim]{r.skipped or r.error}[/]", "", "", "")
            continue
        lim = r.limits
        behaviour.add_row(
            n,
            lim.timeout.verdict if lim and lim.timeout else (lim.note if lim else "–"),
            _load_verdict(lim),
            r.outside.from_file if r.outside else "–",
            r.outside.service if r.outside else "–",
        )
    out.print(behaviour)


# --------------------------------------------------------------------------- environment


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        m = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = m.group(1).strip() if m else ""
    mem = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        m = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        mem = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else ""
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "loadavg_start": os.getloadavg(),
    }


def versions() -> dict[str, str]:
    out: dict[str, str] = {}
    for dist in ("milgraph", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "fastapi",
                 "uvicorn"):  # fmt: skip
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = "not installed"
    wrk = workload.wrk_path()
    out["wrk"] = workload._wrk_version() if wrk else "not installed"
    return out


def commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        r = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return r.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def ensure_tools(use_wrk: bool) -> None:
    missing = [name for name in ("oxigraph", "rdflib-endpoint") if tool(name) is None]
    if use_wrk and workload.wrk_path() is None:
        missing.append("wrk")
    if missing:
        console.print(f"[cyan]…[/] missing {', '.join(missing)}: running benchmarks/setup.sh")
        subprocess.run(
            ["bash", str(ROOT / "benchmarks" / "setup.sh")],
            env={**os.environ, "PYTHON": sys.executable},
            check=False,
        )


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.serving",
        description="Compare milgraph's SPARQL server with oxigraph serve and rdflib-endpoint.",
    )
    parser.add_argument("--triples", type=int, default=200_000, help="generated triples")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up runs per query")
    parser.add_argument(
        "--duration", type=float, default=15.0, help="throughput seconds per system (3 rounds)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--timeout", type=float, default=10.0, help="server query timeout (s)")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {SYSTEMS}"
    )
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator")
    parser.add_argument(
        "--milgraph", help="milgraph executable to benchmark (default: the one in this venv)"
    )
    parser.add_argument(
        "--cache", type=Path, default=ROOT / ".milgraph" / "bench", help="data and stores"
    )
    parser.add_argument("--out", type=Path, help="JSON result (default results/serving-N.json)")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = sorted(set(only) - set(SYSTEMS))
    if unknown:
        parser.error(f"unknown system(s) {unknown}; choose from {', '.join(SYSTEMS)}")
    settings = Settings(
        warmup=args.warmup,
        runs=args.runs,
        concurrency=args.concurrency,
        duration=args.duration,
        server_timeout_s=args.timeout,
        use_wrk=not args.no_wrk,
        milgraph=args.milgraph,
    )

    ensure_tools(settings.use_wrk)
    started = datetime.now(UTC)
    env = machine()
    prep = prepare(args.triples, args.seed, args.cache)
    results = run(prep, only, settings)
    ratios = compute_ratios(results)
    targets = check_targets(results, ratios)
    differ = mismatches(results)
    env["loadavg_end"] = os.getloadavg()

    out = Console(width=None if sys.stdout.isatty() else 160)
    print_table(results, ratios, prep, out, settings.concurrency)
    if differ:
        out.print("[bold red]row counts differ between systems:[/]")
        for label, rows in differ.items():
            out.print(f"  {label}: " + "; ".join(f"{n} {v[:5]}…" for n, v in rows.items()))
    for name, passed in targets.items():
        out.print(f"target {name}: " + ("[green]met[/]" if passed else "[red]not met[/]"))

    document = {
        "benchmark": "serving",
        "command": "python -m benchmarks.serving " + " ".join(argv or sys.argv[1:]),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": env,
        "versions": versions(),
        "git": commit(),
        "settings": asdict(settings),
        "data": {
            "seed": args.seed,
            "generator_version": GENERATOR_VERSION,
            **prep.counts,
            "snapshot_key": prep.snapshot_key,
            "snapshot_build_s": prep.build_s,
            "join_nation": prep.params.join_nation,
            "point_lookups": len(prep.params.exercises),
        },
        "queries": {
            **{label: texts[0] for label, texts in q.timed_queries(prep.params).items()},
            "slow (isolation)": q.HEAVY,
            "runaway (timeout)": q.RUNAWAY,
        },
        "systems": {name: asdict(r) for name, r in results.items()},
        "ratios": ratios,
        "row_count_mismatches": differ,
        "targets": {"thresholds": TARGETS, "met": targets},
    }
    path = args.out or RESULTS / f"serving-{args.triples}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    out.print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
