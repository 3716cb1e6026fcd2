"""The curated agreements, measures, exercises and training files say what the sources say.

These tests read the real Turtle files in data/ with pyoxigraph and ask SPARQL questions a
user would ask: known dates, participants, and the invariants that keep the data honest
(every node sourced, every date an xsd:date, no date after today, IRIs per docs/identifiers.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.namespaces import sparql_prologue
from milgraph.validate import to_rdflib

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
FILES = [
    "arms-control.ttl",
    "confidence-building.ttl",
    "measures.ttl",
    "exercises.ttl",
    "training.ttl",
    # One curated trust-building file per region (issue 13, item 4).
    *sorted(p.name for p in DATA.glob("cbm-*.ttl")),
]
EXERCISE_FILES = sorted(p.name for p in DATA.glob("exercises*.ttl"))
COUNTRY_CODES = (
    ROOT
    / ".."
    / "shared"
    / "datasets"
    / "country-codes"
    / ("countrycode_codelist_without_cldr.csv")
)
#: ISO 3166-3 codes of states that ceased to exist (docs/identifiers.md).
FORMER_STATES = {"SUN", "DDR", "CSK", "YUG"}
#: Curation date: nothing in these files may be dated later than this.
TODAY = dt.date(2026, 11, 21)
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
DATE_PROPERTIES = [
    f"{MIL}{p}"
    for p in (
        "signatureDate",
        "entryIntoForceDate",
        "terminationDate",
        "suspensionDate",
        "withdrawalDate",
        "withdrawalNoticeDate",
        "startDate",
        "endDate",
    )
] + ["http://purl.org/dc/terms/issued"]


def load(*names: str) -> ox.Store:
    store = ox.Store()
    for name in names:
        store.bulk_load(path=DATA / name, format=ox.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load(*FILES, *[f for f in EXERCISE_FILES if f not in FILES])


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT (as a string, so Oxigraph evaluates it) and return plain values."""
    results = store.query(sparql_prologue() + query)
    names = [v.value for v in results.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in results]


def values(store: ox.Store, query: str) -> set[str]:
    return {next(iter(r.values())) for r in select(store, query)}


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("name", FILES)
def test_file_parses_and_is_not_empty(name: str) -> None:
    store = load(name)
    assert len(store) > 50, f"{name} holds only {len(store)} triples"


@pytest.mark.parametrize("name", FILES)
def test_every_node_in_file_has_a_source(name: str) -> None:
    store = load(name)
    unsourced = values(
        store,
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s dcterms:source ?src } }",
    )
    assert not unsourced, f"{name}: nodes without dcterms:source: {sorted(unsourced)}"


def test_sources_are_web_addresses(store: ox.Store) -> None:
    bad = values(
        store,
        """SELECT DISTINCT ?src WHERE { ?s dcterms:source ?src
           FILTER(!isIRI(?src) || !REGEX(STR(?src), "^https?://[^/]+\\\\.[a-z]+")) }""",
    )
    assert not bad


def test_every_date_is_an_xsd_date_not_after_today(store: ox.Store) -> None:
    for prop in DATE_PROPERTIES:
        for q in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            assert isinstance(q.object, ox.Literal), q
            assert q.object.datatype.value == XSD_DATE, f"{q.subject} {prop}: {q.object}"
            day = dt.date.fromisoformat(q.object.value)
            assert day <= TODAY, f"{q.subject} {prop} {day} is after {TODAY}"


def test_no_literal_uses_a_date_or_time_type_other_than_xsd_date(store: ox.Store) -> None:
    odd = values(
        store,
        """SELECT DISTINCT ?dt WHERE { ?s ?p ?o FILTER(isLiteral(?o))
           BIND(DATATYPE(?o) AS ?dt)
           FILTER(?dt IN (xsd:dateTime, xsd:gYear, xsd:gYearMonth, xsd:time)) }""",
    )
    assert not odd


# --------------------------------------------------------------------------- known facts


