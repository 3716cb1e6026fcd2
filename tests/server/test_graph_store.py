"""``GET /graph-store`` (Graph Store Protocol, read) and ``HEAD`` on every GET route."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from starlette.routing import Route

from milgraph.namespaces import ASSERTED_GRAPH, INFERRED_GRAPH
from milgraph.store import open_snapshot
from tests.support.server import fixture_store, make_client, wait_ready

__all__ = ["fixture_store"]

RDF = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
}


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store, cache_bytes=0) as c:
        wait_ready(c.get)
        yield c


@pytest.fixture(scope="module")
def held(fixture_store):
    snapshot = open_snapshot(fixture_store)
    try:
        def graph(name: ox.NamedNode | ox.DefaultGraph) -> set[ox.Triple]:
            return {q.triple for q in snapshot.quads(graph=name)}

        yield {
            "default": graph(ox.DefaultGraph()),
            ASSERTED_GRAPH: graph(ox.NamedNode(ASSERTED_GRAPH)),
            INFERRED_GRAPH: graph(ox.NamedNode(INFERRED_GRAPH)),
        }
    finally:
        snapshot.close()


def triples(body: bytes, media: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, RDF[media])}


@pytest.mark.parametrize("media", sorted(RDF))
def test_a_named_graph_in_every_rdf_format(client, held, media: str) -> None:
    r = client.get("/graph-store", params={"graph": INFERRED_GRAPH}, headers={"Accept": media})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith(media)
    assert r.headers["etag"]
    assert triples(r.content, media) == held[INFERRED_GRAPH] != set()


def test_the_default_graph_holds_asserted_and_inferred_triples(client, held) -> None:
    r = client.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text[:300]
    got = triples(r.content, "application/n-triples")
    assert got == held["default"] == held[ASSERTED_GRAPH] | held[INFERRED_GRAPH]


def test_format_overrides_accept_and_etags_revalidate(client) -> None:
    r = client.get("/graph-store", params={"graph": ASSERTED_GRAPH, "format": "ntriples"},
                   headers={"Accept": "text/turtle"})  # fmt: skip
    assert r.headers["content-type"].startswith("application/n-triples")
    again = client.get("/graph-store", params={"graph": ASSERTED_GRAPH, "format": "ntriples"},
                       headers={"If-None-Match": r.headers["etag"]})  # fmt: skip
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    ("query", "headers", "status", "kind"),
    [
        ("", {}, 400, "bad-parameter"),
        (f"graph={INFERRED_GRAPH}&default", {}, 400, "bad-parameter"),
        ("graph=not an iri", {}, 400, "bad-parameter"),
        ("graph=urn:nothing:here", {}, 404, "no-such-graph"),
        (f"graph={INFERRED_GRAPH}", {"Accept": "text/csv"}, 406, "not-acceptable"),
    ],
)
def test_refusals_say_what_to_send(client, query, headers, status, kind) -> None:
    r = client.get(f"/graph-store?{query}", headers=headers)
    assert r.status_code == status, r.text
    doc = r.json()
    assert doc["type"].endswith("/" + kind) and doc["detail"]


def test_a_graph_over_the_result_cap_is_refused(fixture_store) -> None:
    with make_client(fixture_store, max_result_bytes=2000, cache_bytes=0) as c:
        wait_ready(c.get)
        r = c.get("/graph-store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 422
    assert "result-size cap" in r.json()["detail"]


def test_openapi_documents_the_graph_store(client) -> None:
    op = client.get("/openapi.json").json()["paths"]["/graph-store"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"graph", "default", "format"}
    assert "text/turtle" in op["responses"]["200"]["content"]
    assert {"404", "406", "422"} <= set(op["responses"])


# --------------------------------------------------------------------------- HEAD

SAMPLES = {"a": "USA", "b": "FRA", "code": "FIN", "name": "members-on-date"}


def get_paths(app) -> list[str]:
    """Every GET route of the app, its path parameters filled with sample values."""
    out = []
    for route in app.routes:
        if isinstance(route, Route) and "GET" in (route.methods or set()):
            path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES.get(m.group(1), "x"),
                          route.path)  # fmt: skip
            out.append(path)
    return sorted(set(out))


def test_head_answers_on_every_get_route_as_get_does_without_a_body(client) -> None:
    paths = get_paths(client.app)
    assert len(paths) > 20 and "/graph-store" in paths and "/sparql" in paths
    for path in paths:
        params = {"default": ""} if path == "/graph-store" else None
        got = client.get(path, params=params)
        head = client.head(path, params=params)
        assert head.status_code != 405, path
        assert head.status_code == got.status_code, (path, head.status_code, got.status_code)
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        # /health and /metrics report live figures (probe times, counters): their length
        # may differ by a digit from one request to the next
        live = path in ("/health", "/metrics")
        if "content-length" in got.headers and "content-encoding" not in got.headers and not live:
            assert head.headers["content-length"] == got.headers["content-length"], path


def test_head_on_a_query_gives_its_etag(client) -> None:
    params = {"query": "ASK { ?s ?p ?o }"}
    assert client.head("/sparql", params=params).headers["etag"] == client.get(
        "/sparql", params=params
    ).headers["etag"]
