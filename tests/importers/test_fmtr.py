"""`milgraph import fmtr` on the real US Foreign Military Training Report files, and the
training-exchange contract (one annual record per provider x recipient x programme x FY)
through the REST endpoint of the named query ``training-received``."""

from __future__ import annotations

import csv
import re
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import default_output, fmtr, run_import
from milgraph.importers.common import unmapped_path
from milgraph.importers.nations import NationResolver
from milgraph.importers.training_programmes import PROGRAMMES, course_kind, programme_of
from tests.support.server import build_fixture_snapshot, make_client, wait_ready

REPO = Path(__file__).resolve().parents[2]
FMTR_DIR = REPO.parent / "shared" / "datasets" / "sfm-fmtr-us-military-training"
FIXTURE = REPO / "tests" / "fixtures" / "import" / "fmtr"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
T = ID + "training/"
PREFIX = f"PREFIX mil: <{MIL}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"

pytestmark = pytest.mark.skipif(not FMTR_DIR.is_dir(), reason="../shared/datasets is not present")

#: Every name the real files print that resolves to no nation node (the unmapped report).
UNMAPPED = {
    "Aruba", "Cayman Islands", "Cayman Islands (UK)", "Cook Islands", "French Polynesia",
    "Hong Kong", "Indochina", "Netherlands Antilles", "Netherlands Antilles (NE)",
    "New Caledonia", "Niue", "Palestinian Authority", "Sint Maarten",
    "Sudan, Government of Southern", "Tokelau", "Turks and Caicos",
}


@pytest.fixture(scope="module")
def resolver() -> NationResolver:
    return NationResolver()


@pytest.fixture(scope="module")
def built(resolver: NationResolver):
    doc, report = fmtr.build(FMTR_DIR, resolver)
    store = ox.Store()
    store.bulk_load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


def select(store: ox.Store, query: str) -> list[tuple]:
    rows = [tuple(None if t is None else t.value for t in sol) for sol in store.query(PREFIX + query)]
    return sorted(rows, key=lambda r: tuple(str(v or "") for v in r))


def one(store: ox.Store, iri: str, prop: str) -> str | None:
    rows = select(store, f"SELECT ?v WHERE {{ <{iri}> mil:{prop} ?v }}")
    return rows[0][0] if rows else None


# --- an oracle computed directly from the derived CSV -------------------------------------

def _fy(program: str) -> int | None:
    m = re.search(r"(?:\bFY|Fiscal Year)\s*(\d{4}|\d{2})\b", program)
    if not m:
        return None
    y = int(m.group(1))
    return y if y > 100 else (1900 + y if y >= 50 else 2000 + y)


@pytest.fixture(scope="module")
def oracle() -> dict[int, tuple[int, Decimal]]:
    """Trainees and cost per fiscal year of the rows the rule imports (provided year only)."""
    out: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    with (FMTR_DIR / fmtr.DERIVED).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            fy = _fy(row["program_as_printed"])
            if fy is None or fy != int(row["report_fiscal_years"][:4]):
                continue
            if " ".join(row["country_as_printed"].split()) in UNMAPPED:
                continue
            out[fy][0] += int(row["sum_quantity"])
            out[fy][1] += Decimal(row["sum_total_cost_usd"])
    return {fy: (n, c) for fy, (n, c) in out.items()}


def test_counts(built) -> None:
    _, report, store = built
    assert report.rows_read[f"../shared/datasets/sfm-fmtr-us-military-training/{fmtr.DERIVED}"] \
        == 13306
    assert report.records["annual training exchanges"] == 11517
    assert report.records["training courses"] == 12157
    assert [p.line for p in report.rejected] == [500]  # "Miscellaneous DoD-DoS Activities, FY"
    assert report.tallies["rows of a proposed year (FY 2000 in report 1999_2000), left out"] == 294
    assert report.tallies["rows of a proposed year (FY 2001 in report 2000_2001), left out"] == 408
    assert report.tallies["'No activities reported' rows (no training)"] == 4
    # every XML training item is an imported item, a programme total or an unmapped one
    xml_items = sum(p.read_text(encoding="utf-8").count("<training>")
                    for p in (FMTR_DIR / "raw_xml").glob("*.xml"))
    assert xml_items == 25707 == (report.tallies["XML training items imported"]
                                  + report.tallies["XML programme-total rows (not training items)"]
                                  + report.tallies["XML items of unmapped recipients, left out"])
    n = select(store, "SELECT (COUNT(?x) AS ?n) WHERE { ?x a mil:AnnualTrainingExchange }")
    assert n == [("11517",)]


