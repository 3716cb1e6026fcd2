"""W3C SPARQL 1.1 query-evaluation tests (approved, without entailment and SERVICE), over HTTP.

Each test is one pytest case; the known failures below are strict xfails (a fix makes them
fail until the list, and docs/conformance.md, are updated). The score test fails the suite
if fewer than Oxigraph's 167 of 178 pass.
"""

from __future__ import annotations

import pytest

from tests.support.server import live_server
from tests.w3c.w3c_harness import check_eval, dataset_files, eval_tests, write_store

TESTS = eval_tests()
TARGET = 167  # Oxigraph's server on this machine

#: Every remaining failure and why (mirrored in docs/conformance.md).
KNOWN_FAILURES = {
    "csv-tsv-res/csv01": "Oxigraph orders SELECT * variables alphabetically (o,p,s); the "
    "suite's CSV expects order of appearance (s,p,o). Same rows.",
    "csv-tsv-res/csv02": "same SELECT * variable order as csv01",
    "csv-tsv-res/csv03": "same SELECT * variable order as csv01",
    "csv-tsv-res/tsv03": 'Oxigraph returns "-3"^^xsd:negativeInteger as xsd:integer',
    "functions/bnode01": "Oxigraph's BNODE(str) gives the same blank node for the same string "
    "across solutions; the spec asks for a fresh one per solution",
}


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory):
    root = write_store(tmp_path_factory.mktemp("w3c-eval"), dataset_files(TESTS).items())
    yield from live_server(["--store", str(root), "--query-workers", "2", "--cache-mb", "0"])


@pytest.mark.slow
@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_w3c_evaluation(test, w3c_server, request):
    if test.id in KNOWN_FAILURES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_FAILURES[test.id], strict=True))
    ok, why = check_eval(test, w3c_server.http)
    assert ok, why


@pytest.mark.slow
def test_w3c_evaluation_score(w3c_server):
    assert len(TESTS) == 178
    passed = [t.id for t in TESTS if check_eval(t, w3c_server.http)[0]]
    print(f"W3C SPARQL 1.1 query evaluation: {len(passed)}/{len(TESTS)} passed")
    assert len(passed) >= TARGET
    assert len(passed) == len(TESTS) - len(KNOWN_FAILURES)
