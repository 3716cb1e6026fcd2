"""GET /api/search and names in named-query parameters, on the reasoned fixture graph."""

from __future__ import annotations

import pytest

from tests.support.server import ID, fixture_store, make_client

__all__ = ["fixture_store"]


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store) as c:
        from tests.support.server import wait_ready

        wait_ready(c.get)
        yield c


def search(client, **params):
    r = client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_search_ranks_the_name_itself_first_and_gives_type_and_dates(client) -> None:
    hits = search(client, q="baltops")
    assert [h["iri"] for h in hits[:3]] == [
        f"{ID}exercise-series/baltops", f"{ID}exercise/baltops-2023", f"{ID}exercise/baltops-2024"]
    assert hits[0]["type"] == "exercise" and hits[0]["class"] == "ExerciseSeries"
    assert hits[1]["dates"]["startDate"].startswith("2023-")
    assert hits[1]["label"] == "BALTOPS 2023"


def test_search_forgives_typos_case_and_accents(client) -> None:
    for text in ("Finlnd", "FINLAND", "Fínland", "finland"):
        assert search(client, q=text)[0]["iri"] == f"{ID}nation/FIN", text
    assert search(client, q="Baltps")[0]["iri"] == f"{ID}exercise-series/baltops"
    assert search(client, q="nrdic respns")[0]["label"] == "Nordic Response 2024"


def test_search_by_acronym_identifier_and_type(client) -> None:
    assert search(client, q="nato")[0]["iri"] == f"{ID}org/NATO"
    assert search(client, q="SWE")[0]["iri"] == f"{ID}nation/SWE"
    assert search(client, q="new-start")[0]["iri"] == f"{ID}agreement/new-start"
    only = search(client, q="baltops", type="exercise", limit=2)
    assert len(only) == 2
    assert search(client, q="France", type="agreement") == []


@pytest.mark.parametrize("params, message", [
    ({"q": "x" * 201}, "at most 200"),
    ({"q": "  "}, "empty search text"),
    ({"q": "nato", "type": "ships"}, "unknown type 'ships'"),
    ({"q": "nato", "limit": "0"}, "out of range"),
    ({"q": "nato", "limit": "1000"}, "out of range"),
])  # fmt: skip
def test_search_bounds_are_clear_400s(client, params, message) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 400
    assert message in r.json()["detail"]


def test_search_is_documented(client) -> None:
    doc = client.get("/openapi.json").json()
    op = doc["paths"]["/api/search"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"q", "type", "limit"}
    assert "Malabr" in op["description"]


def test_named_query_names_resolve_case_insensitively(client) -> None:
    upper = client.get("/api/queries/members-on-date", params={"org": "NATO",
                                                              "date": "2024-06-01"})
    lower = client.get("/api/queries/members-on-date", params={"org": "nato",
                                                              "date": "2024-06-01"})
    assert upper.status_code == lower.status_code == 200
    assert lower.json()["rows"] and lower.json()["rows"] == upper.json()["rows"]
    by_name = client.get("/api/queries/exercise-partners", params={"nation": "finland"})
    by_code = client.get("/api/queries/exercise-partners", params={"nation": "FIN"})
    assert by_name.status_code == 200 and by_name.json()["rows"] == by_code.json()["rows"]


def test_unknown_names_say_did_you_mean(client) -> None:
    r = client.get("/api/queries/members-on-date", params={"org": "natoo"})
    assert r.status_code == 400
    assert r.json()["detail"] == (
        "parameter org: no organisation named 'natoo'; did you mean "
        "NATO (North Atlantic Treaty Organization)?")
    r = client.get("/api/relations/Finlnd/SWE")
    assert r.status_code == 404
    assert "did you mean FIN (Finland)?" in r.json()["detail"]
    assert r.json()["suggestions"] == ["FIN (Finland)"]


def test_missing_parameters_are_listed(client) -> None:
    r = client.get("/api/queries/agreements-in-force-between")
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail.startswith("parameters 'a', 'b' are required (a: first nation")
