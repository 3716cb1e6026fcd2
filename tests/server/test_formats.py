"""Result formats, content negotiation (q-values, 406, format=), streaming of large answers."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
import rdflib

from milgraph.server.formats import GRAPH_FORMATS, SOLUTION_FORMATS, NotAcceptable, negotiate
from tests.support.server import ID, MIL, fixture_store, live_server, make_client, wait_ready

__all__ = ["fixture_store"]

SELECT = f"SELECT ?n WHERE {{ ?n a <{MIL}Nation> }} ORDER BY ?n"
CONSTRUCT = f"CONSTRUCT {{ ?n a <{MIL}Nation> }} WHERE {{ ?n a <{MIL}Nation> }}"
NATIONS = {f"{ID}nation/{c}" for c in ("USA", "FRA", "GBR", "DEU", "FIN", "SWE", "RUS", "SUN")}


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store) as c:
        wait_ready(c.get)
        yield c


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "tsv"),
        ("application/sparql-results+json;q=0.1, application/sparql-results+xml", "xml"),
        ("text/*", "csv"),
        ("application/json", "json"),
        ("text/csv;q=0, */*;q=0.1", "json"),
    ],
)
def test_negotiate_select(accept, expected):
    assert negotiate(SOLUTION_FORMATS, accept).name == expected


def test_negotiate_graph_and_format_parameter():
    assert negotiate(GRAPH_FORMATS, "application/n-triples;q=0.9, text/turtle").name == "turtle"
    assert negotiate(GRAPH_FORMATS, "application/rdf+xml").name == "rdfxml"
    assert negotiate(GRAPH_FORMATS, "text/html", "nt").name == "ntriples"
    with pytest.raises(NotAcceptable):
        negotiate(GRAPH_FORMATS, "text/html")
    with pytest.raises(NotAcceptable):
        negotiate(SOLUTION_FORMATS, None, "turtle")


def _nations_from(fmt: str, response: httpx.Response) -> set[str]:
    body = response.text
    if fmt == "json":
        return {b["n"]["value"] for b in json.loads(body)["results"]["bindings"]}
    if fmt == "xml":
        ns = "{http://www.w3.org/2005/sparql-results#}"
        return {e.text for e in ET.fromstring(response.content).iter(f"{ns}uri")}
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0] == ["n"]
        return {r[0] for r in rows[1:]}
    rows = body.splitlines()
    assert rows[0] == "?n"
    return {r.strip("<>") for r in rows[1:]}


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_every_format(client, fmt):
    media = next(f.media_type for f in SOLUTION_FORMATS if f.name == fmt)
    by_accept = client.get("/sparql", params={"query": SELECT}, headers={"Accept": media})
    by_param = client.get("/sparql", params={"query": SELECT, "format": fmt},
                          headers={"Accept": "text/html"})  # fmt: skip
    for r in (by_accept, by_param):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
        assert _nations_from(fmt, r) == NATIONS


def test_ask_formats(client):
    q = f"ASK {{ <{ID}nation/FIN> <{MIL}memberOf> <{ID}org/NATO> }}"
    assert client.get("/sparql", params={"query": q}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": q, "format": "xml"})
    assert "<boolean>true</boolean>" in xml.text


RDFLIB = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "jsonld": "json-ld",
          "rdfxml": "xml", "trig": "trig"}  # fmt: skip


@pytest.mark.parametrize("fmt", [f.name for f in GRAPH_FORMATS])
def test_construct_in_every_format(client, fmt):
    media = next(f.media_type for f in GRAPH_FORMATS if f.name == fmt)
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(media)
    g = rdflib.Dataset() if fmt in ("nquads", "trig") else rdflib.Graph()
    g.parse(data=r.text, format=RDFLIB[fmt])
    subjects = {str(s) for s, _, _ in (g.triples((None, None, None)))} if fmt not in (
        "nquads", "trig") else {str(q[0]) for q in g.quads((None, None, None, None))}
    assert subjects == NATIONS


def test_describe_defaults_to_turtle(client):
    r = client.get("/sparql", params={"query": f"DESCRIBE <{ID}org/NATO>"})
    assert r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert len(g) > 0


def test_406_lists_what_can_be_served(client):
    r = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.json()["available"]
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["detail"]


# ----------------------------------------------------------------------------- streaming

#: ~1000 triples squared: a million rows, far beyond the stream threshold.
BIG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def test_large_answer_streams_completely(fixture_store):
    for server in live_server(["--store", str(fixture_store), "--query-workers", "2"]):
        server.http.timeout = 120
        with server.http.stream("GET", "/sparql",
                                params={"query": BIG + " LIMIT 60000", "format": "tsv"}) as r:
            assert r.status_code == 200
            assert "content-length" not in r.headers  # chunked: it did not wait for the end
            lines = sum(1 for _ in r.iter_lines())
        assert lines == 60001  # header + every row: a complete answer


def test_answer_over_the_size_cap_is_an_error_not_a_truncated_200(fixture_store):
    args = ["--store", str(fixture_store), "--query-workers", "2", "--max-result-bytes", "100000"]
    for server in live_server(args):
        # Over the cap before streaming starts: a proper error status.
        r = server.get("/sparql", params={"query": BIG + " LIMIT 20000", "format": "tsv"})
        assert r.status_code == 422
        assert "result-size cap" in r.json()["detail"]
        # Small answers are unaffected.
        ok = server.get("/sparql", params={"query": SELECT})
        assert ok.status_code == 200


def test_cap_hit_while_streaming_breaks_the_transfer(fixture_store):
    args = ["--store", str(fixture_store), "--query-workers", "2",
            "--max-result-bytes", "2000000"]  # fmt: skip
    for server in live_server(args):
        with pytest.raises(httpx.RemoteProtocolError), server.http.stream("GET", "/sparql",
                                params={"query": BIG, "format": "tsv"}) as r:  # fmt: skip
            assert r.status_code == 200
            for _ in r.iter_bytes():
                pass
        # the server is still healthy afterwards
        assert server.get("/sparql", params={"query": SELECT}).status_code == 200


def test_construct_parses_with_pyoxigraph_too(client):
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
    triples = list(ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == len(NATIONS)
