"""SPARQL Update: refused on a snapshot; accepted at /update with --writable-store, safely."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.server.test_safety import Listener
from tests.support.server import fixture_store, live_server, wait_ready

__all__ = ["fixture_store"]

UPDATE = {"Content-Type": "application/sparql-update"}
EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
COUNT_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def writable_client(directory: Path, **config):
    from fastapi.testclient import TestClient

    from milgraph.server import ServerConfig, create_app

    config.setdefault("query_workers", 2)
    return TestClient(create_app(ServerConfig(writable_store=directory, **config)))


def count(client, query: str = COUNT_DEFAULT) -> int:
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name != "LOCK" and not path.name.startswith("LOG"):
            h.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------- read-only


def test_snapshot_server_refuses_updates_and_its_files_do_not_change(fixture_store):
    from fastapi.testclient import TestClient

    from milgraph.server import ServerConfig, create_app

    before = tree_digest(fixture_store)
    with TestClient(create_app(ServerConfig(store=fixture_store, query_workers=2))) as c:
        wait_ready(c.get)
        for r in (
            c.post("/update", content=f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }}", headers=UPDATE),
            c.post("/update", data={"update": "CLEAR ALL"}),
            c.post("/sparql", content="CLEAR ALL", headers=UPDATE),
        ):
            assert r.status_code == 403, r.text
            assert "read-only" in r.json()["detail"]
        assert "--writable-store" in c.post("/update", data={"update": "CLEAR ALL"}).json()[
            "detail"]
        assert count(c) > 0
    assert tree_digest(fixture_store) == before


# ----------------------------------------------------------------------------- writable


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    directory = tmp_path_factory.mktemp("writable") / "store-dir"  # created by the server
    with writable_client(directory, query_timeout=20) as c:
        wait_ready(c.get)
        c.directory = directory
        yield c


def test_updates_are_seen_by_the_next_query(client):
    r = client.post("/update", headers=UPDATE, content=(
        f"INSERT DATA {{ <{EX}a> <{EX}p> 1 . GRAPH <{EX}g> {{ <{EX}b> <{EX}p> 2 }} }}"))
    assert r.status_code == 204, r.text
    assert count(client) == 1 and count(client, COUNT) == 1
    r = client.post("/update", data={"update": f"DELETE WHERE {{ <{EX}a> ?p ?o }}"})
    assert r.status_code == 204, r.text
    assert count(client) == 0 and count(client, COUNT) == 1
    client.post("/update", data={"update": "CLEAR ALL"})
    assert count(client, COUNT) == 0


def test_old_views_are_removed(client):
    for i in range(5):
        client.post("/update", headers=UPDATE, content=f"INSERT DATA {{ <{EX}v> <{EX}p> {i} }}")
        count(client)  # each worker moves to the newest view with its next query
        count(client)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        views = [p for p in (client.directory / "views").iterdir() if p.name.isdigit()]
        if len(views) <= 2:  # the newest, and at most one a worker has not left yet
            break
        time.sleep(0.1)
    assert len(views) <= 2
    client.post("/update", data={"update": "CLEAR ALL"})


def test_using_graph_uri_parameters_are_using_clauses(client):
    client.post("/update", headers=UPDATE, content=(
        f"CLEAR ALL ; INSERT DATA {{ GRAPH <{EX}in> {{ <{EX}x> <{EX}p> 1 }} }}"))
    copy = f"INSERT {{ GRAPH <{EX}out> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    assert client.post("/update", headers=UPDATE, content=copy).status_code == 204
    out = f"ASK {{ GRAPH <{EX}out> {{ <{EX}x> <{EX}p> 1 }} }}"
    assert client.get("/sparql", params={"query": out}).json()["boolean"] is False
    r = client.post(f"/update?using-graph-uri={EX}in", headers=UPDATE, content=copy)
    assert r.status_code == 204, r.text
    assert client.get("/sparql", params={"query": out}).json()["boolean"] is True
    named = (f"INSERT {{ GRAPH <{EX}names> {{ ?g <{EX}seen> true }} }} "
             f"WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")  # fmt: skip
    r = client.post("/update", data={"update": named, "using-named-graph-uri": f"{EX}in"})
    assert r.status_code == 204, r.text
    r = client.get("/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH <{EX}names> {{ ?g ?p ?o }} }}"})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [f"{EX}in"]
    conflict = f"WITH <{EX}in> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    r = client.post(f"/update?using-graph-uri={EX}in", headers=UPDATE, content=conflict)
    assert r.status_code == 400 and "USING" in r.json()["detail"]
    client.post("/update", data={"update": "CLEAR ALL"})


def test_bad_updates(client):
    r = client.post("/update", headers=UPDATE, content="INSERT DATA { <a:s> <a:p> ")
    assert r.status_code == 400
    assert r.json()["type"].endswith("malformed-update") and r.json()["line"] == 1
    assert client.post("/update", content="CLEAR ALL").status_code == 400  # no Content-Type
    r = client.post("/update", content="CLEAR ALL", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    r = client.post("/update", data={"update": "CLEAR ALL", "query": "ASK {}"})
    assert r.status_code == 400
    r = client.post("/update", headers=UPDATE, content="ASK { ?s ?p ?o }")
    assert r.status_code == 400 and "/sparql" in r.json()["detail"]
    assert client.get("/update", params={"update": "CLEAR ALL"}).status_code == 405
    r = client.post("/sparql", content="CLEAR ALL", headers=UPDATE)
    assert r.status_code == 403 and "/update" in r.json()["detail"]


def test_options_that_need_a_snapshot_are_refused(client):
    for params in ({"inference": "false"}, {"asOf": "2020-01-01"}):
        r = client.get("/sparql", params={"query": "ASK {}", **params})
        assert r.status_code == 400 and "writable" in r.json()["detail"]


def test_load_and_service_reach_no_host_off_the_allow_list(client):
    listener = Listener()
    try:
        for text in (f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>",
                     "LOAD <file:///etc/passwd>", "LOAD SILENT <file:///etc/hostname> INTO GRAPH <a:g>",
                     f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/s> "
                     "{ ?s ?p ?o } }"):  # fmt: skip
            r = client.post("/update", headers=UPDATE, content=text)
            assert r.status_code == 403, (text, r.text)
        assert listener.connections == []
    finally:
        listener.close()
    assert count(client, COUNT) == 0


def test_allow_listed_load_is_attempted(tmp_path):
    listener = Listener()
    try:
        with writable_client(tmp_path / "w", service_allow=[f"127.0.0.1:{listener.port}"]) as c:
            wait_ready(c.get)
            r = c.post("/update", headers=UPDATE,
                       content=f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>")
            assert r.status_code != 403  # allowed; the listener answers 500, so it fails
            assert r.status_code == 422 and "Traceback" not in r.text
    finally:
        listener.close()
    assert len(listener.connections) == 1


def test_an_update_past_its_deadline_writes_nothing(client):
    client.post("/update", headers=UPDATE, content=(
        "INSERT DATA { " + " ".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(400)) + " }"))
    assert count(client) == 400
    explode = (f"INSERT {{ ?a <{EX}q> ?n }} WHERE {{ ?a ?p ?x . ?b ?p2 ?y . ?c ?p3 ?z . "
               "BIND(CONCAT(STR(?x), STR(?y), STR(?z)) AS ?n) }")  # 400^3 rows
    start = time.monotonic()
    r = client.post("/update", headers=UPDATE, content=explode, params={"timeout": "1"})
    assert r.status_code == 503 and r.json()["type"].endswith("query-timeout")
    assert time.monotonic() - start < 10
    assert count(client) == 400  # the transaction was stopped: nothing of it was written
    ok = client.post("/update", data={"update": f"INSERT DATA {{ <{EX}after> <{EX}p> 1 }}"})
    assert ok.status_code == 204  # a new update worker took over
    assert count(client) == 401
    client.post("/update", data={"update": "CLEAR ALL"})


def test_the_admin_token_protects_updates(tmp_path):
    token = "update-token"
    with writable_client(tmp_path / "w", admin_token=token) as c:
        wait_ready(c.get)
        body = f"INSERT DATA {{ <{EX}t> <{EX}p> 1 }}"
        assert c.post("/update", headers=UPDATE, content=body).status_code == 401
        wrong = {**UPDATE, "Authorization": "Bearer nope"}
        assert c.post("/update", headers=wrong, content=body).status_code == 401
        assert count(c) == 0
        right = {**UPDATE, "Authorization": f"Bearer {token}"}
        assert c.post("/update", headers=right, content=body).status_code == 204
        assert count(c) == 1
        assert c.get("/sparql", params={"query": COUNT_DEFAULT}).status_code == 200  # reads: open


def test_edits_survive_a_restart(tmp_path):
    directory = tmp_path / "scratch"
    for server in live_server(["--writable-store", str(directory), "--query-workers", "1"]):
        r = server.http.post("/update", headers=UPDATE,
                             content=f"INSERT DATA {{ <{EX}kept> <{EX}p> 1 }}")
        assert r.status_code == 204
    for server in live_server(["--writable-store", str(directory), "--query-workers", "1"]):
        ask = server.get("/sparql", params={"query": f"ASK {{ <{EX}kept> ?p ?o }}"})
        assert ask.json()["boolean"] is True
        assert "writable" in server.get("/health").json()["snapshot"]


def test_writable_store_cannot_be_combined_with_a_snapshot(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "milgraph.cli", "serve", "--writable-store", str(tmp_path / "w"),
         "--store", str(tmp_path / "s")], capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert r.returncode != 0
    assert "--writable-store" in r.stderr and "--store" in r.stderr
