"""`milgraph import cow-states` on the real COW v2016 files from ../shared/datasets."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import cow_states, default_output
from milgraph.importers.curated import CuratedLabels
from milgraph.importers.nations import NationResolver
from milgraph.importers.turtle import TurtleDocument

REPO = Path(__file__).resolve().parents[2]
COW = REPO.parent / "shared" / "datasets" / "cow-states-2016"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
N = ID + "nation/"

pytestmark = pytest.mark.skipif(not COW.is_dir(), reason="../shared/datasets is not present")


@pytest.fixture(scope="module")
def resolver() -> NationResolver:
    return NationResolver()


@pytest.fixture(scope="module")
def built(resolver: NationResolver) -> tuple[TurtleDocument, object, ox.Store]:
    doc, report = cow_states.build(COW, resolver)
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


def select(store: ox.Store, query: str) -> list[tuple]:
    prologue = f"PREFIX mil: <{MIL}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
    rows = [tuple(None if t is None else t.value for t in sol)
            for sol in store.query(prologue + query)]
    return sorted(rows, key=lambda r: tuple(str(v or "") for v in r))


def test_counts(built) -> None:
    _, report, _ = built
    assert report.total_rows == 243
    assert report.rejected == []
    # 243 spells; COW 365 (1816-2016) splits into three parts, 345 (1944-2016) into two
    assert report.records["statehood periods"] == 243 + 2 + 1
    # 217 COW codes; 255 is two nodes, 260 shares DEU, 365 is three nodes and 345 two
    assert report.records["nations"] == 217 + 1 - 1 + 2 + 1


def test_gdr_spell(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?s ?e ?iso ?code ?label WHERE {{
        ?p mil:state <{N}DDR> ; mil:startDate ?s ; mil:endDate ?e .
        <{N}DDR> mil:isoCode ?iso ; mil:cowCode ?code ;
        <http://www.w3.org/2000/01/rdf-schema#label> ?label }}""")
    # COW: 1954-03-25 to 1990-10-02 (last day); milgraph's end date is the first day after
    assert rows == [("1954-03-25", "1990-10-03", "DDR", "265", "German Democratic Republic")]


def test_germany_code_reuse_is_not_merged(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?n ?s ?e WHERE {{
        ?p mil:state ?n ; mil:startDate ?s . OPTIONAL {{ ?p mil:endDate ?e }}
        FILTER(?n IN (<{N}DEU>, <{N}cow-GMY>)) }}""")
    assert rows == [
        (N + "DEU", "1955-05-05", "1990-10-03"),  # COW 260 GFR
        (N + "DEU", "1990-10-03", None),  # COW 255 again, united Germany
        (N + "cow-GMY", "1816-01-01", "1945-05-09"),  # COW 255, Prussia / German Reich
    ]
    codes = select(store, f"SELECT ?c WHERE {{ <{N}DEU> mil:cowCode ?c }}")
    assert codes == [("255",), ("260",)]


def test_russia_is_split_into_empire_ussr_and_federation(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?n ?s ?e ?k WHERE {{
        ?p mil:state ?n ; mil:startDate ?s . OPTIONAL {{ ?p mil:endDate ?e }}
        OPTIONAL {{ ?p mil:dateKind ?k }}
        FILTER(?n IN (<{N}RUS>, <{N}SUN>, <{N}cow-RUS>)) }}""")
    assert rows == [
        (N + "RUS", "1991-12-26", None, MIL + "DateKindEffective"),
        (N + "SUN", "1922-12-30", "1991-12-26", MIL + "DateKindEffective"),
        (N + "cow-RUS", "1816-01-01", "1922-12-30", MIL + "DateKindEffective"),
    ]
    assert bool(store.query(f"ASK {{ <{N}RUS> <{MIL}successorOf> <{N}SUN> }}"))
    assert not bool(store.query(f"ASK {{ <{N}SUN> <{MIL}successorOf> ?x }}"))


