"""Reload without downtime: rebuild off the request path, switch, keep the old graph on failure."""

from __future__ import annotations

import signal
import time

import pytest

from tests.support.server import FIXTURE_DATA, ID, MIL, ONTOLOGY, copy_tree, live_server

TOKEN = "s3cret-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ASK_NOR = f"ASK {{ <{ID}nation/NOR> a <{MIL}Nation> }}"


@pytest.fixture
def server(tmp_path):
    data = copy_tree(FIXTURE_DATA, tmp_path / "data")
    args = ["--store", str(tmp_path / "snapshots"), "--ontology", str(ONTOLOGY),
            "--data", str(data), "--query-workers", "2"]  # fmt: skip
    for s in live_server(args, env={"MILGRAPH_ADMIN_TOKEN": TOKEN}):
        s.data = data
        yield s


def ask(server, query: str) -> bool:
    r = server.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def test_reload_needs_the_token(server):
    assert server.http.post("/admin/reload").status_code == 401
    bad = server.http.post("/admin/reload", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert server.get("/admin/status").status_code == 401
    same = server.http.post("/admin/reload", headers=AUTH)
    assert same.status_code == 200
    assert same.json()["ok"] is True and same.json()["changed"] is False


def test_reload_switches_to_new_data_and_keeps_old_on_failure(server):
    old_key = server.get("/health").json()["snapshot"]
    assert ask(server, ASK_NOR) is False
    (server.data / "norway.ttl").write_text(
        "@prefix mil: <https://w3id.org/milgraph/ontology#> .\n"
        f"<{ID}nation/NOR> a mil:Nation ; mil:isoCode \"NOR\" ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "Norway"@en ;\n'
        "  <http://purl.org/dc/terms/source> <https://www.iso.org/iso-3166-country-codes.html> .\n"
    )
    r = server.http.post("/admin/reload", headers=AUTH)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ok"] and body["changed"] and body["serving"] == body["key"] != old_key
    assert ask(server, ASK_NOR) is True
    good_key = body["key"]

    (server.data / "broken.ttl").write_text(
        "@prefix mil: <https://w3id.org/milgraph/ontology#> .\n"
        f"<{ID}nation/ISL> a mil:Nation\n"
        f"<{ID}nation/DNK> a mil:Nation .\n"
    )
    r = server.http.post("/admin/reload", headers=AUTH)
    assert r.status_code == 422
    failed = r.json()
    assert failed["ok"] is False and failed["serving"] == good_key
    assert any("broken.ttl:3" in p for p in failed["problems"]), failed["problems"]
    # still serving the last good graph
    assert server.get("/health").json()["snapshot"] == good_key
    assert ask(server, ASK_NOR) is True
    status = server.get("/admin/status", headers=AUTH).json()
    assert status["serving"]["key"] == good_key
    assert status["last_reload"]["ok"] is False
    assert any("broken.ttl:3" in p for p in status["last_reload"]["problems"])
    assert status["last_successful_reload"]["key"] == good_key

    # SIGHUP reloads too, once the file is fixed
    (server.data / "broken.ttl").unlink()
    (server.data / "norway.ttl").unlink()
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.get("/health").json()["snapshot"] == good_key:
        time.sleep(0.1)
    assert server.get("/health").json()["snapshot"] == old_key
    assert ask(server, ASK_NOR) is False


def test_admin_disabled_without_token(tmp_path):
    from tests.support.server import build_fixture_snapshot

    root = tmp_path / "snaps"
    build_fixture_snapshot(root)
    for s in live_server(["--store", str(root), "--query-workers", "1"],
                         env={"MILGRAPH_ADMIN_TOKEN": ""}):  # fmt: skip
        r = s.http.post("/admin/reload", headers=AUTH)
        assert r.status_code == 403
        assert "--admin-token" in r.json()["detail"]
