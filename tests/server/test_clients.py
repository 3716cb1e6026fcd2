"""Real SPARQL clients, unmodified, against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper
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
