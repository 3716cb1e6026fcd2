"""LUBM(1,0) reasoning benchmark: our engine vs owlrl vs reasonable (if installed).

    .venv/bin/python -m benchmarks.lubm [--repeat 3] [--skip-owlrl] [--skip-reasonable]

For each engine: seconds to load (parse / convert) and to reason (median of ``--repeat`` runs),
triples inferred (published), noise among them, and whether the 14 LUBM queries, run by
pyoxigraph over asserted + inferred, give exactly the reference answers. Prints a table and
writes ``benchmarks/results/lubm.json``. The helpers are also used by tests/reasoning/test_lubm.py.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
LUBM = ROOT.parent / "shared" / "benchmarks" / "lubm"
ONTOLOGY = LUBM / "ontology" / "univ-bench.ttl"
RESULTS = ROOT / "benchmarks" / "results" / "lubm.json"
QUERIES = range(1, 15)



def data_files(count: int = 15) -> list[Path]:
    return [LUBM / "data" / f"University0_{i}.owl" for i in range(count)]


def parse_file(path: Path) -> list[ox.Triple]:
    fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.RDF_XML
    return [q.triple for q in ox.parse(path=str(path), format=fmt, base_iri=path.as_uri())]


def load(files: Iterable[Path]) -> list[ox.Triple]:
    """The ontology plus the given data files, parsed by pyoxigraph, duplicates removed."""
    triples: dict[ox.Triple, None] = {}
    for path in (ONTOLOGY, *files):
        triples.update(dict.fromkeys(parse_file(path)))
    return list(triples)


def query_text(n: int) -> str:
    return (LUBM / "queries" / f"q{n}.rq").read_text()


def reference(n: int) -> set[tuple[str, ...]]:
    """Reference answers of query n, as tuples of IRI / lexical-form strings."""
    path = LUBM / "answers" / f"answers_query{n}.csv"
    text = path.read_text()
    if text.strip() == "NO ANSWERS.":
        return set()
    rows = list(csv.reader(text.splitlines()))
    return {tuple(row) for row in rows[1:] if row}


def answers(store: ox.Store, n: int) -> set[tuple[str, ...]]:
    solutions = store.query(query_text(n))
    names = [v.value for v in solutions.variables]
    return {tuple(s[name].value for name in names) for s in solutions}


def check_queries(triples: Iterable[ox.Triple]) -> dict[int, dict[str, Any]]:
    """Load triples into pyoxigraph and compare each LUBM query's answers with the reference."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    out: dict[int, dict[str, Any]] = {}
    for n in QUERIES:
        t0 = time.perf_counter()
        got = answers(store, n)
        seconds = time.perf_counter() - t0
        want = reference(n)
        out[n] = {"answers": len(got), "expected": len(want), "exact": got == want,
                  "missing": len(want - got), "extra": len(got - want), "seconds": seconds}
    return out


# --------------------------------------------------------------------------- engines


def run_ours(triples: Sequence[ox.Triple]) -> dict[str, Any]:
    import tempfile

    from milgraph.reasoning import reason, write_provenance

    t0 = time.perf_counter()
    result = reason(triples)
    seconds = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "provenance.sqlite"
        t0 = time.perf_counter()
        write_provenance(path, result)
        provenance = {"seconds": time.perf_counter() - t0, "bytes": path.stat().st_size}
    return {"seconds": seconds, "inferred": result.inferred, "noise": 0,
            "noise_dropped": result.stats["noise"], "derived_total": result.stats["derived_total"],
            "phases": result.stats["seconds"], "inconsistencies": len(result.inconsistencies),
            "provenance": provenance}


def _split(asserted: set[ox.Triple], added: Iterable) -> dict[str, Any]:
    """Published inferred triples (pyoxigraph terms) and noise counts of an rdflib closure.

    Compared in pyoxigraph terms, where "a" and "a"^^xsd:string are one term: reasonable
    returns asserted plain literals as xsd:string literals, which are not new triples.
    """
    from collections import Counter

    from milgraph.terms import from_rdflib
    from tests.support.oracle import noise_category

    noise: Counter[str] = Counter()
    inferred = []
    for t in added:
        category = noise_category(t)
        if category is None:
            triple = ox.Triple(*(from_rdflib(x) for x in t))
            if triple not in asserted:
                inferred.append(triple)
        else:
            noise[category] += 1
    return {"inferred": inferred, "noise": sum(noise.values()), "noise_dropped": dict(noise)}


