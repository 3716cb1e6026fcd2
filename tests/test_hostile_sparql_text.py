"""The one reading of a request text (milgraph.server.sparql_text), on the hostile corpus.

What is classified is what runs: the engine gets the canonical text, so these tests check
the classification of every corpus variant, that the canonical text means the same to the
engine, that reading is linear on texts that were quadratic, and that the depth bound keeps
every construct below the depth at which pyoxigraph's parser overflows its stack.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
from hostile_support import big_texts, corpus, fill

from milgraph.server.sparql_text import (
    MAX_DEPTH,
    QueryTextError,
    inspect_query,
    service_allowed,
    short_message,
)

PORT = 9
TARGET = f"http://127.0.0.1:{PORT}/"
ENDPOINT = "http://127.0.0.1:8000/sparql"
ALLOWED = frozenset({f"127.0.0.1:{PORT}"})


@pytest.mark.parametrize("name,template", corpus("ssrf").items())
def test_every_hidden_service_is_seen_and_is_what_the_engine_runs(name, template):
    info = inspect_query(fill(template, PORT), ENDPOINT)
    assert info.services, name
    assert all(s is not None and s.startswith(TARGET) for s in info.services), info.services
    assert all(service_allowed(s, ALLOWED) for s in info.services)
    assert not service_allowed(info.services[0], frozenset())
    for iri in info.services:
        assert f"<{iri}>" in info.text
    # the engine reads the canonical text (it then fails to reach the closed port 9)
    try:
        result = ox.Store().query(info.text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except SyntaxError as exc:
        pytest.fail(f"{name}: the engine cannot read the canonical text: {exc}")
    except OSError:
        pass


@pytest.mark.parametrize("name,template", corpus("ssrf-never").items())
def test_variable_and_odd_targets_are_never_allowed(name, template):
    info = inspect_query(fill(template, PORT), ENDPOINT)
    assert info.services
    assert not any(service_allowed(s, ALLOWED) for s in info.services), info.services


@pytest.mark.parametrize("name,template", corpus("load").items())
def test_every_load_and_update_service_is_seen(name, template):
    info = inspect_query(fill(template, PORT), ENDPOINT)
    assert info.update is not None
    targets = info.loads + info.services
    assert targets and all(t is not None and t.startswith(TARGET) for t in targets), targets


def test_the_original_bypass_and_a_hidden_now_are_read_as_the_engine_reads_them():
    text = r"PREFIX ex: <http://example.org/> SELECT ?v (NOW() AS ?t) WHERE { BIND(ex:a\#x AS ?v) }"
    info = inspect_query(text, ENDPOINT)
    assert info.volatile  # never cached
    assert "<http://example.org/a#x>" in info.text
    row = next(iter(ox.Store().query(info.text)))
    assert row["v"] == ox.NamedNode("http://example.org/a#x")


def test_canonical_text_means_the_same_to_the_engine():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/a#x"), ox.NamedNode("http://e/p"),
                      ox.Literal('q"uo\\te\nline'), ox.DefaultGraph()))  # fmt: skip
    text = ("PREFIX e: <http://e/> # a comment with SERVICE <http://x/>\n"
            "SELECT ?o WHERE { e:a\\#x e:p ?o FILTER(?o = 'q\"uo\\\\te\\nline') }")
    info = inspect_query(text)
    assert "SERVICE" not in info.text and not info.services
    assert [r["o"].value for r in store.query(text)] == [
        r["o"].value for r in store.query(info.text)] == ['q"uo\\te\nline']


def test_engine_errors_point_into_the_clients_text():
    text = "PREFIX e: <http://e/>\nSELECT * WHERE {\n  e:a\\#x e:p }"
    info = inspect_query(text, ENDPOINT)
    with pytest.raises(SyntaxError) as exc:
        ox.Store().query(info.text)
    import re

    line, column = map(int, re.search(r"error at (\d+):(\d+)", str(exc.value)).groups())
    assert info.source_position(line, column) == (3, 14)  # the '}' after e:p in the source


def test_unreadable_texts_are_refused_with_a_position():
    for text, where in (("SELECT * WHERE { ?s ?p 'open }", (1, 24)),
                        ("SELECT *\nWHERE { ?s ?p é }", (2, 15)),
                        ("SELECT * WHERE { ?s ex:p ?o }", (1, 21)),
                        ("SELECT * WHERE { BIND(<http://a/\\u003E> AS ?x) }", (1, 23)),
                        ('SELECT * WHERE { BIND("\\uD800" AS ?x) }', (1, 23)),
                        ("SELECT * WHERE { ?s ?p ?o ", (1, 27))):  # fmt: skip
        with pytest.raises(QueryTextError) as exc:
            inspect_query(text)
        assert (exc.value.line, exc.value.column) == where, (text, exc.value)


@pytest.mark.parametrize("name", list(big_texts(64 * 1024)))
def test_reading_is_linear(name):
    """A generous bound: 1 MiB is read (or refused) in seconds, and 8 times the text takes
    well under 64 times as long (the old lexer was quadratic on these)."""

    def seconds(size: int) -> float:
        text = big_texts(size)[name]
        start = time.perf_counter()
        with contextlib.suppress(QueryTextError):
            inspect_query(text, ENDPOINT)
        return time.perf_counter() - start

    small, large = seconds(128 * 1024), seconds(1024 * 1024)
    assert large < 20, f"{name}: 1 MiB took {large:.1f} s"
    assert large < 24 * max(small, 0.005), f"{name}: {small:.3f} s -> {large:.3f} s"


_CONSTRUCTS = {
    "braces": lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    "parens": lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "exists": lambda n: "SELECT * WHERE { " + "FILTER EXISTS { " * n + "}" * n + " }",
    "subqueries": lambda n: "SELECT * WHERE " + "{ SELECT * WHERE " * n + "{}" + "}" * n,
    "plus-chain": lambda n: "SELECT * WHERE { FILTER(1" + "+1" * n + ") }",
    "or-chain": lambda n: "SELECT * WHERE { FILTER(true" + "||true" * n + ") }",
    "union-chain": lambda n: "SELECT * WHERE { {}" + " UNION {}" * n + " }",
    "filters": lambda n: "SELECT * WHERE { " + "FILTER(true) " * n + " }",
    "bangs": lambda n: "SELECT * WHERE { FILTER(" + "!" * n + "true) }",
    "path-parens": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<http://e/p>" + ")" * n + " ?o }",
    "alt-path": lambda n: "SELECT * WHERE { ?s <http://e/p>" + "|<http://e/p>" * n + " ?o }",
    "mixed": lambda n: "SELECT * WHERE " + "{ FILTER(1+(" * n + "1" + "))}" * n,
}


def _deepest_accepted(build) -> tuple[int, str]:
    lo, hi = 1, 20000
    while lo < hi:  # the largest n the reader accepts
        mid = (lo + hi + 1) // 2
        try:
            inspect_query(build(mid))
            lo = mid
        except QueryTextError as exc:
            assert exc.kind == "too-deep"
            assert str(MAX_DEPTH) in str(exc)
            hi = mid - 1
    return lo, inspect_query(build(lo)).text


@pytest.mark.parametrize("name", list(_CONSTRUCTS))
def test_deepest_accepted_text_does_not_crash_the_engine(name):
    n, text = _deepest_accepted(_CONSTRUCTS[name])
    with pytest.raises(QueryTextError):
        inspect_query(_CONSTRUCTS[name](n * 3 + 10))
    code = ("import sys, pyoxigraph as ox\n"
            "try:\n    r = ox.Store().query(sys.stdin.read())\n    list(r) if hasattr(r, '__iter__') else r\n"
            "except SyntaxError as e:\n    print('syntax', e)\n")  # fmt: skip
    run = subprocess.run([sys.executable, "-c", code], input=text, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, f"{name} at n={n}: exit {run.returncode} {run.stderr[-300:]}"


def test_engine_messages_are_short():
    message = ("expected one of \".\", ['-' | '0' ..= '9' | '\\u{00B7}'], ['A' ..= 'Z' | 'a' "
               "..= 'z' | '\\u{00C0}'..='\\u{00D6}' | '\\u{00D8}'..='\\u{00F6}'\n| "
               "'\\u{00F8}'..='\\u{02FF}']") + ", x" * 200  # fmt: skip
    short = short_message(message)
    assert len(short) <= 240 and "\\u{" not in short and "a name character" in short
