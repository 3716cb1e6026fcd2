"""`milgraph import unoda` on the real UNODA treaty-status harvest (2018)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import default_output, unoda
from milgraph.importers.common import unmapped_path
from milgraph.importers.nations import NationResolver
from milgraph.importers.treaty_rules import BY_NAME, CCW, first_day_of_sixth_month, months_after

REPO = Path(__file__).resolve().parents[2]
UNODA_DIR = REPO.parent / "shared" / "datasets" / "unoda-treaty-status-2018"
ID = "https://w3id.org/milgraph/id/"
MIL = "https://w3id.org/milgraph/ontology#"
A = ID + "adherence/"
PREFIX = f"PREFIX mil: <{MIL}>\nPREFIX dcterms: <http://purl.org/dc/terms/>\n"

pytestmark = pytest.mark.skipif(not UNODA_DIR.is_dir(), reason="../shared/datasets is not present")


@pytest.fixture(scope="module")
def built():
    doc, report = unoda.build(UNODA_DIR, NationResolver())
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return doc, report, store


@pytest.fixture(scope="module")
def actions() -> list[dict[str, str]]:
    with (UNODA_DIR / unoda.FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def values(store: ox.Store, s: str, prop: str) -> list[str]:
    return sorted(t[0].value for t in store.query(f"SELECT ?v WHERE {{ <{s}> <{MIL}{prop}> ?v }}"))


def test_every_action_is_kept_or_reported(built, actions) -> None:
    _, report, store = built
    assert len(actions) == 6084
    assert len(report.rejected) == 41
    rejected = Counter(p.reason.split(":")[0] for p in report.rejected)
    assert rejected == {"Yemen": 13, "Cook Islands": 11, "Niue": 7, "Czech Republic": 4,
                        "Slovakia": 4, "Montenegro": 2}
    written = int(next(iter(store.query(
        f"SELECT (COUNT(?a) AS ?n) WHERE {{ ?x <{MIL}treatyAction> ?a }}")))[0].value)
    curated = report.tallies["actions of adherences left to the curated data"]
    assert written + curated == len(actions) - 41 == report.tallies["actions imported"]


def test_first_dates_and_entry_into_force_by_the_treaty_rule(built) -> None:
    _, _, store = built
    usa = A + "npt/USA"
    assert values(store, usa, "signatureDate") == ["1968-07-01"]
    assert values(store, usa, "ratificationDate") == ["1970-03-05"]
    assert values(store, usa, "entryIntoForceDate") == ["1970-03-05"]
    assert len(values(store, usa, "treatyAction")) == 6  # three depositaries, two kinds
    assert values(store, A + "cwc/AGO", "entryIntoForceDate") == ["2015-10-16"]  # +30 days
    assert values(store, A + "apmbc/AFG", "entryIntoForceDate") == ["2003-03-01"]  # 1st of 6th
    assert values(store, A + "ccm/LTU", "entryIntoForceDate") == ["2011-09-01"]
    # the UN Treaty Collection's own "date of effect" for the CCW amendment of Article 1
    assert values(store, A + "ccw-amendment-article-1/AFG", "entryIntoForceDate") == [
        "2018-02-09"]
    assert values(store, A + "ccw-amendment-article-1/AUS", "entryIntoForceDate") == [
        "2004-05-18"]
    assert values(store, A + "ctbt/USA", "entryIntoForceDate") == []  # not in force


def test_treaty_entry_into_force_dates_follow_from_the_data(actions) -> None:
    """The treaties' own dates agree with their rules applied to the harvested deposits."""
    def consents(treaty: str) -> list[date]:
        firsts: dict[str, date] = {}
        for r in actions:
            if r["treaty"] == treaty and r["action"] != "Signature":
                d = date.fromisoformat(r["date"])
                firsts[r["country_unoda"]] = min(d, firsts.get(r["country_unoda"], d))
        return sorted(firsts.values())
    # (not the CCW itself: some of its first twenty ratifiers, e.g. the GDR, are no longer
    # listed, so the 20th deposit in the 2018 data is later than the 20th in 1983)
    protocol_v = f"{CCW} :: Protocol V on Explosive Remnants of War"
    assert months_after(6)(consents(protocol_v)[19]) == BY_NAME[protocol_v].in_force
    cwc = consents("Chemical Weapons Convention")[64]
    assert (BY_NAME["Chemical Weapons Convention"].in_force - cwc).days == 180
    apmbc = consents("Anti-Personnel Mine Ban Convention")[39]
    assert first_day_of_sixth_month(apmbc) == BY_NAME["Anti-Personnel Mine Ban Convention"].in_force


