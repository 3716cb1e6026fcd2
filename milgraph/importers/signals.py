"""Import McManus & Nieman's individual signals of major-power support (1950-2012).

Which signals become what (docs/data-imported.md):

- ``*_vis`` (a leader or high-level visit that year), ``*_ex`` (a joint exercise that year) and
  ``*_pact`` (a defence pact that year) are 0/1 flags per protégé-year and major power; they
  become yearly indicators (mil:IndicatorHighLevelVisit, ...JointExercise, ...DefencePact),
  not facts: the panel gives no date, no count and no name of the visit, exercise or pact.
  The exercises and pacts themselves are facts elsewhere in the graph (JME/MME exercises,
  ATOP alliances), from which the authors derived these flags; importing them again as events
  would count them twice.
- ``*_troops`` (troops of the major power stationed with the protégé that year, a count)
  becomes mil:IndicatorTroopsStationed.
- The other columns (arms transfers, aid, investment treaties, statements, nuclear
  deployments and the ``log_*``/``yr*`` transforms) are not imported: they are not
  military-diplomacy relations of this graph.

The five major powers: US (USA), UK (GBR), France (FRA), Russia (COW 365: the Soviet Union to
1991, the Russian Federation from 1992, see indicators.py) and China (CHN).
"""

from __future__ import annotations

from pathlib import Path

from milgraph.importers.common import Dataset, add_class_partition, add_dataset
from milgraph.importers.csvfile import DATASETS_DIR, find_file, read_rows, shown
from milgraph.importers.dates import DateError, parse_int
from milgraph.importers.indicators import add_observation, node_in_year
from milgraph.importers.nations import NationResolver
from milgraph.importers.report import ImportReport
from milgraph.importers.turtle import TurtleDocument

FILE = "individual_signals_dataset.csv"
DEFAULT_PATH = DATASETS_DIR / "mcmanus-nieman-signals"
PATRONS = {"us": 2, "uk": 200, "fra": 220, "rus": 365, "chi": 710}
SIGNALS = ("vis", "ex", "pact", "troops")
COLUMNS = ("ccode", "country", "year", *(f"{p}_{s}" for p in PATRONS for s in SIGNALS))

SIGNALS_DATASET = Dataset(
    "mcmanus-nieman-signals",
    "Individual Signals Dataset (McManus and Nieman): major-power signals of support",
    'Roseanne W. McManus and Mark David Nieman, "Identifying the level of major power '
    'support signaled for protégés: A latent measure approach", Journal of Peace Research '
    "56(3), 2019 (replication archive: Individual Signals Dataset).",
    "https://github.com/jandresgannon/DoDL/tree/67007e1463492dcc15aa24446c99871abe937429/"
    "inst/extdata/McManus_Nieman",
    "https://github.com/jandresgannon/DoDL/blob/67007e1463492dcc15aa24446c99871abe937429/"
    "inst/extdata/McManus_Nieman/Individual%20Signals%20Dataset.csv",
    "JPR 2019 replication",
    None,
    (("1950-01-01", "2012-12-31"),),
)


def build(path: Path = DEFAULT_PATH, resolver: NationResolver | None = None,
          ) -> tuple[TurtleDocument, ImportReport]:
    source = find_file(path, FILE)
    resolver = resolver or NationResolver()
    report = ImportReport("signals", sources=[source, resolver.source])
    doc = TurtleDocument(header=[
        "McManus & Nieman individual signals (1950-2012) as yearly indicators, imported by "
        "`milgraph import signals`.",
        "Generated file: do not edit by hand; re-run the import (docs/data-imported.md).",
    ])
    add_dataset(doc, SIGNALS_DATASET)
    where = shown(source)
    for row in read_rows(source, COLUMNS):
        report.read(where)
        if row.problem:
            report.reject(where, row.line, row.problem)
            continue
        try:
            ccode, year = parse_int(row["ccode"], "ccode"), parse_int(row["year"], "year")
        except DateError as exc:
            report.reject(where, row.line, str(exc))
            continue
        if ccode is None or year is None:
            report.reject(where, row.line, "ccode or year is empty")
            continue
        actor = node_in_year(resolver, ccode, year)
        if actor is None:
            report.unmapped_name(f"{row['country']} (COW {ccode})",
                                 "COW code stands for no nation node that year", where,
                                 row.line)
            report.reject(where, row.line, f"COW {ccode} in {year}: no nation node")
            continue
        for patron, pcode in PATRONS.items():
            counterpart = node_in_year(resolver, pcode, year)
            for signal in SIGNALS:
                raw = row[f"{patron}_{signal}"]
                if raw in ("", "NA", "0"):
                    continue
                try:
                    value = parse_int(raw, f"{patron}_{signal}")
                except DateError as exc:
                    report.note(where, row.line, f"not a whole number: {exc}")
                    continue
                if not value or value < 0:
                    continue
                if actor == counterpart:
                    report.tally("values of a power about itself, left out")
                    continue
                add_observation(doc, SIGNALS_DATASET, signal, actor, counterpart, year, value)
                report.wrote(f"yearly indicators ({signal})")
    total = sum(n for k, n in report.records.items() if k.startswith("yearly indicators"))
    add_class_partition(doc, SIGNALS_DATASET, "YearlyIndicator", total)
    return doc, report