def test_totals_per_fiscal_year_match_the_source(built, oracle) -> None:
    _, _, store = built
    rows = select(store, """SELECT ?fy (SUM(?t) AS ?n) (SUM(?c) AS ?cost) WHERE {
        ?x a mil:AnnualTrainingExchange ; mil:fiscalYear ?fy .
        OPTIONAL { ?x mil:trainees ?t0 } OPTIONAL { ?x mil:costUSD ?c0 }
        BIND(COALESCE(?t0, 0) AS ?t) BIND(COALESCE(?c0, 0.0) AS ?c) } GROUP BY ?fy""")
    got = {int(fy): (int(n), Decimal(c)) for fy, n, c in rows}
    assert set(got) == set(range(1999, 2021)) - {2006}  # no FY 2006 report was scraped
    assert got == oracle


def test_one_record_per_key_with_the_contract_properties(built) -> None:
    _, _, store = built
    dup = select(store, """SELECT ?p ?r ?prog ?fy WHERE {
        ?x a mil:AnnualTrainingExchange ; mil:provider ?p ; mil:recipient ?r ;
           mil:programme ?prog ; mil:fiscalYear ?fy } GROUP BY ?p ?r ?prog ?fy
        HAVING (COUNT(?x) > 1)""")
    assert dup == []
    incomplete = select(store, """SELECT ?x WHERE { ?x a mil:AnnualTrainingExchange .
        FILTER NOT EXISTS { ?x mil:provider ?p ; mil:recipient ?r ; mil:programme ?g ;
            mil:fiscalYear ?fy ; mil:startDate ?s ; mil:endDate ?e ; dcterms:source ?src } }""")
    assert incomplete == []
    # datatypes as written (Oxigraph's store canonicalises xsd:nonNegativeInteger to xsd:integer)
    doc = built[0]
    xsd = "http://www.w3.org/2001/XMLSchema#"
    s = T + "us-imet/ALB/2000"
    assert {o.datatype for o in doc.objects(s, MIL + "fiscalYear")} == {xsd + "gYear"}
    assert {o.datatype for o in doc.objects(s, MIL + "trainees")} == {xsd + "nonNegativeInteger"}
    assert {o.datatype for o in doc.objects(s, MIL + "costUSD")} == {xsd + "decimal"}


def test_albania_imet_provided_years_and_fiscal_year_dates(built) -> None:
    _, _, store = built
    fy2000 = T + "us-imet/ALB/2000"  # from the FY 2000-2001 report (provided), not 1999-2000's
    assert one(store, fy2000, "trainees") == "260"
    assert Decimal(one(store, fy2000, "costUSD")) == Decimal("389990")
    assert (one(store, fy2000, "startDate"), one(store, fy2000, "endDate")) == (
        "1999-10-01", "2000-09-30")
    assert one(store, T + "us-imet/ALB/1999", "trainees") == "131"
    assert one(store, fy2000, "provider") == ID + "nation/USA"
    assert one(store, fy2000, "programme") == T + "us-imet"
    sources = {s for (s,) in select(store, f"SELECT ?s WHERE {{ <{fy2000}> dcterms:source ?s }}")}
    assert sources == {ID + "dataset/sfm-fmtr",
                       "https://2009-2017.state.gov/t/pm/rls/rpt/fmtrpt/2001/index.htm"}