def test_inf_treaty_terminated_when_us_withdrawal_took_effect(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?sig ?eif ?term ?wd ?notice WHERE {
             id:agreement\\/inf-treaty mil:signatureDate ?sig ; mil:entryIntoForceDate ?eif ;
                 mil:terminationDate ?term .
             ?ad mil:agreement id:agreement\\/inf-treaty ; mil:adherent id:nation\\/USA ;
                 mil:withdrawalDate ?wd ; mil:withdrawalNoticeDate ?notice . }""",
    )
    assert rows == [
        {
            "sig": "1987-12-08",
            "eif": "1988-06-01",
            "term": "2019-08-02",
            "wd": "2019-08-02",
            "notice": "2019-02-02",
        }
    ]


def test_us_withdrawal_from_open_skies_effective_2020_11_22(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?notice ?wd WHERE {
             ?ad mil:agreement id:agreement\\/open-skies-treaty ; mil:adherent id:nation\\/USA ;
                 mil:withdrawalNoticeDate ?notice ; mil:withdrawalDate ?wd . }""",
    )
    assert rows == [{"notice": "2020-05-22", "wd": "2020-11-22"}]


def test_russia_withdrew_from_open_skies_2021_12_18(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?wd WHERE { ?ad mil:agreement id:agreement\\/open-skies-treaty ;
             mil:adherent id:nation\\/RUS ; mil:withdrawalDate ?wd . }""",
    )
    assert rows == [{"wd": "2021-12-18"}]


def test_russia_suspended_new_start_2023_02_21_and_treaty_expired_2026_02_05(
    store: ox.Store,
) -> None:
    rows = select(
        store,
        """SELECT ?susp ?term WHERE {
             ?ad mil:agreement id:agreement\\/new-start ; mil:adherent id:nation\\/RUS ;
                 mil:suspensionDate ?susp .
             id:agreement\\/new-start mil:terminationDate ?term . }""",
    )
    assert rows == [{"susp": "2023-02-21", "term": "2026-02-05"}]


def test_hotline_memorandum_signed_and_in_force_1963_06_20(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?sig ?eif ?measure WHERE {
             id:agreement\\/us-ussr-hotline-mou mil:signatureDate ?sig ;
                 mil:entryIntoForceDate ?eif .
             ?measure mil:establishedBy id:agreement\\/us-ussr-hotline-mou ; a mil:Hotline . }""",
    )
    assert rows == [
        {
            "sig": "1963-06-20",
            "eif": "1963-06-20",
            "measure": f"{ID}measure/moscow-washington-hotline",
        }
    ]


def test_cfe_lifecycle_of_russia(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?eif ?susp ?notice ?wd WHERE {
             ?ad mil:agreement id:agreement\\/cfe-treaty ; mil:adherent id:nation\\/RUS ;
                 mil:entryIntoForceDate ?eif ; mil:suspensionDate ?susp ;
                 mil:withdrawalNoticeDate ?notice ; mil:withdrawalDate ?wd . }""",
    )
    assert rows == [
        {"eif": "1992-11-09", "susp": "2007-12-12", "notice": "2023-06-09", "wd": "2023-11-07"}
    ]


def test_cfe_has_thirty_states_parties_in_force_before_russia_left(store: ox.Store) -> None:
    parties = values(
        store,
        """SELECT ?who WHERE { ?ad mil:agreement id:agreement\\/cfe-treaty ; mil:adherent ?who ;
             mil:entryIntoForceDate ?eif FILTER NOT EXISTS { ?ad mil:endDate ?end } }""",
    )
    assert len(parties) == 29  # 30 States Parties minus Russia, which withdrew in 2023


def test_rimpac_2024_participants_and_dates(store: ox.Store) -> None:
    who = values(
        store,
        "SELECT ?who WHERE { id:exercise\\/rimpac-2024 mil:participant ?who }",
    )
    codes = {w.rsplit("/", 1)[1] for w in who}
    assert {"AUS", "JPN", "KOR", "IND", "USA"} <= codes
    assert len(codes) == 29
    assert select(
        store,
        """SELECT ?start ?end WHERE { id:exercise\\/rimpac-2024 mil:startDate ?start ;
             mil:endDate ?end ; mil:partOfSeries id:exercise-series\\/rimpac }""",
    ) == [{"start": "2024-06-27", "end": "2024-08-01"}]


def test_rimpac_has_every_biennial_edition_since_2010(store: ox.Store) -> None:
    years = values(
        store,
        """SELECT ?y WHERE { ?e mil:partOfSeries id:exercise-series\\/rimpac ; mil:startDate ?d
             BIND(STR(YEAR(?d)) AS ?y) }""",
    )
    assert years == {str(y) for y in range(2010, 2025, 2)}


def test_us_imet_is_a_us_training_assistance_programme_from_1976(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?start WHERE { id:training\\/us-imet a mil:TrainingAssistanceProgramme ;
             mil:provider id:nation\\/USA ; mil:startDate ?start }""",
    )
    assert rows == [{"start": "1976-06-30"}]


