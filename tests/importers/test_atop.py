"""`milgraph import atop` on the real ATOP 5.1 files, and ATOP's own point-in-time answers.

ATOP counts a state as a member in a year if the membership was in effect on any day of that
year (the exit year included; "0" exits run to 2018). The oracle below computes that directly
from atop5_1m.csv; the imported Turtle, loaded into pyoxigraph, must give the same answer.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import atop, default_output
from milgraph.importers.nations import NationResolver
from milgraph.importers.turtle import TurtleDocument

REPO = Path(__file__).resolve().parents[2]
ATOP_DIR = REPO.parent / "shared" / "datasets" / "atop-5.1"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
N = ID + "nation/"
A = ID + "alliance/atop-"
PREFIX = (f"PREFIX mil: <{MIL}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"
          "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")

pytestmark = pytest.mark.skipif(not ATOP_DIR.is_dir(), reason="../shared/datasets is not present")

# The point-in-time queries of docs/data-imported.md ("ATOP year" reading of intervals).
ALLIANCES_OF_STATE_IN_YEAR = PREFIX + """
SELECT DISTINCT ?alliance WHERE {
  VALUES ?nation { %(nations)s }
  ?m mil:member ?nation ; mil:organization ?alliance ; mil:startDate ?start .
  ?alliance a mil:Alliance .
  OPTIONAL { ?m mil:endDate ?end }
  FILTER(xsd:integer(SUBSTR(STR(?start), 1, 4)) <= %(year)d
         && (!BOUND(?end) || xsd:integer(SUBSTR(STR(?end), 1, 4)) >= %(year)d))
}"""
MEMBERS_OF_ALLIANCE_IN_YEAR = PREFIX + """
SELECT DISTINCT ?nation WHERE {
  ?m mil:organization <%(alliance)s> ; mil:member ?nation ; mil:startDate ?start .
  OPTIONAL { ?m mil:endDate ?end }
  FILTER(xsd:integer(SUBSTR(STR(?start), 1, 4)) <= %(year)d
         && (!BOUND(?end) || xsd:integer(SUBSTR(STR(?end), 1, 4)) >= %(year)d))
}"""


@pytest.fixture(scope="module")
def resolver() -> NationResolver:
    return NationResolver()


@pytest.fixture(scope="module")
def built(resolver: NationResolver) -> tuple[TurtleDocument, object, ox.Store]:
    doc, report = atop.build(ATOP_DIR, resolver)
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


@pytest.fixture(scope="module")
def member_rows() -> list[dict[str, str]]:
    with (ATOP_DIR / "atop5_1m.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def select(store: ox.Store, query: str) -> list[tuple]:
    rows = [tuple(None if t is None else t.value for t in sol)
            for sol in store.query(PREFIX + query)]
    return sorted(rows, key=lambda r: tuple(str(v or "") for v in r))


def test_counts(built) -> None:
    _, report, _ = built
    assert dict(report.rows_read) == {
        "../shared/datasets/atop-5.1/atop5_1a.csv": 789,
        "../shared/datasets/atop-5.1/atop5_1aph.csv": 849,
        "../shared/datasets/atop-5.1/atop5_1m.csv": 2510,
    }
    assert report.records["alliances"] == 789
    assert report.records["alliance phases"] == 849 - 742  # phase-0 rows are the alliance
    # the one member code that is no COW state (1874, alliance 1320) is rejected, with reason
    assert [(p.line, p.reason) for p in report.rejected] == [
        (203, "member 8152 is not a COW state code")]
    # 2,509 member rows; 20 span a change of state (19 USSR -> Russia, 1 SFRY -> FRY) and
    # are split in two
    splits = [n.reason.split("COW ")[1][:3] for n in report.notes
              if n.reason.startswith("membership split")]
    assert sorted(splits) == ["345"] + ["365"] * 19
    assert report.records["memberships"] == 2509 + 20


def test_nato_founding_members_and_signature_dates(built) -> None:
    _, _, store = built
    founders = select(store, f"""SELECT ?n WHERE {{ ?m mil:organization <{A}3180> ;
        mil:member ?n ; mil:startDate "1949-04-04"^^xsd:date ;
        mil:dateKind mil:DateKindSignature }}""")
    assert [n.removeprefix(N) for (n,) in founders] == sorted(
        ["USA", "CAN", "GBR", "NLD", "BEL", "LUX", "FRA", "PRT", "ITA", "NOR", "DNK", "ISL"])
    # Poland, Hungary, Czechia: ATOP's signature date 1997-12-16, not accession 1999-03-12
    later = select(store, f"""SELECT ?n ?s ?k WHERE {{ ?m mil:organization <{A}3180> ;
        mil:member ?n ; mil:startDate ?s ; mil:dateKind ?k .
        FILTER(?n IN (<{N}POL>, <{N}HUN>, <{N}CZE>)) }}""")
    assert later == [(N + c, "1997-12-16", MIL + "DateKindSignature")
                     for c in ("CZE", "HUN", "POL")]
    nato = select(store, f"""SELECT ?s ?o ?match WHERE {{ <{A}3180> mil:startDate ?s ;
        mil:observedUntil ?o ; <http://www.w3.org/2004/02/skos/core#closeMatch> ?match .
        FILTER NOT EXISTS {{ <{A}3180> mil:endDate ?e }} }}""")
    assert nato == [("1949-04-04", "2018-12-31", ID + "org/NATO")]


def test_germany_in_nato_and_the_gdr_in_the_warsaw_pact(built) -> None:
    _, _, store = built
    deu = select(store, f"""SELECT ?s ?e WHERE {{ ?m mil:organization <{A}3180> ;
        mil:member <{N}DEU> ; mil:startDate ?s . OPTIONAL {{ ?m mil:endDate ?e }} }}""")
    assert deu == [("1954-10-23", "1990-10-03"), ("1990-10-03", None)]  # COW 260, then 255
    warsaw = select(store, f"""SELECT ?n ?s ?e WHERE {{ ?m mil:organization <{A}3285> ;
        mil:member ?n ; mil:startDate ?s ; mil:endDate ?e .
        FILTER(?n IN (<{N}DDR>, <{N}SUN>)) }}""")
    assert warsaw == [(N + "DDR", "1955-05-14", "1990-10-03"),  # atop5_1m.csv line 966
                      (N + "SUN", "1955-05-14", "1991-07-01")]


def test_ussr_membership_continues_as_russia(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?n ?s ?e ?k WHERE {{ ?m mil:organization <{A}3765> ;
        mil:member ?n ; mil:startDate ?s ; mil:dateKind ?k .
        OPTIONAL {{ ?m mil:endDate ?e }} FILTER(?n != <{N}AGO>) }}""")
    assert rows == [(N + "RUS", "1991-12-26", None, MIL + "DateKindEffective"),
                    (N + "SUN", "1976-10-08", "1991-12-26", MIL + "DateKindSignature")]
    # signed by the RSFSR, not the USSR (override with its reason in the data)
    rsfsr = select(store, f"""SELECT ?n ?s WHERE {{ ?m mil:organization <{A}4055> ;
        mil:member ?n ; mil:startDate ?s . FILTER(?n != <{N}LTU>) }}""")
    assert rsfsr == [(N + "RUS", "1991-07-29")]