def test_imet_sub_programmes_are_one_record(built) -> None:
    """IMET-1 and IMET-2 of Armenia in FY 2020: one IMET record with both strings."""
    _, _, store = built
    s = T + "us-imet/ARM/2020"
    assert one(store, s, "trainees") == "8"  # 7 + 1
    assert Decimal(one(store, s, "costUSD")) == Decimal("152448")
    printed = {p for (p,) in select(store, f"SELECT ?p WHERE {{ <{s}> mil:reportedProgramme ?p }}")}
    assert printed == {"IMET-1 - Fiscal Year 2020 Department of State Training",
                       "IMET-2 - Fiscal Year 2020 Department of State Training"}


def test_course_records_sum_to_their_annual_record(built) -> None:
    _, _, store = built
    rows = select(store, """SELECT ?a ?t (SUM(?ct) AS ?s) ?c (SUM(?cc) AS ?sc) WHERE {
        ?a a mil:AnnualTrainingExchange ; mil:fiscalYear ?fy .
        FILTER(STR(?fy) IN ("2019", "2020"))
        OPTIONAL { ?a mil:trainees ?t } OPTIONAL { ?a mil:costUSD ?c }
        ?k mil:partOfExchange ?a .
        OPTIONAL { ?k mil:trainees ?ct0 } OPTIONAL { ?k mil:costUSD ?cc0 }
        BIND(COALESCE(?ct0, 0) AS ?ct) BIND(COALESCE(?cc0, 0.0) AS ?cc) } GROUP BY ?a ?t ?c""")
    assert len(rows) == 1242
    for a, t, s, c, sc in rows:
        assert int(t or 0) == int(s), a
        assert Decimal(c or 0) == Decimal(sc), a
    no_fy = select(store, "SELECT ?k WHERE { ?k a mil:TrainingCourse ; mil:fiscalYear ?fy }")
    assert no_fy == []  # the key's year is on the annual record only


