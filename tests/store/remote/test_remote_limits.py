"""What a remote store does at its limits — row caps and timeouts — never passes as a whole
answer: each case is first shown on Virtuoso's raw HTTP answer, then through the client."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from milgraph.store.sparql import (
    GENERIC,
    RemoteDeadlineExceeded,
    RemoteQueryFailed,
    RemoteTruncated,
    SparqlClient,
    publish,
)
from tests.support import virtuoso
from tests.support.virtuoso import VirtuosoServer

EX = "http://example.org/limits/"
BIG = EX + "big"
ROWS = 150
CAP = 100
SLOW = (
    "SELECT (COUNT(*) AS ?n) FROM <http://www.openlinksw.com/schemas/virtrdf#> "
    "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
)  # 2.5k triples cubed: minutes of work


def triples() -> list[ox.Triple]:
    return [ox.Triple(ox.NamedNode(f"{EX}s{i:03d}"), ox.NamedNode(EX + "n"), ox.Literal(i))
            for i in range(ROWS)]  # fmt: skip


@pytest.fixture(scope="module")
def big(server: VirtuosoServer) -> None:
    publish([(BIG, triples())], server.auth_url, graph_store_url=server.graph_store_url,
            user=server.user, password=server.password)  # fmt: skip


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A second server started with ResultSetMaxRows = CAP: Virtuoso reads the cap of
    CONSTRUCT once at start (SELECT's on every request, which server.setting relies on)."""
    s = virtuoso.start(max_rows=CAP, parent=tmp_path_factory.mktemp("capped"))
    try:
        publish([(BIG, triples())], s.auth_url, graph_store_url=s.graph_store_url,
                user=s.user, password=s.password)  # fmt: skip
        yield s
    finally:
        s.stop()


def raw(server: VirtuosoServer, text: str, accept: str, **params: str) -> httpx.Response:
    return httpx.post(server.query_url, data={"query": text, **params},
                      headers={"Accept": accept}, timeout=60)  # fmt: skip


SELECT_ALL = f"SELECT ?s ?o WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"
CONSTRUCT_ALL = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o }} }}"


def test_a_select_over_the_cap_is_cut_with_a_header_and_refused(
    server: VirtuosoServer, client: SparqlClient, big: None
) -> None:
    with server.setting("SPARQL", "ResultSetMaxRows", CAP):
        r = raw(server, SELECT_ALL, "application/sparql-results+json")
        assert r.status_code == 200 and r.headers["X-SPARQL-MaxRows"] == str(CAP)
        assert len(list(ox.parse_query_results(r.content, ox.QueryResultsFormat.JSON))) == CAP
        with pytest.raises(RemoteTruncated) as caught:
            client.select(SELECT_ALL)
    assert caught.value.rows == CAP
    assert f"truncated by the remote store at {CAP} rows" in str(caught.value)
    assert "ORDER BY" in str(caught.value) and "ResultSetMaxRows" in str(caught.value)


def test_a_construct_over_the_cap_comes_back_one_longer_without_a_header_and_is_refused(
    capped: VirtuosoServer,
) -> None:
    r = raw(capped, CONSTRUCT_ALL, "application/n-triples")
    assert r.status_code == 200 and "X-SPARQL-MaxRows" not in r.headers
    assert len(list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))) == CAP + 1
    with SparqlClient(capped.query_url) as client:
        with pytest.raises(RemoteTruncated) as caught:
            client.construct(CONSTRUCT_ALL)  # the cap is learnt by a probe
        assert caught.value.rows == CAP and client.max_rows == CAP
        small = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o FILTER(?o < 50) }} }}"
        assert len(client.construct(small)) == 50
    told = SparqlClient(capped.query_url, max_rows=CAP)  # an operator who gives the cap
    with told, pytest.raises(RemoteTruncated):
        told.construct(CONSTRUCT_ALL)


def test_a_result_of_exactly_the_cap_is_refused_where_no_header_says_so(
    server: VirtuosoServer, big: None
) -> None:
    with SparqlClient(server.query_url, dialect=GENERIC, max_rows=CAP) as generic:
        exactly = f"SELECT ?s WHERE {{ GRAPH <{BIG}> {{ ?s ?p ?o FILTER(?o < {CAP}) }} }}"
        with pytest.raises(RemoteTruncated, match=f"at {CAP} rows"):
            generic.select(exactly)
        below = exactly.replace(f"?o < {CAP}", f"?o < {CAP - 1}")
        assert len(generic.select(below)) == CAP - 1


def test_paging_under_a_stable_order_gets_the_whole_answer(
    server: VirtuosoServer, client: SparqlClient, big: None
) -> None:
    with server.setting("SPARQL", "ResultSetMaxRows", CAP):
        rows = client.select_all(SELECT_ALL + " ORDER BY ?s", page=40)
        assert [r["o"].value for r in rows] == [str(i) for i in range(ROWS)]
        assert sorted(client.graph_triples(BIG, page=CAP - 1), key=str) == sorted(triples(), key=str)
        with pytest.raises(RemoteQueryFailed, match="needs an ORDER BY"):
            client.select_all(SELECT_ALL)


def test_the_remote_timeout_returns_a_partial_answer_that_is_refused(
    server: VirtuosoServer, client: SparqlClient
) -> None:
    began = time.perf_counter()
    r = raw(server, SLOW, "application/sparql-results+json", timeout="1000")
    assert r.status_code == 200 and r.headers["X-SQL-State"] == "S1TAT"  # 200, and partial
    assert "incomplete results" in r.headers["X-SQL-Message"]
    assert time.perf_counter() - began < 10
    began = time.perf_counter()
    with pytest.raises(RemoteDeadlineExceeded) as caught:
        client.select(SLOW, timeout=1.0)
    took = time.perf_counter() - began
    assert caught.value.by == "remote" and caught.value.seconds == 1.0
    assert "stopped the query at its timeout (1 s)" in str(caught.value)
    assert "partial answer, which is refused" in str(caught.value)
    assert took < 1.0 + client.grace  # the store's own timeout, not the backstop


def test_the_backstop_closes_the_connection_when_the_store_does_not_stop(
    server: VirtuosoServer,
) -> None:
    # Without the remote timeout (as for a store with none), only the backstop ends the wait;
    # closing the connection does not stop Virtuoso, so its own limit ends the orphan early.
    with server.setting("SPARQL", "MaxQueryExecutionTime", 3), \
            SparqlClient(server.query_url, remote_timeout=False, grace=0.5) as c:  # fmt: skip
        began = time.perf_counter()
        with pytest.raises(RemoteDeadlineExceeded) as caught:
            c.select(SLOW, timeout=1.0)
        took = time.perf_counter() - began
        assert caught.value.by == "client"
        assert "did not answer within 1.5 s; the connection was closed" in str(caught.value)
        assert 1.4 < took < 3.0
        assert c.ask("ASK {}") is True  # the client is still usable


def test_a_query_the_store_estimates_too_costly_is_a_clear_error(capped: VirtuosoServer) -> None:
    # On the module's own server: Virtuoso keeps a cost limit once it has read one, even after
    # the ini says 0 again, so the session's server must never see it.
    with capped.setting("SPARQL", "MaxQueryCostEstimationTime", 1), \
            SparqlClient(capped.query_url) as client, \
            pytest.raises(RemoteQueryFailed, match="too expensive") as caught:  # fmt: skip
        client.select(SLOW.replace("COUNT(*)", "SAMPLE(?a)"))
    assert "estimated execution time" in str(caught.value)
