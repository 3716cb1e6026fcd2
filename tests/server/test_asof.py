"""``asOf`` over HTTP on the real SPARQL service (its query workers included), and the
analysis endpoints mounted in it."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from milgraph.server import ServerConfig, create_app
from tests.support.analysis import ID, world

NATO_MEMBERS = (
    "PREFIX mil: <https://w3id.org/milgraph/ontology#> "
    f"SELECT ?x WHERE {{ ?x mil:memberOf <{ID}org/NATO> }} ORDER BY ?x"
)


@pytest.fixture(scope="module")
def client():
    app = create_app(ServerConfig(store=world().path.parent, query_workers=2))
    with TestClient(app) as c:
        deadline = time.monotonic() + 60
        while c.get("/health").status_code != 200:
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.05)
        yield c


def members(client: TestClient, **params) -> list[str]:
    r = client.get("/sparql", params={"query": NATO_MEMBERS, **params},
                   headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert r.status_code == 200, r.text
    return [b["x"]["value"].rsplit("/", 1)[1] for b in r.json()["results"]["bindings"]]


def test_sparql_as_of(client: TestClient) -> None:
    assert members(client, asOf="1955-05-05") == ["FRA", "USA"]
    assert members(client, asOf="1955-05-06") == ["DEU", "FRA", "USA"]
    assert members(client, asOf="2024-03-07") == ["DEU", "FIN", "FRA", "SWE", "USA"]
    assert members(client) == ["DEU", "FIN", "FRA", "SWE", "USA"]  # the current view


def test_sparql_as_of_by_form_post(client: TestClient) -> None:
    r = client.post(
        "/sparql",
        data={"query": NATO_MEMBERS, "asOf": "1990-09-23"},
        headers={"Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.text.split() == ["x", f"{ID}nation/DEU", f"{ID}nation/FRA", f"{ID}nation/USA"]


def test_sparql_as_of_with_a_query_body(client: TestClient) -> None:
    r = client.post(
        "/sparql?asOf=1949-08-24",
        content=NATO_MEMBERS,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.text.split() == ["x", f"{ID}nation/FRA", f"{ID}nation/USA"]


def test_answers_for_different_days_are_cached_apart(client: TestClient) -> None:
    a = client.get("/sparql", params={"query": NATO_MEMBERS, "asOf": "1950-01-01"})
    b = client.get("/sparql", params={"query": NATO_MEMBERS, "asOf": "2000-01-01"})
    assert a.headers["etag"] != b.headers["etag"]
    assert a.text != b.text


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"asOf": "1990"}, "YYYY-MM-DD"),
        ({"asOf": "1990-01-01", "default-graph-uri": f"{ID}x"}, "default-graph-uri"),
        ({"asOf": "1990-01-01", "inference": "false"}, "inference=false"),
    ],
)
def test_sparql_as_of_errors(client: TestClient, params, needle) -> None:
    r = client.get("/sparql", params={"query": NATO_MEMBERS, **params})
    assert r.status_code == 400
    assert needle in r.json()["detail"]


def test_named_query_as_of(client: TestClient) -> None:
    def wp_members(**params) -> list[str]:
        r = client.get("/api/queries/members-on-date",
                       params={"org": "WarsawPact", "date": "1990-09-23", **params})  # fmt: skip
        assert r.status_code == 200, r.text
        return sorted(row["member"].rsplit("/", 1)[1] for row in r.json()["rows"])

    # the query's own date parameter reads the records' dates...
    assert wp_members() == ["DDR", "POL", "SUN"]
    # ...asOf answers from the graph of that day, where the GDR's record had ended
    assert wp_members(asOf="1990-09-24") == ["POL", "SUN"]
    bad = client.get("/api/queries/members-on-date", params={"org": "NATO", "asOf": "x"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["detail"]
    spec = client.get("/openapi.json").json()
    names = {p["name"] for p in spec["paths"]["/api/queries/members-on-date"]["get"]["parameters"]}
    assert "asOf" in names


def test_analysis_endpoints_are_served(client: TestClient) -> None:
    r = client.get(
        "/api/explain",
        params={
            "s": "id:nation/FIN",
            "p": "mil:memberOf",
            "o": "id:org/NATO",
            "asOf": "2024-01-01",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["explanation"]["rule"] == "memberOf"
    assert r.headers["x-snapshot"] == world().key
    r = client.get("/api/relations/USA/JPN", params={"from": "2022", "to": "2022"})
    assert r.status_code == 200
    assert list(r.json()["exercises"]) == ["2022"]
    r = client.get("/api/nations/FIN/timeline")
    assert r.status_code == 200
    r = client.get("/api/explain", params={"s": "id:nation/FIN", "p": "mil:memberOf",
                                           "o": "id:org/WarsawPact"})  # fmt: skip
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
