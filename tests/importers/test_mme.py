"""`milgraph import mme` on the real MME v7 file from ../shared/datasets."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import default_output, mme
from milgraph.importers.nations import NationResolver
from milgraph.importers.turtle import TurtleDocument

REPO = Path(__file__).resolve().parents[2]
MME_DIR = REPO.parent / "shared" / "datasets" / "mme-v7"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
N = ID + "nation/"
X = ID + "exercise/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIX = f"PREFIX mil: <{MIL}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"

pytestmark = pytest.mark.skipif(not MME_DIR.is_dir(), reason="../shared/datasets is not present")


@pytest.fixture(scope="module")
def resolver() -> NationResolver:
    return NationResolver()


@pytest.fixture(scope="module")
def built(resolver: NationResolver) -> tuple[TurtleDocument, object, ox.Store]:
    doc, report = mme.build(MME_DIR, resolver)
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


def select(store: ox.Store, query: str) -> list[tuple]:
    rows = [tuple(None if t is None else t.value for t in sol)
            for sol in store.query(PREFIX + query)]
    return sorted(rows, key=lambda r: tuple(str(v or "") for v in r))


def participants(store: ox.Store, exercise: str) -> list[str]:
    rows = select(store, f"SELECT ?p WHERE {{ <{X}{exercise}> mil:participant ?p }}")
    return [p.removeprefix(ID) for (p,) in rows]


def test_counts(built) -> None:
    _, report, store = built
    assert report.total_rows == 3707
    assert report.rejected == []
    assert report.records["exercises"] == 3707  # every row is an exercise
    n = select(store, "SELECT (COUNT(?x) AS ?n) WHERE { ?x a mil:MilitaryExercise }")
    assert n == [("3707",)]
    ids = select(store, """SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {
        ?x a mil:MilitaryExercise ; dcterms:identifier ?i }""")
    assert ids == [("3704",)]  # mme3457, mme3458 and mme3460 are two exercises each
    assert report.tallies["missing-participant markers (-9)"] == 208


def test_rows_naming_no_participant_are_exercises_with_participants_unknown(built) -> None:
    _, report, store = built
    flagged = select(store, """SELECT ?x WHERE { ?x a mil:MilitaryExercise ;
        mil:participantsUnknown true }""")
    assert len(flagged) == 91 == report.tallies["exercises with participants unknown"]
    # explicit, never mixed with participants, and every other exercise has one
    assert select(store, """SELECT ?x WHERE { ?x mil:participantsUnknown true ;
        mil:participant ?p }""") == []
    assert select(store, """SELECT ?x WHERE { ?x a mil:MilitaryExercise .
        FILTER NOT EXISTS { ?x mil:participant ?p }
        FILTER NOT EXISTS { ?x mil:participantsUnknown true } }""") == []
    noted = [n for n in report.notes if n.reason.startswith("participants unknown")]
    assert len(noted) == 91
    # the 2007 row of mme3457 (line 3163): "Noble Award", Izmir, only -9 participants
    rows = select(store, f"""SELECT ?l ?loc ?s ?note WHERE {{ <{X}mme-3457-2007>
        <http://www.w3.org/2000/01/rdf-schema#label> ?l ; mil:location ?loc ;
        mil:startDate ?s ; mil:participantsUnknown true ;
        <http://www.w3.org/2004/02/skos/core#note> ?note }}""")
    assert rows == [("Noble Award", "Izmir, Turkey", "2007-05", "Forces from 17 NATO nations")]


def test_duplicated_ids_are_kept_apart_and_reported(built) -> None:
    _, report, store = built
    dups = sorted(n.reason.rsplit(" ", 1)[1] for n in report.notes
                  if n.reason.startswith("duplicated id"))
    # each row of a duplicated id gets the start year as suffix (the pairs differ in year)
    assert dups == ["mme-3457-1996", "mme-3457-2007", "mme-3458-2000", "mme-3458-2007",
                    "mme-3460-1995", "mme-3460-2005"]
    lines = sorted(n.line for n in report.notes if n.reason.startswith("duplicated id"))
    assert 3163 in lines and 3164 in lines
    rows = select(store, """SELECT ?x ?l WHERE { ?x dcterms:identifier "mme3460" ;
        <http://www.w3.org/2000/01/rdf-schema#label> ?l }""")
    assert [x for x, _ in rows] == [X + "mme-3460-1995", X + "mme-3460-2005"]
    assert participants(store, "mme-3460-2005") == ["nation/CHN", "nation/JPN", "nation/KOR"]


def test_rimpac_80(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?l ?series ?s ?e WHERE {{ <{X}mme-89>
        <http://www.w3.org/2000/01/rdf-schema#label> ?l ; mil:partOfSeries ?series ;
        mil:startDate ?s ; mil:endDate ?e }}""")
    assert rows == [("RIMPAC 80", ID + "exercise-series/rimpac", "1980-02-26", "1980-03-18")]
    assert participants(store, "mme-89") == [f"nation/{c}" for c in
                                             ("AUS", "CAN", "JPN", "NZL", "USA")]
    flags = select(store, f"SELECT ?f WHERE {{ <{X}mme-89> mil:domain|mil:purpose ?f }}")
    assert flags == [(MIL + "DomainAir",), (MIL + "DomainSea",), (MIL + "PurposeWarfighting",)]


def test_participants_resolve_with_the_date(built) -> None:
    _, _, store = built
    assert participants(store, "mme-91") == ["nation/POL", "nation/SUN"]  # "Russia", 1980
    assert participants(store, "mme-94") == ["nation/DDR", "nation/SUN"]
    assert "nation/DEU" in participants(store, "mme-90")  # "Federal Republic of Germany"
    assert "nation/SRB" in participants(store, "mme-1845")  # "Serbia", 2000: the FRY
    assert "nation/SRB" in participants(store, "mme-2457")  # "Yugoslavia", 2004: the same
    assert "nation/YUG" not in participants(store, "mme-2457")
    russia_1980 = select(store, f"""SELECT (COUNT(?x) AS ?n) WHERE {{ ?x mil:participant
        <{N}RUS> ; mil:startDate ?s . FILTER(STRSTARTS(STR(?s), "1980")) }}""")
    assert russia_1980 == [("0",)]


def test_non_states_and_unresolved_names_are_explicit(built) -> None:
    _, report, store = built
    assert "org/NATO" in participants(store, "mme-2860")
    kept = select(store, "SELECT ?x ?u WHERE { ?x mil:unresolvedParticipant ?u }")
    assert kept == [(X + "mme-1064", "Hong Kong SAR China"),
                    (X + "mme-3135", "New Caledonia"),
                    # Africa Endeavour 2010 (August 2010): South Sudan became a state on
                    # 2011-07-09 (COW 626); before that the name stands for no state
                    (X + "mme-3365", "South Sudan"),
                    (X + "mme-3493", "Baltic States"),
                    (X + "mme-3498", "Netherlands Antilles"),
                    (X + "mme-3757", "Hong Kong SAR China"),
                    (X + "mme-757", "Bermuda")]
    noted = [n for n in report.notes if n.reason.startswith("unresolved participant")]
    assert len(noted) == 7


def test_partial_dates_stay_partial(built) -> None:
    _, report, store = built
    rows = select(store, f"""SELECT ?s (DATATYPE(?s) AS ?t) WHERE {{
        <{X}mme-88> mil:startDate ?s }}""")
    assert rows == [("1980-01", XSD + "gYearMonth")]
    days = select(store, """SELECT (COUNT(?x) AS ?n) WHERE { ?x mil:startDate ?s .
        FILTER(DATATYPE(?s) = <http://www.w3.org/2001/XMLSchema#gYearMonth>) }""")
    with (MME_DIR / "mme_v7.csv").open(encoding="utf-8-sig", newline="") as handle:
        xx = sum(1 for row in csv.DictReader(handle) if row["s.day"] == "xx")
    assert xx == 814
    assert days == [(str(xx),)]
    assert report.rejected == []


def test_hosts_only_where_the_location_names_a_participant(built) -> None:
    _, _, store = built
    hosts = dict(select(store, f"""SELECT ?x ?h WHERE {{ ?x mil:host ?h .
        FILTER(?x IN (<{X}mme-92>, <{X}mme-3175>, <{X}mme-88>, <{X}mme-89>)) }}"""))
    assert hosts == {X + "mme-92": N + "NOR",  # "Norway, Malangen Peninsula"
                     X + "mme-3175": N + "SRB",  # "Batajnica, Serbia"
                     X + "mme-88": N + "EGY"}  # "Egypt"; RIMPAC's "Mid-Pacific" names none
    stray = select(store, """SELECT ?x WHERE { ?x mil:host ?h .
        FILTER NOT EXISTS { ?x mil:participant ?h } }""")
    assert stray == []


def test_every_record_is_sourced_and_cited(built) -> None:
    _, _, store = built
    unsourced = select(store, """SELECT DISTINCT ?s WHERE { ?s ?p ?o .
        FILTER NOT EXISTS { ?s dcterms:source ?src } }""")
    assert unsourced == []
    cite = select(store, f"""SELECT ?c WHERE {{ <{ID}dataset/mme-v7>
        dcterms:bibliographicCitation ?c ;
        dcterms:source <https://doi.org/10.7910/DVN/KHFODX> }}""")
    assert len(cite) == 1 and "doi:10.7910/DVN/KHFODX" in cite[0][0]


def test_output_is_deterministic_and_committed_file_is_current(built, resolver) -> None:
    doc, _, _ = built
    again, _ = mme.build(MME_DIR, resolver)
    assert again.render() == doc.render()
    assert default_output("mme").read_text(encoding="utf-8") == doc.render(), (
        "data/imported/mme.ttl is stale: run `milgraph import mme`")


def test_curated_series_spelling_wins(built) -> None:
    """data/exercises.ttl labels BALTOPS in its official spelling; MME's "Baltops" is kept as
    an alternative, so the series has one English label in the bundled graph."""
    _, report, store = built
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    alt = "<http://www.w3.org/2004/02/skos/core#altLabel>"
    baltops = f"<{ID}exercise-series/baltops>"
    assert select(store, f"SELECT ?l WHERE {{ {baltops} {label} ?l }}") == []
    assert select(store, f"SELECT ?l WHERE {{ {baltops} {alt} ?l }}") == [("Baltops",)]
    rimpac = f"<{ID}exercise-series/rimpac>"  # same spelling in both: the label stays
    assert select(store, f"SELECT ?l WHERE {{ {rimpac} {label} ?l }}") == [("RIMPAC",)]
    # BALTOPS, PANAMAX and UNITAS are spelled differently by the curated exercise files.
    assert report.tallies["series labelled by the curated data (MME spelling as altLabel)"] == 3

    merged = ox.Store()
    merged.load(input=built[0].render().encode(), format=ox.RdfFormat.TURTLE)
    merged.load(path=str(REPO / "data" / "exercises.ttl"), format=ox.RdfFormat.TURTLE)
    twice = select(merged, f"""SELECT ?s WHERE {{ ?s a mil:ExerciseSeries ; {label} ?a , ?b .
        FILTER(?a != ?b && LANG(?a) = LANG(?b)) }}""")
    assert twice == []
    assert select(merged, f"SELECT ?l WHERE {{ {baltops} {label} ?l }}") == [("BALTOPS",)]
