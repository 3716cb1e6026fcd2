"""Known, checkable facts asked of the whole bundled graph, as an analyst would ask them.

The bundled data (curated ``data/*.ttl`` and the imports in ``data/imported/``) is built once
into a snapshot under a temporary ``MILGRAPH_HOME`` with the real CLI, and every fact is a SPARQL
query (a string, evaluated by Oxigraph) on the *reasoned* snapshot: derived relations such as
``mil:memberOf``, ``mil:alliedWith``, ``mil:partyTo`` and ``mil:exercisedWith`` are checked
together with the asserted dates they come from. ``milgraph stats`` and ``milgraph validate``
run as real processes, as a steward runs them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from milgraph.store import Snapshot, open_snapshot

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "datasets"
ID = "https://w3id.org/milgraph/id/"
PREFIXES = """
PREFIX mil: <https://w3id.org/milgraph/ontology#>
PREFIX id: <https://w3id.org/milgraph/id/>
PREFIX nation: <https://w3id.org/milgraph/id/nation/>
PREFIX org: <https://w3id.org/milgraph/id/org/>
PREFIX agreement: <https://w3id.org/milgraph/id/agreement/>
PREFIX adh: <https://w3id.org/milgraph/id/adherence/>
PREFIX ms: <https://w3id.org/milgraph/id/membership/>
PREFIX dataset: <https://w3id.org/milgraph/id/dataset/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared/datasets is not present (imports are checked there)")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """MILGRAPH_HOME in a temporary directory, with the bundled snapshot built by the CLI."""
    path = tmp_path_factory.mktemp("milgraph-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MILGRAPH_HOME", str(path))
        from milgraph.cli import app

        # SHACL validation has its own test below (`milgraph validate`); building without it
        # keeps this module at one validation run.
        result = CliRunner().invoke(app, ["build", "--no-validate"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        yield path


@pytest.fixture(scope="module")
def snapshot(home: Path) -> Snapshot:
    return open_snapshot(home / "snapshots")


def select(snapshot: Snapshot, query: str) -> list[tuple[str | None, ...]]:
    rows = snapshot.query(PREFIXES + query)
    return [tuple(None if t is None else t.value.removeprefix(ID) for t in row) for row in rows]


def ask(snapshot: Snapshot, query: str) -> bool:
    return bool(snapshot.query(PREFIXES + query))


def count(snapshot: Snapshot, where: str) -> int:
    ((n,),) = select(snapshot, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(n)


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed ``milgraph`` command in its own process (wide, uncoloured output)."""
    env = {**os.environ, "MILGRAPH_HOME": str(home), "COLUMNS": "400", "NO_COLOR": "1"}
    exe = Path(sys.executable).with_name("milgraph")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900, check=False)


# --- alliances and memberships (curated) ---------------------------------------------------


def test_nato_has_32_members_now_with_finland_and_sweden_accessions(snapshot: Snapshot) -> None:
    assert count(snapshot, "?x mil:memberOf org:NATO") == 32
    rows = select(snapshot, """SELECT ?n ?start ?kind WHERE {
        ?m mil:organization org:NATO ; mil:member ?n ; mil:startDate ?start ; mil:dateKind ?kind .
        FILTER(?n IN (nation:FIN, nation:SWE)) } ORDER BY ?n""")
    accession = "https://w3id.org/milgraph/ontology#DateKindAccession"
    assert rows == [("nation/FIN", "2023-04-04", accession), ("nation/SWE", "2024-03-07", accession)]
    # the founders from the treaty's entry into force
    assert select(snapshot, "SELECT ?s WHERE { ms:NATO\\/USA mil:startDate ?s }") == [
        ("1949-08-24",)]


def test_warsaw_pact_dissolved_on_1_july_1991(snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?org ?treaty WHERE { org:WarsawPact mil:dissolutionDate ?org ;
        mil:establishedBy ?t . ?t mil:terminationDate ?treaty }""") == [("1991-07-01", "1991-07-01")]
    assert count(snapshot, "?x mil:memberOf org:WarsawPact") == 0
    # every membership ended, the GDR's on 24 September 1990, Albania's on 13 September 1968
    ends = dict(select(snapshot, """SELECT ?n ?e WHERE {
        ?m mil:organization org:WarsawPact ; mil:member ?n ; mil:endDate ?e }"""))
    assert len(ends) == 8
    assert ends["nation/DDR"] == "1990-09-24" and ends["nation/ALB"] == "1968-09-13"


def test_alliance_obligations_follow_atop(snapshot: Snapshot) -> None:
    rows = select(snapshot, """SELECT ?o WHERE { org:NATO mil:obligation ?o } ORDER BY ?o""")
    assert [o.rsplit("#", 1)[1] for (o,) in rows] == [
        "ObligationConsultation", "ObligationDefence", "ObligationNonAggression"]
    assert not ask(snapshot, "ASK { org:CENTO mil:obligation mil:ObligationDefence }")
    # every curated alliance states its obligations, each the same as its ATOP record's
    assert select(snapshot, """SELECT ?org WHERE { ?org a mil:Alliance .
        FILTER(STRSTARTS(STR(?org), STR(org:))) FILTER NOT EXISTS { ?org mil:obligation ?o } }""") == []
    assert select(snapshot, """SELECT ?org ?o WHERE { ?atop skos:closeMatch ?org .
        ?org a mil:Alliance ; mil:obligation ?o . FILTER NOT EXISTS { ?atop mil:obligation ?o } }""") == []


def test_un_has_193_members_and_two_observer_states(snapshot: Snapshot) -> None:
    assert count(snapshot, "?x mil:memberOf org:UN") == 193
    observers = select(snapshot, """SELECT ?n WHERE { ?m mil:organization org:UN ; mil:member ?n ;
        mil:role mil:RoleObserver . FILTER NOT EXISTS { ?m mil:endDate ?e } } ORDER BY ?n""")
    assert observers == [("nation/PSE",), ("nation/VAT",)]
    # every current member and observer is a nation; those in the COW system carry its code
    assert ask(snapshot, "ASK { nation:USA mil:memberOf org:UN ; mil:cowCode 2 ; mil:isoCode 'USA' }")


def test_later_arf_and_osce_participants_are_dated(snapshot: Snapshot) -> None:
    starts = dict(select(snapshot, """SELECT ?m ?s WHERE { ?m a mil:Membership ; mil:startDate ?s .
        FILTER(?m IN (ms:ARF\\/KHM, ms:ARF\\/MNG, ms:ARF\\/PRK, ms:ARF\\/PAK, ms:ARF\\/TLS,
                      ms:ARF\\/BGD, ms:ARF\\/LKA, ms:OSCE\\/MKD, ms:OSCE\\/SRB, ms:OSCE\\/MNE)) }"""))
    assert starts == {
        "membership/ARF/KHM": "1995-08-01", "membership/ARF/MNG": "1998-07-27",
        "membership/ARF/PRK": "2000-07-27", "membership/ARF/PAK": "2004-07-02",
        "membership/ARF/TLS": "2005-07-29", "membership/ARF/BGD": "2006-07-28",
        "membership/ARF/LKA": "2007-08-02", "membership/OSCE/MKD": "1995-10-12",
        "membership/OSCE/SRB": "2000-11-10", "membership/OSCE/MNE": "2006-06-21"}
    assert count(snapshot, "?x mil:memberOf org:OSCE") == 57
    assert count(snapshot, "?x mil:memberOf org:ARF") == 27


# --- agreements: lifecycle ------------------------------------------------------------------


def test_inf_treaty_terminated_on_2_august_2019(snapshot: Snapshot) -> None:
    assert select(snapshot, "SELECT ?d WHERE { agreement:inf-treaty mil:terminationDate ?d }") == [
        ("2019-08-02",)]
    assert select(snapshot, "SELECT ?d WHERE { adh:inf-treaty\\/USA mil:withdrawalDate ?d }") == [
        ("2019-08-02",)]
    assert not ask(snapshot, "ASK { ?x mil:partyTo agreement:inf-treaty }")


def test_open_skies_us_withdrawal_took_effect_on_22_november_2020(snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?d WHERE {
        adh:open-skies-treaty\\/USA mil:withdrawalDate ?d }""") == [("2020-11-22",)]
    assert not ask(snapshot, "ASK { nation:USA mil:partyTo agreement:open-skies-treaty }")
    assert ask(snapshot, "ASK { nation:FIN mil:partyTo agreement:open-skies-treaty }")


def test_new_start_entered_into_force_on_5_february_2011(snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?s ?f WHERE { agreement:new-start mil:signatureDate ?s ;
        mil:entryIntoForceDate ?f }""") == [("2010-04-08", "2011-02-05")]
    assert select(snapshot, """SELECT ?d WHERE { adh:new-start\\/RUS mil:suspensionDate ?d }""") == [
        ("2023-02-21",)]


# --- trust-building core (issue 13, item 4; data/cbm-*.ttl) ----------------------------------

MEASURE_KINDS = ("Hotline PriorNotification OnSiteInspection ObservationFlight DataExchange "
                 "IncidentPreventionMechanism MilitaryDialogue SatelliteTransparency "
                 "CyberCooperation SharedIntelligencePlatform")


def test_trust_building_core_covers_every_region_with_60_agreements_and_60_measures(
        snapshot: Snapshot) -> None:
    kinds = " ".join(f"mil:{k}" for k in MEASURE_KINDS.split())
    assert count(snapshot, """VALUES ?c { mil:ConfidenceBuildingAgreement mil:ArmsControlAgreement }
                              ?x a ?c""") >= 60
    assert count(snapshot, f"VALUES ?k {{ {kinds} }} ?x a ?k ; mil:establishedBy ?a") >= 60
    pairs = [("IND", "PAK"), ("CHN", "IND"), ("USA", "SUN"), ("USA", "RUS"), ("USA", "CHN"),
             ("KOR", "PRK"), ("GRC", "TUR"), ("SGP", "VNM"), ("FRA", "POL")]
    for a, b in pairs:
        n = count(snapshot, f"""VALUES ?k {{ {kinds} }} ?x a ?k ; mil:party nation:{a}, nation:{b} ;
                                mil:establishedBy ?agr ; dcterms:source ?src""")
        assert n >= 2, f"fewer than two sourced measures between {a} and {b}"
    # every measure names a trust-building principle of the seeds' scheme
    assert not select(snapshot, f"""SELECT ?x WHERE {{ VALUES ?k {{ {kinds} }} ?x a ?k
        FILTER NOT EXISTS {{ ?x mil:principle ?p
          FILTER(STRSTARTS(STR(?p), "https://w3id.org/milgraph/ontology#Principle")) }} }}""")


def test_india_pakistan_nuclear_installations_agreement_and_annual_list_exchange(
        snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?s ?f WHERE {
        agreement:india-pakistan-nuclear-installations-1988 mil:signatureDate ?s ;
        mil:entryIntoForceDate ?f }""") == [("1988-12-31", "1991-01-27")]
    assert ask(snapshot, """ASK { nation:IND mil:partyTo agreement:india-pakistan-nuclear-installations-1988 .
        nation:PAK mil:partyTo agreement:india-pakistan-nuclear-installations-1988 }""")
    assert select(snapshot, """SELECT ?start WHERE {
        ?m a mil:DataExchange ; mil:establishedBy agreement:india-pakistan-nuclear-installations-1988 ;
        mil:startDate ?start }""") == [("1992-01-01",)]


def test_start_i_lifecycle_and_inspections(snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?s ?f ?t WHERE { agreement:start-i mil:signatureDate ?s ;
        mil:entryIntoForceDate ?f ; mil:terminationDate ?t }""") == [
        ("1991-07-31", "1994-12-05", "2009-12-05")]
    assert not ask(snapshot, "ASK { ?x mil:partyTo agreement:start-i }")
    assert select(snapshot, """SELECT ?s ?e WHERE { ?m a mil:OnSiteInspection ;
        mil:establishedBy agreement:start-i ; mil:startDate ?s ; mil:endDate ?e }""") == [
        ("1994-12-05", "2009-12-05")]


def test_korean_military_agreement_measures_end_with_its_suspension(snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?e WHERE { ?m a mil:IncidentPreventionMechanism ;
        mil:establishedBy agreement:korea-comprehensive-military-agreement-2018 ; mil:endDate ?e }""") == [
        ("2024-06-04",)]
    assert select(snapshot, """SELECT ?s ?f WHERE {
        agreement:korea-west-sea-naval-clash-prevention-2004 mil:signatureDate ?s ;
        mil:entryIntoForceDate ?f }""") == [("2004-06-04", "2004-06-15")]


def test_russia_continues_the_ussr_in_the_osce_without_a_gap(snapshot: Snapshot) -> None:
    assert select(snapshot, """SELECT ?end ?start WHERE { ms:OSCE\\/SUN mil:endDate ?end .
        ms:OSCE\\/RUS mil:startDate ?start }""") == [("1991-12-26", "1991-12-26")]
    # Vienna Document measures name every edition that carried them
    rows = select(snapshot, """SELECT ?a WHERE {
        id:measure\\/vienna-document-prior-notification mil:establishedBy ?a } ORDER BY ?a""")
    assert [r[0] for r in rows] == [f"agreement/vienna-document-{y}" for y in (1990, 1992, 1994, 1999, 2011)]


def test_every_agreement_has_a_specific_kind(snapshot: Snapshot) -> None:
    assert ask(snapshot, "ASK { agreement:un-charter a mil:ConstituentInstrument }")
    kinds = "mil:DefenceTreaty, mil:StatusOfForcesAgreement, mil:MemorandumOfUnderstanding, " \
            "mil:ArmsControlAgreement, mil:ConfidenceBuildingAgreement, mil:ConstituentInstrument"
    assert select(snapshot, f"""SELECT ?a WHERE {{ ?a a mil:Agreement .
        FILTER NOT EXISTS {{ ?a a ?k FILTER(?k IN ({kinds})) }} }}""") == []


# --- derived relations ----------------------------------------------------------------------


def test_derived_relations(snapshot: Snapshot) -> None:
    # allies through NATO, both ways (mil:alliedWith is symmetric)
    assert ask(snapshot, "ASK { nation:USA mil:alliedWith nation:CAN . nation:CAN mil:alliedWith nation:USA }")
    # Japan is party to the US-Japan security treaty in force (entry into force 1960-06-23)
    assert ask(snapshot, "ASK { nation:JPN mil:partyTo agreement:us-japan-security-treaty }")
    assert select(snapshot, """SELECT ?d WHERE {
        agreement:us-japan-security-treaty mil:entryIntoForceDate ?d }""") == [("1960-06-23",)]
    # Belgium and Tonga exercised together only at RIMPAC 2024: the derived link exists ...
    assert ask(snapshot, "ASK { nation:BEL mil:exercisedWith nation:TON . nation:TON mil:exercisedWith nation:BEL }")
    shared = select(snapshot, """SELECT ?x WHERE { ?x mil:participant nation:BEL , nation:TON }""")
    assert shared == [("exercise/rimpac-2024",)]
    # ... and it is inferred, not stated in any data file
    assert not ask(snapshot, """ASK { GRAPH <https://w3id.org/milgraph/graph/asserted> {
        nation:BEL mil:exercisedWith nation:TON } }""")


# --- imported research datasets -------------------------------------------------------------


def test_atop_contributes_789_alliances(snapshot: Snapshot) -> None:
    assert count(snapshot, "?x a mil:Alliance ; dcterms:source dataset:atop-5.1") == 789
    assert count(snapshot, "?x a mil:Membership ; dcterms:source dataset:atop-5.1") == 2529
    assert count(snapshot, "?x skos:closeMatch ?org . ?org a mil:Organization") == 9
    assert select(snapshot, "SELECT ?s WHERE { <https://w3id.org/milgraph/id/alliance/atop-3180> "
                  "mil:startDate ?s ; skos:closeMatch org:NATO }") == [("1949-04-04",)]


def test_mme_contributes_all_3707_exercises(snapshot: Snapshot) -> None:
    assert count(snapshot, "?x a mil:MilitaryExercise ; dcterms:source dataset:mme-v7") == 3707
    assert count(snapshot, """?x a mil:MilitaryExercise ; mil:participantsUnknown true ;
        dcterms:source dataset:mme-v7""") == 91
    assert count(snapshot, """?x a mil:MilitaryExercise . FILTER NOT EXISTS { ?x mil:participant ?p }
        FILTER NOT EXISTS { ?x mil:participantsUnknown true }
        FILTER NOT EXISTS { ?x mil:unresolvedParticipant ?u }""") == 0
    # RIMPAC 80 joins the curated series, which keeps its own label
    assert select(snapshot, """SELECT ?l WHERE { <https://w3id.org/milgraph/id/exercise/mme-89>
        mil:partOfSeries ?s . ?s rdfs:label ?l }""") == [("RIMPAC",)]
    assert select(snapshot, """SELECT ?l WHERE {
        <https://w3id.org/milgraph/id/exercise-series/baltops> rdfs:label ?l }""") == [("BALTOPS",)]


def test_cow_contributes_246_statehood_periods(snapshot: Snapshot) -> None:
    assert count(snapshot, "?x a mil:StatehoodPeriod ; dcterms:source dataset:cow-states-2016") == 246
    assert count(snapshot, "?x a mil:Nation ; dcterms:source dataset:cow-states-2016") == 220
    assert select(snapshot, """SELECT ?s ?e WHERE { ?p mil:state nation:DDR ; mil:startDate ?s ;
        mil:endDate ?e }""") == [("1954-03-25", "1990-10-03")]


def test_one_label_per_language_everywhere(snapshot: Snapshot) -> None:
    twice = select(snapshot, """SELECT DISTINCT ?x WHERE { ?x rdfs:label ?a , ?b .
        FILTER(?a != ?b && LANG(?a) = LANG(?b)) }""")
    assert twice == []
    # COW's name for Eswatini survives as an alternative label
    assert select(snapshot, "SELECT ?l WHERE { nation:SWZ rdfs:label ?l }") == [("Eswatini",)]
    assert ask(snapshot, "ASK { nation:SWZ skos:altLabel 'Swaziland'@en }")


# --- the stewards' commands -----------------------------------------------------------------


def _rows(text: str, first_cell: str) -> list[list[str]]:
    """The cells after the first of each table row whose first cell is ``first_cell``."""
    return [[c.strip() for c in line.split("│")[2:-1]] for line in text.splitlines()
            if line.startswith("│") and line.split("│")[1].strip() == first_cell]


def _record_path(term: str) -> str:
    """``id:membership/X``, ``nation:FIN``, ``<https://w3id.org/milgraph/id/training/x>`` →
    the path below ``id/`` (``membership/X``, ``nation/FIN``, ``training/x``)."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1].removeprefix(ID)
    prefix, _, local = term.partition(":")
    return local if prefix == "id" else f"{prefix}/{local}"


def _curated_editions() -> int:
    """Exercise editions typed in the curated files ``data/exercises*.ttl``."""
    store = ox.Store()
    for path in sorted((ROOT / "data").glob("exercises*.ttl")):
        store.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    typed = ox.NamedNode("https://w3id.org/milgraph/ontology#MilitaryExercise")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return len({q.subject for q in store.quads_for_pattern(None, rdf_type, typed)})


def test_stats_reports_counts_per_class_and_per_decade(home: Path, snapshot: Snapshot) -> None:
    result = run_cli(home, "stats", "--limit", "500")
    assert result.returncode == 0, result.stderr
    exercises = count(snapshot, "?x a mil:MilitaryExercise")
    # MME, the JME rows no MME exercise matches, and the curated editions after 2010
    jme = count(snapshot, "?x a mil:MilitaryExercise ; dcterms:identifier ?i . "
                          "FILTER(STRSTARTS(?i, 'jme-v3:'))")
    assert jme == 392
    assert exercises == 3707 + jme + _curated_editions()
    class_row, decade_row = _rows(result.stdout, "mil:MilitaryExercise")
    assert class_row == [f"{exercises:,}", "0", f"{exercises:,}"]
    # The decade table: one row per class (records, first, last and busiest decade).
    records, first, last, busiest = decade_row
    # Editions whose first day no cited source gives have no start date and no decade.
    undated = count(snapshot, "?x a mil:MilitaryExercise FILTER NOT EXISTS { ?x mil:startDate ?s }")
    assert records == f"{exercises - undated:,}"
    assert (first, last) == ("1970s", "2020s")  # JME from 1974, curated editions to 2025
    per_decade = {
        f"{d}0s": count(snapshot, f"""?x a mil:MilitaryExercise ; mil:startDate ?s .
            FILTER(STRSTARTS(STR(?s), "{d}"))""")
        for d in ("197", "198", "199", "200", "201", "202")
    }
    top = max(per_decade, key=per_decade.__getitem__)
    assert busiest == f"{top} ({per_decade[top]:,})"
    (nations,) = _rows(result.stdout, "mil:Nation")[:1]
    assert nations[-1] == str(count(snapshot, "?x a mil:Nation"))


DOCUMENTED_WARNINGS = {"AdherenceDatedShape", "AgreementDatedShape", "MembershipStart",
                       "OrganizationHasMemberships", "TrainingRecipient", "ExerciseStart"}


def test_validate_is_clean_and_every_warning_is_a_documented_gap(home: Path) -> None:
    result = run_cli(home, "validate")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert re.search(r"valid: 0 errors, \d+ warning", result.stdout)
    # focus terms print as id:…, nation:…/org:… or a full IRI (where a prefixed name would
    # not parse); the docs name records by their path below id/
    found = [(_record_path(f), rule) for f, rule in re.findall(
        r"\[focus (\S+?);.*?rule milsh:(\w+)", result.stdout)]
    assert found, "expected the documented warnings"
    assert {rule for _, rule in found} <= DOCUMENTED_WARNINGS
    doc = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    undocumented = sorted(focus for focus, _ in found if focus not in doc)
    assert undocumented == [], "list these in docs/data.md, section 'Validation warnings'"
