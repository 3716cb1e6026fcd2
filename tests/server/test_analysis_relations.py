"""``GET /api/relations/{a}/{b}``, ``GET /api/nations/{code}/timeline`` and their CLI commands."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from milgraph.analysis.models import ProfileModel, TimelineModel
from milgraph.server.analysis import make_router
from tests.support.analysis import ID, world


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    snapshot = world()
    app.include_router(make_router(lambda _request: snapshot))
    return TestClient(app)


def test_profile(client: TestClient) -> None:
    r = client.get("/api/relations/USA/JPN", params={"from": "2020", "to": "2022"})
    assert r.status_code == 200
    doc = r.json()
    TypeAdapter(ProfileModel).validate_python(doc)
    assert doc["agreements"][0]["status"] == "in force for both"
    assert [row["jointExercises"]["count"] for row in doc["indicators"]] == [1, 0, 1]
    assert r.headers["x-snapshot"] == world().key


def test_profile_by_cow_numbers(client: TestClient) -> None:
    r = client.get("/api/relations/2/740", params={"from": "2022-11-01", "to": "2022-11-30"})
    assert r.status_code == 200
    assert list(r.json()["exercises"]) == ["2022"]


def test_ambiguous_code_is_409_with_choices(client: TestClient) -> None:
    r = client.get("/api/relations/USA/365")
    assert r.status_code == 409
    doc = r.json()
    assert doc["type"].endswith("/ambiguous-nation")
    assert [c["code"] for c in doc["choices"]] == ["RUS", "SUN"]
    ok = client.get("/api/relations/USA/365", params={"from": "1988", "to": "1990"})
    assert ok.status_code == 200
    assert ok.json()["b"]["iri"] == ID + "nation/SUN"


@pytest.mark.parametrize(
    ("url", "params", "status", "kind"),
    [
        ("/api/relations/USA/XYZ", {}, 404, "unknown-nation"),
        ("/api/relations/USA/JPN", {"from": "20-01"}, 400, "bad-parameter"),
        ("/api/relations/FIN/375", {}, 400, "bad-parameter"),
        ("/api/nations/XYZ/timeline", {}, 404, "unknown-nation"),
    ],
)
def test_errors(client: TestClient, url, params, status, kind) -> None:
    r = client.get(url, params=params)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/" + kind)


def test_timeline(client: TestClient) -> None:
    r = client.get("/api/nations/DDR/timeline")
    assert r.status_code == 200
    doc = r.json()
    TypeAdapter(TimelineModel).validate_python(doc)
    assert [(e["date"], e["label"]) for e in doc["events"]] == [
        ("1954-03-25", "entered the state system"),
        ("1956-01-28", "joined Warsaw Pact"),
        ("1990-09-24", "left Warsaw Pact"),
        ("1990-10-03", "left the state system"),
    ]


def test_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/relations/{a}/{b}" in spec["paths"]
    params = {p["name"] for p in spec["paths"]["/api/relations/{a}/{b}"]["get"]["parameters"]}
    assert params == {"a", "b", "from", "to"}
    assert "/api/nations/{code}/timeline" in spec["paths"]


def test_cli_relations_and_timeline(cli) -> None:
    store = str(world().path.parent)
    result = cli("relations", "DEU", "USA", "--from", "1989", "--to", "1990", "--store", store)
    assert result.exit_code == 0, result.output
    assert "NATO (alliance): both members from 1989-01-01 until 1991-01-01" in result.stdout
    result = cli("relations", "USA", "JPN", "--store", store, "--format", "json")
    assert json.loads(result.stdout)["agreements"][0]["label"].startswith("Treaty of Mutual")
    result = cli("relations", "USA", "365", "--store", store)
    assert result.exit_code == 1
    assert "names several nations" in result.stderr
    result = cli("timeline", "SUN", "--store", store)
    assert result.exit_code == 0
    assert "1991-12-26  left the state system" in result.stdout
