"""Checks on the curated organisation data: it parses, carries sources, and states known facts.

The files are loaded with pyoxigraph (as the loader does) and queried with SPARQL strings,
so a typo in an IRI, a date without xsd:date or a membership without a source fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CURATED = sorted(
    [
        DATA / "un.ttl",
        DATA / "organizations.ttl",
        DATA / "defence-treaties.ttl",
        *DATA.glob("memberships-*.ttl"),
    ]
)
MEMBER_OF_RULE = ROOT / "ontology" / "rules" / "member-of.rq"
COW_IMPORT = DATA / "imported" / "cow-states.ttl"

PREFIXES = """
PREFIX mil: <https://w3id.org/milgraph/ontology#>
PREFIX id: <https://w3id.org/milgraph/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
ID = "https://w3id.org/milgraph/id/"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    for path in CURATED:
        s.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return s


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [
        tuple(term.value if term is not None else "" for term in row)
        for row in store.query(PREFIXES + query)
    ]


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query))


def current_members(store: ox.Store, org: str) -> set[str]:
    """Full members now: no end date and no role other than member (the memberOf rule's view)."""
    rows = select(
        store,
        f"""SELECT ?n WHERE {{
              ?m mil:organization <{ID}org/{org}> ; mil:member ?n .
              FILTER NOT EXISTS {{ ?m mil:endDate ?e }}
              FILTER NOT EXISTS {{ ?m mil:role ?r FILTER(?r != mil:RoleMember) }}
            }}""",
    )
    return {r[0].removeprefix(ID + "nation/") for r in rows}


def start_of(store: ox.Store, membership: str) -> str:
    rows = select(store, f"SELECT ?s WHERE {{ <{ID}membership/{membership}> mil:startDate ?s }}")
    assert len(rows) == 1, f"{membership}: expected one start date, got {rows}"
    return rows[0][0]


def test_every_curated_file_parses() -> None:
    assert len(CURATED) >= 5
    for path in CURATED:
        s = ox.Store()
        s.load(path=str(path), format=ox.RdfFormat.TURTLE)
        assert len(s) > 0, f"{path.name} is empty"


def test_un_has_193_members_and_two_observer_states(store: ox.Store) -> None:
    members = current_members(store, "UN")
    assert len(members) == 193
    assert {"USA", "CHN", "RUS", "SSD", "DEU", "YEM", "SRB", "MNE", "TLS"} <= members
    assert not {"SUN", "DDR", "CSK", "TWN", "VAT", "PSE"} & members
    observers = select(
        store,
        f"""SELECT ?n WHERE {{ ?m mil:organization <{ID}org/UN> ; mil:member ?n ;
                                  mil:role mil:RoleObserver .
                             FILTER NOT EXISTS {{ ?m mil:endDate ?e }} }}""",
    )
    assert {r[0] for r in observers} == {ID + "nation/VAT", ID + "nation/PSE"}


def test_un_seat_changes_are_modelled_with_end_dates(store: ox.Store) -> None:
    assert start_of(store, "UN/SUN") == "1945-10-24"
    assert start_of(store, "UN/RUS") == "1991-12-24"
    assert start_of(store, "UN/CHN") == "1971-10-25"
    ends = dict(
        select(
            store,
            f"""SELECT ?n ?e WHERE {{ ?m mil:organization <{ID}org/UN> ; mil:member ?n ;
                                          mil:endDate ?e }}""",
        )
    )
    assert ends[ID + "nation/TWN"] == "1971-10-25"
    assert ends[ID + "nation/DDR"] == "1990-10-03"
    assert ends[ID + "nation/CSK"] == "1993-01-01"
    assert ask(store, f"ASK {{ <{ID}nation/RUS> mil:successorOf <{ID}nation/SUN> }}")
    assert ask(store, f"ASK {{ <{ID}nation/CZE> mil:successorOf <{ID}nation/CSK> }}")


def test_nato_has_32_current_members_with_accession_dates(store: ox.Store) -> None:
    assert len(current_members(store, "NATO")) == 32
    assert start_of(store, "NATO/FIN") == "2023-04-04"
    assert start_of(store, "NATO/SWE") == "2024-03-07"
    assert start_of(store, "NATO/DEU") == "1955-05-06"
    # France (1966) and Greece (1974-1980) left the integrated command, not the Alliance.
    assert not ask(
        store,
        f"""ASK {{ ?m mil:organization <{ID}org/NATO> ; mil:endDate ?e }}""",
    )


