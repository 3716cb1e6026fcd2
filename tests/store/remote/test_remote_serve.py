"""``milgraph publish`` then ``milgraph serve --backend``: the same answers as the embedded store.

One snapshot (the analysis fixtures' world, built by the real pipeline) is published to the
session's Virtuoso with the real CLI, then served twice by real ``milgraph serve`` processes on
127.0.0.1: from its embedded store, and with ``--backend`` from Virtuoso. Every request of the
set (SPARQL in several formats, named queries, ``asOf``, ``/api/relations``,
``/api/nations/…/timeline``, ``/api/explain``, the Graph Store Protocol) is sent to both and
the answers compared. The answer cache is off on both, so every answer is the store's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH, sparql_prologue
from milgraph.store.sparql import differences
from tests.support.analysis import WORLD
from tests.support.server import FIXTURE_DATA, ONTOLOGY, LiveServer, live_server
from tests.support.virtuoso import VirtuosoServer


@pytest.fixture(scope="module")
def published(server: VirtuosoServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from milgraph.build import build_snapshot

    root = tmp_path_factory.mktemp("published")
    build_snapshot(ONTOLOGY, [WORLD], root, validate=False)
    result = subprocess.run(
        [sys.executable, "-m", "milgraph.cli", "publish", "--store", str(root),
         "--to", server.query_url, "--update-url", server.auth_url,
         "--graph-store-url", server.graph_store_url, "--user", server.user],
        capture_output=True, text=True, timeout=300,
        env={"MILGRAPH_BACKEND_PASSWORD": server.password, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("published snapshot "), result.stdout
    assert "graph/asserted" in result.stderr and "graph/inferred" in result.stderr
    return root


@pytest.fixture(scope="module")
def embedded(published: Path) -> Iterator[LiveServer]:
    yield from live_server(["--store", str(published), "--cache-mb", "0"])


@pytest.fixture(scope="module")
def remote(published: Path, server: VirtuosoServer) -> Iterator[LiveServer]:
    yield from live_server(["--store", str(published), "--cache-mb", "0",
                            "--backend", server.query_url])  # fmt: skip


P = sparql_prologue()
SPARQL = {
    "size": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "classes": "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c",
    "members": "SELECT ?m ?n ?o WHERE { ?m mil:member ?n ; mil:organization ?o }",
    "allied": "SELECT ?a ?b WHERE { ?a mil:alliedWith ?b }",
    "optional": "SELECT ?m ?e WHERE { ?m a mil:Membership OPTIONAL { ?m mil:endDate ?e } }",
    "labels": 'SELECT ?x ?l WHERE { ?x rdfs:label ?l FILTER(LANGMATCHES(LANG(?l), "en")) }',
    "distinct": "SELECT DISTINCT ?o WHERE { ?x mil:memberOf ?o }",
    "ask": "ASK { ?x mil:memberOf ?o }",
    "construct": "CONSTRUCT { ?n mil:memberOf ?o } WHERE { ?n mil:memberOf ?o }",
}
FORMATS = ["application/sparql-results+json", "text/tab-separated-values"]


def solutions(body: bytes, media: str) -> Counter[tuple[str, ...]] | bool:
    """A results document as a multiset of rows (ORDER BY ties may come in either order;
    blank-node labels are local to an answer)."""
    fmt = ox.QueryResultsFormat.JSON if "json" in media else ox.QueryResultsFormat.TSV
    parsed = ox.parse_query_results(body, fmt)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]

    def term(t: Any) -> str:
        return "UNDEF" if t is None else "_:b" if isinstance(t, ox.BlankNode) else str(t)

    return Counter(tuple(term(s[n]) for n in names) for s in parsed)


def both(embedded: LiveServer, remote: LiveServer, path: str, **kw: Any) -> tuple[Any, Any]:
    a, b = embedded.get(path, **kw), remote.get(path, **kw)
    assert a.status_code == b.status_code == 200, (a.status_code, a.text[:300], b.text[:300])
    assert a.headers["content-type"] == b.headers["content-type"]
    assert a.headers.get("x-snapshot") == b.headers.get("x-snapshot")
    return a, b


@pytest.mark.parametrize("media", FORMATS)
@pytest.mark.parametrize("name", sorted(SPARQL))
def test_sparql_answers_are_the_same(
    embedded: LiveServer, remote: LiveServer, name: str, media: str
) -> None:
    text = P + SPARQL[name]
    if name == "construct":
        a, b = both(embedded, remote, "/sparql", params={"query": text},
                    headers={"Accept": "application/n-triples"})  # fmt: skip
        assert set(ox.parse(a.content, ox.RdfFormat.N_TRIPLES)) == set(
            ox.parse(b.content, ox.RdfFormat.N_TRIPLES)
        )
        return
    if name == "ask" and media != "application/sparql-results+json":
        media = "application/sparql-results+xml"  # no TSV for booleans
        a, b = both(embedded, remote, "/sparql", params={"query": text}, headers={"Accept": media})
        assert a.content == b.content
        return
    a, b = both(embedded, remote, "/sparql", params={"query": text}, headers={"Accept": media})
    expected = solutions(a.content, media)
    assert expected, f"{name}: the embedded store answered nothing; the comparison is empty"
    assert solutions(b.content, media) == expected


DATASETS = [
    {"asOf": "1985-06-01"},
    {"asOf": "1995-06-01"},
    {"asOf": "2023-06-01"},
    {"inference": "false"},
    {"default-graph-uri": INFERRED_GRAPH},
    {"named-graph-uri": ASSERTED_GRAPH},
]


@pytest.mark.parametrize("params", DATASETS, ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()))
def test_datasets_and_as_of_answer_the_same(
    embedded: LiveServer, remote: LiveServer, params: dict[str, str]
) -> None:
    text = P + ("SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                "FILTER(?p IN (mil:memberOf, mil:alliedWith, mil:member, rdf:type)) }")  # fmt: skip
    a, b = both(embedded, remote, "/sparql", params={"query": text, **params})
    expected = solutions(a.content, "json")
    assert expected
    assert solutions(b.content, "json") == expected


def _first(case: Any) -> str:
    """The first value of a case, plain tuple or ``pytest.param``."""
    return str(case.values[0] if hasattr(case, "marks") else case[0])


#: Found when the backend, the name resolver (VALUES at the head of WHERE, '# parameters') and
#: the every-derivation explanations met on main: on Virtuoso, alliances-on-date answers no
#: rows on some runs, and explain lists fewer derivations. Open in issue 14; not strict,
#: because the named-query case passes on some runs.
_AFTER_MERGE = pytest.mark.xfail(
    reason="remote backend after the merges: alliances-on-date sometimes empty, explanations "
    "list fewer derivations on Virtuoso (issue 14)", strict=False)

NAMED = [
    ("members-on-date", {"org": "NATO", "date": "1990-06-01"}),
    ("members-on-date", {"org": "NATO", "date": "2024-06-01"}),
    pytest.param("alliances-on-date", {"nation": "FIN", "date": "2024-06-01"}, marks=_AFTER_MERGE),
    pytest.param("alliances-on-date", {"nation": "DDR", "date": "1980-01-01"}, marks=_AFTER_MERGE),
    ("agreements-in-force-between", {"a": "USA", "b": "JPN", "date": "2021-01-01"}),
    ("exercises-by-year", {"nation": "USA"}),
    ("members-on-date", {"org": "NATO", "date": "1990-06-01", "asOf": "1990-06-01"}),
]


@pytest.mark.parametrize(("name", "params"), NAMED, ids=[f"{_first(x)}-{i}" for i, x in enumerate(NAMED)])
def test_named_queries_answer_the_same(
    embedded: LiveServer, remote: LiveServer, name: str, params: dict[str, str]
) -> None:
    a, b = both(embedded, remote, f"/api/queries/{name}", params=params)
    left, right = a.json(), b.json()
    assert left["columns"] == right["columns"]
    key = lambda r: json.dumps(r, sort_keys=True)  # noqa: E731
    assert sorted(map(key, right["rows"])) == sorted(map(key, left["rows"]))


ANALYSES = [
    ("/api/relations/USA/JPN", {"from": "2020", "to": "2022"}),
    ("/api/relations/DEU/USA", {"from": "1989", "to": "1990"}),
    ("/api/nations/DDR/timeline", {}),
    ("/api/nations/FIN/timeline", {}),
    pytest.param("/api/explain", {"s": "id:nation/FIN", "p": "mil:memberOf", "o": "id:org/NATO"},
                 marks=_AFTER_MERGE),
    pytest.param("/api/explain", {"s": "id:nation/FIN", "p": "mil:memberOf", "o": "id:org/NATO",
                                  "asOf": "2024-01-01"}, marks=_AFTER_MERGE),
]  # fmt: skip


@pytest.mark.parametrize(("path", "params"), ANALYSES, ids=[f"{_first(x)}-{i}" for i, x in enumerate(ANALYSES)])
def test_relations_timelines_and_explanations_are_the_same(
    embedded: LiveServer, remote: LiveServer, path: str, params: dict[str, str]
) -> None:
    a, b = both(embedded, remote, path, params=params)
    assert b.json() == a.json()


@pytest.mark.parametrize("query", [f"graph={INFERRED_GRAPH}", f"graph={ASSERTED_GRAPH}", "default"])
def test_the_graph_store_protocol_gives_the_same_graphs(
    embedded: LiveServer, remote: LiveServer, query: str
) -> None:
    a, b = both(embedded, remote, f"/graph-store?{query}",
                headers={"Accept": "application/n-triples"})  # fmt: skip
    left = list(ox.parse(a.content, ox.RdfFormat.N_TRIPLES))
    assert left  # blank nodes compare by structure (their labels are each answer's own)
    assert [str(d) for d in differences(left, list(ox.parse(b.content, ox.RdfFormat.N_TRIPLES)))] == []
    assert remote.get("/graph-store?graph=urn:no:such").status_code == 404


def test_health_probes_the_remote_store(remote: LiveServer) -> None:
    """/health answers a trivial query through the backend (200 only if Virtuoso answered)."""
    health = remote.get("/health")
    assert health.status_code == 200, health.text


def test_a_truncated_remote_answer_is_an_error_not_a_short_answer(
    remote: LiveServer, server: VirtuosoServer
) -> None:
    with server.setting("SPARQL", "ResultSetMaxRows", 50):
        r = remote.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert r.status_code == 502, r.text[:300]
        doc = r.json()
        assert doc["type"].endswith("/remote-truncated")
        assert "truncated by the remote store at 50 rows" in doc["detail"]
        small = remote.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
        assert small.status_code == 200 and len(small.json()["results"]["bindings"]) == 10


def test_what_the_remote_store_cannot_answer_is_its_error_with_its_message(
    embedded: LiveServer, remote: LiveServer
) -> None:
    """Virtuoso has no transitive paths with both ends unbound; the embedded store has."""
    query = {"query": P + "SELECT ?x ?y WHERE { ?x mil:alliedWith+ ?y }"}
    assert embedded.get("/sparql", params=query).status_code == 200
    r = remote.get("/sparql", params=query)
    assert r.status_code == 502
    assert r.json()["type"].endswith("/backend-failed")
    assert "transitive start not given" in r.json()["detail"]


def test_a_store_holding_another_snapshot_is_refused(
    server: VirtuosoServer, tmp_path: Path, published: Path
) -> None:
    from milgraph.build import build_snapshot

    other = tmp_path / "other"
    build_snapshot(ONTOLOGY, [FIXTURE_DATA], other, validate=False)
    for s in live_server(["--store", str(other), "--backend", server.query_url], ready=False):
        health = s.get("/health")
        for _ in range(100):
            if health.json().get("last_reload") or "publish" in health.text:
                break
            health = s.get("/health")
        assert health.status_code == 503
        assert "milgraph publish" in health.text, health.text[:500]
