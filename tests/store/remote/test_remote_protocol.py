"""The protocol client against a real Virtuoso: its quirks, each shown to exist and handled."""

from __future__ import annotations

import time

import httpx
import pyoxigraph as ox
import pytest

from milgraph.store.sparql import (
    VIRTUOSO,
    Dataset,
    RemoteAuthFailed,
    RemoteQueryFailed,
    RemoteUnreachable,
    Solutions,
    SparqlClient,
    Triples,
    publish,
    query_form,
)
from tests.support.virtuoso import VirtuosoServer, free_port

EX = "http://example.org/protocol/"
G1, G2 = EX + "g1", EX + "g2"


def t(s: str, p: str, o: ox.NamedNode | ox.Literal | ox.BlankNode) -> ox.Triple:
    return ox.Triple(ox.NamedNode(EX + s), ox.NamedNode(EX + p), o)


@pytest.fixture(scope="module")
def two_graphs(server: VirtuosoServer) -> None:
    with SparqlClient(server.query_url, update_url=server.auth_url,
                      graph_store_url=server.graph_store_url,
                      user=server.user, password=server.password) as c:  # fmt: skip
        b = ox.BlankNode()
        publish([
            (G1, [t("a", "p", ox.Literal("one")), t("a", "q", b), ox.Triple(b, ox.NamedNode(EX + "r"), ox.Literal(1))]),
            (G2, [t("b", "p", ox.Literal("two"))]),
        ], server.auth_url, client=c)  # fmt: skip


def test_the_dialect_is_learnt_from_the_server_header(client: SparqlClient) -> None:
    assert client.dialect is VIRTUOSO


def test_the_union_default_graph_holds_system_graphs_so_queries_name_their_dataset(
    client: SparqlClient, two_graphs: None
) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    everything = int(client.select(count)[0]["n"].value)
    assert everything > 2000  # Virtuoso's own virtrdf# graph and others are in the default graph
    named = int(client.select(count, dataset=Dataset(default=(G1, G2)))[0]["n"].value)
    assert named == 4
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert len(client.select(graphs)) > 2  # GRAPH ?g ranges over system graphs too
    listed = client.select(graphs, dataset=Dataset(named=(G1, G2)))
    assert sorted(r["g"].value for r in listed) == [G1, G2]


def test_graph_ranges_over_every_graph_even_with_from_so_named_graphs_are_sent_too(
    client: SparqlClient, two_graphs: None
) -> None:
    # SPARQL: a query with FROM and no FROM NAMED has no named graphs. Virtuoso: all of them.
    text = f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM <{G1}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert int(client.select(text)[0]["n"].value) > 2
    embedded = ox.Store()
    assert int(next(iter(embedded.query(text)))["n"].value) == 0
    pinned = client.select(text, dataset=Dataset(default=(G1,), named=(G2,)))
    assert int(pinned[0]["n"].value) == 1


def test_post_with_sparql_query_body_hangs_so_queries_are_form_encoded(
    server: VirtuosoServer, client: SparqlClient, two_graphs: None
) -> None:
    text = f"ASK {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(server.query_url, content=text, timeout=2,
                   headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    began = time.perf_counter()
    assert client.ask(text, dataset=Dataset(named=(G1,))) is True
    assert time.perf_counter() - began < 1


def test_blank_nodes_in_json_results_are_rewritten_and_stay_one_node(
    server: VirtuosoServer, client: SparqlClient, two_graphs: None
) -> None:
    text = f"SELECT ?o ?r WHERE {{ <{EX}a> <{EX}q> ?o . ?o <{EX}r> ?r }}"
    raw = httpx.post(server.query_url, data={"query": text, "default-graph-uri": G1},
                     headers={"Accept": "application/sparql-results+json"}).text  # fmt: skip
    assert '"value": "nodeID://' in raw  # no SPARQL results parser accepts this label
    with pytest.raises(SyntaxError):
        list(ox.parse_query_results(raw, ox.QueryResultsFormat.JSON))
    rows = client.select(text, dataset=Dataset(default=(G1,)))
    assert len(rows) == 1 and isinstance(rows[0]["o"], ox.BlankNode)
    assert rows[0]["r"] == ox.Literal(1)
    again = client.select(f"SELECT ?o WHERE {{ <{EX}a> <{EX}q> ?o }}", dataset=Dataset(default=(G1,)))
    assert again[0]["o"] == rows[0]["o"]  # Virtuoso's labels are stable: one node, one label


