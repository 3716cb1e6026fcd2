"""Reading benchmark: what ``sparql_text.inspect_query`` (the server's one reading of a
request text: tokens, checks, canonical text) costs, against pyoxigraph's own parser.

``python -m benchmarks.reading`` times, for a typical point query, the reading (no cache)
and pyoxigraph parsing and answering the same text on an empty store; and for each hostile
1 MiB text of the test corpus (the ones that made the old lexer quadratic), the reading, and
the ratio of 1 MiB to 128 KiB (8 for a linear reader, 64 for a quadratic one). Prints a
table with the targets and writes ``benchmarks/results/reading.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_support import big_texts  # noqa: E402

from milgraph.server import sparql_text  # noqa: E402

POINT = ("PREFIX mil: <https://w3id.org/milgraph/ontology#> SELECT ?n ?l WHERE { ?n "
         "mil:memberOf <https://w3id.org/milgraph/id/org/NATO> ; "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?l } LIMIT 10")  # fmt: skip
TARGETS = {"point_read_max_us": 150.0, "mib_read_max_s": 3.0, "growth_8x_max": 16.0}
BASE = "http://127.0.0.1:8000/sparql"


def _read(text: str) -> float:
    sparql_text._INFO_CACHE.clear()
    start = time.perf_counter()
    with contextlib.suppress(sparql_text.QueryTextError):
        sparql_text.inspect_query(text, BASE)
    return time.perf_counter() - start


def run(repeat: int) -> dict:
    store = ox.Store()
    reads = [_read(POINT) for _ in range(repeat)]
    engine = []
    for _ in range(repeat):
        start = time.perf_counter()
        list(store.query(POINT))
        engine.append(time.perf_counter() - start)
    point = {"read_us": statistics.median(reads) * 1e6,
             "engine_us": statistics.median(engine) * 1e6}  # fmt: skip
    hostile = {}
    small, large = big_texts(128 * 1024), big_texts(1024 * 1024)
    for name in large:
        t_small = min(_read(small[name]) for _ in range(3))
        t_large = min(_read(large[name]) for _ in range(2))
        hostile[name] = {"read_128k_s": t_small, "read_1mib_s": t_large,
                         "growth_8x": t_large / max(t_small, 1e-6)}  # fmt: skip
    return {"point": point, "hostile": hostile}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reading")
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results"
                        / "reading.json")  # fmt: skip
    args = parser.parse_args(argv)
    result = run(args.repeat)
    console = Console()
    table = Table(title="reading a request text (sparql_text.inspect_query)")
    for col in ("input", "read", "target", "ok"):
        table.add_column(col)
    p = result["point"]
    table.add_row("point query", f"{p['read_us']:.0f} µs (engine: {p['engine_us']:.0f} µs)",
                  f"≤ {TARGETS['point_read_max_us']:.0f} µs",
                  "yes" if p["read_us"] <= TARGETS["point_read_max_us"] else "NO")  # fmt: skip
    ok = p["read_us"] <= TARGETS["point_read_max_us"]
    for name, h in result["hostile"].items():
        good = (h["read_1mib_s"] <= TARGETS["mib_read_max_s"]
                and h["growth_8x"] <= TARGETS["growth_8x_max"])  # fmt: skip
        ok = ok and good
        table.add_row(f"1 MiB {name}", f"{h['read_1mib_s']:.2f} s (×{h['growth_8x']:.1f} "
                      "from 128 KiB)", f"≤ {TARGETS['mib_read_max_s']:.0f} s, ×≤"
                      f"{TARGETS['growth_8x_max']:.0f}", "yes" if good else "NO")  # fmt: skip
    console.print(table)
    result.update(targets=TARGETS, all_met=ok,
                  measured=datetime.now(UTC).isoformat(timespec="seconds"),
                  machine={"python": platform.python_version(), "cpus": os.cpu_count(),
                           "load": os.getloadavg()})  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
