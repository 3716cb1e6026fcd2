"""Answers whose window reaches outside a dataset's coverage say so: the timeline (API, HTTP
body and ``Warning`` header, CLI stderr) and named queries (``Warning`` header)."""

from __future__ import annotations

import json

import pytest

from milgraph.analysis import coverage, timeline
from tests.support.analysis import world_pacts
from tests.support.server import make_client, wait_ready

MME = "https://w3id.org/milgraph/id/dataset/mme-v7"
ATOP = "https://w3id.org/milgraph/id/dataset/atop-5.1"


def test_windows_are_read_from_the_graph() -> None:
    found = {w.dataset: w for w in coverage.windows(world_pacts())}
    assert found[MME].days.describe() == [{"from": "1980-01-01", "until": "2011-01-01"}]
    assert "https://w3id.org/milgraph/ontology#MilitaryExercise" in found[MME].classes
    assert "https://w3id.org/milgraph/ontology#Membership" in found[ATOP].classes


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2015", None, {MME, ATOP}),           # after both: until today
    ("2015", "2016", {MME}),               # ATOP covers 2016
    ("1990", "1995", set()),               # inside both
    (None, "1975", set()),                 # no start asked: the past is not flagged
    ("1975", "1985", {MME}),               # MME starts in 1980
    (None, None, set()),                   # no window asked
])
def test_timeline_notes(start, end, expected) -> None:
    result = timeline(world_pacts(), "USA", start, end)
    assert {n.window.dataset for n in result.coverage} == expected


def test_the_note_names_the_dataset_its_window_and_what_is_outside() -> None:
    (note,) = timeline(world_pacts(), "USA", "2015", "2016").coverage
    doc = note.to_json()
    assert doc["dataset"] == MME
    assert doc["coverage"] == [{"from": "1980-01-01", "until": "2011-01-01"}]
    assert doc["outside"] == [{"from": "2015-01-01", "until": "2017-01-01"}]
    assert doc["message"] == (
        "Multinational Military Exercises, 1980-2010 (MME), version 7 covers 1980-01-01 to "
        "2010-12-31; for 2015-01-01 to 2016-12-31 this answer holds no records from it "
        "(only curated ones)")


@pytest.fixture(scope="module")
def client():
    with make_client(world_pacts().path.parent) as c:
        wait_ready(c.get)
        yield c


def test_http_timeline_outside_coverage_has_a_field_and_a_warning(client) -> None:
    r = client.get("/api/nations/USA/timeline", params={"from": "2015", "to": "2016"})
    assert r.status_code == 200, r.text
    assert [n["dataset"] for n in r.json()["coverage"]] == [MME]
    assert r.headers["warning"].startswith('299 milgraph "Multinational Military Exercises')
    assert "2010-12-31" in r.headers["warning"]
    inside = client.get("/api/nations/USA/timeline", params={"from": "1990", "to": "1995"})
    assert inside.json()["coverage"] == [] and "warning" not in inside.headers


def test_http_named_query_beyond_exercise_coverage_warns(client) -> None:
    r = client.get("/api/queries/exercise-partners", params={"nation": "USA", "since": "2015"})
    assert r.status_code == 200, r.text
    assert "Multinational Military Exercises" in r.headers["warning"]
    assert "for 2015-01-01 to" in r.headers["warning"]
    # "since" runs until today: 1985 onwards also reaches past MME's last year
    assert "warning" in client.get("/api/queries/exercise-partners",
                                   params={"nation": "USA", "since": "1985"}).headers
    quiet = client.get("/api/queries/alliances-on-date", params={"nation": "USA",
                                                                 "date": "1990-06-01"})
    assert quiet.status_code == 200 and "warning" not in quiet.headers
    # an alliance question after ATOP's last year names ATOP
    r = client.get("/api/queries/alliances-on-date", params={"nation": "USA",
                                                             "date": "2020-06-01"})
    assert r.status_code == 200 and "ATOP" in r.headers["warning"]


def test_cli_timeline_notes_on_stderr(cli) -> None:
    store = str(world_pacts().path.parent)
    result = cli("timeline", "USA", "--from", "2015", "--to", "2016", "--store", store)
    assert result.exit_code == 0, result.output
    assert "coverage: Multinational Military Exercises" in result.stderr
    assert "coverage:" not in result.stdout
    result = cli("timeline", "USA", "--from", "2015", "--to", "2016", "--store", store,
                 "--format", "json")
    assert json.loads(result.stdout)["coverage"][0]["dataset"] == MME
    quiet = cli("timeline", "USA", "--from", "1990", "--to", "1995", "--store", store)
    assert "coverage:" not in quiet.stderr