# --------------------------------------------------------------------------- invariants


MEASURE_CLASSES = " ".join(
    f"mil:{c}"
    for c in (
        "TrustBuildingMeasure",
        "Hotline",
        "PriorNotification",
        "OnSiteInspection",
        "ObservationFlight",
        "DataExchange",
        "IncidentPreventionMechanism",
        "MilitaryDialogue",
        "SatelliteTransparency",
        "CyberCooperation",
        "SharedIntelligencePlatform",
    )
)


def test_every_measure_names_its_agreement_and_at_least_two_parties(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?m (COUNT(DISTINCT ?p) AS ?n) (COUNT(DISTINCT ?a) AS ?agreements) WHERE {{
             VALUES ?cls {{ {MEASURE_CLASSES} }} ?m a ?cls .
             OPTIONAL {{ ?m mil:party ?p }}
             OPTIONAL {{ ?m mil:establishedBy ?a . ?a a ?agreementClass ; rdfs:label ?label }}
           }} GROUP BY ?m""",
    )
    assert len(rows) >= 15
    for row in rows:
        assert int(row["agreements"]) >= 1, f"{row['m']} has no described mil:establishedBy"
        assert int(row["n"]) >= 2, f"{row['m']} has fewer than two parties"


def test_adherence_iris_match_agreement_and_adherent(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?ad ?agr ?who WHERE { ?ad a mil:Adherence ; mil:agreement ?agr ;
             mil:adherent ?who }""",
    )
    assert len(rows) > 150
    for row in rows:
        slug = row["agr"].removeprefix(f"{ID}agreement/")
        code = row["who"].rsplit("/", 1)[1]
        assert row["ad"] == f"{ID}adherence/{slug}/{code}"
    counts = select(
        store,
        """SELECT ?ad (COUNT(DISTINCT ?a) AS ?na) (COUNT(DISTINCT ?w) AS ?nw) WHERE {
             ?ad a mil:Adherence OPTIONAL { ?ad mil:agreement ?a } OPTIONAL { ?ad mil:adherent ?w }
           } GROUP BY ?ad HAVING (?na != 1 || ?nw != 1)""",
    )
    assert not counts, "each adherence has exactly one agreement and one adherent"


def test_every_adherent_is_listed_as_party_of_its_agreement(store: ox.Store) -> None:
    missing = select(
        store,
        """SELECT ?agr ?who WHERE { ?ad mil:agreement ?agr ; mil:adherent ?who
             FILTER NOT EXISTS { ?agr mil:party ?who } }""",
    )
    assert not missing


def test_adherence_dates_are_in_order(store: ox.Store) -> None:
    pairs = [
        ("signatureDate", "entryIntoForceDate", "<="),
        ("entryIntoForceDate", "suspensionDate", "<="),
        ("entryIntoForceDate", "withdrawalDate", "<"),
        ("withdrawalNoticeDate", "withdrawalDate", "<"),
        ("startDate", "endDate", "<"),
    ]
    for first, second, op in pairs:
        wrong = select(
            store,
            f"""SELECT ?x ?a ?b WHERE {{ ?x mil:{first} ?a ; mil:{second} ?b
                 FILTER(!(?a {op} ?b)) }}""",
        )
        assert not wrong, f"{first} {op} {second} fails for {wrong}"


def test_agreement_dates_are_in_order_and_adherences_end_by_termination(store: ox.Store) -> None:
    wrong = select(
        store,
        """SELECT ?agr WHERE { ?agr mil:entryIntoForceDate ?eif ; mil:terminationDate ?t
             FILTER(?t <= ?eif) }""",
    )
    assert not wrong
    open_after_end = select(
        store,
        """SELECT ?ad WHERE { ?ad mil:agreement ?agr . ?agr mil:terminationDate ?t
             FILTER NOT EXISTS { ?ad mil:endDate ?e FILTER(?e <= ?t) }
             FILTER NOT EXISTS { ?ad mil:withdrawalDate ?w } }""",
    )
    # SALT II never entered into force, so it has no termination date and no rows here.
    assert not open_after_end, f"adherences left open after termination: {open_after_end}"


