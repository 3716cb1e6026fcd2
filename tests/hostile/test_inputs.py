"""Hostile files and the smaller attacks of issue 10, against real servers and the CLI.

5 RDF/XML entity expansion (reload, validate, build)  6 build bounds (input size, memory)
8 non-ASCII bearer token, duplicate X-Request-ID, %FF in a GET, empty asOf=, over-long URLs
and headers, tracebacks in the CLI, a file deleted mid-build, security headers, the admin
token in workers' environments; wrong and missing Content-Types.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from milgraph.errors import MilgraphError
from tests.support.hostile import HOSTILE, answered_quickly, watch_health
from tests.support.server import FIXTURE_DATA, ONTOLOGY, REPO, fixture_store, live_server

__all__ = ["fixture_store"]

TOKEN = "s3cret-admin-token"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}
RDFXML = HOSTILE / "rdfxml"
#: corpus file -> what the refusal must say, and the line it must name
REFUSED = {
    "laughs.rdf": ("expands to more than", 7),
    "quadratic.rdf": ("expand to more than", 6),
    "external.rdf": ("external entity", 3),
    "parameter.rdf": ("parameter entity", 3),
    "recursive.rdf": ("refers to itself", 3),
    "undeclared.rdf": ("", 3),
    "mismatched-tag.rdf": ("mismatched", 4),
    "no-namespace.rdf": ("namespaces", 5),
}
SECURITY = {"x-content-type-options": "nosniff",
            "content-security-policy": "frame-ancestors 'none'",
            "referrer-policy": "no-referrer"}  # fmt: skip


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "milgraph.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, "MILGRAPH_HOME": str(REPO / ".milgraph")})  # fmt: skip


@pytest.fixture(scope="module")
def server(fixture_store):
    yield from live_server(["--store", str(fixture_store), "--query-workers", "2"],
                           env={"MILGRAPH_ADMIN_TOKEN": TOKEN})  # fmt: skip


@pytest.fixture(scope="module")
def rebuilding(tmp_path_factory):
    """A server that rebuilds from a data directory the tests change, inputs bounded to
    1 MiB."""
    data = tmp_path_factory.mktemp("hostile-data")
    shutil.copy(FIXTURE_DATA / "fixture.ttl", data / "fixture.ttl")
    root = tmp_path_factory.mktemp("hostile-snapshots")
    for server in live_server(["--data", str(data), "--ontology", str(ONTOLOGY),
                               "--store", str(root), "--query-workers", "2",
                               "--max-input-mb", "1"], env={"MILGRAPH_ADMIN_TOKEN": TOKEN}):
        server.data = data  # type: ignore[attr-defined]
        yield server


# --------------------------------------------------------------------------- 5 and 6


def _reload(server) -> httpx.Response:
    return server.http.post("/admin/reload", headers=ADMIN, timeout=300)


@pytest.mark.parametrize("name", ["laughs.rdf", "quadratic.rdf", "external.rdf",
                                  "parameter.rdf", "mismatched-tag.rdf"])  # fmt: skip
def test_reload_refuses_entity_files_and_keeps_serving(rebuilding, name):
    serving = rebuilding.get("/health").json()["snapshot"]
    target = rebuilding.data / name
    shutil.copy(RDFXML / name, target)
    try:
        with watch_health(rebuilding.url) as health:
            start = time.perf_counter()
            r = _reload(rebuilding)
            took = time.perf_counter() - start
        assert r.status_code == 422, r.text
        said, line = REFUSED[name]
        problems = " ".join(r.json()["problems"])
        assert f"{name}:{line}" in problems and said in problems, problems
        assert took < 60
        health.check(0.1)
        body = rebuilding.get("/health").json()
        assert body["status"] == "ready" and body["snapshot"] == serving
        assert body["last_reload"]["ok"] is False
        assert any(f"{name}:{line}" in p for p in body["last_reload"]["problems"])
        answered_quickly(rebuilding.http)
    finally:
        target.unlink()
    r = _reload(rebuilding)
    assert r.status_code == 200 and rebuilding.get("/health").json()["last_reload"]["ok"]


def test_reload_refuses_inputs_over_the_size_bound(rebuilding):
    serving = rebuilding.get("/health").json()["snapshot"]
    big = rebuilding.data / "big.nt"
    line = "<https://example.org/s> <https://example.org/p> \"%s\" .\n"
    big.write_text("".join(line % ("x" * 100) for _ in range(12000)))  # ~1.9 MB
    try:
        with watch_health(rebuilding.url) as health:
            r = _reload(rebuilding)
        health.check(0.1)
        assert r.status_code == 422, r.text
        assert "more than the bound of 1.0 MB" in r.json()["error"]
        assert "data/big.nt" in r.json()["error"] and "--max-input-mb" in r.json()["error"]
        assert rebuilding.get("/health").json()["snapshot"] == serving
        answered_quickly(rebuilding.http)
    finally:
        big.unlink()


def test_rebuild_out_of_memory_is_a_message(tmp_path):
    """The rebuild child's address space is bounded: too small a bound fails the build with
    a message (what the server reports, keeping its snapshot) instead of eating the host."""
    from milgraph.server.snapshots import SnapshotManager  # noqa: F401  (same code path)

    args = {"ontology": str(ONTOLOGY), "data": [str(FIXTURE_DATA)], "root": str(tmp_path),
            "memory_mb": 600}  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "milgraph.server.rebuild", json.dumps(args)],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    lines = [x for x in run.stdout.splitlines() if x.strip()]
    if lines:  # Python saw the MemoryError
        outcome = json.loads(lines[-1])
        assert not outcome["ok"] and "memory bound of 600 MiB" in outcome["error"]
    else:  # an allocation failed in Rust/C++: the process aborted, as the server expects
        assert run.returncode in (-6, -9), (run.returncode, run.stderr[-500:])
        # the native libraries say it their own way (C++ bad_alloc, RocksDB's mmap abort)
        assert any(m in run.stderr for m in ("memory allocation", "std::", "mmap")), run.stderr


#: Runs the CLI as its only child and prints that child's peak RSS (KiB) last on stderr: this
#: test process's own RUSAGE_CHILDREN would include every earlier child (bundled builds).
_PEAK = (
    "import resource, subprocess, sys\n"
    "run = subprocess.run(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(run.returncode)\n"
)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_validate_and_build_refuse_entity_and_broken_files(tmp_path, name):
    said, line = REFUSED[name]
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "milgraph.cli", "validate",
         str(RDFXML / name)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "MILGRAPH_HOME": str(REPO / ".milgraph")},
    )  # fmt: skip
    took = time.perf_counter() - start
    stderr, _, peak = run.stderr.rstrip().rpartition("\n")
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{name}:{line}" in stderr and said in stderr, stderr
    assert "Traceback" not in stderr
    assert took < 60
    assert int(peak) < 1_500_000, f"validate used {peak} KiB"  # not gigabytes
    build = cli("build", "--data", RDFXML / name, "--out", tmp_path / "s")
    assert build.returncode == 1 and f"{name}:{line}" in build.stderr, build.stderr
    assert "Traceback" not in build.stderr


def test_a_small_entity_file_still_loads(tmp_path):
    from milgraph.build.inputs import discover
    from milgraph.build.sources import parse

    (source,) = discover([RDFXML / "entities-ok.rdf"], "data")
    values = {q.object.value for q in parse(source).quads}
    assert values == {"fish & chips"}


def test_build_input_bound_and_cli_options(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_DATA / "fixture.ttl", data)
    (data / "big.nt").write_text("<https://e/s> <https://e/p> \"%s\" .\n" % ("x" * 2_000_000))
    run = cli("build", "--data", data, "--ontology", ONTOLOGY, "--out", tmp_path / "s",
              "--max-input-mb", "1")  # fmt: skip
    assert run.returncode == 1 and "more than the bound" in run.stderr, run.stderr


def test_file_deleted_mid_build_is_a_clear_error(tmp_path):
    from milgraph.build import build_snapshot

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_DATA / "fixture.ttl", data / "fixture.ttl")
    shutil.copy(FIXTURE_DATA / "fixture.ttl", data / "second.ttl")

    def delete(step: str, event: str) -> None:
        if step == "load" and event == "start":
            (data / "second.ttl").unlink()

    with pytest.raises(MilgraphError) as exc:
        build_snapshot(ONTOLOGY, [data], tmp_path / "s", validate=False, on_step=delete)
    problems = " ".join(str(p) for p in getattr(exc.value, "problems", [exc.value]))
    assert "second.ttl" in problems and "FileNotFoundError" not in problems, problems
    assert not (tmp_path / "s" / "CURRENT").exists()  # nothing half-built became current


# --------------------------------------------------------------------------- 8


def _raw(server, request: bytes) -> tuple[int, dict[str, list[str]], bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.find(b"\r\n\r\n") + 4 + int(
            dict(
                (k.strip().lower(), v.strip())
                for k, _, v in (h.partition(b":") for h in data.split(b"\r\n")[1:])
            ).get(b"content-length", b"0") or 0
        ):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for h in lines[1:]:
        k, _, v = h.partition(":")
        headers.setdefault(k.strip().lower(), []).append(v.strip())
    return int(lines[0].split()[1]), headers, body


def test_non_ascii_bearer_tokens_are_401(server):
    for value in ("Bearer \xc3\xa9".encode("latin-1"), b"Bearer \xff\xfe", "Bearer é".encode(),
                  b"Bearer " + TOKEN.encode() + b"\xc3\xa9", b"bearer", b"Basic abc"):  # fmt: skip
        for method, path in (("GET", "/admin/status"), ("POST", "/admin/reload")):
            status, headers, body = _raw(server, f"{method} {path} HTTP/1.1\r\nHost: x\r\n"
                                         "Content-Length: 0\r\nAuthorization: ".encode()
                                         + value + b"\r\n\r\n")  # fmt: skip
            assert status == 401, (value, body)
            assert headers["content-type"] == ["application/problem+json"]
            assert "www-authenticate" in headers
    answered_quickly(server.http)


def test_one_request_id_and_security_headers_on_every_answer(server):
    for r in (server.get("/sparql", params={"query": "ASK {}"}),
              server.get("/sparql", params={"query": "SELECT * WHERE {"}),
              server.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "x/y"}),
              server.get("/sparql", params={"query": "LOAD <http://127.0.0.1:9/>"}),
              server.get("/sparql", params={"query": "ASK {}", "X-Request-ID": "a"},
                         headers={"X-Request-ID": "client-chosen"}),
              server.get("/health"), server.get("/nope"), server.get("/void"),
              server.get("/api/queries")):  # fmt: skip
        assert len(r.headers.get_list("x-request-id")) == 1, (r.url, r.headers)
        for name, value in SECURITY.items():
            assert r.headers.get_list(name) == [value], (r.url, name, r.headers)


def test_bad_percent_encoding_in_a_get_is_400_like_a_post(server):
    for raw in (b"/sparql?query=ASK%20%7B%7D%FF", b"/sparql?query=%C3", b"/sparql?%FF=1",
                b"/api/queries/members-on-date?org=NATO&date=%FF"):  # fmt: skip
        status, _, body = _raw(server, b"GET " + raw + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 400, (raw, body)
        assert b"UTF-8" in body or b"utf-8" in body, body
    r = server.http.post("/sparql", content=b"query=ASK%20%7B%7D%FF",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]


def test_empty_as_of_is_400(server):
    for params in ({"query": "ASK {}", "asOf": ""}, {"query": "ASK {}", "asOf": "  "},
                   {"org": "NATO", "asOf": ""}):  # fmt: skip
        path = "/sparql" if "query" in params else "/api/queries/members-on-date"
        r = server.get(path, params=params)
        assert r.status_code == 400, (params, r.text)
        assert "asOf" in r.json()["detail"]


def test_over_long_urls_and_headers_get_problem_documents(server):
    status, headers, body = _raw(server, b"GET /sparql?query=" + b"a" * 70000 +
                                 b" HTTP/1.1\r\nHost: x\r\n\r\n")  # fmt: skip
    assert status == 414 and headers["content-type"] == ["application/problem+json"]
    assert b"POST" in body and json.loads(body)["status"] == 414
    status, headers, body = _raw(server, b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: " +
                                 b"a" * 70000 + b"\r\n\r\n")  # fmt: skip
    assert status == 431 and json.loads(body)["type"].endswith("headers-too-large")
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(200))
    status, _, _ = _raw(server, b"GET /health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert status == 431
    status, headers, body = _raw(server, b"NOT HTTP AT ALL\r\n\r\n")
    assert status == 400 and headers["content-type"] == ["application/problem+json"]
    answered_quickly(server.http)


def test_wrong_and_missing_content_types(server):
    for path, media, want in (
        ("/sparql", None, 400), ("/sparql", "text/plain", 415), ("/sparql", "application/json", 415),
        ("/sparql", "multipart/form-data; boundary=x", 415), ("/sparql", ";;;", 400),
        ("/sparql", "application/sparql-query; charset=latin-1", 415),
        ("/sparql", "application/sparql-query; charset=\"utf-16\"", 415),
        ("/sparql", "application/sparql-update", 403), ("/update", "application/sparql-update", 403),
        ("/sparql", "APPLICATION/SPARQL-QUERY", 200),
    ):  # fmt: skip
        headers = {"Content-Type": media} if media is not None else {}
        r = server.http.post(path, content=b"ASK {}", headers=headers)
        assert r.status_code == want, (path, media, r.text)
        if want >= 400:
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["detail"]


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def test_admin_token_is_not_in_the_workers_environment(server):
    children = _children(server.proc.pid)
    assert len(children) >= 2, children  # the query workers
    for pid in children:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert TOKEN.encode() not in environ, pid
        assert b"MILGRAPH_ADMIN_TOKEN" not in environ and b"MILGRAPH_SERVER_CONFIG" not in environ


def test_cli_errors_are_messages_not_tracebacks(tmp_path, fixture_store):
    bad = tmp_path / "latin1.rq"
    bad.write_bytes("SELECT * WHERE { ?s ?p \"caf\xe9\" }".encode("latin-1"))
    run = cli("query", "--store", fixture_store, bad)
    assert run.returncode == 1 and "not UTF-8" in run.stderr and "Traceback" not in run.stderr
    run = cli("query", "--store", fixture_store,
              "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert run.returncode == 1 and "could not be answered" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    for deep in ("SELECT * WHERE " + "{" * 10000 + "}" * 10000,
                 "ASK { FILTER(" + "(" * 10000 + "1" + ")" * 10000 + ") }"):  # fmt: skip
        path = tmp_path / "deep.rq"
        path.write_text(deep)
        run = cli("query", "--store", fixture_store, path)
        assert run.returncode == 1, (run.returncode, run.stderr[-300:])  # not 139 (SIGSEGV)
        assert "nests too deeply" in run.stderr


def test_named_query_file_that_is_not_utf8_is_a_clear_error(tmp_path, fixture_store):
    from milgraph.errors import QueryError
    from milgraph.server.named import load_named_queries

    (tmp_path / "bad.rq").write_bytes(b"# summary: caf\xe9\nASK {}\n")
    with pytest.raises(QueryError, match=r"bad\.rq: not UTF-8 text \(byte 14\)"):
        load_named_queries(tmp_path)


def test_worker_memory_bound(fixture_store):
    """Opt-in: a query needing more than --worker-memory-mb stops its worker (replaced), with
    a message naming the bound; the server keeps answering."""
    for server in live_server(["--store", str(fixture_store), "--query-workers", "2",
                               "--worker-memory-mb", "300"]):  # fmt: skip
        q = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1"
        r = server.get("/sparql", params={"query": q, "timeout": "20"})
        assert r.status_code == 500 and "memory bound of 300 MiB" in r.json()["detail"], r.text
        deadline = time.monotonic() + 20
        while server.get("/health").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        answered_quickly(server.http)


def test_reload_past_the_build_memory_bound_keeps_serving(tmp_path):
    from tests.support.server import build_fixture_snapshot

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_DATA / "fixture.ttl", data / "fixture.ttl")
    root = tmp_path / "snapshots"
    key = build_fixture_snapshot(root, data)  # so the server's first build is found cached
    for server in live_server(["--store", str(root), "--data", str(data), "--ontology",
                               str(ONTOLOGY), "--query-workers", "2", "--build-memory-mb",
                               "900"], env={"MILGRAPH_ADMIN_TOKEN": TOKEN}):  # fmt: skip
        assert server.get("/health").json()["snapshot"] == key
        with (data / "big.nt").open("w") as f:  # ~6.7 MB: reasoning needs well over 900 MiB
            for i in range(80000):
                f.write(f"<https://example.org/s{i}> <https://example.org/p{i % 50}> "
                        f"<https://example.org/o{i % 1000}> .\n")  # fmt: skip
        with watch_health(server.url) as health:
            r = _reload(server)
        assert r.status_code == 422, r.text
        assert "memory bound of 900 MiB" in r.json()["error"] and "--build-memory-mb" in r.text
        health.check(0.1)
        body = server.get("/health").json()
        assert body["status"] == "ready" and body["snapshot"] == key
        assert body["last_reload"]["ok"] is False and "memory" in body["last_reload"]["error"]
        answered_quickly(server.http)


def test_json_ld_remote_contexts_are_never_fetched(tmp_path):
    from tests.support.hostile import Honeypot

    pot = Honeypot()
    try:
        doc = tmp_path / "remote.jsonld"
        doc.write_text(json.dumps({"@context": f"http://127.0.0.1:{pot.port}/context.jsonld",
                                   "@id": "https://example.org/a", "name": "x"}))  # fmt: skip
        run = cli("validate", doc)
        assert run.returncode == 1 and "remote.jsonld" in run.stderr, run.stderr
        assert "remote contexts" in run.stderr and "Traceback" not in run.stderr
        assert pot.requests == []
    finally:
        pot.close()
