"""``GET /api/explain`` and ``milgraph explain``: real HTTP (TestClient) and the real CLI."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from milgraph.analysis.models import ExplanationModel
from milgraph.server.analysis import make_router
from tests.support.analysis import ID, world


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    snapshot = world()
    app.include_router(make_router(lambda _request: snapshot))
    return TestClient(app)


FIN_NATO = {"s": "nation:FIN", "p": "mil:memberOf", "o": "org:NATO"}


def test_explain_as_of_a_day(client: TestClient) -> None:
    r = client.get("/api/explain", params={**FIN_NATO, "asOf": "2024-01-01"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    doc = r.json()
    TypeAdapter(ExplanationModel).validate_python(doc)
    root = doc["explanation"]
    assert (root["rule"], root["ruleKind"]) == ("memberOf", "sparql")
    assert root["dates"] == {"startDate": "2023-04-04", "endDate": None, "asOf": "2024-01-01"}
    assert [p["text"] for p in root["premises"]] == [
        "<https://w3id.org/milgraph/id/membership/NATO/FIN> mil:member nation:FIN",
        "<https://w3id.org/milgraph/id/membership/NATO/FIN> mil:organization org:NATO",
        '<https://w3id.org/milgraph/id/membership/NATO/FIN> mil:startDate "2023-04-04"^^xsd:date',
    ]
    leaf = root["premises"][0]
    assert leaf["asserted"] == [
        {
            "graph": "https://w3id.org/milgraph/graph/data/world.ttl",
            "file": "data/world.ttl",
            "sources": ["https://www.nato.int/cps/en/natohq/topics_52044.htm"],
        }
    ]
    assert doc["triple"]["o"] == {"type": "uri", "value": ID + "org/NATO"}


def test_full_iris_and_literals_are_accepted(client: TestClient) -> None:
    r = client.get(
        "/api/explain",
        params={
            "s": f"<{ID}membership/NATO/FIN>",
            "p": "https://w3id.org/milgraph/ontology#startDate",
            "o": '"2023-04-04"^^xsd:date',
        },
    )
    assert r.status_code == 200
    assert r.json()["explanation"]["ruleKind"] == "asserted"


def test_a_triple_that_does_not_hold_is_404(client: TestClient) -> None:
    r = client.get("/api/explain", params={**FIN_NATO, "asOf": "2023-04-03"})
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/triple-does-not-hold")
    assert "does not hold as of 2023-04-03" in r.json()["detail"]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({**FIN_NATO, "asOf": "01/04/2024"}, "YYYY-MM-DD"),
        ({**FIN_NATO, "s": "country:FIN"}, "unknown prefix 'country'"),  # nation: is known
        ({**FIN_NATO, "p": '"memberOf"'}, "is not an IRI"),
    ],
)
def test_bad_parameters_are_400_with_a_reason(client: TestClient, params, needle) -> None:
    r = client.get("/api/explain", params=params)
    assert r.status_code == 400
    assert needle in r.json()["detail"]


def test_text_form_and_conditional_requests(client: TestClient) -> None:
    r = client.get("/api/explain", params={**FIN_NATO, "format": "text"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("nation:FIN mil:memberOf org:NATO holds in the current view.")
    again = client.get(
        "/api/explain",
        params={**FIN_NATO, "format": "text"},
        headers={"If-None-Match": r.headers["etag"]},
    )
    assert again.status_code == 304
    other = client.get("/api/explain", params={**FIN_NATO, "asOf": "2024-01-01"})
    assert other.headers["etag"] != r.headers["etag"]


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/explain"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"s", "p", "o", "asOf", "format"}
    assert {"200", "400", "404"} <= set(op["responses"])
    assert "ExplanationNodeModel" in spec["components"]["schemas"]


def test_cli_explain(cli) -> None:
    store = str(world().path.parent)
    result = cli("explain", "nation:DEU", "mil:alliedWith", "nation:USA",
                 "--as-of", "1990-01-01", "--store", store)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nation:DEU mil:alliedWith nation:USA  [alliedWith]" in result.stdout
    assert "dates compared: startDate 1955-05-06, no endDate, asOf 1990-01-01" in result.stdout
    result = cli("explain", "nation:FIN", "mil:memberOf", "org:NATO", "--store", store,
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0
    assert json.loads(result.stdout)["explanation"]["rule"] == "memberOf"
    result = cli("explain", "nation:SWE", "mil:memberOf", "org:NATO", "--as-of",
                 "2024-03-06", "--store", store)  # fmt: skip
    assert result.exit_code == 1
    assert "does not hold as of 2024-03-06" in result.stderr
