"""W3C SPARQL 1.1 query syntax tests over HTTP: positive ones are never answered 400,
negative ones always are (update syntax tests do not apply: the endpoint is read-only)."""

from __future__ import annotations

import pytest

from tests.support.server import live_server
from tests.w3c.w3c_harness import graph_iri, syntax_tests, write_store

TESTS = syntax_tests()


@pytest.fixture(scope="module")
def syntax_server(tmp_path_factory):
    root = write_store(tmp_path_factory.mktemp("w3c-syntax"), [])
    yield from live_server(["--store", str(root), "--query-workers", "2", "--cache-mb", "0"])


@pytest.mark.slow
@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_w3c_syntax(test, syntax_server):
    # relative IRIs resolve against the query file, as the suite assumes
    query = f"BASE <{graph_iri(test.query)}>\n" + test.query.read_text(encoding="utf-8")
    r = syntax_server.http.post(
        "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    if test.kind == "PositiveSyntaxTest11":
        assert r.status_code != 400, r.text
        assert r.status_code < 500, r.text
    else:
        assert r.status_code == 400, r.text
