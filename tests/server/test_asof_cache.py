"""asOf answers are cached and tagged by the epoch's graphs, not by the day: the days of one
epoch (between two boundaries of the point-in-time views) share one entry and one ETag."""

from __future__ import annotations

import json

import pytest

from milgraph.store import open_snapshot
from milgraph.temporal import graphs_as_of
from tests.support.server import MIL, fixture_store, make_client, wait_ready

__all__ = ["fixture_store"]

QUERY = f"SELECT ?n ?o WHERE {{ ?n <{MIL}memberOf> ?o }}"


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store) as c:
        wait_ready(c.get)
        yield c


def hits(client) -> float:
    text = client.get("/metrics").text
    lines = [ln for ln in text.splitlines() if ln.startswith("milgraph_cache") and 'hit' in ln]
    return sum(float(ln.rsplit(" ", 1)[1]) for ln in lines)


def test_two_days_of_one_epoch_share_the_etag_and_the_cached_answer(client, fixture_store) -> None:
    snapshot = open_snapshot(fixture_store)
    try:  # the fixture's boundaries: 1955-05-06 and 1988-06-01 enclose both days
        assert graphs_as_of(snapshot, "1960-01-01") == graphs_as_of(snapshot, "1975-07-04")
        assert graphs_as_of(snapshot, "1960-01-01") != graphs_as_of(snapshot, "1990-01-01")
    finally:
        snapshot.close()
    first = client.get("/sparql", params={"query": QUERY, "asOf": "1960-01-01"})
    assert first.status_code == 200 and json.loads(first.content)["results"]["bindings"]
    before = hits(client)
    second = client.get("/sparql", params={"query": QUERY, "asOf": "1975-07-04"})
    assert second.status_code == 200
    assert second.headers["etag"] == first.headers["etag"]
    assert second.content == first.content
    assert hits(client) == before + 1  # answered from the cache, not by a worker
    revalidated = client.get("/sparql", params={"query": QUERY, "asOf": "1980-12-31"},
                             headers={"If-None-Match": first.headers["etag"]})  # fmt: skip
    assert revalidated.status_code == 304


def test_a_day_of_another_epoch_has_its_own_etag(client) -> None:
    a = client.get("/sparql", params={"query": QUERY, "asOf": "1950-01-01"})
    b = client.get("/sparql", params={"query": QUERY, "asOf": "2024-06-01"})
    assert a.status_code == b.status_code == 200
    assert a.headers["etag"] != b.headers["etag"]
    assert a.content != b.content