def test_select_ask_construct_answers_stream_as_pyoxigraph_terms(
    client: SparqlClient, two_graphs: None
) -> None:
    ds = Dataset(default=(G1, G2))
    answer = client.query(f"PREFIX ex: <{EX}>\n# a comment\nSELECT ?s ?o WHERE {{ ?s ex:p ?o }}", dataset=ds)
    assert isinstance(answer, Solutions)
    with answer:
        assert [v.value for v in answer.variables] == ["s", "o"]
        assert sorted(str(r["o"]) for r in answer) == ['"one"', '"two"']
    triples = client.query(f"CONSTRUCT {{ ?s <{EX}copy> ?o }} WHERE {{ ?s <{EX}p> ?o }}", dataset=ds)
    assert isinstance(triples, Triples)
    assert {tr.object for tr in triples} == {ox.Literal("one"), ox.Literal("two")}
    assert client.ask(f"ASK {{ <{EX}b> ?p ?o }}", dataset=ds) is True
    assert client.ask(f"ASK {{ <{EX}b> ?p ?o }}", dataset=Dataset(default=(G1,))) is False


def test_bindings_are_given_as_a_values_row(client: SparqlClient, two_graphs: None) -> None:
    rows = client.select(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}", dataset=Dataset(default=(G1, G2)),
                         bindings={"s": ox.NamedNode(EX + "b")})  # fmt: skip
    assert [r["o"] for r in rows] == [ox.Literal("two")]


def test_query_form_reads_past_prefixes_comments_and_base() -> None:
    text = "# SELECT in a comment\nBASE <http://x/#>\nPREFIX a: <http://a/#x>\nPREFIX : <u:>\n construct {} where {}"
    assert query_form(text) == "CONSTRUCT"
    with pytest.raises(RemoteQueryFailed, match="not a SPARQL query"):
        query_form("INSERT DATA { <a:b> <a:c> <a:d> }")


def test_a_syntax_error_gives_the_stores_message_without_echoing_the_query(
    client: SparqlClient,
) -> None:
    with pytest.raises(RemoteQueryFailed) as caught:
        client.select("SELECT ?x WHERE { ?x ?y }")
    message = str(caught.value)
    assert caught.value.status == 400
    assert "rejected the request (HTTP 400)" in message and "syntax error" in message
    assert "SPARQL query:" not in message


def test_wrong_password_names_user_and_endpoint_never_the_password(
    server: VirtuosoServer,
) -> None:
    secret = "not-the-password-" + server.password
    c = SparqlClient(server.auth_url, user=server.user, password=secret)
    with c, pytest.raises(RemoteAuthFailed) as caught:
        c.ask("ASK {}")
    message = str(caught.value)
    assert f"user {server.user!r}" in message and server.auth_url in message
    assert "HTTP 401" in message and "check the user name and password" in message
    assert secret not in message and server.password not in message
    assert secret not in repr(c)


def test_an_anonymous_request_to_an_authenticated_endpoint_says_so(server: VirtuosoServer) -> None:
    with SparqlClient(server.auth_url) as c, pytest.raises(RemoteAuthFailed, match="anonymous"):
        c.ask("ASK {}")


def test_digest_auth_is_answered_and_updates_need_it(server: VirtuosoServer) -> None:
    with SparqlClient(server.auth_url, user=server.user, password=server.password) as c:
        c.update(f"INSERT DATA {{ GRAPH <{EX}auth> {{ <{EX}x> <{EX}y> 1 }} }}")
        assert c.count(EX + "auth") == 1
        c.update(f"DROP SILENT GRAPH <{EX}auth>")
    with SparqlClient(server.query_url) as anonymous, pytest.raises(RemoteAuthFailed) as caught:
        anonymous.update(f"INSERT DATA {{ GRAPH <{EX}auth> {{ <{EX}x> <{EX}y> 1 }} }}")
    message = str(caught.value)
    assert "an anonymous request" in message and "No permission" in message
    assert "SPARQL_UPDATE" in message


def test_credentials_in_the_url_are_never_shown(server: VirtuosoServer) -> None:
    url = server.query_url.replace("http://", "http://someone:hunter2@")
    c = SparqlClient(url.replace("/sparql", "/no-such-endpoint"))
    with c, pytest.raises(RemoteQueryFailed) as caught:
        c.ask("ASK {}")
    assert "hunter2" not in str(caught.value) and "404" in str(caught.value)


def test_a_closed_port_is_unreachable_with_the_endpoint_named() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with SparqlClient(url, dialect="virtuoso") as c, pytest.raises(RemoteUnreachable) as caught:
        c.ask("ASK {}")
    assert url in str(caught.value)