def test_armenia_command_and_general_staff_course_is_officer_education(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?k ?t WHERE {{ ?k mil:partOfExchange <{T}us-imet/ARM/2019> ;
        a mil:OfficerEducationProgramme ; mil:trainees ?t ;
        <http://www.w3.org/2000/01/rdf-schema#label> ?l .
        FILTER(STRSTARTS(?l, "Command And General Staff Officer S Course")) }}""")
    assert rows and all(int(t) >= 1 for _, t in rows)


@pytest.mark.parametrize(("title", "kind"), [
    ("Command And General Staff Officer S Course", "OfficerEducationProgramme"),
    ("Army War College (Resident Course)", "OfficerEducationProgramme"),
    ("Maneuver Captains Career", "OfficerEducationProgramme"),
    ("Infantry Basic Officer Leader-Branch", "OfficerEducationProgramme"),
    ("United States Air Force Academy", "OfficerEducationProgramme"),
    ("American Language Course General English Training Only", "SkillCourse"),
    ("Aircraft Maintenance Officer Course (AMOC)", "SkillCourse"),
    ("International EOD Phase II Surface", "SkillCourse"),
    ("Combat Medic Specialist", "SkillCourse"),
    ("MET UN PKO Contingent Commanders Course", "SkillCourse"),
    ("NESA Executive Seminar", None),
    ("Virtual - Alumni Engagement - Accessible Economics I", None),
    ("COVID-19 EXT", None),
    ("Field Studies Program", None),
])
def test_course_kind_rule_on_real_titles(title: str, kind: str | None) -> None:
    assert course_kind(title) == kind


def test_every_printed_programme_has_a_curated_node() -> None:
    with (FMTR_DIR / fmtr.DERIVED).open(encoding="utf-8", newline="") as handle:
        printed = {row["program_as_printed"] for row in csv.DictReader(handle)}
    unknown = {p for p in printed if programme_of(p) is None
               and not p.startswith("No activities reported")}
    assert unknown == set()
    store = ox.Store()
    store.load(path=str(REPO / "data" / "training.ttl"), format=ox.RdfFormat.TURTLE)
    for prog in PROGRAMMES:
        rows = list(store.query(f"""PREFIX mil: <{MIL}>
            SELECT ?l WHERE {{ <{T}{prog.slug}> a mil:TrainingAssistanceProgramme ;
            mil:provider <{ID}nation/USA> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l ;
            <http://purl.org/dc/terms/source> ?s }}"""))
        assert rows, f"data/training.ttl lacks training:{prog.slug}"


def test_unmapped_names_are_reported(built) -> None:
    _, report, _ = built
    assert {name for name, _ in report.unmapped} == UNMAPPED
    committed = unmapped_path(default_output("fmtr")).read_text(encoding="utf-8")
    assert committed == report.unmapped_table()
    assert "Palestinian Authority\tPalestinian Territories is not a state" in committed


def test_dataset_coverage_has_the_fy_2006_gap(built) -> None:
    _, _, store = built
    rows = select(store, f"""SELECT ?s ?e WHERE {{ <{ID}dataset/sfm-fmtr> dcterms:temporal ?p .
        ?p <http://www.w3.org/ns/dcat#startDate> ?s ; <http://www.w3.org/ns/dcat#endDate> ?e }}""")
    assert rows == [("1998-10-01", "2005-09-30"), ("2006-10-01", "2020-09-30")]


def test_output_is_deterministic_and_committed_file_is_current(built, resolver) -> None:
    doc, _, _ = built
    assert default_output("fmtr").read_text(encoding="utf-8") == doc.render(), (
        "data/imported/fmtr.ttl is stale: run `milgraph import fmtr`")


def test_rerun_on_the_fixture_is_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    run_import("fmtr", FIXTURE, first)
    run_import("fmtr", FIXTURE, second)
    assert first.read_bytes() == second.read_bytes()
    names = unmapped_path(first).read_text(encoding="utf-8").splitlines()
    assert [n.split("\t")[0] for n in names[1:]] == ["Palestinian Authority"]


# --- the contract through HTTP ------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("fmtr-data")
    run_import("fmtr", FIXTURE, data / "fmtr.ttl")
    (data / "fmtr.unmapped.tsv").unlink()
    shutil.copy(REPO / "data" / "training.ttl", data / "training.ttl")
    root = tmp_path_factory.mktemp("fmtr-snapshots")
    build_fixture_snapshot(root, data)
    with make_client(root) as c:
        wait_ready(c.get)
        yield c


def test_training_received_endpoint(client) -> None:
    r = client.get("/api/queries/training-received",
                   params={"nation": "ARM", "from": "2019", "to": "2019"})
    assert r.status_code == 200, r.text
    rows = [(x["programmeLabel"], x["fiscalYear"], x["trainees"], x["costUSD"], x["provider"])
            for x in r.json()["rows"]]
    usa = ID + "nation/USA"
    assert rows == [
        ("DoD Regional Centers for Strategic Studies", 2019, 20, 39525.0, usa),
        ("International Military Education and Training (IMET)", 2019, 56, 366668.0, usa),
        ("Peacekeeping Operations (PKO)", 2019, 84, 117129.0, usa),
        ("Regional Defense Combating Terrorism and Irregular Warfare Fellowship Program (CTIWFP)",
         2019, 2, 11393.0, usa),
    ]
    assert r.json()["rows"][1]["programme"] == T + "us-imet"


def test_training_received_years_and_errors(client) -> None:
    rows = client.get("/api/queries/training-received", params={"nation": "ARM"}).json()["rows"]
    assert sorted({x["fiscalYear"] for x in rows}) == [2000, 2019, 2020]  # FY 2001: proposed only
    fy2000 = [x for x in rows if x["fiscalYear"] == 2000]
    assert [(x["programme"], x["trainees"]) for x in fy2000] == [(T + "us-regional-centers", 14)]
    later = client.get("/api/queries/training-received",
                       params={"nation": "ARM", "from": "2020"}).json()["rows"]
    assert {x["fiscalYear"] for x in later} == {2020}
    assert client.get("/api/queries/training-received").status_code == 400  # nation required
    bad = client.get("/api/queries/training-received", params={"nation": "ARM", "from": "x"})
    assert bad.status_code == 400
    csv_r = client.get("/api/queries/training-received",
                       params={"nation": "ARM", "to": "2000", "format": "csv"})
    assert csv_r.status_code == 200 and "fiscalYear" in csv_r.text.splitlines()[0]