def test_yugoslavia_serbia_and_historical_states(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?n ?s ?e WHERE {{
        ?p mil:state ?n ; mil:startDate ?s . OPTIONAL {{ ?p mil:endDate ?e }}
        FILTER(?n IN (<{N}YUG>, <{N}SRB>)) }}""")
    assert rows == [
        (N + "SRB", "1992-04-27", None),  # the FRY, Serbia and Montenegro, Serbia
        (N + "YUG", "1878-07-13", "1941-04-21"),
        (N + "YUG", "1944-10-20", "1992-04-27"),
    ]
    iso = dict(select(store, "SELECT ?n ?iso WHERE { ?n a mil:Nation ; mil:isoCode ?iso }"))
    for slug in ("SUN", "DDR", "CSK", "YUG", "YMD", "SRB", "DEU", "RUS", "CZE", "SVK", "VNM"):
        assert iso[N + slug] == slug
    nations = {n for (n,) in select(store, "SELECT ?n WHERE { ?n a mil:Nation }")}
    for slug in ("cow-GMY", "cow-YAR", "cow-RVN", "cow-KOR", "cow-BAV", "cow-AUH", "cow-PAP"):
        assert N + slug in nations
        assert N + slug not in iso  # no ISO code was ever assigned


def test_every_cow_state_year_is_covered(built, resolver: NationResolver) -> None:
    """Each of the 15,951 state-years of system2016.csv lies in a statehood period of a node
    the code stands for in that year."""
    _, _, store = built
    periods: dict[str, list[tuple[int, int]]] = {}
    for n, s, e in select(store, """SELECT ?n ?s ?e WHERE { ?p mil:state ?n ;
            mil:startDate ?s . OPTIONAL { ?p mil:endDate ?e } }"""):
        periods.setdefault(n, []).append((int(s[:4]), int(e[:4]) if e else 2016))
    with (COW / "system2016.csv").open(encoding="utf-8") as handle:
        years = [(int(r["ccode"]), int(r["year"])) for r in csv.DictReader(handle)]
    assert len(years) == 15951  # the README says 15,950: its last line has no newline
    missing = [(c, y) for c, y in years
               if not any(lo <= y <= hi for slug in resolver.in_year(c, y)
                          for lo, hi in periods.get(N + slug, []))]
    assert missing == []


def test_every_record_is_sourced_and_cited(built) -> None:
    _, _, store = built
    unsourced = select(store, """SELECT DISTINCT ?s WHERE { ?s ?p ?o .
        FILTER NOT EXISTS { ?s dcterms:source ?src } }""")
    assert unsourced == []
    cite = select(store, f"""SELECT ?c ?page WHERE {{ <{ID}dataset/cow-states-2016>
        dcterms:bibliographicCitation ?c ; dcterms:source ?page }}""")
    assert cite == [('Correlates of War Project. 2017. "State System Membership List, v2016." '
                     "correlatesofwar.org.",
                     "https://correlatesofwar.org/data-sets/state-system-membership/")]


def test_output_is_deterministic_and_committed_file_is_current(built, resolver) -> None:
    doc, _, _ = built
    again, _ = cow_states.build(COW, resolver)
    assert again.render() == doc.render()
    assert default_output("cow-states").read_text(encoding="utf-8") == doc.render(), (
        "data/imported/cow-states.ttl is stale: run `milgraph import cow-states`")


def test_curated_labels_win_and_cow_names_become_alternatives(built) -> None:
    """One English rdfs:label per nation in the bundled graph: where data/un.ttl names a state
    differently ("Eswatini"), COW's name ("Swaziland") is only a skos:altLabel."""
    doc, report, store = built
    skos = "http://www.w3.org/2004/02/skos/core#"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    assert select(store, f"SELECT ?l WHERE {{ <{N}SWZ> <{rdfs}label> ?l }}") == []
    assert select(store, f"SELECT ?l WHERE {{ <{N}SWZ> <{skos}altLabel> ?l }}") == [
        ("Swaziland",)]
    assert select(store, f"SELECT ?l WHERE {{ <{N}USA> <{skos}altLabel> ?l }}") == [
        ("United States of America",)]
    # where the names agree, the import keeps its own (identical) label
    assert select(store, f"SELECT ?l WHERE {{ <{N}FRA> <{rdfs}label> ?l }}") == [("France",)]
    assert report.tallies["COW names kept as skos:altLabel (data/un.ttl labels the node)"] == 14

    merged = ox.Store()
    merged.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    merged.load(path=str(REPO / "data" / "un.ttl"), format=ox.RdfFormat.TURTLE)
    twice = select(merged, f"""SELECT ?n WHERE {{ ?n a mil:Nation ; <{rdfs}label> ?a , ?b .
        FILTER(?a != ?b && LANG(?a) = LANG(?b)) }}""")
    assert twice == []
    unlabelled = select(merged, f"""SELECT ?n WHERE {{ ?n a mil:Nation .
        FILTER NOT EXISTS {{ ?n <{rdfs}label> ?l }} }}""")
    assert unlabelled == []


def test_without_curated_labels_cow_names_are_the_labels(resolver) -> None:
    doc, report = cow_states.build(COW, resolver, curated=CuratedLabels())
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert select(store, f"SELECT ?l WHERE {{ <{N}SWZ> <{label}> ?l }}") == [("Swaziland",)]
    assert "COW names kept as skos:altLabel (data/un.ttl labels the node)" not in report.tallies
