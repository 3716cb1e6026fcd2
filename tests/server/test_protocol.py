"""SPARQL 1.1 protocol over HTTP: request forms, dataset parameters, inference switch, errors."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from tests.support.server import ID, MIL, fixture_store, make_client, wait_ready

__all__ = ["fixture_store"]

COUNT_NATO = (
    f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m <{MIL}memberOf> <{ID}org/NATO> }}"
)


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store) as c:
        wait_ready(c.get)
        yield c


def count(response) -> int:
    assert response.status_code == 200, response.text
    data = response.json()
    return int(data["results"]["bindings"][0]["n"]["value"])


def test_get_query(client):
    r = client.get("/sparql", params={"query": COUNT_NATO})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert count(r) == 6  # USA FRA GBR DEU FIN SWE: memberOf is inferred by the rules


def test_post_form_and_direct_give_the_same_answer(client):
    form = client.post("/sparql", data={"query": COUNT_NATO})
    direct = client.post(
        "/sparql", content=COUNT_NATO, headers={"Content-Type": "application/sparql-query"}
    )
    assert count(form) == count(direct) == 6


def test_inference_false_queries_asserted_triples_only(client):
    assert count(client.get("/sparql", params={"query": COUNT_NATO, "inference": "false"})) == 0
    assert count(client.get("/sparql", params={"query": COUNT_NATO, "inference": "true"})) == 6
    r = client.get("/sparql", params={"query": COUNT_NATO, "inference": "maybe"})
    assert r.status_code == 400 and "inference" in r.json()["detail"]


def test_default_graph_uri_selects_exactly_that_graph(client):
    q = f"ASK {{ <{ID}nation/FIN> a <{MIL}Nation> }}"
    data_graph = "https://w3id.org/milgraph/graph/data/fixture.ttl"
    onto_graph = "https://w3id.org/milgraph/graph/ontology/milgraph.ttl"
    yes = client.get("/sparql", params={"query": q, "default-graph-uri": data_graph})
    no = client.get("/sparql", params={"query": q, "default-graph-uri": onto_graph})
    assert yes.json()["boolean"] is True
    assert no.json()["boolean"] is False
    both = client.get(
        "/sparql",
        params=[("query", q), ("default-graph-uri", onto_graph), ("default-graph-uri", data_graph)],
    )
    assert both.json()["boolean"] is True


def test_named_graph_uri_limits_graph_patterns(client):
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    data_graph = "https://w3id.org/milgraph/graph/data/fixture.ttl"
    r = client.get("/sparql", params={"query": q, "named-graph-uri": data_graph})
    graphs = [b["g"]["value"] for b in r.json()["results"]["bindings"]]
    assert graphs == [data_graph]
    everything = client.get("/sparql", params={"query": q}).json()["results"]["bindings"]
    assert len(everything) >= 4  # per-file graphs + asserted + inferred


def test_graph_uri_parameters_must_be_iris(client):
    r = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400
    assert "not a valid IRI" in r.json()["detail"]


def test_malformed_query_is_400_with_position(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }"})
    assert r.status_code == 400
    problem = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert problem["line"] == 3 and problem["column"] > 1
    assert "line 3" in problem["detail"]
    assert "FILTER(?o = )" in problem["excerpt"]
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"content": "query=ASK%20%7B%7D", "headers": {"Content-Type": "text/plain"}}, 415),
        ({"content": "ASK {}", "headers": {"Content-Type": ""}}, 400),
        ({"content": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}},
         400),
        ({"content": "query=ASK%20%7B%20%FF%20%7D",
          "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
        ({"data": {}}, 400),
    ],
    ids=["two-queries", "wrong-media-type", "missing-type", "non-utf8-direct", "non-utf8-form",
         "no-query"],
)  # fmt: skip
def test_bad_requests(client, kwargs, status):
    method = client.get if "params" in kwargs else client.post
    r = method("/sparql", **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["detail"]


def test_updates_are_refused(client):
    for r in (
        client.post("/sparql", data={"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}),
        client.post("/sparql", content="LOAD <http://example.org/x>",
                    headers={"Content-Type": "application/sparql-update"}),
        client.get("/sparql", params={"query": "LOAD <http://example.org/x>"}),
        client.get("/sparql", params={"query": "DROP ALL"}),
    ):  # fmt: skip
        assert r.status_code == 403, r.text
        assert "read-only" in r.json()["detail"]
    assert count(client.get("/sparql", params={"query": COUNT_NATO})) == 6


def test_service_description_on_get_without_query(client):
    r = client.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    preds = {t.predicate.value for t in triples}
    assert sd + "endpoint" in preds and sd + "resultFormat" in preds
    assert any(t.object == ox.NamedNode(sd + "SPARQL11Query") for t in triples)
    # no federation is advertised while no SERVICE host is allowed
    assert not any(t.object == ox.NamedNode(sd + "BasicFederatedQuery") for t in triples)
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    json.loads(jsonld.text)


def test_void_statistics(client):
    r = client.get("/void")
    assert r.status_code == 200
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    void = "http://rdfs.org/ns/void#"
    total = [t.object.value for t in triples if t.predicate.value == void + "triples"
             and t.subject.value.endswith("void#dataset")]  # fmt: skip
    health = client.get("/health").json()
    assert total == [str(health["triples"])]
    classes = {t.object.value for t in triples if t.predicate.value == void + "class"}
    assert MIL + "Nation" in classes and MIL + "Alliance" in classes


def test_openapi_documents_sparql_endpoint(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/sparql"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "inference", "format"} <= names
    assert "application/sparql-query" in spec["paths"]["/sparql"]["post"]["requestBody"]["content"]


def test_unknown_path_is_a_problem_document(client):
    r = client.get("/nope")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["request_id"] == r.headers["x-request-id"]


def test_relative_iris_resolve_against_the_endpoint(client):
    r = client.get("/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}",
                                      "format": "nt"})  # fmt: skip
    assert r.status_code == 200
    assert r.text.startswith("<http://testserver/s> <http://testserver/p> ")
    bad = client.get("/sparql", params={"query": "SELECT * WHERE { <s> ?p }"})
    problem = bad.json()  # positions are in the client's text, not in ours with BASE added
    assert problem["column"] <= len("SELECT * WHERE { <s> ?p }") + 1
    assert problem["excerpt"].startswith("SELECT * WHERE { <s> ?p }\n")


def test_unsupported_function_is_422_and_the_server_stays_up(client):
    q = "PREFIX : <http://example/> SELECT (:function(1) AS ?f) WHERE {}"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 422
    assert "not supported" in r.json()["detail"]
    assert count(client.get("/sparql", params={"query": COUNT_NATO})) == 6
