"""`milgraph import signals` and `milgraph import us-troops`: yearly indicators from the real
McManus-Nieman and Allen-Flynn-Martinez Machain panels."""

from __future__ import annotations

import csv
from pathlib import Path

import pyoxigraph as ox
import pytest

from milgraph.importers import default_output, signals, troops
from milgraph.importers.common import unmapped_path
from milgraph.importers.nations import NationResolver

REPO = Path(__file__).resolve().parents[2]
DATASETS = REPO.parent / "shared" / "datasets"
ID = "https://w3id.org/milgraph/id/"
IND = ID + "indicator/"

pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason="../shared/datasets is not present")


def store_of(doc) -> ox.Store:
    store = ox.Store()
    store.load(input=doc.render().encode(), format=ox.RdfFormat.TURTLE)
    return store


def value(store: ox.Store, s: str) -> str | None:
    rows = list(store.query(f"SELECT ?v WHERE {{ <{s}> "
                            "<https://w3id.org/milgraph/ontology#indicatorValue> ?v }"))
    return rows[0][0].value if rows else None


@pytest.fixture(scope="module")
def signals_built():
    doc, report = signals.build(DATASETS / "mcmanus-nieman-signals", NationResolver())
    return doc, report, store_of(doc)


@pytest.fixture(scope="module")
def troops_built():
    doc, report = troops.build(DATASETS / "us-troops-allen-flynn", NationResolver())
    return doc, report, store_of(doc)


def test_signal_counts_equal_the_positive_cells(signals_built) -> None:
    _, report, _ = signals_built
    with (DATASETS / "mcmanus-nieman-signals" / signals.FILE).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9266
    for signal in signals.SIGNALS:
        positive = sum(1 for r in rows for p in signals.PATRONS
                       if r[f"{p}_{signal}"] not in ("0", "", "NA"))
        written = report.records[f"yearly indicators ({signal})"]
        self_values = report.tallies["values of a power about itself, left out"] \
            if signal == "troops" else 0
        assert written + self_values == positive, signal
    # the PROVENANCE totals of visits
    assert report.records["yearly indicators (vis)"] == 508 + 378 + 286 + 354 + 303


def test_signals_resolve_the_patron_by_year(signals_built) -> None:
    _, _, store = signals_built
    # Canada 1951: a UK visit (row 3 of the file); Russia's signals are the USSR's until 1991
    assert value(store, IND + "mcmanus-nieman-signals/vis/GBR/CAN/1951") == "1"
    assert bool(store.query(f"""ASK {{ ?x <https://w3id.org/milgraph/ontology#indicatorCounterpart>
        <{ID}nation/SUN> }}"""))
    assert not bool(store.query(f"""ASK {{ ?x <https://w3id.org/milgraph/ontology#indicatorCounterpart>
        <{ID}nation/RUS> ; <https://w3id.org/milgraph/ontology#indicatorYear> ?y .
        FILTER(STR(?y) < "1992") }}"""))


def test_troops_spot_checks_and_germany(troops_built) -> None:
    _, report, store = troops_built
    assert value(store, IND + "us-troops-allen-flynn/troops/USA/DEU/1985") == "246875"
    assert value(store, IND + "us-troops-allen-flynn/troops/USA/DEU/2024") == "36541"
    assert value(store, IND + "us-troops-allen-flynn/troops/USA/USA/1985") is None
    assert report.records["yearly indicators (troops)"] == 9061
    assert report.notes == []  # no host-year with two positive rows


def test_troop_territories_are_reported(troops_built) -> None:
    _, report, _ = troops_built
    names = {name for name, _ in report.unmapped}
    assert {"Guam (code 1008)", "Puerto Rico (code 6)", "Diego Garcia (code 1004)"} <= names
    assert not any(n.startswith("Germany") for n in names)
    assert unmapped_path(default_output("us-troops")).read_text(encoding="utf-8") == \
        report.unmapped_table()


def test_committed_files_are_current(signals_built, troops_built) -> None:
    assert default_output("signals").read_text(encoding="utf-8") == signals_built[0].render()
    assert default_output("us-troops").read_text(encoding="utf-8") == troops_built[0].render()
    again, _ = troops.build(DATASETS / "us-troops-allen-flynn", NationResolver())
    assert again.render() == troops_built[0].render()