def test_warsaw_pact_founders_and_end(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?n ?s ?e WHERE {{ ?m mil:organization <{ID}org/WarsawPact> ;
                                        mil:member ?n ; mil:startDate ?s ; mil:endDate ?e }}""",
    )
    founders = {r[0].removeprefix(ID + "nation/") for r in rows if r[1] == "1955-05-14"}
    assert founders == {"ALB", "BGR", "CSK", "DDR", "HUN", "POL", "ROU", "SUN"}
    ends = {r[0].removeprefix(ID + "nation/"): r[2] for r in rows}
    assert ends["ALB"] == "1968-09-13"
    assert ends["DDR"] == "1990-09-24"
    assert ends["SUN"] == "1991-07-01"
    assert not current_members(store, "WarsawPact")
    assert select(store, f"SELECT ?d WHERE {{ <{ID}org/WarsawPact> mil:dissolutionDate ?d }}") == [
        ("1991-07-01",)
    ]


def test_other_alliances_and_groupings(store: ox.Store) -> None:
    assert current_members(store, "GCC") == {"ARE", "BHR", "KWT", "OMN", "QAT", "SAU"}
    assert current_members(store, "AUKUS") == {"AUS", "GBR", "USA"}
    assert current_members(store, "Quad") == {"AUS", "IND", "JPN", "USA"}
    assert current_members(store, "FiveEyes") == {"AUS", "CAN", "GBR", "NZL", "USA"}
    assert current_members(store, "ANZUS") == {"AUS", "NZL", "USA"}
    assert current_members(store, "CSTO") == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert current_members(store, "SCO") == {
        "CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB", "IND", "PAK", "IRN", "BLR"
    }
    assert len(current_members(store, "ASEAN")) == 11
    assert start_of(store, "ASEAN/TLS") == "2025-10-26"
    assert len(current_members(store, "OSCE")) == 57
    assert start_of(store, "OSCE/MNG") == "2012-11-21"
    assert not current_members(store, "SEATO")


def test_every_record_has_a_source(store: ox.Store) -> None:
    missing = select(
        store,
        """SELECT ?x WHERE {
             ?x a ?c .
             VALUES ?c { mil:Nation mil:Membership mil:Organization mil:Alliance
                         mil:SecurityPartnership mil:RegionalOrganization mil:Agreement
                         mil:DefenceTreaty mil:Adherence }
             FILTER NOT EXISTS { ?x dcterms:source ?s }
           }""",
    )
    assert missing == []


def test_every_date_is_an_xsd_date(store: ox.Store) -> None:
    date_props = (
        "mil:startDate mil:endDate mil:signatureDate mil:entryIntoForceDate "
        "mil:terminationDate mil:foundingDate mil:dissolutionDate"
    )
    bad = select(
        store,
        f"""SELECT ?x ?p ?d WHERE {{
              VALUES ?p {{ {date_props} }}
              ?x ?p ?d .
              FILTER(!isLiteral(?d) || datatype(?d) != xsd:date)
            }}""",
    )
    assert bad == []
    # and every xsd:date literal is a valid date (pyoxigraph would keep an invalid lexical form)
    for (value,) in select(store, "SELECT ?d WHERE { ?x ?p ?d FILTER(datatype(?d) = xsd:date) }"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value


def test_membership_intervals_are_ordered(store: ox.Store) -> None:
    bad = select(
        store,
        """SELECT ?m WHERE { ?m mil:startDate ?s ; mil:endDate ?e . FILTER(?e <= ?s) }""",
    )
    assert bad == []


def test_iso_codes_are_three_upper_case_letters(store: ox.Store) -> None:
    codes = select(store, "SELECT ?n ?c WHERE { ?n mil:isoCode ?c }")
    assert len(codes) > 195
    for node, code in codes:
        assert re.fullmatch(r"[A-Z]{3}", code), (node, code)
        if "/nation/cow-" not in node:
            assert node == ID + "nation/" + code, (node, code)


def test_nation_iris_used_in_memberships_are_typed(store: ox.Store) -> None:
    if COW_IMPORT.exists():
        store.load(path=str(COW_IMPORT), format=ox.RdfFormat.TURTLE)
    untyped = select(
        store,
        """SELECT DISTINCT ?n WHERE {
             { ?m mil:member ?n } UNION { ?a mil:adherent ?n } UNION { ?t mil:party ?n }
             FILTER(STRSTARTS(STR(?n), "https://w3id.org/milgraph/id/nation/"))
             FILTER NOT EXISTS { ?n a mil:Nation }
           }""",
    )
    assert untyped == []


def test_organisations_and_agreements_referenced_are_defined(store: ox.Store) -> None:
    undefined = select(
        store,
        """SELECT DISTINCT ?x WHERE {
             { ?m mil:organization ?x } UNION { ?o mil:establishedBy ?x }
             UNION { ?a mil:agreement ?x } UNION { ?m mil:member ?x }
             FILTER NOT EXISTS { ?x rdfs:label ?l }
           }""",
    )
    assert undefined == []


def test_bilateral_defence_treaties_in_force(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?t ?eif (COUNT(?ad) AS ?n) WHERE {
             ?t a mil:DefenceTreaty ; mil:entryIntoForceDate ?eif .
             ?ad mil:agreement ?t ; mil:adherent ?p ; mil:startDate ?eif .
             FILTER NOT EXISTS { ?t mil:terminationDate ?x }
           } GROUP BY ?t ?eif""",
    )
    by_slug = {r[0].removeprefix(ID + "agreement/"): (r[1], int(r[2])) for r in rows}
    assert by_slug["us-japan-security-treaty"] == ("1960-06-23", 2)
    assert by_slug["us-rok-mutual-defense-treaty"] == ("1954-11-17", 2)
    assert by_slug["us-philippines-mutual-defense-treaty"] == ("1952-08-27", 2)
    assert by_slug["china-dprk-treaty"] == ("1961-09-10", 2)
    assert by_slug["russia-dprk-comprehensive-strategic-partnership-treaty"] == ("2024-12-04", 2)
    assert by_slug["anzus-treaty"] == ("1952-04-29", 3)


