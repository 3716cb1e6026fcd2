"""`milgraph import jme` on the real JME v3 file: deduplication against MME v7 (same exercise ->
one node) tested on real rows, and the new exercises JME alone records."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import default_output, jme
from milgraph.importers.common import unmapped_path
from milgraph.importers.nations import NationResolver

REPO = Path(__file__).resolve().parents[2]
JME_DIR = REPO.parent / "shared" / "datasets" / "jme-v3"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
X = ID + "exercise/"

pytestmark = pytest.mark.skipif(not JME_DIR.is_dir(), reason="../shared/datasets is not present")


@pytest.fixture(scope="module")
def built():
    doc, report = jme.build(JME_DIR, NationResolver())
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


def matched_to(store: ox.Store, record: str) -> list[str]:
    return sorted(r[0].value for r in store.query(
        f'SELECT ?x WHERE {{ ?x <{MIL}sourceRecord> "jme-v3:{record}" }}'))


def test_counts(built) -> None:
    _, report, store = built
    assert report.total_rows == 1790
    assert len(report.rejected) == 11  # 9 without a start year, 2 typo years
    matched = report.tallies["rows matched to an MME exercise (no new node)"]
    assert matched == 1387
    assert report.records["exercises"] == 392
    assert matched + report.records["exercises"] + len(report.rejected) == 1790
    n = list(store.query(f"SELECT (COUNT(?x) AS ?n) WHERE {{ ?x a <{MIL}MilitaryExercise> }}"))
    assert n[0][0].value == "392"


@pytest.mark.parametrize(("record", "mme"), [
    ("132", "mme-124"),  # "Weapons Brotherhood 80" = MME "Brotherhood- in-Arms 80"
    ("388", "mme-458"),  # "Team Spirit 85"
    ("339", "mme-2981"),  # "Cobra Gold 07": THA, USA of MME's five
    ("row1703", "mme-3338"),  # "Flying Rhino 2010" (dates from the Start Date text)
    ("row1726", "mme-3254"),  # "Darhan-2" = MME "Darkhan-2"
])
def test_same_exercise_is_one_node(built, record: str, mme: str) -> None:
    _, _, store = built
    assert matched_to(store, record) == [X + mme]
    assert not bool(store.query(f"ASK {{ <{X}jme-{record}> ?p ?o }}"))


@pytest.mark.parametrize("record", ["270", "577"])
def test_different_exercises_stay_apart(built, record: str) -> None:
    """'Bright Star 83' (Sudan, USA) is not MME's 'Natural Bond 83' of the same days and
    pair; 'Winter Cimex 1989' (14 NATO states) is not MME's 'Cold Winter 89' (4)."""
    _, _, store = built
    assert matched_to(store, record) == []
    assert bool(store.query(f"ASK {{ <{X}jme-{record}> a <{MIL}MilitaryExercise> }}"))


def test_each_mme_exercise_takes_at_most_one_row(built) -> None:
    _, _, store = built
    rows = list(store.query(f"""SELECT ?x WHERE {{ ?x <{MIL}sourceRecord> ?r }}
        GROUP BY ?x HAVING (COUNT(?r) > 1)"""))
    assert rows == []


def test_partial_dates_and_iso_participants_resolved_with_the_date(built) -> None:
    _, _, store = built
    rows = list(store.query(f"""SELECT ?s ?p WHERE {{ <{X}jme-77> <{MIL}startDate> ?s ;
        <{MIL}participant> ?p }}"""))  # Midlink 74: "11/xx/1974"
    assert {r[0].value for r in rows} == {"1974-11"}
    assert {r[1].value.rsplit("/", 1)[1] for r in rows} == {"USA", "TUR", "PAK", "GBR"}
    soviet = list(store.query(f"""SELECT ?x WHERE {{ ?x <{MIL}participant> <{ID}nation/RUS> ;
        <{MIL}startDate> ?s . FILTER(STR(?s) < "1991-12") }}"""))
    assert soviet == []  # "RUS" before 1992 is the Soviet Union


def test_unmapped_codes_are_reported(built) -> None:
    _, report, _ = built
    assert {name for name, _ in report.unmapped} == {"8 NATO members", "BMU"}
    assert unmapped_path(default_output("jme")).read_text(encoding="utf-8") == \
        report.unmapped_table()


def test_committed_file_is_current(built) -> None:
    doc, _, _ = built
    again, _ = jme.build(JME_DIR, NationResolver())
    assert again.render() == doc.render()
    assert default_output("jme").read_text(encoding="utf-8") == doc.render(), (
        "data/imported/jme.ttl is stale: run `milgraph import jme`")
