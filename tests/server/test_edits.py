"""``serve --allow-edits``: curated SPARQL Update on a real server, written to the Turtle files.

Refusals (token, graph, validation) leave the files byte for byte as they were; an accepted
edit is a minimal change of its file and is answered by /sparql when the 200 arrives;
parallel edits all land; a server killed with SIGKILL while editing leaves every
acknowledged edit in the file and no file half-written.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests.support.server import FIXTURE_DATA, ID, MIL, ONTOLOGY, copy_tree, live_server

TOKEN = "edit-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
GRAPH = "https://w3id.org/milgraph/graph/data/fixture.ttl"
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCE = "https://www.nato.int/cps/en/natohq/topics_52044.htm"


def exercise(name: str, *, source: bool = True) -> str:
    s = f"<{ID}exercise/{name}>"
    triples = (f'{s} a <{MIL}MilitaryExercise> ; <http://www.w3.org/2000/01/rdf-schema#label> '
               f'"{name}"@en ; <{MIL}startDate> "2025-06-01"^^<{XSD}date> ; '
               f'<{MIL}endDate> "2025-06-10"^^<{XSD}date> ; '
               f'<{MIL}participant> <{ID}nation/FIN> , <{ID}nation/SWE>')  # fmt: skip
    if source:
        triples += f" ; <http://purl.org/dc/terms/source> <{SOURCE}>"
    return f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} . }} }}"


def ask(server, query: str) -> bool:
    r = server.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def args(tmp_path: Path, data: Path) -> list[str]:
    return ["--store", str(tmp_path / "snapshots"), "--ontology", str(ONTOLOGY), "--data",
            str(data), "--query-workers", "1", "--allow-edits"]  # fmt: skip


@pytest.fixture
def server(tmp_path):
    data = copy_tree(FIXTURE_DATA, tmp_path / "data")
    for s in live_server(args(tmp_path, data), env={"MILGRAPH_ADMIN_TOKEN": TOKEN}):
        s.data = data
        s.root = tmp_path / "snapshots"
        yield s


def post(server, update: str, headers=AUTH) -> httpx.Response:
    return server.http.post("/update", content=update.encode(), headers=headers, timeout=300)


def test_refusals_change_nothing(server):
    target = server.data / "fixture.ttl"
    before = target.read_bytes()
    plain = {"Content-Type": "application/sparql-update"}
    assert post(server, exercise("x"), plain).status_code == 401
    wrong = {**plain, "Authorization": "Bearer nope"}
    assert post(server, exercise("x"), wrong).status_code == 401

    outside = post(server, f"INSERT DATA {{ <{ID}exercise/x> a <{MIL}MilitaryExercise> }}")
    assert outside.status_code == 400, outside.text
    body = outside.json()
    assert body["type"].endswith("edit-outside-file-graph")
    assert f"GRAPH <{GRAPH}>" in body["detail"] and GRAPH in body["graphs"]
    other = post(server, f"INSERT DATA {{ GRAPH <{ID}g> {{ <{ID}a> <{MIL}b> <{ID}c> }} }}")
    assert other.status_code == 400 and "not a data file's" in other.json()["detail"]

    invalid = post(server, exercise("unsourced", source=False))  # SHACL: every record a source
    assert invalid.status_code == 422, invalid.text
    doc = invalid.json()
    assert doc["type"].endswith("edit-invalid") and "nothing was written" in doc["detail"]
    assert any("source" in p for p in doc["problems"]), doc["problems"]
    assert all(str(server.data) in f["file"] or not f["file"].startswith("/")
               for f in doc["failing"]), doc["failing"]  # the steward's paths, not a mirror's
    malformed = post(server, "INSERT DATA { GRAPH <x> { <a> <b> } }")
    assert malformed.status_code == 400
    assert target.read_bytes() == before
    assert not ask(server, f"ASK {{ <{ID}exercise/unsourced> ?p ?o }}")


def test_an_accepted_edit_is_a_minimal_change_and_served(server):
    target = server.data / "fixture.ttl"
    before = target.read_text()
    r = post(server, exercise("edit-test-2025"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["files"] == {"data/fixture.ttl": {"added": 7, "removed": 0}}
    assert body["snapshot"] == server.get("/health").json()["snapshot"] == r.headers["x-snapshot"]
    after = target.read_text()
    assert after.startswith(before.rstrip("\n"))  # appended: git diff shows only the edit
    added = after[len(before.rstrip("\n")):]
    assert "id:exercise\\/edit-test-2025 a mil:MilitaryExercise ;" in added
    assert 'mil:startDate "2025-06-01"^^xsd:date' in added  # the file's own prefixes
    # answered now, reasoned: the participants exercised with each other
    assert ask(server, f"ASK {{ <{ID}nation/FIN> <{MIL}exercisedWith> <{ID}nation/SWE> }}")
    assert ask(server, f"ASK {{ GRAPH <{GRAPH}> {{ <{ID}exercise/edit-test-2025> ?p ?o }} }}")

    # a deletion rewrites only the statement it touches
    removed = post(server, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ <{ID}exercise/baltops-2023> "
                           f"<{MIL}participant> <{ID}nation/FRA> }} }}")  # fmt: skip
    assert removed.status_code == 200, removed.text
    assert removed.json()["files"] == {"data/fixture.ttl": {"added": 0, "removed": 1}}
    old, new = after.splitlines(), target.read_text().splitlines()
    changed = [line for line in old if line not in new]
    assert changed and all("baltops-2023" in line or "participant" in line or "Date" in line
                           or "source" in line for line in changed), changed  # fmt: skip
    assert not ask(server, f"ASK {{ <{ID}exercise/baltops-2023> <{MIL}participant> "
                           f"<{ID}nation/FRA> }}")  # fmt: skip
    # a changed value is written over the old one: a one-line diff
    text = target.read_text()
    moved = post(server, f"DELETE {{ GRAPH <{GRAPH}> {{ ?m <{MIL}startDate> ?d }} }} "
                         f'INSERT {{ GRAPH <{GRAPH}> {{ ?m <{MIL}startDate> "2023-05-04"^^<{XSD}date> }} }} '
                         f"WHERE {{ GRAPH <{GRAPH}> {{ ?m <{MIL}member> <{ID}nation/FIN> ; "
                         f"<{MIL}startDate> ?d }} }}")  # fmt: skip
    assert moved.status_code == 200, moved.text
    old_lines, new_lines = text.splitlines(), target.read_text().splitlines()
    assert len(old_lines) == len(new_lines)
    diff = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert len(diff) == 1 and diff[0][0].replace("2023-04-04", "2023-05-04") == diff[0][1]
    assert ask(server, f'ASK {{ <{ID}nation/USA> <{MIL}alliedWith> <{ID}nation/FIN> }}')
    unchanged = post(server, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ <{ID}a> <{MIL}b> <{ID}c> }} }}")
    assert unchanged.status_code == 200 and unchanged.json()["changed"] is False


def test_parallel_edits_all_land(server):
    names = [f"parallel-{i}" for i in range(4)]
    answers: dict[str, int] = {}

    def send(name: str) -> None:
        with httpx.Client(base_url=server.url, timeout=300) as c:
            answers[name] = c.post("/update", content=exercise(name).encode(),
                                   headers=AUTH).status_code  # fmt: skip

    threads = [threading.Thread(target=send, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == {n: 200 for n in names}
    held = file_exercises(server.data / "fixture.ttl")
    assert set(names) <= held
    for name in names:
        assert ask(server, f"ASK {{ <{ID}exercise/{name}> a <{MIL}MilitaryExercise> }}")


def file_exercises(path: Path) -> set[str]:
    """Exercises in the file; each must be whole (all seven triples) or absent."""
    quads = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE,
                          base_iri=path.resolve().as_uri()))  # fmt: skip
    counts: dict[str, int] = {}
    for q in quads:
        s = q.subject.value if isinstance(q.subject, ox.NamedNode) else ""
        if s.startswith(f"{ID}exercise/kill-") or s.startswith(f"{ID}exercise/parallel-"):
            name = s.rsplit("/", 1)[1]
            counts[name] = counts.get(name, 0) + 1
    assert all(n == 7 for n in counts.values()), counts
    return set(counts)


def test_sigkill_loses_no_acknowledged_edit(tmp_path):
    data = copy_tree(FIXTURE_DATA, tmp_path / "data")
    acked: list[str] = []
    stop = threading.Event()
    for server in live_server(args(tmp_path, data), env={"MILGRAPH_ADMIN_TOKEN": TOKEN}):

        def client(worker: int, url: str = server.url) -> None:
            i = 0
            with httpx.Client(base_url=url, timeout=300) as c:
                while not stop.is_set():
                    name = f"kill-{worker}-{i}"
                    i += 1
                    try:
                        r = c.post("/update", content=exercise(name).encode(), headers=AUTH)
                    except httpx.TransportError:
                        return
                    if r.status_code == 200:
                        acked.append(name)

        threads = [threading.Thread(target=client, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 240
        while len(acked) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)  # somewhere inside the next edits
        editors = children(server.proc.pid, "milgraph.server.editor")
        server.proc.kill()  # SIGKILL: no handler runs
        for pid in editors:  # and the edit in progress, wherever it is
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        server.proc.wait()
        stop.set()
        for t in threads:
            t.join()
    assert len(acked) >= 3
    # an edit process the server started may still be finishing: wait for its lock
    subprocess.run([sys.executable, "-c", (
        "import fcntl, sys; f = open(sys.argv[1], 'a+b'); fcntl.flock(f, fcntl.LOCK_EX)")
        , str(tmp_path / "snapshots" / ".edits.lock")], check=True, timeout=300)  # fmt: skip
    from milgraph.server.editor import recover

    recover(tmp_path / "snapshots")  # what the next server start does
    held = file_exercises(data / "fixture.ttl")
    assert set(acked) <= held, set(acked) - held


def children(pid: int, module: str) -> list[int]:
    """Processes started by ``pid`` running ``python -m module``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and module.encode() in cmdline:
            found.append(int(proc.name))
    return found


def test_allow_edits_needs_a_token_and_the_files(tmp_path):
    cmd = [sys.executable, "-m", "milgraph.cli", "serve", "--allow-edits"]
    no_token = subprocess.run([*cmd, "--data", str(FIXTURE_DATA)], capture_output=True,
                              text=True, env={"PATH": "/usr/bin", "MILGRAPH_ADMIN_TOKEN": ""})
    assert no_token.returncode == 2 and "needs --admin-token" in no_token.stderr
    scratch = subprocess.run([*cmd, "--admin-token", "t", "--writable-store", str(tmp_path)],
                             capture_output=True, text=True)  # fmt: skip
    assert scratch.returncode == 2 and "--allow-edits" in scratch.stderr
