"""Importer building blocks and whole importers on small hand-made fixtures.

Fixtures live in tests/fixtures/import/ and include malformed rows, unknown codes and names,
partial dates and code reuse. The country-code crosswalk is the real one from
../shared/datasets (a lookup table, not a dataset under test).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from milgraph.errors import InputError
from milgraph.importers import atop, cow_states, mme
from milgraph.importers.csvfile import read_rows
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.dates import DateError, PartialDate, partial_date
from milgraph.importers.nations import DEFAULT_CODES, NationResolver, UnknownCode
from milgraph.importers.turtle import XSD, TurtleDocument, integer, text, typed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"

pytestmark = pytest.mark.skipif(not DEFAULT_CODES.is_file(),
                                reason="../shared/datasets/country-codes is not present")


@pytest.fixture(scope="module")
def resolver() -> NationResolver:
    return NationResolver()


def store_of(doc: TurtleDocument) -> ox.Store:
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return store


def values(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    prologue = (f"PREFIX mil: <{MIL}>\nPREFIX id: <{ID}>\n"
                "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
    return values_sorted([tuple(None if t is None else t.value for t in sol)
                          for sol in store.query(prologue + query)])


def values_sorted(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: tuple(v or "" for v in row))


# --- dates ------------------------------------------------------------------------------------

def test_partial_dates_keep_their_precision() -> None:
    assert partial_date(1844, 6, None).lexical == "1844-06"
    assert partial_date(1844, 6, None).datatype == XSD + "gYearMonth"
    assert partial_date(1844, None, None).datatype == XSD + "gYear"
    assert partial_date(1954, 10, 23).datatype == XSD + "date"
    assert partial_date(1844, 6, None).latest() == date(1844, 6, 30)


@pytest.mark.parametrize(("fields", "message"), [
    ((1900, 2, 30), "day 30 does not exist"),
    ((1990, 13, 1), "month 13"),
    ((None, 1, 1), "year is missing"),
    ((1990, None, 5), "a day without a month"),
])
def test_impossible_dates_are_errors(fields: tuple, message: str) -> None:
    with pytest.raises(DateError, match=message):
        partial_date(*fields)


def test_partial_date_refuses_to_invent_a_day() -> None:
    with pytest.raises(DateError):
        PartialDate(1844, 6).as_date()


# --- Turtle writer ----------------------------------------------------------------------------

def test_turtle_writer_is_sorted_escaped_and_parseable() -> None:
    doc = TurtleDocument(header=["test"])
    s100, s9 = ID + "exercise/mme-100", ID + "exercise/mme-9"
    doc.add(s100, MIL + "location", text('quote " backslash \\ newline \n end'))
    doc.add(s9, MIL + "location", text("Côte d’Ivoire", "en"))
    doc.add(s9, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", typed(MIL + "X", XSD + "anyURI"))
    doc.add(s9, MIL + "n", integer(7))
    doc.add(s9, MIL + "d", typed("1844-06", XSD + "gYearMonth"))
    out = doc.render()
    assert out.index("<exercise/mme-9>") < out.index("<exercise/mme-100>")  # numeric order
    graph = rdflib.Graph().parse(data=out, format="turtle")
    assert len(graph) == len(doc) == 5
    loc = graph.value(rdflib.URIRef(s100), rdflib.URIRef(MIL + "location"))
    assert str(loc) == 'quote " backslash \\ newline \n end'
    assert graph.value(rdflib.URIRef(s9), rdflib.URIRef(MIL + "n")).toPython() == 7


def test_turtle_writer_output_does_not_depend_on_insertion_order() -> None:
    triples = [(ID + f"nation/N{i}", MIL + p, text(v)) for i in range(5) for p, v in
               (("b", "y"), ("a", "x"), ("a", "z"))]
    one, two = TurtleDocument(), TurtleDocument()
    for t in triples:
        one.add(*t)
    for t in reversed(triples):
        two.add(*t)
    assert one.render() == two.render()


# --- nation resolution ------------------------------------------------------------------------

def test_cow_codes_resolve_with_the_date(resolver: NationResolver) -> None:
    assert resolver.at(365, date(1900, 1, 1)) == "cow-RUS"
    assert resolver.at(365, date(1980, 1, 1)) == "SUN"
    assert resolver.at(365, date(1991, 12, 26)) == "RUS"
    assert resolver.at(255, date(1900, 1, 1)) == "cow-GMY"
    assert resolver.at(255, date(1990, 10, 3)) == "DEU"
    assert resolver.at(260, date(1960, 1, 1)) == "DEU"
    assert resolver.at(345, date(1990, 1, 1)) == "YUG"
    assert resolver.at(345, date(1992, 4, 27)) == "SRB"  # the FRY, today's Serbia
    assert resolver.at(327, date(1850, 1, 1)) == "cow-PAP"  # not Vatican City
    assert resolver.at(2, date(1816, 1, 1)) == "USA"
    assert resolver.at(316, date(2000, 1, 1)) == "CZE"  # Czechia
    assert resolver.at(315, date(1980, 1, 1)) == "CSK"  # Czechoslovakia
    assert resolver.at(347, date(2010, 1, 1)) == "cow-KOS"  # no ISO code
    assert resolver.at(817, date(1960, 1, 1)) == "cow-RVN"
    assert resolver.at(680, date(1980, 1, 1)) == "YMD"


def test_code_reuse_gap_is_an_error_not_a_guess(resolver: NationResolver) -> None:
    with pytest.raises(UnknownCode, match="255 stands for no state"):
        resolver.at(255, date(1970, 1, 1))
    with pytest.raises(UnknownCode):
        resolver.at(8152, date(1874, 1, 1))


def test_interval_is_split_where_the_code_changes_node(resolver: NationResolver) -> None:
    segs = resolver.segments(365, date(1976, 10, 8), None)
    assert [(s.slug, s.start, s.end) for s in segs] == [
        ("SUN", date(1976, 10, 8), date(1991, 12, 26)),
        ("RUS", date(1991, 12, 26), None),
    ]
    assert resolver.in_year(365, 1991) == {"SUN", "RUS"}
    assert resolver.in_year(255, 1990) == {"DEU"}


@pytest.mark.parametrize(("name", "ccode"), [
    ("Burma", 775), ("Myanmar (Burma)", 775), ("Ivory Coast", 437), ("Côte d’Ivoire", 437),
    ("Federal Republic of Germany", 260), ("West Germany", 260), ("Russia", 365),
    ("Soviet Union", 365), ("Serbia", 345), ("st. christopher", 60), ("Czechia", 316),
])
def test_name_variants_resolve_to_cow_codes(resolver: NationResolver, name: str,
                                            ccode: int) -> None:
    match = resolver.match_name(name)
    assert (match.kind, match.ccode) == ("state", ccode)


def test_non_states_and_missing_markers_are_explicit(resolver: NationResolver) -> None:
    assert resolver.match_name("NATO").iri == ID + "org/NATO"
    assert resolver.match_name("-9").kind == "missing"
    assert "group" in (resolver.match_name("Baltic States").reason or "")
    assert "territory" in (resolver.match_name("Bermuda").reason or "")
    assert resolver.match_name("Atlantis").kind == "unresolved"


# --- CSV reading ------------------------------------------------------------------------------

def test_malformed_csv_names_file_and_line() -> None:
    with pytest.raises(InputError) as err:
        list(read_rows(FIXTURES / "broken" / "states2016.csv", ["ccode"]))
    assert "broken/states2016.csv:3" in str(err.value)
    assert "malformed CSV" in str(err.value)


def test_wrong_file_is_refused_at_its_header() -> None:
    with pytest.raises(InputError) as err:
        cow_states.build(FIXTURES / "broken" / "wrong-columns.csv")
    assert "wrong-columns.csv:1" in str(err.value)
    assert "header lacks column(s) ccode" in str(err.value)


def test_missing_input_is_named() -> None:
    with pytest.raises(InputError, match="no-such-folder: no such file or folder"):
        atop.build(FIXTURES / "no-such-folder")


# --- whole importers on fixtures --------------------------------------------------------------

def test_cow_fixture_import(resolver: NationResolver) -> None:
    doc, report = cow_states.build(FIXTURES / "cow", resolver)
    assert report.total_rows == 11
    assert sorted((p.line, p.reason.split(":")[0]) for p in report.rejected) == [
        (8, "day 30 does not exist in 1900-02"),
        (9, "4 fields where the header has 10"),
        (10, "4242 is not a COW state code in the crosswalk"),
    ]
    store = store_of(doc)
    rows = values(store, """SELECT ?n ?s ?e WHERE { ?p mil:state ?n ; mil:startDate ?s .
        OPTIONAL { ?p mil:endDate ?e } FILTER(?n IN (id:nation\\/DEU, id:nation\\/cow-GMY,
        id:nation\\/DDR)) }""")
    assert rows == [
        (ID + "nation/DDR", "1954-03-25", "1990-10-03"),  # COW's last day + 1 (half-open)
        (ID + "nation/DEU", "1955-05-05", "1990-10-03"),
        (ID + "nation/DEU", "1990-10-03", None),
        (ID + "nation/cow-GMY", "1816-01-01", "1945-05-09"),
    ]
    russia = values(store, """SELECT ?n ?s WHERE { ?p mil:state ?n ; mil:startDate ?s ;
        mil:dateKind mil:DateKindEffective ; rdfs:comment ?c }""")
    assert russia == [(ID + "nation/RUS", "1991-12-26"), (ID + "nation/SUN", "1922-12-30"),
                      (ID + "nation/cow-RUS", "1816-01-01")]
    links = values(store, "SELECT ?a ?b WHERE { ?a mil:successorOf ?b }")
    assert (ID + "nation/RUS", ID + "nation/SUN") in links
    assert (ID + "nation/DEU", ID + "nation/DDR") in links


def test_atop_fixture_import(resolver: NationResolver) -> None:
    doc, report = atop.build(FIXTURES / "atop", resolver)
    assert report.rows_read["tests/fixtures/import/atop/atop5_1m.csv"] == 14
    reasons = {(Path(p.file).name, p.line): p.reason for p in report.rejected}
    assert reasons == {
        ("atop5_1aph.csv", 7): "atopid 9009 is not in atop5_1a.csv",
        ("atop5_1m.csv", 11): "member 8152 is not a COW state code",
        ("atop5_1m.csv", 12): "yrent/moent/dayent: month 13 is not 1-12",
        ("atop5_1m.csv", 13): "atopid 9005 is not in atop5_1a.csv",
        ("atop5_1m.csv", 14): "5 fields where the header has 15",
        ("atop5_1m.csv", 15): "COW code 255 stands for no state from 1960-01-01 to 1970-01-01",
    }
    store = store_of(doc)
    rows = values(store, """SELECT ?a ?n ?s ?k ?e ?o WHERE { ?m a mil:Membership ;
        mil:organization ?a ; mil:member ?n ; mil:startDate ?s ; mil:dateKind ?k .
        OPTIONAL { ?m mil:endDate ?e } OPTIONAL { ?m mil:observedUntil ?o } }""")
    k = MIL + "DateKind"
    a1, a2, a3 = (ID + f"alliance/atop-{i}" for i in (9001, 9002, 9003))
    n = ID + "nation/"
    assert rows == values_sorted([
        (a1, n + "USA", "1949-04-04", k + "Signature", "1951-06-19", None),
        (a1, n + "USA", "1951-06-19", k + "Effective", None, "2018-12-31"),
        (a1, n + "DEU", "1954-10-23", k + "Signature", "1990-10-03", None),
        (a1, n + "DEU", "1990-10-03", k + "Signature", None, "2018-12-31"),
        (a1, n + "POL", "1997-12-16", k + "Signature", None, "2018-12-31"),
        (a2, n + "GBR", "1844-06", k + "Signature", "1846-06-29", None),
        (a2, n + "cow-RUS", "1844-06", k + "Signature", "1846-06", None),
        (a3, n + "SUN", "1976-10-08", k + "Signature", "1991-12-26", None),
        (a3, n + "RUS", "1991-12-26", k + "Effective", None, "2018-12-31"),
        (a3, n + "AGO", "1976-10-08", k + "Signature", None, "2018-12-31"),
    ])
    # partial dates are typed partial, never padded with an invented day
    kinds = values(store, """SELECT DISTINCT (DATATYPE(?s) AS ?t) WHERE {
        ?m mil:organization id:alliance\\/atop-9002 ; mil:startDate ?s }""")
    assert kinds == [("http://www.w3.org/2001/XMLSchema#gYearMonth",)]
    obligations = values(store, "SELECT ?o WHERE { id:alliance\\/atop-9001 mil:obligation ?o }")
    assert obligations == [(MIL + "ObligationConsultation",), (MIL + "ObligationDefence",),
                           (MIL + "ObligationNonAggression",)]


def test_mme_fixture_import(resolver: NationResolver) -> None:
    doc, report = mme.build(FIXTURES / "mme", resolver)
    assert report.total_rows == 11
    assert sorted((p.line, p.reason) for p in report.rejected) == [
        (6, "MMEID 'mmeX' is not of the form mme<number>"),
        (8, "no start date (s.year/s.month/s.day)"),
    ]
    notes = [(n.line, n.reason) for n in report.notes]
    assert (4, "duplicated id: mme3 appears 2 times; this row is mme-3-1985") in notes
    assert (5, "duplicated id: mme3 appears 2 times; this row is mme-3-1986") in notes
    unresolved = sorted(r for _, r in notes if r.startswith("unresolved participant"))
    assert [u.split(" (")[0] for u in unresolved] == [
        "unresolved participant: Atlantis", "unresolved participant: Atlantis",
        "unresolved participant: Baltic States", "unresolved participant: Bermuda",
        "unresolved participant: Bermuda", "unresolved participant: Germany",
        "unresolved participant: Russia"]
    store = store_of(doc)
    parts = values(store, "SELECT ?x ?p WHERE { ?x mil:participant ?p }")
    x = ID + "exercise/"
    assert (x + "mme-1", ID + "nation/MMR") in parts  # "Burma"
    assert (x + "mme-2", ID + "nation/CIV") in parts  # "Ivory Coast"
    assert (x + "mme-3-1985", ID + "org/NATO") in parts
    assert (x + "mme-3-1985", ID + "nation/SUN") in parts  # "Russia" in 1985
    assert (x + "mme-7", ID + "nation/DEU") in parts  # "Federal Republic of Germany"
    assert (x + "mme-7", ID + "nation/DDR") in parts
    assert values(store, "SELECT ?h WHERE { ?x mil:host ?h }") == [(ID + "nation/MMR",)]
    kept = values(store, """SELECT ?u WHERE {
        id:exercise\\/mme-3-1985 mil:unresolvedParticipant ?u }""")
    assert kept == [("Atlantis",), ("Baltic States",), ("Bermuda",)]
    dates = values(store, """SELECT ?s ?e (DATATYPE(?s) AS ?t) WHERE {
        id:exercise\\/mme-2 mil:startDate ?s ; mil:endDate ?e }""")
    assert dates == [("1990-03", "1990-04", "http://www.w3.org/2001/XMLSchema#gYearMonth")]
    assert values(store, "SELECT ?e WHERE { id:exercise\\/mme-5 mil:endDate ?e }") == []
    flags = values(store, "SELECT ?d WHERE { id:exercise\\/mme-1 mil:domain|mil:purpose ?d }")
    assert flags == [(MIL + "DomainCommandPost",), (MIL + "DomainSea",),
                     (MIL + "PurposeWarfighting",)]
    series = values(store, """SELECT ?s ?l WHERE { ?x mil:partOfSeries ?s .
        ?s rdfs:label ?l }""")
    assert set(series) == {(ID + "exercise-series/golden-test", "Golden Test")}
    unsourced = values(store, """SELECT ?s WHERE { ?s ?p ?o .
        FILTER NOT EXISTS { ?s dcterms:source ?src } }""")
    assert unsourced == []


def test_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "states2016.csv"
    bad.write_bytes("stateabb,ccode,statenme\nUSA,2,United States\nCIV,437,C\xf4te\n"
                    .encode("latin-1"))
    with pytest.raises(InputError) as err:
        list(read_rows(bad, ["ccode"]))
    assert "states2016.csv:3: not UTF-8 (byte 0xf4)" in str(err.value)


def test_plain_text_report_lists_rejections_and_note_counts(resolver: NationResolver) -> None:
    _, report = mme.build(FIXTURES / "mme", resolver)
    text_report = report.as_text()
    assert "rows read     tests/fixtures/import/mme/mme_v7.csv: 11" in text_report
    assert "written       exercises: 9" in text_report
    assert ("tests/fixtures/import/mme/mme_v7.csv:6: MMEID 'mmeX' is not of the form "
            "mme<number>") in text_report
    assert "    duplicated id: 2" in text_report


def test_mme_rows_naming_no_participant_are_kept_explicitly(resolver: NationResolver) -> None:
    """A row whose participants are all -9 is an exercise with participants unknown; a row
    whose names all fail to resolve keeps them as unresolved participants. Neither is lost."""
    doc, report = mme.build(FIXTURES / "mme", resolver)
    store = store_of(doc)
    rows = values(store, """SELECT ?x ?flag ?note WHERE { ?x mil:participantsUnknown ?flag ;
        <http://www.w3.org/2004/02/skos/core#note> ?note }""")
    assert rows == [(ID + "exercise/mme-9", "true", "Forces from 3 nations")]
    assert values(store, "SELECT ?p WHERE { id:exercise\\/mme-9 mil:participant ?p }") == []
    assert values(store, "SELECT ?u WHERE { id:exercise\\/mme-10 mil:unresolvedParticipant ?u }"
                  ) == [("Atlantis",), ("Bermuda",)]
    assert values(store, "SELECT ?f WHERE { id:exercise\\/mme-10 mil:participantsUnknown ?f }"
                  ) == []
    reasons = [n.reason for n in report.notes if n.line in (11, 12)]
    assert any(r.startswith("participants unknown") for r in reasons)
    assert any(r.startswith("no participant resolves") for r in reasons)


def test_curated_labels_come_from_the_top_level_data_files(tmp_path: Path) -> None:
    (tmp_path / "imported").mkdir()
    (tmp_path / "un.ttl").write_text(
        '<https://w3id.org/milgraph/id/nation/SWZ> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Eswatini"@en , "eSwatini"@ss .\n',
        encoding="utf-8")
    (tmp_path / "imported" / "cow.ttl").write_text(
        '<https://w3id.org/milgraph/id/nation/SWZ> '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Swaziland"@en .\n', encoding="utf-8")
    labels = CuratedLabels.read(tmp_path)
    assert labels.labels(ID + "nation/SWZ", "en") == {"Eswatini"}
    assert labels.labels(ID + "nation/SWZ", "ss") == {"eSwatini"}
    assert labels.labels(ID + "nation/USA", "en") == set()


def test_a_broken_curated_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        CuratedLabels.read(tmp_path)
    assert "broken.ttl" in str(err.value) and "curated labels" in str(err.value)


def test_mme_series_spelling_of_the_curated_data_wins(resolver: NationResolver) -> None:
    series = ID + "exercise-series/golden-test"
    curated = CuratedLabels({series: {"en": {"GOLDEN TEST"}}})
    doc, report = mme.build(FIXTURES / "mme", resolver, curated=curated)
    store = store_of(doc)
    assert values(store, "SELECT ?l WHERE { id:exercise-series\\/golden-test rdfs:label ?l }") == []
    alt = values(store, """SELECT ?l WHERE { id:exercise-series\\/golden-test
        <http://www.w3.org/2004/02/skos/core#altLabel> ?l }""")
    assert alt == [("Golden Test",), ("golden test",)]
    assert report.tallies["series labelled by the curated data (MME spelling as altLabel)"] == 1
