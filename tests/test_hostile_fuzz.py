"""Property-based fuzzing of the HTTP API from its own ``/openapi.json`` (hypothesis, fixed
seed, bounded): every operation the document lists gets requests with hostile parameter
values, bodies, Content-Types and headers. The run fails on any 5xx (except the one a client
asks for: a 503 ``query-timeout`` for a request that set ``timeout`` under 1 s), on an answer slower
than ``HANG_S`` (a hang), and on any answer the document does not declare: an undeclared
status, an error that is not ``application/problem+json`` with the Problem fields, or a
success in a media type the operation does not list.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hostile_support import BAD_NUMBERS, corpus, fill
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_server_support import fixture_store, live_server

__all__ = ["fixture_store"]

EXAMPLES = 800
HANG_S = 8.0
TOKEN = "fuzz-admin-token"

# -- SPARQL-ish text: tokens of every terminal, the corpus' tricks, and nothing-in-particular

_TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "PREFIX", "BASE", "SERVICE", "SILENT",
    "LOAD", "INSERT", "DELETE", "DATA", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "AS",
    "VALUES", "GRAPH", "EXISTS", "NOT", "IN", "LIMIT", "OFFSET", "ORDER", "BY", "GROUP",
    "COUNT", "NOW()", "RAND()", "a", "*", "{", "}", "(", ")", "[", "]", ".", ";", ",", "||",
    "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "/", "|", "^", "^^", "!", "?", "<<",
    ">>", "<<(", ")>>", "{|", "|}", "~", "?s", "?p", "?o", "$x", "_:b", "_:a.b", "1", "-2",
    "3.5", ".5e3", "1e309", "'x'", '"y"', "'''l\nm'''", '"\\"q"', "'\\u0041'", "@en",
    "@en--ltr", "<http://example.org/x>", "<x>", "<//127.0.0.1:9/>", "<\\u0068ttp://e/>",
    "ex:", "ex:a", "ex:a\\#x", "ex:a.b", ":x", "mil:memberOf", "# comment\n", "\n", " ",
    "true", "false", "UNDEF", "é", "\u0000", "\\", '"', "'", "@", "$", "%FF", "\ud7ff",
]  # fmt: skip
sparql_text = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join),
    st.sampled_from(sorted({**corpus("ssrf"), **corpus("ssrf-never"),
                            **corpus("load")}.values())).map(lambda t: fill(t, 9)),
    st.text(max_size=200),
)
hostile_value = st.one_of(
    st.sampled_from(BAD_NUMBERS),
    st.sampled_from(["", " ", "true", "false", "1", "0.5", "2000-01-01", "0000-00-00",
                     "9999-99-99", "NATO", "FIN", "https://example.org/x", "<x>", "a b",
                     "%", "json", "xml", "csv", "turtle", "x" * 5000]),
    st.text(max_size=60),
    sparql_text,
)


def _value_for(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    """Values the schema allows, and values it does not (the server must refuse those)."""
    kind = schema.get("type") or next(
        (s.get("type") for s in schema.get("anyOf", []) if s.get("type") != "null"), "string")
    if kind == "number":
        valid = st.floats(min_value=0.001, max_value=schema.get("maximum", 30.0)).map(
            lambda x: f"{x:.3f}")
    elif kind == "integer":
        valid = st.integers(min_value=-3000, max_value=3000).map(str)
    elif kind == "boolean":
        valid = st.sampled_from(["true", "false"])
    elif schema.get("format") == "date":
        valid = st.dates().map(lambda d: d.isoformat())
    else:
        valid = st.text(max_size=30)
    return st.one_of(valid, hostile_value)


ACCEPTS = ["*/*", "application/sparql-results+json", "text/csv", "text/turtle",
           "application/json", "text/html", "x/y", "", ";;;", "*/*;q=nan", "text/*;q=-1",
           "application/ld+json;q=0.5, text/turtle;q=0.9"]  # fmt: skip
MEDIA = ["application/sparql-query", "application/x-www-form-urlencoded",
         "application/sparql-update", "text/plain", "application/json", "",
         "application/sparql-query; charset=latin-1", "multipart/form-data"]  # fmt: skip
AUTH = [None, f"Bearer {TOKEN}", "Bearer wrong", "Bearer", "Basic eA==", "Bearer é"]


@pytest.fixture(scope="module")
def api(fixture_store):
    for server in live_server(
        ["--store", str(fixture_store), "--query-workers", "2", "--query-timeout", "5",
         "--max-result-bytes", "2000000", "--max-body-bytes", "65536"],
        env={"MILGRAPH_ADMIN_TOKEN": TOKEN},
    ):  # fmt: skip
        document = server.get("/openapi.json").json()
        operations = [
            (method.upper(), path, op)
            for path, ops in document["paths"].items()
            for method, op in ops.items()
            if method in ("get", "post") and path != "/admin/reload"  # reloads take seconds
        ]
        yield server, operations


@st.composite
def requests(draw, operations):
    method, path, op = draw(st.sampled_from(operations))
    params: list[tuple[str, str]] = []
    url = path
    for p in op.get("parameters", []):
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", quote(draw(
                st.one_of(st.sampled_from(["FIN", "USA", "NATO", "x"]), st.text(max_size=20))),
                safe=""))  # fmt: skip
        elif p["in"] == "query" and (p.get("required") or draw(st.booleans())):
            params.append((p["name"], draw(_value_for(p.get("schema", {})))))
    headers: dict[str, str | bytes] = {"Accept": draw(st.sampled_from(ACCEPTS))}
    auth = draw(st.sampled_from(AUTH))
    if auth is not None:
        headers["Authorization"] = auth.encode("utf-8")  # raw bytes on the wire
    body = None
    if method == "POST":
        media = draw(st.sampled_from(MEDIA))
        if media:
            headers["Content-Type"] = media
        text = draw(sparql_text)
        if media == "application/x-www-form-urlencoded":
            field = draw(st.sampled_from(["query", "update", "timeout", "x"]))
            body = f"{field}={quote(text)}".encode()
        else:
            body = text.encode("utf-8", "surrogatepass")
    return method, path, url, params, headers, body


def _declared(op: dict[str, Any], status: int) -> dict[str, Any] | None:
    return op["responses"].get(str(status))


@pytest.mark.slow
def test_fuzz_the_api_from_its_openapi_document(api):
    server, operations = api
    by_path = {(m, p): op for m, p, op in operations}
    failures: list[str] = []
    seen: dict[int, int] = {}

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(requests(operations))
    def one(request):
        method, path, url, params, headers, body = request
        start = time.perf_counter()
        try:
            r = server.http.request(method, url, params=params, headers=headers, content=body,
                                    timeout=HANG_S + 5)  # fmt: skip
        except httpx.TimeoutException:
            failures.append(f"hang: {method} {url} {params}")
            return
        took = time.perf_counter() - start
        seen[r.status_code] = seen.get(r.status_code, 0) + 1
        op = by_path[(method, path)]
        where = f"{method} {url} {params!r:.300} {headers} {body!r:.200}"
        asked = next((float(v) for k, v in params if k == "timeout"
                      and v.replace(".", "", 1).isdigit()), None)  # fmt: skip
        requested = (r.status_code == 503 and asked is not None and asked < 1
                     and r.json().get("type", "").endswith("query-timeout"))  # fmt: skip
        if r.status_code >= 500 and not requested:
            failures.append(f"{r.status_code} for {where}: {r.text[:300]}")
        if took > HANG_S:
            failures.append(f"{took:.1f} s for {where}")
        declared = _declared(op, r.status_code)
        if declared is None:
            failures.append(f"undeclared status {r.status_code} for {where}: {r.text[:200]}")
            return
        media = r.headers.get("content-type", "").split(";")[0]
        if r.status_code >= 400:
            if media != "application/problem+json":
                failures.append(f"{r.status_code} as {media!r} for {where}")
                return
            doc = r.json()
            if not {"type", "title", "status", "detail"} <= set(doc) or (
                doc["status"] != r.status_code
            ):
                failures.append(f"not a problem document for {where}: {doc}")
        elif r.status_code == 200 and declared.get("content") and (
            media not in declared["content"]
        ):
            failures.append(f"200 as {media!r} (not declared) for {where}")

    one()
    print("statuses seen:", dict(sorted(seen.items())))
    assert not failures, "\n".join(failures[:20])
    # not a degenerate run: answers, refusals of each kind
    assert {200, 400, 401, 403, 406, 415} <= set(seen), seen
    assert server.get("/health").status_code == 200