def test_partial_and_ongoing_dates_are_faithful(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?s (DATATYPE(?s) AS ?t) ?e (DATATYPE(?e) AS ?u) WHERE {{
        ?m mil:organization <{A}1115> ; mil:member <{N}GBR> ; mil:startDate ?s ;
        mil:endDate ?e }}""")
    assert rows == [("1844-06", "http://www.w3.org/2001/XMLSchema#gYearMonth",
                     "1846-06-29", "http://www.w3.org/2001/XMLSchema#date")]
    exit_partial = select(store, f"""SELECT ?e WHERE {{ ?m mil:organization <{A}1035> ;
        mil:member <{N}GBR> ; mil:endDate ?e }}""")
    assert exit_partial == [("1822-12",)]
    # "0" exits: no end date, the source's observation end instead
    ongoing = select(store, """SELECT (COUNT(?m) AS ?n) WHERE { ?m a mil:Membership ;
        mil:observedUntil "2018-12-31"^^xsd:date . FILTER NOT EXISTS { ?m mil:endDate ?e } }""")
    with_end = select(store, """SELECT (COUNT(?m) AS ?n) WHERE { ?m a mil:Membership ;
        mil:endDate ?e }""")
    # 1,146 rows are in effect at the end of coverage; a split row has one ongoing part
    assert int(ongoing[0][0]) == 1146
    assert int(with_end[0][0]) == 2529 - 1146


def _atop_years(row: dict[str, str]) -> tuple[int, int]:
    start = int(row["yrent"])
    end = int(row["yrexit"]) if row["yrexit"] not in ("0", "") else 2018
    return start, end


def _row_nodes_in_year(row: dict[str, str], year: int, resolver: NationResolver) -> set[str]:
    """The nodes an ATOP member row stands for during the given year."""
    atopid, ccode = int(row["atopid"]), int(row["member"])
    if (atopid, ccode) in atop.MEMBER_OVERRIDES:
        return {atop.MEMBER_OVERRIDES[(atopid, ccode)][0]}
    entry = date(int(row["yrent"]), int(row["moent"]), int(row["dayent"] or 1))
    lo = max(entry, date(year, 1, 1))
    hi = date(year + 1, 1, 1)
    if row["yrexit"] not in ("0", "") and row["dayexit"]:
        hi = min(hi, date(int(row["yrexit"]), int(row["moexit"]), int(row["dayexit"])))
    return {s.slug for s in resolver.segments(ccode, lo, max(hi, lo))}


def _sample(member_rows: list[dict[str, str]]) -> list[tuple[int, int]]:
    """Deterministic sample of (COW code, year) pairs plus the hard cases."""
    rng = random.Random(20181231)
    pairs = {(int(r["member"]), rng.randint(*_atop_years(r))) for r in member_rows
             if r["member"] != "8152"}
    sample = rng.sample(sorted(pairs), 120)
    hard = [(365, 1985), (365, 1990), (365, 1991), (365, 1992), (365, 2010), (255, 1990),
            (260, 1990), (255, 1939), (345, 1992), (345, 2006), (315, 1993), (2, 1950),
            (200, 1822), (640, 1955), (365, 1922), (678, 1990), (680, 1990)]
    return sample + hard


def test_alliances_of_a_state_in_a_year_match_atop(built, member_rows, resolver) -> None:
    _, _, store = built
    checked = 0
    for ccode, year in _sample(member_rows):
        nodes = resolver.in_year(ccode, year) if resolver.knows(ccode) else set()
        expected = set()
        for row in member_rows:  # every code standing for these nodes (260 and 255: DEU)
            lo, hi = _atop_years(row)
            if (row["member"] != "8152" and lo <= year <= hi
                    and _row_nodes_in_year(row, year, resolver) & nodes):
                expected.add(A + row["atopid"])
        query = ALLIANCES_OF_STATE_IN_YEAR % {
            "nations": " ".join(f"<{N}{n}>" for n in sorted(nodes)), "year": year}
        got = {a for (a,) in select(store, query)}
        assert got == expected, (ccode, year, sorted(got ^ expected))
        checked += 1
    assert checked == 137


def test_members_of_an_alliance_in_a_year_match_atop(built, member_rows, resolver) -> None:
    _, _, store = built
    rng = random.Random(1815)
    by_alliance: dict[str, list[dict[str, str]]] = {}
    for row in member_rows:
        if row["member"] != "8152":
            by_alliance.setdefault(row["atopid"], []).append(row)
    pairs = [(a, rng.randint(min(_atop_years(r)[0] for r in rows),
                             max(_atop_years(r)[1] for r in rows)))
             for a, rows in sorted(by_alliance.items())]
    pairs = [*rng.sample(pairs, 100), ("3180", 1990), ("3180", 1999), ("3285", 1991),
             ("3740", 1991), ("3740", 2006), ("3130", 1990)]
    for atopid, year in pairs:
        expected = set()
        for row in by_alliance[atopid]:
            lo, hi = _atop_years(row)
            if lo <= year <= hi:
                expected |= {N + s for s in _row_nodes_in_year(row, year, resolver)}
        query = MEMBERS_OF_ALLIANCE_IN_YEAR % {"alliance": A + atopid, "year": year}
        got = {n for (n,) in select(store, query)}
        assert got == expected, (atopid, year, sorted(got ^ expected))
    nato_1999 = select(store, MEMBERS_OF_ALLIANCE_IN_YEAR % {"alliance": A + "3180",
                                                             "year": 1999})
    assert len(nato_1999) == 19  # 16 + POL, HUN, CZE (counted from signature, 1997)


def test_every_record_is_sourced_and_cited(built) -> None:
    _, _, store = built
    unsourced = select(store, """SELECT DISTINCT ?s WHERE { ?s ?p ?o .
        FILTER NOT EXISTS { ?s dcterms:source ?src } }""")
    assert unsourced == []
    cite = select(store, f"""SELECT ?c WHERE {{ <{ID}dataset/atop-5.1>
        dcterms:bibliographicCitation ?c ; dcterms:source <http://www.atopdata.org/> }}""")
    assert cite == [('Leeds, Ritter, Mitchell & Long (2002), "Alliance Treaty Obligations and '
                     'Provisions, 1815-1944", International Interactions 28: 237-260.',)]


def test_output_is_deterministic_and_committed_file_is_current(built, resolver) -> None:
    doc, _, _ = built
    again, _ = atop.build(ATOP_DIR, resolver)
    assert again.render() == doc.render()
    assert default_output("atop").read_text(encoding="utf-8") == doc.render(), (
        "data/imported/atop.ttl is stale: run `milgraph import atop`")


def test_close_matches_point_at_curated_organisations(built) -> None:
    """Every skos:closeMatch target is an organisation of data/organizations.ttl."""
    curated = REPO / "data" / "organizations.ttl"
    if not curated.is_file():
        pytest.skip("data/organizations.ttl is not present")
    doc, _, _ = built
    store = ox.Store()  # a fresh store: the module's one stays the import alone
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    store.load(path=str(curated), format=ox.RdfFormat.TURTLE)
    dangling = select(store, """SELECT ?a ?o WHERE {
        ?a <http://www.w3.org/2004/02/skos/core#closeMatch> ?o .
        FILTER NOT EXISTS { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?l } }""")
    assert dangling == []
    matched = select(store, """SELECT (COUNT(*) AS ?n) WHERE {
        ?a <http://www.w3.org/2004/02/skos/core#closeMatch> ?o }""")
    assert matched == [(str(len(atop.CURATED_MATCHES)),)]


def test_alliance_labels(built) -> None:
    """A curated treaty's name (and a relatedMatch to it) where one was signed on the begin
    day by the founders, else the curated organisation's, else kind, founders and year."""
    _, report, store = built
    rows = dict(select(store, """SELECT ?id ?l WHERE { ?a a mil:Alliance ;
        dcterms:identifier ?id ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"""))
    assert len(rows) == 789
    assert rows["3180"] == "North Atlantic Treaty"
    assert rows["3375"] == "Treaty of Mutual Cooperation and Security between the United " \
                           "States and Japan"
    assert rows["3285"] == "Warsaw Treaty Organization"  # org/WarsawPact, no treaty node
    assert rows["3220"] == "Defence pact: Japan–United States (1951)"  # 1951 treaty not curated
    assert rows["3150"] == "Defence pact: Argentina, Bolivia, Brazil and 18 others (1948)"
    assert not any(label.startswith("ATOP alliance") for label in rows.values())
    related = select(store, """SELECT ?id ?t WHERE { ?a a mil:Alliance ; dcterms:identifier ?id ;
        <http://www.w3.org/2004/02/skos/core#relatedMatch> ?t }""")
    assert (("3180", ID + "agreement/north-atlantic-treaty") in related
            and ("4125", ID + "agreement/korea-basic-agreement-1991") in related)
    assert report.tallies["alliances labelled with a curated treaty's name"] == len(related) == 10
    phase = select(store, f"""SELECT ?l WHERE {{ <{A}4507/phase-2>
        <http://www.w3.org/2000/01/rdf-schema#label> ?l }}""")
    assert phase == [(rows["4507"] + ", phase 2",)]


def test_obligations_are_per_member_as_atop_codes_them(built, member_rows) -> None:
    """Every membership record carries its own row's obligation flags (ATOP codes them per
    member, and the alliance rules read them per member): each record's flags are those of a
    CSV row of its alliance and phase, and the asymmetric US-Japan treaty of 1960 keeps
    defence on the US side only."""
    _, _, store = built
    names = {"ObligationDefence": "defense", "ObligationOffence": "offense",
             "ObligationNeutrality": "neutral", "ObligationNonAggression": "nonagg",
             "ObligationConsultation": "consul"}
    per_record: dict[str, set[str]] = {
        m: set() for (m,) in select(store, "SELECT ?m WHERE { ?m a mil:Membership }")}
    for m, o in select(store, "SELECT ?m ?o WHERE { ?m a mil:Membership ; mil:obligation ?o }"):
        per_record[m].add(names[o.rsplit("#", 1)[1]])
    csv_sets: dict[tuple[str, str], set[frozenset[str]]] = {}
    for r in member_rows:
        csv_sets.setdefault((r["atopid"], r["phase"]), set()).add(
            frozenset(c for c in names.values() if r[c] == "1"))
    for m, got in per_record.items():
        parts = m[len(ID + "membership/atop-"):].split("/")
        phase = parts[-1].removeprefix("phase-") if parts[-1].startswith("phase-") else "0"
        assert frozenset(got) in csv_sets[(parts[0], phase)], m
    assert per_record[f"{ID}membership/atop-3375/USA/1960-01-19"] == {"defense", "nonagg",
                                                                      "consul"}
    assert per_record[f"{ID}membership/atop-3375/JPN/1960-01-19"] == {"nonagg", "consul"}
    # the rows ATOP codes with no obligation (e.g. Panama in 3795, the US defends) carry none
    assert not per_record[f"{ID}membership/atop-3795/PAN/1977-09-07"]
    assert sum(not v for v in per_record.values()) >= 12
