"""``serve --watch``: a save is answered by /sparql; a broken save keeps the last good graph
and /health names the file and line; a server started on broken inputs serves the last good
snapshot of those inputs, loudly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.server import FIXTURE_DATA, ID, MIL, ONTOLOGY, copy_tree, live_server

TOKEN = "watch-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXERCISE = f"{ID}exercise/watch-test-2025"
ASK_EXERCISE = f"ASK {{ <{EXERCISE}> <{MIL}participant> <{ID}nation/FIN> }}"
APPENDED = """
id:exercise\\/watch-test-2025 a mil:MilitaryExercise ; rdfs:label "Watch test 2025"@en ;
    mil:startDate "2025-06-01"^^xsd:date ; mil:endDate "2025-06-10"^^xsd:date ;
    mil:participant id:nation\\/FIN , id:nation\\/SWE ;
    dcterms:source <https://www.nato.int/cps/en/natohq/topics_52044.htm> .
"""
BROKEN = "\nid:exercise\\/broken a mil:MilitaryExercise ;\n    mil:startDate \"2025\n"


def args(tmp_path: Path, data: Path) -> list[str]:
    return ["--store", str(tmp_path / "snapshots"), "--ontology", str(ONTOLOGY),
            "--data", str(data), "--query-workers", "1", "--watch"]  # fmt: skip


def ask(server, query: str) -> bool:
    r = server.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def wait_for(predicate, timeout: float = 90.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return copy_tree(FIXTURE_DATA, tmp_path / "data")


def test_a_save_is_served_and_a_broken_save_is_named_until_fixed(tmp_path, data):
    env = {"MILGRAPH_ADMIN_TOKEN": TOKEN}
    log = tmp_path / "server.log"
    for server in live_server(args(tmp_path, data), env, log=log):
        check_saves(server, data)
    said = log.read_text()  # what the steward at the terminal sees
    assert "milgraph: watch: " in said and "changed; rebuilding" in said
    assert "milgraph: watch: the save broke the graph, still serving" in said
    assert "fixture.ttl:" in said.split("the save broke the graph")[1].splitlines()[0]


def check_saves(server, data: Path) -> None:
    first = server.get("/health").json()["snapshot"]
    assert ask(server, ASK_EXERCISE) is False
    target = data / "fixture.ttl"
    good = target.read_text()

    with target.open("a") as f:  # an appended exercise, as an editor saves it
        f.write(APPENDED)
    wait_for(lambda: ask(server, ASK_EXERCISE))
    health = server.get("/health").json()
    assert health["snapshot"] != first and "failing" not in health
    assert health["last_reload"]["cause"].startswith("watch: ")
    served = health["snapshot"]

    broken_line = len((good + APPENDED).splitlines()) + 2
    target.write_text(good + APPENDED + BROKEN)

    def named() -> bool:
        return "failing" in server.get("/health").json()

    wait_for(named)
    health = server.get("/health").json()
    assert health["status"] == "ready" and health["snapshot"] == served
    spots = [(Path(f["file"]).name, f["line"]) for f in health["failing"]]
    # the unterminated string runs to the end of the file: its line or the next
    assert spots and all(name == "fixture.ttl" and line in (broken_line, broken_line + 1)
                         for name, line in spots), health["failing"]  # fmt: skip
    assert "still serving" in health["warning"]
    assert ask(server, ASK_EXERCISE) is True  # the last good graph answers
    status = server.get("/admin/status", headers=AUTH).json()
    assert status["serving"]["key"] == served
    assert [(Path(f["file"]).name, f["line"]) for f in status["failing"]] == spots
    assert status["watch"]["rebuilds"] >= 2

    target.write_text(good)  # the next good save clears it
    wait_for(lambda: not ask(server, ASK_EXERCISE))
    health = server.get("/health").json()
    assert "failing" not in health and "warning" not in health
    assert health["snapshot"] == first  # the same content: the same snapshot


def test_started_on_broken_inputs_it_serves_the_last_good_snapshot_loudly(tmp_path, data):
    for server in live_server(args(tmp_path, data)):
        good_key = server.get("/health").json()["snapshot"]
    target = data / "fixture.ttl"
    target.write_text(target.read_text() + BROKEN)
    log = tmp_path / "server.log"
    env = {"MILGRAPH_ADMIN_TOKEN": TOKEN}
    for server in live_server(args(tmp_path, data), env, log=log):
        r = server.get("/health")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["snapshot"] == good_key
        assert body["serving_last_good"]["key"] == good_key
        assert "fixture.ttl" in body["warning"] and "last good snapshot" in body["warning"]
        assert any(Path(f["file"]).name == "fixture.ttl" for f in body["failing"])
        status = server.get("/admin/status", headers=AUTH).json()
        assert status["serving_last_good"]["key"] == good_key
        assert ask(server, f"ASK {{ <{ID}nation/FIN> a <{MIL}Nation> }}") is True
    assert "WARNING: the inputs are invalid" in log.read_text()


def test_started_on_broken_inputs_without_a_good_snapshot_it_says_so(tmp_path, data):
    target = data / "fixture.ttl"
    target.write_text(target.read_text() + BROKEN)
    for server in live_server(args(tmp_path, data), ready=False):
        deadline = time.monotonic() + 60
        body = server.get("/health").json()
        while body["status"] == "loading" and time.monotonic() < deadline:
            time.sleep(0.1)
            body = server.get("/health").json()
        assert body["status"] == "failed"
        assert any(Path(f["file"]).name == "fixture.ttl" for f in body["failing"])
