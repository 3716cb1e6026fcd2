"""W3C SPARQL 1.1 Protocol tests (protocol/manifest.ttl), one pytest case per manifest entry.

Each entry describes HTTP exchanges (method, path, headers, body) and what the responses
must be (status class, boolean answer, kind of format). They run twice:

* against the default, read-only server (a snapshot): replayed as written against
  ``/sparql``. The seven tests that expect an *update* to succeed cannot pass there by
  design (docs/conformance.md); they are strict xfails, and every update request of the
  suite is checked to be refused with 403;
* against ``milgraph serve --writable-store`` holding the same data: requests that carry an
  update (``application/sparql-update``, an ``update`` or ``using-*graph-uri`` parameter)
  go to ``/update``, all others to ``/sparql``, as a client configured with separate query
  and update endpoints sends them. The store is reset to the suite's data before each test.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace
from rdflib.collection import Collection

from tests.support.server import live_server
from tests.w3c.w3c_harness import MF, SUITE, _path, write_store

HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
MANIFEST = SUITE / "protocol" / "manifest.ttl"
TARGET = 27  # read-only: all 20 query tests + the 7 update tests that expect a refusal
WRITABLE_TARGET = 34  # --writable-store: every test (Oxigraph's server passes 31)

READ_ONLY = "read-only endpoint: SPARQL Update is refused by design (403), so an update " \
    "expected to succeed cannot"
KNOWN_FAILURES = {
    name: READ_ONLY
    for name in ("update_dataset_default_graph", "update_dataset_default_graphs",
                 "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
                 "update_post_direct", "update_base_uri")
}  # fmt: skip

SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml",
                  "text/csv", "text/tab-separated-values")  # fmt: skip
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
             "application/n-quads", "application/trig")  # fmt: skip


def _load() -> tuple[rdflib.Graph, list[Any]]:
    g = rdflib.Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.resolve().as_uri())
    entries = list(Collection(g, g.value(g.value(None, RDF.type, MF.Manifest), MF.entries)))
    return g, entries


GRAPH, ENTRIES = _load()


def _name(entry: Any) -> str:
    return str(entry).rsplit("#", 1)[-1]


def _data_files() -> dict[Any, str]:
    files = {}
    for data in GRAPH.objects(None, UT.graphData):
        files[_path(GRAPH.value(data, UT.graph))] = str(GRAPH.value(data, RDFS.label))
    return files


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory):
    root = write_store(tmp_path_factory.mktemp("w3c-protocol"), _data_files().items())
    yield from live_server(["--store", str(root), "--query-workers", "2", "--cache-mb", "0"])


@pytest.fixture(scope="module")
def writable_server(tmp_path_factory):
    """``--writable-store`` on a store holding the suite's data (write_store's ``store/``)."""
    root = write_store(tmp_path_factory.mktemp("w3c-protocol-writable"), _data_files().items())
    directory = next(p for p in root.iterdir() if (p / "store").is_dir())
    yield from live_server(["--writable-store", str(directory), "--query-workers", "2",
                            "--cache-mb", "0"])  # fmt: skip


def _reset_update() -> str:
    """An update putting the store back to the suite's data (tests CLEAR and DROP it)."""
    blocks = []
    for path, name in _data_files().items():
        triples = rdflib.Graph().parse(path, publicID=path.resolve().as_uri())
        body = " ".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)
        blocks.append(f"GRAPH <{name}> {{ {body} }}")
    return "DROP ALL ; INSERT DATA { " + " ".join(blocks) + " }"


def _is_update(path: str, headers: dict[str, str], body: bytes | None) -> bool:
    query = path.partition("?")[2]
    params = {part.partition("=")[0] for part in query.split("&") if part}
    media = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    form = body.decode("utf-8", "replace") if body else ""
    return (
        media.lower().startswith("application/sparql-update")
        or bool(params & {"update", "using-graph-uri", "using-named-graph-uri"})
        or form.startswith("update=")
        or "&update=" in form
    )


def to_update_endpoint(path: str, headers: dict[str, str], body: bytes | None) -> str:
    """``/sparql…`` → ``/update…`` for update requests (the writable server's endpoints)."""
    if _is_update(path, headers, body):
        return "/update" + path.removeprefix("/sparql")
    return path


def _status_ok(status: int, expected: set[Any]) -> bool:
    classes = {str(e).rsplit("StatusCode", 1)[-1] for e in expected}
    return any(
        (c.endswith("xx") and str(status)[0] == c[0]) or c == str(status) for c in classes
    )


def _boolean(response: Any) -> bool | None:
    ctype = response.headers.get("content-type", "")
    if "json" in ctype:
        return json.loads(response.text).get("boolean")
    if "xml" in ctype:
        node = ET.fromstring(response.content).find(
            "{http://www.w3.org/2005/sparql-results#}boolean"
        )
        return None if node is None else node.text == "true"
    return None