def test_memberships_of_dissolved_organisations_all_end(store: ox.Store) -> None:
    bad = select(
        store,
        """SELECT ?m WHERE {
             ?o mil:dissolutionDate ?d . ?m mil:organization ?o .
             OPTIONAL { ?m mil:endDate ?e }
             FILTER(!BOUND(?e) || ?e > ?d)
           }""",
    )
    assert bad == []


def member_of(store: ox.Store, as_of: str | None) -> set[tuple[str, str]]:
    """Run the project's memberOf rule on the curated data, now or as of a date.

    ?asOf is bound with a VALUES clause: pyoxigraph's ``substitutions`` refuses a variable
    that is not projected, which a CONSTRUCT never does.
    """
    query = MEMBER_OF_RULE.read_text()
    if as_of is not None:
        query = query.replace(
            "WHERE {", f'WHERE {{ VALUES ?asOf {{ "{as_of}"^^<{XSD_DATE}> }}', 1
        )
    return {
        (t.subject.value.removeprefix(ID), t.object.value.removeprefix(ID))
        for t in store.query(query)
    }


XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"


def test_member_of_rule_gives_point_in_time_answers(store: ox.Store) -> None:
    now = member_of(store, None)
    assert sum(1 for _, o in now if o == "org/NATO") == 32
    assert ("nation/SWE", "org/NATO") in now
    assert ("nation/DDR", "org/WarsawPact") not in now
    in_1985 = member_of(store, "1985-01-01")
    assert ("nation/DDR", "org/WarsawPact") in in_1985
    assert ("nation/ALB", "org/WarsawPact") not in in_1985
    assert ("nation/SUN", "org/UN") in in_1985
    assert ("nation/RUS", "org/UN") not in in_1985
    assert sum(1 for _, o in in_1985 if o == "org/NATO") == 16
    # the day before Finland's accession it was not yet a member; on the day it was
    assert ("nation/FIN", "org/NATO") not in member_of(store, "2023-04-03")
    assert ("nation/FIN", "org/NATO") in member_of(store, "2023-04-04")