def test_exercise_editions_are_consistent(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?e ?series ?start ?end ?desc WHERE { ?e a mil:MilitaryExercise ;
             mil:partOfSeries ?series ; dcterms:description ?desc .
             ?series a mil:ExerciseSeries .
             OPTIONAL { ?e mil:startDate ?start } OPTIONAL { ?e mil:endDate ?end } }""",
    )
    assert len(rows) >= 20
    for row in rows:
        slug = row["series"].removeprefix(f"{ID}exercise-series/")
        m = re.fullmatch(re.escape(f"{ID}exercise/{slug}-") + r"(\d{4})", row["e"])
        assert m, f"{row['e']} does not follow id/exercise/{{series}}-{{year}}"
        if not row["start"]:
            # No cited source gives the first day: the description must say what is known.
            assert re.match(r"Only the (year|months?) (is|are) known", row["desc"]), (
                f"{row['e']} has no start date and its description does not say so"
            )
            continue
        assert row["start"][:4] == m.group(1)
        if row["end"]:
            assert row["start"] <= row["end"]
    both = select(
        store,
        "SELECT ?e ?a WHERE { ?e mil:participant ?a ; mil:observer ?a }",
    )
    assert not both, "an actor is either a participant or an observer of an edition"
    hosts_not_participants = select(
        store,
        "SELECT ?e ?h WHERE { ?e mil:host ?h FILTER NOT EXISTS { ?e mil:participant ?h } }",
    )
    assert not hosts_not_participants


def test_every_referenced_nation_is_a_known_iso3_code(store: ox.Store) -> None:
    with COUNTRY_CODES.open(encoding="utf-8") as f:
        known = {row["iso3c"] for row in csv.DictReader(f) if row["iso3c"]} | FORMER_STATES
    nations = values(
        store,
        f"""SELECT DISTINCT ?n WHERE {{ ?s ?p ?n FILTER(isIRI(?n)
             && STRSTARTS(STR(?n), "{ID}nation/")) }}""",
    )
    codes = {n.removeprefix(f"{ID}nation/") for n in nations}
    assert codes, "no nations referenced"
    assert codes <= known, f"unknown nation codes: {sorted(codes - known)}"


def test_concepts_used_are_the_agreed_scheme_iris(store: ox.Store) -> None:
    agreed = {
        "domain": {"Land", "Sea", "Air", "Cyber", "CommandPost", "Space", "Amphibious", "Joint"},
        "purpose": {
            "Warfighting",
            "Peacekeeping",
            "Humanitarian",
            "CounterTerrorism",
            "SearchAndRescue",
            "MaritimeSecurity",  # naval exercises (JIMEX, SIMBEX, AMAN, Kakadu, SEACAT)
            "CounterPiracy",  # SEACAT
        },
        "objective": {
            "Interoperability",
            "CapacityBuilding",
            "Deterrence",
            "Transparency",
            "ConfidenceBuilding",
            "CrisisCommunication",
            "ConflictPrevention",
            "ArmsLimitation",
            "Verification",
            "CollectiveDefence",  # alliance exercises (Korean peninsula)
            "IncidentPrevention",
            "MutualUnderstanding",  # also India–China Hand-in-Hand
            "RegionalStability",
        },
        # mil:TrustPrincipleScheme as committed by the ontology helper (branch "ontology").
        "principle": {
            "Transparency",
            "Reciprocity",
            "Verification",
            "ConflictResolution",
            "Accountability",
            "Predictability",
            "Dialogue",
        },
    }
    for prop, names in agreed.items():
        used = values(store, f"SELECT DISTINCT ?c WHERE {{ ?s mil:{prop} ?c }}")
        expected = {f"{MIL}{prop.capitalize()}{n}" for n in names}
        assert used and used <= expected, f"mil:{prop}: {sorted(used - expected)}"


# --------------------------------------------------------------------------- with the rules


def party_to(store: ox.Store, as_of: str | None) -> set[tuple[str, str]]:
    """Apply the project's partyTo rule, now or as of a date, to the curated data.

    pyoxigraph 0.5 rejects `substitutions` for CONSTRUCT queries, so the date is bound with
    VALUES at the start of the rule's WHERE group (before its FILTER is evaluated).
    """
    rule = (ROOT / "ontology" / "rules" / "party-to.rq").read_text(encoding="utf-8")
    if as_of:
        where = re.search(r"WHERE\s*\{", rule)
        assert where, "the partyTo rule has a WHERE group"
        values_clause = f' VALUES ?asOf {{ "{as_of}"^^<{XSD_DATE}> }}'
        rule = rule[: where.end()] + values_clause + rule[where.end() :]
    return {
        (t.subject.value.rsplit("/", 1)[1], t.object.value.rsplit("/", 1)[1])
        for t in store.query(rule)
    }


def test_party_to_follows_withdrawals_suspensions_and_terminations(store: ox.Store) -> None:
    assert ("USA", "open-skies-treaty") in party_to(store, "2020-11-21")
    assert ("USA", "open-skies-treaty") not in party_to(store, "2020-11-22")
    assert ("RUS", "new-start") in party_to(store, "2023-02-20")
    assert ("RUS", "new-start") not in party_to(store, "2023-02-21")
    assert not {p for p in party_to(store, "2019-08-02") if p[1] == "inf-treaty"}
    now = party_to(store, None)
    assert ("USA", "new-start") not in now  # expired 2026-02-05
    assert ("FIN", "open-skies-treaty") in now
    assert not {p for p in now if p[0] == "RUS" and p[1] in {"cfe-treaty", "open-skies-treaty"}}


def test_every_referenced_nation_and_organisation_is_described_in_the_bundled_data() -> None:
    everything = ox.Store()
    for path in sorted(DATA.glob("*.ttl")):
        everything.bulk_load(path=path, format=ox.RdfFormat.TURTLE)
    mine = load(*FILES)
    referenced = values(
        mine,
        f"""SELECT DISTINCT ?n WHERE {{ ?s ?p ?n FILTER(isIRI(?n)
             && (STRSTARTS(STR(?n), "{ID}nation/") || STRSTARTS(STR(?n), "{ID}org/"))) }}""",
    )
    described = values(everything, "SELECT DISTINCT ?n WHERE { ?n a ?class }")
    assert referenced - described == set(), "referenced but never described in data/"


@pytest.mark.xfail(
    strict=True,
    reason="data gap, not the rule (party-to.rq honours mil:endDate): "
    "adherence/vienna-document-1990/YUG has no mil:endDate (docs/data-notes-agreements.md: "
    "end dates for Yugoslavia not recorded); remove this marker once it has a sourced one",
)
def test_states_that_ceased_to_exist_are_not_party_to_anything_now(store: ox.Store) -> None:
    now = party_to(store, None)
    assert not {p for p in now if p[0] in FORMER_STATES}


#: Warnings the curated files knowingly carry: facts left out because no source gives them
#: (see docs/data-notes-agreements.md). Any other shape result on these files is a regression.
EXPECTED_WARNING_SHAPES = {
    "AdherenceDatedShape",  # successors, CUES navies, DGMO hotline, Sweden/Open Skies: no day
    "AgreementDatedShape",  # CUES (adopted, not signed), DGMO hotline arrangement (no public date)
    "TrainingRecipient",  # IMET, ITEC, NATO Defense College: recipients not listed state by state
}


def test_curated_files_conform_to_the_shapes() -> None:
    import pyshacl
    import rdflib

    ontology = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        if path.name != "shapes.ttl":
            ontology.parse(path)
    mine = values(load(*FILES), "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    data = rdflib.Graph()
    for path in sorted(DATA.glob("*.ttl")):  # all curated files: they describe the nations
        data.parse(path)
    # Imported files may describe the same nodes (e.g. exercise series from MME); only those
    # statements matter here, and reading just them keeps the test fast.
    for path in sorted(DATA.glob("imported/*.ttl")):
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
            if quad.subject.value in mine:
                data.add(
                    (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                )
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="rdfs", advanced=True
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    unexpected = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = str(report.value(result, sh.focusNode))
        if focus not in mine:
            continue
        severity = str(report.value(result, sh.resultSeverity)).rsplit("#", 1)[-1]
        shape = str(report.value(result, sh.sourceShape)).rsplit("#", 1)[-1]
        if severity == "Violation" or shape not in EXPECTED_WARNING_SHAPES:
            unexpected.append((severity, shape, focus, str(report.value(result, sh.resultMessage))))
    assert not unexpected, "\n".join(map(str, unexpected))
