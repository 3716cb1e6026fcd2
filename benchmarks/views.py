"""The data each workbench view draws from: answer times over real HTTP on the bundled data.

    .venv/bin/python -m benchmarks.views [--store DIR] [--runs 3]

Starts ``milgraph serve`` on 127.0.0.1 (the bundled snapshot, built on first use), then asks
each view's endpoints with several different parameters — different days, years, nations — so
that each request is computed, not answered from a cache (``cold``), and once more with the same
parameters (``warm``: the server's own caches and ETag-less repeats). Prints a table and writes
``benchmarks/results/views.json``. The target (issue 12) is every view's data within 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / "results" / "views.json"
TARGET_S = 1.0
NATO_QUERY = """PREFIX mil: <https://w3id.org/milgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?member ?name WHERE {
  ?member mil:memberOf <https://w3id.org/milgraph/id/org/NATO> ; rdfs:label ?name .
  FILTER(LANG(?name) = "en") } ORDER BY ?name"""

#: view -> list of (path, params) it reads, one per parameter set measured.
REQUESTS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "workbench (/sparql, default query)": [
        ("/sparql", {"query": NATO_QUERY, "asOf": d})
        for d in ("1955-05-06", "1982-05-30", "1999-03-12", "2023-04-04", "2024-03-07")
    ],
    "workbench (named query as tab)": [
        ("/api/views/queries/members-on-date/sparql", {"org": o, "date": "2000-01-01"})
        for o in ("NATO", "CSTO", "SCO", "ASEAN", "GCC")
    ],
    "nation (timeline)": [
        (f"/api/nations/{c}/timeline", {}) for c in ("USA", "FIN", "RUS", "DEU", "CHN", "SUN")
    ],
    "nation (indicators per year)": [
        (f"/api/views/nations/{c}/indicators", {}) for c in ("USA", "FIN", "RUS", "DEU", "CHN")
    ],
    "dyad (profile)": [
        (f"/api/relations/{a}/{b}", {})
        for a, b in (("USA", "JPN"), ("DEU", "FRA"), ("RUS", "CHN"), ("USA", "GBR"), ("FIN", "SWE"))
    ],
    "network (alliances on a day)": [
        ("/api/views/network", {"asOf": d})
        for d in ("1914-07-28", "1939-09-01", "1962-10-16", "1989-11-09", "2001-09-11",
                  "2014-03-18", "2024-03-07")
    ],
    "map (exercises of a year)": [
        ("/api/views/exercises", {"year": str(y)}) for y in (1980, 1990, 1996, 2002, 2004, 2010)
    ],
    "explain (proof tree with lines)": [
        ("/api/views/explain", {"s": s, "p": p, "o": o, "asOf": d})
        for s, p, o, d in (
            ("id:nation/SWE", "mil:memberOf", "id:org/NATO", "2024-06-01"),
            ("id:nation/FIN", "mil:alliedWith", "id:nation/SWE", "2024-06-01"),
            ("id:nation/AFG", "mil:alliedWith", "id:nation/CHN", "1962-10-16"),
            ("id:nation/USA", "mil:alliedWith", "id:nation/JPN", "2000-01-01"),
        )
    ],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "milgraph.cli", "serve", "--store", str(store),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy(),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not become ready within 120 s")


def fetch(client: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, int, int]:
    start = time.perf_counter()
    r = client.get(path, params=params, headers={"Accept": "application/json"})
    elapsed = time.perf_counter() - start
    if r.status_code != 200:
        raise SystemExit(f"{path} {params}: {r.status_code} {r.text[:200]}")
    return elapsed, r.status_code, len(r.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="snapshot root (default: the bundled graph)")
    parser.add_argument("--runs", type=int, default=3, help="warm repeats per request")
    args = parser.parse_args()
    store = args.store
    if store is None:
        from milgraph.paths import snapshot_root
        from milgraph.snapshot import ensure_snapshot

        ensure_snapshot()
        store = snapshot_root()
    proc, url = start_server(store)
    results: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            fetch(client, "/api/views/nations", {})  # the page shell's first look-up
            for view, requests in REQUESTS.items():
                cold, warm, sizes = [], [], []
                for path, params in requests:
                    t, _, size = fetch(client, path, params)
                    cold.append(t)
                    sizes.append(size)
                    warm.extend(fetch(client, path, params)[0] for _ in range(args.runs))
                results[view] = {
                    "requests": len(requests),
                    "cold_median_ms": round(statistics.median(cold) * 1000, 1),
                    "cold_max_ms": round(max(cold) * 1000, 1),
                    "warm_median_ms": round(statistics.median(warm) * 1000, 1),
                    "max_bytes": max(sizes),
                    "within_target": max(cold) <= TARGET_S,
                }
    finally:
        proc.terminate()
        proc.wait(15)
    width = max(len(v) for v in results)
    print(f"{'view':<{width}}  {'n':>2}  {'cold median':>11}  {'cold max':>9}  "
          f"{'warm median':>11}  {'largest':>9}  ≤ 1 s")  # fmt: skip
    for view, r in results.items():
        ok = "yes" if r["within_target"] else "NO"
        print(f"{view:<{width}}  {r['requests']:>2}  {r['cold_median_ms']:>8.1f} ms  "
              f"{r['cold_max_ms']:>6.1f} ms  {r['warm_median_ms']:>8.1f} ms  "
              f"{r['max_bytes'] / 1024:>6.0f} KiB  {ok}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "views", "target_s": TARGET_S, "store": str(store),
        "commit": _commit(), "runs": args.runs,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load": os.getloadavg()[0]},
        "results": results,
    }, indent=1) + "\n")  # fmt: skip
    print(f"written to {RESULTS}")
    if not all(r["within_target"] for r in results.values()):
        sys.exit(1)


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parent, timeout=10)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


if __name__ == "__main__":
    main()
