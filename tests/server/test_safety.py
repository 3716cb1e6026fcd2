"""Safety: no outbound fetches (SERVICE, FROM <file:…>), read-only, body limit, CORS."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.support.server import fixture_store, make_client, wait_ready

__all__ = ["fixture_store"]


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                self.connections.append(conn.recv(4096))
                conn.sendall(b"HTTP/1.1 500 Nope\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                self.connections.append(b"")
            finally:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store, max_body_bytes=4096) as c:
        wait_ready(c.get)
        yield c


def test_service_is_refused_and_nothing_connects(client, listener):
    target = f"http://127.0.0.1:{listener.port}/sparql"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <http://127.0.0.1:{listener.port}/>\n"
        "SELECT * WHERE { # a comment with SERVICE <x>\n SERVICE r:sparql { ?s ?p ?o } }",
        f"BASE <http://127.0.0.1:{listener.port}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{target}> {{ ?s ?p ?o }} }}",
    ]
    for q in queries:
        r = client.get("/sparql", params={"query": q})
        assert r.status_code == 403, (q, r.text)
        assert "allow-list" in r.json()["detail"]
    assert listener.connections == []


def test_service_in_strings_and_iris_is_not_a_call(client):
    q = ('SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/>" AS ?x) '
         "FILTER(?x != <http://example.org/SERVICE>) }")  # fmt: skip
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 200, r.text


def test_allow_listed_service_host_is_called(fixture_store, listener):
    with make_client(fixture_store, service_allow=[f"127.0.0.1:{listener.port}"]) as c:
        wait_ready(c.get)
        q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        r = c.get("/sparql", params={"query": q})
        assert r.status_code != 403  # allowed: the remote endpoint answered (with an error)
        assert r.status_code < 500 or "Traceback" not in r.text
    assert len(listener.connections) == 1
    assert listener.connections[0].startswith(b"POST /sparql")


def test_from_file_iri_reads_no_file(client, tmp_path):
    secret = tmp_path / "secret.ttl"
    secret.write_text("<http://example.org/s> <http://example.org/p> 'TOPSECRET' .\n")
    for q in (
        f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    ):
        r = client.get("/sparql", params={"query": q})
        assert r.status_code == 200
        assert r.json()["results"]["bindings"] == []
        assert "TOPSECRET" not in r.text and "root:" not in r.text
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                      "default-graph-uri": secret.as_uri()})  # fmt: skip
    assert r.json()["results"]["bindings"] == []


def test_load_is_refused(client, listener):
    for text in (f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>", "LOAD <file:///etc/passwd>"):
        for r in (
            client.post("/sparql", data={"update": text}),
            client.post("/sparql", content=text,
                        headers={"Content-Type": "application/sparql-update"}),
            client.post("/sparql", content=text,
                        headers={"Content-Type": "application/sparql-query"}),
        ):  # fmt: skip
            assert r.status_code == 403
            assert "read-only" in r.json()["detail"]
    assert listener.connections == []


def test_body_size_limit(client):
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    r = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert "4,096 bytes" in r.json()["detail"]

    def chunks():  # no Content-Length: the limit still holds while reading
        yield b"SELECT * WHERE { ?s ?p ?o } #"
        for _ in range(10):
            yield b"x" * 1000

    r = client.post("/sparql", content=chunks(),
                    headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    assert r.status_code == 413
    small = client.post("/sparql", content="ASK {}",
                        headers={"Content-Type": "application/sparql-query"})  # fmt: skip
    assert small.status_code == 200


def test_cors_off_by_default(client):
    r = client.get("/sparql", params={"query": "ASK {}"},
                   headers={"Origin": "https://dashboard.example"})  # fmt: skip
    assert "access-control-allow-origin" not in r.headers


def test_cors_allow_listed_origin_only_and_never_credentials(fixture_store):
    with make_client(fixture_store, cors_origins=["https://dash.example"]) as c:
        wait_ready(c.get)
        ok = c.get("/sparql", params={"query": "ASK {}"},
                   headers={"Origin": "https://dash.example"})  # fmt: skip
        assert ok.headers["access-control-allow-origin"] == "https://dash.example"
        assert "access-control-allow-credentials" not in ok.headers
        assert "etag" in ok.headers["access-control-expose-headers"].lower()
        other = c.get("/sparql", params={"query": "ASK {}"},
                      headers={"Origin": "https://evil.example"})  # fmt: skip
        assert "access-control-allow-origin" not in other.headers
        pre = c.options("/sparql", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 400
        assert "access-control-allow-origin" not in pre.headers
        pre = c.options("/sparql", headers={
            "Origin": "https://dash.example", "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "https://dash.example"
    with make_client(fixture_store, cors_origins=["*"]) as c:
        wait_ready(c.get)
        r = c.get("/sparql", params={"query": "ASK {}"},
                  headers={"Origin": "https://any.example", "Cookie": "session=1"})  # fmt: skip
        assert r.headers["access-control-allow-origin"] == "*"  # never the reflected origin
        assert "access-control-allow-credentials" not in r.headers


def test_no_stack_trace_on_internal_error(client, monkeypatch):
    state = client.app.state.milgraph

    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    from fastapi.testclient import TestClient

    monkeypatch.setattr(state.cache, "get", boom)  # fault injection: reach the catch-all
    raw = TestClient(client.app, raise_server_exceptions=False)  # no lifespan: same state
    r = raw.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "secret internal detail" not in r.text and "Traceback" not in r.text
    assert r.json()["request_id"]
