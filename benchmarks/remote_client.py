"""``python -m benchmarks.remote_client``: what the remote-store client costs on Virtuoso.

Starts a throw-away Virtuoso (tests/support/virtuoso.py), publishes the bundled data and
ontology files (each in its graph, and all of them in the published default graph), then
times, in one run and interleaved so drift hits both alike:

* ``raw``: the same form-encoded POST with httpx, body read as bytes, nothing parsed;
* ``client``: ``SparqlClient.select`` — dataset parameters, remote timeout, streamed
  parsing into pyoxigraph terms, truncation checks.

The ratio client/raw is the client's own cost over talking to Virtuoso directly. Prints a table
and writes ``benchmarks/results/remote_client.json``. ``--serve`` instead keeps the server up
and prints its URLs (for timing whole commands, e.g. curl against the client).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from milgraph.namespaces import GRAPH_IRI, file_graph_iri, sparql_prologue  # noqa: E402
from milgraph.store.sparql import Dataset, SparqlClient, publish  # noqa: E402
from tests.support import virtuoso  # noqa: E402

DEFAULT = GRAPH_IRI + "default"
QUERIES = {
    "point": "SELECT ?l WHERE { <https://w3id.org/milgraph/id/org/NATO> rdfs:label ?l }",
    "members": "SELECT ?m ?n WHERE { ?m mil:organization org:NATO ; mil:member ?n }",
    "aggregate": "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c",
    "5k-rows": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000",
}


def load(server: virtuoso.VirtuosoServer) -> tuple[Dataset, dict[str, float]]:
    files = sorted((ROOT / "data").glob("*.ttl")) + sorted((ROOT / "ontology").glob("*.ttl"))
    graphs = {file_graph_iri(str(p.relative_to(ROOT))): [q.triple for q in ox.parse(path=str(p))]
              for p in files}  # fmt: skip
    everything = [t for ts in graphs.values() for t in ts]
    began = time.perf_counter()
    report = publish([*graphs.items(), (DEFAULT, everything)], server.auth_url,
                     graph_store_url=server.graph_store_url, user=server.user,
                     password=server.password)  # fmt: skip
    took = time.perf_counter() - began
    return Dataset(default=(DEFAULT,), named=tuple(graphs)), {
        "publish_seconds": round(took, 2),
        "published_triples": report.triples,
        "triples_per_second": round(report.triples / took),
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=30, help="timed runs of each query and side")
    ap.add_argument("--serve", action="store_true", help="keep the server up, print its URLs")
    args = ap.parse_args(argv)
    server = virtuoso.start()
    try:
        dataset, loading = load(server)
        if args.serve:
            print(json.dumps({"query_url": server.query_url, "default": DEFAULT,
                              "named": list(dataset.named)}), flush=True)  # fmt: skip
            input()
            return 0
        timings: dict[str, dict[str, float]] = {}
        out: dict[str, object] = {"virtuoso_startup_seconds": round(server.startup_seconds, 2),
                                  **loading, "queries": timings}  # fmt: skip
        raw = httpx.Client(timeout=60)
        client = SparqlClient(server.query_url, dataset=dataset)
        print(f"{'query':<10} {'rows':>6} {'raw ms':>8} {'client ms':>10} {'ratio':>6}")
        for name, body in QUERIES.items():
            text = sparql_prologue() + body
            form = [("query", text), *dataset.params(), ("timeout", "30000")]
            rows = len(client.select(text))  # warm both
            a: list[float] = []
            b: list[float] = []
            for _ in range(args.n):
                t0 = time.perf_counter()
                raw.post(server.query_url, content=str(httpx.QueryParams(form)).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded",
                                  "Accept": "application/sparql-results+json"}).read()  # fmt: skip
                t1 = time.perf_counter()
                client.select(text)
                t2 = time.perf_counter()
                a.append(t1 - t0)
                b.append(t2 - t1)
            ra, rb = statistics.median(a) * 1000, statistics.median(b) * 1000
            ratio = statistics.median(y / x for x, y in zip(a, b, strict=True))
            timings[name] = {"rows": rows, "raw_ms": round(ra, 2), "client_ms": round(rb, 2),
                             "ratio": round(ratio, 2)}  # fmt: skip
            print(f"{name:<10} {rows:>6} {ra:>8.2f} {rb:>10.2f} {ratio:>6.2f}")
        print(f"startup {server.startup_seconds:.2f} s; publish {loading['published_triples']} "
              f"triples in {loading['publish_seconds']} s")  # fmt: skip
        results = ROOT / "benchmarks" / "results"
        results.mkdir(exist_ok=True)
        (results / "remote_client.json").write_text(json.dumps(out, indent=2) + "\n")
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
