"""Partial dates answer yes / no / unknown: a record dated only to a year or month is in the
views on every day of that period (the "possible" reading), and those days are "unknown"
(the certain reading counts it only after, or until before, the period). Through the
analysis API, ``/api/holds``, ``/api/explain`` and the CLI, on the fixture's ATOP-style rows:
France a member of alliance 9999 "from some day in 1960 until some day in March 1965", the
USA from 1962-07-15 until some day in 1964."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from milgraph.analysis import explain, holds
from milgraph.server.analysis import make_router
from tests.support.analysis import world

FRA_MEMBER = ("id:nation/FRA", "mil:memberOf", "id:alliance/atop-9999")
USA_MEMBER = ("id:nation/USA", "mil:memberOf", "id:alliance/atop-9999")


@pytest.mark.parametrize(("triple", "day", "expected"), [
    (FRA_MEMBER, "1959-12-31", "no"),
    (FRA_MEMBER, "1960-01-01", "unknown"),   # joined on some day of 1960
    (FRA_MEMBER, "1960-12-31", "unknown"),
    (FRA_MEMBER, "1961-01-01", "yes"),
    (FRA_MEMBER, "1965-02-28", "yes"),
    (FRA_MEMBER, "1965-03-01", "unknown"),   # left on some day of March 1965
    (FRA_MEMBER, "1965-03-31", "unknown"),
    (FRA_MEMBER, "1965-04-01", "no"),
    (USA_MEMBER, "1962-07-14", "no"),           # the USA joined on a full date
    (USA_MEMBER, "1962-07-15", "yes"),
    (USA_MEMBER, "1963-12-31", "yes"),
    (USA_MEMBER, "1964-06-01", "unknown"),      # the USA left on some day of 1964
    (USA_MEMBER, "1965-01-01", "no"),
])
def test_yes_no_unknown(triple, day: str, expected: str) -> None:
    assert holds(world(), *triple, day).answer == expected


def test_the_unknown_periods_are_given() -> None:
    result = holds(world(), *FRA_MEMBER, "1960-06-01")
    assert result.unknown == [{"from": "1960-01-01", "until": "1961-01-01"},
                              {"from": "1965-03-01", "until": "1965-04-01"}]
    assert "dated only to a year or month" in result.note


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    snapshot = world()
    app.include_router(make_router(lambda _request: snapshot))
    return TestClient(app)


def test_http_holds_and_explain(client: TestClient) -> None:
    s, p, o = FRA_MEMBER
    for day, expected in (("1960-06-01", "unknown"), ("1962-06-01", "yes"), ("1966-01-01", "no")):
        r = client.get("/api/holds", params={"s": s, "p": p, "o": o, "asOf": day})
        assert r.status_code == 200, r.text
        assert r.json()["answer"] == expected
    r = client.get("/api/explain", params={"s": s, "p": p, "o": o, "asOf": "1960-06-01"})
    assert r.status_code == 200 and r.json()["answer"] == "unknown"
    assert client.get("/api/explain", params={"s": s, "p": p, "o": o,
                                              "asOf": "1962-06-01"}).json()["answer"] == "yes"
    bad = client.get("/api/holds", params={"s": s, "p": p, "o": o, "asOf": "1960"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.text


def test_explain_text_says_unknown() -> None:
    result = explain(world(), *FRA_MEMBER, "1960-06-01")
    assert result is not None and result.answer == "unknown"
    assert "only by the partial-date rule: unknown" in result.to_text().splitlines()[0]


def test_cli_holds(cli) -> None:
    store = str(world().path.parent)
    result = cli("holds", *FRA_MEMBER, "--as-of", "1965-03-15", "--store", store)
    assert result.exit_code == 0, result.output
    assert "nation:FRA mil:memberOf <https://w3id.org/milgraph/id/alliance/atop-9999>: unknown" in result.stdout
    result = cli("holds", *FRA_MEMBER, "--as-of", "1963-01-01", "--store", store,
                 "--format", "json")
    assert json.loads(result.stdout)["answer"] == "yes"


@pytest.mark.parametrize(("day", "expected"), [
    ("1996-12-31", "no"),          # signed, not yet in force
    ("1997-01-01", "unknown"),     # in force from some day of 1997
    ("1997-12-31", "unknown"),
    ("1998-01-01", "yes"),
    ("2020-01-01", "yes"),
])
def test_year_only_entry_into_force_gives_party_to_from_that_year(day: str,
                                                                  expected: str) -> None:
    from tests.support.analysis import world_year_only

    party = ("id:nation/JPN", "mil:partyTo", "id:agreement/fixture-year-only")
    assert holds(world_year_only(), *party, day).answer == expected