def _graph(triples: Sequence[ox.Triple]) -> Any:
    import rdflib

    from milgraph.terms import to_rdflib

    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def run_owlrl(triples: Sequence[ox.Triple]) -> dict[str, Any]:
    import owlrl

    t0 = time.perf_counter()
    graph = _graph(triples)
    asserted = set(graph)
    load_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    seconds = time.perf_counter() - t0
    added = [t for t in graph if t not in asserted]
    out = {"seconds": seconds, "load_seconds": load_seconds, "added": len(added)}
    out.update(_split(set(triples), added))
    return out


def run_reasonable(triples: Sequence[ox.Triple]) -> dict[str, Any]:
    import reasonable

    t0 = time.perf_counter()
    graph = _graph(triples)
    asserted = set(graph)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(graph)
    load_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    closure = reasoner.reason()
    seconds = time.perf_counter() - t0
    import rdflib

    plain = [t for t in closure if t not in asserted]
    rewritten = sum(1 for t in plain if isinstance(t[2], rdflib.Literal)
                    and (t[0], t[1], rdflib.Literal(str(t[2]))) in asserted)
    out = {"seconds": seconds, "load_seconds": load_seconds, "added": len(plain) - rewritten,
           "plain_literals_rewritten_as_xsd_string": rewritten}
    out.update(_split(set(triples), plain))
    return out


ENGINES: dict[str, Callable[[Sequence[ox.Triple]], dict[str, Any]]] = {
    "milgraph": run_ours,
    "owlrl": run_owlrl,
    "reasonable": run_reasonable,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of our engine (median)")
    parser.add_argument("--skip-owlrl", action="store_true", help="owlrl takes ~2 minutes")
    parser.add_argument("--skip-reasonable", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    triples = load(data_files())
    parse_seconds = time.perf_counter() - t0
    print(f"LUBM(1,0): {len(triples)} asserted triples, parsed by pyoxigraph in "
          f"{parse_seconds:.2f} s", flush=True)

    results: dict[str, dict[str, Any]] = {}
    runs = [run_ours(triples) for _ in range(max(1, args.repeat))]
    ours = runs[-1]
    ours["runs"] = [r["seconds"] for r in runs]
    ours["seconds"] = statistics.median(ours["runs"])
    ours["load_seconds"] = parse_seconds
    results["milgraph"] = ours
    print(f"milgraph: {ours['runs']}", flush=True)
    if not args.skip_owlrl:
        results["owlrl"] = run_owlrl(triples)
        print(f"owlrl: {results['owlrl']['seconds']:.1f} s", flush=True)
    if not args.skip_reasonable:
        try:
            results["reasonable"] = run_reasonable(triples)
            print(f"reasonable: {results['reasonable']['seconds']:.1f} s", flush=True)
        except ImportError:
            print("reasonable: not installed (pip install -e '.[bench]')")

    ours_set = set(ours["inferred"])
    for name, r in results.items():
        inferred = r.pop("inferred")
        r["inferred"] = len(inferred)
        r["queries"] = check_queries([*triples, *inferred])
        r["queries_exact"] = sum(q["exact"] for q in r["queries"].values())
        if name != "milgraph":
            other = set(inferred)
            r["vs_milgraph"] = {"missing": len(ours_set - other), "extra": len(other - ours_set)}

    header = (f"{'engine':<11} {'load s':>7} {'reason s':>9} {'inferred':>9} {'noise':>7} "
              f"{'queries exact':>14}")
    print()
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        print(f"{name:<11} {r['load_seconds']:>7.2f} {r['seconds']:>9.2f} {r['inferred']:>9} "
              f"{r['noise']:>7} {r['queries_exact']:>11}/14")
    for name, r in results.items():
        bad = [n for n, q in r["queries"].items() if not q["exact"]]
        if bad:
            print(f"{name}: queries not exact: "
                  + ", ".join(f"Q{n} ({r['queries'][n]['answers']}/"
                              f"{r['queries'][n]['expected']})" for n in bad))
        if "vs_milgraph" in r:
            print(f"{name} vs milgraph: {r['vs_milgraph']}")
    print(f"milgraph noise not published: {ours['noise_dropped']}")
    prov = ours["provenance"]
    print(f"milgraph provenance.sqlite: {prov['bytes'] / 1e6:.1f} MB written in "
          f"{prov['seconds']:.2f} s")

    report = {"benchmark": "LUBM(1,0)", "asserted": len(triples), "parse_seconds": parse_seconds,
              "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                          "cpus": __import__("os").cpu_count()},
              "engines": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    print(f"\nwritten {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
