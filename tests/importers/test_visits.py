"""`milgraph import visits` on the real US service-leader visits file."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import default_output, visits
from milgraph.importers.common import unmapped_path
from milgraph.importers.nations import NationResolver

REPO = Path(__file__).resolve().parents[2]
VISITS_DIR = REPO.parent / "shared" / "datasets" / "us-service-leader-visits"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"

pytestmark = pytest.mark.skipif(not VISITS_DIR.is_dir(), reason="../shared/datasets is absent")


@pytest.fixture(scope="module")
def built():
    doc, report = visits.build(VISITS_DIR, NationResolver())
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


def test_every_row_is_a_visit_or_reported(built) -> None:
    _, report, _ = built
    assert report.total_rows == 377
    assert report.records["visits"] + report.tallies[
        "visits of places that are no nation node, left out"] == 377
    assert {n for n, _ in report.unmapped} == {"Antarctica", "GNL", "GUF", "GUM", "HKG",
                                                "Saint Thomas", "VIR", "Wake Island"}
    assert unmapped_path(default_output("visits")).read_text(encoding="utf-8") == \
        report.unmapped_table()


def test_first_row(built) -> None:
    _, _, store = built
    s = ID + "visit/us-service-leaders/secretary-of-the-air-force/2012-04-21/JPN"
    rows = list(store.query(f"""SELECT ?o ?n ?a ?b ?s ?e WHERE {{ <{s}> <{MIL}visitorOffice> ?o ;
        <{MIL}visitorName> ?n ; <{MIL}visitingActor> ?a ; <{MIL}visitedActor> ?b ;
        <{MIL}startDate> ?s ; <{MIL}endDate> ?e }}"""))
    assert [tuple(t.value for t in r) for r in rows] == [(
        "Secretary of the Air Force", "Michael B. Donley", ID + "nation/USA", ID + "nation/JPN",
        "2012-04-21", "2012-04-28")]


def test_capital_in_the_state_column_is_its_state(built) -> None:
    # visits_sheet1.csv:70: "Togo D. West, Jr." to "Nassau", from 1994-09-16 (the crosswalk's
    # "Nassau" is the German duchy, gone since 1866)
    _, _, store = built
    s = ID + "visit/us-service-leaders/secretary-of-the-army/1994-09-16/BHS"
    rows = list(store.query(f"""SELECT ?b ?n WHERE {{ <{s}> <{MIL}visitedActor> ?b ;
        <{MIL}visitorName> ?n }}"""))
    assert [tuple(t.value for t in r) for r in rows] == [(ID + "nation/BHS", "Togo D. West, Jr.")]


def test_committed_file_is_current(built) -> None:
    assert default_output("visits").read_text(encoding="utf-8") == built[0].render()