def run_protocol_test(entry: Any, http: Any, route: Any = None) -> tuple[bool, str]:
    g = GRAPH
    action = g.value(entry, MF.action)
    for request in Collection(g, g.value(action, HT.requests)):
        method = str(g.value(request, HT.methodName))
        path = str(g.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
        headers = {}
        header_list = g.value(request, HT.headers)
        if header_list is not None:
            for h in Collection(g, header_list):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
        body_node = g.value(request, HT.body)
        body = None
        if body_node is not None:
            chars = str(g.value(body_node, CNT.chars))
            encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = chars.encode("latin-1" if encoding.upper() != "UTF-8" else "utf-8",
                                errors="replace")  # fmt: skip
        if route is not None:
            path = route(path, headers, body)
        response = http.request(method, path, headers=headers, content=body)
        resp = g.value(request, HT.resp)
        expected_status = set(g.objects(resp, MF.expectedStatus))
        if expected_status and not _status_ok(response.status_code, expected_status):
            return False, f"{method} {path}: HTTP {response.status_code}: {response.text[:200]}"
        fmt = g.value(resp, MF.expectedFormat)
        ctype = response.headers.get("content-type", "")
        if fmt is not None:
            wanted = {"boolean": SOLUTION_TYPES, "tabular": SOLUTION_TYPES, "RDF": RDF_TYPES}
            if not ctype.startswith(wanted[str(fmt)]):
                return False, f"expected a {fmt} format, got {ctype}"
        boolean = g.value(resp, MF.expectedBoolean)
        if boolean is not None and _boolean(response) != boolean.toPython():
            return False, f"expected boolean {boolean}, got {response.text[:200]}"
    return True, ""


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=[_name(e) for e in ENTRIES])
def test_w3c_protocol(entry, protocol_server, request):
    if _name(entry) in KNOWN_FAILURES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_FAILURES[_name(entry)], strict=True))
    ok, why = run_protocol_test(entry, protocol_server.http)
    assert ok, why


@pytest.mark.slow
def test_w3c_protocol_score(protocol_server):
    assert len(ENTRIES) == 34
    passed = sum(run_protocol_test(e, protocol_server.http)[0] for e in ENTRIES)
    print(f"W3C SPARQL 1.1 protocol: {passed}/{len(ENTRIES)} passed")
    assert passed >= TARGET
    assert passed == len(ENTRIES) - len(KNOWN_FAILURES)


def _update_requests() -> list[tuple[str, str, str, dict[str, str], bytes | None]]:
    """(test, method, path, headers, body) of every request in the suite carrying an update."""
    out = []
    g = GRAPH
    for entry in ENTRIES:
        for request in Collection(g, g.value(g.value(entry, MF.action), HT.requests)):
            path = str(g.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
            headers = {}
            if g.value(request, HT.headers) is not None:
                for h in Collection(g, g.value(request, HT.headers)):
                    headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
            node = g.value(request, HT.body)
            body = str(g.value(node, CNT.chars)).encode() if node is not None else None
            if _is_update(path, headers, body):
                method = str(g.value(request, HT.methodName))
                out.append((_name(entry), method, path, headers, body))
    return out


@pytest.mark.slow
def test_read_only_server_refuses_every_update_of_the_suite(protocol_server):
    updates = _update_requests()
    assert len(updates) >= 12
    for name, method, path, headers, body in updates:
        if method != "POST":
            continue  # GET ?update= is refused as a bad request (405/400): tested above
        for target in (path, to_update_endpoint(path, headers, body)):
            r = protocol_server.http.request(method, target, headers=headers, content=body)
            assert r.status_code == 403 or (r.status_code in (400, 415) and
                                            name.startswith("bad_")), (name, target, r.text)
    r = protocol_server.http.post("/update", content="CLEAR ALL",
                                  headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=[_name(e) for e in ENTRIES])
def test_w3c_protocol_writable(entry, writable_server):
    reset = writable_server.http.post("/update", content=_reset_update(),
                                      headers={"Content-Type": "application/sparql-update"})
    assert reset.status_code == 204, reset.text
    ok, why = run_protocol_test(entry, writable_server.http, to_update_endpoint)
    assert ok, why


@pytest.mark.slow
def test_w3c_protocol_writable_score(writable_server):
    passed = 0
    for entry in ENTRIES:
        writable_server.http.post("/update", content=_reset_update(),
                                  headers={"Content-Type": "application/sparql-update"})
        passed += run_protocol_test(entry, writable_server.http, to_update_endpoint)[0]
    print(f"W3C SPARQL 1.1 protocol, --writable-store: {passed}/{len(ENTRIES)} passed")
    assert passed >= WRITABLE_TARGET