def test_states_resolved_on_the_day_of_each_action(built) -> None:
    _, _, store = built
    assert values(store, A + "npt/SUN", "endDate") == ["1991-12-26"]
    assert values(store, A + "npt/RUS", "startDate") == ["1991-12-26"]
    assert values(store, A + "npt/RUS", "dateKind") == [MIL + "DateKindEffective"]
    assert values(store, A + "ptbt/YUG", "signatureDate") == ["1963-08-08"]  # "Serbia", 1963
    assert values(store, A + "npt/SRB", "successionDate") == ["1992-04-27"]
    assert values(store, A + "geneva-protocol-1925/cow-GMY", "ratificationDate") == ["1929-04-25"]
    assert values(store, A + "bwc/DEU", "signatureDate") == ["1972-04-10"]
    assert values(store, A + "npt/VAT", "accessionDate") == ["1971-02-25"]  # Holy See


def test_later_withdrawals_and_russia_ctbt(built) -> None:
    _, _, store = built
    ltu = A + "apmbc/LTU"
    assert values(store, ltu, "withdrawalDate") == ["2025-12-27"]
    assert values(store, ltu, "withdrawalNoticeDate") == ["2025-06-27"]
    assert values(store, ltu, "endDate") == ["2025-12-27"]
    assert values(store, A + "apmbc/FIN", "withdrawalDate") == ["2026-01-10"]
    assert values(store, A + "ccm/LTU", "withdrawalDate") == ["2025-03-06"]
    rus = A + "ctbt/RUS"
    assert values(store, rus, "ratificationWithdrawnDate") == ["2023-11-02"]
    assert values(store, rus, "ratificationDate") == ["2000-06-30"]
    sources = [t[0].value for t in store.query(f"SELECT ?s WHERE {{ <{rus}> "
                                               f"<http://purl.org/dc/terms/source> ?s }}")]
    assert "https://tass.com/russia/1701097" in sources


def test_curated_cfe_and_open_skies_win(built) -> None:
    _, report, store = built
    for slug in ("cfe-treaty", "open-skies-treaty"):
        labels = list(store.query(f"""SELECT ?l WHERE {{ <{ID}agreement/{slug}>
            <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"""))
        assert labels == []  # the curated node, not relabelled
    assert values(store, A + "open-skies-treaty/USA", "treatyAction") == []  # curated record
    assert report.tallies["adherences left to the curated data"] == 64


def test_unmapped_names_are_reported(built) -> None:
    _, report, _ = built
    assert {name for name, _ in report.unmapped} == {
        "Cook Islands", "Niue", "Czech Republic", "Slovakia", "Montenegro", "Yemen"}
    committed = unmapped_path(default_output("unoda")).read_text(encoding="utf-8")
    assert committed == report.unmapped_table()


def test_output_is_deterministic_and_committed_file_is_current(built) -> None:
    doc, _, _ = built
    again, _ = unoda.build(UNODA_DIR, NationResolver())
    assert again.render() == doc.render()
    assert default_output("unoda").read_text(encoding="utf-8") == doc.render(), (
        "data/imported/unoda.ttl is stale: run `milgraph import unoda`")
