"""Named, parameterised queries: known answers on the fixture, OpenAPI, typed binding."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from milgraph.errors import QueryError
from milgraph.server.named import load_named_queries
from tests.support.server import ID, REPO, fixture_store, make_client, wait_ready

__all__ = ["fixture_store"]


@pytest.fixture(scope="module")
def client(fixture_store):
    with make_client(fixture_store) as c:
        wait_ready(c.get)
        yield c


def rows(client, name: str, **params) -> list[dict]:
    r = client.get(f"/api/queries/{name}", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()["rows"]


def nations(rows_: list[dict], key: str) -> list[str]:
    return [r[key].rsplit("/", 1)[1] for r in rows_]


def test_members_on_date(client):
    before_finland = rows(client, "members-on-date", org="NATO", date="2023-04-03")
    assert sorted(nations(before_finland, "member")) == ["DEU", "FRA", "GBR", "USA"]
    on_the_day = rows(client, "members-on-date", org="NATO", date="2023-04-04")  # inclusive
    assert "FIN" in nations(on_the_day, "member") and "SWE" not in nations(on_the_day, "member")
    later = rows(client, "members-on-date", org=f"{ID}org/NATO", date="2024-03-07")
    assert len(later) == 6
    assert later[0]["label"] == "Finland"  # ordered by label
    assert rows(client, "members-on-date", org="NATO", date="1950-01-01")[0]["start"] == (
        "1949-08-24"
    )


def test_default_date_is_today(client):
    assert len(rows(client, "members-on-date", org="NATO")) == 6


def test_alliances_on_date(client):
    assert rows(client, "alliances-on-date", nation="fin", date="2022-12-31") == []
    [row] = rows(client, "alliances-on-date", nation="FIN", date="2023-06-01")
    assert row["alliance"] == f"{ID}org/NATO" and row["start"] == "2023-04-04"


def test_agreements_in_force_between(client):
    [row] = rows(client, "agreements-in-force-between", a="USA", b="RUS", date="2020-01-01")
    assert row["label"] == "New START" and row["kinds"] == "ArmsControlAgreement"
    # Russia suspended its implementation on 2023-02-21
    assert rows(client, "agreements-in-force-between", a="USA", b="RUS", date="2023-03-01") == []
    [inf] = rows(client, "agreements-in-force-between", a="USA", b="SUN", date="1990-01-01")
    assert inf["label"] == "INF Treaty"


def test_exercises_by_year(client):
    result = rows(client, "exercises-by-year", nation="SWE")
    assert [(r["year"], r["exercises"]) for r in result] == [(2023, 1), (2024, 2)]
    usa = rows(client, "exercises-by-year", nation="USA")  # host counts as participant
    assert sum(r["exercises"] for r in usa) == 3


def test_exercise_partners(client):
    result = rows(client, "exercise-partners", nation="FIN")
    assert [(r["partner"].rsplit("/", 1)[1], r["exercises"]) for r in result[:2]] == [
        ("SWE", 3), ("USA", 3)]  # fmt: skip
    recent = rows(client, "exercise-partners", nation="FIN", since="2024")
    assert {r["partner"].rsplit("/", 1)[1]: r["exercises"] for r in recent} == {
        "SWE": 2, "USA": 2, "DEU": 1, "GBR": 1}  # fmt: skip


def test_trust_measures_between(client):
    [row] = rows(client, "trust-measures-between", a="USA", b="SUN")
    assert row["kinds"] == "Hotline" and row["start"] == "1963-08-30"
    assert rows(client, "trust-measures-between", a="USA", b="FRA") == []


def test_arms_control_status(client):
    result = {r["label"]: r for r in rows(client, "arms-control-status", date="2020-01-01")}
    assert result["INF Treaty"]["status"] == "terminated"
    assert result["New START"]["status"] == "in force"
    assert result["New START"]["partiesInForce"] == 2
    early = {r["label"]: r["status"] for r in rows(client, "arms-control-status",
                                                   date="2010-06-01")}  # fmt: skip
    assert early == {"INF Treaty": "in force", "New START": "signed, not in force"}


def test_csv_and_sparql_json_on_request(client):
    r = client.get("/api/queries/members-on-date",
                   params={"org": "NATO", "date": "2023-01-01", "format": "csv"})  # fmt: skip
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert len(table) == 4 and "member" in table[0]
    r = client.get("/api/queries/members-on-date", params={"org": "NATO"},
                   headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert len(r.json()["results"]["bindings"]) == 6


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"org": "NATO", "date": "2023-13-01"}, "is not a date"),
        ({"org": "NATO", "date": "yesterday"}, "is not a date"),
        ({"date": "2023-01-01"}, "'org' is required"),
        ({"org": "NATO", "colour": "red"}, "unknown parameter"),
        ({"org": "https://w3id.org/x> } ; DROP ALL #"}, "not a valid IRI"),
        ({"org": "NATO> . ?s ?p ?o"}, "'NATO> . ?s ?p ?o' cannot be an organisation name"),
        ({"org": "a b"}, "no organisation named 'a b'"),
    ],
)
def test_invalid_parameters_are_400(client, params, fragment):
    r = client.get("/api/queries/members-on-date", params=params)
    assert r.status_code == 400
    assert fragment in r.json()["detail"]


def test_injection_in_a_string_is_refused_not_answered_empty(client):
    # A code that names no nation is a 400 that says so (never an empty answer, never spliced).
    r = client.get("/api/queries/alliances-on-date", params={"nation": "X-OR-1",
                                                             "date": "2023-06-01"})
    assert r.status_code == 400
    assert "no nation has the code 'X-OR-1'" in r.json()["detail"]


def test_openapi_has_one_operation_per_named_query(client):
    spec = client.get("/openapi.json").json()
    named = {p.stem for p in (REPO / "queries").glob("*.rq")}
    assert len(named) >= 7
    for name in named:
        op = spec["paths"][f"/api/queries/{name}"]["get"]
        assert op["summary"]
        assert "Named queries" in op["tags"]
    op = spec["paths"]["/api/queries/members-on-date"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["org"]["required"] is True
    assert params["date"]["schema"] == {"type": "string", "format": "date", "default": "today"}
    listing = client.get("/api/queries").json()
    assert {q["name"] for q in listing} == named


def test_named_queries_etag(client):
    first = client.get("/api/queries/members-on-date", params={"org": "NATO"})
    again = client.get("/api/queries/members-on-date", params={"org": "NATO"},
                       headers={"If-None-Match": first.headers["etag"]})  # fmt: skip
    assert again.status_code == 304
    other = client.get("/api/queries/members-on-date", params={"org": "NATO", "date": "2000-01-01"},
                       headers={"If-None-Match": first.headers["etag"]})  # fmt: skip
    assert other.status_code == 200


def _write(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "queries"
    d.mkdir(exist_ok=True)
    (d / "q.rq").write_text(text)
    return d


def test_header_errors_name_file_and_line(tmp_path):
    d = _write(tmp_path, "# summary: x\n# param: when xsd:datetime required\nSELECT * {}\n")
    with pytest.raises(QueryError, match=r"q\.rq:2: parameter 'when' has unknown type"):
        load_named_queries(d)
    d = _write(tmp_path, "SELECT * {}\n")
    with pytest.raises(QueryError, match=r"q\.rq:1: named query has no '# summary:'"):
        load_named_queries(d)


def test_parameters_must_be_projected_and_not_tested_with_bound(tmp_path):
    d = _write(tmp_path, "# summary: x\n# param: n nation required\nSELECT ?x WHERE { ?x ?p ?n }\n")
    with pytest.raises(QueryError, match="SELECT clause"):
        load_named_queries(d)
    d = _write(tmp_path, "# summary: x\n# param: n nation\n"
               "SELECT ?n ?x WHERE { ?x ?p ?o FILTER(!BOUND(?n) || ?o = ?n) }\n")  # fmt: skip
    with pytest.raises(QueryError, match=r"BOUND\(\?n\)"):
        load_named_queries(d)
