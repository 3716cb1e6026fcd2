"""Deadlines, isolation of slow queries, ETag/304, gzip, health and metrics."""

from __future__ import annotations

import gzip
import os
import threading
import time

import httpx
import pytest

from tests.support.server import ID, MIL, fixture_store, live_server, make_client, wait_ready

__all__ = ["fixture_store"]

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^9 rows
POINT = f"ASK {{ <{ID}nation/FIN> <{MIL}memberOf> <{ID}org/NATO> }}"


def _children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                out.add(int(entry))
    return out


def test_deadline_stops_the_query_and_others_are_not_delayed(fixture_store):
    args = ["--store", str(fixture_store), "--query-timeout", "1", "--query-workers", "2"]
    for server in live_server(args):
        workers_before = _children(server.proc.pid)
        assert len(workers_before) == 2
        heavy: dict[str, httpx.Response] = {}

        def run_heavy(url: str = server.url, heavy: dict = heavy) -> None:
            with httpx.Client(base_url=url, timeout=60) as c:
                start = time.monotonic()
                heavy["r"] = c.get("/sparql", params={"query": HEAVY})
                heavy["seconds"] = time.monotonic() - start  # type: ignore[assignment]

        t = threading.Thread(target=run_heavy)
        t.start()
        time.sleep(0.3)  # the heavy query is running on one worker
        start = time.monotonic()
        point = server.get("/sparql", params={"query": POINT})
        point_seconds = time.monotonic() - start
        t.join(30)
        assert point.status_code == 200 and point.json()["boolean"] is True
        r = heavy["r"]
        assert r.status_code == 503
        problem = r.json()
        assert problem["type"].endswith("query-timeout")
        assert "1 s deadline" in problem["detail"]
        # generous bound: the point query did not wait for the heavy one to end
        assert point_seconds < heavy["seconds"]  # type: ignore[operator]
        # the worker running the heavy query was killed and replaced: CPU really freed
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = _children(server.proc.pid)
            if len(now) == 2 and now != workers_before:
                break
            time.sleep(0.1)
        assert len(now) == 2 and len(now & workers_before) == 1
        metrics = server.get("/metrics").text
        assert "milgraph_query_timeouts_total 1.0" in metrics
        assert server.get("/sparql", params={"query": POINT}).status_code == 200


def test_per_request_timeout_cannot_exceed_the_server_deadline(fixture_store):
    with make_client(fixture_store, query_timeout=5) as c:
        wait_ready(c.get)
        r = c.get("/sparql", params={"query": HEAVY, "timeout": "0.5"})
        assert r.status_code == 503
        assert "0.5 s deadline" in r.json()["detail"]
        r = c.get("/sparql", params={"query": POINT, "timeout": "soon"})
        assert r.status_code == 400


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store) as c:
        wait_ready(c.get)
        yield c


def test_etag_and_304(client):
    q = f"SELECT ?n WHERE {{ ?n a <{MIL}Nation> }}"
    first = client.get("/sparql", params={"query": q})
    etag = first.headers["etag"]
    snapshot = client.get("/health").json()["snapshot"]
    assert etag.startswith(f'W/"{snapshot[:16]}')
    again = client.get("/sparql", params={"query": q}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other_format = client.get("/sparql", params={"query": q, "format": "csv"},
                              headers={"If-None-Match": etag})  # fmt: skip
    assert other_format.status_code == 200
    assert other_format.headers["etag"] != etag
    assert "Accept" in first.headers["vary"]


def test_volatile_queries_get_no_etag(client):
    r = client.get("/sparql", params={"query": "SELECT (NOW() AS ?t) WHERE {}"})
    assert r.status_code == 200
    assert "etag" not in r.headers
    assert r.headers["cache-control"] == "no-store"


def test_gzip(client):
    q = "SELECT * WHERE { ?s ?p ?o } LIMIT 500"
    r = client.get("/sparql", params={"query": q}, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    assert len(r.json()["results"]["bindings"]) == 500
    raw = client.get("/sparql", params={"query": q}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content)


def test_metrics_count_queries_errors_and_latency(client):
    before = client.get("/metrics").text
    client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    client.get("/sparql", params={"query": "SELECT * WHERE {"})
    text = client.get("/metrics").text
    assert client.get("/metrics").headers["content-type"].startswith("text/plain")

    def value(metrics: str, line_start: str) -> float:
        for line in metrics.splitlines():
            if line.startswith(line_start + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    ok = 'milgraph_queries_total{endpoint="sparql",status="200"}'
    bad = 'milgraph_queries_total{endpoint="sparql",status="400"}'
    assert value(text, ok) == value(before, ok) + 1
    assert value(text, bad) == value(before, bad) + 1
    assert value(text, 'milgraph_query_errors_total{type="malformed-query"}') >= 1
    assert 'milgraph_query_duration_seconds_bucket{endpoint="sparql",le="0.1"}' in text
    assert "milgraph_query_workers 2.0" in text


def test_health_is_503_until_a_snapshot_is_loaded(tmp_path):
    empty = tmp_path / "no-snapshots"
    empty.mkdir()
    with make_client(empty) as c:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = c.get("/health")
            if r.json()["status"] == "failed":
                break
            time.sleep(0.05)
        assert r.status_code == 503
        assert "no snapshot has been built" in r.json()["error"]
        q = c.get("/sparql", params={"query": "ASK {}"})
        assert q.status_code == 503
        assert "no snapshot has been built" in q.json()["detail"]


def test_health_ready_reports_the_snapshot(client, fixture_store):
    body = client.get("/health").json()
    assert body["status"] == "ready"
    assert (fixture_store / "CURRENT").read_text().strip() == body["snapshot"]
