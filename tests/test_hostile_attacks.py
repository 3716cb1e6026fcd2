"""Each attack of issue 10 against a real server (``milgraph serve``: uvicorn on 127.0.0.1,
started here): the refusal (status and a message that says why), ``/health`` answering
within 100 ms while the attack runs, and a normal query answered within 1 s right after.

1 SERVICE/LOAD allow-list bypass — differential against a honeypot endpoint: every variant
  of the corpus reaches the honeypot when its host is allow-listed, and none does when not.
2 non-finite numbers  3 quadratic lexing  4 deep nesting  7 /health; 5, 6 (entity files,
build bounds) and 8 (the smaller ones) are in test_hostile_inputs.py.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from hostile_support import (
    BAD_NUMBERS,
    MIB,
    Honeypot,
    answered_quickly,
    big_texts,
    corpus,
    fill,
    watch_health,
)
from test_server_support import fixture_store, live_server

__all__ = ["fixture_store"]

TOKEN = "s3cret-admin-token"
QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HEALTH_S = 0.1


@pytest.fixture(scope="module")
def honeypot():
    pot = Honeypot()
    yield pot
    pot.close()


@pytest.fixture(scope="module")
def server(fixture_store):
    yield from live_server(["--store", str(fixture_store), "--query-workers", "2",
                            "--query-timeout", "20", "--cache-mb", "8"],
                           env={"MILGRAPH_ADMIN_TOKEN": TOKEN})  # fmt: skip


@pytest.fixture(scope="module")
def allowed_server(fixture_store, honeypot):
    yield from live_server(["--store", str(fixture_store), "--query-workers", "2",
                            "--allow-service-host", f"127.0.0.1:{honeypot.port}"])  # fmt: skip


def _killed(server) -> int:
    r = server.get("/admin/status", headers={"Authorization": f"Bearer {TOKEN}"})
    return r.json()["workers"]["killed"]


# --------------------------------------------------------------------------- 1 SSRF


def test_no_service_variant_reaches_the_honeypot(server, honeypot):
    variants = {**corpus("ssrf"), **corpus("ssrf-never")}
    before = len(honeypot.requests)
    with watch_health(server.url) as health:
        for name, template in variants.items():
            query = fill(template, honeypot.port)
            for r in (server.get("/sparql", params={"query": query}),
                      server.http.post("/sparql", content=query.encode(), headers=QUERY),
                      server.http.post("/sparql", data={"query": query})):  # fmt: skip
                assert r.status_code == 403, (name, r.text)
                assert r.headers["content-type"] == "application/problem+json"
                assert "allow-list" in r.json()["detail"], name
    assert honeypot.requests[before:] == []
    health.check(HEALTH_S)
    assert set(health.statuses) == {200}, health
    answered_quickly(server.http)


def test_every_service_variant_really_calls_when_allow_listed(allowed_server, honeypot):
    """The differential half: the corpus variants are real SERVICE calls in the engine's
    reading (so refusing them above is refusing what the engine would do)."""
    for name, template in corpus("ssrf").items():
        before = len(honeypot.requests)
        r = allowed_server.get("/sparql", params={"query": fill(template, honeypot.port)},
                               headers={"Accept": "application/sparql-results+json, "
                                        "text/turtle;q=0.9"})  # fmt: skip
        assert r.status_code == 200, (name, r.text)
        assert len(honeypot.requests) > before, f"{name} did not reach the allowed endpoint"
    for name, template in corpus("ssrf-never").items():
        before = len(honeypot.requests)
        r = allowed_server.get("/sparql", params={"query": fill(template, honeypot.port)})
        assert r.status_code == 403, (name, r.text)
        assert len(honeypot.requests) == before, name


@pytest.mark.parametrize("allowed", [False, True], ids=["default", "allow-listed"])
def test_load_and_service_in_updates(tmp_path, honeypot, allowed):
    args = ["--writable-store", str(tmp_path / "w"), "--query-workers", "2"]
    if allowed:
        args += ["--allow-service-host", f"127.0.0.1:{honeypot.port}"]
    for server in live_server(args):
        for name, template in corpus("load").items():
            before = len(honeypot.requests)
            r = server.http.post("/update", content=fill(template, honeypot.port).encode(),
                                 headers=UPDATE)  # fmt: skip
            if allowed:
                assert r.status_code == 204, (name, r.text)
                assert len(honeypot.requests) > before, f"{name} did not reach the endpoint"
            else:
                assert r.status_code == 403, (name, r.text)
                assert "allow-list" in r.json()["detail"]
                assert len(honeypot.requests) == before, name
        answered_quickly(server.http)


def test_a_hidden_now_is_not_cached(server):
    q = (r"PREFIX ex: <http://example.org/> SELECT (STR(NOW()) AS ?t) (STRUUID() AS ?u) "
         r"WHERE { BIND(ex:a\#x AS ?v) }")  # fmt: skip
    first = server.get("/sparql", params={"query": q})
    second = server.get("/sparql", params={"query": q})
    assert first.status_code == second.status_code == 200
    assert first.headers["cache-control"] == "no-store" and "etag" not in first.headers
    assert first.json()["results"] != second.json()["results"]


# --------------------------------------------------------------------------- 2 numbers


def test_non_finite_and_out_of_range_timeouts_are_400_and_run_nothing(server):
    killed = _killed(server)
    with watch_health(server.url) as health:
        for value in BAD_NUMBERS:
            for r in (
                server.get("/sparql", params={"query": HEAVY, "timeout": value}),
                server.http.post("/sparql", data={"query": HEAVY, "timeout": value}),
                server.http.post("/sparql", params={"timeout": value}, content=HEAVY,
                                 headers=QUERY),
                server.get("/api/queries/members-on-date",
                           params={"org": "NATO", "timeout": value}),
            ):  # fmt: skip
                assert r.status_code == 400, (value, r.status_code, r.text)
                assert "timeout" in r.json()["detail"] and "greater than 0" in r.json()["detail"]
    health.check(HEALTH_S)
    assert set(health.statuses) == {200}, health
    assert _killed(server) == killed  # nothing ran, so nothing was stopped
    answered_quickly(server.http)


def test_named_query_numbers_are_bounded(server):
    for value in ("nan", "inf", "9" * 5000, "1e3", "-"):
        r = server.get("/api/queries/exercise-partners", params={"nation": "FIN", "since": value})
        assert r.status_code == 400, (value, r.text)
    answered_quickly(server.http)


def test_nan_update_is_refused_and_not_committed(tmp_path):
    for server in live_server(["--writable-store", str(tmp_path / "w"), "--query-workers", "2"]):
        for value in ("nan", "inf", "-1", "0"):
            r = server.http.post("/update", params={"timeout": value}, headers=UPDATE,
                                 content=f"INSERT DATA {{ <http://e/s> <http://e/p> '{value}' }}")
            assert r.status_code == 400, r.text
        ask = server.get("/sparql", params={"query": "ASK { <http://e/s> ?p ?o }"})
        assert ask.json()["boolean"] is False
        answered_quickly(server.http)


# --------------------------------------------------------------------------- 3 and 4


@pytest.mark.parametrize("size", [60 * 1024, MIB - 8192], ids=["60KB", "1MiB"])
def test_big_hostile_texts_are_refused_while_health_answers(server, size):
    killed = _killed(server)
    texts = big_texts(size)
    results: dict[str, httpx.Response] = {}

    def attack() -> None:
        with httpx.Client(base_url=server.url, timeout=60) as c:
            for name, text in texts.items():
                results[name] = c.post("/sparql", content=text.encode(), headers=QUERY)

    with watch_health(server.url, interval=0.02) as health:
        threads = [threading.Thread(target=attack) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for name, r in results.items():
        assert r.status_code == 400, (name, r.text[:300])
        body = r.json()
        assert body["line"] >= 1 and body["column"] >= 1, body
        if name.startswith(("nested", "long", "bang")):
            assert "nests too deeply" in body["detail"] and "1500" in body["detail"], body
    health.check(HEALTH_S)
    assert _killed(server) == killed  # no worker crashed
    answered_quickly(server.http)


def test_ten_thousand_nested_brackets_kill_no_worker(server):
    killed = _killed(server)
    with watch_health(server.url) as health:
        _deep_attack(server)
    health.check(HEALTH_S)
    assert _killed(server) == killed
    answered_quickly(server.http)


def _deep_attack(server) -> None:
    for text in ("SELECT * WHERE " + "{" * 10000 + "}" * 10000,
                 "SELECT * WHERE { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }",
                 "ASK { FILTER(1" + "+1" * 10000 + ") }",
                 "ASK {" + "{} UNION " * 10000 + "{} }"):  # fmt: skip
        for _ in range(5):
            r = server.http.post("/sparql", content=text.encode(), headers=QUERY)
            assert r.status_code == 400, r.text[:200]
            assert r.json()["type"].endswith("query-too-deep")
            assert "1500" in r.json()["detail"]


# --------------------------------------------------------------------------- 7 /health


def test_health_says_busy_when_no_query_can_be_answered(fixture_store):
    for server in live_server(["--store", str(fixture_store), "--query-workers", "2",
                               "--query-timeout", "3"]):  # fmt: skip
        assert server.get("/health").json()["status"] == "ready"
        url = f"{server.url}/sparql"
        pins = [threading.Thread(target=httpx.post, args=(url,),
                                 kwargs={"content": HEAVY, "headers": QUERY, "timeout": 30})
                for _ in range(4)]  # fmt: skip
        for t in pins:
            t.start()
        time.sleep(0.5)
        took = []
        for _ in range(5):
            start = time.perf_counter()
            r = server.get("/health")
            took.append(time.perf_counter() - start)
            assert r.status_code == 503, r.text
            assert r.json()["status"] == "busy" and not r.json()["probe"]["ok"]
            assert "busy" in r.json()["probe"]["error"]
        assert sorted(took)[2] < HEALTH_S + 0.02, took  # the probe waits 80 ms, no longer
        for t in pins:
            t.join()
        deadline = time.monotonic() + 10
        while server.get("/health").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.get("/health").json()["status"] == "ready"
        answered_quickly(server.http)


def test_a_huge_literal_is_read_and_answered_while_health_answers(server):
    """Big is not hostile by itself: a 900 KB literal is a valid query and gets its answer."""
    literal = "é\\\"x" * (700 * 1024 // 4)  # 900 KB of UTF-8
    q = f'SELECT (STRLEN(?v) AS ?n) WHERE {{ BIND("{literal}" AS ?v) }}'
    with watch_health(server.url) as health:
        r = server.http.post("/sparql", content=q.encode(), headers=QUERY)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(700 * 1024 // 4 * 3)
    health.check(HEALTH_S)
    answered_quickly(server.http)
