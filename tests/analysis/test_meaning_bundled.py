"""What the pact relations, partial dates and coverage notes say on the real bundled data
(curated files and the ATOP, MME, JME... imports), asked as an analyst would."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from milgraph.analysis import explain, holds, timeline
from milgraph.server.analysis import make_router
from tests.support.analysis import bundled

ID = "https://w3id.org/milgraph/id/"


def answer(s: str, p: str, o: str, day: str) -> str:
    return holds(bundled(), f"id:nation/{s}", f"mil:{p}", f"id:nation/{o}", day).answer


def test_usa_and_ussr_1980_not_allied_but_bound_by_helsinki_non_aggression() -> None:
    # ATOP 3740 (Helsinki Final Act) codes non-aggression only, for both (not consultation)
    assert answer("USA", "alliedWith", "SUN", "1980-01-01") == "no"
    assert answer("USA", "nonAggressionPartnerOf", "SUN", "1980-01-01") == "yes"
    assert answer("USA", "consultationPartnerOf", "SUN", "1980-01-01") == "no"
    result = explain(bundled(), "id:nation/SUN", "mil:nonAggressionPartnerOf", "id:nation/USA",
                     "1980-01-01")
    assert result is not None
    alliances = {d.premises[0].triple.subject.value for d in result.derivations}
    assert alliances == {ID + "alliance/atop-3740"}


@pytest.mark.parametrize("day", ["1963-06-01", "2015-06-01"])
def test_india_and_usa_never_allied(day: str) -> None:
    assert answer("IND", "alliedWith", "USA", day) == "no"


def test_india_and_usa_pacts_are_consultation_then_non_aggression() -> None:
    assert answer("IND", "consultationPartnerOf", "USA", "1963-06-01") == "yes"  # ATOP 3460
    assert answer("IND", "nonAggressionPartnerOf", "USA", "2015-06-01") == "yes"  # ASEAN TAC


@pytest.mark.parametrize("day", ["1955-06-01", "1985-06-01", "2015-06-01"])
def test_usa_and_japan_allied(day: str) -> None:
    assert answer("USA", "alliedWith", "JPN", day) == "yes"


def test_cento_members_not_allied_through_cento() -> None:
    # CENTO: consultation and non-aggression only (ATOP 3275); Iran and Pakistan shared no
    # defence pact in 1970 otherwise
    result = explain(bundled(), "id:nation/IRN", "mil:alliedWith", "id:nation/PAK", "1970-01-01")
    if result is not None:
        alliances = {d.premises[0].triple.subject.value for d in result.derivations}
        assert ID + "org/CENTO" not in alliances
    assert answer("IRN", "consultationPartnerOf", "PAK", "1970-01-01") == "yes"


def test_usa_germany_every_derivation_curated_first() -> None:
    result = explain(bundled(), "id:nation/USA", "mil:alliedWith", "id:nation/DEU", "2000-01-01")
    assert result is not None
    every = result.derivations
    assert len(every) >= 2
    assert every[0].origin == "curated"
    assert every[0].premises[0].triple.subject.value == ID + "org/NATO"
    assert any(d.origin == "dataset" and d.premises[0].triple.subject.value
               == ID + "alliance/atop-3180" for d in every)
    origins = [d.origin for d in every]
    assert origins == sorted(origins, key=lambda o: o != "curated")


# Rwanda signed ATOP alliance 3455 (the 1961 defence pact of the African and Malagasy Union)
# in March 1963, day unknown (atop5_1m.csv: moent 3, dayent 0).
RWA = ("id:nation/RWA", "mil:memberOf", "id:alliance/atop-3455")


@pytest.mark.parametrize(("day", "expected"), [
    ("1963-02-28", "no"), ("1963-03-01", "unknown"), ("1963-03-31", "unknown"),
    ("1963-04-01", "yes"), ("1964-03-09", "yes"), ("1964-03-10", "no"),
])
def test_a_month_dated_atop_entry_is_unknown_inside_its_month(day: str, expected: str) -> None:
    assert holds(bundled(), *RWA, day).answer == expected
    assert answer("RWA", "alliedWith", "SEN", day) == expected


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    snapshot = bundled()
    app.include_router(make_router(lambda _request: snapshot))
    return TestClient(app)


def test_http_holds_on_the_atop_month(client: TestClient) -> None:
    s, p, o = RWA
    r = client.get("/api/holds", params={"s": s, "p": p, "o": o, "asOf": "1963-03-15"})
    assert r.status_code == 200 and r.json()["answer"] == "unknown"
    assert r.json()["unknown"] == [{"from": "1963-03-01", "until": "1963-04-01"}]
    r = client.get("/api/explain", params={"s": s, "p": p, "o": o, "asOf": "1963-03-15"})
    assert r.status_code == 200 and r.json()["answer"] == "unknown"


def test_timeline_after_2010_names_mme_and_jme(client: TestClient) -> None:
    r = client.get("/api/nations/USA/timeline", params={"from": "2015", "to": "2015"})
    assert r.status_code == 200, r.text
    datasets = {n["dataset"].rsplit("/", 1)[1] for n in r.json()["coverage"]}
    assert {"mme-v7", "jme-v3"} <= datasets
    assert "atop-5.1" not in datasets  # ATOP covers 2015
    assert "Multinational Military Exercises" in r.headers["warning"]
    # 1995 lies inside every window but FMTR's (US FY 1999 onwards): only it is named
    inside = timeline(bundled(), "USA", "1995", "1995")
    assert [n.window.dataset.rsplit("/", 1)[1] for n in inside.coverage] == ["sfm-fmtr"]


def test_many_derivations_are_capped_and_said_so() -> None:
    result = explain(bundled(), "id:nation/SWE", "mil:exercisedWith", "id:nation/CAN")
    assert result is not None and not result.truncated
    assert len(result.derivations) == 12 and result.more_derivations
    assert result.to_json()["moreDerivations"] is True
