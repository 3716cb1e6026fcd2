"""Real SPARQL clients, unmodified, against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from tests.support.server import ID, MIL, fixture_store, live_server

__all__ = ["fixture_store"]

NATIONS = f"SELECT ?n WHERE {{ ?n a <{MIL}Nation> }} ORDER BY ?n"


@pytest.fixture(scope="module")
def server(fixture_store):
    yield from live_server(["--store", str(fixture_store), "--query-workers", "2"])


def test_sparqlwrapper_select_json_and_xml(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(NATIONS)
    sw.setReturnFormat(JSON)
    result = sw.query().convert()
    assert len(result["results"]["bindings"]) == 8
    sw.setReturnFormat(XML)
    doc = sw.query().convert()
    assert len(doc.getElementsByTagName("result")) == 8


def test_sparqlwrapper_post_and_construct(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setMethod("POST")
    sw.setQuery(f"CONSTRUCT {{ ?n a <{MIL}Nation> }} WHERE {{ ?n a <{MIL}Nation> }}")
    sw.setReturnFormat(TURTLE)
    data = sw.query().convert()
    g = rdflib.Graph().parse(data=data, format="turtle")
    assert len(g) == 8


def test_sparqlwrapper_ask_and_bad_query(server):
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery(f"ASK {{ <{ID}nation/SWE> <{MIL}memberOf> <{ID}org/NATO> }}")
    assert sw.query().convert()["boolean"] is True
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed, match="line 1"):
        sw.query()


def test_rdflib_sparqlstore(server):
    store = SPARQLStore(server.url + "/sparql")
    g = rdflib.Graph(store=store)
    rows = list(g.query(NATIONS))
    assert {str(r.n) for r in rows} >= {f"{ID}nation/FIN", f"{ID}nation/USA"}
    assert (rdflib.URIRef(f"{ID}nation/FIN"), rdflib.RDF.type,
            rdflib.URIRef(f"{MIL}Nation")) in g  # fmt: skip
    members = set(g.objects(rdflib.URIRef(f"{ID}nation/DEU"), rdflib.URIRef(f"{MIL}memberOf")))
    assert members == {rdflib.URIRef(f"{ID}org/NATO")}
    ask = g.query(f"ASK {{ <{ID}nation/RUS> <{MIL}memberOf> <{ID}org/NATO> }}")
    assert ask.askAnswer is False


CONSTRUCT_NATIONS = f"CONSTRUCT {{ ?n a <{MIL}Nation> }} WHERE {{ ?n a <{MIL}Nation> }}"


@pytest.mark.parametrize("fmt", [RDFXML, RDF, XML, N3, TURTLE, JSONLD, JSON])
def test_sparqlwrapper_construct_in_every_return_format(server, fmt) -> None:
    """SPARQLWrapper puts its return format in ?format= (and output=, results=) beside its
    Accept header: each of its names is answered, never 406."""
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(CONSTRUCT_NATIONS)
    sw.setReturnFormat(fmt)
    result = sw.query()
    assert result.response.status == 200
    graph = result.convert()
    if not isinstance(graph, rdflib.Graph):  # N3, TURTLE, JSON-LD come back as bytes/text
        syntax = {N3: "turtle", TURTLE: "turtle"}.get(fmt, "json-ld")
        graph = rdflib.Graph().parse(data=graph, format=syntax)
    assert len(graph) == 8, fmt


@pytest.mark.parametrize("fmt, columns", [(CSV, "n"), (TSV, "?n")])
def test_sparqlwrapper_select_csv_and_tsv(server, fmt, columns) -> None:
    sw = SPARQLWrapper(server.url + "/sparql")
    sw.setQuery(NATIONS)
    sw.setReturnFormat(fmt)
    text = sw.query().convert().decode()
    lines = text.strip().splitlines()
    assert lines[0].strip() == columns and len(lines) == 9


def test_a_format_the_answer_lacks_gives_way_to_an_exact_accept(server) -> None:
    """A client's one ``format=`` for every query does not override a valid Accept."""
    r = server.get("/sparql", params={"query": NATIONS, "format": "rdf+xml"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert len(r.json()["results"]["bindings"]) == 8
    r = server.get("/sparql", params={"query": NATIONS, "format": "rdf+xml"})
    assert r.status_code == 406


def test_pandas_read_csv_from_sparql_and_named_queries(server) -> None:
    from urllib.parse import urlencode

    import pandas as pd

    frame = pd.read_csv(server.url + "/sparql?" + urlencode({"query": NATIONS, "format": "csv"}))
    assert list(frame.columns) == ["n"] and len(frame) == 8
    assert f"{ID}nation/FIN" in set(frame["n"])
    members = pd.read_csv(server.url + "/api/queries/members-on-date?"
                          + urlencode({"org": "nato", "date": "2024-06-01", "format": "csv"}))
    assert {f"{ID}nation/FIN", f"{ID}nation/SWE"} <= set(members["member"])
