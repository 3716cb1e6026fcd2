"""Point-in-time views, explanations and profiles: build cost and answer times.

    .venv/bin/python -m benchmarks.asof [--store DIR] [--runs 20]

Builds (or reuses) the bundled snapshot, then times the same SPARQL queries on the current
view and as of several days (median of ``--runs``), and the analysis functions. Prints a
table and writes ``benchmarks/results/asof.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from milgraph import temporal
from milgraph.analysis import explain, profile, timeline
from milgraph.build import build_snapshot
from milgraph.namespaces import sparql_prologue
from milgraph.store import open_snapshot

RESULTS = Path(__file__).resolve().parent / "results" / "asof.json"
DAYS = ["1914-07-28", "1962-10-16", "1989-11-09", "2024-03-07"]
QUERIES = {
    "NATO members": "SELECT ?x WHERE { ?x mil:memberOf <https://w3id.org/milgraph/id/org/NATO> }",
    "count alliedWith pairs": "SELECT (COUNT(*) AS ?n) WHERE { ?a mil:alliedWith ?b }",
    "allies of the US with labels": (
        "SELECT ?b ?label WHERE { <https://w3id.org/milgraph/id/nation/USA> mil:alliedWith ?b . "
        "OPTIONAL { ?b rdfs:label ?label } }"
    ),
    "alliances per nation": (
        "SELECT ?n (COUNT(DISTINCT ?a) AS ?k) WHERE { ?n mil:memberOf ?a . ?a a mil:Alliance } "
        "GROUP BY ?n ORDER BY DESC(?k) LIMIT 20"
    ),
    "agreements in force": "SELECT ?x ?g WHERE { ?x mil:partyTo ?g }",
}


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="snapshot root (default: build the bundled)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.store:
        snapshot = open_snapshot(args.store)
    else:
        report = build_snapshot(validate=False)
        snapshot = open_snapshot(report.path.parent, report.key)
    manifest = snapshot.manifest
    t = manifest["temporal"]
    out: dict[str, Any] = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "snapshot": snapshot.key,
        "triples": manifest["counts"]["total"],
        "build_seconds": manifest["timings"],
        "temporal": {"counts": {k: v for k, v in t["counts"].items() if k != "per_predicate"},
                     "timings": t["timings"]},
        "queries_ms": {},
        "analysis_ms": {},
    }  # fmt: skip
    prologue = sparql_prologue()
    counts = t["counts"]
    print(f"snapshot {snapshot.key}: {out['triples']:,} triples, {counts['epochs']:,} epochs, "
          f"{counts['segment_quads']:,} segment quads")  # fmt: skip
    print(f"build: {manifest['timings']}; temporal step: {t['timings']}")
    header = f"{'query':<30}{'current':>10}" + "".join(f"{d:>13}" for d in DAYS)
    print(header + "\n" + "-" * len(header))
    for name, q in QUERIES.items():
        text = prologue + q
        now, _ = timed(lambda text=text: list(snapshot.query(text)), args.runs)
        row = {"current": round(now, 2)}
        for d in DAYS:
            ms, _ = timed(lambda text=text, d=d: list(temporal.query(snapshot, text, as_of=d)),
                          args.runs)  # fmt: skip
            row[d] = round(ms, 2)
        out["queries_ms"][name] = row
        print(f"{name:<30}{row['current']:>10.2f}" + "".join(f"{row[d]:>13.2f}" for d in DAYS))
    analyses = {
        "explain memberOf as of a day": lambda: explain(
            snapshot, "id:nation/FIN", "mil:memberOf", "id:org/NATO", "2024-01-01"
        ),
        "explain alliedWith (ATOP)": lambda: explain(
            snapshot, "id:nation/USA", "mil:alliedWith", "id:nation/JPN", "1985-06-01"
        ),
        "profile USA-JPN": lambda: profile(snapshot, "USA", "JPN"),
        "profile USA-RUS 1990-2024": lambda: profile(snapshot, "USA", "RUS", "1992", "2024"),
        "timeline FIN": lambda: timeline(snapshot, "FIN"),
    }
    print()
    for name, fn in analyses.items():
        ms, _ = timed(fn, max(3, args.runs // 4))
        out["analysis_ms"][name] = round(ms, 2)
        print(f"{name:<30}{ms:>10.2f} ms")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    main()
